"""The review loop through the real pipelines: standard reasons and markup on a return, the
phone's pull, replies as synced records, reviewer messages and closing, shots added at review,
N/A approved or returned, the completion gate, and returns counted by reason."""

import json
import uuid

import pytest

from fieldapp import conversation
from fieldapp import decisions
from fieldapp import profiles
from fieldapp import pull
from fieldapp import records
from fieldapp import return_report
from fieldapp import store
from fieldapp.evidence import checks
from fieldapp.evidence import kinds
from fieldapp.evidence import reply as reply_kind
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import record
from tests.review_evidence import speed
from tests.review_evidence import splice

ARROW = [{"type": "arrow", "x1": 0.1, "y1": 0.1, "x2": 0.5, "y2": 0.4},
         {"type": "label", "x1": 0.5, "y1": 0.45, "x2": 0.5, "y2": 0.45, "text": "серийный номер"}]


@pytest.fixture
def people(make):
    return {"tech": make.user("technician", "tech"), "sup": make.user("supervisor", "sup", regions=["KZ-31"])}


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


def rev(db, inst):
    return store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [inst])


def status(db, inst):
    return store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst])


def submit_without(ev, db, tech, inst, missing):
    """Every required evidence except the photo of the `missing` shot, then a submission."""
    rules = profiles.get(db, 1)["rules"]
    shots = {}
    for n, shot in enumerate(profiles.required_shots(rules, "school")):
        if shot != missing:
            shots[shot] = ev.photo(tech, inst, shot, jpeg(200 + n))
    ev.equipment(tech, inst, f"HWTC{inst:08X}", seed=300 + inst)
    ev.handover(tech, inst)
    ev.batch(tech, ev.scan(inst), splice(inst), speed(inst), record("submission", inst, comment=""))
    return shots


def return_photo(client, db, inst, photo_id, code="serial_unreadable", text="", shapes=ARROW, **extra):
    form = {"rev": rev(db, inst), "items-0-kind": "photo", "items-0-ref": photo_id, "items-0-code": code,
            "items-0-reason": text, "items-0-markup": "" if shapes is None else json.dumps(shapes), **extra}
    return client.post(f"/review/{inst}/return", data=form)


def reply(inst, kind, ref, text, not_applicable=False):
    return record("reply", inst, item_kind=kind, item_ref=ref, text=text, not_applicable=not_applicable)


def test_a_standard_reason_and_markup_reach_the_phone(client, auth, db, make, ev, people):
    inst = make.installation([people["tech"]])
    shots = ev.complete(people["tech"], inst)
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert 'value="serial_unreadable"' in page and "Serial number not readable" in page
    assert return_photo(client, db, inst, shots["ont_serial"]["id"], text="see the arrow").status_code == 302
    auth.logout()
    auth.login("tech")
    answer = client.get("/api/v1/pull").get_json()
    item = answer["installations"][0]["returned_items"][0]
    assert item["reason_code"] == "serial_unreadable" and item["reason"] == "see the arrow"
    assert item["markup"][0] == {"type": "arrow", "x1": 0.1, "y1": 0.1, "x2": 0.5, "y2": 0.4}
    assert item["markup"][1]["text"] == "серийный номер"
    assert answer["labels"]["reasons"]["serial_unreadable"] == "Serial number not readable"


def test_one_tap_on_a_reason_returns_the_item_without_ticking_it(client, auth, db, make, ev, people):
    inst = make.installation([people["tech"]])
    shots = ev.complete(people["tech"], inst)
    auth.login("sup")
    response = return_photo(client, db, inst, shots["power"]["id"], code="blurred", shapes=None)
    assert response.status_code == 302
    row = store.one(db, "SELECT * FROM returned_items")
    assert (row["reason_code"], row["reason"], row["markup"]) == ("blurred", "", None)


