"""The speed-test arithmetic, verdict and record validation (fieldapp/speed.py), with a fake clock."""

import json

import pytest

from fieldapp import profiles
from fieldapp import speed

RULES = profiles.DEFAULT_RULES


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, t=1000.0):
        self.t = t

    def __call__(self):
        return self.t


def test_mbps_is_bytes_times_8_over_seconds_with_no_hidden_factor():
    assert speed.mbps(12_500_000, 1.0) == 100.0
    assert speed.mbps(1_000_000, 8.0) == 1.0
    assert speed.mbps(5, 0) == 0.0


def test_meter_discards_the_grace_period():
    clock = FakeClock()
    meter = speed.Meter(grace_s=1.0, clock=clock)
    clock.t += 0.5
    meter.add(50_000_000)  # slow-start burst inside the grace period: not counted
    clock.t += 0.5
    meter.add(1_250_000)  # first sample at the grace mark: the baseline
    for _ in range(4):
        clock.t += 0.5
        meter.add(6_250_000)  # 100 Mbps
    result = meter.result()
    assert result["bytes"] == 25_000_000
    assert result["seconds"] == pytest.approx(2.0)
    assert result["mbps"] == pytest.approx(100.0)


def test_meter_without_samples_after_grace_reads_zero():
    clock = FakeClock()
    meter = speed.Meter(grace_s=2.0, clock=clock)
    clock.t += 1.0
    meter.add(1000)
    assert meter.result() == {"bytes": 0, "seconds": 0.0, "mbps": 0.0}


@pytest.mark.parametrize(
    "values, expected",
    [([], None), ([5], 5), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([None, 7, None], 7)],
)
def test_median(values, expected):
    assert speed.median(values) == expected


def test_latency_min_median_and_jitter_as_mean_consecutive_difference():
    result = speed.latency([10.0, 14.0, 12.0, 30.0, 11.0])
    assert result["min_ms"] == 10.0
    assert result["median_ms"] == 12.0
    # |14-10| + |12-14| + |30-12| + |11-30| = 4 + 2 + 18 + 19 = 43 over 4 steps
    assert result["jitter_ms"] == pytest.approx(10.75)


def test_latency_of_one_ping_has_no_jitter_and_none_has_nothing():
    assert speed.latency([7.0])["jitter_ms"] is None
    assert speed.latency([]) == {"min_ms": None, "median_ms": None, "jitter_ms": None}


def test_combine_runs_takes_the_median_of_each_figure():
    runs = [{"down_mbps": 90, "up_mbps": 50, "latency_ms": 9, "jitter_ms": 1},
            {"down_mbps": 10, "up_mbps": 95, "latency_ms": 30, "jitter_ms": 5},
            {"down_mbps": 99, "up_mbps": 93, "latency_ms": 12, "jitter_ms": 2}]
    assert speed.combine_runs(runs) == {"down_mbps": 90, "up_mbps": 93, "latency_ms": 12, "jitter_ms": 2}


def browser_test(runs, connection="wired", **fields):
    raw = {"runs": [{"down_mbps": d, "up_mbps": u} for d, u in runs]}
    return {"id": fields.pop("id", "b1"), "method": "browser", "connection": connection,
            "down_mbps": runs[0][0], "up_mbps": runs[0][1], "raw": json.dumps(raw), **fields}


SCHOOL_300 = {"type": "school", "pupils": 300, "contracted_down_mbps": None, "contracted_up_mbps": None}
SCHOOL_900 = {"type": "school", "pupils": 900, "contracted_down_mbps": 30, "contracted_up_mbps": 30}


def test_verdict_passes_at_90_percent_of_contract_median_of_three_wired_runs():
    tests = [browser_test([(95, 91), (89, 80), (120, 99)])]
    result = speed.verdict(RULES, {"type": "akimat"}, tests)
    assert result["passed"] is True
    assert result["runs"] == 3
    assert result["down"] == {"median_mbps": 95, "required_mbps": 100, "threshold_mbps": pytest.approx(90),
                              "passed": True}
    assert result["up"]["median_mbps"] == 91
    assert result["reasons"] == []


def test_verdict_fails_below_threshold_and_says_which_direction():
    result = speed.verdict(RULES, {"type": "akimat"}, [browser_test([(95, 80), (96, 85), (97, 89)])])
    assert result["passed"] is False
    assert result["down"]["passed"] is True
    assert [r["code"] for r in result["reasons"]] == ["up_too_slow"]


def test_school_requirement_is_max_of_20_and_pupils_over_20_unless_contract_says_more():
    # 300 pupils -> max(20, 15) = 20 down... but the default contract (100) is higher.
    assert speed.verdict(RULES, SCHOOL_300, [])["down"]["required_mbps"] == 100
    # 900 pupils -> ceil(900/20) = 45 beats a 30 Mbps contract
    result = speed.verdict(RULES, SCHOOL_900, [browser_test([(41, 41), (40.5, 40.5), (42, 42)])])
    assert result["down"]["required_mbps"] == 45
    assert result["down"]["threshold_mbps"] == pytest.approx(40.5)
    assert result["passed"] is True


