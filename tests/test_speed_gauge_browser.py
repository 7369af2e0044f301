"""At 360 x 800 the live gauge is on screen while a speed test runs (issue 15): it sat below the
fold, under the verdict of earlier runs and the connection choice."""

from playwright.sync_api import expect
from review_evidence import Evidence
from review_evidence import speed

from fieldapp import accounts
from tests.test_speed_browser import open_speed_page
from tests.test_speed_browser import site  # noqa: F401  (fixture)


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
