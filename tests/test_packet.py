"""The acceptance packet: the printable page and the ZIP, for accepted installations only."""

import csv
import hashlib
import io
import json
import re
import zipfile

import pytest
from PIL import Image

from fieldapp import decisions
from fieldapp import packet
from fieldapp import store
from fieldapp.evidence.kinds import KINDS
from tests import review_evidence
from tests.review_evidence import Evidence


@pytest.fixture
def people(make):
    return {"tech": make.user("technician", "tech"), "sup": make.user("supervisor", "sup", regions=["KZ-31"])}


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


@pytest.fixture
def accepted(db, make, ev, people):
    """An installation taken through approve and accept by the supervisor."""
    inst = make.installation([people["tech"]], bin="123456789012")
    shots = ev.complete(people["tech"], inst)
    decisions.approve(db, inst, people["sup"]["id"], "Looks right")
    decisions.accept(db, inst, people["sup"]["id"], "Handed over")
    return inst, shots


def test_zip_holds_originals_records_and_audit(db, ev, accepted):
    inst, shots = accepted
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, inst)))
    names = set(files.namelist())
    for table in (kind.TABLE for kind in KINDS):
        assert {f"{table}.csv", f"{table}.json"} <= names
    originals = {n for n in names if n.startswith("photos/")}
    assert len(originals) == len(shots)
    for shot, row in shots.items():
        data = files.read(f"photos/{shot}-{row['id']}.jpg")
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
    splices = _parse(files.read("splices.csv"))
    assert len(splices) == 2 and splices[0]["loss_1310_ab"] == "0,05"
    summary = json.loads(files.read("installation.json"))
    assert [r["decision"] for r in summary["reviews"]] == ["accept", "approve"]
    assert summary["result"]["summary"]["verdict"] == "pass"
    actions = [e["action"] for e in json.loads(files.read("audit.json"))]
    assert {"create", "approve", "accept", "status"} <= set(actions)


def test_write_zip_under_a_prefix_for_bulk_exports(db, ev, accepted):
    inst, _ = accepted
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        packet.write_zip(zf, db, ev.blobs, inst, prefix=f"KZ-31/{inst}/")
    names = zipfile.ZipFile(buffer).namelist()
    assert all(n.startswith(f"KZ-31/{inst}/") for n in names)
    assert packet.accepted_ids(db) == [inst]


def test_printable_page_and_zip_download(client, auth, accepted):
    inst, shots = accepted
    auth.login("sup")
    page = client.get(f"/review/{inst}/packet").get_data(as_text=True)
    for text in ("Acceptance packet", "123456789012", "Handed over", "State customer", "0.06"):
        assert text in page
    assert page.count('class="sign-line"') == 3
    assert page.count("/display") == len(shots)
    response = client.get(f"/review/{inst}/packet.zip")
    assert response.mimetype == "application/zip"
    assert "photos/" in " ".join(zipfile.ZipFile(io.BytesIO(response.data)).namelist())


def test_packet_prints_from_a_button_and_translates_its_checks(client, auth, accepted):
    inst, _ = accepted
    auth.login("sup")
    page = client.get(f"/review/{inst}/packet").get_data(as_text=True)
    # The CSP forbids inline scripts: the button is wired up by a static file, hidden until then.
    assert re.search(r"<button [^>]*data-print[^>]*hidden[^>]*>Print</button>", page)
    assert '<script type="module" src="/static/js/print.js">' in page and "onclick" not in page
    assert "window.print()" in client.get("/static/js/print.js").get_data(as_text=True)
    assert 'class="data checks stack"' in page and 'data-label="Limit"' in page
    assert "1 matched tag scan<" in page and "In-app test" in page and ">browser<" not in page


def test_no_packet_before_acceptance_or_outside_the_region(client, auth, make, people, accepted):
    inst, _ = accepted
    pending = make.installation([people["tech"]], status="approved")
    make.user("supervisor", "far", regions=["KZ-63"])
    auth.login("sup")
    assert client.get(f"/review/{pending}/packet").status_code == 404
    assert client.get(f"/review/{pending}/packet.zip").status_code == 404
    auth.login("far")
    assert client.get(f"/review/{inst}/packet.zip").status_code == 404
    auth.login("tech")
    assert client.get(f"/review/{inst}/packet").status_code == 403


