"""User accounts: creation, password hashing, and login with per-account backoff."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError

from fieldapp import audit
from fieldapp import clock
from fieldapp import login_limits
from fieldapp import store
from fieldapp import user_sessions

ROLES = ("technician", "supervisor", "admin")
LANGUAGES = ("kk", "ru", "en")
# argon2-cffi's defaults follow RFC 9106's low-memory recommendation (OWASP-compliant).
hasher = PasswordHasher()
_DUMMY_HASH = hasher.hash("fieldapp-dummy-password")
# Defaults of LOGIN_* in config.py: per account name (5 free, then 30 s doubling to 15 min,
# forgotten after a day without failure) and per network (30 free, forgotten after 15 min).
ACCOUNT_RULE = login_limits.Rule(5, 86400, 30, 900)
NETWORK_RULE = login_limits.Rule(30, 900, 30, 900)


class LoginRefused(Exception):
    """A login that did not succeed; retry_after is set while the name (or, with `network`,
    the client's network) is backing off."""

    def __init__(self, retry_after=None, network=False):
        super().__init__("login refused")
        self.retry_after = retry_after
        self.network = network


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
    """Set a new password, lift the account's login backoff, and end all its sessions: whoever
    knew the old password (or holds a cookie from it) is signed out everywhere."""
    with store.write(db):
        username = store.scalar(db, "SELECT username FROM users WHERE id = ?", [user_id])
        db["users"].update(user_id, {"password_hash": hasher.hash(password)})
        login_limits.clear(db, f"account:{username}")
        login_limits.clear_prefix(db, f"device:{username}:")
        user_sessions.end_all(db, user_id)
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


def authenticate(
    db, username, password, account_rule=ACCOUNT_RULE, network=None, network_rule=NETWORK_RULE, device=None
):
    """Return the user for good credentials; raise LoginRefused otherwise.

    `network` is the client's network (login_limits.client_key), `device` this browser's
    login_limits key for `username` when it holds a device cookie for it (device_cookies).
    An unknown or inactive name is counted and refused exactly like a wrong password on a real
    account, and does the same argon2 work, so neither the answer, its status, the backoff
    nor the timing tells which accounts exist.
    """
    now = clock.parse(clock.now())
    if network and not device:
        seconds = login_limits.wait(db, f"network:{network}", now)
        if seconds:
            raise LoginRefused(retry_after=seconds, network=True)
    key = device or f"account:{username}"
    seconds = login_limits.begin(db, key, now, account_rule)
    if seconds:
        raise LoginRefused(retry_after=seconds)
    user = store.one(db, "SELECT * FROM users WHERE username = ? AND active = 1", [username])
    right = _verify(user["password_hash"] if user else _DUMMY_HASH, password) and user is not None
    if not right:
        if network:  # only completed failures: correct sign-ins in flight never count
            login_limits.count_failure(db, f"network:{network}", now, network_rule)
        raise LoginRefused()
    login_limits.clear(db, key)
    if hasher.check_needs_rehash(user["password_hash"]):
        fresh = hasher.hash(password)  # argon2 outside the write lock: it takes tens of ms
        with store.write(db):
            db["users"].update(user["id"], {"password_hash": fresh})
    return get_user(db, user["id"])


def _verify(password_hash, password):
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
