"""A number typed on the phone reads the same with a comma or a point (issue 14, item 17).

A Russian-language Chromium turned the tester's "48,5" into 485 in an <input type=number>;
every number field now goes through static/js/numbers.js.
"""

import pytest
from playwright.sync_api import expect

from tests.test_speed_browser import last_record
from tests.test_speed_browser import open_speed_page
from tests.test_speed_browser import screen_photo
from tests.test_speed_browser import site  # noqa: F401  (fixture)

pytestmark = pytest.mark.modules  # imports static/js modules into the page

CASES = [("48,5", 48.5), ("48.5", 48.5), (" 0,07 ", 0.07), (",5", 0.5), ("-0,02", -0.02),
         ("", None), ("4,8,5", "NaN"), ("48.5.1", "NaN"), ("abc", "NaN"), ("1e3", "NaN")]


@pytest.mark.parametrize("typed, read", CASES)
def test_one_parser_reads_commas_and_points(page, live_server, typed, read):
    page.goto(f"{live_server.url}/login")
    value = page.evaluate("""async (typed) => {
        const { parseDecimal } = await import("/static/js/numbers.js");
        const n = parseDecimal(typed);
        return Number.isNaN(n) ? "NaN" : n;
    }""", typed)
    assert value == read


def test_a_tester_result_typed_with_a_comma_in_russian_chromium(browser, live_server, site):  # noqa: F811
    context = browser.new_context(locale="ru-RU", viewport={"width": 360, "height": 800})
    page = open_speed_page(context.new_page(), live_server, site)
    page.get_by_text("Enter a tester's result").click()
    page.get_by_label("Tester model").fill("EXFO EX1")
    page.get_by_label("Download, Mbps").fill("48,5")
    page.get_by_label("Upload, Mbps").fill("47,25")
    page.get_by_label("Photo of the tester's screen").set_input_files(screen_photo())
    page.get_by_role("button", name="Save tester result").click()
    expect(page.locator(".speed-tester-status")).to_contain_text("Result saved.")
    record = last_record(page)
    assert (record["down_mbps"], record["up_mbps"]) == (48.5, 47.25)
    context.close()
