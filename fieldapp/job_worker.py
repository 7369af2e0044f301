"""The job worker: a process of its own that makes the jobs the web workers record.

A national label sheet made in a thread of a web worker held that worker's GIL for ~25 s and
slowed its pages 2.4x (bench/bench_jobs.py); here it competes with no request. gunicorn_conf.py
starts `flask run-jobs` beside the web workers (so `make run` stays one command); it can also
run as a service of its own. It reads the jobs table, one job at a time, oldest first.

Restart-safe: a worker notes itself in job_workers and the job it holds in jobs.worker, and
touches both every HEARTBEAT_SECONDS while it works. A job whose worker is gone (a process of
this host that no longer exists, or no heartbeat for jobs.STALE_SECONDS) is claimed again and
made from the start; one that has taken MAX_ATTEMPTS workers down with it is failed instead.
"""

import os
import signal
import socket
import threading
import time
from datetime import timedelta

import click
from flask import Blueprint
from flask import current_app

from fieldapp import clock
from fieldapp import jobs
from fieldapp import store

NICENESS = 10  # background work: on a 2-core server the web workers get the CPU first
HEARTBEAT_SECONDS = 10
POLL_SECONDS = 0.5
MAX_ATTEMPTS = 3
bp = Blueprint("job_worker", __name__, cli_group=None)


@bp.cli.command("run-jobs")
def run_jobs_command():
    """Make background jobs (label sheets, packet ZIPs) until stopped (SIGTERM or Ctrl-C)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    os.nice(NICENESS)
    click.echo(f"job worker {name()} on {current_app.config['DATABASE']}")
    try:
        work(current_app.config, stop)
    except KeyboardInterrupt:
        pass


def name(pid=None):
    """How a worker is known in the tables: host and process id."""
    return f"{socket.gethostname()}:{pid or os.getpid()}"


def work(config, stop, poll=POLL_SECONDS):
    """Claim and make jobs until `stop` is set (inside an app context: the makers read config)."""
    db = store.connect(config["DATABASE"])
    me = name()
    try:
        beat(db, me)
        last_beat = time.monotonic()
        while not stop.is_set():
            job = claim(db, me)
            if job is None:
                if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:  # not a write every poll
                    beat(db, me)
                    last_beat = time.monotonic()
                stop.wait(poll)
                continue
            finished = threading.Event()
            pulse = threading.Thread(
                target=_pulse, args=(config["DATABASE"], me, job["id"], finished), daemon=True
            )
            pulse.start()
            try:
                jobs.run(db, config["JOB_DIR"], job)
            finally:
                finished.set()
                pulse.join()
    finally:
        with store.write(db):
            db.execute("DELETE FROM job_workers WHERE name = ?", [me])
        db.conn.close()


def beat(db, me, job_id=None):
    """Say this worker is alive (and still making `job_id`)."""
    now = clock.now()
    with store.write(db):
        db["job_workers"].upsert({"name": me, "seen_at": now}, pk="name")
        if job_id:
            db.execute("UPDATE jobs SET updated_at = ? WHERE id = ? AND worker = ?", [now, job_id, me])


def _pulse(database, me, job_id, finished):
    """The heartbeat while a job is made, on a connection of its own: a maker may go minutes
    between progress notes (one huge photo into a ZIP)."""
    db = store.connect(database)
    try:
        while not finished.wait(HEARTBEAT_SECONDS):
            beat(db, me, job_id)
    finally:
        db.conn.close()


def claim(db, me):
    """The oldest job nobody is making, now held by `me`; or None.

    Nobody is making a job that no worker holds, one held by a process of this host that has
    died (so a restarted worker takes up its predecessor's job at once), or one quiet for
    STALE_SECONDS (its worker, on whatever host, is gone).
    """
    now = clock.parse(clock.now())
    if not _unheld(db, me, now):  # read first: an idle worker's poll takes no write lock
        return None
    with store.write(db):
        for job in _unheld(db, me, now):
            if job["attempts"] >= MAX_ATTEMPTS:
                db["jobs"].update(
                    job["id"],
                    {
                        "state": "failed",
                        "updated_at": clock.to_iso(now),
                        "error": f"it stopped {MAX_ATTEMPTS} job workers",
                    },
                )
                continue
            changes = {
                "worker": me,
                "attempts": job["attempts"] + 1,
                "done": 0,
                "updated_at": clock.to_iso(now),
            }
            db["jobs"].update(job["id"], changes)
            return {**job, **changes}
    return None


def _unheld(db, me, now):
    """The running jobs nobody is making, oldest first (see claim)."""
    cutoff = clock.to_iso(now - timedelta(seconds=jobs.STALE_SECONDS))
    rows = db.query(
        "SELECT * FROM jobs WHERE state = 'running' AND (worker IS NULL OR worker != ?) ORDER BY created_at",
        [me],
    )
    return [job for job in rows if not job["worker"] or _dead(job["worker"]) or job["updated_at"] < cutoff]


def _dead(worker):
    """Whether `worker` is a process of this host that no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
