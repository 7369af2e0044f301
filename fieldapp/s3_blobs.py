"""Blobs in an S3-compatible object store (SeaweedFS, MinIO, AWS, Ceph), same interface as local.

boto3 rather than minio's SDK: botocore's SigV4 signer, retry modes and error codes are what
every S3 service is tested against, and `IfNoneMatch` is a first-class put_object argument.
Every put carries `If-None-Match: *`, so a blob, once written, is never replaced: a key
collision or a second writer fails (FileExistsError) instead of silently changing a photo.
An unreachable store or a 5xx raises blobstore.StorageUnavailable, which callers let through:
the upload's part file stays and nothing is marked stored.
"""

import hashlib
import io
import os
import threading

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError
from botocore.exceptions import ClientError

from fieldapp import blob_cache
from fieldapp import blobstore

MULTIPART_THRESHOLD = 64 * 1024 * 1024  # photos (<= 25 MiB) go in one PUT
PART_SIZE = 8 * 1024 * 1024  # S3 requires >= 5 MiB for every part but the last
IN_MEMORY_BYTES = 8 * 1024 * 1024
_clients = {}
_clients_lock = threading.Lock()


class S3BlobStore:
    """Blobs as objects in one bucket; keys are the same server-chosen keys as on disk."""

    def __init__(self, client, bucket, parts_dir, prefix="", multipart_threshold=MULTIPART_THRESHOLD,
                 cache=None):
        self.client, self.bucket, self.parts_dir, self.prefix = client, bucket, parts_dir, prefix
        self.cache = cache  # a blob_cache.BlobCache, or None
        self.multipart_threshold = multipart_threshold

    def new_key(self):
        """A fresh server-chosen key; variants append a suffix such as '.thumb'."""
        return blobstore.new_key()

    def put(self, key, data):
        """Store bytes under a new key; a PUT is atomic, so no half blob is ever visible."""
        try:
            self._call("put_object", Key=blobstore.check_key(key), Body=data, IfNoneMatch="*")
        except FileExistsError:
            if not self._landed(key, len(data), hashlib.md5(data, usedforsecurity=False).hexdigest()):
                raise
        if self.cache:  # display versions and thumbnails: the review pages want them next
            self.cache.add(key, data)

    def put_file(self, key, source_path):
        """Store a copy of a local file (an upload's part file), in parts past the threshold."""
        blobstore.check_key(key)
        with open(source_path, "rb") as source:
            source.seek(0, 2)
            size = source.tell()
            source.seek(0)
            if size < self.multipart_threshold:
                try:
                    self._call("put_object", Key=key, Body=source, IfNoneMatch="*")
                except FileExistsError:
                    if not self._landed(key, size):
                        raise
            else:
                self._multipart(key, source)

    def put_copy(self, key, source_key, data):
        """Store under `key` the bytes stored under `source_key`: sent again (and cached), as
        a server-side copy would be one more round trip all the same."""
        self.put(key, data)

    def _multipart(self, key, source):
        upload = self._call("create_multipart_upload", Key=key)["UploadId"]
        try:
            parts = []
            for number, block in enumerate(iter(lambda: source.read(PART_SIZE), b""), start=1):
                done = self._call("upload_part", Key=key, UploadId=upload, PartNumber=number, Body=block)
                parts.append({"PartNumber": number, "ETag": done["ETag"]})
            self._call("complete_multipart_upload", Key=key, UploadId=upload,
                       MultipartUpload={"Parts": parts}, IfNoneMatch="*")
        except BaseException:
            self._abort(key, upload)
            raise

    def open(self, key):
        """A binary file object; FileNotFoundError for a missing blob.

        Blobs up to IN_MEMORY_BYTES (every display version and thumbnail, most originals) are
        read whole in large reads: send_file's small reads from a socket stream cost 8x on
        loopback, and a seekable copy serves Range and conditional requests. Larger ones stream.
        """
        cached = self.cache.open(key) if self.cache else None
        if cached:
            return cached
        found = self._call("get_object", Key=blobstore.check_key(key))
        body = found["Body"]
        if found.get("ContentLength", IN_MEMORY_BYTES + 1) <= IN_MEMORY_BYTES:
            try:
                with body:
                    data = body.read()
            except (BotoCoreError, OSError) as error:
                raise blobstore.StorageUnavailable(f"get_object: {error}") from error
            if self.cache:
                self.cache.add(key, data)
            return io.BytesIO(data)
        return body

    def exists(self, key):
        """Whether an object is stored under `key`."""
        try:
            self._call("head_object", Key=blobstore.check_key(key))
        except FileNotFoundError:
            return False
        return True

    def delete(self, key):
        """Remove a blob; deleting a missing blob is not an error (S3 says 204 either way)."""
        if self.cache:
            self.cache.discard(key)
        self._call("delete_object", Key=blobstore.check_key(key))

    def listing(self):
        """Every blob in the bucket whose name is a blob key, in key order."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        try:
            for page in pages:
                for item in page.get("Contents", []):
                    key = item["Key"][len(self.prefix):]
                    if blobstore.KEY_PATTERN.match(key):
                        yield blobstore.Entry(key, item["Size"], item["LastModified"].timestamp())
        except (BotoCoreError, ClientError) as error:
            raise blobstore.StorageUnavailable(str(error)) from error

    def sweep_temp(self, cutoff):
        """Abort multipart uploads begun before `cutoff` (epoch s): S3's half-written blobs."""
        removed = []
        found = self.client_call("list_multipart_uploads", Prefix=self.prefix)
        for upload in found.get("Uploads", []):
            if upload["Initiated"].timestamp() < cutoff:
                self._abort(upload["Key"][len(self.prefix):], upload["UploadId"])
                removed.append(f"{upload['Key']} (multipart {upload['UploadId']})")
        return removed

    def describe(self):
        """Where the blobs are, for messages."""
        return f"s3://{self.bucket}/{self.prefix} at {self.client.meta.endpoint_url}"

    def _landed(self, key, size, md5=None):
        """After a 412 on a fresh key: did our own earlier attempt land (a retried PUT whose
        answer was lost)? Keys are 128 random bits, so another writer is not the likely cause."""
        found = self._call("head_object", Key=key)
        etag = found.get("ETag", "").strip('"')
        return found["ContentLength"] == size and (md5 is None or etag == md5)

    def _abort(self, key, upload):
        try:
            self._call("abort_multipart_upload", Key=key, UploadId=upload)
        except (FileNotFoundError, blobstore.StorageUnavailable):
            pass  # blobs sweep finds it later

    def _call(self, operation, Key=None, **params):
        """One S3 call on a blob key (BLOB_S3_PREFIX prepended); see client_call."""
        if Key is None:
            return self.client_call(operation, **params)
        return self.client_call(operation, Key=self.prefix + Key, **params)

    def client_call(self, operation, **params):
        """One S3 call; missing objects become FileNotFoundError, outages StorageUnavailable."""
        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            if code in ("NoSuchKey", "404", "NotFound", "NoSuchUpload"):
                raise FileNotFoundError(params.get("Key")) from None
            if code == "PreconditionFailed" or status == 412:
                raise FileExistsError(params.get("Key")) from None
            if status >= 500 or code in ("SlowDown", "ServiceUnavailable", "RequestTimeout"):
                raise blobstore.StorageUnavailable(f"{operation}: {code}") from error
            raise
        except BotoCoreError as error:  # connection refused, timeouts, DNS
            raise blobstore.StorageUnavailable(f"{operation}: {error}") from error


