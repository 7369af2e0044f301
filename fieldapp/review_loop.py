"""The review loop's pages: a reviewer's answer on one item, and returns counted by reason.

Thin views over fieldapp.conversation and fieldapp.return_report (docs/review.md, "The review
loop"); the installation page itself stays in fieldapp.review.
"""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import lazy_gettext as _l

from fieldapp import access
from fieldapp import conversation
from fieldapp import return_report
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.review_forms import ItemMessageForm
from fieldapp.review_forms import ReasonReportForm

bp = Blueprint("review_loop", __name__, url_prefix="/review")

REFUSALS = {
    "unknown_action": _l("That cannot be done to this item."),
    "message_required": _l("Write a message of at most 2000 characters."),
    "no_claim": _l("The technician has not marked this photo not applicable."),
    "nothing_open": _l("This item is not open."),
    "accepted": _l("This installation is accepted: its packet no longer changes."),
}
DONE = {
    "message": _l("Sent. The technician sees it on their next sync."),
    "close": _l("The item is closed."),
    "approve_na": _l("Approved: the photo is not needed at this site."),
}
ITEM_STATE_LABELS = {
    "open": _l("open"),
    "answered": _l("answered"),
    "redone": _l("redone"),
    "closed": _l("closed by the reviewer"),
    "not_applicable": _l("not applicable (approved)"),
    "talk": _l("conversation"),
}
NA_STATE_LABELS = {
    "pending": _l("N/A waiting for review"),
    "approved": _l("N/A approved"),
    "returned": _l("N/A returned"),
}


@bp.post("/<id:installation_id>/item")
@login_required("review")
def item_message(installation_id):
    """Answer the technician on one item, close it, or approve its 'not applicable'."""
    db = get_db()
    if not access.can_see_installation(db, g.user, installation_id):
        abort(404)
    form = ItemMessageForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        conversation.post(db, installation_id, g.user["id"], form.item_kind.data, form.item_ref.data or "",
                          form.action.data, form.text.data)
    except conversation.Refused as refused:
        flash(REFUSALS[refused.code], "error")
    else:
        flash(DONE[form.action.data], "success")
    return redirect(url_for("review.installation", installation_id=installation_id) + "#items")


@bp.get("/reasons")
@login_required("review")
def reasons():
    """Returns counted by standard reason, crew, shot and month, in the user's regions."""
    form = ReasonReportForm(formdata=request.args)
    valid = form.validate()
    since = form.since.data.isoformat() if valid and form.since.data else None
    until = form.until.data.isoformat() if valid and form.until.data else None
    report = return_report.counts(get_db(), g.user, since, until)
    return render_template("review/reasons.html", form=form, report=report)


@bp.app_context_processor
def loop_labels():
    """Names of item states and N/A states in the review templates."""
    return {"ITEM_STATE_LABELS": ITEM_STATE_LABELS, "NA_STATE_LABELS": NA_STATE_LABELS}