def test_wifi_runs_are_not_counted_when_the_profile_requires_wired():
    tests = [browser_test([(100, 100)] * 3, connection="wifi")]
    result = speed.verdict(RULES, {"type": "akimat"}, tests)
    assert result["passed"] is False
    assert result["runs"] == 0
    assert {r["code"] for r in result["reasons"]} == {"wifi_not_counted", "too_few_runs"}
    relaxed = {**RULES, "speed": {**RULES["speed"], "required_connection": "any"}}
    assert speed.verdict(relaxed, {"type": "akimat"}, tests)["passed"] is True


def test_too_few_runs_fail_even_when_fast():
    tests = [{"id": "t1", "method": "tester", "connection": "wired", "down_mbps": 300, "up_mbps": 300}]
    result = speed.verdict(RULES, {"type": "akimat"}, tests)
    assert result["runs"] == 1
    assert result["passed"] is False
    assert result["reasons"] == [{"code": "too_few_runs", "count": 1, "need": 3}]


def test_runs_pool_across_records_and_replaced_records_drop_out():
    slow = {"id": "t1", "method": "tester", "connection": "wired", "down_mbps": 10, "up_mbps": 10}
    fixed = {"id": "t2", "method": "tester", "connection": "wired", "down_mbps": 99, "up_mbps": 99,
             "replaces": "t1"}
    others = [{"id": f"t{n}", "method": "iperf3", "connection": "wired", "down_mbps": 95, "up_mbps": 95}
              for n in (3, 4)]
    result = speed.verdict(RULES, {"type": "akimat"}, [slow, fixed, *others])
    assert result["runs"] == 3
    assert result["down"]["median_mbps"] == 95
    assert result["passed"] is True


def test_min_runs_and_fraction_come_from_the_profile():
    strict = {**RULES, "speed": {**RULES["speed"], "min_runs": 5, "fraction_of_contract": 1.0}}
    result = speed.verdict(strict, {"type": "akimat"}, [browser_test([(95, 95)] * 5)])
    assert result["min_runs"] == 5
    assert result["down"]["threshold_mbps"] == 100
    assert result["passed"] is False


BROWSER = {"method": "browser", "connection": "wired", "down_mbps": 94.1, "up_mbps": 91.2,
           "latency_ms": 12.0, "latency_kind": "median", "jitter_ms": 1.1, "loss_pct": None}
TESTER = {"method": "tester", "connection": "wired", "down_mbps": 98, "up_mbps": 97,
          "device_model": "EXFO EX1", "device_serial": "123", "screen_photo_id": "3f0c-photo"}


def test_valid_records_have_no_problems():
    assert speed.validate_speed_test(BROWSER) == []
    assert speed.validate_speed_test(TESTER) == []


@pytest.mark.parametrize(
    "base, changes, field, code",
    [
        (TESTER, {"screen_photo_id": None}, "screen_photo_id", "screen_photo_required"),
        (TESTER, {"screen_photo_id": "  "}, "screen_photo_id", "screen_photo_required"),
        ({**TESTER, "method": "iperf3"}, {"screen_photo_id": ""}, "screen_photo_id", "screen_photo_required"),
        (TESTER, {"device_model": ""}, "device_model", "device_model_required"),
        (BROWSER, {"method": "guess"}, "method", "unknown_method"),
        (BROWSER, {"connection": "4g"}, "connection", "unknown_connection"),
        (BROWSER, {"down_mbps": None}, "down_mbps", "required"),
        (BROWSER, {"up_mbps": "fast"}, "up_mbps", "not_a_number"),
        (BROWSER, {"down_mbps": -1}, "down_mbps", "out_of_range"),
        (BROWSER, {"down_mbps": float("nan")}, "down_mbps", "not_a_number"),
        (BROWSER, {"down_mbps": True}, "down_mbps", "not_a_number"),
        (BROWSER, {"latency_kind": "mean"}, "latency_kind", "unknown_latency_kind"),
        (BROWSER, {"loss_pct": 0.5}, "loss_pct", "not_measurable"),
        (TESTER, {"loss_pct": 101}, "loss_pct", "out_of_range"),
        (TESTER, {"runs": 0}, "runs", "bad_field"),
        (TESTER, {"runs": 101}, "runs", "bad_field"),
        (TESTER, {"runs": 2.5}, "runs", "bad_field"),
        (TESTER, {"runs": "3"}, "runs", "bad_field"),
        (TESTER, {"runs": True}, "runs", "bad_field"),
        (BROWSER, {"runs": 3}, "runs", "bad_field"),  # a browser test's runs are its raw runs
    ],
)
def test_validation_table(base, changes, field, code):
    problems = speed.validate_speed_test({**base, **changes})
    assert {"field": field, "code": code} in [{"field": p["field"], "code": p["code"]} for p in problems]
    assert all(p["message"] for p in problems)


def test_a_tester_result_counts_the_runs_it_summarises_where_the_profile_says_so():
    summary = {**TESTER, "id": "s", "down_mbps": 95.0, "up_mbps": 95.0, "runs": 3}
    assert speed.validate_speed_test(summary) == []
    assert speed.verdict(RULES, {"type": "akimat"}, [summary])["passed"] is True
    strict = {**RULES, "speed": {**RULES["speed"], "count_tester_runs": False}}
    result = speed.verdict(strict, {"type": "akimat"}, [summary])
    assert (result["passed"], result["runs"]) == (False, 1)
    older = {**RULES, "speed": {k: v for k, v in RULES["speed"].items() if k != "count_tester_runs"}}
    assert speed.verdict(older, {"type": "akimat"}, [summary])["runs"] == 1  # profiles made before
