"""Configuration: defaults here, then instance/config.py, then FLASK_* environment variables."""

import os
from datetime import timedelta

from fieldapp.evidence import imaging
from fieldapp.evidence import photo
from fieldapp.evidence import trace

DEFAULTS = {
    "SECRET_KEY": "dev",
    "DATABASE": None,  # set to instance/fieldapp.sqlite3 in load()
    "BLOB_DIR": None,  # set to instance/blobs in load()
    "JOB_DIR": None,  # files made in the background (label sheets): instance/jobs
    # Disk space a background job must leave free (for the store and incoming photos).
    "JOB_DISK_RESERVE_BYTES": 2 * 1024**3,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # Secure anyway whenever the request came over HTTPS
    # The cookie is set when the session changes (sign-in, language), not on every answer:
    # it lasts SESSION_MAX_SECONDS from sign-in, the server-side session's own absolute limit,
    # so re-sending it could never extend anything, and on 2G its ~330 bytes rode on every
    # response (issue 18 §1).
    "SESSION_REFRESH_EACH_REQUEST": False,
    # "background": a batch's answer does not wait for the review queue's check summary
    # (fieldapp/check_summaries.py); "inline" refreshes it before answering (tests).
    "CHECK_SUMMARIES": "background",
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers to believe
    "PREFERRED_URL_SCHEME": "https",
    "LANGUAGES": ["kk", "ru", "en"],
    "BABEL_DEFAULT_LOCALE": "ru",
    # Failed sign-ins on one account name (known or not) before it waits; forgotten after a
    # day without failure.
    "LOGIN_FREE_ATTEMPTS": 5,
    "LOGIN_ACCOUNT_WINDOW_SECONDS": 86400,
    "LOGIN_BACKOFF_SECONDS": 30,
    "LOGIN_BACKOFF_MAX_SECONDS": 900,
    # Completed failed sign-ins from one network (many phones share a carrier's) before new
    # browsers there wait too; browsers that signed in before never wait for their network.
    "LOGIN_ADDRESS_FREE_ATTEMPTS": 30,
    "LOGIN_ADDRESS_WINDOW_SECONDS": 900,
    # Server-side sessions: end after 14 days without a request (phones work offline for
    # days) or 30 days after sign-in; last-seen is written at most every 5 minutes.
    "SESSION_IDLE_SECONDS": 14 * 86400,
    "SESSION_MAX_SECONDS": 30 * 86400,
    "SESSION_TOUCH_SECONDS": 300,
    "WTF_CSRF_TIME_LIMIT": 3600,
    "WTF_CSRF_SSL_STRICT": False,
    # HMAC keys for QR site tags: {version: secret}. The newest version signs new tags.
    "TAG_KEYS": {1: "dev-tag-key"},
    "TAG_URL_PREFIX": "HTTPS://FIELDAPP.KZ/T/",
    # Photos: largest upload, pixel cap checked before decoding, and the zone assumed for EXIF
    # times that carry none (Kazakhstan is UTC+5 throughout since March 2024).
    "PHOTO_MAX_BYTES": photo.MAX_BYTES,
    "PHOTO_MAX_PIXELS": imaging.MAX_PIXELS,
    "PHOTO_EXIF_UTC_OFFSET": "+05:00",
    "TRACE_MAX_BYTES": trace.MAX_BYTES,  # largest OTDR .sor file accepted and parsed
    "UPLOAD_PARTS_DIR": None,  # beside BLOB_DIR unless set
    # Where finished blobs go: "local" (BLOB_DIR) or "s3" (an S3-compatible object store).
    # The keys have no defaults: with "s3", a production start refuses to run without them.
    "BLOB_STORE": "local",
    "BLOB_S3_BUCKET": None,
    "BLOB_S3_PREFIX": "",  # put before every key, to share a bucket
    "BLOB_S3_ENDPOINT": None,  # e.g. http://127.0.0.1:8333; None means AWS itself
    "BLOB_S3_REGION": "us-east-1",
    "BLOB_S3_ACCESS_KEY": None,
    "BLOB_S3_SECRET_KEY": None,
    # With S3: a local copy of blobs up to 8 MiB read or written (never stale: blobs never
    # change), at most this many bytes, in BLOB_CACHE_DIR (beside BLOB_DIR). 0: no cache.
    "BLOB_CACHE_BYTES": 1024**3,
    "BLOB_CACHE_DIR": None,
    # Litestream streams the database's WAL here when set: a folder or an s3:// URL (see
    # replication.py); `make run` then starts it beside gunicorn. None: no replica.
    "REPLICA_URL": None,
    # Concurrent speed-test transfers per worker process; gunicorn_conf.py sets it from its threads.
    "SPEEDTEST_MAX_STREAMS": 12,
    # Compressed responses (fieldapp/compression.py); False sends everything as it is.
    "COMPRESS": True,
    "COMPRESS_CACHE_DIR": None,  # compressed copies of static files: instance/compressed
    # The phone's bundled scripts (fieldapp/bundle.py, `make bundle`): static/dist. Pages
    # load the modules themselves while nothing fresh is built there.
    "BUNDLE_DIR": None,
}
INSECURE_SECRETS = {None, "", "dev", "change-me"}


def load(app, test_config=None):
    """Fill app.config in order of precedence and refuse insecure production settings."""
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = os.path.join(app.instance_path, "fieldapp.sqlite3")
    app.config["BLOB_DIR"] = os.path.join(app.instance_path, "blobs")
    app.config["JOB_DIR"] = os.path.join(app.instance_path, "jobs")
    app.config["COMPRESS_CACHE_DIR"] = os.path.join(app.instance_path, "compressed")
    app.config["BUNDLE_DIR"] = os.path.join(app.static_folder, "dist")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    # The cookie lives as long as the server would honour it; the server decides (user_sessions).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=app.config["SESSION_MAX_SECONDS"])
    os.makedirs(app.instance_path, exist_ok=True)
    if not (app.testing or app.debug):
        refuse_insecure(app.config)


def refuse_insecure(cfg):
    """A production start must not run with a guessable secret: sessions and tags rely on it."""
    if cfg.get("SECRET_KEY") in INSECURE_SECRETS:
        raise RuntimeError(
            "SECRET_KEY is missing or left at its default. Set it in instance/config.py "
            "or FLASK_SECRET_KEY (make run creates one)."
        )
    if any(key in INSECURE_SECRETS or key == "dev-tag-key" for key in cfg["TAG_KEYS"].values()):
        raise RuntimeError("TAG_KEYS holds a default key; set real keys in instance/config.py.")
    if cfg.get("BLOB_STORE") == "s3":
        missing = [name for name in ("BLOB_S3_BUCKET", "BLOB_S3_ACCESS_KEY", "BLOB_S3_SECRET_KEY")
                   if not cfg.get(name)]
        if missing:
            raise RuntimeError(f"BLOB_STORE is 's3' but {', '.join(missing)} is not set.")
    if str(cfg.get("REPLICA_URL") or "").startswith("s3://"):
        missing = [name for name in ("BLOB_S3_ACCESS_KEY", "BLOB_S3_SECRET_KEY") if not cfg.get(name)]
        if missing:
            raise RuntimeError(f"REPLICA_URL is on S3 but {', '.join(missing)} is not set.")
