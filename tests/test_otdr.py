"""The .sor adapter: the writer's files read back exactly, broken files refused with a reason."""

import io
import struct
from datetime import UTC
from datetime import datetime

import otdrparser
import pytest

from fieldapp import otdr
from fieldapp import sor_writer as w

LENGTH = 12000.0
SPLICES = [(3000.0, 0.05), (7000.0, 0.12)]


def link(**settings):
    return w.pair(LENGTH, w.link_events(LENGTH, SPLICES), **settings)


def test_settings_read_back_as_written():
    ab, _ = link(wavelength_nm=1550, pulse_width_ns=100, ior=1.4682, averages=20000, averaging_s=45.0,
                 range_m=25000, acquired_at=datetime(2026, 10, 3, 9, 15, 7, tzinfo=UTC))
    found = otdr.parse(w.write(ab))
    assert (found["wavelength_nm"], found["pulse_width_ns"], found["ior"]) == (1550, 100, 1.4682)
    assert (found["averages"], found["averaging_s"], found["range_m"]) == (20000, 45.0, 25000.0)
    assert found["acquired_at"] == "2026-10-03T09:15:07.000Z"
    assert found["checksum_ok"] is True


def test_events_of_both_directions_sit_at_length_minus_distance():
    ab, ba = link()
    forward, backward = otdr.parse(w.write(ab)), otdr.parse(w.write(ba))
    assert forward["length_m"] == pytest.approx(LENGTH, abs=0.05)
    assert [e["type"] for e in forward["events"]] == ["reflective", "non-reflective", "non-reflective",
                                                      "reflective", "end"]
    splices = [(e["distance_m"], e["splice_loss_db"]) for e in forward["events"][1:3]]
    assert splices == [(pytest.approx(3000, abs=0.05), 0.05), (pytest.approx(7000, abs=0.05), 0.12)]
    back = [(e["distance_m"], e["splice_loss_db"]) for e in backward["events"][1:3]]
    assert back == [(pytest.approx(5000, abs=0.05), 0.12), (pytest.approx(9000, abs=0.05), 0.05)]
    assert forward["events"][1]["reflectance_db"] is None  # written as "not measured"
    assert forward["events"][0]["reflectance_db"] == -55.0
    assert forward["total_loss_db"] == pytest.approx(0.3 * 2 + 0.17 + 0.33 * 12, abs=0.002)


def test_points_are_downsampled_and_fingerprinted():
    ab, ba = link()
    found = otdr.parse(w.write(ab))
    assert 0 < len(found["points"]) <= otdr.DRAWN_POINTS
    assert found["points"][0][0] == 0.0 and found["points"][-1][0] > LENGTH
    again = otdr.parse(w.write(ab))
    assert again["points_sha256"] == found["points_sha256"]
    assert otdr.parse(w.write(ba))["points_sha256"] != found["points_sha256"]


def test_bad_checksum_is_read_with_a_warning_flag():
    ab, _ = link()
    found = otdr.parse(w.bad_checksum(ab))
    assert found["checksum_ok"] is False
    assert found["events"]


def test_a_file_without_key_events_is_kept_with_no_events():
    ab, _ = link()
    found = otdr.parse(w.without_key_events(ab))
    assert found["events"] == [] and found["total_loss_db"] is None and found["length_m"] is None
    assert found["wavelength_nm"] == 1310 and found["points"]


@pytest.mark.parametrize("broken, reason", [
    (lambda t: w.truncated(w.write(t)), "cut short"),
    (lambda t: w.write(t)[:10], "too short"),
    (lambda t: w.wrong_magic(w.write(t)), "not an OTDR trace"),
    (lambda t: w.absurd_counts(w.write(t)), "declares 4294967280 points"),
    (lambda t: w.absurd_counts(w.write(t), points=7000), "declares 7000 points"),
    (lambda t: w.absurd_events(w.write(t)), "declares 65535 events"),
    (lambda t: w.version1(t), "version 1"),
    (lambda t: b"\xff" * 64, "not an OTDR trace"),
])
def test_broken_files_are_unreadable_with_a_reason(broken, reason):
    ab, _ = link()
    with pytest.raises(otdr.Unreadable) as refused:
        otdr.parse(broken(ab))
    assert reason in refused.value.reason


def test_size_is_capped_before_parsing():
    ab, _ = link()
    data = w.write(ab)
    with pytest.raises(otdr.Unreadable, match="at most 1000"):
        otdr.parse(data, max_bytes=1000)


def test_a_block_otdrparser_chokes_on_is_unreadable_not_a_crash():
    ab, _ = link()
    data = bytearray(w.write(ab))
    at = data.rindex(b"FxdParams\x00") + len(b"FxdParams\x00") + 4 + 2 + 2 + 8
    data[at:at + 2] = struct.pack("<H", 2)  # two pulse widths: otdrparser reads one trace only
    with pytest.raises(otdr.Unreadable, match="pulse-width"):
        otdr.parse(bytes(data))


def test_every_cut_of_a_file_is_refused_or_read_never_raises_otherwise():
    ab, _ = link(spacing_m=50.0)
    data = w.write(ab)
    for end in range(0, len(data), 7):
        try:
            otdr.parse(data[:end])
        except otdr.Unreadable:
            pass


def test_points_read_by_the_adapter_are_otdrparsers_own():
    """The adapter reads the drawn points itself (otdrparser's point-by-point read was slow)."""
    ab, _ = link(spacing_m=0.5)
    data = w.write(ab)
    theirs = otdrparser.parse2(io.BytesIO(data))["DataPts"]["data_points"]
    assert otdr.parse(data)["points"] == otdr.downsample(theirs)
    assert len(theirs) > 20000


def test_a_file_with_several_traces_in_its_data_points_is_unreadable():
    ab, _ = link()
    data = bytearray(w.write(ab))
    at = data.rindex(b"DataPts\x00") + len(b"DataPts\x00") + 4
    data[at:at + 2] = struct.pack("<H", 2)
    with pytest.raises(otdr.Unreadable, match="2 traces"):
        otdr.parse(bytes(data))
