"""Failed sign-ins, counted in SQLite so every gunicorn worker sees them (an in-memory limiter
counts per process). One table holds three kinds of count, each under its own key:

- `account:<name>`: guesses at one account's password, from anywhere. Keyed by the name as
  typed, whether or not such an account exists, so an unknown name waits exactly like a real
  one and the lockout message tells nobody which accounts exist. Counted in the same write as
  the lock check, before the password is verified: parallel guesses cannot all pass a check
  made before any of them was counted. A right password clears it.
- `device:<id>`: the same, for a browser that has signed in to that account before (it holds
  a signed device cookie, see auth.py). Its failures are its own, so an attacker who locks
  `account:<name>` does not lock the account's owner out of her own phone.
- `network:<address>`: one password tried on every account. Only completed failures count:
  counting attempts in flight made 50 technicians signing in at once behind one carrier
  address look like 50 failures. A right password never touches it. A browser with a device
  cookie for the account it signs in to does not wait for its network either, so one
  attacker behind a carrier's NAT cannot lock the carrier's established users out.

A count restarts only after a quiet window with no failure (a window fixed from the first
failure would let a patient attacker spend the allowance every window).
"""

import ipaddress
import math
from collections import namedtuple
from datetime import timedelta

from fieldapp import clock
from fieldapp import store

# From `free_attempts` failures on, wait backoff_s, doubling per further failure up to
# backoff_max_s; the count is forgotten after window_s without a failure.
Rule = namedtuple("Rule", "free_attempts window_s backoff_s backoff_max_s")


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


def wait(db, key, now):
    """Seconds `key` must still wait before its next attempt, or None."""
    locked = clock.parse(store.scalar(db, "SELECT locked_until FROM login_failures WHERE key = ?", [key]))
    if locked and locked > now:
        return math.ceil((locked - now).total_seconds())
    return None


def begin(db, key, now, rule):
    """Seconds to wait while `key` is locked; else None, having counted this attempt as failed
    in the same write (clear() takes it back when the password turns out right)."""
    with store.write(db):
        seconds = wait(db, key, now)
        if seconds is None:
            count_failure(db, key, now, rule)
    return seconds


def count_failure(db, key, now, rule):
    """Count one failure for `key`, locking it from the rule's free attempts on."""
    with store.write(db):
        row = store.one(db, "SELECT * FROM login_failures WHERE key = ?", [key])
        quiet = row is None or clock.parse(row["forget_after"]) < now
        failures = 1 if quiet else row["failures"] + 1
        lock = None
        if failures >= rule.free_attempts:
            seconds = min(rule.backoff_max_s, rule.backoff_s * 2 ** (failures - rule.free_attempts))
            lock = clock.to_iso(now + timedelta(seconds=seconds))
        forget = clock.to_iso(now + timedelta(seconds=rule.window_s))
        db["login_failures"].upsert(
            {"key": key, "failures": failures, "forget_after": forget, "locked_until": lock}, pk="key"
        )
        # Forget counts that have been quiet for their window and are not waiting: names an
        # attacker made up must not pile up.
        stamp = clock.to_iso(now)
        db.execute(
            "DELETE FROM login_failures"
            " WHERE forget_after < ? AND (locked_until IS NULL OR locked_until < ?)",
            [stamp, stamp],
        )


def clear(db, key):
    """Forget `key`'s failures (a right password, or a new one set by an admin)."""
    with store.write(db):
        db.execute("DELETE FROM login_failures WHERE key = ?", [key])


def clear_prefix(db, prefix):
    """Forget every key starting with `prefix` (all of an account's devices)."""
    with store.write(db):
        db.execute("DELETE FROM login_failures WHERE substr(key, 1, ?) = ?", [len(prefix), prefix])
