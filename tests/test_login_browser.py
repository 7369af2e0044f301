"""A technician signs in on a phone and sees their sites, and signs in again after the
session ended on the server, in a real Chromium."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import save_note
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import accounts
from fieldapp import store


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True, locale="en-US"
    )
    yield context.new_page()
    context.close()


def test_technician_logs_in_and_sees_my_sites(phone, live_server, app, make):
    with app.app_context():
        tech = make.user(username="tech", password="tech", language="en")
        make.installation([tech], name_ru="Средняя школа №1 села Акколь", name_kk="Ақкөл мектебі")
    phone.goto(live_server.url + "/")
    phone.fill("input[name=username]", "tech")
    phone.fill("input[name=password]", "tech")
    phone.get_by_role("button", name="Sign in").click()
    phone.get_by_role("heading", name="My sites").wait_for()
    assert phone.get_by_text("Средняя школа №1 села Акколь").first.is_visible()
    # Nothing wider than the phone: no sideways scrolling on a 360 px screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_work_queued_before_a_revoked_session_is_sent_once_after_signing_in_again(
    browser, live_server, app, db, make
):
    """An admin resets the password while the phone is offline with a note queued: the phone
    says "sign in again", keeps the note, and sends it exactly once after the new sign-in."""
    tech = make.user(username="tech")
    site = make.installation([tech])
    context = browser.new_context(**PHONE, locale="en-US")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url)
    context.set_offline(True)
    save_note(page, site, "Cable entry sealed")
    box = page.locator("#outbox")
    expect(box).to_have_attribute("data-records", "1")
    accounts.set_password(db, tech["id"], "new-password-1")  # every session of tech ends

    context.set_offline(False)  # the app syncs on "online" and meets a 401
    expect(box.locator(".error")).to_contain_text("signed out", timeout=20_000)
    expect(box).to_have_attribute("data-records", "1")  # nothing queued is lost
    assert store.scalar(db, "SELECT COUNT(*) FROM notes") == 0

    box.get_by_role("link", name="Sign in").click()
    page.fill("#username", "tech")
    page.fill("#password", "new-password-1")
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/app")  # back in the app, which sends what waited
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    page.locator("#outbox .sync-now").click()  # another sync sends nothing twice
    expect(page.locator("#outbox .sync-now")).to_be_enabled(timeout=20_000)
    assert db.execute("SELECT text FROM notes").fetchall() == [("Cable entry sealed",)]
    context.close()
