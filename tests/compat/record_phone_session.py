"""Record what a phone on today's app sends and receives, for the compatibility replay.

Not collected by the normal run (its name is no test_*.py); run it by hand when the phone's
protocol deliberately changes, and commit the new fixture beside the old ones:

    COMPAT_OUT=tests/compat/phone_session_v1.json .venv/bin/pytest tests/compat/record_phone_session.py

It drives the real technician app in Chromium at 360 px (sign in, pull, typed tag, a tray of
splices, a photo, a note, submit) and keeps every /api/ request and answer as JSON. The
replay in test_phone_compat.py builds the same sites and sends the same bytes to the server.
"""

import base64
import io
import json
import os

from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import phone_photo
from browser_helpers import save_note
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import installations
from fieldapp import tags

from .seed import seed_sites

KEPT_HEADERS = ("Content-Type", "Upload-Offset", "Chunk-Sha256", "Upload-Length")


class Recorder:
    """WSGI middleware keeping each /api/ exchange (request bytes and answer) in order."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.exchanges = []

    def __call__(self, environ, start_response):
        if not environ["PATH_INFO"].startswith("/api/"):
            return self.wsgi_app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        answer = {}

        def keep_status(status, headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        chunks = list(self.wsgi_app(environ, keep_status))
        self.exchanges.append(self._exchange(environ, body, answer["status"], b"".join(chunks)))
        return chunks

    @staticmethod
    def _exchange(environ, body, status, answer):
        headers = {name: environ[f"HTTP_{name.upper().replace('-', '_')}"]
                   for name in KEPT_HEADERS if f"HTTP_{name.upper().replace('-', '_')}" in environ}
        if environ.get("CONTENT_TYPE"):
            headers["Content-Type"] = environ["CONTENT_TYPE"]
        query = environ.get("QUERY_STRING")
        return {
            "method": environ["REQUEST_METHOD"],
            "path": environ["PATH_INFO"] + (f"?{query}" if query else ""),
            "headers": headers,
            "body_b64": base64.b64encode(body).decode(),
            "status": status,
            "answer": json.loads(answer) if answer[:1] in (b"{", b"[") else None,
        }


def test_record(browser, app, db, make, tmp_path, live_server):
    out = os.environ.get("COMPAT_OUT") or str(tmp_path / "session.json")
    seeded = seed_sites(db, make, app.config["TAG_KEYS"])
    recorder = Recorder(app.wsgi_app)
    app.wsgi_app = recorder
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    site = seeded["a"]
    page.goto(f"{live_server.url}/tech/app#/site/{site}/scan")
    page.fill("[name=tag_code]", tags.human(seeded["code_a"]))
    page.click("[name=check_code]")
    expect(page.locator(".scan-ok")).to_be_visible()
    page.goto(f"{live_server.url}/tech/app#/site/{site}/splices")
    page.fill("[name=closure_label]", "MUF-1")
    page.fill("[name=fiber_count]", "3")
    page.click("[name=make_rows]")
    rows = page.locator(".splice-row")
    for name, value in [("loss_1310_ab", "0.05"), ("loss_1310_ba", "0.07"),
                        ("loss_1550_ab", "0.04"), ("loss_1550_ba", "0,06")]:
        rows.nth(0).locator(f"[name={name}]").fill(value)
    for n in (1, 2):
        rows.nth(n).locator("[name=copy_prev]").click()
    page.click("[name=save_splices]")
    expect(page.locator(".saved-splices li")).to_have_count(3)
    page.goto(f"{live_server.url}/tech/app#/site/{site}/photos")
    photo = phone_photo(tmp_path / "IMG_1.jpg", size=(1200, 900))
    page.locator(".shot[data-shot]").nth(0).locator("input[type=file]").set_input_files(str(photo))
    save_note(page, site, "Ключ от щитовой у завхоза")
    page.goto(f"{live_server.url}/tech/app#/site/{site}/submit")
    page.click("[name=submit]")
    box = page.locator("#outbox")
    expect(box).to_have_attribute("data-records", "0", timeout=30_000)
    expect(box).to_have_attribute("data-photos", "0", timeout=30_000)
    open_app(page, live_server.url, worker=False)  # a later pull with the cursor it kept
    context.close()
    assert installations.get(db, site)["status"] == "submitted"
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"app_version": "v1 (main at 30a83a8)", "seed": seeded["fixture"],
                   "exchanges": recorder.exchanges}, f, ensure_ascii=False, indent=1)
    print(f"recorded {len(recorder.exchanges)} exchanges into {out}")
