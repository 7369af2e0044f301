"""Original beside replacement: what a resubmission put in the place of each returned item.

For the last return of an installation, each item resolved by a new record is paired with
what it replaced and with both sets of checks: the original's as the return's snapshot
recorded them (what the reviewer saw), the replacement's as they run now.
"""

from fieldapp import records


def pairs(db, last_review, by_item):
    """[{item, original, replacement, kind, original_checks, replacement_checks}] for the
    last review's items resolved by a record (not those closed by a message)."""
    if not last_review or last_review["decision"] != "return":
        return []
    snapshot = last_review["snapshot"].get("checks", [])
    found = []
    for item in last_review["items"]:
        by = item["resolved_by"] or ""
        if not by or by.startswith("message:"):
            continue
        replacement = records.existing(db, by)
        if replacement is None:
            continue
        kind = replacement["_type"]
        original = records.existing(db, item["item_ref"]) if item["item_kind"] != "shot" else None
        found.append({
            "item": item, "kind": kind, "original": original, "replacement": replacement,
            "original_checks": [c for c in snapshot if _about(c, item["item_ref"])],
            "replacement_checks": by_item.get(f"{kind}:{by}", {}).get("checks", []),
        })
    return found


def _about(check, ref):
    item = check.get("item") or {}
    return item.get("ref") == ref
