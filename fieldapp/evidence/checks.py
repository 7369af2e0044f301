"""Automatic checks of one installation against its acceptance profile: every kind's checks.

Thresholds come only from the profile; a review stores the whole list as its snapshot
(results.py describes a check).
"""

from fieldapp import installations
from fieldapp import profiles
from fieldapp.evidence import current
from fieldapp.evidence import results
from fieldapp.evidence.kinds import KINDS


def load(db, installation_id):
    """The current records of every kind, by table (complete photos only)."""
    return {kind.TABLE: current.rows(db, kind, installation_id) for kind in KINDS}


def evaluate(db, installation, rules, records):
    """All checks for one installation (a dict from installations.get) and its `records`."""
    return [found for kind in KINDS for found in kind.checks(db, rules, installation, records)]


def run_all(db, installation_id, records=None):
    """{checks, summary, profile_id, profile_version} for one installation.

    Pass `records` (from load()) when the caller already has them, to read them once.
    """
    installation = installations.get(db, installation_id)
    if installation is None:
        raise LookupError(f"no installation {installation_id}")
    profile = profiles.get(db, installation["profile_id"])
    records = records if records is not None else load(db, installation_id)
    found = evaluate(db, installation, profile["rules"], records)
    return {
        "checks": found,
        "summary": results.summarize(found),
        "profile_id": profile["id"],
        "profile_version": profile["version"],
    }
