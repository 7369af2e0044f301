"""Returns counted by standard reason: which reasons, which crews, which shots, which months.

A supervisor sees where work comes back and why ("serial not readable" from one crew every
week is a training matter, not bad luck). Counts are of returned items within what the user
may see (access.installation_scope); an item returned with free text only counts under ''.
A crew is the installation's technicians as assigned today; a month is the UTC month of the
return.
"""

from fieldapp import access

BASE = """FROM returned_items ri JOIN reviews rv ON rv.id = ri.review_id
    JOIN installations inst ON inst.id = ri.installation_id
    JOIN institutions i ON i.id = inst.institution_id
    JOIN settlements s ON s.id = i.settlement_id JOIN districts d ON d.id = s.district_id
    LEFT JOIN photos p ON ri.item_kind = 'photo' AND p.id = ri.item_ref"""
CREWS = """LEFT JOIN (SELECT it.installation_id, GROUP_CONCAT(u.name, ', ') AS crew
    FROM (SELECT * FROM installation_technicians ORDER BY user_id) it JOIN users u ON u.id = it.user_id
    GROUP BY it.installation_id) c ON c.installation_id = inst.id"""
GROUPS = {
    "reason": "COALESCE(ri.reason_code, '')",
    "crew": "COALESCE(c.crew, '')",
    "shot": "CASE WHEN ri.item_kind = 'shot' THEN ri.item_ref ELSE COALESCE(p.shot, '') END",
    "month": "substr(rv.at, 1, 7)",
    "kind": "ri.item_kind",
}


def counts(db, user, since=None, until=None):
    """{total, by_reason, by_crew, by_shot, by_month}: each a list of {key, reason, n}, largest
    first (by_month in time order); by_reason has key == reason."""
    where, params = access.installation_scope(user)
    if since:
        where, params = f"{where} AND rv.at >= ?", [*params, since]
    if until:
        where, params = f"{where} AND rv.at < ?", [*params, until]
    found = {"total": _total(db, where, params)}
    for name in ("reason", "crew", "shot", "month"):
        found[f"by_{name}"] = _grouped(db, name, where, params)
    return found


def _total(db, where, params):
    return db.execute(f"SELECT COUNT(*) {BASE} WHERE {where}", params).fetchone()[0]


def _grouped(db, name, where, params):
    key, reason = GROUPS[name], GROUPS["reason"]
    order = "key, n DESC" if name == "month" else "n DESC, key, reason"
    sql = (f"SELECT {key} AS key, {reason} AS reason, COUNT(*) AS n {BASE} {CREWS} WHERE {where} "
           f"GROUP BY 1, 2 ORDER BY {order}")
    return list(db.query(sql, params))
