"""Failed sign-ins counted per client network, beside the per-account backoff.

The account backoff (accounts.authenticate) slows guessing one account's password; it does
nothing against trying one common password on every account. Counting failures per network
stops that. The count lives in SQLite so every gunicorn worker sees it (an in-memory limiter
counts per process). Mobile carriers put many phones behind one address, so the allowance is
generous; the count starts afresh only after a quiet window with no failure at all (a window
fixed from the first failure would let a patient attacker spend the allowance every window);
a success does not reset it (else one valid account would let an attacker go on).

Each attempt is counted as failed before its password is checked, in the same write as the
lock check, and taken back if it turns out right: otherwise parallel guesses would all pass
a check made before any of them was counted.
"""

import ipaddress
from datetime import timedelta

from fieldapp import clock
from fieldapp import store


def client_key(remote_addr):
    """The network a request comes from: the IPv4 address, or the /64 of an IPv6 one.

    One IPv6 subscriber is handed a whole /64, so counting single IPv6 addresses would give
    each attacker 2^64 fresh allowances. An IPv4-mapped IPv6 address is its IPv4 address.
    """
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return remote_addr or "unknown"
    if address.version == 6 and address.ipv4_mapped:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def begin_attempt(db, key, now, free_attempts, window_s, backoff_s, backoff_max_s):
    """(seconds to wait, None) while this network is locked out; else (None, undo) after
    counting this attempt as failed, `undo` being what forgive() needs to take it back.

    From `free_attempts` failures on, the network waits backoff_s, doubling per further
    failure up to backoff_max_s.
    """
    quiet_since = now - timedelta(seconds=window_s)
    with store.write(db):
        row = store.one(db, "SELECT * FROM login_addresses WHERE address = ?", [key])
        locked = clock.parse(row["locked_until"]) if row else None
        if locked and locked > now:
            return int((locked - now).total_seconds()) + 1, None
        quiet = row is None or clock.parse(row["last_failure"]) < quiet_since
        failures = 1 if quiet else row["failures"] + 1
        lock = None
        if failures >= free_attempts:
            wait = min(backoff_max_s, backoff_s * 2 ** (failures - free_attempts))
            lock = clock.to_iso(now + timedelta(seconds=wait))
        db["login_addresses"].upsert(
            {"address": key, "failures": failures, "last_failure": clock.to_iso(now), "locked_until": lock},
            pk="address",
        )
        before = None if quiet else row["last_failure"]
        undo = {"lock": lock, "written": clock.to_iso(now), "last_failure": before}
        # Forget networks that have been quiet for a window and are not waiting.
        db.execute(
            "DELETE FROM login_addresses"
            " WHERE last_failure < ? AND (locked_until IS NULL OR locked_until < ?)",
            [clock.to_iso(quiet_since), clock.to_iso(now)],
        )
    return None, undo


def forgive(db, key, undo):
    """Take back an attempt that was right: its count, the lock it set and its time (a success
    must not keep a busy network's count from restarting), unless a later failure has written
    its own since. A count that falls to nothing is forgotten."""
    with store.write(db):
        row = store.one(db, "SELECT * FROM login_addresses WHERE address = ?", [key])
        if row is None:
            return
        changes = {"failures": max(row["failures"] - 1, 0)}
        if undo["lock"] and row["locked_until"] == undo["lock"]:
            changes["locked_until"] = None
        if undo["last_failure"] and row["last_failure"] == undo["written"]:
            changes["last_failure"] = undo["last_failure"]
        if changes["failures"] == 0:
            db["login_addresses"].delete(key)
        else:
            db["login_addresses"].update(key, changes)
