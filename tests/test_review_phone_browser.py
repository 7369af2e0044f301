"""A supervisor on a 360 px phone in Russian: a missing reason is where the eye is, the return
ticks are thumb-sized, the technician's notes are on the page, times are Kazakhstan time."""

from playwright.sync_api import expect

from fieldapp import accounts
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.test_review_browser import site  # noqa: F401  (fixture)

PHONE = {"viewport": {"width": 360, "height": 800}, "is_mobile": True, "has_touch": True, "locale": "ru-RU"}


def test_a_missing_reason_is_where_the_supervisor_looks(browser, live_server, app, db, site):  # noqa: F811
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    Evidence(db, app.config).batch(tech, record("note", site["flawed"], text="Ключ от щитовой у завхоза"))
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.locator("button[type=submit]").click()
    page.goto(f"{live_server.url}/review/{site['flawed']}")
    expect(page.get_by_text("Ключ от щитовой у завхоза")).to_be_visible()
    expect(page.locator(".notes")).to_contain_text("UTC+5")
    item = page.locator(".return-item", has_text="MUF-1").first
    label = item.locator("label.check")
    assert label.bounding_box()["height"] >= 48
    label.click()
    page.locator("button.danger").click()
    reason = page.locator(".return-item.has-error input[type=text]")
    expect(reason).to_be_focused()
    expect(reason).to_be_in_viewport()
    context.close()
