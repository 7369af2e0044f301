"""Speed-test arithmetic and the acceptance verdict, as pure functions (no flask).

static/js/speed/stats.js and verdict.js hold the same logic for the phone, so a technician
sees at once, offline, what the supervisor will see at review. Change both together
(tests/test_speed_js.py compares them on the same cases).
"""

import json
import math
import threading
import time

from fieldapp import profiles

METHODS = ("browser", "tester", "iperf3", "y1564", "manual")
CONNECTIONS = ("wired", "wifi")
LATENCY_KINDS = ("min", "median")
MAX_MBPS = 100_000  # 100 Gbit/s: anything above is a typing slip, not a rural link


def mbps(nbytes, seconds):
    """Megabits per second: bytes x 8 / seconds / 1e6, with no hidden overhead factor."""
    if seconds <= 0:
        return 0.0
    return nbytes * 8 / seconds / 1e6


def throughput(samples, grace_s):
    """Rate from (seconds since start, cumulative bytes) samples, ignoring the first grace_s.

    TCP slow start and connection set-up make the first moments slow, so the bytes counted
    are those between the first sample at or after the grace period and the last sample.
    """
    after = [s for s in samples if s[0] >= grace_s]
    if len(after) < 2 or after[-1][0] <= after[0][0]:
        return {"bytes": 0, "seconds": 0.0, "mbps": 0.0}
    (t0, b0), (t1, b1) = after[0], after[-1]
    return {"bytes": b1 - b0, "seconds": t1 - t0, "mbps": mbps(b1 - b0, t1 - t0)}


class Meter:
    """Counts bytes from several streams against one clock (injectable, for tests and bench)."""

    def __init__(self, grace_s=1.0, clock=time.monotonic):
        self.grace_s = grace_s
        self.clock = clock
        self.start = clock()
        self.total = 0
        self.samples = [(0.0, 0)]
        self.lock = threading.Lock()

    def add(self, nbytes):
        """Record that a stream received nbytes just now."""
        with self.lock:
            self.total += nbytes
            self.samples.append((self.clock() - self.start, self.total))

    def result(self):
        """The rate after the grace period, as throughput() gives it."""
        with self.lock:
            return throughput(list(self.samples), self.grace_s)


def median(values):
    """The median of a list of numbers (mean of the middle two for an even count), or None."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def latency(samples_ms):
    """Min and median round trip, and jitter as the mean absolute difference of consecutive pings.

    That jitter is the one LibreSpeed and most speed tests show (RFC 3550's is a smoothed
    variant of the same difference); it needs two pings at least.
    """
    if not samples_ms:
        return {"min_ms": None, "median_ms": None, "jitter_ms": None}
    steps = [abs(b - a) for a, b in zip(samples_ms, samples_ms[1:], strict=False)]
    return {
        "min_ms": min(samples_ms),
        "median_ms": median(samples_ms),
        "jitter_ms": sum(steps) / len(steps) if steps else None,
    }


def combine_runs(runs):
    """The result of several runs: the median of each figure (runs: dicts as the phone sends)."""
    return {
        "down_mbps": median([r.get("down_mbps") for r in runs]),
        "up_mbps": median([r.get("up_mbps") for r in runs]),
        "latency_ms": median([r.get("latency_ms") for r in runs]),
        "jitter_ms": median([r.get("jitter_ms") for r in runs]),
    }


def runs_of(test):
    """The (down, up) runs inside one speed_test record.

    A browser test carries its runs in raw["runs"]; a tester entry is one run of its own.
    """
    raw = test.get("raw")
    if isinstance(raw, str):
        raw = json.loads(raw or "null")
    runs = (raw or {}).get("runs") if isinstance(raw, dict) else None
    if runs:
        return [(r.get("down_mbps"), r.get("up_mbps")) for r in runs]
    return [(test.get("down_mbps"), test.get("up_mbps"))]
