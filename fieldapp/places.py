"""Places: the 17 oblasts (reference data), and districts and settlements found or created."""

from fieldapp import store

# ISO 3166-2:KZ since June 2022: (code, English, Kazakh, Russian).
REGIONS = [
    ("KZ-10", "Abai", "Абай облысы", "Абайская область"),
    ("KZ-11", "Akmola", "Ақмола облысы", "Акмолинская область"),
    ("KZ-15", "Aktobe", "Ақтөбе облысы", "Актюбинская область"),
    ("KZ-19", "Almaty", "Алматы облысы", "Алматинская область"),
    ("KZ-23", "Atyrau", "Атырау облысы", "Атырауская область"),
    ("KZ-27", "West Kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    ("KZ-31", "Jambyl", "Жамбыл облысы", "Жамбылская область"),
    ("KZ-33", "Jetisu", "Жетісу облысы", "Область Жетісу"),
    ("KZ-35", "Karaganda", "Қарағанды облысы", "Карагандинская область"),
    ("KZ-39", "Kostanay", "Қостанай облысы", "Костанайская область"),
    ("KZ-43", "Kyzylorda", "Қызылорда облысы", "Кызылординская область"),
    ("KZ-47", "Mangystau", "Маңғыстау облысы", "Мангистауская область"),
    ("KZ-55", "Pavlodar", "Павлодар облысы", "Павлодарская область"),
    ("KZ-59", "North Kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    ("KZ-61", "Turkistan", "Түркістан облысы", "Туркестанская область"),
    ("KZ-62", "Ulytau", "Ұлытау облысы", "Область Улытау"),
    ("KZ-63", "East Kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
]
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


def ensure_regions(db):
    """Insert any of the 17 oblasts that are missing (idempotent)."""
    with store.write(db):
        db["regions"].insert_all(
            ({"iso_code": c, "name_en": en, "name_kk": kk, "name_ru": ru} for c, en, kk, ru in REGIONS),
            ignore=True,
        )


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
    row = {"region_id": region_id, "name_ru": name_ru, "name_kk": name_kk or name_ru}
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
        "lat": lat,
        "lon": lon,
    }
    return db["settlements"].insert(row).last_pk