def test_packet_csv_writes_field_text_as_text(db, ev, accepted, people):
    inst, _ = accepted
    formula = '=HYPERLINK("http://evil.example","click")'
    with store.write(db):
        db["notes"].insert({"id": "n-1", "installation_id": inst, "author_id": people["tech"]["id"],
                            "device_time": "x", "received_at": "x", "text": formula, "content_hash": "x"})
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, inst)))
    notes = _parse(files.read("notes.csv"))
    assert [n["text"] for n in notes if n["id"] == "n-1"] == ["'" + formula]
    assert json.loads(files.read("notes.json"))[-1]["text"] == formula  # JSON keeps the exact text


def test_a_webp_photo_is_packed_and_printed_as_the_webp_it_is(db, client, auth, make, ev, people):
    """The phone sends WebP where its browser encodes it: the ZIP names it .webp, not .jpg, and
    the printable page shows its display version (the WebP itself)."""
    inst = make.installation([people["tech"]])
    shots = ev.complete(people["tech"], inst, submit=False)
    shot, old = next(iter(shots.items()))
    with Image.open(io.BytesIO(review_evidence.jpeg(300))) as img:
        out = io.BytesIO()
        img.save(out, "WEBP", quality=80, exif=img.getexif())  # its time and place kept
    webp = ev.photo(people["tech"], inst, shot, out.getvalue(), replaces=old["id"])
    ev.batch(people["tech"], review_evidence.record("submission", inst, comment=""))
    decisions.approve(db, inst, people["sup"]["id"], "Looks right")
    decisions.accept(db, inst, people["sup"]["id"], "Handed over")
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, inst)))
    data = files.read(f"photos/{shot}-{webp['id']}.webp")
    assert hashlib.sha256(data).hexdigest() == webp["sha256"]
    auth.login("sup")
    assert f"/photos/{webp['id']}/display" in client.get(f"/review/{inst}/packet").get_data(as_text=True)
    assert client.get(f"/photos/{webp['id']}/display").mimetype == "image/webp"


def _parse(data):
    """A packet CSV as Excel in kk/ru reads it: UTF-8 with BOM, ';' between cells."""
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_packet_csvs_open_in_excel_with_kazakh_and_russian_settings(db, ev, accepted, people):
    """';' between cells and decimal commas in losses; text, ids and times exactly as in the JSON."""
    inst, _ = accepted
    with store.write(db):
        db["notes"].insert({"id": "n-2", "installation_id": inst, "author_id": people["tech"]["id"],
                            "device_time": "2026-11-20T10:00:00.000Z",
                            "received_at": "2026-11-20T10:00:01.000Z",
                            "text": "1.5; then 2,5 \"dB\"\nnext line", "content_hash": "x"})
    files = zipfile.ZipFile(io.BytesIO(packet.build_zip(db, ev.blobs, inst)))
    assert len(_parse(files.read("audit.csv"))) == len(json.loads(files.read("audit.json")))
    for name in (kind.TABLE for kind in KINDS):
        data = files.read(f"{name}.csv")
        rows = _parse(data)
        records = json.loads(files.read(f"{name}.json"))
        assert data.count(b"\r\n") >= (len(rows) + 1 if rows else 0) and len(rows) == len(records), name
        for row, record in zip(rows, records, strict=True):
            assert set(row) == set(record), name  # the JSON sorts its keys
            for column, value in record.items():
                if isinstance(value, float):
                    value = str(value).replace(".", ",")
                elif isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                    value = "'" + value  # the formula guard: a phone number +7… stays text
                assert row[column] == ("" if value is None else str(value)), (name, column)
    note = next(n for n in _parse(files.read("notes.csv")) if n["id"] == "n-2")
    assert note["text"] == "1.5; then 2,5 \"dB\"\nnext line"
    assert note["received_at"] == "2026-11-20T10:00:01.000Z"
