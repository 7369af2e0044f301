"""What an installation still lacks: the technician's checklist, counted in a few queries."""

from fieldapp import profiles

# A record is current unless a later record names it in `replaces`.
CURRENT = "id NOT IN (SELECT replaces FROM {table} WHERE replaces IS NOT NULL)"


def summaries(db, installations, rules_by_profile):
    """Map installation id -> checklist for many installations at once (no N+1)."""
    ids = [inst["id"] for inst in installations]
    if not ids:
        return {}
    splices = _counts(db, "splices", ids)
    speed = _counts(db, "speed_tests", ids)
    scans = _counts(db, "scans", ids, "matched = 1")
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


def _counts(db, table, ids, extra="1 = 1"):
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT installation_id, COUNT(*) FROM {table} "
        f"WHERE installation_id IN ({marks}) AND {extra} AND {CURRENT.format(table=table)} "
        "GROUP BY installation_id"
    )
    return dict(db.execute(sql, ids).fetchall())


def _shots(db, ids):
    marks = ",".join("?" * len(ids))
    sql = (
        f"SELECT installation_id, shot FROM photos WHERE installation_id IN ({marks}) "
        f"AND status = 'complete' AND {CURRENT.format(table='photos')}"
    )
    shots = {}
    for installation_id, shot in db.execute(sql, ids):
        shots.setdefault(installation_id, set()).add(shot)
    return shots
