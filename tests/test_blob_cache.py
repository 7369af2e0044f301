"""blob_cache.py: the app server's bounded copy of small S3 blobs, never stale, never trusted by check."""

import os
import time

import pytest

from fieldapp import blob_cache
from fieldapp import blobstore


@pytest.fixture
def s3(seaweedfs, tmp_path):
    settings = {"BLOB_DIR": str(tmp_path / "blobs"), **seaweedfs.config(f"cache-{time.time_ns()}/"),
                "BLOB_CACHE_BYTES": 10_000_000}
    return settings, blobstore.from_config(settings)


def test_written_and_read_blobs_are_served_locally(s3, seaweedfs, tmp_path):
    settings, blobs = s3
    thumb, original = blobs.new_key() + ".thumb", blobs.new_key()
    blobs.put(thumb, b"thumb")
    source = tmp_path / "part"
    source.write_bytes(b"original")
    blobs.put_file(original, str(source))
    assert blobs.open(original).read() == b"original"  # read once: now kept too
    seaweedfs.client().delete_objects(Bucket="photos", Delete={"Objects": [
        {"Key": blobs.prefix + thumb}, {"Key": blobs.prefix + original}]})
    assert blobs.open(thumb).read() == b"thumb" and blobs.open(original).read() == b"original"
    uncached = blobstore.from_config(settings, cached=False)
    with pytest.raises(FileNotFoundError):
        uncached.open(thumb)  # housekeeping sees the store, not the copy


def test_delete_drops_the_copy(s3):
    _, blobs = s3
    key = blobs.new_key() + ".display"
    blobs.put(key, b"display")
    blobs.delete(key)
    with pytest.raises(FileNotFoundError):
        blobs.open(key)


def test_trim_keeps_the_most_recently_used_under_the_limit(tmp_path):
    cache = blob_cache.BlobCache(tmp_path, limit=10**9)
    keys = [blobstore.new_key() for _ in range(8)]
    for age, key in enumerate(keys):
        cache.add(key, b"x" * 2_000)
        os.utime(cache._path(key), (1_000_000 + age, 1_000_000 + age))
    cache.limit = 10_000
    cache.open(keys[0]).close()  # used just now
    cache.trim()
    kept = [key for key in keys if cache.open(key)]
    assert sum(2_000 for _ in kept) <= 9_000 and keys[0] in kept and keys[-1] in kept
    assert keys[1] not in kept


def test_no_cache_when_its_size_is_zero(seaweedfs, tmp_path):
    settings = {"BLOB_DIR": str(tmp_path / "blobs"), **seaweedfs.config("nocache/"), "BLOB_CACHE_BYTES": 0}
    assert blobstore.from_config(settings).cache is None