def client_for(endpoint, region, access_key, secret_key):
    """One boto3 client per endpoint and credentials per process (clients are thread-safe)."""
    ident = (endpoint, region, access_key, secret_key)
    with _clients_lock:
        if ident not in _clients:
            config = Config(
                signature_version="s3v4", s3={"addressing_style": "path"},
                connect_timeout=3, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=32,
            )
            _clients[ident] = boto3.session.Session().client(
                "s3", endpoint_url=endpoint or None, region_name=region,
                aws_access_key_id=access_key, aws_secret_access_key=secret_key, config=config,
            )
        return _clients[ident]


def from_config(config, parts_dir, cached=True):
    """The S3 store BLOB_S3_BUCKET/PREFIX/ENDPOINT/REGION/ACCESS_KEY/SECRET_KEY name."""
    client = client_for(config.get("BLOB_S3_ENDPOINT"), config.get("BLOB_S3_REGION") or "us-east-1",
                        config.get("BLOB_S3_ACCESS_KEY"), config.get("BLOB_S3_SECRET_KEY"))
    cache = None
    if cached and config.get("BLOB_CACHE_BYTES"):
        beside = os.path.join(os.path.dirname(os.path.abspath(config["BLOB_DIR"])), "blob-cache")
        folder = config.get("BLOB_CACHE_DIR") or beside
        cache = blob_cache.BlobCache(folder, config["BLOB_CACHE_BYTES"])
    prefix = config.get("BLOB_S3_PREFIX") or ""
    return S3BlobStore(client, config["BLOB_S3_BUCKET"], parts_dir, prefix, cache=cache)
