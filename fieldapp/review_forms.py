"""The review pages' forms: they validate, and never decide or save anything."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DateField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from fieldapp import ids
from fieldapp import review_queue
from fieldapp import vocabulary
from fieldapp.form_choices import options as choices

ID = ids.ID_RANGE  # a wider id would overflow SQLite: an invalid filter, not a 500


class FilterForm(FlaskForm):
    """The queue's filters: a GET form, so a filtered queue is a link one can share."""

    class Meta:
        csrf = False

    region = SelectField(
        _l("Oblast"), coerce=ids.int64, validators=[Optional(), ID], validate_choice=False
    )
    district = SelectField(
        _l("District"), coerce=ids.int64, validators=[Optional(), ID], validate_choice=False
    )
    settlement = StringField(_l("Village or KATO"), validators=[Optional(), Length(max=80)])
    technician = SelectField(
        _l("Technician"), coerce=ids.int64, validators=[Optional(), ID], validate_choice=False
    )
    status = SelectField(_l("Status"), validators=[Optional()])
    checks = SelectField(_l("Checks"), validators=[Optional()])
    min_age_days = IntegerField(_l("Waiting at least (days)"), validators=[Optional(), NumberRange(0, 3650)])

    def fill_choices(self, options, language):
        """Choices from what the user may see; 0 / '' mean 'any'."""
        any_label = _l("Any")
        name = "name_kk" if language == "kk" else "name_ru"

        def place(row):  # the English interface reads places in Latin (translit.py)
            return (row.get("name_en") if language == "en" else None) or row[name]

        def leading_any(rows, label="name"):
            return choices([(0, any_label)] + [(row["id"], row[label]) for row in rows])

        self.region.choices = choices([(0, any_label)] + [(r["id"], place(r)) for r in options["regions"]])
        # The districts follow the chosen oblast (static/js/districts.js; the server once sent).
        region = self.region.data if isinstance(self.region.data, int) else None
        self.district.choices = [SelectChoice(0, any_label)] + [
            SelectChoice(row["id"], place(row), render_kw={"data-region": row["region_id"]})
            for row in options["districts"] if region in (None, 0, row["region_id"])]
        self.technician.choices = leading_any(options["technicians"])
        self.status.choices = choices(
            [("", _l("Any"))] + [(s, vocabulary.STATUS[s]) for s in review_queue.QUEUE_STATUSES]
        )
        # The stored checks summary (check_summaries.py): "all pass" picks the clean ones.
        self.checks.choices = choices([("", _l("Any")), ("pass", _l("All pass")),
                                       ("warn", _l("Warnings")), ("fail", _l("Failing"))])

    def filters(self):
        """The filters that are set, as review_queue expects them."""
        if not self.validate():
            return {"status": "submitted"}
        return {key: value for key, value in self.data.items() if value}


class BulkApproveForm(FlaskForm):
    ids = SelectMultipleField(coerce=ids.int64, validate_choice=False)


class DecisionForm(FlaskForm):
    """Approve or accept: an override reason is needed when a check warns or fails."""

    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])
    override_reason = TextAreaField(
        _l("Override reason (required when a check warns or fails)"),
        validators=[Optional(), Length(max=2000)],
    )
    rev = HiddenField()


class ReturnItemForm(Form):
    """One item that may be sent back: chosen or not, and why."""

    selected = BooleanField(_l("Return"))
    kind = HiddenField()
    ref = HiddenField()
    code = StringField(validators=[Optional(), Length(max=40)])  # a standard reason, one tap
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=500)])
    markup = HiddenField(validators=[Optional(), Length(max=8000)])  # drawn by static/js/markup.js

    def chosen(self):
        """Ticked, or a standard reason tapped (which says by itself that the item goes back)."""
        return bool(self.selected.data or (self.code.data or "").strip())


class ReturnForm(FlaskForm):
    """Return specific items, each with its own reason."""

    items = FieldList(FormField(ReturnItemForm))
    add_shot = StringField(
        _l("Add a required photo to this installation"), validators=[Optional(), Length(max=200)],
        description=_l(
            "For example: photo of the second closure. It reaches the technician as a returned item."),
    )
    comment = TextAreaField(_l("Comment to the technician"), validators=[Optional(), Length(max=2000)])
    rev = HiddenField()

    def validate(self, extra_validators=None):
        """At least one item chosen (or a photo added), and a reason for every chosen item."""
        if not super().validate(extra_validators):
            return False
        chosen = [entry for entry in self.items if entry.form.chosen()]
        if not chosen and not (self.add_shot.data or "").strip():
            self.comment.errors.append(_l("Choose at least one item to return."))
            return False
        ok = True
        for entry in chosen:
            if not (entry.form.reason.data or "").strip() and not (entry.form.code.data or "").strip():
                entry.form.reason.errors.append(_l("Say why this item is returned."))
                ok = False
        return ok

    def first_error(self):
        """The name of the first field with an error, so the page can put the cursor there
        (a reloaded page starts at the top, far above a reason missing at the bottom)."""
        fields = [entry.form.reason for entry in self.items] + [self.comment]
        return next((f.name for f in fields if f.errors), None)

    def chosen(self):
        """The chosen items as {kind, ref, reason, code, markup} dicts for decisions.return_items."""
        return [
            {"kind": e.form.kind.data, "ref": e.form.ref.data, "reason": e.form.reason.data,
             "code": e.form.code.data, "markup": e.form.markup.data}
            for e in self.items
            if e.form.chosen()
        ]

    def added(self):
        """Labels of the photos to add to the installation's required shots."""
        return [self.add_shot.data] if (self.add_shot.data or "").strip() else []


class ItemMessageForm(FlaskForm):
    """The reviewer's answer on one item: a message, closing it, or approving its N/A."""

    item_kind = HiddenField()
    item_ref = HiddenField(validators=[Optional(), Length(max=100)])
    text = TextAreaField(_l("Answer the technician"), validators=[Optional(), Length(max=2000)])
    action = SelectField(choices=choices([(action, action) for action in ("message", "close", "approve_na")]))


class ReasonReportForm(FlaskForm):
    """The returns-by-reason report's period: a GET form, so a report is a link."""

    class Meta:
        csrf = False

    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until (exclusive)"), validators=[Optional()])
