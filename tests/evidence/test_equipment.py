"""Equipment: serial and MAC formats, the label's barcode read on the server, a serial at two
institutions, and the device in the exports; all through the real batch and photo pipelines."""

import uuid

import pytest

from fieldapp import exports
from fieldapp import records
from fieldapp import store
from fieldapp.evidence import barcodes
from fieldapp.evidence import checks
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import label_jpeg
from tests.review_evidence import record

SERIAL = "HWTC1A2B3C4D"


@pytest.fixture
def tech(make):
    return make.user("technician")


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


def send(db, tech, inst, **data):
    """One equipment record through a batch; the server's answer for it."""
    fields = {"device_type": "ont", "model": "HG8245H", "serial": SERIAL,
              "label_photo_id": str(uuid.uuid4()), **data}
    result = records.store_batch(db, tech, str(uuid.uuid4()), [record("equipment", inst, **fields)])
    return result["results"][0]


def stored_serial(db, inst):
    return db.execute("SELECT serial, mac FROM equipment WHERE installation_id = ?", [inst]).fetchone()


def of(result, rule):
    return [c for c in result["checks"] if c["rule"] == rule]


NORMALISED = [
    ("HWTC1A2B3C4D", "HWTC1A2B3C4D"),
    ("hwtc1a2b3c4d", "HWTC1A2B3C4D"),  # lower case, as a gloved thumb types it
    ("HWTC 1A2B 3C4D", "HWTC1A2B3C4D"),  # grouped as labels print it
    (" zteg-c0ffee01 ", "ZTEGC0FFEE01"),
]
REFUSED = [
    ("HWTC1A2B3C4", "ont_serial_length"),  # one character short
    ("HWTC1A2B3C4DE", "ont_serial_length"),  # one too many
    ("HWTC1A2B3C4G", "ont_serial_hex"),  # G is no hex digit
    ("HWTC1A2B3CO4", "ont_serial_hex"),  # an O where the 0 was
    ("HWT01A2B3C4D", "ont_serial_vendor"),  # a digit in the vendor
]
MACS = [("00:1a:2b:3c:4d:5e", "00:1A:2B:3C:4D:5E"), ("00-1A-2B-3C-4D-5E", "00:1A:2B:3C:4D:5E"),
        ("001A2B3C4D5E", "00:1A:2B:3C:4D:5E")]
WRONG_MACS = ["00:1A:2B:3C:4D", "00:1A:2B:3C:4D:5G", "00:1A-2B:3C:4D:5E", "001A2B3C4D5E6"]


@pytest.mark.parametrize(("typed", "normalised"), NORMALISED)
def test_an_ont_serial_is_normalised(db, tech, inst, typed, normalised):
    assert send(db, tech, inst, serial=typed)["status"] == "stored"
    assert stored_serial(db, inst)[0] == normalised


@pytest.mark.parametrize(("typed", "code"), REFUSED)
def test_a_serial_one_character_off_is_refused_saying_what_is_wrong(db, tech, inst, typed, code):
    answer = send(db, tech, inst, serial=typed)
    assert (answer["status"], answer["code"], answer["params"]["field"]) == ("rejected", code, "serial")
    assert stored_serial(db, inst) is None


def test_the_refusal_reads_as_a_sentence(client, auth, make):
    tech = make.user("technician", username="fitter")
    inst = make.installation([tech])
    auth.login("fitter")
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    device = record("equipment", inst, device_type="ont", model="X", serial="HWTC1A2B3CO4",
                    label_photo_id=str(uuid.uuid4()))
    body = {"key": str(uuid.uuid4()), "records": [device]}
    answer = client.post("/api/v1/batches", json=body, headers={"X-CSRFToken": token}).get_json()
    assert "check for an O typed instead of a zero" in answer["results"][0]["message"]


def test_a_router_serial_is_any_vendor_s_but_trimmed(db, tech, inst):
    assert send(db, tech, inst, device_type="router", serial=" 2102 3500 AB ")["status"] == "stored"
    assert stored_serial(db, inst)[0] == "21023500AB"


@pytest.mark.parametrize(("typed", "stored"), MACS)
def test_a_mac_in_any_usual_spelling_is_kept_one_way(db, tech, inst, typed, stored):
    assert send(db, tech, inst, mac=typed)["status"] == "stored"
    assert stored_serial(db, inst)[1] == stored


