"""Field records from phones, stored exactly once: batches, idempotency keys, returned items.

A batch is one BEGIN IMMEDIATE transaction holding its records and its idempotency key with
the request hash and the response, so the answer a phone receives is the one that committed,
and a replay finds it. Each record is judged on its own (stored / duplicate / conflict /
rejected) inside a savepoint, so a rejected record never leaves half a row behind.
"""

import json
import logging
from datetime import timedelta

from fieldapp import access
from fieldapp import check_summaries
from fieldapp import clock
from fieldapp import installations
from fieldapp import profiles
from fieldapp import store
from fieldapp.evidence import fields
from fieldapp.evidence import kinds
from fieldapp.evidence.fields import Rejected

MAX_BATCH = 500
LOCKED = ("approved", "accepted")  # handed over: nothing more is added from the field
KEY_DAYS = 45
log = logging.getLogger(__name__)


def store_batch(db, user, key, records, tag_keys=None):
    """Store a batch and return {key, cursor, results}; a replay returns the stored answer.

    Raises Rejected('idempotency_key_reused') when the key was used for another body or user.
    """
    if not access.can(user, "collect"):
        raise Rejected("forbidden", 403)  # supervisors and admins review; they never push
    fields.check_key(key)
    if not isinstance(records, list):
        raise Rejected("bad_batch", 400)
    if len(records) > MAX_BATCH:
        raise Rejected("batch_too_large", 413, max=MAX_BATCH)
    try:
        request_hash = fields.digest(records)
    except (RecursionError, ValueError):  # nested too deep to hash, or NaN-like oddities
        raise Rejected("bad_batch", 400) from None
    with store.write(db):
        previous = store.one(db, "SELECT * FROM sync_batches WHERE key = ?", [key])
        if previous is not None:
            if previous["user_id"] != user["id"] or previous["request_hash"] != request_hash:
                raise Rejected("idempotency_key_reused", 422)
            return json.loads(previous["response"])
        batch = Batch(db, user, tag_keys or {})
        results = [batch.store(record) for record in records]
        for installation_id in batch.touched:
            installations.touch(db, installation_id)
        cursor = store.scalar(db, "SELECT COALESCE(MAX(rev), 0) FROM installations")
        response = {"key": key, "cursor": cursor, "results": results}
        db["sync_batches"].insert({
            "key": key, "user_id": user["id"], "request_hash": request_hash,
            # ASCII escapes: an echoed lone surrogate (a refused record's type) stays storable.
            "response": json.dumps(response, sort_keys=True, separators=(",", ":")),
            "created_at": clock.now(),
        })
    _summarize_submitted(db, batch)
    return response


def _summarize_submitted(db, batch):
    """The review queue's summary of each installation this batch left submitted, after the
    batch committed and without holding its answer (check_summaries.soon)."""
    left = [batch.installations.get(installation_id) for installation_id in sorted(batch.touched)]
    check_summaries.soon(db, [inst["id"] for inst in left if inst and inst["status"] == "submitted"])


class Batch:
    """One batch in progress: caches installations and remembers which ones changed."""

    def __init__(self, db, user, tag_keys):
        self.db = db
        self.user = user
        self.tag_keys = tag_keys
        self.touched = set()
        self.installations = {}

    def store(self, record):
        """Judge and store one record; never raises for bad input."""
        record_id = record.get("id") if isinstance(record, dict) else None
        try:
            with store.write(self.db):
                return self._store(record)
        except Rejected as refused:
            kind = kinds.by_type(record.get("type")) if isinstance(record, dict) else None
            if hasattr(kind, "refused"):  # after the savepoint rolled back, so it is kept
                kind.refused(self.db, self.user, record, refused)
            return {"id": record_id, "status": "rejected", "code": refused.code,
                    "params": refused.params}
        except Exception:  # a bug or input nobody foresaw: refuse this record, keep the batch
            log.exception("record %s could not be judged", str(record_id)[:60])
            self.installations.clear()  # a cached status may describe the rolled-back savepoint
            return {"id": record_id, "status": "rejected", "code": "bad_record", "params": {}}

    def _store(self, record):
        record = envelope(record)
        inst = self.installation(record["installation_id"])
        row = validated_row(self.db, record, {**inst, "scanned_by": self.user["id"]}, self.tag_keys)
        found = existing(self.db, record["id"])
        if found is not None:
            return judge_existing(found, record, row)
        if inst["status"] in LOCKED:
            raise Rejected("installation_locked", installation_status=inst["status"])
        check_replaces(self.db, record, inst["id"])
        insert(self.db, self.user, record, row)
        self.after_insert(record, row, inst)
        return {"id": record["id"], "status": "stored"}

    def installation(self, installation_id):
        """The installation if this technician is assigned to it (cached for the batch)."""
        if installation_id not in self.installations:
            found = access.can_see_installation(self.db, self.user, installation_id)
            inst = installations.get(self.db, installation_id) if found else None
            if inst is not None:
                inst["rules"] = profiles.get(self.db, inst["profile_id"])["rules"]
                inst["open_returns"] = store.scalar(
                    self.db, "SELECT COUNT(*) FROM returned_items "
                    "WHERE installation_id = ? AND resolved_at IS NULL", [installation_id])
            self.installations[installation_id] = inst
        inst = self.installations[installation_id]
        if inst is None:
            raise Rejected("not_assigned", 403, installation_id=installation_id)
        return inst

    def after_insert(self, record, row, inst):
        """Status moves, returned items and the pull cursor, for one stored record."""
        full = {**row, "id": record["id"], "replaces": record["replaces"]}
        inst["status"] = after_store(
            self.db, self.user, inst, record["type"], full, inst["open_returns"] > 0
        )
        self.touched.add(inst["id"])


