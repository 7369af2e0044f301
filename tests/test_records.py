"""records.py: batches stored exactly once, per-record judgement, returned items."""

import json
import uuid

import pytest

from fieldapp import records
from fieldapp import store
from fieldapp import tags
from fieldapp.evidence import note as note_kind

KEYS = {1: "test-tag-key-1"}


def splice(installation_id, **data):
    body = {"closure_label": "MUF-1", "closure_type": "dome", "tray": 1, "slot": 1,
            "a_cable": "C1", "a_tube": 1, "a_fiber": 1, "b_cable": "C2", "b_tube": 1, "b_fiber": 1,
            "splice_type": "fusion", "loss_1310_ab": 0.05, "loss_1310_ba": 0.07}
    return {"type": "splice", "id": str(uuid.uuid4()), "installation_id": installation_id,
            "device_time": "2026-11-20T10:00:00Z", "replaces": None, "data": {**body, **data}}


def record(kind, installation_id, **data):
    return {"type": kind, "id": str(uuid.uuid4()), "installation_id": installation_id,
            "device_time": "2026-11-20T10:00:00Z", "data": data}


@pytest.fixture
def tech(make):
    return make.user("technician")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


def push(db, user, recs, key=None):
    return records.store_batch(db, user, key or str(uuid.uuid4()), recs, KEYS)


def statuses(response):
    return [r["status"] for r in response["results"]]


def test_batch_stores_and_moves_planned_to_in_progress(db, tech, inst):
    rev_before = store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [inst])
    response = push(db, tech, [splice(inst), record("note", inst, text="Ladder needed")])
    assert statuses(response) == ["stored", "stored"]
    assert db["splices"].count == 1 and db["notes"].count == 1
    row = store.one(db, "SELECT status, rev FROM installations WHERE id = ?", [inst])
    assert row["status"] == "in_progress" and row["rev"] > rev_before
    assert response["cursor"] == row["rev"]


def test_replayed_batch_returns_stored_answer(db, tech, inst):
    recs = [splice(inst), splice(inst, a_fiber=13)]
    first = push(db, tech, recs, key="batch-key-1")
    again = push(db, tech, recs, key="batch-key-1")
    assert again == first
    assert statuses(first) == ["stored", "rejected"]
    assert db["splices"].count == 1
    assert db["sync_batches"].count == 1


def test_same_key_other_body_is_refused(db, tech, inst):
    push(db, tech, [splice(inst)], key="batch-key-2")
    with pytest.raises(records.Rejected) as refused:
        push(db, tech, [splice(inst)], key="batch-key-2")
    assert refused.value.code == "idempotency_key_reused" and refused.value.status == 422
    assert db["splices"].count == 1


def test_same_key_other_user_is_refused(db, make, tech, inst):
    push(db, tech, [splice(inst)], key="batch-key-3")
    with pytest.raises(records.Rejected):
        push(db, make.user("technician"), [], key="batch-key-3")


def test_duplicate_and_conflict(db, tech, inst):
    original = splice(inst)
    push(db, tech, [original])
    changed = {**original, "data": {**original["data"], "loss_1310_ab": 0.25}}
    response = push(db, tech, [original, changed, {**original, "type": "note"}])
    assert statuses(response) == ["duplicate", "conflict", "rejected"]
    assert response["results"][1]["differences"] == ["loss_1310_ab"]
    stored = store.one(db, "SELECT loss_1310_ab FROM splices WHERE id = ?", [original["id"]])
    assert stored["loss_1310_ab"] == 0.05  # the stored version wins
    note = {**record("note", inst, text="x"), "id": original["id"]}
    assert push(db, tech, [note])["results"][0]["differences"] == ["type"]
    assert db["notes"].count == 0


def test_uuid_case_is_one_record(db, tech, inst):
    rec = splice(inst)
    push(db, tech, [rec])
    upper = {**rec, "id": rec["id"].upper()}
    assert statuses(push(db, tech, [upper])) == ["duplicate"]


