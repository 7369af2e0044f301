"""Resumable uploads of evidence files of any kind: announce, ask the offset, append checked
chunks, complete.

Chunks append to a .part file (under an exclusive file lock, so two retries of one upload
cannot interleave); the part file's length is the offset, so a cut connection costs at most the
chunk in flight. Chunks are not fsynced one by one: the phone keeps its copy until the file is
"stored", a power cut can only shorten the part (the phone asks the offset again) or spoil it
(the sha256 at completion refuses it, and the upload starts over), and the blob store fsyncs the
whole file once when it becomes the original. Completion checks size and sha256, lets the
file's kind store it (a photo: decoded, original + display + thumbnail), then commits the row:
a file is either complete with all its blobs or not there at all. Blobs are generic; the kind decides what a
file is and who may see it (access goes through its installation).
"""

import contextlib
import fcntl
import hashlib
import os
import re

from fieldapp import access
from fieldapp import added_shots
from fieldapp import clock
from fieldapp import installations
from fieldapp import profiles
from fieldapp import records
from fieldapp import store
from fieldapp.evidence import fields
from fieldapp.evidence import imaging
from fieldapp.evidence import kinds
from fieldapp.evidence.fields import Rejected

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def file_kind(type_):
    """The kind module of a file type ('photo'); anything else is no file this server takes."""
    kind = kinds.by_type(type_)
    if kind not in kinds.files():
        raise Rejected("bad_type", 400, type=str(type_)[:40])
    return kind


def announce(db, blobs, user, type_, file_id, meta, max_bytes=None):
    """Register an upload; announcing again with the same metadata is harmless."""
    kind = file_kind(type_)
    file_id = fields.uuid_text(file_id)
    if not isinstance(meta, dict):
        raise Rejected("bad_record", 400)
    row = _announced_row(db, user, kind, meta, max_bytes or kind.MAX_BYTES)
    data = {k: v for k, v in row.items() if k not in ("installation_id", "replaces", "device_time")}
    row["content_hash"] = fields.content_hash(kind.TYPE, row["installation_id"], row["replaces"], data)
    with store.write(db):
        found = records.existing(db, file_id)
        if found is not None:
            if found["_type"] == kind.TYPE and found["content_hash"] == row["content_hash"]:
                return _state(found, _held(_part_path(blobs, file_id)))
            differences = ["type"] if found["_type"] != kind.TYPE else [
                name for name in kind.STABLE if found.get(name) != row[name]
            ]
            raise Rejected("conflict", 409, differences=differences or ["data"])
        inst = installations.get(db, row["installation_id"])
        if inst["status"] in records.LOCKED:
            raise Rejected("installation_locked", installation_status=inst["status"])
        if row["replaces"] is not None:
            sql = f"SELECT installation_id FROM {kind.TABLE} WHERE id = ? AND status = 'complete'"
            if store.scalar(db, sql, [row["replaces"]]) != inst["id"]:
                raise Rejected("replaces_unknown", replaces=row["replaces"])
        _insert(db, kind.TABLE, {**row, "id": file_id, "author_id": user["id"],
                                 "received_at": clock.now(), "status": "announced"})
    return {"id": file_id, "status": "announced", "offset": 0}


def _announced_row(db, user, kind, meta, max_bytes):
    """The columns every file shares (installation, size, sha256, correction), then the kind's."""
    if not access.can(user, "collect"):
        raise Rejected("forbidden", 403)
    installation_id = meta.get("installation_id")
    if not store.is_int64(installation_id) or not access.can_see_installation(db, user, installation_id):
        raise Rejected("not_assigned", 403, installation_id=str(installation_id)[:20])
    inst = installations.get(db, installation_id)
    rules = added_shots.with_added(db, installation_id, profiles.get(db, inst["profile_id"])["rules"])
    size = fields.integer(meta, "size", low=1)
    if size > max_bytes:
        raise Rejected("too_large", 413, max=max_bytes)
    sha = meta.get("sha256")
    if not isinstance(sha, str) or not SHA256.match(sha.lower()):
        raise Rejected("bad_field", field="sha256")
    return {
        "installation_id": installation_id,
        "device_time": fields.iso_time(meta.get("device_time"), "device_time"),
        "replaces": fields.optional_uuid(meta, "replaces"),
        **kind.announce_fields(meta, rules),
        "size": size,
        "sha256": sha.lower(),
    }


