"""Opening the SQLite store and writing to it safely.

No flask here: these take a path or a Database. See shared/RELIABILITY.md for why
WAL + synchronous=FULL + BEGIN IMMEDIATE.
"""

import contextlib
import sqlite3

from sqlite_utils import Database

BUSY_TIMEOUT_MS = 10_000
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
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.rollback()
        raise
    db.conn.commit()


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
