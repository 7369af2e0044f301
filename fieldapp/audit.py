"""The audit log: who changed what, when, with the state before and after."""

import json

from fieldapp import clock


def record(db, user_id, action, entity, entity_id, before=None, after=None):
    """Append one audit entry; callers do this inside their own write transaction."""
    db["audit_log"].insert(
        {
            "at": clock.now(),
            "user_id": user_id,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "before": _dump(before),
            "after": _dump(after),
        }
    )


def entries(db, entity, entity_id):
    """Audit entries for one thing, oldest first, with before/after decoded."""
    rows = db.query(
        "SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id",
        [entity, str(entity_id)],
    )
    return [{**row, "before": _load(row["before"]), "after": _load(row["after"])} for row in rows]


def _dump(value):
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _load(text):
    return None if text is None else json.loads(text)
