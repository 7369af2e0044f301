"""Removing a photo that is still on the phone takes a second tap (issue 15): one slip of a
gloved thumb beside "Retake" used to delete it at once."""

from browser_helpers import phone_photo
from playwright.sync_api import expect

from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401


def queued(page):
    return page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("fieldapp").onsuccess = (e) => {
            const req = e.target.result.transaction("photos").objectStore("photos").count();
            req.onsuccess = () => resolve(req.result);
        };
    })""")


def test_one_tap_on_remove_asks_and_a_second_removes(app_page, sites, tmp_path):  # noqa: F811
    page = app_page
    goto(page, f"#/site/{sites['a']}/photos")
    card = page.locator(".shot[data-shot]").first
    expect(card).to_be_visible()
    page.context.set_offline(True)  # the photo stays on the phone, so it can be removed
    card.locator("input[type=file]").set_input_files(str(phone_photo(tmp_path / "p.jpg", size=(800, 600))))
    expect(card).to_have_class("shot card has-photo")
    remove = card.locator("button[name=remove]")
    remove.click()
    expect(remove).to_have_text("Tap again to remove")
    assert queued(page) == 1  # the first tap only asks
    remove.click()
    expect(card.locator("button[name=remove]")).to_have_count(0)
    assert queued(page) == 0