@pytest.mark.parametrize("code, shapes", [
    ("no_such_reason", ARROW),
    ("loss_above_target", ARROW),  # a splice's reason is not a photo's
    ("blurred", [{"type": "arrow", "x1": 0.1, "y1": 0.1, "x2": 1.5, "y2": 0.4}]),
    ("blurred", [{"type": "star", "x1": 0.1, "y1": 0.1, "x2": 0.5, "y2": 0.4}]),
    ("blurred", [{"type": "label", "x1": 0.1, "y1": 0.1, "x2": 0.1, "y2": 0.1, "text": "x" * 61}]),
    ("blurred", [ARROW[0]] * 21),
    ("blurred", {"type": "arrow"}),
])
def test_bad_reason_or_markup_is_refused(client, auth, db, make, ev, people, code, shapes):
    inst = make.installation([people["tech"]])
    shots = ev.complete(people["tech"], inst)
    auth.login("sup")
    # Ticked and with a reason written: only the code or the drawing can refuse it.
    response = return_photo(client, db, inst, shots["power"]["id"], code=code, text="see", shapes=shapes,
                            **{"items-0-selected": "y"})
    assert response.status_code == 422
    assert status(db, inst) == "submitted"
    assert store.scalar(db, "SELECT COUNT(*) FROM returned_items") == 0


@pytest.mark.parametrize("text", ['[{"type": "arrow", "x1": NaN, "y1": 0, "x2": 0, "y2": 0}]',
                                  '[{"type": "arrow", "x1": 1e999, "y1": 0, "x2": 0, "y2": 0}]',
                                  "[[[[[[", "[" * 5000 + "]" * 5000])
def test_markup_with_numbers_that_are_not_coordinates_is_refused(client, auth, db, make, ev, people, text):
    inst = make.installation([people["tech"]])
    shots = ev.complete(people["tech"], inst)
    auth.login("sup")
    form = {"rev": rev(db, inst), "items-0-kind": "photo", "items-0-ref": shots["power"]["id"],
            "items-0-selected": "y", "items-0-reason": "see", "items-0-code": "blurred",
            "items-0-markup": text}
    assert client.post(f"/review/{inst}/return", data=form).status_code == 422
    assert store.scalar(db, "SELECT COUNT(*) FROM returned_items") == 0


