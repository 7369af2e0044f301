"""OTDR traces through the app vs bare otdrparser on the same files: traces per second, as a ratio.

The app path is what a phone's upload costs the server: announce, one chunk, complete (the
caps, otdrparser, checksum, downsampling, the blob and the row), then the installation's checks
(pairs, event matching, splices, budget, the copied-trace lookups). The baseline is
otdrparser.parse on the same bytes, nothing else. Files are our writer's (fieldapp/sor_writer),
~100 KB each (about 50,000 data points, a 25 km range at 0.5 m), 10 fibers x 2 wavelengths x
2 directions. Rounds alternate and the best of each counts, so load from others evens out.
Goal: app / bare >= 0.8.

    .venv/bin/python bench/bench_traces.py [--fibers 10] [--rounds 3]
"""

import argparse
import io
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import otdrparser  # noqa: E402
from bench_sync import make_app  # noqa: E402

from fieldapp import blobstore  # noqa: E402
from fieldapp import records  # noqa: E402
from fieldapp import sor_writer as w  # noqa: E402
from fieldapp import uploads  # noqa: E402
from fieldapp.db import get_db  # noqa: E402
from fieldapp.evidence import checks  # noqa: E402

LENGTH = 24000.0


def files(fibers):
    """(fiber, direction, bytes) of every trace: fibers x {1310, 1550} x {A->B, B->A}."""
    found = []
    for fiber in range(1, fibers + 1):
        for wavelength in (1310, 1550):
            events = w.link_events(LENGTH, [(3000.0 + fiber, 0.05), (9000.0, 0.04), (16000.0, 0.03)])
            ab, ba = w.pair(LENGTH, events, wavelength_nm=wavelength, spacing_m=0.5, range_m=25000,
                            acquired_at=w.Trace(()).acquired_at.replace(hour=fiber, minute=wavelength % 60),
                            seed=fiber * 10000 + wavelength)
            found += [(fiber, "ab", w.write(ab)), (fiber, "ba", w.write(ba))]
    return found


def splices(inst, fibers):
    return [{"type": "splice", "id": str(uuid.uuid4()), "installation_id": inst,
             "device_time": "2026-11-20T10:00:00.000Z", "replaces": None,
             "data": {"closure_label": "MUF-1", "closure_type": "dome", "tray": 1, "slot": n, "a_cable": "C1",
                      "a_tube": 1, "a_fiber": n, "b_cable": "C2", "b_tube": 1, "b_fiber": n,
                      "splice_type": "fusion", "loss_1310_ab": 0.05, "loss_1310_ba": 0.05}}
            for n in range(1, fibers + 1)]


def through_app(folder, traces, fibers):
    """Seconds to store every trace through the upload and check the installation once."""
    app, user, inst = make_app(folder)
    blobs = blobstore.from_config(app.config)
    with app.app_context():
        db = get_db()
        sent = records.store_batch(db, user, str(uuid.uuid4()), splices(inst, fibers), app.config["TAG_KEYS"])
        assert {r["status"] for r in sent["results"]} == {"stored"}, sent["results"][0]
        start = time.perf_counter()
        for fiber, direction, data in traces:
            meta = {"id": str(uuid.uuid4()), "installation_id": inst, "closure_label": "MUF-1", "cable": "C1",
                    "tube": 1, "fiber": fiber, "direction": direction,
                    "event_m": 3000.0 + fiber if direction == "ab" else None}
            assert uploads.store_bytes(db, blobs, user, "trace", meta, data)["status"] == "complete"
        found = checks.run_all(db, inst)["checks"]
        seconds = time.perf_counter() - start
    assert sum(c["rule"] == "trace.splice_loss" for c in found) == 2 * fibers  # the checks really ran
    return seconds


def bare(traces):
    start = time.perf_counter()
    for _, _, data in traces:
        otdrparser.parse2(io.BytesIO(data))
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fibers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    traces = files(args.fibers)
    best = {"app": 1e9, "bare": 1e9}
    for round_ in range(args.rounds):
        order = ("app", "bare") if round_ % 2 else ("bare", "app")
        for name in order:
            if name == "bare":
                best["bare"] = min(best["bare"], bare(traces))
            else:
                with tempfile.TemporaryDirectory() as folder:
                    best["app"] = min(best["app"], through_app(folder, traces, args.fibers))
    count, kb = len(traces), sum(len(d) for _, _, d in traces) / len(traces) / 1024
    app_rate, bare_rate = count / best["app"], count / best["bare"]
    print(f"traces: {count} files, mean {kb:.0f} KB, best of {args.rounds} rounds")
    print(f"  bare otdrparser:                      {bare_rate:7.1f} traces/s")
    print(f"  app (upload + parse + store + checks): {app_rate:7.1f} traces/s")
    print(f"  ratio app / bare: {app_rate / bare_rate:.2f}   (goal >= 0.8)")


if __name__ == "__main__":
    main()
