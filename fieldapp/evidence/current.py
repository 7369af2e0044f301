"""Which records count: a record is current unless a later record of its kind replaces it.

The rule is written here once, for SQL and for plain rows, and every stage uses it (checks,
pull, checklist, exports, review queue, speed verdicts). A kind's COUNTS condition says which
of its rows are real yet: a photo counts, and so replaces another, only once complete, so an
announced replacement whose bytes never arrive hides nothing.
"""


def replaced(kind, within="1 = 1"):
    """SQL subquery: the ids that counting records of this kind replace."""
    return (f"SELECT replaces FROM {kind.TABLE} WHERE replaces IS NOT NULL "
            f"AND {kind.COUNTS} AND {within}")


def condition(kind, within="1 = 1"):
    """SQL condition on a row of the kind's table: it counts and nothing replaces it.

    Unqualified column names: in a join, select from select(kind) instead.
    """
    return f"{kind.COUNTS} AND id NOT IN ({replaced(kind, within)})"


def rows(db, kind, installation_id):
    """The current records of one installation, in the kind's reading order.

    The replaced-ids subquery is limited to the same installation (a correction always is),
    so its cost does not grow with the national archive.
    """
    sql = (f"SELECT * FROM {kind.TABLE} WHERE installation_id = ? AND "
           f"{condition(kind, 'installation_id = ?')} ORDER BY {kind.ORDER}")
    return list(db.query(sql, [installation_id, installation_id]))


def select(kind):
    """Every current record of the kind, as a subquery to join (exports read the whole archive)."""
    return f"(SELECT * FROM {kind.TABLE} WHERE {condition(kind)})"


def of(records):
    """Plain rows without those another row replaces (the phone applies the same rule)."""
    gone = {r.get("replaces") for r in records if r.get("replaces")}
    return [r for r in records if r.get("id") not in gone]
