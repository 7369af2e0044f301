"""Progress at a glance: status by oblast and district, accepted %, stale work, crew activity.

Plain data and chart geometry (numbers); the template draws the SVG, so no chart library
and nothing for the browser to run. Scoped like every list: supervisors see their regions.
"""

from datetime import timedelta

from fieldapp import access
from fieldapp import clock
from fieldapp import installations
from fieldapp import institutions
from fieldapp.evidence.kinds import KINDS

OPEN_STATUSES = ("planned", "in_progress", "submitted", "returned")
BAR_WIDTH = 600
STALE_LIMIT = 100
TOP_TECHNICIANS = 30
# Every kind of record a technician sends is activity: traces, equipment, a handover and a
# reply to a returned item as much as a photo (each kind's table has the m050-style indexes).
RECORD_TABLES = tuple(kind.TABLE for kind in KINDS)


def _scoped(user):
    where, params = access.installation_scope(user)
    joins = "FROM installations inst JOIN institutions i ON i.id = inst.institution_id "
    joins += institutions.PLACE_JOINS
    return joins, f"i.active = 1 AND {where}", params


def by_place(db, user):
    """Oblasts (with their districts) and totals: counts per status and accepted %."""
    joins, where, params = _scoped(user)
    sql = f"""SELECT r.id AS region_id, r.name_en, r.name_ru, r.name_kk, d.id AS district_id,
        d.name_ru AS district_ru, d.name_kk AS district_kk, inst.status, COUNT(*) AS n
        {joins} WHERE {where} GROUP BY d.id, inst.status ORDER BY r.name_ru, d.name_ru"""
    regions, totals = {}, _counts()
    for row in db.query(sql, params):
        region = regions.setdefault(
            row["region_id"],
            {
                "id": row["region_id"],
                "name_en": row["name_en"],
                "name_ru": row["name_ru"],
                "name_kk": row["name_kk"],
                "counts": _counts(),
                "districts": {},
            },
        )
        district = region["districts"].setdefault(
            row["district_id"],
            {
                "id": row["district_id"],
                "name_ru": row["district_ru"],
                "name_kk": row["district_kk"],
                "counts": _counts(),
            },
        )
        for counts in (region["counts"], district["counts"], totals):
            counts[row["status"]] += row["n"]
    for region in regions.values():
        region["districts"] = [_summarise(d) for d in region["districts"].values()]
        _summarise(region)
    return [regions[k] for k in regions], _summarise({"counts": totals})


def _counts():
    return dict.fromkeys(installations.STATUSES, 0)


def _summarise(place):
    """Add total and accepted % to a place's counts."""
    total = sum(place["counts"].values())
    place["total"] = total
    place["accepted_pct"] = round(100 * place["counts"]["accepted"] / total, 1) if total else 0.0
    return place


def bars(places, width=BAR_WIDTH):
    """Stacked-bar geometry: per place, one segment per status, scaled to the largest place."""
    largest = max((p["total"] for p in places), default=0) or 1
    result = []
    for place in places:
        x, segments = 0.0, []
        for status in installations.STATUSES:
            n = place["counts"][status]
            if n:
                w = width * n / largest
                segments.append({"status": status, "n": n, "x": round(x, 1), "w": round(w, 1)})
                x += w
        result.append({"place": place, "segments": segments})
    return result


def _latest(table):
    return f"(SELECT MAX(received_at) FROM {table} WHERE installation_id = inst.id)"


def stale(db, user, days, now=None):
    """Open installations with no status change and no record received for `days` days, oldest first.

    Each test is an index probe per installation (m050 indexes), not a pass over every record.
    """
    cutoff = clock.to_iso((clock.parse(now) if now else clock.parse(clock.now())) - timedelta(days=days))
    joins, where, params = _scoped(user)
    marks = ",".join("?" * len(OPEN_STATUSES))
    quiet = " AND ".join(
        f"NOT EXISTS (SELECT 1 FROM {t} WHERE installation_id = inst.id AND received_at >= ?)"
        for t in RECORD_TABLES
    )
    latest = ", ".join(f"COALESCE({_latest(t)}, '')" for t in RECORD_TABLES)
    sql = f"""SELECT inst.id, inst.status, inst.institution_id, i.name_ru, i.name_kk,
        s.name_ru AS settlement_ru, s.name_kk AS settlement_kk,
        MAX(inst.updated_at, {latest}) AS last_activity
        {joins} WHERE {where} AND inst.status IN ({marks}) AND inst.updated_at < ? AND {quiet}
        ORDER BY last_activity, inst.id"""
    args = [*params, *OPEN_STATUSES, cutoff, *[cutoff] * len(RECORD_TABLES)]
    found = list(db.query(sql, args))
    return found[:STALE_LIMIT], len(found)