def test_answer_instead_of_redoing_then_the_reviewer_closes(client, auth, db, app, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    shots = ev.complete(tech, inst)
    auth.login("sup")
    return_photo(client, db, inst, shots["cable_entry"]["id"], code="wrong_angle")
    answer = reply(inst, "photo", shots["cable_entry"]["id"], "Cannot retake: room locked until Monday")
    key = str(uuid.uuid4())
    first = records.store_batch(db, tech, key, [answer], app.config["TAG_KEYS"])
    again = records.store_batch(db, tech, key, [answer], app.config["TAG_KEYS"])
    resent = records.store_batch(db, tech, str(uuid.uuid4()), [answer], app.config["TAG_KEYS"])
    assert first == again and first["results"][0]["status"] == "stored"
    assert resent["results"][0]["status"] == "duplicate"
    assert store.scalar(db, "SELECT COUNT(*) FROM replies") == 1
    ev.batch(tech, record("submission", inst, comment="answered"))
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "room locked until Monday" in page and "answered" in page
    assert decisions.open_items(db, inst) == 1
    item = {"item_kind": "photo", "item_ref": shots["cable_entry"]["id"]}
    assert client.post(f"/review/{inst}/item", data={**item, "action": "message",
                                                      "text": "Fine, retake on Monday"}).status_code == 302
    thread = pull.pull(db, tech)["installations"][0]["conversation"][f"photo:{item['item_ref']}"]
    assert [(m["side"], m["text"]) for m in thread] == [
        ("field", "Cannot retake: room locked until Monday"), ("review", "Fine, retake on Monday")]
    assert pull.pull(db, tech)["installations"][0]["returned_items"]  # still open
    client.post(f"/review/{inst}/item", data={**item, "action": "close", "text": ""})
    assert decisions.open_items(db, inst) == 0
    row = store.one(db, "SELECT * FROM returned_items")
    assert row["resolution"] == "closed" and row["resolved_at"]
    assert pull.pull(db, tech)["installations"][0]["returned_items"] == []


def test_a_reply_about_an_unknown_kind_or_without_text_is_refused(db, app, make, people):
    inst = make.installation([people["tech"]])
    result = records.store_batch(db, people["tech"], str(uuid.uuid4()), [
        reply(inst, "sofa", "", "text"), reply(inst, "photo", "x", ""),
        reply(inst, "photo", "x", "text", not_applicable=True)], app.config["TAG_KEYS"])
    assert [r.get("code") for r in result["results"]] == ["bad_choice", "bad_field", "not_a_required_shot"]


def test_a_shot_added_at_review_reaches_the_phone_and_is_required(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    ev.complete(tech, inst)
    auth.login("sup")
    form = {"rev": rev(db, inst), "add_shot": "Photo of the second closure"}
    assert client.post(f"/review/{inst}/return", data=form).status_code == 302
    site = pull.pull(db, tech)["installations"][0]
    key = site["required_shots"][-1]
    assert key.startswith("added-") and site["added_shots"][key] == "Photo of the second closure"
    assert site["returned_items"][0]["item_kind"] == "shot" and site["returned_items"][0]["item_ref"] == key
    missing = [c for c in checks.run_all(db, inst)["checks"] if c["rule"] == "photos.required_shot"
               and c["verdict"] == "fail"]
    assert [c["item"]["ref"] for c in missing] == [key]
    ev.batch(tech, record("submission", inst, comment=""))
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "Missing photo: Photo of the second closure" in page
    elsewhere = make.installation([tech])
    with pytest.raises(Exception) as refused:  # the shot is this installation's only
        ev.photo(tech, elsewhere, key, jpeg(778))
    assert getattr(refused.value, "code", None) == "bad_choice"
    ev.photo(tech, inst, key, jpeg(777))
    assert pull.pull(db, tech)["installations"][0]["returned_items"] == []
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "<strong>Photo of the second closure</strong>" in page
    assert checks.run_all(db, inst)["summary"]["verdict"] == "pass"


def test_not_applicable_counts_once_the_reviewer_approves_it(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    submit_without(ev, db, tech, inst, "power")
    ev.batch(tech, reply(inst, "shot", "power", "Powered from the school's cabinet: no socket", True))
    shot = next(c for c in checks.run_all(db, inst)["checks"] if c["item"] and c["item"]["ref"] == "power")
    assert shot["verdict"] == "fail" and shot["detail_code"] == "na_pending"
    auth.login("sup")
    with pytest.raises(decisions.DecisionRefused):
        decisions.approve(db, inst, people["sup"]["id"])
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert 'value="approve_na"' in page and "N/A waiting for review" in page
    approve = {"item_kind": "shot", "item_ref": "power", "action": "approve_na"}
    client.post(f"/review/{inst}/item", data=approve)
    assert checks.run_all(db, inst)["summary"]["verdict"] == "pass"
    assert pull.pull(db, tech)["installations"][0]["not_applicable"] == {"power": "approved"}
    decisions.approve(db, inst, people["sup"]["id"])
    assert status(db, inst) == "approved"


def test_not_applicable_returned_keeps_the_shot_required(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    submit_without(ev, db, tech, inst, "power")
    ev.batch(tech, reply(inst, "shot", "power", "No socket here", True))
    auth.login("sup")
    form = {"rev": rev(db, inst), "items-0-kind": "shot", "items-0-ref": "power",
            "items-0-code": "not_applicable_refused", "items-0-reason": "The ONT has a power supply"}
    assert client.post(f"/review/{inst}/return", data=form).status_code == 302
    site = pull.pull(db, tech)["installations"][0]
    assert site["not_applicable"] == {"power": "returned"}
    assert site["returned_items"][0]["reason_code"] == "not_applicable_refused"
    assert checks.run_all(db, inst)["summary"]["verdict"] == "fail"
    response = client.post(f"/review/{inst}/item", data={"item_kind": "shot", "item_ref": "power",
                                                         "action": "approve_na"})
    assert response.status_code == 302  # the claim is still there: a reviewer may change their mind
    assert checks.run_all(db, inst)["summary"]["verdict"] == "pass"


def test_the_gate_refuses_sign_off_while_a_returned_item_is_open(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    shots = ev.complete(tech, inst)
    sup = people["sup"]["id"]
    decisions.return_items(db, inst, sup, [{"kind": "photo", "ref": shots["power"]["id"], "code": "blurred"}])
    ev.batch(tech, reply(inst, "photo", shots["power"]["id"], "It is sharp on my screen"),
             record("submission", inst, comment=""))
    with pytest.raises(decisions.DecisionRefused) as refused:
        decisions.approve(db, inst, sup)
    assert refused.value.code == "open_items"
    auth.login("sup")
    response = client.post(f"/review/{inst}/approve", data={"rev": rev(db, inst)})
    assert response.status_code == 422 and "Returned items are still open" in response.get_data(as_text=True)
    decisions.approve(db, inst, sup, override_reason="Checked on site by phone call")
    with pytest.raises(decisions.DecisionRefused):
        decisions.accept(db, inst, sup)  # still open: accepting needs its own override
    client.post(f"/review/{inst}/item", data={"item_kind": "photo", "item_ref": shots["power"]["id"],
                                              "action": "close", "text": "Agreed, it is sharp"})
    decisions.accept(db, inst, sup)
    assert status(db, inst) == "accepted"
    packet = client.get(f"/review/{inst}/packet").get_data(as_text=True)
    assert "It is sharp on my screen" in packet and "Agreed, it is sharp" in packet and "Blurred" in packet


def test_returns_are_counted_by_reason_crew_shot_and_month(client, auth, db, make, ev, people):
    tech, sup = people["tech"], people["sup"]["id"]
    first, second = make.installation([tech]), make.installation([tech])
    a, b = ev.complete(tech, first), ev.complete(tech, second, seed=300)
    decisions.return_items(db, first, sup, [
        {"kind": "photo", "ref": a["ont_serial"]["id"], "code": "serial_unreadable"},
        {"kind": "photo", "ref": a["power"]["id"], "code": "blurred"}])
    decisions.return_items(db, second, sup, [
        {"kind": "photo", "ref": b["ont_serial"]["id"], "code": "serial_unreadable", "reason": "again"},
        {"kind": "scan", "ref": "", "reason": "free text only"}])
    report = return_report.counts(db, people["sup"])
    assert report["total"] == 4
    by_reason = [(r["key"], r["n"]) for r in report["by_reason"]]
    assert by_reason == [("serial_unreadable", 2), ("", 1), ("blurred", 1)]
    assert {(r["key"], r["reason"], r["n"]) for r in report["by_shot"]} == {
        ("ont_serial", "serial_unreadable", 2), ("power", "blurred", 1), ("", "", 1)}
    assert {r["key"] for r in report["by_crew"]} == {tech["name"]}
    assert len({r["key"] for r in report["by_month"]}) == 1
    far = return_report.counts(db, {"id": 999, "role": "supervisor"})
    assert far["total"] == 0
    auth.login("sup")
    page = client.get("/review/reasons").get_data(as_text=True)
    assert "Serial number not readable" in page and ">2<" in page
    assert client.get("/review/reasons?since=2999-01-01").get_data(as_text=True).count(">2<") == 0


def test_a_resubmitted_photo_is_shown_beside_the_one_it_replaces(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    shots = ev.complete(tech, inst)
    old = shots["power"]["id"]
    decisions.return_items(db, inst, people["sup"]["id"], [{"kind": "photo", "ref": old, "code": "too_dark"}])
    new = ev.photo(tech, inst, "power", jpeg(901), replaces=old)["id"]
    ev.batch(tech, record("submission", inst, comment="retaken"))
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    pair = page[page.index("Original beside replacement"):]
    pair = pair[: pair.index("New records since then")]
    assert f"/photos/{old}/thumb" in pair and f"/photos/{new}/thumb" in pair
    assert "Too dark" in pair and pair.count('class="data checks stack"') == 2


def test_an_accepted_installation_takes_no_more_messages(db, make, ev, people):
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst)
    decisions.approve(db, inst, people["sup"]["id"])
    decisions.accept(db, inst, people["sup"]["id"])
    with pytest.raises(conversation.Refused) as refused:
        conversation.post(db, inst, people["sup"]["id"], "scan", "", "message", "late")
    assert refused.value.code == "accepted"


def test_an_override_is_offered_when_only_open_items_stand_in_the_way(client, auth, db, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    shots = ev.complete(tech, inst)
    decisions.return_items(db, inst, people["sup"]["id"], [{"kind": "photo", "ref": shots["power"]["id"],
                                                            "code": "blurred"}])
    ev.batch(tech, reply(inst, "photo", shots["power"]["id"], "It is sharp"), record("submission", inst))
    assert checks.run_all(db, inst)["summary"]["verdict"] == "pass"
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "1 returned item is still open" in page and 'name="override_reason"' in page
    override = {"rev": rev(db, inst), "override_reason": "Seen by phone"}
    response = client.post(f"/review/{inst}/approve", data=override)
    assert response.status_code == 302 and status(db, inst) == "approved"


def test_a_reply_can_be_about_every_returnable_item_and_each_has_standard_reasons():
    assert set(reply_kind.ITEM_KINDS) == set(kinds.item_rules())
    assert all(profiles.return_reasons(profiles.DEFAULT_RULES, item) for item in kinds.item_rules())