@pytest.mark.parametrize("typed", WRONG_MACS)
def test_a_wrong_mac_is_refused(db, tech, inst, typed):
    answer = send(db, tech, inst, mac=typed)
    assert (answer["status"], answer["code"], answer["params"]["field"]) == ("rejected", "mac_format", "mac")


def test_the_label_barcode_saying_the_typed_serial_passes(db, ev, tech, inst):
    photo = ev.equipment(tech, inst, SERIAL)
    assert barcodes.codes(photo) == [SERIAL]
    assert [c["verdict"] for c in of(checks.run_all(db, inst), "equipment.label_match")] == ["pass"]


def test_a_typed_serial_the_label_contradicts_fails(db, ev, tech, inst):
    ev.equipment(tech, inst, SERIAL, label="HWTC1A2B3C4E")  # transposed at the last digit
    (found,) = of(checks.run_all(db, inst), "equipment.label_match")
    assert (found["verdict"], found["value"], found["threshold"]) == ("fail", "HWTC1A2B3C4E", SERIAL)


def test_a_qr_label_with_a_prefix_is_read_too(db, ev, tech, inst):
    data = label_jpeg(f"SN:{SERIAL};MAC:001A2B3C4D5E", symbology="qr")
    photo = ev.photo(tech, inst, "equipment_label", data)
    ev.batch(tech, record("equipment", inst, device_type="ont", model="F660", serial=SERIAL,
                          label_photo_id=photo["id"]))
    assert [c["verdict"] for c in of(checks.run_all(db, inst), "equipment.label_match")] == ["pass"]


def test_a_label_without_a_readable_code_is_left_to_the_reviewer(db, ev, tech, inst):
    photo = ev.photo(tech, inst, "equipment_label", jpeg(5))
    ev.batch(tech, record("equipment", inst, device_type="ont", model="F660", serial=SERIAL,
                          label_photo_id=photo["id"]))
    assert barcodes.codes(photo) == []
    assert [c["verdict"] for c in of(checks.run_all(db, inst), "equipment.label_match")] == ["warn"]


def test_only_label_photos_are_read(db, ev, tech, inst):
    photo = ev.photo(tech, inst, "cable_entry", label_jpeg(SERIAL))
    assert photo["label_codes"] is None


def test_a_device_whose_label_photo_has_not_arrived_fails(db, tech, inst):
    send(db, tech, inst)
    (found,) = of(checks.run_all(db, inst), "equipment.label_photo")
    assert found["verdict"] == "fail"
    assert of(checks.run_all(db, inst), "equipment.ont")[0]["verdict"] == "pass"


def test_no_ont_fails_where_the_profile_requires_one(db, inst):
    assert of(checks.run_all(db, inst), "equipment.ont")[0]["verdict"] == "fail"


def test_a_serial_at_two_institutions_is_flagged_at_both(db, ev, make, tech, inst):
    other = make.installation([tech])
    ev.equipment(tech, inst, SERIAL, seed=1)
    ev.equipment(tech, other, SERIAL, seed=2)
    here = of(checks.run_all(db, inst), "equipment.serial_reused")
    there = of(checks.run_all(db, other), "equipment.serial_reused")
    assert [(c["verdict"], c["value"]) for c in here] == [("fail", [other])]
    assert [(c["verdict"], c["value"]) for c in there] == [("fail", [inst])]


def test_the_same_serial_twice_at_one_institution_is_no_reuse(db, ev, tech, inst):
    ev.equipment(tech, inst, SERIAL, seed=1)
    ev.equipment(tech, inst, SERIAL, seed=2)
    assert of(checks.run_all(db, inst), "equipment.serial_reused") == []


def test_equipment_is_in_the_csv_and_geojson(db, ev, app, tech, inst):
    ev.equipment(tech, inst, SERIAL, mac="00:1a:2b:3c:4d:5e")
    rows = exports.rows(db, app.config["TAG_KEYS"], {})
    row = next(r for r in rows if r["installation_id"] == inst)
    assert (row["equipment"], row["equipment_list"]) == (1, f"ont:HG8245H:{SERIAL}:00:1A:2B:3C:4D:5E")
    assert f"ont:HG8245H:{SERIAL}" in exports.to_csv(rows)
    features = exports.to_geojson(rows)["features"]
    feature = next(f for f in features if f["properties"]["installation_id"] == inst)
    assert feature["properties"]["equipment_list"].startswith(f"ont:HG8245H:{SERIAL}")


