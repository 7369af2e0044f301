"""Photo bytes behind a small storage interface, so an S3-compatible store can take over later.

The rest of the app only calls new_key/put/put_file/open/exists/delete with keys this module
chooses; nothing else knows that a key is a path under BLOB_DIR. Keys never come from a
client, so a request cannot name a file outside the store.
"""

import os
import re
import secrets
import shutil
import tempfile

KEY_PATTERN = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z]+)*$")


class LocalBlobStore:
    """Blobs as files under one root folder (instance/blobs by default), written atomically."""

    def __init__(self, root, parts_dir=None):
        self.root = os.path.abspath(root)
        # Uploads in progress are local files whatever the store: chunks append to them.
        self.parts_dir = os.path.abspath(parts_dir or os.path.join(self.root, ".parts"))

    def new_key(self):
        """A fresh server-chosen key; variants append a suffix such as '.thumb'."""
        token = secrets.token_hex(16)
        return f"{token[:2]}/{token}"

    def put(self, key, data):
        """Store bytes under `key`: temp file, fsync, rename, so a crash leaves no half blob."""
        self._write(key, lambda out: out.write(data))

    def put_file(self, key, source_path):
        """Store a copy of a local file (an upload's part file) under `key`."""
        with open(source_path, "rb") as src:
            self._write(key, lambda out: shutil.copyfileobj(src, out, 1024 * 1024))

    def _write(self, key, fill):
        """Write a blob through a temp file beside it, fsynced, then renamed into place."""
        path = self._path(key)
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
        return open(self._path(key), "rb")

    def exists(self, key):
        """Whether a blob is stored under `key`."""
        return os.path.exists(self._path(key))

    def delete(self, key):
        """Remove a blob; deleting a missing blob is not an error."""
        _remove(self._path(key))

    def _path(self, key):
        if not KEY_PATTERN.match(key):
            raise ValueError(f"not a blob key: {key!r}")
        return os.path.join(self.root, *key.split("/"))


def from_config(config):
    """The store an app's config names (BLOB_DIR; UPLOAD_PARTS_DIR for uploads in progress)."""
    return LocalBlobStore(config["BLOB_DIR"], config.get("UPLOAD_PARTS_DIR"))


def _remove(path):
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