@pytest.mark.parametrize("change, code", [
    ({"a_fiber": 13}, "out_of_range"),
    ({"a_fiber": 0}, "out_of_range"),
    ({"a_tube": "1"}, "bad_field"),
    ({"splice_type": "glue"}, "bad_choice"),
    ({"loss_1550_ab": 9.0}, "out_of_range"),
    ({"loss_1550_ab": float("nan")}, "bad_field"),
    ({"closure_label": " "}, "bad_field"),
    ({"tray": True}, "bad_field"),
    ({"loss_1310_ab": 10**400}, "bad_field"),  # review H2: was a 500 (no float holds it)
    ({"tray": 2**70}, "bad_field"),
])
def test_splice_validation(db, tech, inst, change, code):
    response = push(db, tech, [splice(inst, **change)])
    assert response["results"][0]["code"] == code
    assert db["splices"].count == 0
    assert store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst]) == "planned"


@pytest.mark.parametrize("mutate, code", [
    (lambda r: r.update(type="photo"), "bad_type"),
    (lambda r: r.update(id="not-a-uuid"), "bad_field"),
    (lambda r: r.update(device_time="yesterday"), "bad_field"),
    (lambda r: r.update(installation_id="1"), "bad_field"),
    (lambda r: r.update(installation_id=2**70), "bad_field"),  # review H2: SQLite overflow
    (lambda r: r.update(device_time="9999-12-31T23:59:59-14:00"), "bad_field"),
    (lambda r: r.update(device_time="0001-01-01T00:00:00+14:00"), "bad_field"),
    (lambda r: r.update(data=[]), "bad_field"),
    (lambda r: r.update(replaces=str(uuid.uuid4())), "replaces_unknown"),
])
def test_envelope_validation(db, tech, inst, mutate, code):
    rec = splice(inst)
    mutate(rec)
    assert push(db, tech, [rec])["results"][0]["code"] == code


def test_unforeseen_error_rejects_one_record_and_keeps_the_batch(db, tech, inst, monkeypatch):
    """Review H2: an exception nobody planned for refuses that record only, half-written nothing."""
    written = []

    def broken(*args):
        db.execute("INSERT INTO notes (id, installation_id, author_id, device_time, received_at, "
                   "text, content_hash) VALUES ('half', ?, ?, 'x', 'x', 'x', 'x')", [inst, tech["id"]])
        written.append("half")
        raise KeyError("a bug")

    monkeypatch.setattr(note_kind, "row", broken)
    good, bad = splice(inst), record("note", inst, text="hello")
    results = push(db, tech, [bad, good])["results"]
    assert results[0] == {"id": bad["id"], "status": "rejected", "code": "bad_record", "params": {}}
    assert results[1] == {"id": good["id"], "status": "stored"}
    assert written == ["half"] and db["splices"].count == 1 and db["notes"].count == 0


def test_batch_nested_too_deep_to_hash_is_a_bad_batch(db, tech, inst):
    deep = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(records.Rejected) as refused:
        push(db, tech, [splice(inst, extra=deep)])
    assert (refused.value.code, refused.value.status) == ("bad_batch", 400)
    assert db["splices"].count == 0


def test_not_a_dict_record_is_rejected(db, tech):
    assert push(db, tech, ["x"])["results"][0] == {
        "id": None, "status": "rejected", "code": "bad_record", "params": {}}


def test_other_technicians_installation(db, make, tech):
    other = make.installation([make.user("technician")])
    response = push(db, tech, [splice(other)])
    assert response["results"][0]["code"] == "not_assigned"
    assert db["splices"].count == 0


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_only_technicians_push(db, make, inst, role):
    with pytest.raises(records.Rejected) as refused:
        push(db, make.user(role, regions=["KZ-31"]), [splice(inst)])
    assert refused.value.status == 403 and db["splices"].count == 0


def test_locked_installation(db, make, tech):
    approved = make.installation([tech], status="approved")
    result = push(db, tech, [splice(approved)])["results"][0]
    assert result["code"] == "installation_locked"
    assert result["params"] == {"installation_status": "approved"}


def test_too_many_records(db, tech, inst):
    with pytest.raises(records.Rejected) as refused:
        push(db, tech, [splice(inst)] * (records.MAX_BATCH + 1))
    assert refused.value.status == 413


