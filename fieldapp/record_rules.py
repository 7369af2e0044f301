"""What a phone may send: the envelope every record shares and the rules of each record type.

Each check raises records.Rejected with a code the phone can show as a sentence; limits come
from the installation's acceptance profile, never from literals here, except sanity bounds
(string lengths, number ranges) that protect the store.
"""

import hashlib
import json
import math
import uuid

from fieldapp import clock
from fieldapp import speed
from fieldapp import store
from fieldapp import tags

SHORT = 200
LONG = 5000
SPLICE_TYPES = ("fusion", "ribbon", "mechanical")
CONNECTIONS = ("wired", "wifi")
LOSSES = ("loss_1310_ab", "loss_1310_ba", "loss_1550_ab", "loss_1550_ba")
BATCH_TYPES = ("splice", "scan", "note", "speed_test", "submission")


class Rejected(ValueError):
    """A record or request the server refuses: code for machines, params for the message."""

    def __init__(self, code, status=422, **params):
        super().__init__(code)
        self.code = code
        self.status = status
        self.params = params


def _rejected(code, **params):
    return Rejected(code, **params)


def canonical(value):
    """Canonical JSON (sorted keys, no spaces): equal content gives equal bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(kind, installation_id, replaces, data):
    """sha256 of (type, installation_id, replaces, data): tells a duplicate from a conflict."""
    body = canonical([kind, installation_id, replaces, data])
    return hashlib.sha256(body.encode()).hexdigest()


def check_key(key):
    """An idempotency key: a client-made string of 8-100 printable characters."""
    if not isinstance(key, str) or not 8 <= len(key) <= 100 or not key.isprintable():
        raise _rejected("bad_key")


def uuid_text(value, field="id"):
    """A UUID in its canonical lower-case form, so 'ABC-..' and 'abc-..' are one record."""
    try:
        return str(uuid.UUID(str(value)))
    except (ValueError, TypeError, AttributeError):
        raise _rejected("bad_field", field=field) from None


def iso_time(value, field, required=True):
    """An ISO-8601 time, normalised to the app's UTC form; None allowed when not required."""
    if value is None and not required:
        return None
    try:
        return clock.to_iso(clock.parse(value))
    except (TypeError, ValueError, AttributeError, OverflowError):  # year 1 at +14:00: overflow
        raise _rejected("bad_field", field=field) from None


def envelope(record):
    """The fields every record carries, checked and normalised."""
    if not isinstance(record, dict):
        raise _rejected("bad_record")
    if record.get("type") not in BATCH_TYPES:
        raise _rejected("bad_type", type=str(record.get("type"))[:40])
    installation_id = record.get("installation_id")
    if not store.is_int64(installation_id):
        raise _rejected("bad_field", field="installation_id")
    data = record.get("data")
    if not isinstance(data, dict):
        raise _rejected("bad_field", field="data")
    replaces = record.get("replaces")
    return {
        "id": uuid_text(record.get("id")),
        "type": record["type"],
        "installation_id": installation_id,
        "device_time": iso_time(record.get("device_time"), "device_time"),
        "replaces": None if replaces is None else uuid_text(replaces, "replaces"),
        "data": data,
    }


def row(db, record, inst, tag_keys):
    """The table columns for a record's data (validated), with its content hash."""
    data = record["data"]
    columns = ROW_BUILDERS[record["type"]](db, data, inst, tag_keys)
    columns["content_hash"] = content_hash(
        record["type"], record["installation_id"], record["replaces"], data
    )
    return columns


def text(data, field, required=True, limit=SHORT):
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise _rejected("bad_field", field=field)
    return value.strip()


def number(data, field, required=True, low=None, high=None):
    value = data.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _rejected("bad_field", field=field)
    if isinstance(value, int) and not store.is_int64(value):  # 10**400 is no float either
        raise _rejected("bad_field", field=field)
    if not math.isfinite(value):
        raise _rejected("bad_field", field=field)
    if (low is not None and value < low) or (high is not None and value > high):
        raise _rejected("out_of_range", field=field, low=low, high=high)
    return value


def integer(data, field, required=True, low=None, high=None):
    value = number(data, field, required, low, high)
    if value is not None and value != int(value):
        raise _rejected("bad_field", field=field)
    return None if value is None else int(value)


def choice(data, field, options, required=True):
    value = data.get(field)
    if value is None and not required:
        return None
    if value not in options:
        raise _rejected("bad_choice", field=field, options=", ".join(options))
    return value


