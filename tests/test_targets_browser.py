"""The splice screen in gloves (issue 15): buttons at least 48 px tall ("Correct" was 36 px,
"Same as above" 40 px), and saved splices in the order a splicer reads the closure."""

import re
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


def test_saved_splices_read_in_closure_order(app_page, sites, db):  # noqa: F811
    page = app_page
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    for slot in (4, 3, 1, 2):  # the server holds them in the order they came
        row = splice(sites["a"], slot=slot, a_fiber=slot, b_fiber=slot)
        records.store_batch(db, tech, str(uuid.uuid4()), [row])
    goto(page, "#/")
    page.click(".sync-now")
    page.wait_for_function("() => !document.querySelector('.sync-now').disabled")
    goto(page, f"#/site/{sites['a']}/splices")
    items = page.locator(".saved-splices li")
    expect(items).to_have_count(4)
    slots = [re.search(r"Slot (\d+)", text).group(1) for text in items.all_inner_texts()]
    assert slots == ["1", "2", "3", "4"]