def after_store(db, user, inst, kind, row, may_resolve=True):
    """Shared by batches and photos: planned -> in_progress, submit, resolve returned items.

    Returns the installation's status afterwards.
    """
    status = inst["status"]
    if status == "planned" and kind != "submission":
        status = "in_progress"
        installations.transition(db, inst["id"], status, user["id"])
    if kind == "submission" and status in ("planned", "in_progress", "returned"):
        status = "submitted"
        installations.transition(db, inst["id"], status, user["id"])
    if may_resolve:
        resolve_returned(db, inst["id"], kind, row)
    return status


def envelope(record):
    """The fields every record carries, checked and normalised."""
    if not isinstance(record, dict):
        raise Rejected("bad_record")
    kind = kinds.by_type(record.get("type"))
    if kind not in kinds.batched():
        raise Rejected("bad_type", type=str(record.get("type"))[:40])
    installation_id = record.get("installation_id")
    if not store.is_int64(installation_id):
        raise Rejected("bad_field", field="installation_id")
    data = record.get("data")
    if not isinstance(data, dict):
        raise Rejected("bad_field", field="data")
    replaces = record.get("replaces")
    return {
        "id": fields.uuid_text(record.get("id")),
        "type": record["type"],
        "installation_id": installation_id,
        "device_time": fields.iso_time(record.get("device_time"), "device_time"),
        "replaces": None if replaces is None else fields.uuid_text(replaces, "replaces"),
        "data": data,
    }


def validated_row(db, record, inst, tag_keys):
    """The table columns for a record's data (validated by its kind), with its content hash."""
    data = record["data"]
    columns = kinds.by_type(record["type"]).row(db, data, inst, tag_keys)
    columns["content_hash"] = fields.content_hash(
        record["type"], record["installation_id"], record["replaces"], data
    )
    return columns


# One indexed lookup across every record table: is this id known, and as what?
KNOWN_SQL = " UNION ALL ".join(
    f"SELECT '{kind.TYPE}' FROM {kind.TABLE} WHERE id = :id" for kind in kinds.KINDS
)


def existing(db, record_id):
    """The stored row with this id in any record table, with its type under '_type'."""
    found = db.execute(KNOWN_SQL, {"id": record_id}).fetchone()
    if found is None:
        return None
    row = store.one(db, f"SELECT * FROM {kinds.by_type(found[0]).TABLE} WHERE id = ?", [record_id])
    return {**row, "_type": found[0]}


def judge_existing(found, record, row):
    """Same id again: duplicate when the content hash matches, else a conflict saying what differs."""
    if found["_type"] == record["type"] and found["content_hash"] == row["content_hash"]:
        return {"id": record["id"], "status": "duplicate"}
    if found["_type"] != record["type"]:
        differences = ["type"]
    else:
        differences = sorted(
            name for name, value in row.items()
            if name not in ("content_hash", "matched", "tag_id") and found.get(name) != value
        )
    return {"id": record["id"], "status": "conflict", "differences": differences or ["data"]}


def check_replaces(db, record, installation_id):
    """A correction must name a record of the same type on the same installation."""
    if record["replaces"] is None:
        return
    table = kinds.by_type(record["type"]).TABLE
    sql = f"SELECT installation_id FROM {table} WHERE id = ?"
    if store.scalar(db, sql, [record["replaces"]]) != installation_id:
        raise Rejected("replaces_unknown", replaces=record["replaces"])


def insert(db, user, record, row):
    """Write one record row with the columns every field record shares.

    Plain SQL rather than sqlite-utils' insert(), which cost a third of a batch's time; the
    column names are ours (the kind modules'), never the client's.
    """
    values = {
        **row,
        "id": record["id"],
        "installation_id": record["installation_id"],
        "author_id": user["id"],
        "device_time": record["device_time"],
        "received_at": clock.now(),
        "replaces": record["replaces"],
    }
    columns = ", ".join(values)
    marks = ", ".join(f":{name}" for name in values)
    db.execute(f"INSERT INTO {kinds.by_type(record['type']).TABLE} ({columns}) VALUES ({marks})", values)


def resolve_returned(db, installation_id, kind, record):
    """Close the open returned items a new record answers; only those, nothing else.

    A record resolves the item whose ref it `replaces`; a completed photo also resolves a
    returned 'shot' of its shot key; a matched scan resolves 'scan'; a speed test or a handover
    resolves an item of its kind that is not about one record (ref '').
    """
    clauses = ["(item_kind = ? AND item_ref = ?)"]
    params = [kind, record.get("replaces") or "\0"]
    if kind == "photo":
        clauses.append("(item_kind = 'shot' AND item_ref = ?)")
        params.append(record.get("shot"))
    if kind == "scan" and record.get("matched"):
        clauses.append("(item_kind = 'scan')")
    if kind in ("speed_test", "handover"):
        clauses.append("(item_kind = ? AND item_ref = '')")
        params.append(kind)
    db.execute(
        f"UPDATE returned_items SET resolved_at = ?, resolved_by = ? "
        f"WHERE installation_id = ? AND resolved_at IS NULL AND ({' OR '.join(clauses)})",
        [clock.now(), record["id"], installation_id, *params],
    )


def prune_keys(db, days=KEY_DAYS):
    """Forget idempotency keys older than `days` (crews are offline for days, so keep weeks)."""
    cutoff = clock.to_iso(clock.parse(clock.now()) - timedelta(days=days))
    with store.write(db):
        return db.execute("DELETE FROM sync_batches WHERE created_at < ?", [cutoff]).rowcount
