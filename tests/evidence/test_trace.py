"""The trace kind: a .sor file through the generic upload, parsed on the server, pulled, returned."""

import csv
import hashlib
import io
import json
import sqlite3
import zipfile

import pytest

from fieldapp import decisions
from fieldapp import exports
from fieldapp import migrations
from fieldapp import otdr
from fieldapp import packet
from fieldapp import profiles
from fieldapp import sor_writer as w
from fieldapp import store
from fieldapp import uploads
from fieldapp.evidence import trace as trace_kind
from fieldapp.evidence.fields import Rejected
from tests import trace_evidence as te
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import splice

URL = "/api/v1/files/trace/1b4e28ba-2fa1-11d2-883f-0016d3cca427"


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


def meta(inst, data, **extra):
    return {"installation_id": inst, "closure_label": "MUF-1", "cable": "C1", "tube": 1, "fiber": 7,
            "direction": "ba", "event_m": None, "filename": "fiber7-B.sor", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z", **extra}


def send(client, inst, data, **extra):
    """Announce, one chunk, complete: the phone's outbox over HTTP."""
    assert client.put(URL, json=meta(inst, data, **extra)).status_code == 200
    chunk = client.patch(URL + "/upload", data=data, headers={
        "Upload-Offset": "0", "Chunk-Sha256": hashlib.sha256(data).hexdigest(),
        "Content-Type": "application/offset+octet-stream"})
    assert chunk.status_code == 200
    return client.post(URL + "/complete")


def test_a_trace_is_stored_with_the_server_parse_and_its_bytes(client, auth, db, app, inst):
    auth.login("tech")
    ab, _ = te.fiber_pair(7, 1550)
    data = w.write(ab)
    answer = send(client, inst, data)
    assert answer.status_code == 200 and answer.json["status"] == "stored"
    row = db.execute("SELECT * FROM traces").fetchone()
    found = dict(zip([c[0] for c in db.execute("SELECT * FROM traces").description], row, strict=True))
    assert (found["wavelength_nm"], found["pulse_width_ns"], found["status"]) == (1550, 30, "complete")
    assert found["sha256"] == hashlib.sha256(data).hexdigest()
    assert json.loads(found["parse"]) == json.loads(json.dumps(otdr.parse(data)))
    with Evidence(db, app.config).blobs.open(found["blob_key"]) as stored:
        assert stored.read() == data


def test_the_phone_says_where_the_file_belongs_never_what_it_holds(client, auth, db, inst):
    auth.login("tech")
    ab, _ = te.fiber_pair(7, 1310)
    data = w.write(ab)
    send(client, inst, data, wavelength_nm=1550, pulse_width_ns=5)  # ignored: not announce fields
    assert db.execute("SELECT wavelength_nm, pulse_width_ns FROM traces").fetchone() == (1310, 30)


@pytest.mark.parametrize("broken, reason", [
    (lambda t: w.wrong_magic(w.write(t)), "does not start with a Map block"),
    (lambda t: w.version1(t), "version 1"),
    (lambda t: w.truncated(w.write(t)), "cut short"),
    (lambda t: w.absurd_counts(w.write(t)), "declares"),
])
def test_an_unreadable_file_is_refused_at_complete_naming_it(client, auth, db, inst, broken, reason):
    auth.login("tech")
    ab, _ = te.fiber_pair(7, 1310)
    answer = send(client, inst, broken(ab))
    assert answer.status_code == 422 and answer.json["error"] == "trace_unreadable"
    assert answer.json["file"] == "fiber7-B.sor" and reason in answer.json["reason"]
    assert "fiber7-B.sor" in answer.json["message"]
    assert db.execute("SELECT COUNT(*) FROM traces").fetchone()[0] == 0  # nothing half kept


def test_a_bad_checksum_or_no_key_events_is_kept(ev, db, tech, inst):
    ab, ba = te.fiber_pair(7, 1310)
    kept = [te.store(ev, tech, inst, w.bad_checksum(ab), 7, "ab"),
            te.store(ev, tech, inst, w.without_key_events(ba), 7, "ba")]
    assert [t["status"] for t in kept] == ["complete", "complete"]
    assert [t["checksum_ok"] for t in kept] == [0, 1]


@pytest.mark.parametrize("field, value", [("direction", "up"), ("tube", 0), ("fiber", 13),
                                          ("event_m", -1), ("cable", ""), ("closure_label", None)])
def test_announce_fields_are_validated(ev, tech, inst, field, value):
    ab, _ = te.fiber_pair(7, 1310)
    data = w.write(ab)
    fields = {"id": "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "installation_id": inst, "closure_label": "MUF-1",
              "cable": "C1", "tube": 1, "fiber": 7, "direction": "ab", field: value}
    with pytest.raises(Rejected) as refused:
        uploads.store_bytes(ev.db, ev.blobs, tech, "trace", fields, data)
    assert refused.value.params["field"] == field


def test_a_trace_is_pulled_without_its_data_points(client, auth, ev, tech, inst):
    stored, _ = te.store_pair(ev, tech, inst, fiber=7)
    auth.login("tech")
    pulled = client.get("/api/v1/pull").json["installations"][0]["records"]["traces"]
    assert len(pulled) == 2
    one = next(t for t in pulled if t["id"] == stored["id"])
    assert one["parse"]["wavelength_nm"] == 1310 and "points" not in one["parse"]
    assert one["parse"]["events"] and "blob_key" not in one and one["event_m"] == te.SPLICE_M


def test_a_trace_is_returned_and_its_retest_resolves_it(ev, db, make, tech, inst):
    ab, ba = te.store_pair(ev, tech, inst, fiber=7)
    ev.batch(tech, splice(inst, slot=7), record("submission", inst, comment=""))
    boss = make.user("supervisor", regions=["KZ-31"])
    decisions.return_items(db, inst, boss["id"], [{"kind": "trace", "ref": ba["id"],
                                                   "reason": "retest fiber 7 from the B end"}])
    assert db.execute("SELECT item_kind, resolved_at FROM returned_items").fetchall() == [("trace", None)]
    _, again = te.fiber_pair(7, 1310, seed=99)
    retest = te.store(ev, tech, inst, w.write(again), 7, "ba", replaces=ba["id"])
    assert db.execute("SELECT resolved_by FROM returned_items").fetchone()[0] == retest["id"]
    where = trace_kind.current.condition(trace_kind)
    current = sorted(r["id"] for r in db.query(f"SELECT id FROM traces WHERE {where}"))
    assert current == sorted([ab["id"], retest["id"]])


def test_the_review_page_draws_each_pair_with_its_events_and_checks(client, auth, ev, make, tech, inst):
    te.store_pair(ev, tech, inst, fiber=7)
    ev.batch(tech, splice(inst, slot=7), record("submission", inst, comment=""))
    make.user("supervisor", username="boss", regions=["KZ-31"])
    auth.login("boss")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert page.count('<polyline class="trace-ab"') == 1 and page.count('<polyline class="trace-ba"') == 1
    assert 'stroke-dasharray="6 3"' in page  # the B->A curve, mirrored onto the A->B one
    assert "Pulse width (ns)" in page and "Loss B→A, dB" in page
    assert "OTDR trace C1 1.7 B→A, 1310 nm" in page  # returnable, named as a reviewer reads it


def test_the_printed_packet_shows_the_traces_and_their_tables(client, auth, db, ev, make, tech, inst):
    te.store_pair(ev, tech, inst, fiber=7)
    ev.batch(tech, splice(inst, slot=7), record("submission", inst, comment=""))
    boss = make.user("supervisor", username="boss", regions=["KZ-31"])
    decisions.approve(db, inst, boss["id"], override_reason="test: other evidence missing")
    decisions.accept(db, inst, boss["id"], override_reason="test: other evidence missing")
    auth.login("boss")
    printed = client.get(f"/review/{inst}/packet").get_data(as_text=True)
    assert printed.count("<polyline") == 2 and "Average, dB" in printed and "f7-ba.sor" in printed


def test_the_original_is_served_only_to_those_who_see_the_installation(client, auth, ev, make, tech, inst):
    ab, _ = te.store_pair(ev, tech, inst, fiber=7)
    make.user("supervisor", username="boss", regions=["KZ-31"])
    make.user("supervisor", username="far", regions=["KZ-10"])
    auth.login("far")
    assert client.get(f"/traces/{ab['id']}.sor").status_code == 404
    auth.logout()
    auth.login("boss")
    served = client.get(f"/traces/{ab['id']}.sor")
    assert served.status_code == 200 and hashlib.sha256(served.data).hexdigest() == ab["sha256"]


def test_the_packet_zip_carries_the_sor_files_and_an_events_csv(db, ev, tech, inst):
    ab, ba = te.store_pair(ev, tech, inst, fiber=7)
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, inst)))
    sor = sorted(n for n in files.namelist() if n.startswith("traces/"))
    assert sor == [f"traces/C1-1.7-1310-ab-{ab['id']}.sor", f"traces/C1-1.7-1310-ba-{ba['id']}.sor"]
    assert hashlib.sha256(files.read(sor[0])).hexdigest() == ab["sha256"]
    text = files.read("trace_events.csv").decode("utf-8-sig")
    events = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert len(events) == 10 and {e["direction"] for e in events} == {"ab", "ba"}
    splice_row = next(e for e in events if e["direction"] == "ab" and e["event"] == "2")
    assert float(splice_row["distance_m"].replace(",", ".")) == pytest.approx(3000, abs=0.05)
    assert "," in splice_row["distance_m"]  # a decimal comma, as Excel in kk/ru reads it
    assert (splice_row["loss_db"], splice_row["reflectance_db"]) == ("0,05", "")


