"""uploads.py with photos: resumable uploads in the domain, complete once, nothing half stored."""

import hashlib
import io
import os
import uuid

import pytest
from PIL import Image

from fieldapp import blobstore
from fieldapp import store
from fieldapp import uploads
from fieldapp.evidence import imaging
from fieldapp.evidence import photo
from fieldapp.evidence.fields import Rejected
from tests.test_imaging import HOSTILE
from tests.test_imaging import jpeg
from tests.test_imaging import picture


@pytest.fixture
def blobs(app):
    return blobstore.from_config(app.config)


@pytest.fixture
def tech(make):
    return make.user("technician")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


def meta(inst, data, **extra):
    return {"installation_id": inst, "shot": "cable_entry", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z",
            "taken_at": "2026-11-20T09:59:00Z", "lat": 42.9, "lon": 71.4, **extra}


def blob_files(blobs):
    return [entry.key for entry in blobs.listing()]


def test_store_photo_bytes_end_to_end(db, blobs, tech, inst):
    data = jpeg(2000, 1500, taken="2026:11:20 15:00:00", gps=(42, 71))
    row = uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), "installation_id": inst,
                                                     "shot": "closure_open", "lat": 1.0, "lon": 2.0}, data)
    assert row["status"] == "complete" and row["width"] == 2000
    assert (row["lat"], row["lon"]) == (42.0, 71.5)  # EXIF GPS wins over the phone's fix
    assert row["taken_at"] == "2026-11-20T10:00:00.000Z"
    with blobs.open(photo.variant_key(row, "original")) as original:
        assert original.read() == data
    assert len(blob_files(blobs)) == 3
    status = store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst])
    assert status == "in_progress"
    assert not os.listdir(blobs.parts_dir)


def test_phone_values_are_the_fallback(db, blobs, tech, inst):
    data = jpeg(800, 600)
    photo_id = str(uuid.uuid4())
    row = uploads.store_bytes(db, blobs, tech, "photo", {"id": photo_id, **meta(inst, data)}, data)
    assert (row["lat"], row["lon"], row["taken_at"]) == (42.9, 71.4, "2026-11-20T09:59:00.000Z")


def test_chunks_resume_and_complete_twice_is_noop(db, blobs, tech, inst):
    data = jpeg(1600, 1200, seed=3)
    photo_id = str(uuid.uuid4())
    assert uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))["offset"] == 0
    assert uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))["status"] == "announced"
    half = len(data) // 2
    first = data[:half]
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(first).hexdigest(), first)
    assert uploads.upload_state(db, blobs, tech, "photo", photo_id)["offset"] == half
    with pytest.raises(Rejected) as wrong:
        start = data[:10]
        uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(start).hexdigest(), start)
    assert (wrong.value.status, wrong.value.params["offset"]) == (409, half)
    rest = data[half:]
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, half, hashlib.sha256(rest).hexdigest(), rest)
    first = uploads.complete(db, blobs, tech, "photo", photo_id)
    again = uploads.complete(db, blobs, tech, "photo", photo_id)
    assert first == again == {"id": photo_id, "status": "complete", "offset": len(data)}
    assert uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))["status"] == "complete"
    assert len(blob_files(blobs)) == 3


def test_reannounce_with_other_metadata_conflicts(db, blobs, tech, inst):
    data = jpeg(400, 300)
    photo_id = str(uuid.uuid4())
    uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))
    with pytest.raises(Rejected) as conflict:
        uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data, shot="power"))
    assert conflict.value.status == 409 and conflict.value.params["differences"] == ["shot"]


def test_corrupted_chunk_is_not_stored(db, blobs, tech, inst):
    data = jpeg(400, 300)
    photo_id = str(uuid.uuid4())
    uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))
    damaged = bytes([data[0] ^ 1]) + data[1:]
    with pytest.raises(Rejected) as refused:
        uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(data).hexdigest(), damaged)
    assert refused.value.code == "chunk_sha256_mismatch"
    assert uploads.upload_state(db, blobs, tech, "photo", photo_id)["offset"] == 0


def test_whole_file_mismatch_discards_parts(db, blobs, tech, inst):
    data = jpeg(400, 300)
    photo_id = str(uuid.uuid4())
    uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data, sha256="0" * 64))
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(data).hexdigest(), data)
    with pytest.raises(Rejected) as refused:
        uploads.complete(db, blobs, tech, "photo", photo_id)
    assert refused.value.code == "sha256_mismatch"
    assert uploads.upload_state(db, blobs, tech, "photo", photo_id) == {
        "id": photo_id, "status": "announced", "offset": 0}
    assert blob_files(blobs) == []


@pytest.mark.parametrize("name", [n for n in HOSTILE if n != "empty"])
def test_hostile_images_leave_nothing(db, blobs, tech, inst, name):
    make, code = HOSTILE[name]
    data = make()
    with pytest.raises(Rejected) as refused:
        uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, data)}, data)
    assert refused.value.code == code
    assert db["photos"].count == 0 and blob_files(blobs) == []
    assert store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst]) == "planned"


def test_empty_file_is_refused_at_announce(db, blobs, tech, inst):
    with pytest.raises(Rejected) as refused:
        uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, b"")}, b"")
    assert refused.value.code == "out_of_range" and db["photos"].count == 0


