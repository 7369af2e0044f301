"""Label sheets: choose institutions and a stock, then the PDF is made in the background.

Every sheet is made as a job (fieldapp/jobs.py, by the job worker; page in job_views.py), a district's in a
second and the whole country's in half a minute: a progress bar, then the download.
"""

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from fieldapp import forms_admin
from fieldapp import job_views
from fieldapp import jobs
from fieldapp import labels
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.sites import selection_form

bp = Blueprint("labels", __name__, url_prefix="/admin/labels")


def _chosen(formdata):
    """The validated label form, the labels it selects and how many of its sites have no tag."""
    db = get_db()
    form = selection_form(db, formdata, forms_admin.LabelsForm)
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
    job_id = job_views.start("label_sheet", params, len(found), "fieldapp-labels.pdf")
    return redirect(url_for("jobs.page", job_id=job_id))


@jobs.maker("label_sheet")
def write_sheet(db, params, path, progress):
    """The job worker's part: the chosen labels, found again from the job's params."""
    selection = {key: value for key, value in params.items() if key not in ("layout", "language")}
    cfg = current_app.config
    found, _untagged = labels.for_selection(
        db, cfg["TAG_KEYS"], cfg["TAG_URL_PREFIX"], selection, params["language"]
    )
    labels.write_pdf(found, params["layout"], path, progress)


def _sheets(count, layout_key):
    return -(-count // labels.LAYOUTS[layout_key].per_page)
