"""static/js/scan.js in Chromium at 360 px: the phone recognises a site by its tag ID only, and says
so; the server verifies the check characters and a refusal says the code was mistyped or damaged."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import installations
from fieldapp import tags


@pytest.fixture
def site(app, db, make):
    tech = make.user("technician", username="tech")
    inst = make.installation([tech], type="school")
    code = tags.issue(db, app.config["TAG_KEYS"], installations.get(db, inst)["institution_id"])
    return {"id": inst, "code": code}


@pytest.fixture
def page(browser, live_server, site):
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    page.goto(f"{page.url.split('#')[0]}#/site/{site['id']}/scan")
    yield page
    context.close()


def _typo(code):
    """The code with its last check character mistyped: the ID still matches the site."""
    last = tags.ALPHABET[(tags.ALPHABET.index(code[-1]) + 1) % len(tags.ALPHABET)]
    return tags.human(code[:-1] + last)


def _type(page, text):
    page.fill("[name=tag_code]", text)
    page.click("[name=check_code]")


def test_a_typo_in_the_check_is_recognised_not_verified_then_refused_as_mistyped(page, site, db):
    """Issue 14 item 14: it showed green "Tag matches this site" and was refused as "not a fieldapp tag"."""
    page.context.set_offline(True)
    _type(page, _typo(site["code"]))
    ok = page.locator(".scan-ok")
    expect(ok).to_contain_text("Site recognised")
    expect(ok).to_contain_text("verified when you sync")
    expect(ok).not_to_have_class("pass scan-ok scan-verified")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    refused = page.locator(".scan-result .scan-refused")
    expect(refused).to_contain_text("mistyped or the label is damaged", timeout=15_000)
    expect(page.locator("#outbox .failure .reason")).to_contain_text("mistyped or the label is damaged")
    assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM tag_failures").fetchone()[0] == 1
    # the site no longer claims a scan, and its scan screen says why
    page.goto(f"{page.url.split('#')[0]}#/site/{site['id']}")
    expect(page.locator(f"a.tile[href='#/site/{site['id']}/scan']")).to_contain_text("tag not scanned")
    page.goto(f"{page.url.split('#')[0]}#/site/{site['id']}/scan")
    expect(page.locator(".scan-refused")).to_be_visible()


def test_a_genuine_code_is_verified_at_sync(page, site, db):
    _type(page, tags.human(site["code"]))
    expect(page.locator(".scan-ok")).to_contain_text("Code verified by the server", timeout=15_000)
    assert db.execute("SELECT matched FROM scans").fetchall() == [(1,)]
    page.goto(f"{page.url.split('#')[0]}#/site/{site['id']}")
    expect(page.locator(f"a.tile[href='#/site/{site['id']}/scan']")).to_contain_text("tag scanned")
