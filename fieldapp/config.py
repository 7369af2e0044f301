"""Configuration: defaults here, then instance/config.py, then FLASK_* environment variables."""

import os

from fieldapp import imaging
from fieldapp import photos

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
    "TRUSTED_PROXIES": 0,  # reverse proxies in front whose X-Forwarded-* headers to believe
    "PREFERRED_URL_SCHEME": "https",
    "LANGUAGES": ["kk", "ru", "en"],
    "BABEL_DEFAULT_LOCALE": "ru",
    "LOGIN_FREE_ATTEMPTS": 5,
    "LOGIN_BACKOFF_SECONDS": 30,
    "LOGIN_BACKOFF_MAX_SECONDS": 900,
    # Failed sign-ins from one address (many phones share a carrier's) before it waits too.
    "LOGIN_ADDRESS_FREE_ATTEMPTS": 30,
    "LOGIN_ADDRESS_WINDOW_SECONDS": 900,
    "WTF_CSRF_TIME_LIMIT": 3600,
    "WTF_CSRF_SSL_STRICT": False,
    # HMAC keys for QR site tags: {version: secret}. The newest version signs new tags.
    "TAG_KEYS": {1: "dev-tag-key"},
    "TAG_URL_PREFIX": "HTTPS://FIELDAPP.KZ/T/",
    # Photos: largest upload, pixel cap checked before decoding, and the zone assumed for EXIF
    # times that carry none (Kazakhstan is UTC+5 throughout since March 2024).
    "PHOTO_MAX_BYTES": photos.MAX_BYTES,
    "PHOTO_MAX_PIXELS": imaging.MAX_PIXELS,
    "PHOTO_EXIF_UTC_OFFSET": "+05:00",
    "UPLOAD_PARTS_DIR": None,  # beside BLOB_DIR unless set
    # Concurrent speed-test transfers per worker process; gunicorn_conf.py sets it from its threads.
    "SPEEDTEST_MAX_STREAMS": 12,
    # Compressed responses (fieldapp/compression.py); False sends everything as it is.
    "COMPRESS": True,
    "COMPRESS_CACHE_DIR": None,  # compressed copies of static files: instance/compressed
}
INSECURE_SECRETS = {None, "", "dev", "change-me"}


def load(app, test_config=None):
    """Fill app.config in order of precedence and refuse insecure production settings."""
    app.config.from_mapping(DEFAULTS)
    app.config["DATABASE"] = os.path.join(app.instance_path, "fieldapp.sqlite3")
    app.config["BLOB_DIR"] = os.path.join(app.instance_path, "blobs")
    app.config["JOB_DIR"] = os.path.join(app.instance_path, "jobs")
    app.config["COMPRESS_CACHE_DIR"] = os.path.join(app.instance_path, "compressed")
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
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
