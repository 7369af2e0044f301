"""The outbox bar on a phone (issue 15): one line of headline beside Send at 360 and 412 px in
Russian, a refused item one line with its reason a tap away, photos named by their shot."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import phone_photo
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import installations
from tests.test_technician_browser import goto


@pytest.fixture
def ru_page(browser, live_server, make):
    tech = make.user("technician", username="tech", language="ru")
    site = make.installation([tech], type="school")
    contexts = []

    def open_page(width):
        context = browser.new_context(**{**PHONE, "viewport": {"width": width, "height": 800}},
                                      service_workers="block")
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server.url)
        open_app(page, live_server.url, worker=False)
        return page

    yield open_page, site
    for context in contexts:
        context.close()


def note(page, site, text):
    goto(page, f"#/site/{site}/notes")
    page.fill("[name=note]", text)
    page.click("form button")


@pytest.mark.parametrize("width", [360, 412])
def test_a_refused_item_and_waiting_work_leave_the_screen_to_the_work(ru_page, db, width):
    open_page, site = ru_page
    page = open_page(width)
    installations.transition(db, site, "submitted")
    installations.transition(db, site, "approved")  # the next note is refused
    note(page, site, "Ключ от щитовой у завхоза")
    failure = page.locator("#outbox .failure")
    expect(failure).to_be_visible(timeout=15_000)
    page.context.set_offline(True)
    note(page, site, "Щиток на втором этаже")
    toggle = page.locator(".outbox-toggle")
    expect(toggle).to_have_text("Отклонено: 1 · К отправке: записи 1")
    assert page.locator(".outbox-bar").bounding_box()["height"] <= 64  # two short lines at most
    assert failure.bounding_box()["height"] <= 56  # one line, not ~45 % of the screen
    expect(failure.locator(".actions a")).to_be_hidden()
    failure.locator("summary").click()  # "подробнее": the reason and what to do
    expect(failure.locator(".actions a")).to_be_visible()
    expect(failure.locator(".reason")).to_be_visible()


def test_a_waiting_photo_is_named_by_its_shot(ru_page, tmp_path):
    open_page, site = ru_page
    page = open_page(360)
    goto(page, f"#/site/{site}/photos")
    card = page.locator(".shot[data-shot=signed_form]")
    expect(card).to_be_visible()
    page.context.set_offline(True)
    form = phone_photo(tmp_path / "form.jpg", size=(1200, 900))
    card.locator("input[type=file]").set_input_files(str(form))
    expect(page.locator("#outbox")).to_have_attribute("data-photos", "1", timeout=15_000)
    page.locator(".outbox-toggle").click()
    details = page.locator(".outbox-details")
    expect(details).to_contain_text("Фото: Подписанный акт монтажа")
    expect(details).not_to_contain_text("signed_form")
