"""Validators every kind of evidence uses, and the refusal they raise.

Each raises Rejected with a code the phone shows as a sentence (sync_api.MESSAGES); limits
come from the acceptance profile, never from literals here, except sanity bounds (string
lengths, number ranges) that protect the store.
"""

import hashlib
import json
import math
import uuid

from fieldapp import clock
from fieldapp import store

SHORT = 200
LONG = 5000


def N_(text):
    """Mark a label for translation without importing Flask; pages translate it when shown."""
    return text


class Rejected(ValueError):
    """A record or request the server refuses: code for machines, params for the message."""

    def __init__(self, code, status=422, **params):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


def canonical(value):
    """Canonical JSON (sorted keys, no spaces): equal content gives equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(value):
    """sha256 of a value's canonical JSON. Lone surrogates (which JSON allows and UTF-8 does
    not) are hashed as they are, so one bad string never stops the hashing of a whole batch;
    text() then refuses the record that holds it."""
    return hashlib.sha256(canonical(value).encode("utf-8", "surrogatepass")).hexdigest()


def content_hash(kind, installation_id, replaces, data):
    """sha256 of (type, installation_id, replaces, data): tells a duplicate from a conflict."""
    return digest([kind, installation_id, replaces, data])


def check_key(key):
    """An idempotency key: a client-made string of 8-100 printable characters."""
    if not isinstance(key, str) or not 8 <= len(key) <= 100 or not key.isprintable():
        raise Rejected("bad_key")


def uuid_text(value, field="id"):
    """A UUID in its canonical lower-case form, so 'ABC-..' and 'abc-..' are one record."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise Rejected("bad_field", field=field) from None


def iso_time(value, field, required=True):
    """An ISO-8601 time, normalised to the app's UTC form; None allowed when not required."""
    if value is None and not required:
        return None
    try:
        return clock.to_iso(clock.parse(value))
    except (TypeError, ValueError, AttributeError, OverflowError):  # year 1 at +14:00: overflow
        raise Rejected("bad_field", field=field) from None


def text(data, field, required=True, limit=SHORT):
    """A trimmed string of at most `limit` characters (required: not blank)."""
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise Rejected("bad_field", field=field)
    if not is_unicode(value):
        raise Rejected("bad_field", field=field)
    return value.strip()


def is_unicode(value):
    """False for a string holding a lone surrogate ("\ud83d"): no UTF-8 store can keep it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def number(data, field, required=True, low=None, high=None):
    """A finite JSON number within [low, high]; booleans and huge integers are no numbers."""
    value = data.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Rejected("bad_field", field=field)
    if isinstance(value, int) and not store.is_int64(value):  # 10**400 is no float either
        raise Rejected("bad_field", field=field)
    if not math.isfinite(value):
        raise Rejected("bad_field", field=field)
    if (low is not None and value < low) or (high is not None and value > high):
        raise Rejected("out_of_range", field=field, low=low, high=high)
    return value


def integer(data, field, required=True, low=None, high=None):
    """A whole number (7.0 counts as 7) within [low, high]."""
    value = number(data, field, required, low, high)
    if value is not None and value != int(value):
        raise Rejected("bad_field", field=field)
    return None if value is None else int(value)


def choice(data, field, options, required=True):
    """One of `options`."""
    value = data.get(field)
    if value is None and not required:
        return None
    if value not in options:
        raise Rejected("bad_choice", field=field, options=", ".join(options))
    return value


def position(data, lat="lat", lon="lon"):
    """An optional WGS84 position."""
    return {lat: number(data, lat, False, -90, 90), lon: number(data, lon, False, -180, 180)}


def optional_uuid(data, field):
    """A UUID naming another record, or None."""
    return None if data.get(field) is None else uuid_text(data[field], field)


# Columns that stay on the server: how a record is stored, never what the phone recorded.
INTERNAL = ("content_hash", "author_id", "blob_key", "received_bytes", "status")
# What a phone that asks for lean records (?records=lean, from issue 18 on) is not sent: what
# the server derives for its own checks (file hashes, the perceptual hash, codes read off a
# label, when an upload completed), the installation the record sits under in the pull
# anyway, and URLs the phone builds from the id. It never reads them, and on 2G every pulled
# byte is waited for. Older phones, offline for weeks on their version, still get them.
NOT_PULLED = ("installation_id", "sha256", "phash", "points_sha256", "label_codes", "completed_at",
              "thumb_url", "display_url")


def public(found):
    """A stored row as the phone and the pull see it: internal columns left out."""
    return {k: v for k, v in found.items() if k not in INTERNAL}


def lean(record):
    """A pulled record without what the phone never reads (NOT_PULLED)."""
    return {k: v for k, v in record.items() if k not in NOT_PULLED}


def as_stored(found):
    """A row as the review page shows it when its kind adds nothing (the default review_row)."""
    return found
