"""Long exports made in the background, with progress any worker can report.

A national label sheet takes half a minute; made inside the request, the admin stares at a
spinner that tells nothing and a proxy may give up first; made in a thread of the web worker,
it slowed that worker's pages 2.4x (bench/bench_jobs.py). So the request records a job in
the jobs table and the job worker, a process of its own (fieldapp/job_worker.py, `flask
run-jobs`, which gunicorn_conf.py starts beside the web workers), makes it. The file is
written as `<id>.part` and renamed when whole, so a download never sees half a file, and
progress is noted in SQLite, so the page's poll is answered by whichever web worker it
reaches. A job whose worker died is made again by the next worker that starts. Finished
files are kept for a day.
"""

import json
import logging
import os
import shutil
import sqlite3
import uuid
from datetime import timedelta

from fieldapp import clock
from fieldapp import store

STALE_SECONDS = 120
KEEP_HOURS = 24
MAKERS = {}  # kind -> make(db, params, path, progress), see maker()
log = logging.getLogger(__name__)


def start(db, directory, author_id, kind, params, total, filename):
    """Record a job for the job worker (`flask run-jobs`) to make, and return its id.

    The same kind and params already waiting or being made are not made twice (a second click,
    a second tab, at the same moment too: checked in the write that records the job); that
    job's id is returned instead. Earlier finished files of the same kind and params are
    deleted: a national packet ZIP can be gigabytes, on the disk the photos and the database
    share.
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
    return job_id


def maker(kind):
    """Register `make(db, params, path, progress)` as how jobs of `kind` are made: it runs in
    the job worker's process, in an app context, and writes the file at `path`."""

    def register(make):
        MAKERS[kind] = make
        return make

    return register


def spare_bytes(directory, reserve):
    """Bytes a job may still write to `directory`'s disk, keeping `reserve` free for what must
    never run out of room (the SQLite store and the photos phones are sending)."""
    existing = directory
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    return shutil.disk_usage(existing).free - reserve


def get(db, job_id):
    """The job as a dict, or None. Its state is "interrupted" when it has gone quiet and no job
    worker is alive to take it up again (one that is will: see job_worker.claim)."""
    job = store.one(db, "SELECT * FROM jobs WHERE id = ?", [job_id])
    now = clock.parse(clock.now())
    if job and job["state"] == "running" and _stale(job, now) and not workers_alive(db, now):
        job["state"] = "interrupted"
    return job


def workers_alive(db, now):
    """Whether some job worker has said it is alive within STALE_SECONDS."""
    cutoff = clock.to_iso(now - timedelta(seconds=STALE_SECONDS))
    return bool(store.scalar(db, "SELECT COUNT(*) FROM job_workers WHERE seen_at >= ?", [cutoff]))


def path(directory, job_id):
    """Where a finished job's file is."""
    return os.path.join(directory, f"{job_id}.out")


def run(db, directory, job):
    """Make `job` (a row the caller has claimed) with its kind's maker: the file is written
    as `<id>.part` and renamed when whole, so a download never sees half a file. Progress and
    the end are noted in the jobs table."""
    job_id = job["id"]
    part = path(directory, job_id) + ".part"

    def progress(done):
        try:
            with store.write(db):
                db["jobs"].update(job_id, {"done": done, "updated_at": clock.now()})
        except sqlite3.OperationalError:  # the store busy past its timeout: the file matters more
            log.warning("job %s: progress %s not noted", job_id, done, exc_info=True)

    os.makedirs(directory, exist_ok=True)
    try:
        MAKERS[job["kind"]](db, json.loads(job["params"]), part, progress)
        os.replace(part, path(directory, job_id))
        changes = {"state": "ready", "size": os.path.getsize(path(directory, job_id))}
    except Exception as error:  # noqa: BLE001 - whatever went wrong is shown to the admin
        log.exception("job %s failed", job_id)
        if os.path.exists(part):
            os.remove(part)
        changes = {"state": "failed", "error": str(error) or type(error).__name__}
    with store.write(db):
        db["jobs"].update(job_id, {**changes, "updated_at": clock.now()})


def _running_like(db, kind, params):
    rows = db.query(
        "SELECT * FROM jobs WHERE kind = ? AND params = ? AND state = 'running' ORDER BY created_at DESC",
        [kind, json.dumps(params, sort_keys=True)],
    )
    now = clock.parse(clock.now())
    alive = workers_alive(db, now)  # then even a quiet job is taken up again, not abandoned
    return next((row["id"] for row in rows if alive or not _stale(row, now)), None)


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
