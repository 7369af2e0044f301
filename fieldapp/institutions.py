"""Institutions as admins manage them: choose a set, search, edit, deactivate, assign crews.

A "selection" (oblast, district, type, status, text) is the one way every admin screen picks
institutions, so the list, the label sheets, the exports and bulk assignment agree on what
"all schools in this district" means.
"""

import csv
import io

from fieldapp import audit
from fieldapp import clock
from fieldapp import installations
from fieldapp import store
from fieldapp import translit

PAGE_SIZE = 50
MAX_PAGE = 10**9
EDITABLE = (
    "type",
    "name_ru",
    "name_kk",
    "bin",
    "address",
    "lat",
    "lon",
    "pupils",
    "contracted_down_mbps",
    "contracted_up_mbps",
)
PLACE_JOINS = """JOIN settlements s ON s.id = i.settlement_id
JOIN districts d ON d.id = s.district_id
JOIN regions r ON r.id = d.region_id"""
FROM = f"FROM institutions i {PLACE_JOINS}"
COLUMNS = """i.*, s.name_ru AS settlement_ru, s.name_kk AS settlement_kk, s.name_en AS settlement_en, s.kato,
    d.id AS district_id, d.name_ru AS district_ru, d.name_kk AS district_kk, d.name_en AS district_en,
    d.region_id,
    r.iso_code AS region_iso, r.name_en AS region_en, r.name_ru AS region_ru, r.name_kk AS region_kk"""
ORDER = "r.name_ru, d.name_ru, s.name_ru, i.name_ru, i.id"
KEYED = (
    ("institution_id", "i.id"),
    ("region_id", "d.region_id"),
    ("district_id", "d.id"),
    ("type", "i.type"),
)
SEARCHED = ("i.name_ru", "i.name_kk", "i.bin", "s.name_ru", "s.name_kk", "s.kato", "d.name_ru", "d.name_kk")


def _key(text):
    """A column's search key in Python (translit.py): "akkol" finds "Акколь" and "Ақкөл", and
    SQLite's lower() and LIKE, which fold only ASCII, are not used at all."""
    return translit.search_key(text) if isinstance(text, str) else ""


def where(db, selection):
    """An SQL condition and parameters for a selection; needs aliases i, s, d (see FROM)."""
    clauses, params = [], []
    for key, column in KEYED:
        if selection.get(key):
            clauses.append(f"{column} = ?")
            params.append(selection[key])
    if selection.get("status"):
        clauses.append(
            "EXISTS (SELECT 1 FROM installations x WHERE x.institution_id = i.id AND x.status = ?)"
        )
        params.append(selection["status"])
    active = selection.get("active", "1")
    if active in ("0", "1"):
        clauses.append("i.active = ?")
        params.append(int(active))
    words = [translit.search_key(word) for word in (selection.get("q") or "").split()]
    words = [word for word in words if word]
    if words:
        # Every word typed is in one of the columns, in whichever script either was written.
        db.conn.create_function("search_key", 1, _key, deterministic=True)
        row_key = " || ' ' || ".join(f"search_key({c})" for c in SEARCHED)
        for word in words:
            clauses.append(f"instr({row_key}, ?) > 0")
            params.append(word)
    return " AND ".join(clauses) or "1 = 1", params


def search(db, selection, page=1, per_page=PAGE_SIZE):
    """One page of institutions in a selection, with place, active tag and statuses; and the total."""
    condition, params = where(db, selection)
    total = store.scalar(db, f"SELECT COUNT(*) {FROM} WHERE {condition}", params)
    sql = f"""SELECT {COLUMNS},
        (SELECT t.id FROM tags t WHERE t.institution_id = i.id AND t.revoked_at IS NULL) AS tag_id,
        (SELECT group_concat(x.status) FROM installations x WHERE x.institution_id = i.id) AS statuses
        {FROM} WHERE {condition} ORDER BY {ORDER} LIMIT ? OFFSET ?"""
    page = min(max(page, 1), MAX_PAGE)  # ?page=10**20 would overflow SQLite's OFFSET
    rows = list(db.query(sql, [*params, per_page, (page - 1) * per_page]))
    for row in rows:
        row["statuses"] = (row["statuses"] or "").split(",") if row["statuses"] else []
    return rows, total