def test_the_review_page_shows_the_device_and_what_its_label_says(client, auth, db, ev, make, tech, inst):
    make.user("supervisor", username="sup", regions=["KZ-31"])
    other = make.installation([tech])
    ev.equipment(tech, inst, SERIAL, label="HWTC1A2B3C4E", mac="001A2B3C4D5E", seed=1)
    ev.equipment(tech, other, SERIAL, seed=2)
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    table = page.split('<table class="data equipment')[1].split("</table>")[0]
    assert SERIAL in table and "00:1A:2B:3C:4D:5E" in table
    assert "the label&#39;s barcode says HWTC1A2B3C4E" in table
    assert f'href="/review/{other}#equipment"' in table


def test_the_packet_prints_the_equipment(client, auth, db, ev, make, tech):
    from fieldapp import decisions

    sup = make.user("supervisor", username="sup", regions=["KZ-31"])
    inst = make.installation([tech])
    ev.complete(tech, inst)
    decisions.approve(db, inst, sup["id"], "ok")
    decisions.accept(db, inst, sup["id"], "ok")
    (device,) = db.query("SELECT * FROM equipment WHERE installation_id = ?", [inst])
    auth.login("sup")
    page = client.get(f"/review/{inst}/packet").get_data(as_text=True)
    assert f'<code class="serial">{device["serial"]}</code>' in page


def test_a_returned_device_is_resolved_by_its_correction(db, ev, make, tech):
    from fieldapp import decisions

    sup = make.user("supervisor", username="sup", regions=["KZ-31"])
    inst = make.installation([tech])
    ev.complete(tech, inst)
    (device,) = db.query("SELECT * FROM equipment WHERE installation_id = ?", [inst])
    decisions.return_items(db, inst, sup["id"], [{"kind": "equipment", "ref": device["id"],
                                                  "reason": "Серийный номер с другой этикетки"}])
    fixed = record("equipment", inst, replaces=device["id"], device_type="ont", model="HG8245H",
                   serial=device["serial"], label_photo_id=device["label_photo_id"])
    ev.batch(tech, fixed)
    resolved_by = "SELECT resolved_by FROM returned_items WHERE item_kind = 'equipment'"
    assert store.scalar(db, resolved_by) == fixed["id"]


def test_m067_keeps_returned_items_and_allows_a_device_and_the_handover(tmp_path):
    import sqlite3

    from fieldapp import migrations

    old = store.connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(old, stop_before="m067_handover_equipment")
    old.execute("PRAGMA foreign_keys = OFF")  # only the returned items matter here
    row = {"review_id": 1, "installation_id": 1, "item_ref": "t", "reason": "retest"}
    old["returned_items"].insert({**row, "item_kind": "trace"})
    migrations.apply(old)
    old["returned_items"].insert({**row, "item_kind": "equipment"})
    old["returned_items"].insert({**row, "item_kind": "handover", "item_ref": ""})
    assert [r[0] for r in old.execute("SELECT item_kind FROM returned_items ORDER BY id")] == [
        "trace", "equipment", "handover"]
    with pytest.raises(sqlite3.IntegrityError):
        old["returned_items"].insert({**row, "item_kind": "bogus"})


def test_m067_keeps_the_columns_m068_adds_when_it_comes_second(tmp_path):
    """A database that had m068 before m067 (main's order before the merge) keeps its columns."""
    from fieldapp import migrations

    db = store.connect(str(tmp_path / "late.sqlite3"))
    migrations.apply(db)
    db.execute("PRAGMA foreign_keys = OFF")
    db["returned_items"].insert({"review_id": 1, "installation_id": 1, "item_kind": "photo", "item_ref": "p",
                                 "reason": "blurred", "reason_code": "blurred", "markup": "[]"})
    migrations._m067_returned_items(db)
    (row,) = db.query("SELECT item_kind, reason_code, markup FROM returned_items")
    assert row == {"item_kind": "photo", "reason_code": "blurred", "markup": "[]"}
    index = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'returned_items_installation'"
    assert store.scalar(db, index) == 1
