"""Exports: the CSV parses with the csv module, the GeoJSON is structurally valid RFC 7946, packets zip."""

import csv
import io
import json
import uuid
import zipfile

import pytest

from fieldapp import exports
from fieldapp import installations
from fieldapp import migrations
from fieldapp import site_import
from fieldapp import store
from fieldapp import tags


def add_record(db, table, installation_id, author_id, received_at="2026-11-20T10:00:00.000Z", **fields):
    """A field record as the sync API would store it (only the columns a test cares about)."""
    row = {
        "id": str(uuid.uuid4()),
        "installation_id": installation_id,
        "author_id": author_id,
        "device_time": received_at,
        "received_at": received_at,
        "content_hash": "x",
        **fields,
    }
    with store.write(db):
        db[table].insert(row)
    return row["id"]


SPLICE = {
    "closure_label": "M1",
    "closure_type": "dome",
    "tray": 1,
    "slot": 1,
    "a_cable": "A",
    "a_tube": 1,
    "a_fiber": 1,
    "b_cable": "B",
    "b_tube": 1,
    "b_fiber": 1,
    "splice_type": "fusion",
}


@pytest.fixture
def site(db, make, app):
    """An accepted installation: two splices (one corrected), two wired and one Wi-Fi test, a photo."""
    tech = make.user(username="tech")
    work = make.installation([tech], status="accepted", name_ru="Школа №1, «Балапан»")
    first = add_record(db, "splices", work, tech["id"], **SPLICE, loss_1550_ab=0.30, loss_1550_ba=0.20)
    add_record(
        db, "splices", work, tech["id"], **SPLICE, loss_1550_ab=0.06, loss_1550_ba=0.04, replaces=first
    )
    add_record(db, "splices", work, tech["id"], **{**SPLICE, "slot": 2}, loss_1550_ab=0.12, loss_1550_ba=0.08)
    for down, connection in ((95.0, "wired"), (105.0, "wired"), (20.0, "wifi")):
        add_record(
            db,
            "speed_tests",
            work,
            tech["id"],
            method="browser",
            connection=connection,
            down_mbps=down,
            up_mbps=down / 2,
        )
    photo = add_record(
        db, "photos", work, tech["id"], shot="cable_entry", size=10, sha256="0" * 64, status="complete"
    )
    make.installation(region="KZ-55", lat=52.3, lon=76.9)
    tags.issue_missing(db, app.config["TAG_KEYS"])
    return {"installation": work, "photo": photo, "tech": tech}


def test_rows_count_current_records_only(db, site, app):
    rows = exports.rows(db, app.config["TAG_KEYS"], {})
    row = next(r for r in rows if r["installation_id"] == site["installation"])
    assert row["splices"] == 2  # the corrected splice counts once
    assert row["splice_mean_db"] == pytest.approx(0.075) and row["splice_max_db"] == pytest.approx(0.10)
    assert row["speed_tests"] == 2 and row["down_mbps_median"] == 100.0 and row["up_mbps_median"] == 50.0
    assert row["photo_list"] == f"cable_entry:{site['photo']}"
    assert tags.verify(app.config["TAG_KEYS"], row["tag"])


def test_csv_download_parses_with_the_csv_module(client, make, auth, site):
    make.user("admin", username="boss")
    auth.login("boss")
    response = client.get("/admin/exports/institutions.csv")
    assert response.mimetype == "text/csv"
    parsed = _parse(response.data)
    assert len(parsed) == 2 and list(parsed[0]) == list(exports.CSV_COLUMNS)
    school = next(r for r in parsed if r["installation_id"] == str(site["installation"]))
    assert school["name_ru"] == "Школа №1, «Балапан»" and school["status"] == "accepted"
    assert school["splices"] == "2"
    only_jambyl = client.get("/admin/exports/institutions.csv?region_id=" + str(make.region_id("KZ-31")))
    assert len(_parse(only_jambyl.data)) == 1


def _parse(body):
    """The CSV as Excel in kk/ru reads it: UTF-8 with BOM, ';' between cells."""
    assert body.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_is_for_excel_in_kazakh_and_russian(client, make, auth, site, app, db):
    """Excel with kk/ru settings splits on ';' and reads '0,075' as a number; '0.075' was a date."""
    make.installation(name_ru="Школа; №2", name_kk="1.5", bin="123456789012")
    make.user("admin", username="boss")
    auth.login("boss")
    body = client.get("/admin/exports/institutions.csv").data
    assert body.count(b"\r\n") == body.count(b"\n") == 4  # a header and three rows, CRLF
    parsed = _parse(body)
    before = {str(r["installation_id"]): r for r in exports.rows(db, app.config["TAG_KEYS"], {})}
    school = next(r for r in parsed if r["installation_id"] == str(site["installation"]))
    assert (school["lat"], school["lon"]) == ("42,9", "71,4")
    assert (school["splice_mean_db"], school["splice_max_db"]) == ("0,075", "0,1")
    assert (school["down_mbps_median"], school["up_mbps_median"]) == ("100,0", "50,0")
    for row in parsed:  # every other cell as the old comma file had it: text, ids, times, counts
        old = before[row["installation_id"]]
        for column, value in row.items():
            expected = str(old[column])
            if isinstance(old[column], float):
                expected = expected.replace(".", ",")
            assert value == expected, column
    other = next(r for r in parsed if r["name_ru"] == "Школа; №2")
    assert (other["name_kk"], other["bin"]) == ("1.5", "123456789012")  # text keeps its point
    assert "." in school["updated_at"]  # an ISO time with milliseconds, untouched


