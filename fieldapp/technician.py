"""The technician's pages: My sites (server-rendered) and the offline phone app's shell.

The shell, its service worker, manifest and messages hold no user data, so the service
worker can cache them; the sites and the outbox live in the phone's IndexedDB.
"""

import hashlib
import json
import os
from urllib.parse import urlsplit

from flask import Blueprint
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import force_locale

from fieldapp import access
from fieldapp import bundle
from fieldapp import checklist
from fieldapp import compression
from fieldapp import installations
from fieldapp import precache
from fieldapp import profiles
from fieldapp import pull
from fieldapp import security
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.js_messages import ACT
from fieldapp.js_messages import ACT_LANGUAGES
from fieldapp.js_messages import MESSAGES

bp = Blueprint("technician", __name__)
STATUS_ORDER = "CASE inst.status WHEN 'returned' THEN 0 WHEN 'in_progress' THEN 1 " \
    "WHEN 'planned' THEN 2 WHEN 'submitted' THEN 3 ELSE 4 END"
# The precache follows the shell's module graph (fieldapp/precache.py) from the files the
# shell template names; besides it only the QR decoder's worker, which qr-scanner starts
# by itself. The manifest's large icon is not precached: the browser fetches it to install
# the app, online, and no page shows it.
SHELL_TEMPLATE = "technician/shell.html"
WORKER_ASSETS = ("/vendor/qr-scanner/qr-scanner-worker.min.js",)
PAGES = ("/tech/app", "/tech/messages.json")
# The speed test's checklist states (fieldapp/checklist.py), named as the phone names them.
SPEED_STATES = ("speed_done", "speed_missing", "speed_slow", "speed_needs_cable", "speed_more_runs")


def assigned(db, user):
    """The installations a technician works on, returned ones first, then by village."""
    where, params = access.installation_scope(user)
    sql = f"{installations.SELECT} WHERE {where} ORDER BY {STATUS_ORDER}, s.name_ru, i.name_ru"
    return list(db.query(sql, params))


@bp.get("/tech/sites")
@login_required("collect")
def sites():
    """My sites: institution, village, status and what is still missing (works without JS)."""
    db = get_db()
    rows = assigned(db, g.user)
    rules = {pid: profiles.get(db, pid)["rules"] for pid in {row["profile_id"] for row in rows}}
    views = pull.views(db, rows)  # what the phone holds, judged by the phone's rules
    checklists = {row["id"]: checklist.summary(views[row["id"]], rules[row["profile_id"]]) for row in rows}
    speed_states = {key[len("speed_"):]: MESSAGES[key] for key in SPEED_STATES}
    return render_template("technician/sites.html", sites=rows, checklists=checklists,
                           SPEED_STATES=speed_states)


@bp.get("/tech/app")
@bp.get("/t/<code>")
@bp.get("/T/<code>")
@security.cacheable
def shell(code=None):
    """The offline app's shell: no user data, so one cached copy serves every visit.

    A tag URL (/T/<code>) opens the same shell, which matches the tag against the sites
    stored on the phone, so scanning a label with the phone's own camera works offline.
    """
    response = current_app.make_response(render_template("technician/shell.html"))
    response.cache_control.no_cache = True  # precached by the worker; revalidated when online
    return response


@bp.get("/tech/messages.json")
@security.cacheable
def messages():
    """The phone app's strings in the current language (cached by the service worker).

    With an ETag, so the shell's network-first fetch right after the worker's precache
    costs a 304 instead of the strings again. The handover act comes in Kazakh and Russian
    both ("act_title@kk"), since the representative chooses its language on the phone.
    """
    strings = {key: str(text) for key, text in MESSAGES.items()}
    for language in ACT_LANGUAGES:
        with force_locale(language):
            strings.update({f"{key}@{language}": str(text) for key, text in ACT.items()})
    response = jsonify(strings)
    response.cache_control.no_cache = True  # the same for everyone in a language; network-first
    response.cache_control.private = True  # in the user's language: a shared cache must not mix them
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/manifest.webmanifest")
@security.cacheable
def manifest():
    """The web app manifest, with the media type browsers expect."""
    return compression.send_static(current_app.static_folder, "manifest.webmanifest",
                                   mimetype="application/manifest+json")


@bp.get("/sw.js")
@security.cacheable
def service_worker():
    """The service worker at the root (scope /), never cached by HTTP so updates arrive.

    Its first lines name the shell's version (a hash of every precached file) and the
    files to precache, so any change to the shell installs a new worker.
    """
    assets = shell_assets()
    head = f"const VERSION = {json.dumps(shell_version(assets))};\n" \
        f"const ASSETS = {json.dumps(assets)};\n"
    with open(os.path.join(current_app.static_folder, "sw.js"), encoding="utf-8") as f:
        body = head + f.read()
    return current_app.response_class(body, mimetype="text/javascript", headers={
        "Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


def shell_assets():
    """URLs the service worker precaches: the pages, then everything the shell reaches."""
    app = current_app
    template = os.path.join(app.root_path, app.template_folder, SHELL_TEMPLATE)
    entries = [*precache.template_urls(template, module_path), *WORKER_ASSETS]
    return [*PAGES, *precache.walk(entries, asset_path)]


def module_path(filename):
    """The path the shell loads static/`filename` from: its bundle when one is fresh."""
    return urlsplit(bundle.module_url(filename)).path


def asset_path(url):
    """The file behind a /static/, /dist/ or /vendor/ URL, or None."""
    roots = {"/static/": current_app.static_folder, "/dist/": current_app.config["BUNDLE_DIR"],
             "/vendor/": os.path.join(current_app.root_path, "..", "node_modules")}
    for prefix, root in roots.items():
        if url.startswith(prefix):
            return os.path.join(root, *url[len(prefix):].split("/"))
    return None


def shell_version(assets):
    """A short hash of the shell's files, the worker and the shell template."""
    digest = hashlib.sha256()
    paths = [os.path.join(current_app.static_folder, "sw.js"),
             os.path.join(current_app.root_path, current_app.template_folder, SHELL_TEMPLATE),
             os.path.join(current_app.root_path, "js_messages.py")]
    paths.extend(path for path in map(asset_path, assets) if path)
    for path in paths:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]
