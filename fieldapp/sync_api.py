"""The phone's sync API (docs/api.md): pull, batches of records, resumable photo uploads.

A web module only: it reads the request, calls records/pull/uploads, and turns their codes
into JSON with a translated message a technician can act on.
"""

import click
from flask import Blueprint
from flask import current_app
from flask import g
from flask import jsonify
from flask import request
from flask_babel import get_locale
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import RequestEntityTooLarge

from fieldapp import blobstore
from fieldapp import pull
from fieldapp import records
from fieldapp import store
from fieldapp import strict_json
from fieldapp import uploads
from fieldapp import vocabulary
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.evidence import kinds
from fieldapp.evidence.fields import Rejected

bp = Blueprint("sync_api", __name__, url_prefix="/api/v1", cli_group=None)
MAX_CHUNK = 1024 * 1024
# Codes the domain raises, as sentences a technician can act on (params fill the blanks).
MESSAGES = {
    "not_assigned": _l("This installation is not assigned to you. Ask your supervisor, then sync "
                       "again."),
    "installation_locked": _l("This installation is already approved; nothing more can be added."),
    "bad_record": _l("This entry is damaged. Please enter it again."),
    "bad_type": _l("This app version sent an entry the server does not know. Update the app."),
    "bad_field": _l("The value of “%(field)s” is missing or not valid. Correct it and save again."),
    "out_of_range": _l("“%(field)s” must be between %(low)s and %(high)s. Check the value."),
    "bad_choice": _l("“%(field)s” must be one of: %(options)s."),
    "replaces_unknown": _l("The entry this one corrects is not on the server. Sync the original "
                           "first."),
    # The phone matched the ID offline; only the check characters after it can be wrong.
    "tag_invalid": _l("The tag code was mistyped or the label is damaged: its check characters do "
                      "not fit the ID. Scan the label again or type the whole code carefully."),
    "tag_attempts_exceeded": _l("Too many wrong tag codes: your scans are refused for about "
                                "%(hours)s h. Your supervisor sees the wrong codes."),
    "bad_key": _l("The upload had no valid batch key. Update the app."),
    "bad_batch": _l("The upload was not a list of entries. Update the app."),
    "batch_too_large": _l("Too many entries at once (at most %(max)s). The app will send them in "
                          "parts."),
    "idempotency_key_reused": _l("This batch key was already used for different entries."),
    "bad_json": _l("The request was not valid JSON."),
    "conflict": _l("The server already has a different version of this entry; the server's "
                   "version was kept. Make a correction if it is wrong."),
    "too_large": _l("The file is too large (at most %(max)s bytes)."),
    "chunk_too_large": _l("A part of the upload was too large (at most %(max)s bytes)."),
    "request_entity_too_large": _l("The request was too large for the server."),
    "chunk_sha256_mismatch": _l("Part of the photo arrived damaged; it will be sent again."),
    "offset_mismatch": _l("The upload will continue from byte %(offset)s."),
    "beyond_size": _l("More bytes arrived than the photo has. The upload will start again."),
    "incomplete": _l("The photo has not fully arrived yet; the upload will continue."),
    "sha256_mismatch": _l("The photo arrived damaged; it will be sent again from the start."),
    "csrf_failed": _l("Your session token expired. The app fetches a fresh one and retries."),
    "forbidden": _l("Your account cannot do this: only technicians send field work."),
    "unknown_photo": _l("The server has no such photo; the upload will start again."),
    "server_error": _l("The server had a problem. Your data is kept on the phone and will be "
                       "sent again later."),
}


# Codes only one kind of evidence raises live with that kind (msgids marked there).
KIND_MESSAGES = {code: text for kind in kinds.KINDS for code, text in kind.MESSAGES.items()}


def message_for(code, params):
    """The translated sentence for a code, with its params filled in when they fit."""
    text = str(MESSAGES[code]) if code in MESSAGES else gettext(KIND_MESSAGES.get(code, code))
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return text


