"""The technician's pages: My sites (server-rendered) and the offline phone app's shell.

The shell, its service worker, manifest and messages hold no user data, so the service
worker can cache them; the sites and the outbox live in the phone's IndexedDB.
"""

import hashlib
import json
import os

from flask import Blueprint
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import send_from_directory

from fieldapp import access
from fieldapp import checklist
from fieldapp import installations
from fieldapp import profiles
from fieldapp import security
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.js_messages import MESSAGES

bp = Blueprint("technician", __name__)
STATUS_ORDER = "CASE inst.status WHEN 'returned' THEN 0 WHEN 'in_progress' THEN 1 " \
    "WHEN 'planned' THEN 2 WHEN 'submitted' THEN 3 ELSE 4 END"
# Static files the shell needs offline (besides every module under static/js); the QR
# decoder is precached too, so scanning works offline, but a page loads it only to scan.
STATIC_ASSETS = ("css/app.css", "css/tech.css", "css/speed.css", "manifest.webmanifest",
                 "icons/icon-192.png", "icons/icon-512.png")
VENDOR_ASSETS = ("qr-scanner/qr-scanner.min.js", "qr-scanner/qr-scanner-worker.min.js")
PAGES = ("/tech/app", "/tech/messages.json")


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
    return render_template(
        "technician/sites.html", sites=rows, checklists=checklist.summaries(db, rows, rules)
    )


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
    """The phone app's strings in the current language (cached by the service worker)."""
    response = jsonify({key: str(text) for key, text in MESSAGES.items()})
    response.cache_control.no_cache = True  # the same for everyone in a language; network-first
    response.cache_control.private = True  # in the user's language: a shared cache must not mix them
    return response


@bp.get("/manifest.webmanifest")
@security.cacheable
def manifest():
    """The web app manifest, with the media type browsers expect."""
    response = send_from_directory(current_app.static_folder, "manifest.webmanifest")
    response.mimetype = "application/manifest+json"
    return response


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
    """URLs the service worker precaches: pages, every JS module, CSS, icons, QR decoder."""
    static = current_app.static_folder
    js_root = os.path.join(static, "js")
    modules = []
    for folder, _dirs, files in os.walk(js_root):
        for name in files:
            if name.endswith(".js"):
                modules.append(os.path.relpath(os.path.join(folder, name), static))
    present = [p for p in STATIC_ASSETS if os.path.exists(os.path.join(static, p))]
    urls = [f"/static/{p.replace(os.sep, '/')}" for p in sorted(modules) + present]
    return [*PAGES, *urls, *(f"/vendor/{p}" for p in VENDOR_ASSETS)]


def shell_version(assets):
    """A short hash of the shell's files, the worker and the shell template."""
    digest = hashlib.sha256()
    roots = {"/static/": current_app.static_folder,
             "/vendor/": os.path.join(current_app.root_path, "..", "node_modules")}
    paths = [os.path.join(current_app.static_folder, "sw.js"),
             os.path.join(current_app.root_path, "..", "templates", "technician", "shell.html"),
             os.path.join(current_app.root_path, "js_messages.py")]
    for url in assets:
        for prefix, root in roots.items():
            if url.startswith(prefix):
                paths.append(os.path.join(root, url[len(prefix):]))
    for path in paths:
        with open(path, "rb") as f:
            digest.update(f.read())
    return digest.hexdigest()[:12]
