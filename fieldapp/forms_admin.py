"""The admin pages' forms. They validate and never save; choices are filled by the views."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import FloatField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import RadioField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from fieldapp import ids
from fieldapp import installations
from fieldapp import institutions
from fieldapp import labels
from fieldapp import profiles
from fieldapp import site_import
from fieldapp import vocabulary
from fieldapp.form_choices import options

SELECTION_KEYS = ("q", "region_id", "district_id", "type", "status", "active")


def place_name(row, language, prefix="name_"):
    """An oblast or district name in the page's language (English falls back to Russian)."""
    if language == "kk":
        return row[f"{prefix}kk"]
    if language == "en" and row.get(f"{prefix}en"):
        return row[f"{prefix}en"]
    return row[f"{prefix}ru"]


def region_choices(db, language, key="id"):
    """Oblasts for a select list, by name in the page's language."""
    rows = db.query("SELECT * FROM regions")
    return sorted(((str(r[key]), place_name(r, language)) for r in rows), key=lambda c: c[1])


def district_options(db, language, region_id=None):
    """District options grouped by oblast; only the chosen oblast's when one is chosen.

    Without JavaScript the narrowing happens when the form is sent with an oblast; with it,
    static/js/districts.js hides the other oblasts' options at once (data-region).
    """
    rows = [r for r in institutions.districts(db) if region_id in (None, r["region_id"])]
    rows.sort(key=lambda r: (place_name(r, language, "region_"), place_name(r, language)))
    return [SelectChoice(str(r["id"]), place_name(r, language), render_kw={"data-region": r["region_id"]},
                         optgroup=None if region_id else place_name(r, language, "region_"))
            for r in rows]


def technician_choices(db):
    return [(row["id"], f"{row['name']} ({row['username']})") for row in institutions.technicians(db)]


def fill_place_choices(db, form, language):
    """Choices of a selection form, each list led by an "all" entry."""
    form.region_id.choices = options([("", _("All oblasts"))] + region_choices(db, language))
    region = ids.optional_id(form.region_id.data)
    form.district_id.choices = [SelectChoice("", _("All districts")), *district_options(db, language, region)]
    form.type.choices = options([("", _("All types"))] + list(vocabulary.INSTITUTION_TYPE.items()))
    form.status.choices = options([("", _("Any status"))] + list(vocabulary.STATUS.items()))