def test_scan_matching(db, make, tech, inst):
    institution = store.scalar(db, "SELECT institution_id FROM installations WHERE id = ?", [inst])
    own = tags.issue(db, KEYS, institution)
    foreign = tags.issue(db, KEYS, make.institution())
    forged = own[:-1] + ("A" if own[-1] != "A" else "B")
    response = push(db, tech, [record("scan", inst, code=foreign), record("scan", inst, code=forged),
                               record("scan", inst, code=tags.url("HTTPS://X/T/", own), lat=42.9)])
    assert statuses(response) == ["stored", "rejected", "stored"]
    assert response["results"][1]["code"] == "tag_invalid"
    assert [r["matched"] for r in db.query("SELECT matched FROM scans ORDER BY rowid")] == [0, 1]


def test_speed_test_fields(db, tech, inst):
    data = {"method": "browser", "connection": "wired", "down_mbps": 94.1, "up_mbps": 91.2,
            "latency_ms": 12.0, "latency_kind": "median", "loss_pct": None, "streams": 4,
            "raw": {"runs": [1, 2]}}
    assert statuses(push(db, tech, [record("speed_test", inst, **data)])) == ["stored"]
    row = store.one(db, "SELECT * FROM speed_tests")
    assert row["down_mbps"] == 94.1 and json.loads(row["raw"]) == {"runs": [1, 2]}
    bad = {**data, "connection": "lte"}
    assert push(db, tech, [record("speed_test", inst, **bad)])["results"][0]["code"] == "unknown_connection"
    negative = {**data, "up_mbps": -1}
    assert push(db, tech, [record("speed_test", inst, **negative)])["results"][0]["code"] == "out_of_range"
    tester = {**data, "method": "tester", "device_model": "EXFO"}
    result = push(db, tech, [record("speed_test", inst, **tester)])["results"][0]
    assert (result["code"], result["params"]) == ("screen_photo_required", {"field": "screen_photo_id"})
    assert db["speed_tests"].count == 1


def test_submission_submits_once(db, tech, inst):
    sub = record("submission", inst, comment="done")
    push(db, tech, [splice(inst), sub])
    assert store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst]) == "submitted"
    assert statuses(push(db, tech, [sub])) == ["duplicate"]
    statuses_logged = [json.loads(r["after"]) for r in db.query(
        "SELECT after FROM audit_log WHERE action = 'status' AND entity_id = ?", [str(inst)])]
    assert statuses_logged == ["in_progress", "submitted"]


def returned(db, inst, kind, ref):
    reviewer = store.scalar(db, "SELECT id FROM users LIMIT 1")
    with store.write(db):
        review_id = db["reviews"].insert({
            "installation_id": inst, "reviewer_id": reviewer, "decision": "return",
            "profile_id": 1, "checks": "[]", "at": "2026-11-21T00:00:00Z"}).last_pk
        return db["returned_items"].insert({
            "review_id": review_id, "installation_id": inst, "item_kind": kind, "item_ref": ref,
            "reason": "Redo"}).last_pk


def test_correction_resolves_only_its_returned_item(db, tech, inst):
    first, second = splice(inst), splice(inst, a_fiber=2)
    push(db, tech, [first, second])
    item_first = returned(db, inst, "splice", first["id"])
    item_second = returned(db, inst, "splice", second["id"])
    item_speed = returned(db, inst, "speed_test", "")
    fix = {**splice(inst, loss_1310_ab=0.02), "replaces": first["id"]}
    assert statuses(push(db, tech, [fix])) == ["stored"]
    rows = {r["id"]: r for r in db.query("SELECT * FROM returned_items")}
    assert rows[item_first]["resolved_by"] == fix["id"] and rows[item_first]["resolved_at"]
    assert rows[item_second]["resolved_at"] is None
    assert rows[item_speed]["resolved_at"] is None
    speed = record("speed_test", inst, method="browser", connection="wired", down_mbps=1, up_mbps=1)
    push(db, tech, [speed])
    resolved = dict(db.execute("SELECT id, resolved_by FROM returned_items").fetchall())
    assert resolved == {item_first: fix["id"], item_second: None, item_speed: speed["id"]}


def test_prune_keys_keeps_recent(db, tech, inst):
    push(db, tech, [], key="recent-key-1")
    with store.write(db):
        db["sync_batches"].insert({"key": "ancient-key", "user_id": tech["id"], "request_hash": "x",
                                   "response": "{}", "created_at": "2020-01-01T00:00:00.000Z"})
    assert records.prune_keys(db, 30) == 1
    assert [r["key"] for r in db.query("SELECT key FROM sync_batches")] == ["recent-key-1"]
