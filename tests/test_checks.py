"""Automatic checks: each with passing and failing evidence made through the real pipelines."""

import random

import pytest

from fieldapp import profiles
from fieldapp import store
from fieldapp.evidence import checks
from fieldapp.evidence import photo as photo_kind
from fieldapp.evidence import photo_reuse
from fieldapp.evidence import splice as splice_kind
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import near
from tests.review_evidence import record
from tests.review_evidence import speed
from tests.review_evidence import splice

RULES = profiles.DEFAULT_RULES


@pytest.fixture
def tech(make):
    return make.user("technician")


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


def by_rule(result, rule, ref=None):
    return [c for c in result["checks"] if c["rule"] == rule and (ref is None or c["item"]["ref"] == ref)]


def test_complete_evidence_passes_every_check(db, ev, tech, inst):
    ev.complete(tech, inst)
    result = checks.run_all(db, inst)
    assert result["summary"] == {"pass": len(result["checks"]), "warn": 0, "fail": 0, "verdict": "pass"}
    assert result["profile_id"] == 1 and result["profile_version"] == 1
    rules = {c["rule"] for c in result["checks"]}
    assert {
        "photos.required_shot",
        "photo.gps",
        "photo.time",
        "photo.reuse",
        "photo.dark",
        "photo.blur",
        "scan.tag",
        "splice.loss",
        "splice.bend",
        "splice.link_mean_1310",
        "speed.runs",
        "speed.down",
        "speed.up",
    } <= rules
    for c in result["checks"]:
        assert set(c) >= {"rule", "value", "threshold", "verdict", "detail"}


def test_missing_shot_fails_and_names_the_shot(db, ev, tech, inst):
    ev.photo(tech, inst, "cable_entry", jpeg(1))
    result = checks.run_all(db, inst)
    shots = {c["item"]["ref"]: c["verdict"] for c in by_rule(result, "photos.required_shot")}
    assert shots["cable_entry"] == "pass"
    assert shots["signed_form"] == "fail"
    assert result["summary"]["verdict"] == "fail"


@pytest.mark.parametrize("metres, verdict", [(0, "pass"), (450, "pass"), (600, "fail"), (2000, "fail")])
def test_photo_gps_within_radius_of_institution(db, ev, tech, inst, metres, verdict):
    photo = ev.photo(tech, inst, "cable_entry", jpeg(2, gps=near(metres)))
    (check,) = by_rule(checks.run_all(db, inst), "photo.gps", photo["id"])
    assert check["verdict"] == verdict
    assert check["value"] == pytest.approx(metres, abs=2)
    assert check["threshold"] == RULES["photos"]["gps_radius_m"]


def test_photo_without_gps_is_a_warning(db, ev, tech, inst):
    photo = ev.photo(tech, inst, "cable_entry", jpeg(3, gps=None))
    (check,) = by_rule(checks.run_all(db, inst), "photo.gps", photo["id"])
    assert check["verdict"] == "warn" and check["value"] is None


@pytest.mark.parametrize(
    "days_ago, verdict",
    [(1, "pass"), (13, "pass"), (20, "fail"), (400, "fail"), (-3, "fail"), (None, "warn")],
)
def test_capture_time_inside_visit_window(db, ev, tech, inst, days_ago, verdict):
    photo = ev.photo(tech, inst, "cable_entry", jpeg(4, days_ago=days_ago))
    ev.batch(tech, record("submission", inst, comment=""))
    (check,) = by_rule(checks.run_all(db, inst), "photo.time", photo["id"])
    assert check["verdict"] == verdict


def test_visit_window_ends_at_submission():
    start, end = photo_kind.visit_window(RULES["photos"], "2026-03-15T10:00:00Z")
    assert end.isoformat() == "2026-03-15T10:00:00+00:00"
    assert (end - start).days == RULES["photos"]["visit_window_days"]


def test_photo_reused_across_two_institutions_fails_on_both(db, make, ev, tech, inst):
    other = make.installation([tech], lat=43.5, lon=72.0)
    same = jpeg(5)
    first = ev.photo(tech, inst, "ont_serial", same)
    second = ev.photo(tech, other, "ont_serial", same)
    fresh = ev.photo(tech, inst, "power", jpeg(6))
    (on_other,) = by_rule(checks.run_all(db, other), "photo.reuse", second["id"])
    assert on_other["verdict"] == "fail" and on_other["value"] == 0
    assert [m["id"] for m in on_other["matches"]] == [first["id"]]
    result = checks.run_all(db, inst)
    assert by_rule(result, "photo.reuse", first["id"])[0]["verdict"] == "fail"
    assert by_rule(result, "photo.reuse", fresh["id"])[0]["verdict"] == "pass"


