"""The review queue: installations awaiting a decision in a supervisor's regions, oldest first.

Plain queries (no flask): filters arrive as a dict of already-validated values.
"""

from datetime import timedelta

from fieldapp import access
from fieldapp import check_summaries
from fieldapp import clock
from fieldapp import installations
from fieldapp.evidence import current
from fieldapp.evidence import photo

QUEUE_STATUSES = ("submitted", "returned", "approved", "accepted")
PAGE_SIZE = 50
JOINS = """FROM installations inst
JOIN institutions i ON i.id = inst.institution_id
JOIN settlements s ON s.id = i.settlement_id
JOIN districts d ON d.id = s.district_id
JOIN regions r ON r.id = d.region_id"""


def _where(user, filters, with_status=True):
    """The scope condition plus every filter that is set, and their parameters."""
    scope, params = access.installation_scope(user)
    parts = [scope, f"inst.status IN ({','.join('?' * len(QUEUE_STATUSES))})"]
    params = [*params, *QUEUE_STATUSES]
    if with_status and filters.get("status"):
        parts.append("inst.status = ?")
        params.append(filters["status"])
    for key, column in (("region", "d.region_id"), ("district", "s.district_id")):
        if filters.get(key):
            parts.append(f"{column} = ?")
            params.append(filters[key])
    if filters.get("settlement"):
        parts.append("(s.name_ru LIKE ? OR s.name_kk LIKE ? OR s.kato = ?)")
        text = filters["settlement"].strip()
        params += [f"%{text}%", f"%{text}%", text]
    if filters.get("checks") in ("pass", "warn", "fail"):
        parts.append("inst.id IN (SELECT installation_id FROM check_summaries WHERE verdict = ?)")
        params.append(filters["checks"])
    if filters.get("technician"):
        parts.append("inst.id IN (SELECT installation_id FROM installation_technicians WHERE user_id = ?)")
        params.append(filters["technician"])
    if filters.get("min_age_days"):
        cutoff = clock.parse(clock.now()) - timedelta(days=filters["min_age_days"])
        parts.append("inst.submitted_at <= ?")
        params.append(clock.to_iso(cutoff))
    return " AND ".join(parts), params


def page(db, user, filters, number=1):
    """One page of the queue: rows oldest submission first, the total, and counts per status."""
    where, params = _where(user, filters)
    total = db.execute(f"SELECT COUNT(*) {JOINS} WHERE {where}", params).fetchone()[0]
    pages = max(1, -(-total // PAGE_SIZE))
    number = min(max(number, 1), pages)  # ?page=10**20 would overflow SQLite's OFFSET
    sql = f"""{installations.SELECT} WHERE {where}
        ORDER BY inst.submitted_at IS NULL, inst.submitted_at, inst.id LIMIT ? OFFSET ?"""
    rows = list(db.query(sql, [*params, PAGE_SIZE, (number - 1) * PAGE_SIZE]))
    _annotate(db, rows)
    check_summaries.for_rows(db, rows)  # stored per installation, never computed per row
    return {
        "rows": rows,
        "total": total,
        "counts": counts(db, user, filters),
        "page": number,
        "pages": pages,
    }


def counts(db, user, filters):
    """How many installations per status match the other filters (the figures at the top)."""
    where, params = _where(user, filters, with_status=False)
    found = dict.fromkeys(QUEUE_STATUSES, 0)
    sql = f"SELECT inst.status, COUNT(*) {JOINS} WHERE {where} GROUP BY inst.status"
    found.update(dict(db.execute(sql, params).fetchall()))
    return found


def _annotate(db, rows):
    """Technician names, open returned items and review count for the rows shown (one query each)."""
    ids = [row["id"] for row in rows]
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    names, open_items = {}, {}
    sql = f"""SELECT it.installation_id, u.name FROM installation_technicians it
        JOIN users u ON u.id = it.user_id WHERE it.installation_id IN ({marks}) ORDER BY u.name"""
    for installation_id, name in db.execute(sql, ids):
        names.setdefault(installation_id, []).append(name)
    sql = f"""SELECT installation_id, COUNT(*) FROM returned_items
        WHERE installation_id IN ({marks}) AND resolved_at IS NULL GROUP BY installation_id"""
    open_items.update(db.execute(sql, ids).fetchall())
    reviewed = dict(
        db.execute(
            f"SELECT installation_id, COUNT(*) FROM reviews WHERE installation_id IN ({marks}) "
            "GROUP BY installation_id",
            ids,
        ).fetchall()
    )
    now = clock.parse(clock.now())
    for row in rows:
        row["technicians"] = names.get(row["id"], [])
        row["open_items"] = open_items.get(row["id"], 0)
        row["reviews"] = reviewed.get(row["id"], 0)
        submitted = clock.parse(row["submitted_at"])
        row["age_days"] = (now - submitted).days if submitted else None


def filter_options(db, user):
    """Choices for the filter form: oblasts, districts and technicians within the user's scope."""
    region_ids = access.region_ids_in_scope(db, user)
    marks = ",".join("?" * len(region_ids)) or "NULL"
    regions = list(db.query(f"SELECT * FROM regions WHERE id IN ({marks}) ORDER BY name_ru", region_ids))
    districts = list(
        db.query(f"SELECT * FROM districts WHERE region_id IN ({marks}) ORDER BY name_ru", region_ids)
    )
    where, params = access.installation_scope(user)
    technicians = list(
        db.query(
            f"""SELECT DISTINCT u.id, u.name FROM users u
        JOIN installation_technicians it ON it.user_id = u.id
        JOIN installations inst ON inst.id = it.installation_id
        JOIN institutions i ON i.id = inst.institution_id
        JOIN settlements s ON s.id = i.settlement_id
        JOIN districts d ON d.id = s.district_id
        WHERE {where} ORDER BY u.name""",
            params,
        )
    )
    return {"regions": regions, "districts": districts, "technicians": technicians}


def photo_grid(db, user, filters, installations_shown=10):
    """The current photos of the oldest installations in the queue, for fast visual review.

    Picks the installations first (queue order) and then reads only their photos, so the
    cost does not grow with the size of the queue.
    """
    where, params = _where(user, filters)
    ids = [
        row[0]
        for row in db.execute(
            f"SELECT inst.id {JOINS} WHERE {where} "
            "ORDER BY inst.submitted_at IS NULL, inst.submitted_at, inst.id LIMIT ?",
            [*params, installations_shown],
        )
    ]
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    sql = f"""SELECT p.id, p.shot, p.taken_at, p.received_at, inst.id AS installation_id,
            i.name_ru, i.name_kk, s.name_ru AS settlement_ru, s.name_kk AS settlement_kk
        FROM {current.select(photo)} p JOIN installations inst ON inst.id = p.installation_id
        JOIN institutions i ON i.id = inst.institution_id
        JOIN settlements s ON s.id = i.settlement_id
        WHERE p.installation_id IN ({marks})
        ORDER BY inst.submitted_at, inst.id, p.shot"""
    return list(db.query(sql, ids))
