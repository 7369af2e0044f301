"""What a technician's phone needs offline, and only what changed since its last pull.

Installations carry a global revision number (installations.touch); the cursor is the highest
revision the phone has seen. Everything is read in one snapshot, so a change committed while
we read is either in this answer or above the cursor we return, never lost between the two.
"""

import json

from fieldapp import access
from fieldapp import added_shots
from fieldapp import conversation
from fieldapp import installations
from fieldapp import markup
from fieldapp import profiles
from fieldapp import store
from fieldapp.evidence import current
from fieldapp.evidence import fields
from fieldapp.evidence.kinds import KINDS

INSTITUTION = (
    "type", "name_kk", "name_ru", "address", "lat", "lon", "pupils", "settlement_kk",
    "settlement_ru", "district_kk", "district_ru", "region_iso", "contracted_down_mbps",
    "contracted_up_mbps",
)


def pull(db, user, cursor=None, keys=None, lean=False):
    """The pull answer of docs/api.md (without translated labels, which the web layer adds);
    lean: records without what the phone never reads (fields.NOT_PULLED)."""
    if db.conn.in_transaction:
        return _pull(db, user, cursor or 0, keys, lean)
    db.execute("BEGIN")  # a read snapshot: every query below sees the same commits
    try:
        return _pull(db, user, cursor or 0, keys, lean)
    finally:
        db.conn.rollback()


def _pull(db, user, cursor, keys, lean):
    where, params = access.installation_scope(user)
    sql = f"{installations.SELECT} WHERE {where} AND inst.rev > ? ORDER BY inst.id"
    rows = list(db.query(sql, [*params, cursor]))
    profile_rows = {pid: profiles.get(db, pid) for pid in {row["profile_id"] for row in rows}}
    tag_ids = _tag_ids(db, [row["institution_id"] for row in rows], keys)
    rules = {pid: profile["rules"] for pid, profile in profile_rows.items()}
    return {
        "cursor": store.scalar(db, "SELECT COALESCE(MAX(rev), 0) FROM installations"),
        "user": {k: user[k] for k in ("id", "username", "name", "language")},
        "profiles": {str(pid): _profile(p) for pid, p in profile_rows.items()},
        "installations": _installations(db, rows, rules, tag_ids, lean),
        "unassigned": _unassigned(db, user, cursor) if cursor else [],
    }


def views(db, rows):
    """Installation id -> what the phone holds of it (no tag ids), for the server-rendered list.

    My sites on the server judges exactly what the phone judges (fieldapp/checklist.py and
    static/js/checklist.js), so both read the same shape, built here once.
    """
    rules = {pid: profiles.get(db, pid)["rules"] for pid in {row["profile_id"] for row in rows}}
    return {shape["id"]: shape for shape in _installations(db, rows, rules, {})}


def _installations(db, rows, rules, tag_ids, lean=False):
    """The phone's shape of each installation row; rules: profile id -> its rules."""
    ids = [row["id"] for row in rows]
    recs, returned = _records(db, ids, lean), _returned(db, ids)
    added, talk = added_shots.of(db, ids), conversation.threads(db, ids)
    return [
        _installation(row, rules[row["profile_id"]], recs, returned, tag_ids,
                      added.get(row["id"], []), talk.get(row["id"], {}),
                      conversation.na_states(db, row["id"]) if row["id"] in talk else {})
        for row in rows
    ]


def _installation(row, rules, recs, returned, tag_ids, added, talk, na):
    down, up = profiles.required_mbps(rules, row)
    return {
        "id": row["id"], "rev": row["rev"], "status": row["status"],
        "profile_id": row["profile_id"], "contract": row["contract"],
        "institution": {"id": row["institution_id"], **{k: row[k] for k in INSTITUTION}},
        "tag_ids": tag_ids.get(row["institution_id"], []),
        "required_shots": profiles.required_shots(rules, row["type"]) + [a["key"] for a in added],
        "added_shots": {a["key"]: a["label"] for a in added},
        "required_mbps": {"down": down, "up": up},
        "records": {kind.TABLE: recs.get((kind.TABLE, row["id"]), []) for kind in KINDS if kind.PULLED},
        "returned_items": returned.get(row["id"], []),
        "conversation": talk,
        "not_applicable": na,
    }


def _profile(profile):
    return {k: profile[k] for k in ("id", "name", "version", "rules")}


def _records(db, ids, lean):
    """(table, installation id) -> current records, as the phone sent them plus received_at."""
    found = {}
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    for kind in KINDS:
        if not kind.PULLED:
            continue
        sql = (f"SELECT * FROM {kind.TABLE} WHERE installation_id IN ({marks}) "
               f"AND {current.condition(kind)} ORDER BY received_at, id")
        for row in db.query(sql, ids):
            record = kind.public(row)
            found.setdefault((kind.TABLE, row["installation_id"]), []).append(
                fields.lean(record) if lean else record)
    return found


def _returned(db, ids):
    """Open returned items with their reasons (standard code, free text), the reviewer's markup
    and when they were returned, per installation."""
    found = {}
    if not ids:
        return found
    marks = ",".join("?" * len(ids))
    sql = (f"SELECT ri.id, ri.installation_id, item_kind, item_ref, reason, reason_code, markup, "
           f"r.at AS returned_at FROM returned_items ri JOIN reviews r ON r.id = ri.review_id "
           f"WHERE ri.installation_id IN ({marks}) AND resolved_at IS NULL ORDER BY ri.id")
    for row in db.query(sql, ids):
        row["markup"] = markup.loads(row["markup"])
        found.setdefault(row.pop("installation_id"), []).append(row)
    return found


def _tag_ids(db, institution_ids, keys):
    """Active tag IDs per institution, so the phone can match a scan offline (not the HMAC)."""
    found = {}
    if not institution_ids:
        return found
    marks = ",".join("?" * len(institution_ids))
    sql = (f"SELECT id, institution_id, key_version FROM tags WHERE revoked_at IS NULL "
           f"AND institution_id IN ({marks}) ORDER BY id")
    for row in db.query(sql, institution_ids):
        if keys is None or row["key_version"] in keys:  # a retired key's tags no longer verify
            found.setdefault(row["institution_id"], []).append(row["id"])
    return found


def _unassigned(db, user, cursor):
    """Installations changed since the cursor that this technician was on and no longer is."""
    sql = """SELECT a.entity_id, a.before FROM audit_log a
        JOIN installations inst ON inst.id = CAST(a.entity_id AS INTEGER)
        WHERE a.action = 'assign' AND a.entity = 'installation' AND inst.rev > ?
        AND inst.id NOT IN (SELECT installation_id FROM installation_technicians WHERE user_id = ?)"""
    gone = set()
    for entity_id, before in db.execute(sql, [cursor, user["id"]]):
        if user["id"] in json.loads(before or "[]"):
            gone.add(int(entity_id))
    return sorted(gone)
