"""The outbox says how long the photos still take on a slow link (issue 18): measured from
what the server confirmed, it appears once a part is confirmed and counts down as more are."""

import re

from browser_helpers import phone_photo
from playwright.sync_api import expect

from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401

SECONDS_LEFT = "() => Number(document.querySelector('#outbox .eta')?.dataset.seconds ?? NaN)"


def slow_uplink(page, bytes_per_second):
    """Chromium's own network emulation (CDP), as a 2G/3G phone sends."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    link = {"offline": False, "latency": 150, "downloadThroughput": 250_000,
            "uploadThroughput": bytes_per_second}
    cdp.send("Network.emulateNetworkConditions", link)


def test_the_time_left_appears_and_counts_down_while_photos_upload(app_page, sites, tmp_path):  # noqa: F811
    page = app_page
    goto(page, f"#/site/{sites['a']}/photos")
    cards = page.locator(".shot[data-shot]")
    expect(cards.first).to_be_visible()
    slow_uplink(page, 60_000)
    for n in range(2):
        photo = phone_photo(tmp_path / f"{n}.jpg", seed=n)
        cards.nth(n).locator("input[type=file]").set_input_files(str(photo))
        expect(cards.nth(n)).to_have_class("shot card has-photo")
    eta = page.locator("#outbox .eta")
    # After the first confirmed part (256 KB), in the phone's words.
    expect(eta).to_have_text(re.compile(r"^(less than a minute left|about \d+ min left)$"), timeout=30_000)
    first = page.evaluate(SECONDS_LEFT)
    assert first > 0
    page.wait_for_function(f"() => ({SECONDS_LEFT})() < {first}", timeout=30_000)
    expect(page.locator("#outbox")).to_have_attribute("data-photos", "0", timeout=60_000)
    expect(eta).to_have_count(0)  # nothing left, no estimate