def upload_state(db, blobs, user, type_, file_id):
    """{id, status, offset}: where a phone resumes an upload."""
    row = _own(db, user, file_kind(type_), file_id)
    return _state(row, _held(_part_path(blobs, row["id"])))


def write_chunk(db, blobs, user, type_, file_id, offset, chunk_sha, data):
    """Append one chunk at `offset` if its sha256 matches; return the new offset."""
    kind = file_kind(type_)
    row = _own(db, user, kind, file_id)
    if row["status"] == "complete":
        return _state(row, row["size"])
    _refuse_if_locked(db, kind, row, _part_path(blobs, row["id"]))
    if not isinstance(chunk_sha, str) or hashlib.sha256(data).hexdigest() != chunk_sha.lower():
        raise Rejected("chunk_sha256_mismatch", offset=_held(_part_path(blobs, row["id"])))
    with _locked_part(blobs, row["id"], "ab") as part:
        held = os.fstat(part.fileno()).st_size
        if offset != held:
            raise Rejected("offset_mismatch", 409, offset=held)
        if held + len(data) > row["size"]:
            raise Rejected("beyond_size", offset=held, size=row["size"])
        part.write(data)  # not fsynced: see the module's docstring
    return _state(row, held + len(data))


def complete(db, blobs, user, type_, file_id, options=None):
    """Check and store a fully uploaded file; completing a completed file is a no-op.

    `options` go to the kind's stored() (a photo's pixel cap and EXIF time zone).
    """
    kind = file_kind(type_)
    row = _own(db, user, kind, file_id)
    if row["status"] == "complete":
        return _state(row, row["size"])
    path = _part_path(blobs, row["id"])
    with _locked_part(blobs, row["id"], "ab"):
        row = _own(db, user, kind, file_id)
        if row["status"] == "complete":  # a concurrent retry finished it while we waited
            _discard(path)
            return _state(row, row["size"])
        _check_whole(db, kind, row, path)
        try:
            key, changes = kind.stored(blobs, path, row, options or {})
        except imaging.ImageRejected as refused:
            _forget(db, kind, row["id"], path)
            raise Rejected(refused.code) from None
        except Rejected:  # the kind refuses the file itself (an unreadable trace): nothing kept
            _forget(db, kind, row["id"], path)
            raise
        try:
            _commit(db, user, kind, row, key, changes)
        except Rejected:  # approved while the file was uploading: keep nothing of it
            delete_blobs(blobs, kind, key)
            _forget(db, kind, row["id"], path)
            raise
    _discard(path)
    return _state(get(db, kind, row["id"]), row["size"])


def _check_whole(db, kind, row, path):
    """The whole file arrived, unchanged, for an installation still open to new evidence."""
    _refuse_if_locked(db, kind, row, path)
    held = _held(path)
    if held != row["size"]:
        raise Rejected("incomplete", 409, offset=held, size=row["size"])
    if _file_sha256(path) != row["sha256"]:
        _discard(path)
        raise Rejected("sha256_mismatch", offset=0)


def _commit(db, user, kind, row, key, changes):
    """The row update, status change and returned-item resolution in one transaction."""
    changes = {**changes, "status": "complete", "received_bytes": row["size"], "blob_key": key,
               "completed_at": clock.now()}
    with store.write(db):
        inst = installations.get(db, row["installation_id"])
        if inst["status"] in records.LOCKED:  # read inside the transaction: no approval slips by
            raise Rejected("installation_locked", installation_status=inst["status"])
        _update(db, kind.TABLE, row["id"], changes)
        records.after_store(db, user, inst, kind.TYPE, {**row, **changes})
        installations.touch(db, inst["id"])


