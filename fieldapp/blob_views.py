"""The blob store seen from the web and the command line.

An unreachable object store must cost a technician nothing: an upload's completion answers
503 storage_unavailable with Retry-After (the phone retries 5xx on its own; its part file
stays on the server and nothing is marked stored), and pages answer 503 instead of a 500.
`flask blobs check|sweep|migrate` keep the store and the rows in agreement.
"""

import time

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask import send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from fieldapp import access
from fieldapp import blob_check
from fieldapp import blobstore
from fieldapp import uploads
from fieldapp.db import get_db
from fieldapp.evidence import fields

bp = Blueprint("blobs", __name__, cli_group="blobs")
RETRY_AFTER_SECONDS = 30
MESSAGE = _l("The photo store is unreachable for a moment. Your photo is safe on the phone "
             "and will be sent again by itself.")


@bp.app_errorhandler(blobstore.StorageUnavailable)
def storage_unavailable(error):
    """503 with Retry-After: JSON for the API (retried like any 5xx), a short page otherwise."""
    current_app.logger.warning("blob store unavailable on %s %s: %s", request.method, request.path, error)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if request.path.startswith("/api/"):
        return jsonify(error="storage_unavailable", message=str(MESSAGE)), 503, headers
    page = _l("Photo storage is unreachable right now. Nothing is lost; try again in a minute.")
    return str(page), 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}


PLACEHOLDER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240">'
    '<rect width="320" height="240" fill="#e5e5e5"/><text x="160" y="120" font-family="sans-serif" '
    'font-size="15" text-anchor="middle" fill="#444">{text}</text></svg>'
)


def placeholder(status):
    """An image that says the photo is missing (404) or its store unreachable (503), for <img>."""
    if status == 503:
        text = _("Photo store unreachable: try again later")
    else:
        text = _("Photo missing from the store")
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    body = PLACEHOLDER.format(text=escape(text))
    return current_app.response_class(body, status, headers, mimetype="image/svg+xml")


def visible_file(kind, file_id):
    """The stored file of `kind` with this id, if the signed-in user may see its installation.

    404 for a malformed id, an unknown or unfinished upload, a row without bytes (an unsigned
    handover) and an installation out of reach alike: never 403, which would confirm it exists.
    """
    db = get_db()
    try:
        row = uploads.get(db, kind, fields.uuid_text(file_id))
    except fields.Rejected:
        abort(404)
    if row is None or row["status"] != "complete" or not row["blob_key"]:
        abort(404)
    if not access.can_see_installation(db, g.user, row["installation_id"]):
        abort(404)
    return row


def send_private(key, max_age, mimetype=None, **options):
    """A blob's bytes for one signed-in user's browser cache (never a shared cache); a missing
    blob or an unreachable store answers with the placeholder image instead of a 500.

    `mimetype` may be a function of the blob's first bytes, for blobs whose type the row does
    not say (a photo's display version is a JPEG or its WebP upload).
    """
    try:
        handle = blobstore.from_config(current_app.config).open(key)
        if callable(mimetype):
            mimetype = _sniffed(handle, mimetype)
    except FileNotFoundError:
        return placeholder(404)
    except blobstore.StorageUnavailable:
        return placeholder(503)
    response = send_file(handle, max_age=max_age, conditional=True, mimetype=mimetype, **options)
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def _sniffed(handle, mime_of):
    """The type `mime_of` reads from the blob's first bytes, the handle left at its start (every
    small blob opens seekable: a file, the cache's file or S3's in-memory copy)."""
    head = handle.read(16)
    handle.seek(0)
    return mime_of(head)


def _store(kind=None):
    """The store itself, not the app server's cache of it: housekeeping must see what is there."""
    return blobstore.from_config(current_app.config, kind, cached=False)


@bp.cli.command("check")
@click.option("--quick", is_flag=True, help="Compare sizes only; do not read every blob's bytes.")
def check_command(quick):
    """Check that every blob a row refers to exists with its size and sha256; list orphans."""
    blobs = _store()
    result = blob_check.check(get_db(), blobs, hash_blobs=not quick)
    for key, problem in result["problems"]:
        click.echo(f"BAD     {key}: {problem}")
    for entry in result["orphans"]:
        click.echo(f"ORPHAN  {entry.key} ({entry.size} bytes, {_age(entry.modified)})")
    click.echo(f"{result['checked']} blob(s) referenced in {blobs.describe()}: "
               f"{len(result['problems'])} problem(s), {len(result['orphans'])} orphan(s).")
    if result["problems"]:
        raise SystemExit(1)


@bp.cli.command("sweep")
@click.option("--hours", default=24, show_default=True, type=click.IntRange(min=1),
              help="Only orphans and temp files older than this are removed.")
def sweep_command(hours):
    """Remove blobs no row refers to (and cut-off writes) older than a day."""
    removed = blob_check.sweep(get_db(), _store(), grace=hours * 3600)
    for name in removed:
        click.echo(f"removed {name}")
    click.echo(f"Removed {len(removed)} orphan(s) older than {hours} h.")


@bp.cli.command("migrate")
@click.option("--to", "target", type=click.Choice(["s3", "local"]), required=True)
def migrate_command(target):
    """Copy every blob to the other store (resumable, verified by sha256), then say how to switch."""
    source_kind = "local" if target == "s3" else "s3"
    source, dest = _store(source_kind), _store(target)
    click.echo(f"Copying {source.describe()} -> {dest.describe()}")
    result = blob_check.migrate(source, dest)
    click.echo(f"{result['copied']} copied, {result['present']} already there, "
               f"{result['verified']} verified by sha256, {len(result['bad'])} bad.")
    for key in result["bad"]:
        click.echo(f"BAD     {key}: the copy's sha256 differs; run migrate again")
    if result["bad"]:
        raise SystemExit(1)
    click.echo(f'Done. To switch: set BLOB_STORE = "{target}" in instance/config.py (or '
               f"FLASK_BLOB_STORE={target}), restart, run this migrate once more for blobs that arrived "
               f"meanwhile, then `flask blobs check`. Keep the old copy until check passes.")


def _age(modified):
    hours = (time.time() - modified) / 3600
    return f"{hours:.1f} h old"
