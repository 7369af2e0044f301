"""blob_check.py and `flask blobs check|sweep|migrate`, on the local store and on SeaweedFS."""

import os
import tempfile
import time
import uuid

import pytest

from fieldapp import blob_check
from fieldapp import blobstore
from fieldapp import uploads
from fieldapp.evidence import photo as photo_kind
from tests.test_imaging import jpeg


class Killed(BaseException):
    """Stands in for the server process dying (not an Exception: nothing may catch it)."""


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


@pytest.fixture
def store_photo(app, db, make, tech):
    inst = make.installation([tech])

    def store(width=640):
        meta = {"id": str(uuid.uuid4()), "installation_id": inst, "shot": "power"}
        blobs = blobstore.from_config(app.config)
        return uploads.store_bytes(db, blobs, tech, "photo", meta, jpeg(width, 480))

    return store


def blobs_of(app):
    return blobstore.from_config(app.config)


def test_check_passes_on_a_sound_store(runner, store_photo):
    store_photo()
    store_photo(800)
    result = runner.invoke(args=["blobs", "check"])
    assert result.exit_code == 0, result.output
    assert "6 blob(s) referenced" in result.output and "0 problem(s), 0 orphan(s)" in result.output


def test_check_finds_missing_wrong_size_and_wrong_sha256(app, runner, store_photo):
    missing, resized, altered = store_photo(), store_photo(), store_photo()
    blobs = blobs_of(app)
    blobs.delete(missing["blob_key"])
    blobs.delete(resized["blob_key"])
    blobs.put(resized["blob_key"], b"short")
    with blobs.open(altered["blob_key"]) as handle:
        data = handle.read()
    blobs.delete(altered["blob_key"])
    blobs.put(altered["blob_key"], data[::-1])
    result = runner.invoke(args=["blobs", "check"])
    assert result.exit_code == 1
    assert f"BAD     {missing['blob_key']}: missing" in result.output
    assert f"BAD     {resized['blob_key']}: size 5" in result.output
    assert f"BAD     {altered['blob_key']}: sha256 differs" in result.output
    quick = runner.invoke(args=["blobs", "check", "--quick"])
    assert "sha256" not in quick.output and "2 problem(s)" in quick.output


def test_a_server_killed_before_the_row_commits_leaves_orphans_that_sweep_removes(
        app, runner, db, store_photo, monkeypatch):
    kept = store_photo()

    def die(*args):
        raise Killed()

    with monkeypatch.context() as patch:
        patch.setattr(uploads, "_commit", die)
        with pytest.raises(Killed):
            store_photo()
    blobs = blobs_of(app)
    if isinstance(blobs, blobstore.LocalBlobStore):  # a write cut before its rename
        folder = os.path.dirname(blobs.path(kept["blob_key"]))
        fd, _ = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        os.close(fd)
    orphans = runner.invoke(args=["blobs", "check"]).output
    assert orphans.count("ORPHAN") == 3 and ".display" in orphans and ".thumb" in orphans

    fresh = runner.invoke(args=["blobs", "sweep"])
    assert fresh.exit_code == 0 and "Removed 0 orphan(s)" in fresh.output  # could be in flight

    later = time.time() + 2 * 24 * 3600
    monkeypatch.setattr(blob_check.time, "time", lambda: later)
    swept = runner.invoke(args=["blobs", "sweep"])
    expected = 4 if isinstance(blobs, blobstore.LocalBlobStore) else 3
    assert f"Removed {expected} orphan(s)" in swept.output, swept.output
    assert ".tmp-" in swept.output or expected == 3
    monkeypatch.undo()
    after = runner.invoke(args=["blobs", "check"])
    assert after.exit_code == 0 and "3 blob(s) referenced" in after.output and "0 orphan(s)" in after.output
    assert blobs.exists(photo_kind.variant_key(kept, "display"))


def test_migrate_is_resumable_verified_and_then_switchable(app, runner, client, auth, seaweedfs, tmp_path,
                                                          store_photo):
    """local -> s3 as an install moves to the object store; s3 -> local back, on the s3 run."""
    rows = [store_photo(), store_photo(700)]
    source = app.config["BLOB_STORE"]
    to = "s3" if source == "local" else "local"
    if to == "s3":
        app.config.update({**seaweedfs.config(prefix=f"{uuid.uuid4().hex}/"), "BLOB_STORE": "local"})
    else:
        app.config["BLOB_DIR"] = str(tmp_path / "back-home")
    target = blobstore.from_config(app.config, to)
    target.put(rows[0]["blob_key"] + ".thumb", b"a cut copy")  # a damaged copy from a cut run

    first = runner.invoke(args=["blobs", "migrate", "--to", to])
    assert first.exit_code == 0, first.output
    assert "6 copied, 0 already there, 6 verified by sha256, 0 bad" in first.output
    assert f'BLOB_STORE = "{to}"' in first.output
    target.delete(rows[1]["blob_key"])  # as if the first run had been stopped early
    second = runner.invoke(args=["blobs", "migrate", "--to", to])
    assert "1 copied, 5 already there, 6 verified by sha256" in second.output

    app.config["BLOB_STORE"] = to
    assert runner.invoke(args=["blobs", "check"]).exit_code == 0
    auth.login("tech")
    served = client.get(f"/photos/{rows[1]['id']}/original")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
