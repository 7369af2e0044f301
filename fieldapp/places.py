"""Places: oblasts (reference data written by migration m002), districts and settlements found or created.

Districts and settlements get a Latin name (fieldapp/translit.py) when created: the English
interface shows it, and search finds a place typed in any script.
"""

from fieldapp import store
from fieldapp import translit

# Names used by the 2018 contracts, before the 2018 and 2022 changes, mapped to today's code.
OLD_NAMES = {
    "south kazakhstan": "KZ-61",
    "южно-казахстанская область": "KZ-61",
    "оңтүстік қазақстан облысы": "KZ-61",
    "zhambyl": "KZ-31",
    "jambyl": "KZ-31",
    "aqmola": "KZ-11",
    "aktyubinsk": "KZ-15",
}


def region_lookup(db):
    """Map every known spelling of an oblast (code, names, old names; lower case) to its id."""
    lookup = {}
    for row in db.query("SELECT * FROM regions"):
        for key in ("iso_code", "name_en", "name_kk", "name_ru"):
            lookup[row[key].lower()] = row["id"]
    by_code = {row["iso_code"]: row["id"] for row in db.query("SELECT id, iso_code FROM regions")}
    lookup.update({name: by_code[code] for name, code in OLD_NAMES.items() if code in by_code})
    return lookup


def district_id(db, region_id, name_ru, name_kk=None):
    """The id of a district in a region, created if new."""
    found = store.scalar(
        db, "SELECT id FROM districts WHERE region_id = ? AND name_ru = ?", [region_id, name_ru]
    )
    if found:
        return found
    row = {"region_id": region_id, "name_ru": name_ru, "name_kk": name_kk or name_ru,
           "name_en": translit.latin(name_kk or name_ru)}
    return db["districts"].insert(row).last_pk


def settlement_id(db, district, kato, name_ru, name_kk=None, lat=None, lon=None):
    """The id of the settlement with this KATO code, created in `district` if new."""
    found = store.scalar(db, "SELECT id FROM settlements WHERE kato = ?", [kato])
    if found:
        return found
    row = {
        "district_id": district,
        "kato": kato,
        "name_ru": name_ru,
        "name_kk": name_kk or name_ru,
        "name_en": translit.latin(name_kk or name_ru),  # stored: an admin may correct it
        "lat": lat,
        "lon": lon,
    }
    return db["settlements"].insert(row).last_pk
