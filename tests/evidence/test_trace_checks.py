"""OTDR checks, each passing and failing, on traces made by the writer and sent through the upload."""

import json
from dataclasses import replace

import pytest

from fieldapp import decisions
from fieldapp import profiles
from fieldapp import sor_writer as w
from fieldapp import store
from fieldapp.evidence import checks
from fieldapp.evidence import trace_checks
from tests import trace_evidence as te
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import splice


@pytest.fixture
def tech(make):
    return make.user("technician")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


def run(db, inst, rule=None):
    found = [c for c in checks.run_all(db, inst)["checks"] if c["rule"].startswith("trace.")]
    return [c for c in found if c["rule"] == rule] if rule else found


def verdicts(db, inst, rule):
    return [c["verdict"] for c in run(db, inst, rule)]


def store_both(ev, tech, inst, ab, ba, fiber=1, mark=te.SPLICE_M, ba_mark=None):
    return (te.store(ev, tech, inst, w.write(ab), fiber, "ab", mark),
            te.store(ev, tech, inst, w.write(ba), fiber, "ba", ba_mark))


def test_a_fiber_traced_as_the_contract_asks_passes_every_check(db, ev, tech, inst):
    ev.batch(tech, splice(inst, slot=1))
    te.store_fiber(ev, tech, inst, 1)
    found = run(db, inst)
    assert [c for c in found if c["verdict"] != "pass"] == []
    assert {c["rule"] for c in found} == {
        "trace.pulse_width", "trace.averaging", "trace.ior", "trace.date", "trace.launch",
        "trace.reflectance", "trace.copied", "trace.coverage", "trace.pair", "trace.splice_loss",
        "trace.typed", "trace.link_budget"}
    loss = {c["wavelength_nm"]: c["value"] for c in found if c["rule"] == "trace.splice_loss"}
    assert loss == {1310: 0.06, 1550: 0.05}  # (A->B + B->A) / 2 of the marked event


@pytest.mark.parametrize("settings, rule, value", [
    ({"pulse_width_ns": 275}, "trace.pulse_width", 275),
    ({"averages": 2000}, "trace.averaging", 2000),
    ({"averages": 0, "averaging_s": 5.0}, "trace.averaging", 5.0),
    ({"ior": 1.5}, "trace.ior", 1.5),
])
def test_settings_outside_the_contracts_method_fail(db, ev, tech, inst, settings, rule, value):
    te.store_pair(ev, tech, inst, 1, 1310, **settings)
    found = run(db, inst, rule)
    assert [(c["value"], c["verdict"]) for c in found] == [(value, "fail")] * 2


def test_an_averaging_time_long_enough_passes_when_the_file_gives_no_count(db, ev, tech, inst):
    te.store_pair(ev, tech, inst, 1, 1310, averages=0, averaging_s=20.0)
    assert [(c["value"], c["threshold"], c["verdict"]) for c in run(db, inst, "trace.averaging")] == \
        [(20.0, 15, "pass")] * 2


def test_a_short_launch_fiber_fails(db, ev, tech, inst):
    events = w.link_events(te.LENGTH, [(te.SPLICE_M, 0.05)], launch_m=120.0)
    ab, ba = w.pair(te.LENGTH, events, acquired_at=te.acquired())
    store_both(ev, tech, inst, ab, ba)
    assert [(c["value"], c["verdict"]) for c in run(db, inst, "trace.launch")] == \
        [(pytest.approx(120, abs=0.1), "fail")] * 2


def test_a_trace_acquired_before_the_visit_window_fails(db, ev, tech, inst):
    te.store_pair(ev, tech, inst, 1, 1310, acquired_at=te.acquired(days_ago=40))
    assert verdicts(db, inst, "trace.date") == ["fail", "fail"]


def test_a_bad_checksum_warns_and_a_missing_event_table_asks_for_reanalysis(db, ev, tech, inst):
    ab, ba = te.fiber_pair(1, 1310)
    te.store(ev, tech, inst, w.bad_checksum(ab), 1, "ab", te.SPLICE_M)
    te.store(ev, tech, inst, w.without_key_events(ba), 1, "ba")
    assert verdicts(db, inst, "trace.checksum") == ["warn"]
    [missing] = run(db, inst, "trace.key_events")
    assert missing["verdict"] == "fail" and "re-analyse" in missing["detail"]
    assert verdicts(db, inst, "trace.link_budget") == ["warn"]


def test_connector_reflectance_over_the_limit_fails(db, ev, tech, inst):
    events = w.link_events(te.LENGTH, [(te.SPLICE_M, 0.05)], reflectance_db=-30.0)
    store_both(ev, tech, inst, *w.pair(te.LENGTH, events, acquired_at=te.acquired()))
    assert [(c["value"], c["verdict"]) for c in run(db, inst, "trace.reflectance")] == [(-30.0, "fail")] * 2


