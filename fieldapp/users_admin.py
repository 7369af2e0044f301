"""Admin pages for people: list, create, edit role/regions/language, deactivate, reset password."""

import sqlite3

from flask import Blueprint
from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import Length
from wtforms.validators import Regexp
from wtforms.widgets import CheckboxInput
from wtforms.widgets import ListWidget

from fieldapp import accounts
from fieldapp import clock
from fieldapp import forms_admin
from fieldapp import ids
from fieldapp import roster
from fieldapp import user_sessions
from fieldapp import vocabulary
from fieldapp.auth import login_required
from fieldapp.auth import session_limits
from fieldapp.db import get_db
from fieldapp.form_choices import options

bp = Blueprint("users_admin", __name__, url_prefix="/admin/users")
LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]
MIN_PASSWORD = 10


class UserForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120), forms_admin.PlainText()])
    role = SelectField(_l("Role"), choices=options(vocabulary.ROLE.items()))
    language = SelectField(_l("Language"), choices=options(LANGUAGE_CHOICES), default="ru")
    regions = SelectMultipleField(
        _l("Oblasts (supervisors see only these)"),
        coerce=ids.int64,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    active = BooleanField(_l("Active (may sign in)"), default=True)


class NewUserForm(UserForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(min=2, max=40),
            Regexp(
                r"^[a-z0-9._-]+$", message=_l("Lower-case Latin letters, digits, dot, dash or underscore.")
            ),
        ],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)])
    confirm = PasswordField(
        _l("Password again"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )


class PasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=200)]
    )
    confirm = PasswordField(
        _l("New password again"), validators=[EqualTo("password", message=_l("The passwords differ."))]
    )


def _with_regions(form, db):
    regions = forms_admin.region_choices(db, str(get_locale()))
    form.regions.choices = options((int(value), label) for value, label in regions)
    return form


@bp.get("/")
@login_required("admin")
def index():
    """Every account: role, oblasts, assigned installations, active or not."""
    return render_template("admin/users.html", users=roster.users(get_db()))


@bp.route("/new", methods=["GET", "POST"])
@login_required("admin")
def new():
    """Create an account; the person signs in with the password the admin hands over."""
    db = get_db()
    form = _with_regions(NewUserForm(), db)
    if form.validate_on_submit():
        try:
            user_id = accounts.create_user(
                db,
                form.username.data,
                form.name.data,
                form.password.data,
                form.role.data,
                form.regions.data,
                form.language.data,
                g.user["id"],
            )
        except sqlite3.IntegrityError:
            form.username.errors.append(_("This username is taken."))
        else:
            if not form.active.data:
                roster.update(db, user_id, {"active": 0}, form.regions.data, g.user["id"])
            flash(_("Account %(u)s created.", u=form.username.data), "success")
            return redirect(url_for("users_admin.index"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/<id:user_id>", methods=["GET", "POST"])
@login_required("admin")
def edit(user_id):
    """Change role, oblasts, language; deactivate (their sessions end at once)."""
    db = get_db()
    user = roster.get(db, user_id) or abort(404)
    form = _with_regions(
        UserForm(
            data={**user, "regions": user["region_ids"], "active": bool(user["active"])}
            if not _posted()
            else None
        ),
        db,
    )
    if form.validate_on_submit():
        changes = {
            "name": form.name.data,
            "role": form.role.data,
            "language": form.language.data,
            "active": int(form.active.data),
        }
        try:
            roster.update(db, user_id, changes, form.regions.data, g.user["id"])
        except roster.LastAdmin:
            form.role.errors.append(_("This is the last active admin; make someone else admin first."))
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("users_admin.index"))
    return render_template("admin/user_form.html", form=form, user=user, password_form=PasswordForm())


def _posted():
    return request.method == "POST"


@bp.post("/<id:user_id>/password")
@login_required("admin")
def reset_password(user_id):
    """Set a new password for someone who forgot theirs: lifts their login backoff and signs
    them out everywhere (their sessions end on the server)."""
    db = get_db()
    user = roster.get(db, user_id) or abort(404)
    form = PasswordForm()
    if form.validate_on_submit():
        accounts.set_password(db, user_id, form.password.data, actor_id=g.user["id"])
        if user_id == g.user["id"]:  # one's own: signed out everywhere else, not here
            session["sid"] = user_sessions.start(db, user_id, clock.parse(clock.now()), session_limits())
        flash(_("New password set for %(u)s.", u=user["username"]), "success")
        return redirect(url_for("users_admin.index"))
    edit_form = _with_regions(
        UserForm(data={**user, "regions": user["region_ids"], "active": bool(user["active"])}), db
    )
    return render_template("admin/user_form.html", form=edit_form, user=user, password_form=form), 400
