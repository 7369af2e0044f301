"""Admin places (issue 15): districts follow the chosen oblast, places have a stored Latin name
the English interface shows, and search finds a place typed in Latin or Cyrillic."""

import pytest

from fieldapp import places
from fieldapp import store


@pytest.fixture
def akkol(db, make):
    with store.write(db):
        district = places.district_id(db, make.region_id("KZ-11"), "Аккольский район", "Ақкөл ауданы")
        village = places.settlement_id(db, district, "114000001", "Акколь", "Ақкөл", 51.98, 70.94)
        db["institutions"].insert({"settlement_id": village, "type": "school", "name_ru": "Школа №1",
                                   "name_kk": "№1 мектеп", "lat": 51.98, "lon": 70.94,
                                   "created_at": "2026-01-01T00:00:00Z",
                                   "updated_at": "2026-01-01T00:00:00Z"})
    make.institution(region="KZ-31")  # "Село 2" in "Район KZ-31", Jambyl
    return district


def test_places_get_a_stored_latin_name(db, akkol):
    assert store.scalar(db, "SELECT name_en FROM districts WHERE id = ?", [akkol]) == "Aqköl audany"
    assert store.scalar(db, "SELECT name_en FROM settlements WHERE kato = '114000001'") == "Aqköl"


@pytest.mark.parametrize("typed", ["akkol", "Akköl", "АККОЛЬ", "ақкөл", "aqkol audany", "114000001"])
def test_search_finds_a_place_in_any_script(client, admin, akkol, typed):
    page = client.get("/admin/sites/", query_string={"q": typed}).get_data(as_text=True)
    assert "Школа №1" in page
    assert "Учреждение" not in page


def test_the_english_interface_shows_latin_place_names(client, admin, db, akkol):
    db.execute("UPDATE users SET language = 'en' WHERE username = 'boss'")
    db.conn.commit()
    page = client.get("/admin/sites/", query_string={"q": "akkol"}).get_data(as_text=True)
    assert "Aqköl audany" in page and "Aqköl" in page
    assert "Аккольский район" not in page


def test_districts_are_narrowed_to_the_chosen_oblast(client, admin, make, akkol):
    everything = client.get("/admin/sites/").get_data(as_text=True)
    assert "Aqköl audany" in everything and "Raion KZ-31" in everything  # English: Latin names
    assert 'data-region="' in everything and "<optgroup" in everything
    akmola = {"region_id": make.region_id("KZ-11")}
    narrowed = client.get("/admin/sites/", query_string=akmola).get_data(as_text=True)
    district_select = narrowed.split('name="district_id"')[1].split("</select>")[0]
    assert "Aqköl audany" in district_select and "Raion KZ-31" not in district_select
