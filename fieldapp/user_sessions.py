"""Sessions kept on the server, so signing out, a password reset or a deactivation ends them.

Flask's signed cookie alone cannot be taken back: a copy made before sign-out kept working
for its whole life. Now the cookie carries only a random token and this table says whether
it still opens anything. The row holds the token's sha256, so a copy of the database holds
no live cookie.

A session ends after `idle_s` without a request or `max_s` after sign-in, whichever comes
first. last_seen is written at most every `touch_s` (not on every request: a write per
request is what SQLite serves worst), so "idle" is exact to within touch_s.
"""

import hashlib
import secrets
from collections import namedtuple
from datetime import timedelta

from fieldapp import clock
from fieldapp import store

Limits = namedtuple("Limits", "idle_s max_s touch_s")


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start(db, user_id, now, limits):
    """A new session for `user_id`; returns the token for the cookie. Prunes dead sessions."""
    token = secrets.token_urlsafe(32)
    stamp = clock.to_iso(now)
    with store.write(db):
        db["sessions"].insert(
            {"id": _digest(token), "user_id": user_id, "created_at": stamp, "last_seen": stamp}
        )
        db.execute(
            "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?",
            [
                clock.to_iso(now - timedelta(seconds=limits.idle_s)),
                clock.to_iso(now - timedelta(seconds=limits.max_s)),
            ],
        )
    return token


def check(db, token, now, limits):
    """The user id of the live session behind `token`, or None (an ended one is deleted)."""
    if not isinstance(token, str):
        return None
    row = store.one(db, "SELECT * FROM sessions WHERE id = ?", [_digest(token)])
    if row is None:
        return None
    idle = (now - clock.parse(row["last_seen"])).total_seconds()
    age = (now - clock.parse(row["created_at"])).total_seconds()
    if idle > limits.idle_s or age > limits.max_s:
        end(db, token)
        return None
    if idle > limits.touch_s:
        with store.write(db):
            db.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", [clock.to_iso(now), row["id"]])
    return row["user_id"]


def end(db, token):
    """End one session (signing out)."""
    with store.write(db):
        db.execute("DELETE FROM sessions WHERE id = ?", [_digest(token)])


def end_all(db, user_id):
    """End every session of a user (a new password, a deactivation): every phone signs in again."""
    with store.write(db):
        db.execute("DELETE FROM sessions WHERE user_id = ?", [user_id])
