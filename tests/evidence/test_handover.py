"""The handover: signed (a PNG through the file upload), refused or absent (a batch record with
the reason), or missing; the profile decides what a refusal does; the packet prints it and
its ZIP carries the signature."""

import hashlib
import io
import json
import uuid
import zipfile

import pytest
from PIL import Image

from fieldapp import decisions
from fieldapp import packet
from fieldapp import records
from fieldapp import store
from fieldapp import uploads
from fieldapp.evidence import checks
from fieldapp.evidence.fields import Rejected
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import signature_png


@pytest.fixture
def people(make):
    return {"tech": make.user("technician", "tech"), "sup": make.user("supervisor", "sup", regions=["KZ-31"])}


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


@pytest.fixture
def inst(make, people):
    return make.installation([people["tech"]])


def verdict(db, inst):
    (found,) = [c for c in checks.run_all(db, inst)["checks"] if c["rule"] == "handover.signed"]
    return found["verdict"], found["value"]


def unsigned(db, tech, inst, **data):
    result = records.store_batch(db, tech, str(uuid.uuid4()), [record("handover", inst, **data)])
    return result["results"][0]


def test_a_signed_handover_keeps_the_signature_and_its_sha256(db, ev, people, inst):
    png = signature_png()
    row = ev.handover(people["tech"], inst, png)
    assert (row["status"], row["outcome"]) == ("complete", "signed")
    assert row["sha256"] == hashlib.sha256(png).hexdigest()
    with ev.blobs.open(row["blob_key"]) as stored:
        assert stored.read() == png
    assert verdict(db, inst) == ("pass", "signed")


def test_a_refusal_with_its_reason_warns_by_default(db, people, inst):
    answer = unsigned(db, people["tech"], inst, outcome="refused", representative="Ержан Болатов",
                      position="Завуч", reason_note="Ждёт приказа акимата")
    assert answer["status"] == "stored"
    assert verdict(db, inst) == ("warn", "refused")


def test_a_refusal_blocks_acceptance_where_the_profile_says_so(db, people, inst):
    profile_id = store.scalar(db, "SELECT profile_id FROM installations WHERE id = ?", [inst])
    rules = json.loads(store.scalar(db, "SELECT rules FROM acceptance_profiles WHERE id = ?", [profile_id]))
    rules["handover"]["refusal_blocks"] = True
    with store.write(db):
        db.execute("UPDATE acceptance_profiles SET rules = ? WHERE id = ?", [json.dumps(rules), profile_id])
    unsigned(db, people["tech"], inst, outcome="refused", representative="Ержан Болатов", position="Завуч",
             reason_note="Не согласен")
    assert verdict(db, inst) == ("fail", "refused")


def test_someone_absent_need_not_be_named_but_the_reason_is_required(db, people, inst):
    missing = unsigned(db, people["tech"], inst, outcome="absent")
    assert (missing["status"], missing["params"]) == ("rejected", {"field": "reason_note"})
    stored = unsigned(db, people["tech"], inst, outcome="absent", reason_note="Директор в отпуске")
    assert stored["status"] == "stored"
    assert verdict(db, inst) == ("warn", "absent")


def test_a_refusal_names_who_refused(db, people, inst):
    answer = unsigned(db, people["tech"], inst, outcome="refused", reason_note="Нет")
    assert (answer["status"], answer["params"]) == ("rejected", {"field": "representative"})


def test_signed_comes_only_with_a_signature_file(db, people, inst):
    answer = unsigned(db, people["tech"], inst, outcome="signed", representative="A", position="B",
                      reason_note="x")
    assert (answer["status"], answer["code"]) == ("rejected", "bad_choice")


def test_no_handover_fails(db, inst):
    assert verdict(db, inst) == ("fail", None)


def test_a_signature_after_an_absence_is_what_counts(db, ev, people, inst):
    unsigned(db, people["tech"], inst, outcome="absent", reason_note="Обед")
    ev.handover(people["tech"], inst)
    assert verdict(db, inst) == ("pass", "signed")


