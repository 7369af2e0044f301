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
from flask_wtf.csrf import generate_csrf
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from fieldapp import access
from fieldapp import accounts
from fieldapp import clock
from fieldapp import device_cookies
from fieldapp import login_limits
from fieldapp import redirects
from fieldapp import user_sessions
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
    """Put the signed-in, still-active user (or None) on g.

    The cookie holds a server-side session's token (user_sessions): one signed out, reset by
    a new password, deactivated, idle or too old opens nothing, and the cookie is cleared.
    """
    g.user = None
    token = session.get("sid")
    if token:
        user_id = user_sessions.check(get_db(), token, clock.parse(clock.now()), session_limits())
        g.user = accounts.get_user(get_db(), user_id) if user_id else None
    if g.user is None and ("sid" in session or "user_id" in session):  # user_id: before sessions
        _clear_session()
        g.session_ended = True


def session_limits():
    """The session idle, absolute and touch limits from config (read per request, not at import)."""
    cfg = current_app.config
    return user_sessions.Limits(
        cfg["SESSION_IDLE_SECONDS"], cfg["SESSION_MAX_SECONDS"], cfg["SESSION_TOUCH_SECONDS"]
    )


def _clear_session():
    """Forget everything but the language picked on this browser."""
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language


def login_required(permission=None):
    """Guard a view: signed in, and holding `permission` when given (JSON 401/403 for the API)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if g.user is None:
                if request.path.startswith("/api/"):
                    return jsonify(error="not_signed_in", message=_("Please sign in again.")), 401
                if g.get("session_ended"):
                    flash(_("Your session has ended. Please sign in again."), "error")
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
    """Sign in; repeated failures on one name, or from one network, make it wait longer each time."""
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        try:
            user = accounts.authenticate(
                get_db(),
                username,
                form.password.data,
                _rule("LOGIN_FREE_ATTEMPTS", "LOGIN_ACCOUNT_WINDOW_SECONDS"),
                network=login_limits.client_key(request.remote_addr),
                network_rule=_rule("LOGIN_ADDRESS_FREE_ATTEMPTS", "LOGIN_ADDRESS_WINDOW_SECONDS"),
                device=device_cookies.key(username),
            )
        except accounts.LoginRefused as refused:
            return _refused(form, refused)
        _clear_session()
        session["sid"] = user_sessions.start(get_db(), user["id"], clock.parse(clock.now()), session_limits())
        session["language"] = user["language"]
        session.permanent = True
        generate_csrf()  # the new session's CSRF secret rides in this one cookie, not the next page's
        # Straight to the role's home: via "/" would cost a phone one more round trip.
        target = redirects.local_target(request.args.get("next")) or url_for(HOME_BY_ROLE[user["role"]])
        return device_cookies.remember(redirect(target), username)
    return render_template("auth/login.html", form=form)


def _rule(free_key, window_key):
    """A login_limits rule from config: accounts and networks share the backoff, not the allowance."""
    cfg = current_app.config
    return login_limits.Rule(
        cfg[free_key], cfg[window_key], cfg["LOGIN_BACKOFF_SECONDS"], cfg["LOGIN_BACKOFF_MAX_SECONDS"]
    )


def _refused(form, refused):
    """The login page again: 401 for wrong credentials, 429 and Retry-After while waiting."""
    if not refused.retry_after:
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    if refused.network:
        message = _(
            "Too many failed sign-ins from this network. Try again in %(s)d seconds.", s=refused.retry_after
        )
    else:
        message = _("Too many failed attempts. Try again in %(s)d seconds.", s=refused.retry_after)
    flash(message, "error")
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(refused.retry_after)}


@bp.post("/logout")
def logout():
    """Sign out (POST with CSRF, so a link elsewhere cannot sign anyone out): the session ends
    on the server too, so a copy of the cookie opens nothing."""
    token = session.get("sid")
    if token:
        user_sessions.end(get_db(), token)
    _clear_session()
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
