"""The shell starts on the strings it already has (issue 18 §1): on 2G, waiting for
/tech/messages.json cost a round trip before the site list; the network's answer still
arrives and, when it differs, the screen is drawn again in it."""

import json

from browser_helpers import wait_until
from playwright.sync_api import expect

from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401


def test_the_site_list_does_not_wait_for_the_strings_and_follows_them(app_page, sites):  # noqa: F811
    page = app_page
    expect(page.locator(".site-name")).to_have_count(2)  # the first start stored the strings
    held = []
    page.route("**/tech/messages.json", lambda route: held.append(route))
    page.reload()
    wait_until(page, lambda: held)
    expect(page.locator(".site-name")).to_have_count(2)  # drawn while the strings are on the way
    heading = page.locator("h1").first
    expect(heading).to_contain_text("My sites")
    strings = json.loads(held[0].fetch().text())
    held[0].fulfill(json={**strings, "my_sites": "Sites (new wording)"})
    expect(heading).to_contain_text("Sites (new wording)")  # a new version's strings redraw it
    page.reload()  # they were kept: the next start, its strings still on the way, begins on them
    wait_until(page, lambda: len(held) == 2)
    expect(page.locator("h1").first).to_contain_text("Sites (new wording)")
