"""Resumable photo uploads: announce, ask the offset, append checked chunks, complete.

Chunks append to a .part file (fsynced, under an exclusive file lock, so two retries of one
upload cannot interleave); the part file's length is the offset, so a cut connection costs
at most the chunk in flight. Completion checks size and sha256, decodes safely (imaging.py),
stores the original plus display and thumbnail versions, then commits the row: a photo is
either complete with all its blobs or not there at all.
"""

import contextlib
import fcntl
import hashlib
import os
import re

from fieldapp import access
from fieldapp import clock
from fieldapp import imaging
from fieldapp import installations
from fieldapp import profiles
from fieldapp import record_rules
from fieldapp import records
from fieldapp import store
from fieldapp.record_rules import Rejected

MAX_BYTES = 25 * 1024 * 1024
EXTRA_SHOTS = ("extra",)
SHA256 = re.compile(r"^[0-9a-f]{64}$")
VARIANTS = {"original": "", "display": ".display", "thumb": ".thumb"}
STABLE = ("installation_id", "replaces", "shot", "caption", "size", "sha256")


def announce(db, blobs, user, photo_id, meta, max_bytes=MAX_BYTES):
    """Register an upload; announcing again with the same metadata is harmless."""
    photo_id = record_rules.uuid_text(photo_id)
    if not isinstance(meta, dict):
        raise Rejected("bad_record", 400)
    row = _announced_row(db, user, meta, max_bytes)
    data = {k: v for k, v in row.items() if k not in ("installation_id", "replaces", "device_time")}
    row["content_hash"] = record_rules.content_hash(
        "photo", row["installation_id"], row["replaces"], data
    )
    with store.write(db):
        found = records.existing(db, "photo", photo_id)
        if found is not None:
            if found["_type"] == "photo" and found["content_hash"] == row["content_hash"]:
                return _state(found, _held(_part_path(blobs, photo_id)))
            differences = ["type"] if found["_type"] != "photo" else [
                name for name in STABLE if found.get(name) != row[name]
            ]
            raise Rejected("conflict", 409, differences=differences or ["data"])
        inst = installations.get(db, row["installation_id"])
        if inst["status"] in records.LOCKED:
            raise Rejected("installation_locked", installation_status=inst["status"])
        if row["replaces"] is not None:
            sql = "SELECT installation_id FROM photos WHERE id = ? AND status = 'complete'"
            if store.scalar(db, sql, [row["replaces"]]) != inst["id"]:
                raise Rejected("replaces_unknown", replaces=row["replaces"])
        db["photos"].insert({**row, "id": photo_id, "author_id": user["id"],
                             "received_at": clock.now(), "status": "announced"})
    return {"id": photo_id, "status": "announced", "offset": 0}


def _announced_row(db, user, meta, max_bytes):
    """Validate announce metadata into photo columns."""
    if not access.can(user, "collect"):
        raise Rejected("forbidden", 403)
    installation_id = meta.get("installation_id")
    if not isinstance(installation_id, int) or not access.can_see_installation(db, user, installation_id):
        raise Rejected("not_assigned", 403, installation_id=str(installation_id)[:20])
    inst = installations.get(db, installation_id)
    rules = profiles.get(db, inst["profile_id"])["rules"]
    shots = {shot for shot_list in rules["shots"].values() for shot in shot_list}
    size = record_rules.integer(meta, "size", low=1)
    if size > max_bytes:
        raise Rejected("too_large", 413, max=max_bytes)
    sha = meta.get("sha256")
    if not isinstance(sha, str) or not SHA256.match(sha.lower()):
        raise Rejected("bad_field", field="sha256")
    replaces = meta.get("replaces")
    return {
        "installation_id": installation_id,
        "device_time": record_rules.iso_time(meta.get("device_time"), "device_time"),
        "replaces": None if replaces is None else record_rules.uuid_text(replaces, "replaces"),
        "shot": record_rules.choice(meta, "shot", sorted(shots) + list(EXTRA_SHOTS)),
        "caption": record_rules.text(meta, "caption", False) or "",
        "size": size,
        "sha256": sha.lower(),
        "taken_at": record_rules.iso_time(meta.get("taken_at"), "taken_at", False),
        **record_rules.position(meta),
        "accuracy_m": record_rules.number(meta, "accuracy_m", False, 0, 1e6),
    }


def upload_state(db, blobs, user, photo_id):
    """{id, status, offset}: where a phone resumes an upload."""
    photo = _own_photo(db, user, photo_id)
    return _state(photo, _held(_part_path(blobs, photo["id"])))


def write_chunk(db, blobs, user, photo_id, offset, chunk_sha, data):
    """Append one chunk at `offset` if its sha256 matches; return the new offset."""
    photo = _own_photo(db, user, photo_id)
    if photo["status"] == "complete":
        return _state(photo, photo["size"])
    _refuse_if_locked(db, photo, _part_path(blobs, photo["id"]))
    if not isinstance(chunk_sha, str) or hashlib.sha256(data).hexdigest() != chunk_sha.lower():
        raise Rejected("chunk_sha256_mismatch", offset=_held(_part_path(blobs, photo["id"])))
    with _locked_part(blobs, photo["id"], "ab") as part:
        held = os.fstat(part.fileno()).st_size
        if offset != held:
            raise Rejected("offset_mismatch", 409, offset=held)
        if held + len(data) > photo["size"]:
            raise Rejected("beyond_size", offset=held, size=photo["size"])
        part.write(data)
        part.flush()
        os.fsync(part.fileno())
    return _state(photo, held + len(data))


