"""The in-app speed test's server side: a random-byte source, an upload sink, a ping, a page.

The phone measures against these (static/js/speed/). Transfers are long and several run at
once per tester, so they stream in small pieces and never hold more than one buffer; the
WSGI server must give them threads of their own (fieldapp/gunicorn_conf.py, docs/speedtest.md).
"""

import json
import math
import os
import threading

from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from fieldapp import access
from fieldapp import ids
from fieldapp import installations
from fieldapp import profiles
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.evidence import current
from fieldapp.js_messages import MESSAGES

bp = Blueprint("speedtest", __name__, url_prefix="/speedtest")

CHUNK = 1024 * 1024
DOWN_DEFAULT = 100 * CHUNK
DOWN_CAP = 1024 * CHUNK  # one request never runs longer than ~1 GiB; the client asks again
UP_CAP = 64 * CHUNK  # per POST; the client sends 4 MiB blobs
READ_PIECE = 64 * 1024
# Transfers one worker process serves at once (config SPEEDTEST_MAX_STREAMS), so some threads
# always stay free for everyone else: fieldapp/gunicorn_conf.py sets it to its threads minus 4
# (docs/speedtest.md).
_random = {}

NO_STORE = {
    "Cache-Control": "no-store, no-transform",
    "Content-Encoding": "identity",
    "Pragma": "no-cache",
}

REASONS = {
    "down_too_slow": _l("Download median %(value).1f Mbps is below %(threshold).1f Mbps."),
    "up_too_slow": _l("Upload median %(value).1f Mbps is below %(threshold).1f Mbps."),
    "wifi_not_counted": _l("%(count)d Wi-Fi test(s) not counted: the contract needs a wired test."),
    "too_few_runs": _l("%(count)d run(s) measured; at least %(need)d are needed."),
}


def reason_text(reason):
    """A verdict reason from speed.verdict() as a sentence in the user's language."""
    return str(REASONS[reason["code"]]) % reason


def random_block():
    """One MiB of os.urandom, made once per process: incompressible, and free to repeat."""
    if "block" not in _random:
        _random["block"] = os.urandom(CHUNK)
    return _random["block"]


def stream_slots():
    """This process's semaphore of transfer slots (SPEEDTEST_MAX_STREAMS, per worker process)."""
    slots = current_app.extensions.get("fieldapp.speed_slots")
    if slots is None:
        limit = current_app.config["SPEEDTEST_MAX_STREAMS"]
        slots = current_app.extensions.setdefault("fieldapp.speed_slots", threading.BoundedSemaphore(limit))
    return slots


def busy():
    """503 with Retry-After: the client waits and tries again; other users keep their threads."""
    response = jsonify(error="busy", message=_("The server is busy with other speed tests."))
    response.status_code = 503
    response.headers["Retry-After"] = "1"
    response.headers.update(NO_STORE)
    return response


@bp.get("/down")
@login_required("collect")
def down():
    """Stream `bytes` (capped) of random data: no compression, no caching, known length."""
    size = min(max(request.args.get("bytes", DOWN_DEFAULT, type=ids.int64), 0), DOWN_CAP)
    slots = stream_slots()
    if not slots.acquire(blocking=False):
        return busy()
    headers = {**NO_STORE, "Content-Length": str(size)}
    return Response(Transfer(random_block(), size, slots.release), mimetype="application/octet-stream",
                    headers=headers, direct_passthrough=True)


class Transfer:
    """The download body; the WSGI server calls close() once the response is over, however it ends.

    A generator's `finally` would not run for a HEAD request or a client gone before the body
    started (its code never began), and each such request kept a slot for good; close() here
    always runs and releases exactly once.
    """

    def __init__(self, block, size, release):
        self.block = block
        self.size = size
        self._release = release
        self._lock = threading.Lock()
        self._released = False

    def __iter__(self):
        left = self.size
        while left > 0:
            piece = self.block if left >= CHUNK else self.block[:left]
            left -= len(piece)
            yield piece

    def close(self):
        with self._lock:
            if self._released:
                return
            self._released = True
        self._release()


@bp.post("/up")
@login_required("collect")
def up():
    """Read and discard the body piece by piece (never all in memory); answer the bytes read.

    CSRF-protected like every POST: the client sends X-CSRFToken and an octet-stream body,
    which Flask-WTF's form lookup leaves unread.
    """
    request.max_content_length = UP_CAP
    slots = stream_slots()
    if not slots.acquire(blocking=False):
        return busy()
    total = 0
    try:
        stream = request.stream
        while piece := stream.read(READ_PIECE):
            total += len(piece)
    finally:
        slots.release()
    response = jsonify(bytes=total)
    response.headers.update(NO_STORE)
    return response


@bp.get("/ping")
@login_required("collect")
def ping():
    """The smallest answer the app can give, for round-trip times."""
    return Response(b"", status=204, headers=NO_STORE)


@bp.get("/")
@login_required("collect")
def page():
    """The speed test on its own page (the phone app mounts the same screen in its shell)."""
    db = get_db()
    site = _site(db, request.args.get("installation", type=ids.int64))
    rules = profiles.get(db, site["profile_id"] if site else profiles.ensure_default(db))["rules"]
    options = {
        "phaseSeconds": min(max(request.args.get("phase", 8.0, type=_finite), 0.5), 30.0),
        "runs": min(max(request.args.get("runs", 3, type=ids.int64), 1), 9),
    }
    data = {
        "installation": _for_phone(db, site, rules) if site else None,
        "profile": rules,
        "messages": {key: str(text) for key, text in MESSAGES.items()},
        "options": options,
    }
    return render_template("speedtest/page.html", site=site, data=json.dumps(data))


def _finite(text):
    """float() that refuses nan and inf: max(nan, 0.5) is nan, and the page's JSON would say NaN."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    return value


def _site(db, installation_id):
    if installation_id is None:
        return None
    if not access.can_see_installation(db, g.user, installation_id):
        abort(404)
    return installations.get(db, installation_id)


def _for_phone(db, site, rules):
    """The installation as the pull sends it (docs/api.md), limited to what the screen uses."""
    institution = {key: site[key] for key in ("type", "name_kk", "name_ru", "pupils",
                                              "contracted_down_mbps", "contracted_up_mbps")}
    down_req, up_req = profiles.required_mbps(rules, institution)
    rows = db.query("SELECT * FROM speed_tests WHERE installation_id = ?", [site["id"]])
    tests = [{**row, "raw": json.loads(row["raw"] or "null")} for row in rows]
    return {
        "id": site["id"],
        "institution": institution,
        "required_mbps": {"down": down_req, "up": up_req},
        "records": {"speed_tests": current.of(tests)},
    }
