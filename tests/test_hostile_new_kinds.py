"""The session's new records (equipment, handover, reply, a tester's run count, submit warnings)
meet the hostile values the old ones were tested with: each is refused by the field's name,
nothing of it is written, and a replay of the batch answers the same."""

import json
import uuid

import pytest

from tests.test_records import record

HUGE = 2**63
SURROGATE = "\ud800"  # json.dumps sends it as the escape \ud800: a lone surrogate

BASES = {
    "equipment": ("equipment", dict(device_type="ont", model="F660", serial="HWTC1A2B3C4D",
                                    label_photo_id=str(uuid.uuid4()))),
    "handover": ("handovers", dict(outcome="refused", representative="Ержан Болатов", position="Завуч",
                                   reason_note="отказался подписывать")),
    "reply": ("replies", dict(item_kind="note", item_ref="", text="комната закрыта до понедельника")),
    "speed_test": ("speed_tests", dict(method="tester", connection="wired", down_mbps=95.0, up_mbps=94.0,
                                       runs=3, screen_photo_id=str(uuid.uuid4()),
                                       device_model="EXFO EX1")),
    "submission": ("submissions", dict(comment="", warnings=["missing_shots"])),
}
HOSTILE = [
    ("equipment", "model", SURROGATE), ("equipment", "serial", HUGE), ("equipment", "mac", SURROGATE),
    ("handover", "reason_note", SURROGATE), ("handover", "representative", SURROGATE),
    ("handover", "outcome", HUGE),
    ("reply", "item_ref", HUGE), ("reply", "text", SURROGATE),
    ("speed_test", "runs", HUGE), ("speed_test", "runs", 1.5),
    ("submission", "warnings", [HUGE]), ("submission", "warnings", [SURROGATE]),
]


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech], region="KZ-31")


def send(client, kind, inst, data):
    body = json.dumps({"key": str(uuid.uuid4()), "records": [record(kind, inst, **data)]})
    answer = client.post("/api/v1/batches", data=body, content_type="application/json")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return body, answer.get_json()["results"][0]


@pytest.mark.parametrize("kind", sorted(BASES))
def test_the_good_record_each_hostile_one_is_made_from_is_stored(client, auth, db, tech, inst, kind):
    auth.login("tech")
    table, good = BASES[kind]
    _, result = send(client, kind, inst, good)
    assert result["status"] == "stored", result
    assert db[table].count == 1


@pytest.mark.parametrize(("kind", "field", "value"), HOSTILE, ids=lambda v: str(v)[:12])
def test_a_hostile_value_in_a_new_record_is_refused_by_name_and_nothing_written(
        client, auth, db, tech, inst, kind, field, value):
    auth.login("tech")
    table, good = BASES[kind]
    body, result = send(client, kind, inst, {**good, field: value})
    assert (result["status"], result["params"].get("field")) == ("rejected", field), result
    assert db[table].count == 0
    replay = client.post("/api/v1/batches", data=body, content_type="application/json")
    assert replay.get_json()["results"] == [result]