def store_bytes(db, blobs, user, type_, meta, data, max_bytes=None):
    """Announce, upload in one chunk and complete: the same code path, for tests and demos.

    `meta` holds the announce fields plus "id"; size and sha256 are computed when absent.
    """
    kind = file_kind(type_)
    sha = hashlib.sha256(data).hexdigest()
    meta = {"size": len(data), "sha256": sha, "device_time": clock.now(), **meta}
    file_id = meta.pop("id")
    state = announce(db, blobs, user, kind.TYPE, file_id, meta, max_bytes or kind.MAX_BYTES)
    rest = data[state["offset"]:]
    if state["status"] != "complete" and rest:
        rest_sha = sha if state["offset"] == 0 else hashlib.sha256(rest).hexdigest()
        write_chunk(db, blobs, user, kind.TYPE, file_id, state["offset"], rest_sha, rest)
    complete(db, blobs, user, kind.TYPE, file_id)
    return get(db, kind, fields.uuid_text(file_id))


def _insert(db, table, values):
    """One new row, in plain SQL: sqlite-utils' insert reads the schema first (~0.15 ms, twice
    per file with _update). Column names come from the kinds' code, never from a client."""
    names, marks = ", ".join(values), ", ".join("?" * len(values))
    db.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(values.values()))


def _update(db, table, file_id, values):
    """Set columns of one file's row, in plain SQL (see _insert)."""
    columns = ", ".join(f"{name} = ?" for name in values)
    db.execute(f"UPDATE {table} SET {columns} WHERE id = ?", [*values.values(), file_id])


def get(db, kind, file_id):
    """One file's row, or None."""
    return store.one(db, f"SELECT * FROM {kind.TABLE} WHERE id = ?", [file_id])


def delete_blobs(blobs, kind, key):
    """Remove a stored file and every version of it the kind made."""
    for suffix in kind.VARIANTS.values():
        blobs.delete(key + suffix)


def _refuse_if_locked(db, kind, row, path):
    """No more bytes for a file whose installation was approved or accepted since its announce."""
    status = store.scalar(db, "SELECT status FROM installations WHERE id = ?", [row["installation_id"]])
    if status in records.LOCKED:
        _forget(db, kind, row["id"], path)
        raise Rejected("installation_locked", installation_status=status)


def _own(db, user, kind, file_id):
    row = get(db, kind, fields.uuid_text(file_id))
    if row is None:
        raise Rejected("unknown_photo", 404)
    if not access.can_see_installation(db, user, row["installation_id"]):
        raise Rejected("not_assigned", 403, installation_id=row["installation_id"])
    return row


def _state(row, offset):
    if row["status"] == "complete":
        return {"id": row["id"], "status": "complete", "offset": row["size"]}
    return {"id": row["id"], "status": "announced", "offset": offset}


def _forget(db, kind, file_id, path):
    """A file the kind refuses leaves nothing behind, not even its row."""
    _discard(path)
    with store.write(db):
        db.execute(f"DELETE FROM {kind.TABLE} WHERE id = ? AND status = 'announced'", [file_id])


@contextlib.contextmanager
def _locked_part(blobs, file_id, mode):
    os.makedirs(blobs.parts_dir, exist_ok=True)
    with open(_part_path(blobs, file_id), mode) as part:
        fcntl.flock(part.fileno(), fcntl.LOCK_EX)
        try:
            yield part
        finally:
            fcntl.flock(part.fileno(), fcntl.LOCK_UN)


def _part_path(blobs, file_id):
    return os.path.join(blobs.parts_dir, f"{file_id}.part")


def _held(path):
    try:
        return os.path.getsize(path)
    except FileNotFoundError:
        return 0


def _discard(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as part:
        for block in iter(lambda: part.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
