"""The technician's pages: My sites."""

from flask import Blueprint
from flask import g
from flask import render_template

from fieldapp import access
from fieldapp import checklist
from fieldapp import installations
from fieldapp import profiles
from fieldapp.auth import login_required
from fieldapp.db import get_db

bp = Blueprint("technician", __name__, url_prefix="/tech")
STATUS_ORDER = "CASE inst.status WHEN 'returned' THEN 0 WHEN 'in_progress' THEN 1 " \
    "WHEN 'planned' THEN 2 WHEN 'submitted' THEN 3 ELSE 4 END"


def assigned(db, user):
    """The installations a technician works on, returned ones first, then by village."""
    where, params = access.installation_scope(user)
    sql = f"{installations.SELECT} WHERE {where} ORDER BY {STATUS_ORDER}, s.name_ru, i.name_ru"
    return list(db.query(sql, params))


@bp.get("/sites")
@login_required("collect")
def sites():
    """My sites: institution, village, status and what is still missing."""
    db = get_db()
    rows = assigned(db, g.user)
    rules = {pid: profiles.get(db, pid)["rules"] for pid in {row["profile_id"] for row in rows}}
    return render_template(
        "technician/sites.html", sites=rows, checklists=checklist.summaries(db, rows, rules)
    )