def test_m066_keeps_returned_items_and_gives_the_active_profile_a_version_with_otdr_rules(tmp_path):
    db = store.connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(db, stop_before="m066_traces")
    old_rules = {k: v for k, v in profiles.DEFAULT_RULES.items() if k != "otdr"}
    db["acceptance_profiles"].insert({"name": "KZ", "version": 3, "rules": json.dumps(old_rules), "active": 1,
                                      "created_at": "2026-01-01T00:00:00Z"})
    user = db["users"].insert({"username": "s", "name": "S", "password_hash": "x", "role": "supervisor",
                               "created_at": "2026-01-01T00:00:00Z"}).last_pk
    db.execute("PRAGMA foreign_keys = OFF")  # only the returned item matters here
    db["reviews"].insert({"id": 1, "installation_id": 1, "reviewer_id": user, "decision": "return",
                          "profile_id": 1, "checks": "{}", "at": "2026-01-01T00:00:00Z"})
    db["returned_items"].insert({"review_id": 1, "installation_id": 1, "item_kind": "photo", "item_ref": "p",
                                 "reason": "blurred"})
    migrations.apply(db)
    kept = [(r["item_kind"], r["reason"]) for r in db.query("SELECT * FROM returned_items")]
    assert kept == [("photo", "blurred")]
    db["returned_items"].insert({"review_id": 1, "installation_id": 1, "item_kind": "trace", "item_ref": "t",
                                 "reason": "retest from the B end"})
    with pytest.raises(sqlite3.IntegrityError):
        db["returned_items"].insert({"review_id": 1, "installation_id": 1, "item_kind": "bogus",
                                     "item_ref": "", "reason": "x"})
    rows = {r["version"]: r for r in db.query("SELECT * FROM acceptance_profiles")}
    assert (rows[3]["active"], rows[4]["active"]) == (0, 1)
    assert json.loads(rows[3]["rules"]) == old_rules  # what earlier reviews applied stays as it was
    assert json.loads(rows[4]["rules"])["otdr"]["event_tolerance_m"] == 20


def test_the_packets_size_estimate_counts_the_traces(db, ev, tech, inst):
    ab, ba = te.store_pair(ev, tech, inst, fiber=7)
    assert exports.packets_size(db, [inst]) == ab["size"] + ba["size"] + exports.PACKET_OVERHEAD_BYTES


def test_the_size_limit_is_a_setting(client, auth, app, inst):
    app.config["TRACE_MAX_BYTES"] = 5000
    auth.login("tech")
    ab, _ = te.fiber_pair(7, 1310)
    data = w.write(ab)
    answer = client.put(URL, json=meta(inst, data))
    assert (answer.status_code, answer.json["error"], answer.json["max"]) == (413, "too_large", 5000)