def blobs():
    """The app's blob store (a local folder by default; see blobstore.py)."""
    return blobstore.from_config(current_app.config)


def refused(error):
    """A Rejected from the domain as a JSON error response."""
    body = {"error": error.code, "message": message_for(error.code, error.params), **error.params}
    return jsonify(body), error.status


@bp.app_errorhandler(HTTPException)
def api_http_error(error):
    """JSON errors for /api/ paths (413 too large, 400 CSRF, 404...); pages keep HTML."""
    if not request.path.startswith("/api/"):
        return error
    code = "csrf_failed" if isinstance(error, CSRFError) else (error.name or "error").lower()
    code = code.replace(" ", "_")
    message = message_for(code, {}) if code in MESSAGES or code in KIND_MESSAGES else error.description
    return jsonify(error=code, message=str(message)), error.code


@bp.app_errorhandler(Exception)
def api_server_error(error):
    """An unexpected failure under /api/ answers JSON 500 the phone can parse (and retry later).

    Pages keep Flask's own handling: re-raising lets it log the error and show its 500 page.
    """
    if not request.path.startswith("/api/"):
        raise error
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return jsonify(error="server_error", message=str(MESSAGES["server_error"])), 500


@bp.errorhandler(Rejected)
def api_rejected(error):
    return refused(error)


@bp.get("/csrf")
@login_required()
def csrf():
    """A fresh CSRF token for the X-CSRFToken header (tokens expire after an hour)."""
    return {"csrf_token": generate_csrf()}


@bp.get("/pull")
@login_required("collect")
def pull_view():
    """Assigned installations changed since ?cursor=N, with translated labels.

    ?labels=<language> says the phone already holds the labels in that language: an
    incremental pull with nothing new is then a few hundred bytes, not 3 KB of names again.
    ?records=lean: records without what the phone never reads (a quarter of a first pull).
    """
    try:
        cursor = int(request.args.get("cursor") or 0)
    except ValueError:
        cursor = None
    if not store.is_int64(cursor):
        raise Rejected("bad_field", 400, field="cursor")
    answer = pull.pull(get_db(), g.user, cursor, current_app.config["TAG_KEYS"],
                       lean=request.args.get("records") == "lean")
    if request.args.get("labels") == str(get_locale()):
        return answer
    answer["labels"] = {
        "shots": {k: str(v) for k, v in vocabulary.SHOT.items()},
        "types": {k: str(v) for k, v in vocabulary.INSTITUTION_TYPE.items()},
        "statuses": {k: str(v) for k, v in vocabulary.STATUS.items()},
        "reasons": {k: str(v) for k, v in vocabulary.REASON.items()},
    }
    return answer


@bp.post("/batches")
@login_required("collect")
def push_batch():
    """Store a batch of records; the answer is sent only after it has committed."""
    body = _json_body()
    response = records.store_batch(
        get_db(), g.user, body.get("key"), body.get("records"), current_app.config["TAG_KEYS"]
    )
    return {**response, "results": [_localized(result) for result in response["results"]]}


# Files of any kind go through one resumable upload (photos keep their own URLs, below).
@bp.put("/files/<kind>/<file_id>")
@login_required("collect")
def announce_file(kind, file_id):
    """Announce an upload: {id, status, offset}."""
    max_bytes = current_app.config.get(f"{kind.upper()}_MAX_BYTES")
    return uploads.announce(get_db(), blobs(), g.user, kind, file_id, _json_body(), max_bytes)


@bp.get("/files/<kind>/<file_id>/upload")
@login_required("collect")
def upload_offset(kind, file_id):
    """Where to resume: the bytes the server holds."""
    return uploads.upload_state(get_db(), blobs(), g.user, kind, file_id)