def test_a_missing_direction_or_wavelength_says_what_is_needed(db, ev, tech, inst):
    ab, _ = te.fiber_pair(1, 1310)
    te.store(ev, tech, inst, w.write(ab), 1, "ab", te.SPLICE_M)
    [coverage] = run(db, inst, "trace.coverage")
    assert coverage["verdict"] == "fail"
    assert coverage["value"] == "1310 nm B→A, 1550 nm A→B, 1550 nm B→A"
    assert "still needed: 1310 nm B→A" in coverage["detail"]


def test_a_pair_needs_the_same_pulse_width(db, ev, tech, inst):
    ev.batch(tech, splice(inst, slot=1))
    ab, ba = te.fiber_pair(1, 1310)
    store_both(ev, tech, inst, ab, replace(ba, pulse_width_ns=100))
    [pair] = run(db, inst, "trace.pair")
    assert (pair["verdict"], pair["value"]) == ("fail", "30 / 100 ns")
    assert run(db, inst, "trace.splice_loss") == [] and run(db, inst, "trace.link_budget") == []


def test_an_index_mismatch_between_directions_warns(db, ev, tech, inst):
    ab, ba = te.fiber_pair(1, 1310)
    store_both(ev, tech, inst, ab, replace(ba, ior=1.4690))
    [pair] = run(db, inst, "trace.pair")
    assert (pair["verdict"], pair["value"]) == ("warn", 0.0013)


@pytest.mark.parametrize("losses, verdict, average", [
    ((0.25, 0.35), "fail", 0.3),   # over target, first attempt: re-splice
    ((-0.05, 0.15), "pass", 0.05),  # a gainer one way: the average judges, never one direction
    ((0.5, 0.5), "fail", 0.5),
])
def test_each_splice_is_judged_on_its_bidirectional_event_loss(db, ev, tech, inst, losses, verdict, average):
    ev.batch(tech, splice(inst, slot=1, losses=(None, None, None, None)))
    te.store_pair(ev, tech, inst, 1, 1310, losses=losses)
    [loss] = run(db, inst, "trace.splice_loss")
    assert (loss["value"], loss["verdict"], loss["item"]["kind"]) == (average, verdict, "splice")


def test_a_typed_loss_that_differs_from_its_trace_is_flagged(db, ev, tech, inst):
    ev.batch(tech, splice(inst, slot=1, losses=(0.05, 0.70, None, None)))  # 0.07 typed as 0.70
    te.store_pair(ev, tech, inst, 1, 1310)
    typed = run(db, inst, "trace.typed")
    assert [(c["value"], c["verdict"]) for c in typed] == [(0.0, "pass"), (0.63, "warn")]
    assert "typed 0.7, trace 0.07" in typed[1]["detail"]


def test_the_splice_mark_on_the_b_end_is_read_at_length_minus_d(db, ev, tech, inst):
    ev.batch(tech, splice(inst, slot=1))
    ab, ba = te.fiber_pair(1, 1310)
    store_both(ev, tech, inst, ab, ba, mark=None, ba_mark=te.LENGTH - te.SPLICE_M)
    assert [c["value"] for c in run(db, inst, "trace.splice_loss")] == [0.06]


@pytest.mark.parametrize("mark, code", [(None, "splice_event_missing"), (3100.0, "splice_event_not_found")])
def test_an_unmarked_or_unmatched_splice_event_warns(db, ev, tech, inst, mark, code):
    ev.batch(tech, splice(inst, slot=1))
    ab, ba = te.fiber_pair(1, 1310)
    store_both(ev, tech, inst, ab, ba, mark=mark)
    [event] = run(db, inst, "trace.splice_event")
    assert (event["verdict"], event["detail_code"]) == ("warn", code)


def test_events_match_within_the_tolerance_at_length_minus_d():
    ab = {"events": [{"index": 1, "distance_m": 3000.0, "splice_loss_db": 0.1, "type": "non-reflective"}]}
    ba = {"length_m": 12000.0, "events": [
        {"index": 1, "distance_m": 8985.0, "splice_loss_db": 0.2, "type": "non-reflective"},
        {"index": 2, "distance_m": 12000.0, "splice_loss_db": 0.0, "type": "end"}]}
    [row] = trace_checks.match_events(ab, ba, 20)
    assert (row["ba"]["index"], row["loss_db"]) == (1, 0.15)
    [row] = trace_checks.match_events(ab, ba, 10)
    assert (row["ba"], row["loss_db"]) == (None, None)


def test_end_to_end_loss_over_the_link_budget_fails(db, ev, tech, inst):
    te.store_pair(ev, tech, inst, 1, 1310, attenuation_db_km=0.6)
    [budget] = run(db, inst, "trace.link_budget")
    # 0.35 dB/km x 12 km + 2 splices x 0.1 + 2 connectors x 0.75, against the mean of
    # 0.6 dB/km x 12 km + splices (0.05 A->B / 0.07 B->A, 0.03) + connectors 0.6
    assert (budget["threshold"], budget["verdict"]) == (5.9, "fail")
    assert budget["value"] == pytest.approx(7.89, abs=0.005)


