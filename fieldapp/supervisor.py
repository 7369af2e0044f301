"""The supervisor's dashboard: installations by status and oblast, within their regions."""

from flask import Blueprint
from flask import g
from flask import render_template

from fieldapp import access
from fieldapp import installations
from fieldapp.auth import login_required
from fieldapp.db import get_db

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


def status_counts(db, user):
    """Counts per (region, status) and per status, within what `user` may see."""
    where, params = access.installation_scope(user)
    sql = f"""SELECT d.region_id, r.name_kk, r.name_ru, r.name_en, inst.status, COUNT(*) AS n
        FROM installations inst
        JOIN institutions i ON i.id = inst.institution_id
        JOIN settlements s ON s.id = i.settlement_id
        JOIN districts d ON d.id = s.district_id
        JOIN regions r ON r.id = d.region_id
        WHERE {where} GROUP BY d.region_id, inst.status ORDER BY r.name_ru"""
    regions = {}
    totals = dict.fromkeys(installations.STATUSES, 0)
    for row in db.query(sql, params):
        region = regions.setdefault(
            row["region_id"],
            {
                "name_kk": row["name_kk"],
                "name_ru": row["name_ru"],
                "name_en": row["name_en"],
                "counts": dict.fromkeys(installations.STATUSES, 0),
            },
        )
        region["counts"][row["status"]] = row["n"]
        totals[row["status"]] += row["n"]
    return list(regions.values()), totals


@bp.get("/")
@login_required("view")
def dashboard():
    """Counts by status, overall and per oblast."""
    regions, totals = status_counts(get_db(), g.user)
    return render_template(
        "supervisor/dashboard.html", regions=regions, totals=totals, statuses=installations.STATUSES
    )
