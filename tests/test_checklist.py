"""The checklist (fieldapp/checklist.py): one verdict for My sites on the server and the phone,
returned items not counted as had, and the warnings a submission was made past (issue 15)."""

import json

import pytest
from review_evidence import Evidence
from review_evidence import record
from review_evidence import speed
from review_evidence import splice

from fieldapp import checklist
from fieldapp import decisions
from fieldapp import installations
from fieldapp import profiles
from fieldapp import pull
from fieldapp import records


@pytest.fixture
def field(app, db, make):
    tech = make.user("technician", username="tech")
    return {"tech": tech, "evidence": Evidence(db, app.config), "make": make}


def summary_of(db, installation_id):
    """The checklist of the installation as its technician's phone pulls it."""
    row = pull.views(db, [installations.get(db, installation_id)])[installation_id]
    return checklist.summary(row, profiles.get(db, row["profile_id"])["rules"])


def test_a_slow_line_is_below_the_contract_on_the_server_list_too(field, db, auth):
    site = field["make"].installation([field["tech"]], type="akimat")
    field["evidence"].batch(field["tech"], speed(site, down=5.0, up=4.0))
    assert summary_of(db, site)["speed"] == "slow"
    auth.login("tech")
    page = auth.client.get("/tech/sites").get_data(as_text=True)
    assert "speed below the contract" in page
    assert "speed test done" not in page


def test_a_failing_splice_is_named_and_warned_about(field, db):
    site = field["make"].installation([field["tech"]], type="akimat")
    bad = splice(site, slot=2, losses=(0.68, 0.68, 0.66, 0.66))
    field["evidence"].batch(field["tech"], splice(site), bad, speed(site, runs=2))
    found = summary_of(db, site)
    assert found["failing_splices"] == [bad["id"]]
    assert found["speed"] == "more_runs"
    assert found["warnings"] == ["missing_shots", "failing_splices", "speed_not_passed", "tag_not_scanned",
                                 "no_ont", "no_handover"]


def test_a_returned_photo_is_not_counted_as_had(field, db, make, auth):
    site = field["make"].installation([field["tech"]], type="akimat")
    shots = field["evidence"].complete(field["tech"], site)
    need = summary_of(db, site)["photos_need"]
    assert summary_of(db, site)["photos_have"] == need
    reviewer = make.user("supervisor", username="boss", regions=("KZ-31",))
    decisions.return_items(db, site, reviewer["id"], [
        {"kind": "photo", "ref": shots["power"]["id"], "reason": "Blurred"},
        {"kind": "shot", "ref": "signed_form", "reason": "Unsigned"}])
    found = summary_of(db, site)
    assert found["photos_have"] == need - 2
    assert found["missing_shots"] == ["power", "signed_form"]
    assert found["returned"] == 2
    auth.login("tech")
    page = auth.client.get("/tech/sites").get_data(as_text=True)
    assert "Returned: 2" in page
    assert f"{need - 2} of {need} photos" in page


def test_only_the_profiles_listed_warnings_block(db):
    rules = profiles.get(db, profiles.ensure_default(db))["rules"]
    assert checklist.blocking(rules) == []
    strict = {**rules, "submit": {"blocking": ["failing_splices", "nonsense"]}}
    assert checklist.blocking(strict) == ["failing_splices"]


def test_a_submission_keeps_the_warnings_it_was_made_past(field, db):
    site = field["make"].installation([field["tech"]], type="akimat")
    sent = record("submission", site, comment="", warnings=["speed_not_passed", "failing_splices"])
    field["evidence"].batch(field["tech"], sent)
    stored = db.execute("SELECT warnings FROM submissions").fetchone()[0]
    assert json.loads(stored) == ["failing_splices", "speed_not_passed"]


@pytest.mark.parametrize("warnings", [["no_such_warning"], "failing_splices", [3]])
def test_unknown_warnings_are_refused(field, db, app, warnings):
    site = field["make"].installation([field["tech"]], type="akimat")
    sent = record("submission", site, comment="", warnings=warnings)
    answer = records.store_batch(db, field["tech"], "k-" + sent["id"], [sent], app.config["TAG_KEYS"])
    assert answer["results"][0]["status"] == "rejected"
    assert answer["results"][0]["code"] in ("bad_choice", "bad_field")
