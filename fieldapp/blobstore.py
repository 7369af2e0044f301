"""Photo bytes behind a small storage interface: a local folder, or an S3 store (s3_blobs.py).

The rest of the app only calls new_key/put/put_file/put_copy/open/exists/delete with keys this module
chooses; nothing else knows whether a key is a path under BLOB_DIR or an object in a bucket.
Keys never come from a client, so a request cannot name a file outside the store. Blobs are
written once and never overwritten. Housekeeping (blob_check.py) also uses listing() and
sweep_temp().
"""

import os
import re
import secrets
import shutil
import tempfile
from typing import NamedTuple

KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z]+)*$")


class StorageUnavailable(Exception):
    """The store cannot be reached or refused to work right now: retry later, nothing is lost."""


class Entry(NamedTuple):
    """One stored blob as a listing shows it (modified: seconds since the epoch)."""

    key: str
    size: int
    modified: float


class LocalBlobStore:
    """Blobs as files under one root folder (instance/blobs by default), written atomically."""

    def __init__(self, root, parts_dir=None):
        self.root = os.path.abspath(root)
        # Uploads in progress are local files whatever the store: chunks append to them.
        self.parts_dir = os.path.abspath(parts_dir or os.path.join(self.root, ".parts"))

    def new_key(self):
        """A fresh server-chosen key; variants append a suffix such as '.thumb'."""
        return new_key()

    def put(self, key, data):
        """Store bytes under `key`: temp file, fsync, rename, so a crash leaves no half blob."""
        self._write(key, lambda out: out.write(data))

    def put_file(self, key, source_path):
        """Store a local file (an upload's part file) under `key`, durably.

        On the same disk the file gets a second name instead of a copy: its bytes are fsynced
        once where they already are (a phone's upload is then written once, not twice). The
        source must not be rewritten afterwards: part files are removed, never reused, and
        appends stop at the announced size. Elsewhere (another disk, no hard links) it is copied.
        """
        if not self._link(key, source_path, sync=True):
            with open(source_path, "rb") as src:
                self._write(key, lambda out: shutil.copyfileobj(src, out, 1024 * 1024))

    def put_copy(self, key, source_key, data):
        """Store under `key` the bytes already stored under `source_key` (`data`): a second name
        for the same fsynced file, so a photo whose display version is its original costs no
        second write. Falls back to writing `data`."""
        if not self._link(key, self.path(source_key)):
            self.put(key, data)

    def _link(self, key, source_path, sync=False):
        """Give a file the blob name `key` through a temp name (fsynced first if `sync`: its
        bytes must be on disk before it counts as stored); False if it cannot be linked."""
        path = self.path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = os.path.join(os.path.dirname(path), f".tmp-{secrets.token_hex(8)}")
        try:
            os.link(source_path, tmp)
        except OSError:  # another filesystem, or one without hard links
            return False
        try:
            os.chmod(tmp, 0o600)  # as private as a written blob (mkstemp's mode)
            if sync:
                with open(tmp, "rb") as linked:
                    os.fsync(linked.fileno())
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise
        return True

    def _write(self, key, fill):
        """Write a blob through a temp file beside it, fsynced, then renamed into place."""
        path = self.path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                fill(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise

    def open(self, key):
        """A binary file object for reading; raises FileNotFoundError for a missing blob."""
        return open(self.path(key), "rb")

    def exists(self, key):
        """Whether a blob is stored under `key`."""
        return os.path.exists(self.path(key))

    def delete(self, key):
        """Remove a blob; deleting a missing blob is not an error."""
        _remove(self.path(key))

    def listing(self):
        """Every blob in the store (temp files and upload parts excluded), in no set order."""
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(folder, name)
                key = os.path.relpath(path, self.root).replace(os.sep, "/")
                if KEY_PATTERN.match(key):
                    stat = os.stat(path)
                    yield Entry(key, stat.st_size, stat.st_mtime)

    def sweep_temp(self, cutoff):
        """Remove .tmp- files (writes cut by a crash) modified before `cutoff` (epoch s); names."""
        removed = []
        for folder, dirs, files in os.walk(self.root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            for name in files:
                path = os.path.join(folder, name)
                if name.startswith(".tmp-") and os.stat(path).st_mtime < cutoff:
                    _remove(path)
                    removed.append(os.path.relpath(path, self.root))
        return removed

    def describe(self):
        """Where the blobs are, for messages."""
        return self.root

    def path(self, key):
        """The file that holds a blob (for copying it elsewhere without reading it twice)."""
        return os.path.join(self.root, *check_key(key).split("/"))


def from_config(config, kind=None, cached=True):
    """The store an app's config names: BLOB_STORE "local" (BLOB_DIR) or "s3" (BLOB_S3_*).

    Uploads in progress stay local part files in UPLOAD_PARTS_DIR (beside BLOB_DIR by default)
    whichever store keeps the finished blobs. `kind` overrides BLOB_STORE (blobs migrate);
    cached=False reads S3 itself, never the local cache (blobs check must see the store).
    """
    kind = kind or config.get("BLOB_STORE", "local")
    parts_dir = config.get("UPLOAD_PARTS_DIR") or os.path.join(config["BLOB_DIR"], ".parts")
    if kind == "local":
        return LocalBlobStore(config["BLOB_DIR"], parts_dir)
    if kind == "s3":
        from fieldapp import s3_blobs  # boto3 loads only where S3 is used

        return s3_blobs.from_config(config, parts_dir, cached)
    raise ValueError(f"BLOB_STORE must be 'local' or 's3', not {kind!r}")


def new_key():
    """128 random bits, fanned out over 256 prefixes (folders on disk, key prefixes in S3)."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}"


def check_key(key):
    """Refuse anything that is not a key this module made (with its variant suffixes)."""
    if not KEY_PATTERN.match(key):
        raise ValueError(f"not a blob key: {key!r}")
    return key


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
