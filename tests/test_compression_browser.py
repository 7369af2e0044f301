"""The technician's shell in Chromium with compression on: what reaches the phone is
compressed, the service worker caches it, every module the shell loads was precached, and
every screen then works offline."""

import json
from urllib.parse import urlsplit

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.modules  # names the modules' own URLs

SCREENS = [("", ".site-name"), ("/splices", "#screen input"), ("/photos", ".shot[data-shot]"),
           ("/speed", ".speed-offline"), ("/notes", "#screen textarea"), ("/scan", "#screen input")]


@pytest.fixture
def site(make):
    tech = make.user("technician", username="tech")
    return make.installation([tech], type="school")


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_the_shell_works_offline_from_compressed_responses(browser, live_server, client, site):
    context = browser.new_context(**PHONE)
    encodings, scripts = {}, set()
    context.on("response", lambda r: encodings.setdefault(path_of(r.url), r.headers.get("content-encoding")))
    context.on("request", lambda r: scripts.add(path_of(r.url)) if r.resource_type == "script" else None)
    page = context.new_page()
    sign_in(page, live_server.url)
    scripts.clear()  # My sites' own script (register.js) is not the shell's
    open_app(page, live_server.url)
    for url in ("/static/js/app.js", "/static/js/outbox.js", "/tech/messages.json",
                "/api/v1/pull?records=lean"):
        assert encodings.get(url) in {"gzip", "br"}, url
    body = client.get("/sw.js").get_data(as_text=True)
    precached = set(json.loads(body.split("\n")[1].removeprefix("const ASSETS = ").rstrip(";")))

    context.set_offline(True)
    for screen, ready in SCREENS:
        page.goto(f"{live_server.url}/tech/app" + (f"#/site/{site}{screen}" if screen else ""))
        expect(page.locator(ready).first).to_be_attached()
    ours = {s for s in scripts if s.startswith(("/static/", "/vendor/"))}
    assert "/static/js/speed/screen.js" in ours
    assert ours <= precached, ours - precached
    context.close()
