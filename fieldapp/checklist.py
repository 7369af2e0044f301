"""What an installation still lacks: the technician's checklist, counted in a few queries."""

from fieldapp import profiles
from fieldapp.evidence import current
from fieldapp.evidence import photo
from fieldapp.evidence import scan
from fieldapp.evidence import speed_test
from fieldapp.evidence import splice


def summaries(db, installations, rules_by_profile):
    """Map installation id -> checklist for many installations at once (no N+1)."""
    ids = [inst["id"] for inst in installations]
    if not ids:
        return {}
    splices = _counts(db, splice, ids)
    speed = _counts(db, speed_test, ids)
    scans = _counts(db, scan, ids, "matched = 1")
    shots = _shots(db, ids)
    result = {}
    for inst in installations:
        rules = rules_by_profile[inst["profile_id"]]
        required = profiles.required_shots(rules, inst["type"])
        have = shots.get(inst["id"], set())
        result[inst["id"]] = {
            "photos_required": len(required),
            "photos_have": sum(1 for shot in required if shot in have),
            "missing_shots": [shot for shot in required if shot not in have],
            "splices": splices.get(inst["id"], 0),
            "speed_tests": speed.get(inst["id"], 0),
            "scanned": scans.get(inst["id"], 0) > 0,
        }
    return result


def _counts(db, kind, ids, extra="1 = 1"):
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT installation_id, COUNT(*) FROM {kind.TABLE} "
        f"WHERE installation_id IN ({marks}) AND {extra} AND {current.condition(kind)} "
        "GROUP BY installation_id"
    )
    return dict(db.execute(sql, ids).fetchall())


def _shots(db, ids):
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT installation_id, shot FROM photos WHERE installation_id IN ({marks}) "
        f"AND {current.condition(photo)}"
    )
    shots = {}
    for installation_id, shot in db.execute(sql, ids):
        shots.setdefault(installation_id, set()).add(shot)
    return shots
