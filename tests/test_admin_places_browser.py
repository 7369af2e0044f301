"""At 360 px the admin's district list follows the chosen oblast at once (issue 15)."""

from playwright.sync_api import expect

from tests.test_admin_browser import admin_page  # noqa: F401  (fixture)
from tests.test_admin_places import akkol  # noqa: F401  (fixture)


def test_choosing_an_oblast_leaves_only_its_districts(admin_page, live_server, make, akkol):  # noqa: F811
    page = admin_page
    page.goto(f"{live_server.url}/admin/sites/")
    if page.locator("details.more-filters").count():  # folded on a phone
        page.locator("details.more-filters summary").click()
    districts = page.locator("select[name=district_id]")
    shown = "option:not([hidden])"
    expect(districts.locator(shown)).to_have_count(3)  # all, Aqköl audany, Raion KZ-31
    page.select_option("select[name=region_id]", str(make.region_id("KZ-11")))
    expect(districts.locator(shown)).to_have_text(["All districts", "Aqköl audany"])
    page.select_option("select[name=district_id]", label="Aqköl audany")
    page.select_option("select[name=region_id]", str(make.region_id("KZ-31")))
    expect(districts).to_have_value("")  # a district of another oblast is not kept
    assert page.errors == []


def test_the_review_queues_districts_follow_its_oblast_too(admin_page, live_server, make, akkol):  # noqa: F811
    page = admin_page
    page.goto(f"{live_server.url}/review/")
    page.locator("details.filters summary").click()
    districts = page.locator("select[name=district]")
    page.select_option("select[name=region]", str(make.region_id("KZ-11")))
    expect(districts.locator("option:not([hidden])")).to_have_text(["Any", "Aqköl audany"])
    assert page.errors == []
