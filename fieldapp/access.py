"""Who may see and do what: the one place rights are decided.

Technicians see the installations they are assigned to, supervisors those in their regions,
admins everything. Every view that lists or opens an installation goes through here.
"""

from fieldapp import store

PERMISSIONS = {
    "technician": {"collect"},
    "supervisor": {"view", "review"},
    "admin": {"view", "review", "admin"},
}


def can(user, permission):
    """Whether a user's role carries a permission ('collect', 'view', 'review', 'admin')."""
    return user is not None and permission in PERMISSIONS.get(user["role"], ())


def installation_scope(user, alias="inst"):
    """An SQL condition and parameters limiting installations `alias` to what `user` may see.

    Needs the query to join settlements as `s` and districts as `d`.
    """
    if user["role"] == "admin":
        return "1 = 1", []
    if user["role"] == "supervisor":
        return (
            "d.region_id IN (SELECT region_id FROM user_regions WHERE user_id = ?)",
            [user["id"]],
        )
    return (
        f"{alias}.id IN (SELECT installation_id FROM installation_technicians WHERE user_id = ?)",
        [user["id"]],
    )


def can_see_installation(db, user, installation_id):
    """Whether `user` may see one installation (an id SQLite cannot hold names none)."""
    if not store.is_int64(installation_id):
        return False
    where, params = installation_scope(user)
    sql = f"""SELECT 1 FROM installations inst
        JOIN institutions i ON i.id = inst.institution_id
        JOIN settlements s ON s.id = i.settlement_id
        JOIN districts d ON d.id = s.district_id
        WHERE inst.id = ? AND {where}"""
    return store.scalar(db, sql, [installation_id, *params]) is not None


def region_ids_in_scope(db, user):
    """The regions a user may see (all of them for admins)."""
    if user["role"] == "admin":
        return [row[0] for row in db.execute("SELECT id FROM regions ORDER BY id")]
    return list(user.get("region_ids", []))
