"""My sites at 360 px (issue 15): search in Latin or Cyrillic ("Akkol" finds "Акколь" and
"Ақкөл"), nearest first from where the technician stands, offline, and a returned site says how
many items came back."""

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import sign_in
from playwright.sync_api import expect
from review_evidence import Evidence

from fieldapp import decisions
from tests.test_technician_browser import goto

SHOWN = "ul.sites > li:not([hidden]) .site-name"
HERE = {"latitude": 51.98, "longitude": 70.94}  # by Akkol school, Akmola


def test_search_finds_a_site_typed_in_latin_or_cyrillic(page_at, make):
    page = page_at()
    search = page.locator("[name=site_search]")
    assert search.bounding_box()["height"] >= 48
    for typed in ("akkol", "Akköl", "АККОЛЬ", "ақкөл мект"):
        search.fill(typed)
        expect(page.locator(SHOWN)).to_have_text(["Ақкөл мектебі"])
    search.fill("kyzylorda")
    expect(page.locator(SHOWN)).to_have_text(["Қызылорда ауруханасы"])
    search.fill("zzz")
    expect(page.locator(SHOWN)).to_have_count(0)
    expect(page.locator(".no-match")).to_be_visible()
    search.fill("")
    expect(page.locator(SHOWN)).to_have_count(3)


def test_a_returned_site_says_how_many_items_came_back(page_at):
    page = page_at()
    returned = page.locator("ul.sites > li", has_text="Қызылорда ауруханасы")
    expect(returned.locator(".returned-count")).to_have_text("Қайтарылды: 2")
    expect(returned).to_contain_text("Фото: 6/8")  # the returned photo and shot are not had


def test_nearest_first_from_where_the_technician_stands_offline(page_at):
    page = page_at(geolocation=HERE)
    expect(page.locator(".site-name").first).to_have_text("Қызылорда ауруханасы")  # returned first
    page.context.set_offline(True)
    button = page.locator("[name=nearest]")
    assert button.bounding_box()["height"] >= 48
    button.click()
    expect(page.locator(".site-name")).to_have_text(
        ["Ақкөл мектебі", "Ақмола ФАП", "Қызылорда ауруханасы"])
    expect(page.locator(".site .distance").first).to_contain_text("0.4 км")
    page.locator("[name=nearest]").click()  # back to the usual order
    expect(page.locator(".site-name").first).to_have_text("Қызылорда ауруханасы")


@pytest.fixture
def page_at(browser, live_server, make, app, db):
    tech = make.user("technician", username="tech", language="kk")
    make.installation([tech], name_kk="Ақкөл мектебі", name_ru="Школа Акколь", lat=51.983, lon=70.943)
    make.installation([tech], type="fap", name_kk="Ақмола ФАП", name_ru="ФАП Акмола", lat=51.2, lon=71.4)
    far = make.installation([tech], type="hospital", name_kk="Қызылорда ауруханасы",
                            name_ru="Больница Кызылорда", lat=44.85, lon=65.5)
    shots = Evidence(db, app.config).complete(tech, far)  # all 8 photos, then two come back
    reviewer = make.user("supervisor", username="boss", regions=("KZ-31",))
    decisions.return_items(db, far, reviewer["id"], [
        {"kind": "photo", "ref": shots["power"]["id"], "reason": "Blurred"},
        {"kind": "shot", "ref": "signed_form", "reason": "Unsigned"}])
    contexts = []

    def open_page(geolocation=None):
        extra = {"geolocation": geolocation, "permissions": ["geolocation"]} if geolocation else {}
        context = browser.new_context(**PHONE, service_workers="block", **extra)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server.url)
        open_app(page, live_server.url, worker=False)
        goto(page, "#/")
        return page

    yield open_page
    for context in contexts:
        context.close()