class SelectionForm(FlaskForm):
    """Which institutions: the filter every list, label sheet, export and bulk assignment shares."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=100)])
    region_id = SelectField(_l("Oblast"), validate_choice=False)
    district_id = SelectField(_l("District"), validate_choice=False)
    type = SelectField(_l("Type"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False)
    active = SelectField(
        _l("Shown"),
        choices=options([("1", _l("Active")), ("0", _l("Deactivated")), ("all", _l("All"))]),
        default="1",
    )

    def selection(self):
        """The filter as plain data for the domain functions (unknown values dropped)."""
        return {
            "q": (self.q.data or "")[:100],
            "region_id": ids.optional_id(self.region_id.data),
            "district_id": ids.optional_id(self.district_id.data),
            "type": self.type.data if self.type.data in profiles.INSTITUTION_TYPES else None,
            "status": self.status.data if self.status.data in installations.STATUSES else None,
            "active": self.active.data if self.active.data in ("0", "1", "all") else "1",
        }

    def query(self):
        """The chosen set as query arguments, for a redirect back to a page showing it."""
        return {field.name: field.data for field in self if field.data}


LAYOUT_TITLES = {
    "L7160": _l("Avery L7160: 21 per sheet, 63.5 × 38.1 mm"),
    "L7163": _l("Avery L7163: 14 per sheet, 99.1 × 38.1 mm"),
    "L7165": _l("Avery L7165: 8 per sheet, 99.1 × 67.7 mm"),
}


class LabelsForm(SelectionForm):
    layout = SelectField(
        _l("Label sheet"),
        choices=options((key, LAYOUT_TITLES.get(key, sheet.title)) for key, sheet in labels.LAYOUTS.items()),
        default=labels.DEFAULT_LAYOUT,
    )
    language = SelectField(
        _l("Names on labels"), choices=options([("ru", "Русский"), ("kk", "Қазақша")]), default="ru"
    )


class PlainText:
    """Free text the importer would accept: no formula a spreadsheet would run, no control
    characters. The edit form writes without the importer, so it asks the same question."""

    def __call__(self, form, field):
        found = site_import.text_problem(field.data or "")
        if found:
            message, params = found
            raise ValidationError(_(message) % {"col": field.label.text, **params})


class InstitutionForm(FlaskForm):
    type = SelectField(_l("Type"), choices=options(vocabulary.INSTITUTION_TYPE.items()))
    name_ru = StringField(_l("Name (Russian)"), validators=[DataRequired(), Length(max=300), PlainText()])
    name_kk = StringField(_l("Name (Kazakh)"), validators=[Optional(), Length(max=300), PlainText()])
    bin = StringField(
        _l("BIN (12 digits)"),
        validators=[Optional(), Regexp(r"^\d{12}$", message=_l("BIN must be 12 digits."))],
    )
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300), PlainText()])
    lat = FloatField(_l("Latitude"), validators=[DataRequired(), NumberRange(*site_import.LAT_RANGE)])
    lon = FloatField(_l("Longitude"), validators=[DataRequired(), NumberRange(*site_import.LON_RANGE)])
    pupils = IntegerField(
        _l("Pupils (schools)"), validators=[Optional(), NumberRange(0, site_import.MAX_PUPILS)]
    )
    contracted_down_mbps = FloatField(
        _l("Contracted download, Mbit/s"), validators=[Optional(), NumberRange(min=0.1)]
    )
    contracted_up_mbps = FloatField(
        _l("Contracted upload, Mbit/s"), validators=[Optional(), NumberRange(min=0.1)]
    )

    def changes(self):
        """The edited values, empty text as NULL."""
        data = {name: self[name].data for name in institutions.EDITABLE}
        data["bin"] = data["bin"] or None
        data["name_kk"] = data["name_kk"] or data["name_ru"]
        return data


class NewInstitutionForm(InstitutionForm):
    region = SelectField(_l("Oblast"), validators=[DataRequired()])
    district = StringField(_l("District (Russian)"), validators=[DataRequired(), Length(max=200)])
    district_kk = StringField(_l("District (Kazakh)"), validators=[Optional(), Length(max=200)])
    kato = StringField(
        _l("Settlement KATO code (9 digits)"),
        validators=[DataRequired(), Regexp(r"^\d{9}$", message=_l("KATO must be 9 digits."))],
    )
    settlement = StringField(_l("Settlement (Russian)"), validators=[DataRequired(), Length(max=200)])
    settlement_kk = StringField(_l("Settlement (Kazakh)"), validators=[Optional(), Length(max=200)])
    contract = StringField(_l("Contract (creates an installation)"), validators=[Optional(), Length(max=100)])

    # importer column -> form field, for putting the importer's problems next to the right field
    COLUMN_FIELDS = {"down_mbps": "contracted_down_mbps", "up_mbps": "contracted_up_mbps", "name": "name_ru"}

    def import_values(self):
        """The form as one CSV row in the importer's columns."""
        values = {
            name: self[name].data
            for name in (
                "region",
                "district",
                "district_kk",
                "kato",
                "settlement",
                "settlement_kk",
                "type",
                "name_ru",
                "name_kk",
                "bin",
                "address",
                "lat",
                "lon",
                "pupils",
                "contract",
            )
        }
        values["down_mbps"] = self.contracted_down_mbps.data
        values["up_mbps"] = self.contracted_up_mbps.data
        return values

    def add_problems(self, problems):
        """Show the importer's problems (duplicates, unknown oblast...) beside their fields."""
        for problem in problems:
            name = self.COLUMN_FIELDS.get(problem["column"], problem["column"])
            field = self[name] if name in self else self.name_ru
            field.errors = [*field.errors, site_import.Problem(problem).text(_)]


class ImportForm(FlaskForm):
    csv_file = FileField(
        _l("CSV file (comma or semicolon separated)"),
        validators=[FileRequired(), FileAllowed(["csv", "txt"], _l("A .csv file, please."))],
    )
    contract = StringField(
        _l("Contract (creates an installation per site)"), validators=[Optional(), Length(max=100)]
    )


class ConfirmImportForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    contract = HiddenField(validators=[Optional(), Length(max=100)])


class AssignForm(FlaskForm):
    technicians = SelectMultipleField(
        _l("Technicians"),
        coerce=ids.int64,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class BulkAssignForm(AssignForm):
    region_id = HiddenField()
    district_id = HiddenField()
    type = HiddenField()
    status = HiddenField()
    mode = RadioField(
        _l("How"),
        choices=options(
            [("add", _l("Add to the current crew")), ("replace", _l("Replace the current crew"))]
        ),
        default="add",
    )


class ActionForm(FlaskForm):
    """A button that changes something: just the CSRF token."""