def complete(db, blobs, user, photo_id, max_pixels=imaging.MAX_PIXELS, default_offset="+05:00"):
    """Check and store a fully uploaded photo; completing a completed photo is a no-op."""
    photo = _own_photo(db, user, photo_id)
    if photo["status"] == "complete":
        return _state(photo, photo["size"])
    path = _part_path(blobs, photo["id"])
    with _locked_part(blobs, photo["id"], "ab"):
        photo = _own_photo(db, user, photo_id)
        if photo["status"] == "complete":  # a concurrent retry finished it while we waited
            _discard(path)
            return _state(photo, photo["size"])
        _refuse_if_locked(db, photo, path)
        held = _held(path)
        if held != photo["size"]:
            raise Rejected("incomplete", 409, offset=held, size=photo["size"])
        if _file_sha256(path) != photo["sha256"]:
            _discard(path)
            raise Rejected("sha256_mismatch", offset=0)
        try:
            image = imaging.process(path, max_pixels, default_offset)
        except imaging.ImageRejected as refused:
            _forget(db, photo["id"], path)
            raise Rejected(refused.code) from None
        key = _put_blobs(blobs, path, image)
        try:
            _commit(db, user, photo, image, key)
        except Rejected:  # approved while the photo was uploading: keep nothing of it
            _delete_blobs(blobs, key)
            _forget(db, photo["id"], path)
            raise
    _discard(path)
    return _state(get(db, photo["id"]), photo["size"])


def _commit(db, user, photo, image, key):
    """The row update, status change and returned-item resolution in one transaction."""
    gps = image["exif_gps"]
    changes = {
        "status": "complete", "received_bytes": photo["size"], "mime": image["mime"],
        "width": image["width"], "height": image["height"],
        "taken_at": image["exif_taken_at"] or photo["taken_at"],
        "lat": gps[0] if gps else photo["lat"], "lon": gps[1] if gps else photo["lon"],
        "phash": image["phash"], "brightness": image["brightness"],
        "sharpness": image["sharpness"], "blob_key": key, "completed_at": clock.now(),
    }
    with store.write(db):
        inst = installations.get(db, photo["installation_id"])
        if inst["status"] in records.LOCKED:  # read inside the transaction: no approval slips by
            raise Rejected("installation_locked", installation_status=inst["status"])
        db["photos"].update(photo["id"], changes)
        records.after_store(db, user, inst, "photo", {**photo, **changes})
        installations.touch(db, inst["id"])


def store_photo_bytes(db, blobs, user, meta, data):
    """Announce, upload in one chunk and complete: the same code path, for tests and demos.

    `meta` holds the announce fields plus "id"; size and sha256 are computed when absent.
    """
    sha = hashlib.sha256(data).hexdigest()
    meta = {"size": len(data), "sha256": sha, "device_time": clock.now(), **meta}
    photo_id = meta.pop("id")
    state = announce(db, blobs, user, photo_id, meta)
    rest = data[state["offset"]:]
    if state["status"] != "complete" and rest:
        write_chunk(db, blobs, user, photo_id, state["offset"], hashlib.sha256(rest).hexdigest(), rest)
    complete(db, blobs, user, photo_id)
    return get(db, record_rules.uuid_text(photo_id))


def get(db, photo_id):
    """One photo row, or None."""
    return store.one(db, "SELECT * FROM photos WHERE id = ?", [photo_id])


def variant_key(photo, variant):
    """The blob key of a stored photo's original, display or thumb version."""
    return photo["blob_key"] + VARIANTS[variant]


def _refuse_if_locked(db, photo, path):
    """No more bytes for a photo whose installation was approved or accepted since its announce."""
    status = store.scalar(db, "SELECT status FROM installations WHERE id = ?", [photo["installation_id"]])
    if status in records.LOCKED:
        _forget(db, photo["id"], path)
        raise Rejected("installation_locked", installation_status=status)


def _delete_blobs(blobs, key):
    for suffix in VARIANTS.values():
        blobs.delete(key + suffix)


def _put_blobs(blobs, path, image):
    key = blobs.new_key()
    blobs.put(key + VARIANTS["display"], image["display"])
    blobs.put(key + VARIANTS["thumb"], image["thumb"])
    blobs.put_file(key, path)
    return key


def _own_photo(db, user, photo_id):
    photo = get(db, record_rules.uuid_text(photo_id))
    if photo is None:
        raise Rejected("unknown_photo", 404)
    if not access.can_see_installation(db, user, photo["installation_id"]):
        raise Rejected("not_assigned", 403, installation_id=photo["installation_id"])
    return photo


def _state(photo, offset):
    if photo["status"] == "complete":
        return {"id": photo["id"], "status": "complete", "offset": photo["size"]}
    return {"id": photo["id"], "status": "announced", "offset": offset}


def _forget(db, photo_id, path):
    """A photo whose bytes are not an acceptable image leaves nothing behind, not even its row."""
    _discard(path)
    with store.write(db):
        db.execute("DELETE FROM photos WHERE id = ? AND status = 'announced'", [photo_id])


@contextlib.contextmanager
def _locked_part(blobs, photo_id, mode):
    os.makedirs(blobs.parts_dir, exist_ok=True)
    with open(_part_path(blobs, photo_id), mode) as part:
        fcntl.flock(part.fileno(), fcntl.LOCK_EX)
        try:
            yield part
        finally:
            fcntl.flock(part.fileno(), fcntl.LOCK_UN)


def _part_path(blobs, photo_id):
    return os.path.join(blobs.parts_dir, f"{photo_id}.part")


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
