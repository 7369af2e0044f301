"""The bundled phone in Chromium: My sites and the shell each load the one bundle, the
service worker's precache takes My sites' copy from the browser's cache (the server sends
it once), no module of the app is fetched on its own, and every screen then works offline."""

from urllib.parse import urlsplit

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import bundle
from tests.test_phone_kinds import KINDS

REGISTER = "/static/js/register.js"
SCREENS = [("", ".site-name"), ("/splices", "#screen input"), ("/photos", ".shot[data-shot]"),
           ("/speed", ".speed-offline"), ("/notes", "#screen textarea"), ("/scan", "#screen input")]


@pytest.fixture
def site(make):
    tech = make.user("technician", username="tech")
    return make.installation([tech], type="school")


@pytest.fixture
def served(app):
    """Every path the server answered, in order (the browser's cache hits never arrive)."""
    paths = []

    @app.before_request
    def record():
        from flask import request

        paths.append(request.path)

    return paths


def test_the_bundled_shell_installs_from_one_download_and_works_offline(
        browser, live_server, app, built_bundle, served, site):
    app.config["BUNDLE_DIR"] = built_bundle
    name = bundle.manifest(built_bundle)["bundles"]["js/phone.js"]
    context = browser.new_context(**PHONE)
    scripts = []
    context.on("request", lambda r: r.resource_type == "script" and scripts.append(urlsplit(r.url).path))
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server.url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    open_app(page, live_server.url)
    assert served.count(f"/dist/{name}") == 1, str(served)  # the precache reused My sites' copy
    # Fetched while the password was typed: My sites found it in the cache.
    assert served.index(f"/dist/{name}") < served.index("/tech/sites"), served
    # Besides the bundle, only My sites' register.js (which installs the worker) is a script.
    assert [path for path in served if path.startswith("/static/js/")] == [REGISTER], served
    ours = {path for path in scripts if not path.startswith("/vendor/") and path != "/sw.js"}
    assert ours == {f"/dist/{name}", REGISTER}, ours

    context.set_offline(True)
    for screen, ready in SCREENS:
        page.goto(f"{live_server.url}/tech/app" + (f"#/site/{site}{screen}" if screen else ""))
        expect(page.locator(ready).first).to_be_attached()
    # Every kind's screen, new ones included (kinds.js is their one list), opens from the bundle.
    for kind in KINDS:
        page.goto(f"{live_server.url}/tech/app#/site/{site}/{kind['screen']}")
        expect(page.locator("#screen > div > *").first).to_be_attached()
    assert not errors, errors
    assert [path for path in scripts if path.startswith("/static/js/")] == [REGISTER], scripts
    context.close()