@bp.patch("/files/<kind>/<file_id>/upload")
@login_required("collect")
def upload_chunk(kind, file_id):
    """Append one chunk at Upload-Offset if its Chunk-Sha256 matches."""
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        offset = None
    if not store.is_int64(offset):
        raise Rejected("bad_field", 400, field="Upload-Offset")
    data = _body(MAX_CHUNK, "chunk_too_large")
    chunk_sha = request.headers.get("Chunk-Sha256")
    return uploads.write_chunk(get_db(), blobs(), g.user, kind, file_id, offset, chunk_sha, data)


@bp.post("/files/<kind>/<file_id>/complete")
@login_required("collect")
def complete_file(kind, file_id):
    """Check and store the uploaded file; completing twice is a no-op."""
    options = {name: current_app.config[key] for name, key in uploads.file_kind(kind).OPTIONS.items()}
    state = uploads.complete(get_db(), blobs(), g.user, kind, file_id, options)
    return {**state, "status": "stored"}


# Photos keep the URLs phones already use (endpoints of their own, so no redirect to /files/).
for _rule, _view, _method in (("/photos/<file_id>", announce_file, "PUT"),
                              ("/photos/<file_id>/upload", upload_offset, "GET"),
                              ("/photos/<file_id>/upload", upload_chunk, "PATCH"),
                              ("/photos/<file_id>/complete", complete_file, "POST")):
    bp.add_url_rule(_rule, f"photo_{_view.__name__}", _view, methods=[_method], defaults={"kind": "photo"})


def _body(limit, code="request_entity_too_large"):
    """The request's bytes, at most `limit` of them, with or without a Content-Length.

    A chunked body has no length to check up front, so the limit is applied while reading:
    one rule for every body the API reads, answered as a JSON 413 the phone can act on.
    """
    if (request.content_length or 0) > limit:
        raise Rejected(code, 413, max=limit)
    chunked = request.content_length is None and request.environ.get("wsgi.input_terminated")
    # Werkzeug's stream for a chunked body stops quietly at MAX_CONTENT_LENGTH (a truncated
    # body read as bad JSON): read the server's own stream, which ends where the body ends.
    stream = request.environ["wsgi.input"] if chunked else request.stream
    try:
        data = _read_at_most(stream, limit + 1)
    except RequestEntityTooLarge:
        raise Rejected(code, 413, max=limit) from None
    if len(data) > limit:
        raise Rejected(code, 413, max=limit)
    return data


def _read_at_most(stream, size):
    """Up to `size` bytes of a stream (a read may return less than asked before the end)."""
    parts, held = [], 0
    while held < size:
        part = stream.read(min(size - held, 64 * 1024))
        if not part:
            break
        parts.append(part)
        held += len(part)
    return b"".join(parts)


def _json_body():
    """The body as a JSON object (strict: NaN and Infinity are no JSON), else 400 bad_json."""
    data = _body(current_app.config["MAX_CONTENT_LENGTH"])
    try:
        body = strict_json.loads(data)
    except (ValueError, RecursionError):  # malformed, NaN, or nested thousands of levels deep
        body = None
    if not isinstance(body, dict):
        raise Rejected("bad_json", 400)
    return body


def _localized(result):
    """A per-record result with its message in the user's language (stored answers hold codes)."""
    if result["status"] == "rejected":
        return {**result, "message": message_for(result["code"], result.get("params", {}))}
    if result["status"] == "conflict":
        return {**result, "message": message_for("conflict", {})}
    return result


@bp.cli.command("prune-sync-keys")
@click.option("--days", default=records.KEY_DAYS, show_default=True,
              help="Keep idempotency keys at least this many days (crews are offline for days).")
def prune_sync_keys_command(days):
    """Forget batch idempotency keys older than --days."""
    if days < 30:
        raise click.BadParameter("keys must be kept at least 30 days", param_hint="--days")
    count = records.prune_keys(get_db(), days)
    click.echo(f"Pruned {count} idempotency key(s) older than {days} days.")