def position(data, lat="lat", lon="lon"):
    return {lat: number(data, lat, False, -90, 90), lon: number(data, lon, False, -180, 180)}


def splice_row(db, data, inst, tag_keys):
    """Splice ends within the cable's fibers per tube; losses within the profile's entry range."""
    rules = inst["rules"]["splice"]
    per_tube = rules.get("fibers_per_tube", 12)
    row = {
        "closure_label": text(data, "closure_label"),
        "closure_type": text(data, "closure_type"),
        "placement": text(data, "placement", False) or "",
        **position(data, "closure_lat", "closure_lon"),
        "tray": integer(data, "tray", low=1, high=1000),
        "slot": integer(data, "slot", low=1, high=1000),
        "splice_type": choice(data, "splice_type", SPLICE_TYPES),
        "attempt": integer(data, "attempt", False, 1, 100) or 1,
        "splicer_model": text(data, "splicer_model", False),
        "splicer_serial": text(data, "splicer_serial", False),
        "splicer_estimate_db": number(data, "splicer_estimate_db", False, -10, 10),
    }
    for end in ("a", "b"):
        row[f"{end}_cable"] = text(data, f"{end}_cable")
        row[f"{end}_tube"] = integer(data, f"{end}_tube", low=1, high=1000)
        row[f"{end}_fiber"] = integer(data, f"{end}_fiber", low=1, high=per_tube)
    for field in LOSSES:
        row[field] = number(data, field, False, rules["entry_min_db"], rules["entry_max_db"])
    return row


def scan_row(db, data, inst, tag_keys):
    """A genuine tag is kept even when it belongs elsewhere (matched = 0): that is evidence.

    A code that fails the HMAC check is refused: it names no tag at all, and the phone can
    ask the technician to scan again or type the ID printed under the code.
    """
    code = text(data, "code", limit=SHORT)
    wait = tags.throttled_for(db, inst["scanned_by"])  # past the limit, guessing teaches nothing
    if wait:
        raise Rejected("tag_attempts_exceeded", 429, retry_after_s=wait, hours=-(-wait // 3600))
    try:
        tag_id = tags.verify(tag_keys, code)
    except tags.TagError as error:
        raise _rejected("tag_invalid", reason=error.reason) from None
    tag = tags.lookup(db, tag_id)
    matched = bool(tag and tag["institution_id"] == inst["institution_id"] and not tag["revoked_at"])
    return {"tag_id": tag_id, "matched": int(matched), **position(data),
            "accuracy_m": number(data, "accuracy_m", False, 0, 1e6)}


def note_row(db, data, inst, tag_keys):
    return {"text": text(data, "text", limit=LONG)}


def speed_test_row(db, data, inst, tag_keys):
    """Fields as the speed test sends them, judged by speed.py's rules (shared with the form)."""
    problems = speed.validate_speed_test(data)
    if problems:
        raise _rejected(problems[0]["code"], field=problems[0]["field"])
    raw = data.get("raw")
    return {
        "method": choice(data, "method", speed.METHODS),
        "server": text(data, "server", False) or "",
        "connection": choice(data, "connection", CONNECTIONS),
        "down_mbps": number(data, "down_mbps", low=0, high=1e6),
        "up_mbps": number(data, "up_mbps", low=0, high=1e6),
        "latency_ms": number(data, "latency_ms", False, 0, 1e6),
        "latency_kind": choice(data, "latency_kind", ("min", "median"), False),
        "jitter_ms": number(data, "jitter_ms", False, 0, 1e6),
        "loss_pct": number(data, "loss_pct", False, 0, 100),
        "started_at": iso_time(data.get("started_at"), "started_at", False),
        "duration_s": number(data, "duration_s", False, 0, 86400),
        "streams": integer(data, "streams", False, 0, 1000),
        **position(data),
        "device_model": text(data, "device_model", False),
        "device_serial": text(data, "device_serial", False),
        "screen_photo_id": (
            None if data.get("screen_photo_id") is None
            else uuid_text(data["screen_photo_id"], "screen_photo_id")
        ),
        "raw": None if raw is None else json.dumps(raw, sort_keys=True),
    }


def submission_row(db, data, inst, tag_keys):
    return {"comment": text(data, "comment", False, LONG) or ""}


ROW_BUILDERS = {
    "splice": splice_row,
    "scan": scan_row,
    "note": note_row,
    "speed_test": speed_test_row,
    "submission": submission_row,
}