def test_the_same_file_on_two_fibers_is_flagged_on_both(db, ev, tech, inst):
    ab, _ = te.fiber_pair(1, 1310)
    first = te.store(ev, tech, inst, w.write(ab), 1, "ab", te.SPLICE_M)
    second = te.store(ev, tech, inst, w.write(ab), 2, "ab", te.SPLICE_M)
    copied = {c["item"]["ref"]: c for c in run(db, inst, "trace.copied")}
    assert copied[first["id"]]["verdict"] == copied[second["id"]]["verdict"] == "fail"
    [match] = copied[first["id"]]["matches"]
    assert (match["id"], match["fiber"]) == (second["id"], "C1 1.2")
    assert match["same"] == ["file", "data points", "acquisition time"] and match["line"]


def test_the_same_points_or_acquisition_time_at_another_installation_is_flagged(db, ev, make, tech, inst):
    other = make.installation([tech])
    ab, _ = te.fiber_pair(1, 1310)
    te.store(ev, tech, inst, w.write(ab), 1, "ab")
    same_points, same_time = replace(ab, acquired_at=te.acquired(days_ago=2)), replace(ab, seed=777)
    te.store(ev, tech, other, w.write(same_points), 1, "ab")
    te.store(ev, tech, other, w.write(same_time), 3, "ab")
    [copied] = run(db, inst, "trace.copied")
    assert copied["verdict"] == "fail" and copied["value"] == 2
    assert sorted(tuple(m["same"]) for m in copied["matches"]) == [("acquisition time",), ("data points",)]
    assert {m["installation_id"] for m in copied["matches"]} == {other}


def test_one_acquisition_at_two_wavelengths_of_one_fiber_is_no_copy(db, ev, tech, inst):
    moment = te.acquired()
    te.store_pair(ev, tech, inst, 1, 1310, acquired_at=moment)
    te.store_pair(ev, tech, inst, 1, 1550, acquired_at=moment)
    assert set(verdicts(db, inst, "trace.copied")) == {"pass"}


def test_a_profile_version_without_otdr_rules_shows_traces_unjudged(db, ev, tech, inst):
    rules = {k: v for k, v in profiles.DEFAULT_RULES.items() if k != "otdr"}
    with store.write(db):
        db.execute("UPDATE acceptance_profiles SET rules = ?", [json.dumps(rules)])
    te.store_pair(ev, tech, inst, 1, 1310)
    assert [(c["rule"], c["verdict"]) for c in run(db, inst)] == [("trace.profile", "warn")]


def test_a_review_snapshot_records_the_trace_checks_and_their_thresholds(db, ev, make, tech, inst):
    te.store_pair(ev, tech, inst, 1, 1310, pulse_width_ns=275)
    ev.batch(tech, record("submission", inst, comment=""))
    boss = make.user("supervisor", regions=["KZ-31"])
    ab = db.execute("SELECT id FROM traces WHERE direction = 'ab'").fetchone()[0]
    decisions.return_items(db, inst, boss["id"], [{"kind": "trace", "ref": ab, "reason": "pulse too wide"}])
    snapshot = json.loads(db.execute("SELECT checks FROM reviews").fetchone()[0])
    pulse = [c for c in snapshot["checks"] if c["rule"] == "trace.pulse_width"]
    assert {(c["value"], c["threshold"], c["verdict"]) for c in pulse} == {(275, 100, "fail")}
    assert snapshot["profile_version"] == 1


def test_each_wavelengths_pair_uses_its_own_mark(db, ev, tech, inst):
    """A 1550 pair whose splice sits elsewhere along its trace is judged at its own mark."""
    ev.batch(tech, splice(inst, slot=1))
    te.store_pair(ev, tech, inst, 1, 1310)
    events = w.link_events(te.LENGTH, [(4000.0, 0.04), (7000.0, 0.03)])
    ab, ba = w.pair(te.LENGTH, events, gain={4000.0: 0.02}, wavelength_nm=1550, acquired_at=te.acquired(),
                    seed=5)
    store_both(ev, tech, inst, ab, ba, mark=4000.0)
    assert sorted(c["value"] for c in run(db, inst, "trace.splice_loss")) == [0.05, 0.06]


def test_a_backscatter_mismatch_between_directions_warns(db, ev, tech, inst):
    ab, ba = te.fiber_pair(1, 1310)
    store_both(ev, tech, inst, ab, replace(ba, backscatter_db=-79.5))
    [pair] = run(db, inst, "trace.pair")
    assert (pair["verdict"], pair["value"], pair["detail_code"]) == ("warn", 1.5, "backscatter_mismatch")