def test_same_photo_twice_at_one_institution_is_not_reuse(db, ev, tech, inst):
    same = jpeg(7)
    a = ev.photo(tech, inst, "closure_open", same)
    ev.photo(tech, inst, "splice_tray", same)
    assert by_rule(checks.run_all(db, inst), "photo.reuse", a["id"])[0]["verdict"] == "pass"


@pytest.mark.parametrize(
    "kind, rule, verdict",
    [
        ("dark", "photo.dark", "fail"),
        ("flat", "photo.blur", "warn"),
        ("noise", "photo.dark", "pass"),
        ("noise", "photo.blur", "pass"),
    ],
)
def test_dark_and_blurred_photos(db, ev, tech, inst, kind, rule, verdict):
    photo = ev.photo(tech, inst, "power", jpeg(8, kind=kind))
    (check,) = by_rule(checks.run_all(db, inst), rule, photo["id"])
    assert check["verdict"] == verdict


@pytest.mark.parametrize(
    "brightness_delta, sharpness_delta, dark, blur",
    [
        (0.0, 0.0, "fail", "pass"),  # exactly at both thresholds
        (0.1, -0.1, "pass", "warn"),
        (170.0, 1500.0, "pass", "pass"),
    ],
)
def test_quality_thresholds_come_from_the_profile(brightness_delta, sharpness_delta, dark, blur):
    rules = RULES["photos"]
    photo = {
        "id": "p",
        "shot": "power",
        "brightness": rules["dark_max_brightness"] + brightness_delta,
        "sharpness": rules["blur_min_sharpness"] + sharpness_delta,
    }
    found = {c["rule"]: c["verdict"] for c in photo_kind.quality_checks(RULES["photos"], photo)}
    assert found == {"photo.dark": dark, "photo.blur": blur}


def test_tag_scan_at_the_site(db, ev, tech, inst):
    assert by_rule(checks.run_all(db, inst), "scan.tag")[0]["verdict"] == "fail"
    ev.batch(tech, ev.scan(inst))
    assert by_rule(checks.run_all(db, inst), "scan.tag")[0]["verdict"] == "pass"


def test_scan_of_another_sites_tag_does_not_count(db, make, ev, tech, inst):
    other = make.installation([tech])
    wrong = ev.scan(other)
    wrong["installation_id"] = inst
    ev.batch(tech, wrong)
    assert by_rule(checks.run_all(db, inst), "scan.tag")[0]["verdict"] == "fail"


SPLICES = [
    # 1310 ab, ba, 1550 ab, ba, attempt, expected splice.loss verdict
    ((0.05, 0.07, 0.04, 0.06), 1, "pass"),
    ((0.10, 0.10, 0.09, 0.11), 1, "pass"),
    ((0.15, 0.17, 0.14, 0.16), 1, "fail"),
    ((0.15, 0.17, 0.14, 0.16), 3, "warn"),
    ((0.25, 0.27, 0.24, 0.26), 3, "fail"),
    ((0.35, 0.37, 0.34, 0.36), 5, "fail"),
    ((-0.10, 0.30, -0.08, 0.28), 1, "pass"),  # a gainer one way: the average is what counts
]


@pytest.mark.parametrize("losses, attempt, verdict", SPLICES)
def test_splice_loss_uses_the_bidirectional_average(losses, attempt, verdict):
    row = splice(1, attempt=attempt, losses=losses)["data"] | {"id": "s1", "attempt": attempt}
    found = {c["rule"]: c for c in splice_kind.one_splice_checks(RULES["splice"], row)}
    assert found["splice.loss"]["verdict"] == verdict
    assert found["splice.loss"]["threshold"] == RULES["splice"]["target_db"]


def test_one_direction_only_warns_and_never_fails():
    row = splice(1, losses=(0.9, None, 1.2, None))["data"] | {"id": "s1"}
    found = splice_kind.one_splice_checks(RULES["splice"], row)
    assert [(c["rule"], c["verdict"]) for c in found] == [("splice.one_direction", "warn")]


def test_bend_flag_when_1550_exceeds_1310():
    row = splice(1, losses=(0.05, 0.05, 0.7, 0.7))["data"] | {"id": "s1"}
    found = {c["rule"]: c for c in splice_kind.one_splice_checks(RULES["splice"], row)}
    assert found["splice.bend"]["verdict"] == "warn"
    assert found["splice.bend"]["value"] == pytest.approx(0.65)


