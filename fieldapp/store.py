"""Opening the SQLite store and writing to it safely.

No flask here: these take a path or a Database. See shared/RELIABILITY.md for why
WAL + synchronous=FULL + BEGIN IMMEDIATE.
"""

import contextlib
import fcntl
import os
import sqlite3
import threading

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000
_queued = threading.local()  # whether this thread already holds the writers' queue
INT64 = (-(2**63), 2**63 - 1)  # SQLite's INTEGER: a wider Python int raises OverflowError


def connect(path):
    """Open a long-lived connection tuned for many readers and short IMMEDIATE writers."""
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA journal_mode = WAL")
    # FULL: the phone deletes its copy once we say "stored", so a commit must survive power loss.
    db.execute("PRAGMA synchronous = FULL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.writers_queue = None if str(path) == ":memory:" else f"{path}-writers"
    return db


@contextlib.contextmanager
def write(db):
    """One write transaction, opened with BEGIN IMMEDIATE so concurrent writers queue, not fail.

    sqlite-utils' atomic() opens a plain BEGIN, which fails with "database is locked" when two
    transactions that read before writing race. Nested use becomes a savepoint.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    with _writers_queue(getattr(db, "writers_queue", None)):
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        db.conn.commit()


@contextlib.contextmanager
def _writers_queue(path):
    """Wait for the write lock in the kernel (flock on a file beside the database) first.

    SQLite's own busy handler polls, sleeping up to 100 ms between tries, so with fifty
    writers the lock sat idle while waiters slept and an unlucky one lost every race until the
    busy timeout. A blocked flock wakes the moment the holder lets go, in every process and
    thread alike; SQLite's lock still guards the data. A thread that already holds the queue
    (a write on a second connection) skips it and meets SQLite's busy timeout as before.
    """
    if path is None or getattr(_queued, "held", False):
        yield
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _queued.held = True
        try:
            yield
        finally:
            _queued.held = False
    finally:
        os.close(fd)  # closing lets the next writer in


def is_int64(value):
    """Whether `value` is an int SQLite can bind; ids and cursors from a client must be."""
    return isinstance(value, int) and not isinstance(value, bool) and INT64[0] <= value <= INT64[1]


def one(db, sql, params=()):
    """The first row of a query as a dict, or None."""
    return next(iter(db.query(sql, params)), None)


def scalar(db, sql, params=()):
    """The first column of the first row, or None."""
    row = db.execute(sql, params).fetchone()
    return row[0] if row else None
