"""Admin pages: rights, CSV import (preview, then all or nothing), bulk crew assignment."""

import io
import os
import re

import pytest

from fieldapp import installations
from fieldapp import tags

HEADER = "region,district,kato,settlement,type,name_ru,lat,lon,bin\n"
GOOD = [
    "KZ-31,Жуалынский район,311000001,Бирлик,school,Школа №1,42.9,71.4,100000000001",
    "Жамбылская область,Жуалынский район,311000002,Акжар,akimat,Аппарат акима,42.8,71.3,100000000002",
    "south kazakhstan,Сайрамский район,611000003,Аксу,public_wifi,Точка Wi-Fi,42.3,69.8,",
]
ADMIN_PAGES = [
    "/admin/",
    "/admin/sites/",
    "/admin/sites/new",
    "/admin/import",
    "/admin/assign",
    "/admin/labels",
    "/admin/exports",
    "/admin/exports/institutions.csv",
    "/admin/exports/institutions.geojson",
    "/admin/exports/packets",
    "/admin/users/",
    "/admin/users/new",
]


def _upload(client, text, contract=""):
    data = {"csv_file": (io.BytesIO(text.encode("utf-8")), "sites.csv"), "contract": contract}
    return client.post("/admin/import", data=data, content_type="multipart/form-data")


@pytest.mark.parametrize("role", ["technician", "supervisor"])
def test_technicians_and_supervisors_get_403(client, make, auth, role):
    make.user(role, username="someone", regions=["KZ-31"])
    auth.login("someone")
    refused = {url: client.get(url).status_code for url in ADMIN_PAGES}
    assert refused == dict.fromkeys(ADMIN_PAGES, 403)


@pytest.mark.parametrize(
    "url", ["/admin/sites/1/tag", "/admin/import/confirm", "/admin/users/1/password", "/admin/labels/sheets",
            "/admin/exports/packets"]
)
def test_posts_are_refused_too(client, make, auth, url):
    make.user("supervisor", username="someone")
    auth.login("someone")
    assert client.post(url).status_code == 403


def test_signed_out_is_sent_to_login(client):
    assert "/login" in client.get("/admin/sites/").headers["Location"]


def test_admin_reaches_every_page(client, admin):
    for url in ADMIN_PAGES:
        assert client.get(url).status_code in (200, 302), url


def test_import_preview_then_confirm_imports_all_rows_with_tags(client, admin, db, app):
    response = _upload(client, HEADER + "\n".join(GOOD) + "\n", contract="PPP-7")
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "All 3 rows are valid" in preview and "Точка Wi-Fi" in preview
    assert db["institutions"].count == 0  # nothing written by the preview
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)
    done = client.post("/admin/import/confirm", data={"token": token, "contract": "PPP-7"})
    assert done.status_code == 302
    assert db["institutions"].count == 3
    assert db.execute("SELECT COUNT(*) FROM installations WHERE contract = 'PPP-7'").fetchone()[0] == 3
    assert db.execute("SELECT COUNT(*) FROM tags WHERE revoked_at IS NULL").fetchone()[0] == 3
    assert not os.listdir(os.path.join(os.path.dirname(app.config["DATABASE"]), "imports"))
    again = client.post("/admin/import/confirm", data={"token": token, "contract": "PPP-7"})
    assert "/admin/import" in again.headers["Location"] and db["institutions"].count == 3


def test_one_bad_row_means_nothing_is_imported_and_every_problem_is_listed(client, admin, db):
    bad = GOOD + ["KZ-99,Район,12345,Село,castle,Замок,10.0,71.0,"]
    preview = client.get(_upload(client, HEADER + "\n".join(bad)).headers["Location"]).get_data(as_text=True)
    for message in (
        "unknown oblast",
        "KATO must be 9 digits",
        "unknown institution type",
        "is not inside Kazakhstan",
    ):
        assert message in preview
    assert ">5</td>" in preview  # the line number of the bad row
    assert "Import all" not in preview
    assert db["institutions"].count == 0


def test_confirm_rechecks_the_file_against_the_database(client, admin, db, make):
    preview = client.get(_upload(client, HEADER + GOOD[0]).headers["Location"]).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview).group(1)
    make.institution(bin="100000000001")  # someone else added the same BIN meanwhile
    client.post("/admin/import/confirm", data={"token": token})
    assert db["institutions"].count == 1


@pytest.mark.parametrize("token", ["../../etc/passwd", "short", "a" * 80])
def test_tokens_cannot_reach_other_files(client, admin, token):
    assert client.post("/admin/import/confirm", data={"token": token}).status_code == 400


def test_non_utf8_file_is_refused_with_a_hint(client, admin):
    data = {"csv_file": (io.BytesIO(HEADER.encode("utf-16")), "sites.csv")}
    page = client.post("/admin/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "not UTF-8" in page


def test_bulk_assign_all_schools_in_a_district(client, admin, db, make):
    tech, tech2 = make.user(), make.user()
    schools = [make.installation([tech2], region="KZ-31") for _ in range(3)]
    hospital = make.installation(region="KZ-31", type="hospital")
    elsewhere = make.installation(region="KZ-55", lat=52.3, lon=76.9)
    district = installations.get(db, schools[0])["district_id"]
    page = client.get(f"/admin/assign?district_id={district}&type=school").get_data(as_text=True)
    assert "3 installations selected" in page
    client.post(
        "/admin/assign",
        data={"district_id": district, "type": "school", "technicians": [tech["id"]], "mode": "add"},
    )
    assert all(installations.technicians(db, s) == sorted([tech["id"], tech2["id"]]) for s in schools)
    assert installations.technicians(db, hospital) == [] and installations.technicians(db, elsewhere) == []
    client.post(
        "/admin/assign",
        data={"district_id": district, "type": "school", "technicians": [tech["id"]], "mode": "replace"},
    )
    assert all(installations.technicians(db, s) == [tech["id"]] for s in schools)


def test_progress_is_open_to_supervisors_within_their_regions(client, make, auth, db, app):
    make.user("supervisor", username="super", regions=["KZ-31"])
    make.installation(region="KZ-31", name_ru="Школа Жамбыл")
    make.installation(region="KZ-55", lat=52.3, lon=76.9, name_ru="Школа Павлодар")
    tags.issue_missing(db, app.config["TAG_KEYS"])
    auth.login("super")
    assert client.get("/progress/").status_code == 200
    names = [p["n"] for p in client.get("/progress/map.json").get_json()["points"]]
    assert names == ["Школа Жамбыл"]
