"""Languages: Kazakh, Russian and English, chosen by profile, then switcher, then browser."""

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_babel import Babel
from flask_babel import get_locale

from fieldapp import redirects
from fieldapp import store
from fieldapp.db import get_db

bp = Blueprint("i18n", __name__)
babel = Babel()


def init_app(app):
    """Attach Flask-Babel with our locale selector and expose the language to templates."""
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["current_language"] = lambda: str(get_locale())


def select_locale():
    """The signed-in user's language, else the one picked before login, else Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    user = g.get("user")
    if user and user["language"] in languages:
        return user["language"]
    if session.get("language") in languages:
        return session["language"]
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def localized(row, field):
    """A place or institution name in the current language (Kazakh or Russian; English uses Russian)."""
    language = str(get_locale())
    return row.get(f"{field}_kk") if language == "kk" else row.get(f"{field}_ru")


@bp.post("/language/<code>")
def switch(code):
    """Switch language (a POST form, so it works without JavaScript); remembered in the profile."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    session["language"] = code
    user = g.get("user")
    if user:
        db = get_db()
        with store.write(db):
            db["users"].update(user["id"], {"language": code})
    return redirect(redirects.local_target(request.form.get("next")) or url_for("index"))
