"""The progress dashboard page and its map data (admins see everything, supervisors their regions)."""

from flask import Blueprint
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import get_locale

from fieldapp import ids
from fieldapp import installations
from fieldapp import progress
from fieldapp import vocabulary
from fieldapp.auth import login_required
from fieldapp.db import get_db

bp = Blueprint("progress", __name__, url_prefix="/progress")
DAY_CHOICES = (7, 14, 30, 60)


@bp.get("/")
@login_required("view")
def dashboard():
    """Status by oblast and district, stale installations, crew activity, and a map (table fallback)."""
    db = get_db()
    stale_days = request.args.get("stale", 14, type=ids.int64)
    stale_days = stale_days if stale_days in DAY_CHOICES else 14
    regions, totals = progress.by_place(db, g.user)
    stale, stale_count = progress.stale(db, g.user, stale_days)
    activity = progress.activity(db, g.user, 14)
    peak = max((n for person in activity["technicians"] for n in person["days"].values()), default=0)
    return render_template(
        "admin/progress.html",
        regions=regions,
        totals=totals,
        bars=progress.bars(regions),
        statuses=installations.STATUSES,
        stale=stale,
        stale_count=stale_count,
        stale_days=stale_days,
        day_choices=DAY_CHOICES,
        activity=activity,
        day_bars=progress.day_bars(activity["per_day"]),
        heat=lambda n: progress.heat(n, peak),
        bar_width=progress.BAR_WIDTH,
        status_labels={k: str(v) for k, v in vocabulary.STATUS.items()},
        lang=str(get_locale()),  # looked up once: the page has thousands of cells
    )


@bp.get("/map.json")
@login_required("view")
def map_data():
    """Institutions with coordinates and status, for static/js/map.js."""
    return jsonify(points=progress.map_points(get_db(), g.user))
