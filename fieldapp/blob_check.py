"""Blob housekeeping: does every row's blob exist intact, which blobs no row wants, and moving stores.

A blob is written before the row that names it is committed (uploads.complete), so a server
killed in between leaves an orphan: harmless, but it costs space. Orphans are only removed
once older than a grace period (a day), so a completion in flight never loses its blobs.
Stores are read through the blobstore interface only, so this works on disk and on S3 alike.
"""

import hashlib
import os
import tempfile
import time

from fieldapp import blobstore
from fieldapp.evidence import kinds


def references():
    """Every table that names blobs: one per file kind (uploads.py writes the same columns for
    all of them): (table, key column, size column, sha256 column, variant suffixes)."""
    return [(kind.TABLE, "blob_key", "size", "sha256", tuple(s for s in kind.VARIANTS.values() if s))
            for kind in kinds.files()]

GRACE_SECONDS = 24 * 3600


def referenced(db):
    """{key: (size, sha256)} for every blob a row refers to; variants have (None, None)."""
    wanted = {}
    for table, key_col, size_col, sha_col, variants in references():
        sql = f"SELECT {key_col}, {size_col}, {sha_col} FROM {table} WHERE {key_col} IS NOT NULL"
        for key, size, sha in db.execute(sql).fetchall():
            wanted[key] = (size, sha)
            wanted.update({key + suffix: (None, None) for suffix in variants})
    return wanted


def sha256_of(blobs, key):
    """(size, sha256 hex) of a stored blob, streamed."""
    digest, size = hashlib.sha256(), 0
    with blobs.open(key) as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def check(db, blobs, hash_blobs=True):
    """Problems with referenced blobs (missing, wrong size, wrong sha256) and the orphans."""
    stored = {entry.key: entry for entry in blobs.listing()}
    wanted = referenced(db)
    problems = []
    for key, (size, sha) in sorted(wanted.items()):
        entry = stored.get(key)
        if entry is None:
            problems.append((key, "missing"))
        elif size is not None and entry.size != size:
            problems.append((key, f"size {entry.size}, row says {size}"))
        elif sha is not None and hash_blobs and sha256_of(blobs, key)[1] != sha:
            problems.append((key, "sha256 differs from the row's"))
    orphans = sorted(entry for key, entry in stored.items() if key not in wanted)
    return {"checked": len(wanted), "problems": problems, "orphans": orphans}


def sweep(db, blobs, grace=GRACE_SECONDS, now=None):
    """Delete orphans older than `grace` seconds and stale temp files; what was removed."""
    cutoff = (now or time.time()) - grace
    stored = list(blobs.listing())  # listed before the rows are read: a blob committed
    wanted = referenced(db)  # in between is in `wanted`, a newer one is inside the grace
    removed = []
    for entry in stored:
        if entry.key not in wanted and entry.modified < cutoff:
            blobs.delete(entry.key)
            removed.append(entry.key)
    return removed + blobs.sweep_temp(cutoff)


def migrate(source, target, progress=None):
    """Copy every blob from `source` to `target`, skipping those already there; verify by sha256.

    Resumable: a rerun copies only what is missing, since a blob is never changed once written.
    Returns {"copied", "present", "verified", "bad": [keys whose copy does not match]}.
    """
    there = {entry.key: entry.size for entry in target.listing()}
    result = {"copied": 0, "present": 0, "verified": 0, "bad": []}
    for entry in source.listing():
        if there.get(entry.key) == entry.size:
            result["present"] += 1
        else:
            if entry.key in there:  # a damaged copy: blobs are write-once, so replace it
                target.delete(entry.key)
            _copy(source, target, entry.key)
            result["copied"] += 1
        if sha256_of(source, entry.key) == sha256_of(target, entry.key):
            result["verified"] += 1
        else:
            result["bad"].append(entry.key)
        if progress:
            progress(result)
    return result


def _copy(source, target, key):
    """One blob: straight from its file on disk, else through a local temp file."""
    if isinstance(source, blobstore.LocalBlobStore):
        target.put_file(key, source.path(key))
        return
    fd, tmp = tempfile.mkstemp(prefix="fieldapp-migrate-")
    try:
        with os.fdopen(fd, "wb") as out, source.open(key) as src:
            for block in iter(lambda: src.read(1024 * 1024), b""):
                out.write(block)
        target.put_file(key, tmp)
    finally:
        os.remove(tmp)


