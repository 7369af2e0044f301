"""User accounts: creation, password hashing, and login with per-account backoff."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from fieldapp import audit
from fieldapp import clock
from fieldapp import store

ROLES = ("technician", "supervisor", "admin")
LANGUAGES = ("kk", "ru", "en")
# argon2-cffi's defaults follow RFC 9106's low-memory recommendation (OWASP-compliant).
hasher = PasswordHasher()
_DUMMY_HASH = hasher.hash("fieldapp-dummy-password")


class LoginRefused(Exception):
    """A login that did not succeed; retry_after is set while the account is backing off."""

    def __init__(self, retry_after=None):
        super().__init__("login refused")
        self.retry_after = retry_after


def create_user(db, username, name, password, role, region_ids=(), language="ru", actor_id=None):
    """Create an account and return its id; supervisors are scoped to regions."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    with store.write(db):
        user_id = (
            db["users"]
            .insert(
                {
                    "username": username,
                    "name": name,
                    "password_hash": hasher.hash(password),
                    "role": role,
                    "language": language,
                    "created_at": clock.now(),
                }
            )
            .last_pk
        )
        set_regions(db, user_id, region_ids)
        audit.record(db, actor_id, "create", "user", user_id, after={"username": username, "role": role})
    return user_id


def set_regions(db, user_id, region_ids):
    """Replace the regions a user is scoped to."""
    with store.write(db):
        db.execute("DELETE FROM user_regions WHERE user_id = ?", [user_id])
        db["user_regions"].insert_all({"user_id": user_id, "region_id": r} for r in region_ids)


def set_password(db, user_id, password, actor_id=None):
    """Set a new password and clear any login backoff."""
    with store.write(db):
        db["users"].update(
            user_id,
            {"password_hash": hasher.hash(password), "failed_logins": 0, "locked_until": None},
        )
        audit.record(db, actor_id, "reset_password", "user", user_id)


def get_user(db, user_id, include_inactive=False):
    """A user (active only, unless asked) with their region ids, or None."""
    user = store.one(db, "SELECT * FROM users WHERE id = ?", [user_id])
    if user and not (user["active"] or include_inactive):
        return None
    if user:
        user["region_ids"] = [
            row[0] for row in db.execute("SELECT region_id FROM user_regions WHERE user_id = ?", [user_id])
        ]
    return user


def authenticate(db, username, password, free_attempts=5, backoff_s=30, backoff_max_s=900):
    """Return the user for good credentials; raise LoginRefused otherwise.

    After `free_attempts` failures an account waits backoff_s, doubling per failure up to
    backoff_max_s, so guessing one account's password is slow from any number of addresses.
    The attempt is counted as failed in the same write as the lock check, before the password
    is verified, and the count is cleared on success: parallel guesses cannot all slip past a
    check made before any of them was counted.
    """
    now = clock.parse(clock.now())
    with store.write(db):
        user = store.one(db, "SELECT * FROM users WHERE username = ? AND active = 1", [username])
        if user is not None:
            locked_until = clock.parse(user["locked_until"])
            if locked_until and locked_until > now:
                raise LoginRefused(retry_after=int((locked_until - now).total_seconds()) + 1)
            _count_failure(db, user, now, free_attempts, backoff_s, backoff_max_s)
    if user is None:
        _verify(_DUMMY_HASH, password)  # same work as a real check: no user enumeration by timing
        raise LoginRefused()
    if not _verify(user["password_hash"], password):
        raise LoginRefused()
    with store.write(db):
        changes = {"failed_logins": 0, "locked_until": None}
        if hasher.check_needs_rehash(user["password_hash"]):
            changes["password_hash"] = hasher.hash(password)
        db["users"].update(user["id"], changes)
    return get_user(db, user["id"])


def _verify(password_hash, password):
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(db, user, now, free_attempts, backoff_s, backoff_max_s):
    failures = user["failed_logins"] + 1
    locked_until = None
    if failures >= free_attempts:
        wait = min(backoff_max_s, backoff_s * 2 ** (failures - free_attempts))
        locked_until = clock.to_iso(now + timedelta(seconds=wait))
    db["users"].update(user["id"], {"failed_logins": failures, "locked_until": locked_until})
