"""pull.py: what a phone gets offline, and only what changed since its cursor."""

import uuid

import pytest

from fieldapp import installations
from fieldapp import pull
from fieldapp import records
from fieldapp import store
from fieldapp import tags
from tests.test_records import KEYS
from tests.test_records import record
from tests.test_records import returned
from tests.test_records import splice


@pytest.fixture
def tech(make):
    return make.user("technician")


def test_full_pull_shape(db, make, tech):
    inst = make.installation([tech], type="school", pupils=900)
    make.installation([make.user("technician")])  # someone else's: never shown
    institution = store.scalar(db, "SELECT institution_id FROM installations WHERE id = ?", [inst])
    code = tags.issue(db, KEYS, institution)
    answer = pull.pull(db, tech, None, KEYS)
    assert [i["id"] for i in answer["installations"]] == [inst]
    item = answer["installations"][0]
    assert item["tag_ids"] == [code[:8]]
    assert item["required_mbps"] == {"down": 100, "up": 100}
    assert "cable_entry" in item["required_shots"]
    assert item["institution"]["pupils"] == 900 and item["institution"]["region_iso"] == "KZ-31"
    assert str(item["profile_id"]) in answer["profiles"]
    assert answer["user"]["id"] == tech["id"] and "password_hash" not in answer["user"]
    assert answer["unassigned"] == []


def test_records_are_current_only(db, make, tech):
    inst = make.installation([tech])
    first = splice(inst)
    fix = {**splice(inst, loss_1310_ab=0.01), "replaces": first["id"]}
    note = record("note", inst, text="Gate locked")
    records.store_batch(db, tech, "key-pull-1", [first, fix, note], KEYS)
    got = pull.pull(db, tech)["installations"][0]["records"]
    assert [s["id"] for s in got["splices"]] == [fix["id"]]
    assert got["notes"][0]["text"] == "Gate locked" and got["notes"][0]["received_at"]
    assert "content_hash" not in got["splices"][0]


def test_cursor_sends_only_changes(db, make, tech):
    a = make.installation([tech])
    b = make.installation([tech])
    cursor = pull.pull(db, tech)["cursor"]
    assert pull.pull(db, tech, cursor)["installations"] == []
    records.store_batch(db, tech, "key-pull-2", [splice(b)], KEYS)
    answer = pull.pull(db, tech, cursor)
    assert [i["id"] for i in answer["installations"]] == [b]
    assert answer["cursor"] > cursor
    installations.transition(db, a, "submitted")
    assert [i["id"] for i in pull.pull(db, tech, answer["cursor"])["installations"]] == [a]


def test_returned_items_and_unassigned(db, make, tech):
    inst = make.installation([tech], status="returned")
    gone = make.installation([tech])
    cursor = pull.pull(db, tech)["cursor"]
    item = returned(db, inst, "shot", "power")
    installations.touch(db, inst)
    installations.assign(db, gone, [make.user("technician")["id"]])
    answer = pull.pull(db, tech, cursor)
    assert [i["id"] for i in answer["installations"]] == [inst]
    (found,) = answer["installations"][0]["returned_items"]
    assert found == {"id": item, "item_kind": "shot", "item_ref": "power", "reason": "Redo",
                     "reason_code": None, "markup": [], "returned_at": found["returned_at"]}
    assert answer["unassigned"] == [gone]


def test_retired_tag_key_hides_tag(db, make, tech):
    inst = make.installation([tech])
    institution = store.scalar(db, "SELECT institution_id FROM installations WHERE id = ?", [inst])
    tags.issue(db, KEYS, institution)
    assert pull.pull(db, tech, None, {2: "new"})["installations"][0]["tag_ids"] == []


def test_photos_listed_when_complete(db, app, make, tech):
    from fieldapp import blobstore
    from fieldapp import uploads
    from tests.test_imaging import jpeg

    inst = make.installation([tech])
    data = jpeg(300, 200)
    photo_id = str(uuid.uuid4())
    uploads.store_bytes(db, blobstore.from_config(app.config), tech, "photo",
                             {"id": photo_id, "installation_id": inst, "shot": "power"}, data)
    listed = pull.pull(db, tech)["installations"][0]["records"]["photos"]
    assert [p["id"] for p in listed] == [photo_id]
    assert listed[0]["thumb_url"] == f"/photos/{photo_id}/thumb" and listed[0]["phash"]
    # A phone that asks for lean records is not sent what the server derives for itself.
    lean = pull.pull(db, tech, lean=True)["installations"][0]["records"]["photos"][0]
    assert lean["received_at"] and lean["width"] == 300 and lean["brightness"] is not None
    assert not {"sha256", "phash", "completed_at", "installation_id", "thumb_url"} & set(lean)
