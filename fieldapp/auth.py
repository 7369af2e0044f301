"""Signing in and out, the current user, and the decorator that guards every view."""

import functools

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import g
from flask import jsonify
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from fieldapp import access
from fieldapp import accounts
from fieldapp import clock
from fieldapp import login_limits
from fieldapp.db import get_db

bp = Blueprint("auth", __name__)
HOME_BY_ROLE = {
    "technician": "technician.sites",
    "supervisor": "review.queue",
    "admin": "admin.home",
}


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def init_app(app):
    """Load the user before each request; add the home route and the create-user command."""
    app.before_request(load_user)
    app.add_url_rule("/", endpoint="index", view_func=index)
    app.cli.add_command(create_user_command)


def load_user():
    """Put the signed-in, still-active user (or None) on g."""
    user_id = session.get("user_id")
    g.user = accounts.get_user(get_db(), user_id) if user_id else None
    if user_id and g.user is None:
        session.clear()


def login_required(permission=None):
    """Guard a view: signed in, and holding `permission` when given (JSON 401/403 for the API)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                if request.path.startswith("/api/"):
                    return jsonify(error="not_signed_in", message=_("Please sign in again.")), 401
                return redirect(url_for("auth.login", next=request.full_path))
            if permission and not access.can(g.user, permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def index():
    """Send each role to its home page."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    return redirect(url_for(HOME_BY_ROLE[g.user["role"]]))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; repeated failures on one account, or from one address, make it wait longer each time."""
    form = LoginForm()
    if form.validate_on_submit():
        cfg = current_app.config
        network, now = login_limits.client_key(request.remote_addr), clock.parse(clock.now())
        wait, undo = login_limits.begin_attempt(
            get_db(),
            network,
            now,
            cfg["LOGIN_ADDRESS_FREE_ATTEMPTS"],
            cfg["LOGIN_ADDRESS_WINDOW_SECONDS"],
            cfg["LOGIN_BACKOFF_SECONDS"],
            cfg["LOGIN_BACKOFF_MAX_SECONDS"],
        )
        if wait:
            message = _("Too many failed sign-ins from this network. Try again in %(s)d seconds.", s=wait)
            flash(message, "error")
            return render_template("auth/login.html", form=form), 429, {"Retry-After": str(wait)}
        try:
            user = accounts.authenticate(
                get_db(),
                form.username.data.strip(),
                form.password.data,
                cfg["LOGIN_FREE_ATTEMPTS"],
                cfg["LOGIN_BACKOFF_SECONDS"],
                cfg["LOGIN_BACKOFF_MAX_SECONDS"],
            )
        except accounts.LoginRefused as refused:
            if refused.retry_after:
                flash(
                    _("Too many failed attempts. Try again in %(s)d seconds.", s=refused.retry_after), "error"
                )
            else:
                flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        login_limits.forgive(get_db(), network, undo)
        session.clear()
        session["user_id"] = user["id"]
        session["language"] = user["language"]
        session.permanent = True
        target = request.args.get("next", "")
        if target.startswith("/") and not target.startswith("//"):
            return redirect(target)
        # Straight to the role's home: via "/" would cost a phone one more round trip.
        return redirect(url_for(HOME_BY_ROLE[user["role"]]))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out)."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    return redirect(url_for("auth.login"))


@click.command("create-user")
@with_appcontext
@click.argument("username")
@click.option("--name", default="", help="Full name shown in the app.")
@click.option("--role", type=click.Choice(accounts.ROLES), default="technician")
@click.option("--region", "regions", multiple=True, help="ISO code of an oblast (supervisors).")
@click.option("--language", type=click.Choice(accounts.LANGUAGES), default="ru")
@click.password_option()
def create_user_command(username, name, role, regions, language, password):
    """Create an account (asks for the password twice)."""
    db = get_db()
    region_ids = []
    for code in regions:
        row = db.execute("SELECT id FROM regions WHERE iso_code = ?", [code]).fetchone()
        if row is None:
            raise click.BadParameter(f"unknown region {code}", param_hint="--region")
        region_ids.append(row[0])
    if db.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchone():
        raise click.ClickException(f"user {username!r} already exists")
    accounts.create_user(db, username, name or username, password, role, region_ids, language)
    click.echo(f"Created {role} {username}.")
