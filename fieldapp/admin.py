"""Admin pages: home, CSV import from the browser, bulk crew assignment, single labels, exports."""

import json
import os
import re
import secrets
import time

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from fieldapp import blobstore
from fieldapp import exports
from fieldapp import forms_admin
from fieldapp import institutions
from fieldapp import job_views
from fieldapp import jobs
from fieldapp import labels
from fieldapp import site_import
from fieldapp import store
from fieldapp import tags
from fieldapp import zip_stream
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.form_choices import options
from fieldapp.sites import selection_form

bp = Blueprint("admin", __name__, url_prefix="/admin")
PREVIEW_ROWS = 200
UPLOAD_MAX_AGE_S = 24 * 3600
TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@bp.get("/")
@login_required("admin")
def home():
    """The admin's start page: what there is to manage."""
    db = get_db()
    counts = {
        "institutions": db.execute("SELECT COUNT(*) FROM institutions WHERE active = 1").fetchone()[0],
        "users": db.execute("SELECT COUNT(*) FROM users WHERE active = 1").fetchone()[0],
    }
    return render_template("admin/home.html", counts=counts)


def _upload_path(token):
    """Where an uploaded CSV waits between preview and confirm (instance/, never static)."""
    if not TOKEN.match(token or ""):
        abort(400)
    folder = _upload_dir()
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{token}.csv")


def _upload_dir():
    """IMPORT_DIR, else imports/ beside the database (instance/ in production, never static)."""
    configured = current_app.config.get("IMPORT_DIR")
    return configured or os.path.join(os.path.dirname(current_app.config["DATABASE"]), "imports")


def _forget_old_uploads():
    folder = _upload_dir()
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        path = os.path.join(folder, name)
        if time.time() - os.path.getmtime(path) > UPLOAD_MAX_AGE_S:
            os.remove(path)


@bp.route("/import", methods=["GET", "POST"])
@login_required("admin")
def import_upload():
    """Upload a CSV; every row is checked and shown before anything is written."""
    form = forms_admin.ImportForm()
    if form.validate_on_submit():
        raw = form.csv_file.data.read()
        try:
            text = site_import.decode(raw)
        except UnicodeDecodeError:
            form.csv_file.errors.append(_('The file is not UTF-8 text. Save it as "CSV UTF-8".'))
            return render_template("admin/import.html", form=form)
        _forget_old_uploads()
        token = secrets.token_urlsafe(24)
        with open(_upload_path(token), "w", encoding="utf-8") as out:
            out.write(text)
        return redirect(url_for("admin.import_preview", token=token, contract=form.contract.data or ""))
    return render_template("admin/import.html", form=form)


@bp.get("/import/<token>")
@login_required("admin")
def import_preview(token):
    """The parsed rows and every problem with its line; import is offered only when there are none."""
    path = _upload_path(token)
    if not os.path.exists(path):
        flash(_("That upload has expired; please upload the file again."), "error")
        return redirect(url_for("admin.import_upload"))
    with open(path, encoding="utf-8") as source:
        rows, problems = site_import.parse(get_db(), source.read())
    contract = request.args.get("contract", "")[:100]
    confirm = forms_admin.ConfirmImportForm(data={"token": token, "contract": contract})
    messages = [{**p, "text": site_import.Problem(p).text(_)} for p in problems]
    return render_template(
        "admin/import_preview.html",
        rows=[r for r in rows if r][:PREVIEW_ROWS],
        count=len(rows),
        problems=messages,
        confirm=confirm,
        contract=contract,
    )


@bp.post("/import/confirm")
@login_required("admin")
def import_confirm():
    """Check the stored file again (the database may have changed) and import all rows or none."""
    form = forms_admin.ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    path = _upload_path(form.token.data)
    if not os.path.exists(path):
        flash(_("That upload has expired; please upload the file again."), "error")
        return redirect(url_for("admin.import_upload"))
    with open(path, encoding="utf-8") as source:
        rows, problems = site_import.parse(db, source.read())
    if problems:
        flash(_("The file has problems now; nothing was imported."), "error")
        return redirect(url_for("admin.import_preview", token=form.token.data, contract=form.contract.data))
    count = site_import.import_rows(
        db, rows, default_contract=form.contract.data or None, actor_id=g.user["id"]
    )
    tagged = tags.issue_missing(db, current_app.config["TAG_KEYS"])
    os.remove(path)
    flash(_("Imported %(n)d institutions; %(t)d QR tags issued.", n=count, t=tagged), "success")
    return redirect(url_for("sites.index"))


@bp.route("/assign", methods=["GET", "POST"])
@login_required("admin")
def assign():
    """Assign technicians to every installation in a selection (e.g. all schools in a district)."""
    db = get_db()
    selection = selection_form(db)
    form = forms_admin.BulkAssignForm(data=request.args if request.method == "GET" else None)
    form.technicians.choices = options(forms_admin.technician_choices(db))
    if form.validate_on_submit():
        chosen = forms_admin.SelectionForm(request.form).selection()
        ids = institutions.installation_ids(db, {**chosen, "active": "1"})
        changed = institutions.assign_bulk(db, ids, form.technicians.data, form.mode.data, g.user["id"])
        flash(_("Crew changed on %(n)d of %(total)d installations.", n=changed, total=len(ids)), "success")
        return redirect(
            url_for(
                "admin.assign", **{k: v for k, v in request.form.items() if k in forms_admin.SELECTION_KEYS}
            )
        )
    chosen = selection.selection()
    ids = institutions.installation_ids(db, {**chosen, "active": "1"})
    return render_template("admin/assign.html", selection=selection, form=form, matched=len(ids))


