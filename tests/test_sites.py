"""Institution pages: search, paging, create through the importer's checks, edit, deactivate, tags."""

import pytest

from fieldapp import installations
from fieldapp import institutions
from fieldapp import tags

NEW = {
    "region": "KZ-31",
    "district": "Жуалынский район",
    "kato": "311234567",
    "settlement": "Бирлик",
    "type": "school",
    "name_ru": "Школа №1 села Бирлик",
    "name_kk": "",
    "bin": "123456789012",
    "lat": "42.9",
    "lon": "71.4",
    "pupils": "320",
    "contract": "PPP-1",
}


def test_list_searches_cyrillic_case_insensitively_and_pages(client, admin, make):
    for n in range(55):
        make.institution(name_ru=f"Школа {n}")
    make.institution(name_ru="Акимат села Тасты")
    page = client.get("/admin/sites/").get_data(as_text=True)
    assert "Page 1 of 2" in page and page.count("/admin/sites/") > 50
    found = client.get("/admin/sites/?q=акимат").get_data(as_text=True)
    assert "Акимат села Тасты" in found and "Школа 3" not in found
    assert "Школа 54" in client.get("/admin/sites/?page=2").get_data(as_text=True)


def test_selection_filters_by_oblast_type_and_status(db, make):
    jambyl = make.installation(region="KZ-31", status="submitted")
    make.installation(region="KZ-55", lat=52.3, lon=76.9)
    region = make.region_id("KZ-31")
    rows, total = institutions.search(db, {"region_id": region, "status": "submitted"})
    assert total == 1 and rows[0]["id"] == installations.get(db, jambyl)["institution_id"]
    assert institutions.search(db, {"type": "hospital"})[1] == 0


def test_create_runs_the_importers_checks_and_issues_a_tag(client, admin, db, app):
    response = client.post("/admin/sites/new", data=NEW)
    assert response.status_code == 302
    site = db.execute("SELECT id, name_kk FROM institutions WHERE bin = '123456789012'").fetchone()
    assert site[1] == NEW["name_ru"]
    assert tags.active_code(db, app.config["TAG_KEYS"], site[0])
    assert (
        db.execute("SELECT contract FROM installations WHERE institution_id = ?", [site[0]]).fetchone()[0]
        == "PPP-1"
    )
    again = client.post("/admin/sites/new", data=NEW).get_data(as_text=True)
    assert "already in the database" in again


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kato", "12345", "KATO must be 9 digits"),
        ("lat", "12.0", "Number must be between"),
        ("bin", "12", "BIN must be 12 digits"),
        ("name_ru", "", "This field is required"),
    ],
)
def test_create_refuses_bad_values_beside_their_field(client, admin, db, field, value, message):
    page = client.post("/admin/sites/new", data={**NEW, field: value}).get_data(as_text=True)
    assert message in page
    assert db["institutions"].count == 0


def test_edit_deactivate_and_reissue_tag(client, admin, db, make, app):
    other = make.institution(bin="999999999999")
    site = make.institution()
    keys = app.config["TAG_KEYS"]
    old = tags.issue(db, keys, site)
    data = {
        "type": "akimat",
        "name_ru": "Акимат",
        "name_kk": "Әкімдік",
        "bin": "",
        "address": "ул. Абая 1",
        "lat": "43.0",
        "lon": "71.5",
        "pupils": "",
        "contracted_down_mbps": "50",
        "contracted_up_mbps": "50",
    }
    assert client.post(f"/admin/sites/{site}", data=data).status_code == 302
    assert institutions.get(db, site)["name_kk"] == "Әкімдік"
    clash = client.post(f"/admin/sites/{site}", data={**data, "bin": "999999999999"}).get_data(as_text=True)
    assert "already has this BIN" in clash and institutions.get(db, other)["bin"] == "999999999999"
    client.post(f"/admin/sites/{site}/tag")
    assert tags.active_code(db, keys, site) not in (None, old)
    with pytest.raises(tags.TagError):
        tags.resolve(db, keys, old)
    client.post(f"/admin/sites/{site}/active")
    assert institutions.get(db, site)["active"] == 0
    assert "Акимат" not in client.get("/admin/sites/").get_data(as_text=True)
    assert "Акимат" in client.get("/admin/sites/?active=0").get_data(as_text=True)


def test_single_installation_crew(client, admin, db, make):
    tech, tech2 = make.user(), make.user()
    work = make.installation([tech])
    client.post(f"/admin/sites/installations/{work}/crew", data={f"w{work}-technicians": [tech2["id"]]})
    assert installations.technicians(db, work) == [tech2["id"]]


def test_issue_missing_tags_button(client, admin, db, make, app):
    site = make.institution()
    assert "have no QR tag" in client.get("/admin/sites/").get_data(as_text=True)
    client.post("/admin/sites/tags/missing")
    assert tags.active_code(db, app.config["TAG_KEYS"], site)


def test_import_sites_cli_issues_tags(runner, db, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(",".join(NEW) + "\n" + ",".join(NEW.values()) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import-sites", str(path)])
    assert result.exit_code == 0, result.output
    assert "issued 1 QR tag" in result.output
