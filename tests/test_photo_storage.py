"""How a completed photo reaches the disk: written once, fsynced once, before it counts as stored.

The phone deletes its copy when the server says "stored", so the original must be on disk by
then; the chunks before it need not be (the sha256 at completion checks the whole file).
"""

import hashlib
import io
import os
import stat
import threading
import uuid

import pytest
from PIL import Image

from fieldapp import blobstore
from fieldapp import uploads
from fieldapp.evidence import imaging
from fieldapp.evidence import photo
from fieldapp.evidence.fields import Rejected
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


def phone_jpeg():
    """What encode.js sends: a canvas JPEG of display size, JFIF only, no EXIF."""
    out = io.BytesIO()
    picture(1600, 1200).save(out, "JPEG", quality=72)
    return out.getvalue()


def store(db, blobs, tech, inst, data):
    return uploads.store_bytes(db, blobs, tech, "photo", {
        "id": str(uuid.uuid4()), "installation_id": inst, "shot": "cable_entry"}, data)


def test_a_phone_jpeg_is_stored_once_as_original_and_display(db, blobs, tech, inst):
    data = phone_jpeg()
    row = store(db, blobs, tech, inst, data)
    original = blobs.path(photo.variant_key(row, "original"))
    display = blobs.path(photo.variant_key(row, "display"))
    assert os.path.samefile(original, display)  # one file, two names: no second write
    for path in (original, display):
        with open(path, "rb") as blob:
            assert blob.read() == data
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not os.listdir(blobs.parts_dir)
    thumb = blobs.path(photo.variant_key(row, "thumb"))
    assert not os.path.samefile(original, thumb)


def test_a_photo_with_exif_keeps_a_display_of_its_own_without_it(db, blobs, tech, inst):
    data = jpeg(1600, 1200, taken="2026:11:20 15:00:00", gps=(42, 71))
    row = store(db, blobs, tech, inst, data)
    original = blobs.path(photo.variant_key(row, "original"))
    display = blobs.path(photo.variant_key(row, "display"))
    assert not os.path.samefile(original, display)
    with open(original, "rb") as blob:
        assert blob.read() == data
    with open(display, "rb") as blob:
        shown = blob.read()
    assert b"Exif" not in shown and len(shown) < len(data)