@bp.get("/sites/<id:institution_id>/label.<kind>")
@login_required("admin")
def single_label(institution_id, kind):
    """One institution's label as PNG or SVG (a replacement for a damaged one)."""
    if kind not in ("png", "svg"):
        abort(404)
    db = get_db()
    cfg = current_app.config
    found, _untagged = labels.for_selection(
        db,
        cfg["TAG_KEYS"],
        cfg["TAG_URL_PREFIX"],
        {"institution_id": institution_id},
        request.args.get("language", "ru"),
    )
    label = found[0] if found else abort(404)  # deactivated or untagged sites get no label
    layout = request.args.get("layout", labels.DEFAULT_LAYOUT)
    layout = layout if layout in labels.LAYOUTS else labels.DEFAULT_LAYOUT
    if kind == "png":
        return Response(labels.png(label, layout), mimetype="image/png")
    return Response(labels.svg(label, layout), mimetype="image/svg+xml")


@bp.get("/exports")
@login_required("admin")
def exports_page():
    """Pick a set and a format: CSV, GeoJSON or the acceptance packets as one ZIP."""
    form = selection_form(get_db())
    return render_template("admin/exports.html", form=form, query=request.query_string.decode())


def _export_rows():
    db = get_db()
    return exports.rows(db, current_app.config["TAG_KEYS"], selection_form(db).selection())


@bp.get("/exports/institutions.csv")
@login_required("admin")
def export_csv():
    """Institutions with status, splice, speed test and photo figures, one row per installation."""
    return Response(
        exports.to_csv(_export_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="fieldapp-institutions.csv"'},
    )


@bp.get("/exports/institutions.geojson")
@login_required("admin")
def export_geojson():
    """The same rows as an RFC 7946 FeatureCollection."""
    body = json.dumps(exports.to_geojson(_export_rows()), ensure_ascii=False)
    return Response(
        body,
        mimetype="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="fieldapp-institutions.geojson"'},
    )


def _accepted_in_selection(db, formdata):
    form = selection_form(db, formdata)
    return form, institutions.installation_ids(db, {**form.selection(), "status": "accepted"})


def _nothing_accepted(form):
    flash(_("No accepted installations in this set: no packets to export."), "error")
    return redirect(url_for("admin.exports_page", **form.query()))


def _room(db, ids):
    """(the ZIP's estimated size, the disk space a job may use): a national ZIP with every
    photo can be tens of gigabytes, on the disk the phones' photos and the store need."""
    cfg = current_app.config
    return exports.packets_size(db, ids), jobs.spare_bytes(cfg["JOB_DIR"], cfg["JOB_DISK_RESERVE_BYTES"])


@bp.get("/exports/packets")
@login_required("admin")
def packets_page():
    """How many acceptance packets the set holds and how big their ZIP is; it is made in the
    background, if the disk has room for it."""
    db = get_db()
    form, ids = _accepted_in_selection(db, request.args)
    if not ids:
        return _nothing_accepted(form)
    size, spare = _room(db, ids)
    return render_template(
        "admin/packets.html",
        form=form,
        count=len(ids),
        size=job_views.human_size(size),
        spare=job_views.human_size(max(spare, 0)),
        fits=size <= spare,
        action=forms_admin.ActionForm(),
    )


@bp.get("/exports/packets.zip")
@login_required("admin")
def stream_packets():
    """The set's packets as one ZIP sent while it is packed: no disk used, however big."""
    db = get_db()
    form, ids = _accepted_in_selection(db, request.args)
    if not ids:
        return _nothing_accepted(form)
    database, blobs = current_app.config["DATABASE"], blobstore.from_config(current_app.config)

    def produce(out):
        job_db = store.connect(database)  # the packing thread's own connection
        try:
            exports.packets_zip(job_db, blobs, ids, out)
        finally:
            job_db.conn.close()

    headers = {"Content-Disposition": 'attachment; filename="fieldapp-packets.zip"'}
    return Response(zip_stream.stream(produce), mimetype="application/zip", headers=headers)


@bp.post("/exports/packets")
@login_required("admin")
def make_packets():
    """Start packing the set's acceptance packets into one ZIP."""
    if not forms_admin.ActionForm().validate_on_submit():
        abort(400)
    db = get_db()
    form, ids = _accepted_in_selection(db, request.form)
    if not ids:  # reopened since the count was shown
        return _nothing_accepted(form)
    size, spare = _room(db, ids)
    if size > spare:
        flash(_("Not enough disk space for this ZIP: choose one oblast or district at a time."), "error")
        return redirect(url_for("admin.packets_page", **form.query()))
    job_id = job_views.start("packets", form.selection(), len(ids), "fieldapp-packets.zip")
    return redirect(url_for("jobs.page", job_id=job_id))


@jobs.maker("packets")
def write_packets(db, params, path, progress):
    """The job worker's part: the set's accepted installations, found again from the params."""
    ids = institutions.installation_ids(db, {**params, "status": "accepted"})
    exports.packets_zip(db, blobstore.from_config(current_app.config), ids, path, progress)