def test_link_mean_and_splices_through_the_pipeline(db, ev, tech, inst):
    good = splice(inst, losses=(0.05, 0.05, 0.05, 0.05))
    bad = splice(inst, slot=2, attempt=3, losses=(0.18, 0.18, 0.18, 0.18))
    ev.batch(tech, good, bad)
    result = checks.run_all(db, inst)
    assert by_rule(result, "splice.loss", good["id"])[0]["verdict"] == "pass"
    assert by_rule(result, "splice.loss", bad["id"])[0]["verdict"] == "warn"
    (mean,) = by_rule(result, "splice.link_mean_1310")
    assert mean["value"] == pytest.approx(0.115) and mean["verdict"] == "fail"
    fixed = splice(inst, slot=2, losses=(0.06, 0.06, 0.06, 0.06), replaces=bad["id"])
    ev.batch(tech, fixed)
    result = checks.run_all(db, inst)
    assert not by_rule(result, "splice.loss", bad["id"])
    assert by_rule(result, "splice.link_mean_1310")[0]["verdict"] == "pass"


@pytest.mark.parametrize(
    "kwargs, rule, verdict",
    [
        ({}, "speed.down", "pass"),
        ({"down": 50.0}, "speed.down", "fail"),
        ({"up": 80.0}, "speed.up", "fail"),
        ({"runs": 2}, "speed.runs", "fail"),
        ({"connection": "wifi"}, "speed.runs", "fail"),
    ],
)
def test_speed_median_against_contract(db, ev, tech, inst, kwargs, rule, verdict):
    ev.batch(tech, speed(inst, **kwargs))
    (check,) = by_rule(checks.run_all(db, inst), rule)
    assert check["verdict"] == verdict


def _insert_photos(db, inst, hashes):
    rows = [
        {
            "id": f"p{n}",
            "installation_id": inst,
            "author_id": 1,
            "device_time": "x",
            "received_at": "x",
            "content_hash": "x",
            "shot": "power",
            "size": 1,
            "sha256": "x",
            "status": "complete",
            "phash": h,
        }
        for n, h in enumerate(hashes)
    ]
    with store.write(db):
        db["photos"].insert_all(rows)


def test_reuse_index_finds_exactly_what_a_full_scan_finds(db, make, tech):
    inst = make.installation([tech])
    rng = random.Random(6)
    base = [rng.getrandbits(64) for _ in range(300)]
    near_copies = [b ^ sum(1 << bit for bit in rng.sample(range(64), rng.randint(0, 9))) for b in base[:100]]
    _insert_photos(db, inst, [f"{h:016x}" for h in base + near_copies])
    for query in base[:120]:
        text = f"{query:016x}"
        indexed = photo_reuse.reuse_candidates(db, text, 6)
        assert indexed == photo_reuse.reuse_brute_force(db, text, 6)
    assert any(len(photo_reuse.reuse_candidates(db, f"{q:016x}", 6)) > 1 for q in base[:100])


def test_segment_lookup_uses_the_expression_indexes(db):
    plan = " ".join(
        row[3]
        for row in db.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM photos WHERE substr(phash, 5, 4) IN ('abcd', '0000')"
        )
    )
    assert "photos_phash_s1" in plan


def screen_result(inst, screen_photo_id):
    return record("speed_test", inst, method="tester", connection="wired", down_mbps=95.0, up_mbps=94.0,
                  device_model="EXFO EX10", screen_photo_id=screen_photo_id)


@pytest.mark.parametrize("same_picture", [True, False])
def test_two_screen_results_on_one_screen_photo_are_flagged(db, ev, tech, inst, same_picture):
    first = ev.photo(tech, inst, "speed_test_screen", jpeg(seed=31))
    second = ev.photo(tech, inst, "speed_test_screen", jpeg(seed=31 if same_picture else 32))
    a, b = screen_result(inst, first["id"]), screen_result(inst, second["id"])
    ev.batch(tech, a, b)
    found = by_rule(checks.run_all(db, inst), "speed.screen_reused")
    if same_picture:
        (check,) = found  # the later of the two is flagged, naming the one it repeats
        assert check["verdict"] == "fail"
        assert {check["item"]["ref"], check["value"]} == {a["id"], b["id"]}
    else:
        assert found == []
