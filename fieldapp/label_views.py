"""Label sheet pages: choose institutions and a stock, then watch the PDF being made.

Every sheet is made in the background (fieldapp/jobs.py), a district's in a second and the
whole country's in half a minute, with the same page: a progress bar, then the download.
"""

import json

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import send_file
from flask import url_for
from flask_babel import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import ngettext

from fieldapp import forms_admin
from fieldapp import jobs
from fieldapp import labels
from fieldapp.auth import login_required
from fieldapp.db import get_db

bp = Blueprint("labels", __name__, url_prefix="/admin/labels")
KIND = "label_sheet"


def _chosen(formdata):
    """The validated label form, the labels it selects and how many of its sites have no tag."""
    db = get_db()
    form = forms_admin.LabelsForm(formdata=formdata)
    forms_admin.fill_place_choices(db, form, str(get_locale()))
    if not form.validate():
        abort(400)
    cfg = current_app.config
    found, untagged = labels.for_selection(
        db, cfg["TAG_KEYS"], cfg["TAG_URL_PREFIX"], form.selection(), form.language.data
    )
    return form, found, untagged


@bp.get("")
@login_required("admin")
def page():
    """Choose institutions and a label stock; how many labels and sheets that makes."""
    form, found, untagged = _chosen(request.args)
    return render_template(
        "admin/labels.html",
        form=form,
        count=len(found),
        untagged=untagged,
        sheets=_sheets(len(found), form.layout.data),
        action=forms_admin.ActionForm(),
    )


@bp.post("/sheets")
@login_required("admin")
def make():
    """Start making the chosen sheet (or join the same one already being made)."""
    if not forms_admin.ActionForm().validate_on_submit():
        abort(400)
    form, found, _untagged = _chosen(request.form)
    params = {**form.selection(), "layout": form.layout.data, "language": form.language.data}

    def write(path, progress):
        labels.write_pdf(found, form.layout.data, path, progress)

    cfg = current_app.config
    job_id = jobs.start(
        get_db(), cfg["JOB_DIR"], cfg["DATABASE"], g.user["id"], KIND, params, len(found),
        "fieldapp-labels.pdf", write,
    )
    return redirect(url_for("labels.sheet", job_id=job_id))


@bp.get("/sheets/<job_id>")
@login_required("admin")
def sheet(job_id):
    """The sheet being made: a progress bar that fills, then the download."""
    job = _job(job_id)
    chosen = {key: value for key, value in json.loads(job["params"]).items() if value is not None}
    return render_template(
        "admin/label_sheet.html",
        job=job,
        status=_status(job),
        sheets=_sheets(job["total"], chosen["layout"]),
        back=url_for("labels.page", **chosen),
    )


@bp.get("/sheets/<job_id>/status")
@login_required("admin")
def sheet_status(job_id):
    """How far the sheet is, for the page's poll (any worker can answer)."""
    return jsonify(_status(_job(job_id)))


@bp.get("/sheets/<job_id>/pdf")
@login_required("admin")
def sheet_pdf(job_id):
    """The finished PDF."""
    job = _job(job_id)
    if job["state"] != "ready":
        abort(404)
    return send_file(
        jobs.path(current_app.config["JOB_DIR"], job_id),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=job["filename"],
    )


def _job(job_id):
    job = jobs.get(get_db(), job_id)
    if job is None or job["kind"] != KIND:
        abort(404)
    return job


def _sheets(count, layout_key):
    return -(-count // labels.LAYOUTS[layout_key].per_page)


def _status(job):
    """The job's state and a sentence for it, in the admin's language."""
    done, total = job["done"], job["total"]
    shown = {"done": format_decimal(done), "total": format_decimal(total)}
    messages = {
        "running": _("Made %(done)s of %(total)s labels…", **shown),
        "ready": ngettext("%(n)s label is ready.", "%(n)s labels are ready.", total, n=shown["total"]),
        "failed": _("The sheet could not be made: %(error)s", error=job["error"]),
        "interrupted": _("The server restarted while making this sheet. Make it again."),
    }
    return {"state": job["state"], "done": done, "total": total, "message": messages[job["state"]]}