@pytest.mark.parametrize("change, code", [
    ({"shot": "selfie"}, "bad_choice"),
    ({"sha256": "xyz"}, "bad_field"),
    ({"size": 10**9}, "too_large"),
    ({"lat": 123.0}, "out_of_range"),
    ({"replaces": str(uuid.uuid4())}, "replaces_unknown"),
])
def test_announce_validation(db, blobs, tech, inst, change, code):
    data = jpeg(100, 100)
    with pytest.raises(Rejected) as refused:
        uploads.announce(db, blobs, tech, "photo", str(uuid.uuid4()), meta(inst, data, **change))
    assert refused.value.code == code and db["photos"].count == 0


def test_returned_shot_and_photo_resolve(db, blobs, tech, inst):
    from tests.test_records import returned

    data = jpeg(300, 200, seed=1)
    first = uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, data)}, data)
    photo_item = returned(db, inst, "photo", first["id"])
    shot_item = returned(db, inst, "shot", "power")
    other = returned(db, inst, "shot", "signed_form")
    redo = jpeg(300, 200, seed=2)
    fix = uploads.store_bytes(
        db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, redo, replaces=first["id"])}, redo)
    power = uploads.store_bytes(
        db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, redo, shot="power")}, redo)
    resolved = dict(db.execute("SELECT id, resolved_by FROM returned_items").fetchall())
    assert resolved == {photo_item: fix["id"], shot_item: power["id"], other: None}


def jpeg_taken(taken, offset=None):
    """A phone-like JPEG whose EXIF DateTimeOriginal (and OffsetTimeOriginal) we choose."""
    exif = Image.Exif()
    exif.get_ifd(imaging.EXIF_IFD)[imaging.DATETIME_ORIGINAL] = taken
    if offset:
        exif.get_ifd(imaging.EXIF_IFD)[imaging.OFFSET_TIME_ORIGINAL] = offset
    out = io.BytesIO()
    picture(320, 240).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize("taken, offset", [("0001:01:01 00:00:00", None), ("9999:12:31 23:59:59", "-05:00")])
def test_camera_time_beyond_the_calendar_falls_back_to_the_phones(db, blobs, tech, inst, taken, offset):
    """Review H2: EXIF year 1 at +05:00 or 9999 at -05:00 overflowed to a 500 on every retry."""
    data = jpeg_taken(taken, offset)
    row = uploads.store_bytes(db, blobs, tech, "photo", {"id": str(uuid.uuid4()), **meta(inst, data)}, data)
    assert (row["status"], row["taken_at"]) == ("complete", "2026-11-20T09:59:00.000Z")
    assert not os.listdir(blobs.parts_dir)


def lock(db, inst, status):
    with store.write(db):
        db.execute("UPDATE installations SET status = ? WHERE id = ?", [status, inst])


def announced(db, blobs, tech, inst, data):
    photo_id = str(uuid.uuid4())
    uploads.announce(db, blobs, tech, "photo", photo_id, meta(inst, data))
    return photo_id


def assert_nothing_kept(db, blobs, inst, status):
    parts = os.listdir(blobs.parts_dir) if os.path.isdir(blobs.parts_dir) else []
    assert db["photos"].count == 0 and blob_files(blobs) == [] and parts == []
    assert store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst]) == status


@pytest.mark.parametrize("status", ["approved", "accepted"])
def test_no_chunk_for_a_photo_whose_installation_was_locked(db, blobs, tech, make, status):
    """Review H3: the lock was checked at announce only; chunks kept arriving."""
    inst = make.installation([tech], status="in_progress")
    data = jpeg(400, 300)
    photo_id = announced(db, blobs, tech, inst, data)
    lock(db, inst, status)
    with pytest.raises(Rejected) as refused:
        uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(data).hexdigest(), data)
    assert (refused.value.code, refused.value.status) == ("installation_locked", 422)
    assert refused.value.params == {"installation_status": status}
    assert_nothing_kept(db, blobs, inst, status)


def test_no_complete_for_a_photo_whose_installation_was_locked(db, blobs, tech, make):
    inst = make.installation([tech], status="in_progress")
    data = jpeg(400, 300)
    photo_id = announced(db, blobs, tech, inst, data)
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(data).hexdigest(), data)
    lock(db, inst, "accepted")
    with pytest.raises(Rejected) as refused:
        uploads.complete(db, blobs, tech, "photo", photo_id)
    assert refused.value.code == "installation_locked"
    assert_nothing_kept(db, blobs, inst, "accepted")


def test_approval_while_the_photo_is_processed_is_seen_in_the_commit(db, blobs, tech, make, monkeypatch):
    """The approval lands after the early check: the commit's own re-read refuses it."""
    inst = make.installation([tech], status="submitted")
    data = jpeg(400, 300)
    photo_id = announced(db, blobs, tech, inst, data)
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, hashlib.sha256(data).hexdigest(), data)
    process = imaging.process

    def approve_meanwhile(*args):
        lock(db, inst, "approved")
        return process(*args)

    monkeypatch.setattr(imaging, "process", approve_meanwhile)
    with pytest.raises(Rejected) as refused:
        uploads.complete(db, blobs, tech, "photo", photo_id)
    assert refused.value.code == "installation_locked"
    assert_nothing_kept(db, blobs, inst, "approved")
