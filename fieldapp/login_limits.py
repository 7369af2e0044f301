"""Failed sign-ins counted per client address, beside the per-account backoff.

The account backoff (accounts.authenticate) slows guessing one account's password; it does
nothing against trying one common password on every account. Counting failures per address
stops that. The count lives in SQLite so every gunicorn worker sees it (an in-memory limiter
counts per process). Mobile carriers put many phones behind one address, so the allowance is
generous, a quiet window starts it afresh, and a success does not reset it (else one valid
account would let an attacker go on).
"""

from datetime import timedelta

from fieldapp import clock
from fieldapp import store


def wait_seconds(db, address, now):
    """Seconds this address must still wait before another sign-in, or None."""
    row = store.one(db, "SELECT locked_until FROM login_addresses WHERE address = ?", [address])
    locked = clock.parse(row["locked_until"]) if row else None
    return int((locked - now).total_seconds()) + 1 if locked and locked > now else None


def note_failure(db, address, now, free_attempts, window_s, backoff_s, backoff_max_s):
    """Count a refused sign-in; from `free_attempts` on within the window, the address waits
    backoff_s, doubling per further failure up to backoff_max_s."""
    window_start = now - timedelta(seconds=window_s)
    with store.write(db):
        row = store.one(db, "SELECT * FROM login_addresses WHERE address = ?", [address])
        fresh = row is None or clock.parse(row["window_start"]) < window_start
        failures = 1 if fresh else row["failures"] + 1
        locked_until = None
        if failures >= free_attempts:
            wait = min(backoff_max_s, backoff_s * 2 ** (failures - free_attempts))
            locked_until = clock.to_iso(now + timedelta(seconds=wait))
        db["login_addresses"].upsert(
            {
                "address": address,
                "failures": failures,
                "window_start": clock.to_iso(now) if fresh else row["window_start"],
                "locked_until": locked_until,
            },
            pk="address",
        )
        # Forget addresses that have been quiet for a window and are not waiting.
        db.execute(
            "DELETE FROM login_addresses"
            " WHERE window_start < ? AND (locked_until IS NULL OR locked_until < ?)",
            [clock.to_iso(window_start), clock.to_iso(now)],
        )