def ids(db, selection):
    """The ids of every institution in a selection, in list order."""
    condition, params = where(db, selection)
    return [row[0] for row in db.execute(f"SELECT i.id {FROM} WHERE {condition} ORDER BY {ORDER}", params)]


def get(db, institution_id):
    """One institution with its place names, or None."""
    return store.one(db, f"SELECT {COLUMNS} {FROM} WHERE i.id = ?", [institution_id])


def installations_of(db, institution_id):
    """An institution's installations with their technicians' ids."""
    rows = list(
        db.query("SELECT * FROM installations WHERE institution_id = ? ORDER BY id", [institution_id])
    )
    for row in rows:
        row["technician_ids"] = installations.technicians(db, row["id"])
    return rows


def update(db, institution_id, changes, actor_id=None):
    """Change an institution's editable fields; audited. Raises sqlite3.IntegrityError on a BIN clash."""
    changes = {k: v for k, v in changes.items() if k in EDITABLE}
    with store.write(db):
        before = store.one(db, "SELECT * FROM institutions WHERE id = ?", [institution_id])
        if before is None:
            raise LookupError(f"no institution {institution_id}")
        db["institutions"].update(institution_id, {**changes, "updated_at": clock.now()})
        old = {k: before[k] for k in changes if before[k] != changes[k]}
        audit.record(db, actor_id, "update", "institution", institution_id, old, {k: changes[k] for k in old})


def set_active(db, institution_id, active, actor_id=None):
    """Deactivate (or reactivate) an institution: it leaves lists and label sheets, its history stays."""
    with store.write(db):
        db["institutions"].update(institution_id, {"active": int(bool(active)), "updated_at": clock.now()})
        audit.record(db, actor_id, "activate" if active else "deactivate", "institution", institution_id)


def one_row_csv(values, columns):
    """A single-row CSV of form values, so a created institution passes the importer's validation."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerow({c: "" if values.get(c) is None else values[c] for c in columns})
    return buffer.getvalue()


def last_created(db, kato, name_ru):
    """The id of the institution just created in a settlement under a name."""
    sql = f"SELECT i.id {FROM} WHERE s.kato = ? AND i.name_ru = ? ORDER BY i.id DESC LIMIT 1"
    return store.scalar(db, sql, [kato, name_ru])


def installation_ids(db, selection):
    """Installations of the institutions in a selection (a status filter applies to the installation)."""
    condition, params = where(db, {**selection, "status": None})
    sql = f"""SELECT inst.id FROM installations inst JOIN institutions i ON i.id = inst.institution_id
        {PLACE_JOINS} WHERE {condition}"""
    if selection.get("status"):
        sql += " AND inst.status = ?"
        params = [*params, selection["status"]]
    return [row[0] for row in db.execute(sql + " ORDER BY inst.id", params)]


def assign_bulk(db, installation_ids_, technician_ids, mode="add", actor_id=None):
    """Assign technicians to many installations at once: 'add' to the crew, or 'replace' it.

    One transaction, so a district is assigned completely or not at all.
    """
    changed = 0
    with store.write(db):
        for installation_id in installation_ids_:
            current = installations.technicians(db, installation_id)
            wanted = (
                sorted(set(technician_ids) | set(current)) if mode == "add" else sorted(set(technician_ids))
            )
            if wanted != current:
                installations.assign(db, installation_id, wanted, actor_id)
                changed += 1
    return changed


def districts(db, region_ids=None):
    """Districts with their oblast, for select lists grouped by oblast."""
    sql = """SELECT d.id, d.name_ru, d.name_kk, d.name_en, r.id AS region_id, r.name_ru AS region_ru,
        r.name_kk AS region_kk, r.name_en AS region_en
        FROM districts d JOIN regions r ON r.id = d.region_id ORDER BY r.name_ru, d.name_ru"""
    return [row for row in db.query(sql) if region_ids is None or row["region_id"] in region_ids]


def technicians(db):
    """Active technicians for assignment lists."""
    return list(
        db.query(
            "SELECT id, username, name FROM users WHERE role = 'technician' AND active = 1 ORDER BY name"
        )
    )
