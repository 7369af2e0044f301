"""The page of an export made in the background: a progress bar that fills, then the download.

Label sheets and acceptance-packet ZIPs share it; KINDS says, for each, what the page is
called, what the bar counts and where "back" leads (the choice the job was made from).
"""

import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import send_file
from flask import url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from fieldapp import jobs
from fieldapp.auth import login_required
from fieldapp.db import get_db

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@dataclass(frozen=True)
class Kind:
    title: str
    back: str  # the endpoint the job was chosen on; the job's params are its query
    running: Callable[[str, str], str]  # (done, total) -> sentence
    ready: Callable[[int, str], str]  # (total, shown total) -> sentence
    mimetype: str


KINDS = {
    "label_sheet": Kind(
        _l("QR labels"),
        "labels.page",
        lambda done, total: _("Made %(done)s of %(total)s labels…", done=done, total=total),
        lambda total, shown: ngettext("%(n)s label is ready.", "%(n)s labels are ready.", total, n=shown),
        "application/pdf",
    ),
    "packets": Kind(
        _l("Acceptance packets"),
        "admin.exports_page",
        lambda done, total: _("Packed %(done)s of %(total)s installations…", done=done, total=total),
        lambda total, shown: ngettext(
            "The packet of %(n)s installation is ready.",
            "The packets of %(n)s installations are ready.",
            total,
            n=shown,
        ),
        "application/zip",
    ),
}


@bp.get("/<job_id>")
@login_required("admin")
def page(job_id):
    """How far the job is; the download once it is made."""
    job = _job(job_id)
    kind = KINDS[job["kind"]]
    chosen = {key: value for key, value in json.loads(job["params"]).items() if value is not None}
    return render_template(
        "admin/job.html",
        job=job,
        kind=kind,
        status=_status(job),
        size=human_size(job["size"]) if job["size"] is not None else None,
        back=url_for(kind.back, **chosen),
    )


@bp.get("/<job_id>/status")
@login_required("admin")
def status(job_id):
    """How far the job is, for the page's poll (any worker can answer)."""
    return jsonify(_status(_job(job_id)))


@bp.get("/<job_id>/file")
@login_required("admin")
def file(job_id):
    """The finished file."""
    job = _job(job_id)
    if job["state"] != "ready":
        abort(404)
    return send_file(
        jobs.path(current_app.config["JOB_DIR"], job_id),
        mimetype=KINDS[job["kind"]].mimetype,
        as_attachment=True,
        download_name=job["filename"],
    )


def start(kind, params, total, filename):
    """Record a job for the signed-in admin and return its id (see jobs.start)."""
    return jobs.start(get_db(), current_app.config["JOB_DIR"], g.user["id"], kind, params, total, filename)


def _job(job_id):
    job = jobs.get(get_db(), job_id)
    if job is None or job["kind"] not in KINDS:
        abort(404)
    return job


def human_size(size):
    """A file size as people read it: "49 KB", "7.3 MB" (in the admin's number format)."""
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))


def _status(job):
    """The job's state and a sentence for it, in the admin's language."""
    kind, total = KINDS[job["kind"]], job["total"]
    done_shown, total_shown = format_decimal(job["done"]), format_decimal(total)
    messages = {
        "running": lambda: kind.running(done_shown, total_shown),
        "ready": lambda: kind.ready(total, total_shown),
        "failed": lambda: _("It could not be made: %(error)s", error=job["error"]),
        "interrupted": lambda: _("The server restarted while making it. Make it again."),
    }
    return {"state": job["state"], "done": job["done"], "total": total, "message": messages[job["state"]]()}
