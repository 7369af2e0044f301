"""Every button a gloved thumb needs on the splice screen is at least 48 px tall (issue 15):
"Correct" was 36 px and "Same as above" 40 px."""

import uuid

from playwright.sync_api import expect

from fieldapp import accounts
from fieldapp import records
from tests.test_records import splice
from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401


def test_splice_buttons_are_thumb_sized(app_page, sites, db):  # noqa: F811
    page = app_page
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    records.store_batch(db, tech, str(uuid.uuid4()), [splice(sites["a"])])  # on the server already
    goto(page, "#/")
    page.click(".sync-now")  # the phone pulls the splice the server holds
    expect(page.locator(".site-name").first).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.sync-now').disabled")
    goto(page, f"#/site/{sites['a']}/splices")
    correct = page.locator(".saved-splices li button").first
    expect(correct).to_be_visible(timeout=20_000)
    assert correct.bounding_box()["height"] >= 48
    page.fill("[name=closure_label]", "MUF-7")
    page.fill("[name=fiber_count]", "2")
    page.click("[name=make_rows]")
    copy = page.locator(".splice-row").nth(1).locator("[name=copy_prev]")
    assert copy.bounding_box()["height"] >= 48
