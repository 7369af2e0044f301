"""The people list as admins manage it: roles, regions, deactivation. Accounts stay in accounts.py."""

from fieldapp import accounts
from fieldapp import audit
from fieldapp import store
from fieldapp import user_sessions


class LastAdmin(ValueError):
    """Refused: the change would leave no active admin to undo it."""


def users(db):
    """Every account with its oblast codes and how many installations it is assigned to."""
    sql = """SELECT u.id, u.username, u.name, u.role, u.language, u.active, u.created_at,
        (SELECT group_concat(r.iso_code, ', ') FROM user_regions ur JOIN regions r ON r.id = ur.region_id
         WHERE ur.user_id = u.id) AS regions,
        (SELECT COUNT(*) FROM installation_technicians it WHERE it.user_id = u.id) AS assigned
        FROM users u ORDER BY u.active DESC, u.role, u.name"""
    return list(db.query(sql))


def get(db, user_id):
    """One account (active or not) with its region ids, or None."""
    return accounts.get_user(db, user_id, include_inactive=True)


def update(db, user_id, changes, region_ids, actor_id=None):
    """Change name, role, language and active flag, and replace the regions; audited.

    Refuses to demote or deactivate the last active admin, so the system stays manageable.
    Deactivating ends the account's sessions at once.
    """
    changes = {k: v for k, v in changes.items() if k in ("name", "role", "language", "active")}
    if changes.get("role", "admin") not in accounts.ROLES:
        raise ValueError(f"unknown role {changes['role']!r}")
    with store.write(db):
        before = get(db, user_id)
        if before is None:
            raise LookupError(f"no user {user_id}")
        losing_admin = (
            before["role"] == "admin"
            and before["active"]
            and (changes.get("role", "admin") != "admin" or not changes.get("active", 1))
        )
        others = store.scalar(
            db, "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id != ?", [user_id]
        )
        if losing_admin and not others:
            raise LastAdmin("the last active admin")
        db["users"].update(user_id, changes)
        if not changes.get("active", 1):
            user_sessions.end_all(db, user_id)  # reactivating must not revive old cookies
        accounts.set_regions(db, user_id, region_ids)
        old = {k: before[k] for k in changes if before[k] != changes[k]}
        if set(before["region_ids"]) != set(region_ids):
            old["region_ids"] = before["region_ids"]
        audit.record(
            db, actor_id, "update", "user", user_id, old, {**changes, "region_ids": list(region_ids)}
        )
