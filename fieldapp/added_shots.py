"""Shots a reviewer adds to one installation ("photo of the second closure").

An added shot is required of that installation only: it is checked like the profile's shots,
listed in the pull beside them, accepted in a photo's announce, and reaches the phone as a
returned 'shot' item whose reason is its label.
"""

import uuid

from fieldapp import clock

PREFIX = "added-"
MAX_LABEL = 200


def new_key():
    """A fresh key for an added shot, never one of a profile's shot names."""
    return PREFIX + uuid.uuid4().hex[:12]


def add(db, key, installation_id, review_id, reviewer_id, label):
    """Record one added required shot (inside the return's write)."""
    db["added_shots"].insert({
        "key": key, "installation_id": installation_id, "label": label.strip(),
        "review_id": review_id, "added_by": reviewer_id, "at": clock.now(),
    })


def of(db, installation_ids):
    """Installation id -> [{key, label}] of its added shots, oldest first."""
    found = {}
    if not installation_ids:
        return found
    marks = ",".join("?" * len(installation_ids))
    sql = (f"SELECT installation_id, key, label FROM added_shots WHERE installation_id IN ({marks}) "
           "ORDER BY at, key")
    for row in db.query(sql, list(installation_ids)):
        found.setdefault(row.pop("installation_id"), []).append(row)
    return found


def labels(db, installation_id):
    """Key -> label of one installation's added shots."""
    return {row["key"]: row["label"] for row in of(db, [installation_id]).get(installation_id, [])}


def keys(db, installation_id):
    """The keys of one installation's added shots."""
    return [row["key"] for row in of(db, [installation_id]).get(installation_id, [])]


def with_added(db, installation_id, rules):
    """The profile's rules with this installation's added shots among the known shots, for a
    photo's announce (which accepts any shot a list names)."""
    added = keys(db, installation_id)
    if not added:
        return rules
    return {**rules, "shots": {**rules["shots"], "_added": added}}
