"""A bounded local copy of small blobs read from the object store, for the app server.

Serving a photo from S3 costs a round trip per request (~15 ms to SeaweedFS here), against a
page-cache read on disk; review grids ask for the same thumbnails again and again. Blobs are
written once and never change, so a cached copy can never be stale: no invalidation but
delete. Files are written through a temp file and renamed (several workers share the folder);
past `limit` bytes the least recently used go first.
"""

import contextlib
import logging
import os
import tempfile

from fieldapp import blobstore

log = logging.getLogger(__name__)


class BlobCache:
    """Files named by blob key under `root`, at most about `limit` bytes of them."""

    def __init__(self, root, limit):
        self.root, self.limit = os.path.abspath(root), limit
        self._added = 0

    def open(self, key):
        """The cached copy as a file object, or None."""
        path = self._path(key)
        try:
            handle = open(path, "rb")
        except FileNotFoundError:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used (atime may be off: noatime mounts)
        return handle

    def add(self, key, data):
        """Keep a copy of `data` (bytes), best effort: a full disk here never fails a request."""
        path = self._path(key)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    os.remove(tmp)
            self._added += len(data)
            if self._added > self.limit // 10:
                self._added = 0
                self.trim()
        except OSError:
            log.warning("blob cache: could not keep %s", key, exc_info=True)

    def discard(self, key):
        with contextlib.suppress(FileNotFoundError):
            os.remove(self._path(key))

    def trim(self):
        """Remove the least recently used files until the folder is under 90 % of the limit."""
        files = []
        for folder, _, names in os.walk(self.root):
            for name in names:
                if name.startswith(".tmp-"):
                    continue  # another worker is writing it
                with contextlib.suppress(FileNotFoundError):
                    stat = os.stat(os.path.join(folder, name))
                    files.append((stat.st_mtime, stat.st_size, os.path.join(folder, name)))
        total = sum(size for _, size, _ in files)
        for _, size, path in sorted(files):
            if total <= self.limit * 0.9:
                break
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            total -= size

    def _path(self, key):
        return os.path.join(self.root, *blobstore.check_key(key).split("/"))