def test_an_exported_list_imports_again_as_the_same_sites(db, make, app, tmp_path):
    """What an admin exports, edits in Excel and saves (';', decimal commas) the importer takes."""
    make.installation(name_ru="Школа; №1, «Балапан»", name_kk="1.5", bin="123456789012", lat=42.7712)
    make.installation(region="KZ-55", lat=52.3, lon=76.9)
    make.institution(region="KZ-63", lat=49.95, lon=82.61, name_ru="ФАП без установки")
    keys = app.config["TAG_KEYS"]
    text = exports.to_csv(exports.rows(db, keys, {}))
    fresh = store.connect(str(tmp_path / "fresh.sqlite3"))
    migrations.apply(fresh)
    rows, problems = site_import.parse(fresh, text)
    assert problems == []
    site_import.import_rows(fresh, rows)
    same = ("region_iso", "region", "district", "settlement", "kato", "type", "name_ru", "name_kk",
            "lat", "lon", "bin", "contract", "active")
    def sites(connection):
        return sorted(tuple(r[c] for c in same) for r in exports.rows(connection, keys, {}))
    assert sites(fresh) == sites(db) and len(sites(db)) == 3


def _check_feature_collection(data):
    """RFC 7946 structure: a FeatureCollection of Features with [lon, lat] Points inside WGS 84 ranges."""
    assert data["type"] == "FeatureCollection" and isinstance(data["features"], list)
    for feature in data["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        assert isinstance(feature["id"], (str, int))
        geometry = feature["geometry"]
        assert geometry["type"] == "Point" and len(geometry["coordinates"]) == 2
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_geojson_is_valid_and_in_lon_lat_order(client, make, auth, site):
    make.user("admin", username="boss")
    auth.login("boss")
    response = client.get("/admin/exports/institutions.geojson")
    assert response.mimetype == "application/geo+json"
    data = json.loads(response.data)
    _check_feature_collection(data)
    jambyl = next(f for f in data["features"] if f["properties"]["installation_id"] == site["installation"])
    assert jambyl["geometry"]["coordinates"] == [71.4, 42.9]  # longitude first
    assert jambyl["properties"]["status"] == "accepted" and jambyl["properties"]["down_mbps_median"] == 100.0


def test_packets_zip_has_one_folder_per_accepted_installation(client, make, auth, site, db, finished_job):
    make.user("admin", username="boss")
    auth.login("boss")
    chosen = client.get("/admin/exports/packets").get_data(as_text=True)
    assert "1 accepted installation in this set." in chosen
    job_url = client.post("/admin/exports/packets").headers["Location"]
    status = finished_job(job_url)
    assert status["state"] == "ready" and status["message"] == "The packet of 1 installation is ready."
    response = client.get(f"{job_url}/file")
    assert response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    district = installations.get(db, site["installation"])["district_id"]
    assert f"KZ-31/{district}/{site['installation']}-" in names[0]
    assert any(name.endswith("/installation.json") for name in names)
    assert len({name.split("/")[2] for name in names}) == 1  # only the accepted one


def test_packets_with_nothing_accepted_says_so(client, make, auth, db):
    make.user("admin", username="boss")
    make.installation()
    auth.login("boss")
    response = client.get("/admin/exports/packets", follow_redirects=True)
    assert "No accepted installations" in response.get_data(as_text=True)
    response = client.post("/admin/exports/packets", follow_redirects=True)  # reopened since counted
    assert "No accepted installations" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0


def test_a_packets_zip_the_disk_has_no_room_for_is_refused(app, client, make, auth, site, db):
    """Photos arriving from the phones must never find the disk full of an admin's export."""
    make.user("admin", username="boss")
    auth.login("boss")
    page = client.get("/admin/exports/packets").get_data(as_text=True)
    assert "About " in page and "not enough" not in page
    app.config["JOB_DISK_RESERVE_BYTES"] = 2**62  # keep more free than any disk has
    page = client.get("/admin/exports/packets").get_data(as_text=True)
    assert "not enough. Choose one oblast or district at a time." in page
    refused = client.post("/admin/exports/packets", follow_redirects=True).get_data(as_text=True)
    assert "Not enough disk space for this ZIP" in refused
    assert db.execute("SELECT COUNT(*) FROM jobs").fetchone()[0] == 0


def test_the_packets_size_estimate_is_its_stored_photos_and_a_little_per_packet(db, site):
    unstored = exports.packets_size(db, [site["installation"]])
    assert unstored == exports.PACKET_OVERHEAD_BYTES  # its photo has no file yet
    db.execute("UPDATE photos SET blob_key = 'ab/cd', size = 300000 WHERE id = ?", [site["photo"]])
    db.conn.commit()
    assert exports.packets_size(db, [site["installation"]]) == 300000 + exports.PACKET_OVERHEAD_BYTES
    assert exports.packets_size(db, []) == 0


def test_csv_cells_from_the_field_are_not_formulas(client, make, auth):
    """Review L1: a name typed as =HYPERLINK(...) stays text in the admin CSV."""
    make.installation(name_ru='=HYPERLINK("http://evil.example","click")', name_kk="@SUM(A1)")
    make.user("admin", username="boss")
    auth.login("boss")
    parsed = _parse(client.get("/admin/exports/institutions.csv").data)
    assert parsed[0]["name_ru"] == '\'=HYPERLINK("http://evil.example","click")'
    assert parsed[0]["name_kk"] == "'@SUM(A1)"
