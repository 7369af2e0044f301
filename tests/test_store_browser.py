"""The phone's IndexedDB connection (static/js/store.js) in Chromium: when the browser or
another tab takes it away, the next save opens it again and is kept."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import save_note
from browser_helpers import sign_in
from playwright.sync_api import expect

pytestmark = pytest.mark.modules  # imports static/js modules into the page

# Another tab with a newer app version upgrades the database (it adds a store, as upgrades
# do). The open is blocked for as long as a connection in this page stays open.
UPGRADE = """() => new Promise((resolve, reject) => {
    const request = indexedDB.open("fieldapp", 2);
    request.onupgradeneeded = () => request.result.createObjectStore("traces", { keyPath: "id" });
    request.onsuccess = () => { request.result.close(); resolve(request.result.version); };
    request.onblocked = () => resolve("blocked");
    request.onerror = () => reject(request.error);
})"""

# What the phone holds, read through a connection of the test's own.
READ = """(storeName) => new Promise((resolve, reject) => {
    const request = indexedDB.open("fieldapp");
    request.onsuccess = () => {
        const db = request.result;
        const all = db.transaction(storeName).objectStore(storeName).getAll();
        all.onsuccess = () => { db.close(); resolve(all.result); };
        all.onerror = () => reject(all.error);
    };
    request.onerror = () => reject(request.error);
})"""


@pytest.fixture
def phone(browser, live_server, make):
    tech = make.user("technician", username="tech")
    site = make.installation([tech])
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    context.set_offline(True)  # saves stay in the outbox, where the test can see them
    yield page, site
    context.close()


def outbox_notes(page):
    return sorted(r["data"]["text"] for r in page.evaluate(READ, "outbox") if r["type"] == "note")


def test_a_newer_version_upgrading_the_database_is_let_through_and_saving_goes_on(phone):
    page, site = phone
    save_note(page, site, "Before")
    assert page.evaluate(UPGRADE) == 2  # not blocked: the app let its connection go
    save_note(page, site, "After")  # reopened, on the upgraded database
    assert outbox_notes(page) == ["After", "Before"]
    expect(page.locator("#outbox")).to_have_attribute("data-records", "2")
    assert page.evaluate(READ, "sites")[0]["id"] == site  # nothing was lost on the way


def test_a_connection_the_browser_closed_is_opened_again(phone, live_server):
    page, site = phone
    save_note(page, site, "Before")
    # The browser itself closes the connection, as Safari does now and then; clearing the
    # site's data does it in Chromium (and empties the database, so the site is gone too).
    cdp = page.context.new_cdp_session(page)
    cdp.send("Storage.clearDataForOrigin", {"origin": live_server.url, "storageTypes": "indexeddb"})
    saved = page.evaluate("""async (site) => {
        const outbox = await import("/static/js/outbox.js");
        return outbox.saveRecord("note", site, { text: "After" });
    }""", site)
    assert [(r["id"], r["data"]["text"]) for r in page.evaluate(READ, "outbox")] == [(saved, "After")]
