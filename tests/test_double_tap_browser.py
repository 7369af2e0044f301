"""A double tap saves once (issue 14, item 8), and a submission still on the phone says so (15)."""

import pytest
from browser_helpers import wait_until
from playwright.sync_api import expect

from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401

TWO_TAPS = "(form) => { form.requestSubmit(); form.requestSubmit(); }"


@pytest.mark.parametrize("screen, table", [("submit", "submissions"), ("notes", "notes")])
def test_two_taps_in_a_row_save_one_record(app_page, sites, db, screen, table):  # noqa: F811
    goto(app_page, f"#/site/{sites['a']}/{screen}")
    if screen == "notes":
        app_page.fill("[name=note]", "Ключ от щитовой у завхоза")
    else:
        app_page.check("[name=acknowledge]")  # an empty site: submitted past its warnings
    app_page.locator("form.card").first.evaluate(TWO_TAPS)
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    wait_until(app_page, lambda: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] >= 1)
    app_page.wait_for_timeout(500)  # a second record would be queued and sent by now
    assert db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 1


def test_a_submission_still_on_the_phone_says_so(app_page, sites, db):  # noqa: F811
    site = sites["a"]
    goto(app_page, f"#/site/{site}")
    expect(app_page.locator("h1 .badge")).to_be_visible()
    app_page.context.set_offline(True)
    goto(app_page, f"#/site/{site}/submit")
    app_page.check("[name=acknowledge]")
    app_page.click("[name=submit]")
    goto(app_page, f"#/site/{site}")
    expect(app_page.locator("h1 .badge")).to_have_text("Submitted, waiting to be sent")
    app_page.context.set_offline(False)
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    goto(app_page, "#/")
    goto(app_page, f"#/site/{site}")
    expect(app_page.locator("h1 .badge")).to_have_text("Submitted")
