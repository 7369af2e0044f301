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
from fieldapp.evidence import current

METHODS = ("browser", "tester", "iperf3", "y1564", "manual")
CONNECTIONS = ("wired", "wifi")
LATENCY_KINDS = ("min", "median")
MAX_MBPS = 100_000  # 100 Gbit/s: anything above is a typing slip, not a rural link
MAX_TESTER_RUNS = 100  # runs one tester result may say it summarises


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


def runs_of(test, speed=None):
    """The (down, up) runs inside one speed_test record.

    A browser test carries its runs in raw["runs"]; a tester entry is one run of its own, or
    as many as it says it summarises (`runs`) when the profile's speed rules count those
    (`count_tester_runs`; absent, as in profiles made before it, it does not).
    """
    raw = test.get("raw")
    if isinstance(raw, str):
        raw = json.loads(raw or "null")
    runs = raw.get("runs") if isinstance(raw, dict) else None
    # Rows stored before raw's runs were validated may hold anything: only objects count.
    runs = [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else None
    if runs:
        return [(_mbps(r.get("down_mbps")), _mbps(r.get("up_mbps"))) for r in runs]
    counted = test.get("runs") if (speed or {}).get("count_tester_runs") else None
    return [(test.get("down_mbps"), test.get("up_mbps"))] * (counted or 1)


def _mbps(value):
    """A stored run's rate if it is a finite number, else None (not counted in the median)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    return value if ok else None


def verdict(rules, institution, speed_tests):
    """Whether the measured speed meets the contract, and why (a plain dict, rules recorded).

    Pass: the median of at least rules["speed"]["min_runs"] runs is at least
    fraction_of_contract x the contracted rate, downstream and upstream. When the profile
    requires a wired connection, Wi-Fi runs are not counted (they measure the Wi-Fi).
    Runs from every current record are pooled. Reasons are codes the caller translates.
    """
    speed = rules["speed"]
    down_req, up_req = profiles.required_mbps(rules, institution)
    return evaluate(speed, {"down": down_req, "up": up_req}, speed_tests)


def evaluate(speed, required, speed_tests):
    """verdict() once the required rates are known (the phone gets them from the pull)."""
    need_wired = speed.get("required_connection") == "wired"
    tests = current.of(speed_tests)
    counted = [t for t in tests if not need_wired or t.get("connection") == "wired"]
    runs = [run for t in counted for run in runs_of(t, speed)]
    result = {
        "passed": False,
        "runs": len(runs),
        "min_runs": speed["min_runs"],
        "fraction": speed["fraction_of_contract"],
        "connection": speed.get("required_connection"),
        "ignored_records": len(tests) - len(counted),
        "reasons": [],
    }
    for index, direction in enumerate(("down", "up")):
        value = median([run[index] for run in runs])
        threshold = required[direction] * speed["fraction_of_contract"]
        passed = value is not None and value >= threshold
        result[direction] = {"median_mbps": value, "required_mbps": required[direction],
                             "threshold_mbps": threshold, "passed": passed}
        if value is not None and not passed:
            result["reasons"].append({"code": f"{direction}_too_slow", "value": value,
                                      "threshold": threshold})
    if result["ignored_records"]:
        result["reasons"].append({"code": "wifi_not_counted", "count": result["ignored_records"]})
    if len(runs) < speed["min_runs"]:
        result["reasons"].append({"code": "too_few_runs", "count": len(runs), "need": speed["min_runs"]})
    result["passed"] = (len(runs) >= speed["min_runs"] and result["down"]["passed"]
                        and result["up"]["passed"])
    return result


def _number_problem(data, field, required, low=0, high=MAX_MBPS):
    value = data.get(field)
    if value is None or value == "":
        return "required" if required else None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not_a_number"
    if isinstance(value, int) and abs(value) > 2**63:  # 10**400 would overflow math.isfinite
        return "out_of_range"
    if not math.isfinite(value):
        return "not_a_number"
    if not low <= value <= high:
        return "out_of_range"
    return None


def validate_speed_test(data):
    """Problems with a speed_test record's data, as [{"field", "code", "message"}]; [] if none.

    The HTML form and the sync API both call this. A result typed from a dedicated tester is
    only evidence with a photo of the tester's screen, so it is refused without one.
    """
    problems = []

    def problem(field, code, message):
        problems.append({"field": field, "code": code, "message": message})

    method = data.get("method")
    if method not in METHODS:
        problem("method", "unknown_method", f"method must be one of {', '.join(METHODS)}")
    if data.get("connection") not in CONNECTIONS:
        problem("connection", "unknown_connection", "connection must be wired or wifi")
    limits = {"down_mbps": (True, MAX_MBPS), "up_mbps": (True, MAX_MBPS), "latency_ms": (False, 60_000),
              "jitter_ms": (False, 60_000), "loss_pct": (False, 100), "duration_s": (False, 86_400)}
    for field, (required, high) in limits.items():
        code = _number_problem(data, field, required, high=high)
        if code:
            problem(field, code, f"{field} must be a number from 0 to {high}")
    if data.get("latency_ms") is not None and data.get("latency_kind") not in LATENCY_KINDS:
        problem("latency_kind", "unknown_latency_kind", "latency_kind must be min or median")
    if method == "browser" and data.get("loss_pct") is not None:
        problem("loss_pct", "not_measurable", "a browser test cannot measure loss; send null")
    runs = data.get("runs")
    if runs is not None and (method == "browser" or isinstance(runs, bool) or not isinstance(runs, int)
                             or not 1 <= runs <= MAX_TESTER_RUNS):
        # A browser test's runs are its raw runs; a tester's summary names 1 to 100 of them.
        problem("runs", "bad_field", f"runs must be a whole number from 1 to {MAX_TESTER_RUNS}")
    if method in METHODS and method != "browser":
        if not str(data.get("screen_photo_id") or "").strip():
            problem("screen_photo_id", "screen_photo_required", "a photo of the tester's screen is required")
        if not str(data.get("device_model") or "").strip():
            problem("device_model", "device_model_required", "the tester's model is required")
    return problems
