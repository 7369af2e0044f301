"""Supervisor review: the queue, one installation on one page, decisions, and the packet.

Thin views: forms validate, fieldapp.decisions decides, fieldapp.packet gathers the data.
Every page works without JavaScript.
"""

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from fieldapp import access
from fieldapp import blobstore
from fieldapp import check_summaries
from fieldapp import check_text
from fieldapp import clock
from fieldapp import decisions
from fieldapp import installations
from fieldapp import packet
from fieldapp import profiles
from fieldapp import records
from fieldapp import redirects
from fieldapp import replacements
from fieldapp import review_queue
from fieldapp import tags
from fieldapp import vocabulary
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.evidence import kinds
from fieldapp.review_forms import BulkApproveForm
from fieldapp.review_forms import DecisionForm
from fieldapp.review_forms import FilterForm
from fieldapp.review_forms import ItemMessageForm
from fieldapp.review_forms import ReturnForm

bp = Blueprint("review", __name__, url_prefix="/review")

REFUSALS = {
    "override_required": _l("Some checks warn or fail: write an override reason to go ahead."),
    "stale": _l("The installation changed while you were looking at it. Check it again."),
    "wrong_status": _l("This installation is no longer waiting for that decision."),
    "nothing_returned": _l("Choose at least one item to return."),
    "reason_required": _l("Say why each item is returned."),
    "unknown_record": _l("That record does not belong to this installation."),
    "unknown_item": _l("That item cannot be returned."),
    "ref_required": _l("That item cannot be returned."),
    "unknown_reason": _l("That reason is not in this installation's acceptance profile."),
    "bad_markup": _l("The drawing on the photo could not be kept: draw it again."),
    "shot_label_too_long": _l("Name the added photo in at most 200 characters."),
    "open_items": _l("Returned items are still open: close them or write an override reason."),
}


def _visible(installation_id):
    """The installation if the user may review it; 404 otherwise (no hint that it exists)."""
    db = get_db()
    if not access.can_see_installation(db, g.user, installation_id):
        abort(404)
    return db


def _filter_form():
    form = FilterForm(formdata=request.args)
    form.fill_choices(review_queue.filter_options(get_db(), g.user), str(get_locale()))
    if "status" not in request.args:
        form.status.data = "submitted"
    return form


@bp.get("/")
@login_required("review")
def queue():
    """Installations awaiting review in the user's regions, oldest first, with filters."""
    form = _filter_form()
    filters = form.filters() if request.args else {"status": "submitted"}
    page = review_queue.page(get_db(), g.user, filters, request.args.get("page", 1, type=int))
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("review/queue.html", form=form, page=page, args=args, bulk=BulkApproveForm())


@bp.post("/bulk-approve")
@login_required("review")
def bulk_approve():
    """Approve the chosen installations whose checks all pass; say which were skipped."""
    form = BulkApproveForm()
    if not form.validate_on_submit():
        abort(400)
    db = get_db()
    ids = [i for i in form.ids.data or () if access.can_see_installation(db, g.user, i)]  # none ticked: []
    result = decisions.bulk_approve(db, ids, g.user["id"])
    flash(_("Approved %(n)d installation(s).", n=len(result["approved"])), "success")
    if result["skipped"]:
        flash(_("%(n)d not approved: open them to see their checks.", n=len(result["skipped"])), "error")
    return redirect(redirects.local_target(request.referrer, request.host_url) or url_for("review.queue"))


@bp.get("/photos")
@login_required("review")
def photos():
    """Thumbnails across many installations in the queue, for fast visual review."""
    form = _filter_form()
    filters = form.filters() if request.args else {"status": "submitted"}
    rows = review_queue.photo_grid(get_db(), g.user, filters)
    return render_template("review/photos.html", form=form, photos=rows)


@bp.get("/<id:installation_id>")
@login_required("review")
def installation(installation_id):
    """One installation on one page: checks, photos, splices, speed tests, history, decisions."""
    db = _visible(installation_id)
    data = packet.dossier(db, installation_id)
    check_summaries.refresh_if_changed(db, data["installation"], data["result"])
    rev = data["installation"]["rev"]
    return_form = ReturnForm(formdata=None, data={"rev": rev, "items": _returnable(data)})
    return _render_installation(db, data, return_form, DecisionForm(formdata=None, data={"rev": rev}))


