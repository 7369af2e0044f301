"""A technician signs in on a phone and sees their sites, in a real Chromium."""

import pytest


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
