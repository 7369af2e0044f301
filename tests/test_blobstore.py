"""blobstore.py and s3_blobs.py: one interface, the same behaviour on disk and on SeaweedFS."""

import os

import pytest

from fieldapp import blobstore
from fieldapp import config
from fieldapp import s3_blobs


@pytest.fixture
def blobs(app):
    return blobstore.from_config(app.config)


def test_put_open_exists_delete(blobs):
    key = blobs.new_key()
    assert not blobs.exists(key)
    blobs.put(key, b"photo bytes")
    blobs.put(key + ".thumb", b"thumb")
    assert blobs.exists(key) and blobs.exists(key + ".thumb")
    with blobs.open(key) as handle:
        assert handle.read() == b"photo bytes"
    blobs.delete(key)
    blobs.delete(key)  # twice is fine
    assert not blobs.exists(key)
    with pytest.raises(FileNotFoundError):
        blobs.open(key)


def test_put_file_and_listing(blobs, tmp_path):
    source = tmp_path / "upload.part"
    source.write_bytes(os.urandom(300_000))
    key = blobs.new_key()
    blobs.put_file(key, str(source))
    with blobs.open(key) as handle:
        assert handle.read() == source.read_bytes()
    assert [(e.key, e.size) for e in blobs.listing()] == [(key, 300_000)]


@pytest.mark.parametrize("key", ["../etc/passwd", "ab/../../x", "AB/" + "0" * 32, "x"])
def test_keys_never_come_from_outside(blobs, key):
    with pytest.raises(ValueError):
        blobs.open(key)
    with pytest.raises(ValueError):
        blobs.put(key, b"x")


def test_s3_never_overwrites_a_blob(app, blobs):
    if app.config["BLOB_STORE"] != "s3":
        pytest.skip("the local store replaces by rename; its keys are fresh anyway")
    key = blobs.new_key()
    blobs.put(key, b"first")
    with pytest.raises(FileExistsError):
        blobs.put(key, b"second")  # If-None-Match: * answered 412
    assert blobs.open(key).read() == b"first"


def test_s3_a_retried_put_that_had_landed_is_not_an_error(app, blobs):
    if app.config["BLOB_STORE"] != "s3":
        pytest.skip("S3 only")
    key = blobs.new_key()
    blobs.put(key, b"same bytes")
    blobs.put(key, b"same bytes")  # its first answer was lost; the 412 is our own object
    assert blobs.open(key).read() == b"same bytes"


def test_s3_large_file_goes_in_parts_and_a_cut_one_is_swept(seaweedfs, tmp_path):
    blobs = blobstore.from_config({"BLOB_DIR": str(tmp_path), **seaweedfs.config("multipart/")})
    blobs.multipart_threshold = 5 * 1024 * 1024
    source = tmp_path / "trace.part"
    source.write_bytes(os.urandom(11 * 1024 * 1024))  # three parts: 8 MiB, 3 MiB
    key = blobs.new_key()
    blobs.put_file(key, str(source))
    assert blobs.open(key).read() == source.read_bytes()
    cut = blobs.client_call("create_multipart_upload", Key="multipart/" + blobs.new_key())
    assert blobs.sweep_temp(cutoff=0) == []
    removed = blobs.sweep_temp(cutoff=4_000_000_000)
    assert any(cut["UploadId"] in name for name in removed)


def test_s3_refuses_a_wrong_secret(seaweedfs, tmp_path):
    settings = {"BLOB_DIR": str(tmp_path), **seaweedfs.config(), "BLOB_S3_SECRET_KEY": "wrong"}
    with pytest.raises(Exception) as refused:
        blobstore.from_config(settings).put(blobstore.new_key(), b"x")
    assert "SignatureDoesNotMatch" in str(refused.value) or "Access" in str(refused.value)


def test_s3_outage_is_storage_unavailable(tmp_path):
    settings = {"BLOB_DIR": str(tmp_path), "BLOB_STORE": "s3", "BLOB_S3_BUCKET": "photos",
                "BLOB_S3_ENDPOINT": "http://127.0.0.1:9", "BLOB_S3_ACCESS_KEY": "k",
                "BLOB_S3_SECRET_KEY": "s"}
    blobs = blobstore.from_config(settings)
    for call in (lambda: blobs.put(blobs.new_key(), b"x"), lambda: blobs.open(blobs.new_key()),
                 lambda: list(blobs.listing())):
        with pytest.raises(blobstore.StorageUnavailable):
            call()


def test_one_client_per_endpoint_and_keys():
    first = s3_blobs.client_for("http://127.0.0.1:1", "us-east-1", "a", "b")
    assert s3_blobs.client_for("http://127.0.0.1:1", "us-east-1", "a", "b") is first
    assert s3_blobs.client_for("http://127.0.0.1:1", "us-east-1", "a", "c") is not first


@pytest.mark.parametrize("missing", ["BLOB_S3_BUCKET", "BLOB_S3_ACCESS_KEY", "BLOB_S3_SECRET_KEY"])
def test_production_refuses_s3_without_its_settings(missing):
    settings = {"SECRET_KEY": "x" * 32, "TAG_KEYS": {1: "y" * 32}, "BLOB_STORE": "s3",
                "BLOB_S3_BUCKET": "b", "BLOB_S3_ACCESS_KEY": "k", "BLOB_S3_SECRET_KEY": "s"}
    config.refuse_insecure(settings)
    with pytest.raises(RuntimeError, match=missing):
        config.refuse_insecure({**settings, missing: None})


def test_production_refuses_an_s3_replica_without_keys():
    settings = {"SECRET_KEY": "x" * 32, "TAG_KEYS": {1: "y" * 32}, "REPLICA_URL": "s3://backups/db"}
    with pytest.raises(RuntimeError, match="BLOB_S3_ACCESS_KEY"):
        config.refuse_insecure(settings)
    config.refuse_insecure({**settings, "REPLICA_URL": "/var/backups/fieldapp"})


def test_unknown_store_kind_is_refused(tmp_path):
    with pytest.raises(ValueError):
        blobstore.from_config({"BLOB_DIR": str(tmp_path), "BLOB_STORE": "ftp"})