def _render_installation(db, data, return_form, decision_form, status=200):
    for c in data["result"]["checks"]:
        for match in c.get("matches", ()):
            # The other site's photo is shown only to someone who may see that installation.
            match["visible"] = access.can_see_installation(db, g.user, match["installation_id"])
    last = data["reviews"][0] if data["reviews"] else None
    changes = decisions.changes_since(db, data["installation"]["id"], last["at"]) if last else []
    returned = [records.existing(db, item["item_ref"]) for item in (last["items"] if last else [])]
    labelled = (data["records"]["photos"] + data["records"]["splices"] + data["records"]["traces"]
                + data["records"]["equipment"] + changes)
    return render_template(
        "review/installation.html",
        d=data,
        inst=data["installation"],
        return_form=return_form,
        return_entries=_return_entries(data["installation"], return_form),
        decision_form=decision_form,
        last_review=last,
        changes=changes,
        rule_labels=RULE_LABELS,
        item_labels=_item_labels([row for row in returned if row] + labelled, data["added_shots"]),
        tag_failures=tags.failures_by_technician(db, data["installation"]["id"]),
        reasons=_reasons(db, data["result"]["profile_id"]),
        open_items=decisions.open_items(db, data["installation"]["id"]),
        item_form=ItemMessageForm(formdata=None),
        replacements=replacements.pairs(db, last, data["by_item"]),
    ), status


def _return_entries(inst, return_form):
    """"kind:ref" -> that item's subform, for the tick on its photo card or row; none once the
    installation can no longer be returned."""
    if inst["status"] not in ("submitted", "approved"):
        return {}
    return {f"{e.form.kind.data}:{e.form.ref.data}": e for e in return_form["items"]}


def _reasons(db, profile_id):
    """Item kind -> the standard reason codes of the installation's profile (one tap each)."""
    rules = profiles.get(db, profile_id)["rules"]
    return {item: profiles.return_reasons(rules, item) for item in kinds.item_rules()}


def _returnable(data):
    """Every item a reviewer may send back (each drawn on its photo, row or section: _return_tick.html)."""
    items = [{"kind": "scan", "ref": ""}, {"kind": "speed_test", "ref": ""}]
    items += [{"kind": "photo", "ref": p["id"]} for p in data["records"]["photos"]]
    items += [{"kind": "splice", "ref": s["id"]} for s in data["records"]["splices"]]
    items += [{"kind": "trace", "ref": t["id"]} for t in data["records"]["traces"]]
    items += [{"kind": "equipment", "ref": e["id"]} for e in data["records"]["equipment"]]
    items.append({"kind": "handover", "ref": ""})
    for c in data["result"]["checks"]:
        if c["rule"] == "photos.required_shot" and c["verdict"] != "pass":
            items.append({"kind": "shot", "ref": c["item"]["ref"]})
    return [{**item, "selected": False, "reason": ""} for item in items]


@bp.app_template_filter("num")
def num(value):
    return check_text.number(value)


@bp.app_template_filter("verdict")
def verdict_badge(verdict):
    """A pass / warn / fail badge (a filter: rendered hundreds of times on a big page)."""
    return Markup('<span class="verdict verdict-{0}">{1}</span>').format(verdict, VERDICT_LABELS[verdict])


@bp.app_template_filter("detail")
def check_detail(check):
    return check_text.detail(check)


@bp.app_template_filter("when")
def when(text):
    """A stored UTC time in Kazakhstan time, '2026-11-03 14:41 UTC+5' (clock.shown)."""
    return clock.shown(text) if text else "—"


@bp.app_template_filter("day")
def day(text):
    """The date of a stored UTC time in Kazakhstan ('2026-11-04' for 2026-11-03T20:00Z)."""
    return clock.shown(text)[:10] if text else "—"


