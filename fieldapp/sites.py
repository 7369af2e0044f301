"""Sites as admins manage them: the institution list, create, edit, deactivate, QR tags, CLI import."""

import sqlite3

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import get_locale
from flask_babel import gettext as _

from fieldapp import forms_admin
from fieldapp import ids
from fieldapp import installations
from fieldapp import institutions
from fieldapp import site_import
from fieldapp import tags
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.form_choices import options

bp = Blueprint("sites", __name__, url_prefix="/admin/sites")
NEW_COLUMNS = site_import.REQUIRED + site_import.OPTIONAL


def init_app(app):
    """Register the import-sites command."""
    app.cli.add_command(import_sites_command)


@click.command("import-sites")
@with_appcontext
@click.argument("csv_file", type=click.File("rb"))
@click.option("--contract", default=None, help="Create an installation per site under this contract.")
def import_sites_command(csv_file, contract):
    """Import institutions from CSV; if any row is bad, import nothing and list every problem."""
    db = get_db()
    try:
        text = site_import.decode(csv_file.read())
    except UnicodeDecodeError:
        raise click.ClickException("The file is neither UTF-8 nor Windows-1251 text.") from None
    rows, problems = site_import.parse(db, text)
    if problems:
        for problem in problems:
            column = f" [{problem['column']}]" if problem["column"] else ""
            click.echo(f"line {problem['line']}{column}: {problem.text()}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s); nothing was imported.")
    count = site_import.import_rows(db, rows, default_contract=contract)
    tagged = tags.issue_missing(get_db(), current_app.config["TAG_KEYS"])
    click.echo(f"Imported {count} institution(s); issued {tagged} QR tag(s).")


def selection_form(db, formdata=None, form_class=forms_admin.SelectionForm):
    """The selection filter (no CSRF of its own) with its choices, read from the query string
    or from `formdata` (a POST that acts on the chosen set)."""
    form = form_class(formdata=request.args if formdata is None else formdata)
    forms_admin.fill_place_choices(db, form, str(get_locale()))
    return form


@bp.get("/")
@login_required("admin")
def index():
    """Institutions: search and filter, 50 per page, with status and tag at a glance."""
    db = get_db()
    form = selection_form(db)
    page = request.args.get("page", 1, type=ids.int64)
    rows, total = institutions.search(db, form.selection(), page)
    pages = max(1, -(-total // institutions.PAGE_SIZE))
    untagged = tags_missing(db)
    return render_template(
        "admin/sites.html",
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        untagged=untagged,
        action=forms_admin.ActionForm(),
    )


def tags_missing(db):
    """How many active institutions have no active tag."""
    sql = """SELECT COUNT(*) FROM institutions i WHERE i.active = 1 AND NOT EXISTS
        (SELECT 1 FROM tags t WHERE t.institution_id = i.id AND t.revoked_at IS NULL)"""
    return db.execute(sql).fetchone()[0]


@bp.route("/new", methods=["GET", "POST"])
@login_required("admin")
def new():
    """Create one institution through the importer's own checks, then give it a QR tag."""
    db = get_db()
    form = forms_admin.NewInstitutionForm()
    form.region.choices = options(forms_admin.region_choices(db, str(get_locale()), key="iso_code"))
    if form.validate_on_submit():
        values = form.import_values()
        rows, problems = site_import.parse(db, institutions.one_row_csv(values, NEW_COLUMNS))
        if not problems:
            site_import.import_rows(db, rows, actor_id=g.user["id"])
            institution_id = institutions.last_created(db, values["kato"], values["name_ru"])
            tags.issue(db, current_app.config["TAG_KEYS"], institution_id)
            flash(_("Institution created with a new QR tag."), "success")
            return redirect(url_for("sites.edit", institution_id=institution_id))
        form.add_problems(problems)
    return render_template("admin/site_new.html", form=form)


@bp.route("/<id:institution_id>", methods=["GET", "POST"])
@login_required("admin")
def edit(institution_id):
    """Edit an institution; its tag, installations and crew are managed on the same page."""
    db = get_db()
    site = institutions.get(db, institution_id) or abort(404)
    form = forms_admin.InstitutionForm(data=site if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            institutions.update(db, institution_id, form.changes(), actor_id=g.user["id"])
        except sqlite3.IntegrityError:
            form.bin.errors.append(_("Another institution already has this BIN."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("sites.edit", institution_id=institution_id))
    return render_template("admin/site_edit.html", **_edit_context(db, site, form))


def _edit_context(db, site, form):
    keys = current_app.config["TAG_KEYS"]
    code = tags.active_code(db, keys, site["id"])
    works = institutions.installations_of(db, site["id"])
    crews = {}
    for work in works:
        crews[work["id"]] = forms_admin.AssignForm(
            prefix=f"w{work['id']}", data={"technicians": work["technician_ids"]}
        )
        crews[work["id"]].technicians.choices = options(forms_admin.technician_choices(db))
    return {
        "site": site,
        "form": form,
        "code": code,
        "human": tags.human(code) if code else None,
        "works": works,
        "crews": crews,
        "action": forms_admin.ActionForm(),
    }


@bp.post("/<id:institution_id>/active")
@login_required("admin")
def set_active(institution_id):
    """Deactivate or reactivate (a POST with CSRF); history and records stay."""
    db = get_db()
    site = institutions.get(db, institution_id) or abort(404)
    form = forms_admin.ActionForm()
    if form.validate_on_submit():
        institutions.set_active(db, institution_id, not site["active"], actor_id=g.user["id"])
        flash(_("Reactivated.") if not site["active"] else _("Deactivated."), "success")
    return redirect(url_for("sites.edit", institution_id=institution_id))


@bp.post("/<id:institution_id>/tag")
@login_required("admin")
def reissue_tag(institution_id):
    """Revoke the current tag and issue a new one (a lost or damaged label)."""
    db = get_db()
    institutions.get(db, institution_id) or abort(404)
    if forms_admin.ActionForm().validate_on_submit():
        tags.issue(db, current_app.config["TAG_KEYS"], institution_id)
        flash(_("New QR tag issued; the old label no longer works. Print a new one."), "success")
    return redirect(url_for("sites.edit", institution_id=institution_id))


@bp.post("/tags/missing")
@login_required("admin")
def issue_missing_tags():
    """Give every active institution without a tag one (after an import from elsewhere)."""
    if forms_admin.ActionForm().validate_on_submit():
        count = tags.issue_missing(get_db(), current_app.config["TAG_KEYS"])
        flash(_("%(n)d QR tags issued.", n=count), "success")
    return redirect(url_for("sites.index"))


@bp.post("/installations/<id:installation_id>/crew")
@login_required("admin")
def assign(installation_id):
    """Set the technicians of one installation; it reaches their phones on the next pull."""
    db = get_db()
    work = installations.get(db, installation_id) or abort(404)
    form = forms_admin.AssignForm(prefix=f"w{installation_id}")
    form.technicians.choices = options(forms_admin.technician_choices(db))
    if form.validate_on_submit():
        installations.assign(db, installation_id, form.technicians.data, actor_id=g.user["id"])
        flash(_("Crew saved."), "success")
    return redirect(url_for("sites.edit", institution_id=work["institution_id"]))
