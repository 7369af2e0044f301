"""QR site tags: an opaque random ID with a short HMAC check, so forgeries fail before lookup.

Code layout (15 characters, Crockford base32, fits QR alphanumeric mode):
    8 characters random tag ID | 1 character key version | 6 characters HMAC check
Printed for people as XXXX-XXXX-VCCCCCC; the key stays on the server.

Tag IDs are not secret (every pull carries them), so the check alone stands between a
technician and a faked site scan. 30 bits fall to trial in hours at server speed; invalid
codes are therefore counted per technician in SQLite (every worker sees them) and, past
FAILURE_LIMIT in FAILURE_WINDOW, that technician's scans are refused: an average forgery then
takes 2^29 / FAILURE_LIMIT days, about 73,000 years per account.
"""

import hashlib
import hmac
import re
import secrets
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from fieldapp import clock
from fieldapp import store

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
ID_LEN = 8
CHECK_LEN = 6
# What people and damaged labels get wrong: Crockford's decoding of look-alike characters.
LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
# A day's typos by an honest technician stay well below this; a guesser gets 20 tries a day.
FAILURE_LIMIT = 20
FAILURE_WINDOW = timedelta(hours=24)


class TagError(ValueError):
    """A code that is not a valid tag: reason is 'format', 'key' or 'check'."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _check(keys, version, tag_id):
    key = keys[version].encode()
    digest = hmac.new(key, f"{tag_id}{version}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(CHECK_LEN))


def encode(keys, tag_id, version):
    """The 15-character code for a tag ID signed with key `version`."""
    return f"{tag_id}{ALPHABET[version]}{_check(keys, version, tag_id)}"


def human(code):
    """The code as printed under the QR: XXXX-XXXX-VCCCCCC."""
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def url(prefix, code):
    """The upper-case URL that goes into the QR code (alphanumeric mode keeps it small)."""
    return f"{prefix}{code}"


def normalize(text):
    """Accept a scanned URL or a typed ID: keep the last path part, drop dashes, fix look-alikes."""
    text = text.strip().upper().rstrip("/")
    text = text.rsplit("/", 1)[-1]
    return re.sub(r"[\s\-]", "", text).translate(LOOKALIKES)


def verify(keys, text):
    """Return the tag ID of a genuine code; raise TagError without touching the database."""
    code = normalize(text)
    if len(code) != ID_LEN + 1 + CHECK_LEN or any(c not in ALPHABET for c in code):
        raise TagError("format")
    tag_id, version, check = code[:ID_LEN], ALPHABET.index(code[ID_LEN]), code[ID_LEN + 1 :]
    if version not in keys:
        raise TagError("key")
    if not hmac.compare_digest(check, _check(keys, version, tag_id)):
        raise TagError("check")
    return tag_id


def issue(db, keys, institution_id):
    """Give an institution a new tag (revoking its old ones) and return the code."""
    version = max(keys)
    tag_id = "".join(secrets.choice(ALPHABET) for _ in range(ID_LEN))
    with store.write(db):
        revoke(db, institution_id)
        db["tags"].insert(
            {
                "id": tag_id,
                "institution_id": institution_id,
                "key_version": version,
                "created_at": clock.now(),
            }
        )
    return encode(keys, tag_id, version)


def revoke(db, institution_id):
    """Revoke an institution's active tags (a lost or damaged label)."""
    db.execute(
        "UPDATE tags SET revoked_at = ? WHERE institution_id = ? AND revoked_at IS NULL",
        [clock.now(), institution_id],
    )


def lookup(db, tag_id):
    """The tag row (institution_id, revoked_at, ...) for a verified tag ID, or None if unknown."""
    return store.one(db, "SELECT * FROM tags WHERE id = ?", [tag_id])


def active_code(db, keys, institution_id):
    """The current code of an institution's tag, or None."""
    row = store.one(
        db,
        "SELECT id, key_version FROM tags WHERE institution_id = ? AND revoked_at IS NULL",
        [institution_id],
    )
    return encode(keys, row["id"], row["key_version"]) if row and row["key_version"] in keys else None


def resolve(db, keys, text):
    """The active tag row for a scanned or typed code; TagError 'format'/'key'/'check' before any
    lookup, then 'unknown' or 'revoked' (a reissued label's old code must stop working)."""
    tag_id = verify(keys, text)
    row = lookup(db, tag_id)
    if row is None:
        raise TagError("unknown")
    if row["revoked_at"]:
        raise TagError("revoked")
    return row


def issue_missing(db, keys, institution_ids=None):
    """Give every active institution without an active tag a new one (all, or those listed).

    One transaction: an import followed by this either tags every new site or none.
    """
    sql = """SELECT i.id FROM institutions i WHERE i.active = 1 AND NOT EXISTS
        (SELECT 1 FROM tags t WHERE t.institution_id = i.id AND t.revoked_at IS NULL)"""
    missing = [row[0] for row in db.execute(sql)]
    if institution_ids is not None:
        wanted = set(institution_ids)
        missing = [i for i in missing if i in wanted]
    with store.write(db):
        for institution_id in missing:
            issue(db, keys, institution_id)
    return len(missing)


def note_failure(db, user_id, installation_id, reason):
    """Count one invalid code scanned by a technician (kept: the supervisor sees the total)."""
    db["tag_failures"].insert(
        {"user_id": user_id, "installation_id": installation_id, "reason": reason, "at": clock.now()}
    )


def throttled_for(db, user_id, now=None):
    """Seconds until this technician's scans are judged again (0: not throttled).

    A sliding window: refused while FAILURE_LIMIT invalid codes fall within FAILURE_WINDOW.
    Refused scans are not verified, so they teach nothing and are not counted.
    """
    now = now or datetime.now(UTC)
    since = clock.to_iso(now - FAILURE_WINDOW)
    rows = db.execute(
        "SELECT at FROM tag_failures WHERE user_id = ? AND at >= ? ORDER BY at DESC LIMIT ?",
        [user_id, since, FAILURE_LIMIT],
    ).fetchall()
    if len(rows) < FAILURE_LIMIT:
        return 0
    frees_at = clock.parse(rows[-1][0]) + FAILURE_WINDOW
    return max(1, int((frees_at - now).total_seconds()) + 1)


def failures_by_technician(db, installation_id):
    """Invalid tag codes scanned for an installation, per technician: a finding for the reviewer."""
    sql = """SELECT u.id AS user_id, u.name, u.username, COUNT(*) AS count, MAX(f.at) AS last_at
        FROM tag_failures f JOIN users u ON u.id = f.user_id
        WHERE f.installation_id = ? GROUP BY u.id ORDER BY count DESC, u.name"""
    return list(db.query(sql, [installation_id]))