def blank_png():
    out = io.BytesIO()
    Image.new("RGBA", (480, 200), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


def jpeg_bytes():
    out = io.BytesIO()
    Image.new("RGB", (480, 200), "black").save(out, "JPEG")
    return out.getvalue()


@pytest.mark.parametrize(("data", "code"), [(blank_png(), "signature_empty"),
                                             (jpeg_bytes(), "signature_not_png"),
                                             (b"not an image", "signature_not_png")])
def test_an_empty_or_foreign_signature_is_refused_and_leaves_nothing(db, ev, people, inst, data, code):
    with pytest.raises(Rejected) as refused:
        ev.handover(people["tech"], inst, data)
    assert refused.value.code == code
    assert store.scalar(db, "SELECT COUNT(*) FROM handovers") == 0


def test_the_signature_is_served_only_to_who_may_see_it(client, auth, make, ev, people, inst):
    row = ev.handover(people["tech"], inst)
    make.user("supervisor", "far", regions=["KZ-55"])
    auth.login("far")
    assert client.get(f"/handovers/{row['id']}/signature").status_code == 404
    auth.logout()
    auth.login("sup")
    response = client.get(f"/handovers/{row['id']}/signature")
    assert (response.status_code, response.mimetype) == (200, "image/png")
    assert hashlib.sha256(response.data).hexdigest() == row["sha256"]


@pytest.fixture
def accepted(db, ev, people, inst):
    ev.complete(people["tech"], inst)
    decisions.approve(db, inst, people["sup"]["id"], "ok")
    decisions.accept(db, inst, people["sup"]["id"], "ok")
    return inst


def test_the_packet_prints_who_signed_as_what_and_when_with_the_signature(client, auth, db, accepted):
    (row,) = db.query("SELECT * FROM handovers WHERE installation_id = ?", [accepted])
    auth.login("sup")
    page = client.get(f"/review/{accepted}/packet").get_data(as_text=True)
    assert "Айгерім Сапарова" in page and "Директор" in page
    assert f'src="/handovers/{row["id"]}/signature"' in page
    assert "UTC+5" in page.split('class="handover')[1].split("</section>")[0]


def test_the_packet_zip_carries_the_signature(db, ev, accepted):
    (row,) = db.query("SELECT * FROM handovers WHERE installation_id = ?", [accepted])
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, accepted)))
    data = files.read(f"signatures/handover-{row['id']}.png")
    assert hashlib.sha256(data).hexdigest() == row["sha256"]
    assert json.loads(files.read("handovers.json"))[0]["representative"] == "Айгерім Сапарова"


def test_the_packet_shows_a_refusal_and_its_reason(client, auth, db, people, inst):
    unsigned(db, people["tech"], inst, outcome="refused", representative="Ержан Болатов", position="Завуч",
             reason_note="Ждёт приказа акимата")
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "Refused to sign" in page and "Ждёт приказа акимата" in page and "Ержан Болатов" in page


def test_the_review_page_says_when_no_handover_was_recorded(client, auth, inst):
    auth.login("sup")
    assert "No handover recorded." in client.get(f"/review/{inst}").get_data(as_text=True)


def test_a_retried_announce_is_the_same_handover(db, ev, people, inst):
    png = signature_png()
    at = "2026-11-30T10:00:00Z"
    meta = {"installation_id": inst, "representative": "A", "position": "B", "signed_at": at,
            "size": len(png), "sha256": hashlib.sha256(png).hexdigest(), "device_time": at}
    file_id = str(uuid.uuid4())
    first = uploads.announce(db, ev.blobs, people["tech"], "handover", file_id, meta)
    again = uploads.announce(db, ev.blobs, people["tech"], "handover", file_id, meta)
    assert first == again == {"id": file_id, "status": "announced", "offset": 0}
    with pytest.raises(Rejected) as conflict:
        uploads.announce(db, ev.blobs, people["tech"], "handover", file_id, {**meta, "representative": "C"})
    assert conflict.value.params == {"differences": ["representative"]}


def test_a_profile_stored_before_handovers_only_warns_when_there_is_none(db, inst):
    profile_id = store.scalar(db, "SELECT profile_id FROM installations WHERE id = ?", [inst])
    rules = json.loads(store.scalar(db, "SELECT rules FROM acceptance_profiles WHERE id = ?", [profile_id]))
    del rules["handover"], rules["equipment"]
    with store.write(db):
        db.execute("UPDATE acceptance_profiles SET rules = ? WHERE id = ?", [json.dumps(rules), profile_id])
    found = {c["rule"]: c["verdict"] for c in checks.run_all(db, inst)["checks"]}
    assert (found["handover.signed"], found["equipment.ont"]) == ("warn", "warn")


def test_the_handover_returned_as_a_whole_is_resolved_by_a_signature(db, ev, people, inst):
    ev.complete(people["tech"], inst)
    with store.write(db):
        db.execute("DELETE FROM handovers")  # the crew left without one
    decisions.return_items(db, inst, people["sup"]["id"], [{"kind": "handover", "ref": "",
                                                            "reason": "Нет подписи директора"}])
    signed = ev.handover(people["tech"], inst)
    resolved_by = "SELECT resolved_by FROM returned_items WHERE item_kind = 'handover'"
    assert store.scalar(db, resolved_by) == signed["id"]


def test_the_review_page_offers_the_handover_and_each_device_for_return(client, auth, ev, people, inst):
    ev.complete(people["tech"], inst, submit=True)
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert 'value="handover"' in page and 'value="equipment"' in page