def _item_labels(rows, added=None):
    """What each item is, in words ('Photo: Cable entry', 'Splice MUF-1, tray 1, slot 7'), for
    the return list and for what changed since the last review (a replaced record included)."""
    labels = {"scan:": _("QR tag scan"), "speed_test:": _("Speed test"), "handover:": _("Handover")}
    for row in rows:
        if "shot" in row:
            shot = vocabulary.SHOT.get(row["shot"]) or (added or {}).get(row["shot"], row["shot"])
            labels[f"photo:{row['id']}"] = _("Photo: %(shot)s", shot=shot)
        elif "device_type" in row:
            labels[f"equipment:{row['id']}"] = _("Equipment %(model)s, serial %(serial)s",
                                                 model=row["model"], serial=row["serial"])
        elif "direction" in row:
            labels[f"trace:{row['id']}"] = _(
                "OTDR trace %(cable)s %(tube)s.%(fiber)s %(direction)s, %(wavelength)s nm",
                cable=row["cable"], tube=row["tube"], fiber=row["fiber"],
                direction="A→B" if row["direction"] == "ab" else "B→A", wavelength=row["wavelength_nm"])
        elif "closure_label" in row:
            labels[f"splice:{row['id']}"] = _("Splice %(closure)s, tray %(tray)s, slot %(slot)s",
                                              closure=row["closure_label"], tray=row["tray"],
                                              slot=row["slot"])
    for shot, label in [*vocabulary.SHOT.items(), *(added or {}).items()]:
        labels[f"shot:{shot}"] = _("Missing photo: %(shot)s", shot=label)
    return labels


@bp.post("/<id:installation_id>/return")
@login_required("review")
def return_items(installation_id):
    """Send the chosen items back to the technician, each with its reason."""
    db = _visible(installation_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            decisions.return_items(
                db, installation_id, g.user["id"], form.chosen(), form.comment.data, form.rev.data or None,
                form.added(),
            )
        except decisions.DecisionRefused as refused:
            flash(REFUSALS[refused.code], "error")
        else:
            flash(_("Returned to the technician. They will see the items on their next sync."), "success")
            return redirect(url_for("review.queue"))
    data = packet.dossier(db, installation_id)
    return _render_installation(db, data, form, DecisionForm(formdata=None, data={"rev": form.rev.data}), 422)


@bp.post("/<id:installation_id>/<any(approve, accept):decision>")
@login_required("review")
def sign_off(installation_id, decision):
    """Approve a submitted installation, or finally accept an approved one."""
    db = _visible(installation_id)
    form = DecisionForm()
    if form.validate_on_submit():
        act = decisions.approve if decision == "approve" else decisions.accept
        try:
            act(
                db,
                installation_id,
                g.user["id"],
                form.comment.data,
                form.override_reason.data,
                form.rev.data or None,
            )
        except decisions.DecisionRefused as refused:
            flash(REFUSALS[refused.code], "error")
        else:
            flash(_("Approved.") if decision == "approve" else _("Accepted."), "success")
            return redirect(url_for("review.installation", installation_id=installation_id))
    data = packet.dossier(db, installation_id)
    return_form = ReturnForm(formdata=None, data={"rev": form.rev.data, "items": _returnable(data)})
    return _render_installation(db, data, return_form, form, 422)


@bp.get("/<id:installation_id>/packet")
@login_required("review")
def packet_page(installation_id):
    """The printable A4 acceptance packet of an accepted installation."""
    db = _visible(installation_id)
    if installations.get(db, installation_id)["status"] != "accepted":
        abort(404)
    data = packet.dossier(db, installation_id)
    return render_template("review/packet.html", d=data, inst=data["installation"], rule_labels=RULE_LABELS)


@bp.get("/<id:installation_id>/packet.zip")
@login_required("review")
def packet_zip(installation_id):
    """The packet as a ZIP: original photos, every record as CSV and JSON, the audit entries."""
    db = _visible(installation_id)
    if installations.get(db, installation_id)["status"] != "accepted":
        abort(404)
    blobs = blobstore.from_config(current_app.config)
    body = packet.build_zip(db, blobs, installation_id)
    name = f"packet-{installation_id}.zip"
    return Response(
        body, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


# Labels live with their kinds (msgids marked there); the pages show them translated.
RULE_LABELS = {rule: _l(label) for rule, label in kinds.rule_labels().items()}
VERDICT_LABELS = {"pass": _l("pass"), "warn": _l("warn"), "fail": _l("fail")}
DECISION_LABELS = {"approve": _l("Approved"), "return": _l("Returned"), "accept": _l("Accepted")}
ITEM_KIND_LABELS = {item: _l(label) for item, label in kinds.item_labels().items()}


@bp.app_context_processor
def review_labels():
    """Names for decisions, item kinds and speed-test methods and connections in the review templates."""
    return {
        "DECISION_LABELS": DECISION_LABELS,
        "ITEM_KIND_LABELS": ITEM_KIND_LABELS,
        "evidence_kinds": [kind.TYPE for kind in kinds.KINDS],  # review/kinds/_<type>.html each
        "METHOD_LABELS": vocabulary.METHOD,
        "CONNECTION_LABELS": vocabulary.CONNECTION,
    }
