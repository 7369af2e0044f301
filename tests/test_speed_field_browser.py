"""The speed screen in the field (issue 15): at 360 x 800 the live gauge is on screen while a test
runs (it sat below the fold, under the verdict of earlier runs and the connection choice), and
a dedicated tester's result says how many runs it summarises."""

from playwright.sync_api import expect
from review_evidence import Evidence
from review_evidence import speed

from fieldapp import accounts
from tests.test_speed_browser import last_record
from tests.test_speed_browser import open_speed_page
from tests.test_speed_browser import screen_photo
from tests.test_speed_browser import site  # noqa: F401  (fixture)
from tests.test_speed_browser import speed_page  # noqa: F401  (fixture)


def test_the_live_gauge_is_in_view_during_a_run(page, live_server, app, db, site):  # noqa: F811
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    evidence = Evidence(db, app.config)
    evidence.batch(tech, speed(site, down=20.0, up=19.0, connection="wifi"))  # a long verdict above
    evidence.batch(tech, speed(site, down=25.0, up=24.0, runs=1))
    page.set_viewport_size({"width": 360, "height": 800})
    open_speed_page(page, live_server, site)
    page.get_by_label("Cable to the ONT").check()
    page.get_by_role("button", name="Start speed test").click()
    expect(page.locator("#speed-root")).to_have_attribute("data-speed-state", "running")
    gauge = page.locator(".speed-gauge")
    expect(gauge).to_be_visible()
    page.wait_for_timeout(300)  # let a smooth scroll settle
    box, bar = gauge.bounding_box(), page.locator(".speed-live progress").bounding_box()
    assert box["y"] >= 0 and bar["y"] + bar["height"] <= 800 - 120  # above a bottom bar, too
    expect(page.locator("#speed-root")).to_have_attribute("data-speed-state", "done", timeout=30_000)


def test_one_tester_result_can_stand_for_the_three_runs_it_summarises(speed_page, db):  # noqa: F811
    page = speed_page
    page.get_by_text("Enter a tester's result").click()
    page.get_by_label("Tester model").fill("EXFO EX1")
    page.get_by_label("Download, Mbps").fill("98,5")
    page.get_by_label("Upload, Mbps").fill("97")
    runs = page.get_by_label("Runs this result summarises")
    expect(runs).to_have_value("1")
    runs.fill("0")
    page.get_by_label("Photo of the tester's screen").set_input_files(screen_photo())
    page.get_by_role("button", name="Save tester result").click()
    expect(page.locator("[data-error-for=runs]")).to_have_text("Enter a whole number from 1 to 100.")
    runs.fill("3")
    page.get_by_role("button", name="Save tester result").click()
    expect(page.locator(".speed-tester-status")).to_contain_text("Result saved.")
    assert last_record(page)["runs"] == 3
    expect(page.locator(".speed-verdict")).to_have_class("speed-verdict is-pass")  # 3 runs, one photo
