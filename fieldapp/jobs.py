"""Long exports made in the background, with progress any worker can report.

A national label sheet takes half a minute; made inside the request, the admin stares at a
spinner that tells nothing and a proxy may give up first. So the request records a job and
starts a thread in its own worker. The thread writes the file as `<id>.part` and renames it
when whole, so a download never sees half a file, and notes its progress in SQLite, so the
page's poll is answered by whichever worker it reaches. A job that stops noting progress (its
worker was restarted) is reported as interrupted, to be started again. Finished files are
kept for a day.
"""

import json
import logging
import os
import shutil
import sqlite3
import threading
import uuid
from datetime import timedelta

from fieldapp import clock
from fieldapp import store

STALE_SECONDS = 120
KEEP_HOURS = 24
log = logging.getLogger(__name__)


def start(db, directory, database, author_id, kind, params, total, filename, make):
    """Start `make(db, path, progress)` in a thread and return the job's id; `db` is the
    thread's own connection, `progress(done)` notes how far it is.

    The same kind and params already being made are not made twice (a second click, a second
    tab, at the same moment too: checked in the write that records the job); that job's id is
    returned instead. Earlier finished files of the same kind and params are deleted: a
    national packet ZIP can be gigabytes, on the disk the photos and the database share.
    """
    now = clock.now()
    _forget(db, directory, _finished_or_old(db, kind, params, now))
    job_id = uuid.uuid4().hex
    with store.write(db):
        running = _running_like(db, kind, params)
        if running:
            return running
        db["jobs"].insert(
            {
                "id": job_id,
                "kind": kind,
                "author_id": author_id,
                "params": json.dumps(params, sort_keys=True),
                "total": total,
                "done": 0,
                "state": "running",
                "filename": filename,
                "created_at": now,
                "updated_at": now,
            }
        )
    os.makedirs(directory, exist_ok=True)
    worker = threading.Thread(target=_run, args=(database, directory, job_id, make), daemon=True)
    worker.start()
    return job_id


def spare_bytes(directory, reserve):
    """Bytes a job may still write to `directory`'s disk, keeping `reserve` free for what must
    never run out of room (the SQLite store and the photos phones are sending)."""
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    return shutil.disk_usage(existing).free - reserve


def get(db, job_id):
    """The job as a dict, its state "interrupted" when its thread has gone quiet; or None."""
    job = store.one(db, "SELECT * FROM jobs WHERE id = ?", [job_id])
    if job and job["state"] == "running" and _stale(job, clock.parse(clock.now())):
        job["state"] = "interrupted"
    return job


def path(directory, job_id):
    """Where a finished job's file is."""
    return os.path.join(directory, f"{job_id}.out")


def _run(database, directory, job_id, make):
    db = store.connect(database)
    part = path(directory, job_id) + ".part"

    def progress(done):
        try:
            with store.write(db):
                db["jobs"].update(job_id, {"done": done, "updated_at": clock.now()})
        except sqlite3.OperationalError:  # the store busy past its timeout: the file matters more
            log.warning("job %s: progress %s not noted", job_id, done, exc_info=True)

    try:
        make(db, part, progress)
        os.replace(part, path(directory, job_id))
        changes = {"state": "ready", "size": os.path.getsize(path(directory, job_id))}
    except Exception as error:  # noqa: BLE001 - whatever went wrong is shown to the admin
        log.exception("job %s failed", job_id)
        if os.path.exists(part):
            os.remove(part)
        changes = {"state": "failed", "error": str(error) or type(error).__name__}
    try:
        with store.write(db):
            db["jobs"].update(job_id, {**changes, "updated_at": clock.now()})
    finally:
        db.conn.close()


def _running_like(db, kind, params):
    rows = db.query(
        "SELECT * FROM jobs WHERE kind = ? AND params = ? AND state = 'running' ORDER BY created_at DESC",
        [kind, json.dumps(params, sort_keys=True)],
    )
    now = clock.parse(clock.now())
    return next((row["id"] for row in rows if not _stale(row, now)), None)


def _stale(job, now):
    return clock.parse(job["updated_at"]) < now - timedelta(seconds=STALE_SECONDS)


def _finished_or_old(db, kind, params, now):
    """Jobs to forget: older than KEEP_HOURS (a sheet is printed the day it is made), and the
    finished ones a new job of the same kind and params replaces."""
    cutoff = clock.to_iso(clock.parse(now) - timedelta(hours=KEEP_HOURS))
    rows = db.query(
        "SELECT id FROM jobs WHERE created_at < ?"
        " OR (kind = ? AND params = ? AND state != 'running')",
        [cutoff, kind, json.dumps(params, sort_keys=True)],
    )
    return [row["id"] for row in rows]


def _forget(db, directory, job_ids):
    for job_id in job_ids:
        for leftover in (path(directory, job_id), path(directory, job_id) + ".part"):
            if os.path.exists(leftover):
                os.remove(leftover)
    with store.write(db):
        for job_id in job_ids:
            db.execute("DELETE FROM jobs WHERE id = ?", [job_id])