def test_the_original_is_fsynced_before_it_counts_as_stored(db, blobs, tech, inst, monkeypatch):
    """Chunks are not fsynced one by one; the finished upload is, once, under its blob name."""
    synced = []
    real_fsync = os.fsync

    def fsync(fd):
        synced.append(os.fstat(fd).st_ino)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    data = phone_jpeg()
    photo_id = str(uuid.uuid4())
    meta = {"installation_id": inst, "shot": "cable_entry", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z"}
    uploads.announce(db, blobs, tech, "photo", photo_id, meta)
    half = len(data) // 2
    for offset, piece in ((0, data[:half]), (half, data[half:])):
        uploads.write_chunk(db, blobs, tech, "photo", photo_id, offset,
                            hashlib.sha256(piece).hexdigest(), piece)
    assert synced == []
    uploads.complete(db, blobs, tech, "photo", photo_id)
    row = uploads.get(db, photo, photo_id)
    original = os.stat(blobs.path(photo.variant_key(row, "original"))).st_ino
    thumb = os.stat(blobs.path(photo.variant_key(row, "thumb"))).st_ino
    assert sorted(synced) == sorted([original, thumb])


def test_put_file_gives_the_file_a_second_name_on_the_same_disk(tmp_path):
    blobs = blobstore.LocalBlobStore(tmp_path / "blobs", tmp_path / "blobs" / ".parts")
    source = tmp_path / "blobs" / "upload.part"
    source.parent.mkdir()
    source.write_bytes(b"upload" * 1000)
    key = blobs.new_key()
    blobs.put_file(key, str(source))
    assert os.path.samefile(blobs.path(key), source)
    source.unlink()  # the part file goes; the blob stays
    with blobs.open(key) as blob:
        assert blob.read() == b"upload" * 1000
    assert [e.key for e in blobs.listing()] == [key]


def test_put_file_copies_where_no_link_can_be_made(tmp_path, monkeypatch):
    blobs = blobstore.LocalBlobStore(tmp_path / "blobs")
    source = tmp_path / "elsewhere.part"
    source.write_bytes(b"bytes from another disk")

    def no_link(src, dst):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", no_link)
    key = blobs.new_key()
    blobs.put_file(key, str(source))
    blobs.put_copy(key + ".display", key, b"bytes from another disk")
    for name in (key, key + ".display"):
        with blobs.open(name) as blob:
            assert blob.read() == b"bytes from another disk"
    assert not os.path.samefile(blobs.path(key), source)
    assert sorted(e.key for e in blobs.listing()) == [key, key + ".display"]


def test_the_blobs_are_written_beside_the_decoding_not_after_it(db, blobs, tech, inst, monkeypatch):
    """The original's write has begun before the picture decodes, the thumbnail's before the
    measures are taken: the disk's waits run beside the CPU's work (issue 18 §3)."""
    started = {"original": threading.Event(), "thumb": threading.Event()}
    waited = []
    put_file, put = blobs.put_file, blobs.put

    def put_file_noted(key, path):
        started["original"].set()
        put_file(key, path)

    def put_noted(key, data):
        if key.endswith(photo.VARIANTS["thumb"]):
            started["thumb"].set()
        put(key, data)

    def after(event, work):
        def waiting(*args):  # without the write begun, this times out (the test fails, no hang)
            waited.append(started[event].wait(10))
            return work(*args)
        return waiting

    monkeypatch.setattr(blobs, "put_file", put_file_noted)
    monkeypatch.setattr(blobs, "put", put_noted)
    monkeypatch.setattr(imaging, "_decode", after("original", imaging._decode))
    monkeypatch.setattr(imaging, "sharpness", after("thumb", imaging.sharpness))
    row = store(db, blobs, tech, inst, phone_jpeg())
    assert row["status"] == "complete" and waited == [True, True]


def test_a_photo_refused_while_its_original_is_written_leaves_no_blob(db, blobs, tech, inst):
    """A JPEG whose header passes and whose pixels do not: refused at decoding, by which time
    its original was on its way into the store; nothing of it may stay there."""
    data = phone_jpeg()[:40_000]
    with pytest.raises(Rejected) as refused:
        store(db, blobs, tech, inst, data)
    assert refused.value.code == "broken_image"
    assert list(blobs.listing()) == []
    assert not os.listdir(blobs.parts_dir)
    assert db.execute("SELECT COUNT(*) FROM photos").fetchone()[0] == 0


def phone_webp(width=1600, height=1200, **options):
    """What encode.js sends where the canvas encodes WebP: display size, no metadata."""
    out = io.BytesIO()
    picture(width, height).save(out, "WEBP", quality=80, **options)
    return out.getvalue()


def test_a_phone_webp_is_its_own_display_version(db, blobs, tech, inst):
    data = phone_webp()
    row = store(db, blobs, tech, inst, data)
    assert row["mime"] == "image/webp"
    original = blobs.path(photo.variant_key(row, "original"))
    display = blobs.path(photo.variant_key(row, "display"))
    assert os.path.samefile(original, display)  # no JPEG of it: no second generation
    with open(blobs.path(photo.variant_key(row, "thumb")), "rb") as thumb:
        assert thumb.read(3) == b"\xff\xd8\xff"  # thumbnails stay JPEG


def test_a_webp_with_exif_shows_without_it_and_a_larger_one_is_resized(db, blobs, tech, inst):
    exif = Image.Exif()
    exif[0x0132] = "2026:11:20 15:00:00"
    with_exif = store(db, blobs, tech, inst, phone_webp(exif=exif))
    with open(blobs.path(photo.variant_key(with_exif, "display")), "rb") as blob:
        shown = blob.read()
    assert shown.startswith(b"RIFF") and b"EXIF" not in shown and b"2026:11:20" not in shown
    with Image.open(io.BytesIO(shown)) as img:
        assert img.format == "WEBP" and img.size == (1600, 1200) and not img.getexif()
    large = store(db, blobs, tech, inst, phone_webp(2400, 1800))
    with Image.open(blobs.path(photo.variant_key(large, "display"))) as img:
        assert img.format == "JPEG" and img.size == (1600, 1200)
