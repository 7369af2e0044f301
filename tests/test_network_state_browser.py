"""The header says what the app is doing (issue 15): offline, sending, online; and "Sync now"
pressed without network says the work is kept instead of doing nothing visible."""

from browser_helpers import save_note
from playwright.sync_api import expect

from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401


def test_the_header_follows_what_the_app_is_doing(app_page, sites):  # noqa: F811
    page, net = app_page, app_page.locator("#net")
    page.context.set_offline(True)
    save_note(page, sites["a"], "Ключ от щитовой у завхоза")
    page.click(".sync-now")
    expect(page.locator("#outbox .no-network")).to_be_visible()
    expect(net).to_have_text("Offline")
    held = []

    def slow_link(route):  # the first pull hangs, as on 2G, until the test lets it through
        if held:
            return route.continue_()
        held.append(route)

    page.context.route("**/api/v1/pull*", slow_link)
    page.context.set_offline(False)  # the app syncs by itself when the network returns
    expect(net).to_have_text("Sending…")  # the server answered: it is sending, not offline
    expect(page.locator("#outbox .no-network")).to_have_count(0)
    held[0].continue_()
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    expect(net).to_have_text("Online")


def test_the_speed_screen_opened_offline_is_ready_when_the_network_returns(app_page, sites):  # noqa: F811
    page = app_page
    goto(page, f"#/site/{sites['a']}/speed")  # loads its modules (a worker would precache them)
    expect(page.locator(".speed-start")).to_be_visible()
    goto(page, f"#/site/{sites['a']}")
    expect(page.locator("h1 .badge")).to_be_visible()
    page.context.set_offline(True)
    goto(page, f"#/site/{sites['a']}/speed")
    notice = page.locator(".speed-offline")
    expect(notice).to_be_visible()
    page.get_by_label("Wi-Fi").check()
    page.locator(".speed-start").click()
    expect(page.locator(".speed-message")).to_contain_text("needs the network")
    page.context.set_offline(False)
    expect(notice).to_be_hidden()  # it used to stay until the screen was opened again
    expect(page.locator(".speed-message")).to_have_text("")
