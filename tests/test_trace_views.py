"""`flask traces inspect`: one JSON object per readable file, a one-line reason and exit 1 otherwise."""

import json

from fieldapp import sor_writer as w
from tests import trace_evidence as te


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_inspect_prints_each_files_summary_and_events(runner, tmp_path):
    ab, ba = te.fiber_pair(7, 1550, pulse_width_ns=100, averages=20000)
    files = [write(tmp_path, "a.sor", w.write(ab)), write(tmp_path, "b.sor", w.write(ba))]
    result = runner.invoke(args=["traces", "inspect", *files])
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.output.splitlines())
    assert (first["file"], first["wavelength_nm"], first["pulse_width_ns"], first["averages"]) == \
        (files[0], 1550, 100, 20000)
    assert {"range_m", "ior", "averaging_s", "acquired_at", "length_m", "total_loss_db"} <= set(first)
    assert [e["type"] for e in first["events"]][-1] == "end" and "points" not in first
    assert second["events"][2]["splice_loss_db"] == 0.06  # the B->A reading of the splice at 3 km


def test_an_unreadable_file_gets_one_line_and_exit_1(runner, tmp_path):
    ab, _ = te.fiber_pair(7, 1310)
    good = write(tmp_path, "good.sor", w.write(ab))
    bad = write(tmp_path, "old.sor", w.version1(ab))
    result = runner.invoke(args=["traces", "inspect", good, bad, str(tmp_path / "missing.sor")])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert json.loads(lines[0])["file"] == good
    assert lines[1] == f"{bad}: SR-4731 version 1 file: export it from the OTDR as version 2"
    assert lines[2].startswith(f"{tmp_path / 'missing.sor'}: cannot open") and len(lines) == 3
    assert "Traceback" not in result.output