def _received_since(user, since):
    """SQL and parameters for (author_id, day) of every record received since `since`, in scope."""
    params = []
    scope = ""
    if user["role"] != "admin":  # admins see everything: no join needed, the index covers it
        where, scope_params = access.installation_scope(user)
        scope = f""" AND installation_id IN (SELECT inst.id FROM installations inst
            JOIN institutions i ON i.id = inst.institution_id {institutions.PLACE_JOINS} WHERE {where})"""
        params = scope_params
    parts, args = [], []
    for table in RECORD_TABLES:
        parts.append(
            f"SELECT author_id, substr(received_at, 1, 10) AS day FROM {table} WHERE received_at >= ?{scope}"
        )
        args += [since, *params]
    return " UNION ALL ".join(parts), args


def activity(db, user, days, now=None, top=TOP_TECHNICIANS):
    """Records received per technician per day over the last `days` days (today included).

    The most active `top` technicians are listed; the rest are summed in `others`.
    """
    today = (clock.parse(now) if now else clock.parse(clock.now())).date()
    dates = [(today - timedelta(days=n)).isoformat() for n in range(days - 1, -1, -1)]
    union, args = _received_since(user, dates[0])
    sql = f"SELECT author_id, day, COUNT(*) AS n FROM ({union}) GROUP BY author_id, day"
    people, per_day = {}, dict.fromkeys(dates, 0)
    for author_id, day, n in db.execute(sql, args):
        if day not in per_day:
            continue
        person = people.setdefault(author_id, {"id": author_id, "days": dict.fromkeys(dates, 0), "total": 0})
        person["days"][day] += n
        person["total"] += n
        per_day[day] += n
    ranked = sorted(people.values(), key=lambda p: (-p["total"], p["id"]))
    shown = ranked[:top]
    marks = ",".join("?" * len(shown))
    sql = f"SELECT id, name, username FROM users WHERE id IN ({marks})"
    names = {row[0]: (row[1], row[2]) for row in db.execute(sql, [p["id"] for p in shown])}
    for person in shown:
        person["name"], person["username"] = names.get(person["id"], ("?", "?"))
    others = {"count": len(ranked) - len(shown), "total": sum(p["total"] for p in ranked[top:])}
    return {"dates": dates, "technicians": shown, "per_day": per_day, "others": others}


def day_bars(per_day, height=120, width=BAR_WIDTH):
    """Column geometry for records per day."""
    largest = max(per_day.values(), default=0) or 1
    step = width / max(len(per_day), 1)
    return [
        {
            "day": day,
            "n": n,
            "x": round(i * step + 2, 1),
            "w": round(step - 4, 1),
            "h": round(height * n / largest, 1),
            "y": round(height - height * n / largest, 1),
        }
        for i, (day, n) in enumerate(per_day.items())
    ]


def heat(n, peak):
    """A 0-4 level for a cell of the activity table (CSS colours it)."""
    return 0 if not n else min(4, 1 + int(3 * n / max(peak, 1)))


def map_points(db, user):
    """Institutions with coordinates and status for the map (compact: the phone may be slow)."""
    joins, where, params = _scoped(user)
    sql = f"""SELECT i.id, inst.id AS installation_id, i.name_ru, i.name_kk, i.lat, i.lon, inst.status
        {joins} WHERE {where} ORDER BY i.id"""
    return [
        {
            "id": row["id"],
            "n": row["name_ru"],
            "k": row["name_kk"],
            "lat": round(row["lat"], 5),
            "lon": round(row["lon"], 5),
            "s": row["status"],
        }
        for row in db.query(sql, params)
    ]
