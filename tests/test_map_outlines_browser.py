"""The progress map with no tile server at all: oblast outlines under the dots, named in the
user's language, the dots still open their popups, and the map reads at 360 px."""

import io
import json
import os

import pytest
from PIL import Image

from tests.browser_helpers import PHONE

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the map: SCREENSHOT_DIR=/tmp/shots
OUTLINES = os.path.join(os.path.dirname(__file__), "..", "static", "geo", "kz_oblasts.geojson")
RETURNED = (0xC4, 0x00, 0x1D)  # static/js/map.js COLOURS.returned (drawn at 0.9 opacity)


def features():
    with open(OUTLINES, encoding="utf-8") as f:
        return json.load(f)["features"]


@pytest.fixture
def offline_page(browser, live_server, app, make, request):
    """Signed in as an admin in `request.param` language, every request off this server refused."""
    language = request.param
    with app.app_context():
        make.user("admin", username="boss", password="boss-password", language=language)
        make.installation(status="accepted", name_ru="Школа Акколь", lat=42.9, lon=71.4)  # Jambyl
        make.installation(status="returned", name_ru="Школа Тасты", region="KZ-55", lat=52.3, lon=76.9)
    context = browser.new_context(**PHONE, locale=f"{language}-KZ")
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else route.abort())
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-password")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    yield page, language
    context.close()


def dot_centre(page, colour):
    """Where a dot of `colour` is drawn on the map (it is on a canvas: found by its pixels,
    leaving out the legend's swatch of the same colour)."""
    page.locator("#map").scroll_into_view_if_needed()  # before measuring: a screenshot would scroll
    box = page.locator("#map").bounding_box()
    legend = page.locator("#map .map-legend").bounding_box()
    image = Image.open(io.BytesIO(page.locator("#map").screenshot())).convert("RGB")
    scale = image.width / box["width"]
    top = (legend["y"] - box["y"]) * scale
    left = (legend["x"] - box["x"]) * scale
    hits = [(x, y) for y in range(image.height) for x in range(image.width)
            if not (x >= left and y >= top)
            and all(abs(a - b) <= 40 for a, b in zip(image.getpixel((x, y)), colour, strict=True))]
    assert hits, "no dot of that colour on the map"
    x = sum(h[0] for h in hits) / len(hits) / scale
    y = sum(h[1] for h in hits) / len(hits) / scale
    return box["x"] + x, box["y"] + y


@pytest.mark.parametrize("offline_page", ["ru", "kk"], indirect=True)
def test_outlines_under_clickable_dots_offline(offline_page, live_server):
    page, language = offline_page
    page.goto(live_server.url + "/progress/")
    page.wait_for_selector("#map[data-ready='2']")
    outlines = features()
    assert len(outlines) == 16  # 14 oblasts and 2 cities as Natural Earth draws them
    assert page.locator("#map").get_attribute("data-outlined") == str(len(outlines))
    assert page.locator("#map path.oblast-outline").count() == len(outlines)

    labels = page.locator("#map .oblast-label")
    oblasts = [f["properties"] for f in outlines if f["properties"]["kind"] == "oblast"]
    assert labels.count() == len(oblasts)
    assert sorted(labels.all_inner_texts()) == sorted(p[f"name_{language}"] for p in oblasts)
    assert any("Жамбыл" in text for text in labels.all_inner_texts())  # the school's oblast, in Cyrillic

    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.locator("#map").screenshot(path=os.path.join(SHOTS, f"map-outlines-{language}.png"))
        page.locator("#map-borders").scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"map-outlines-page-{language}.png"))

    # The outlines are under the dots and take no taps: the returned school's dot opens its popup.
    x, y = dot_centre(page, RETURNED)
    page.mouse.click(x, y)
    name = "Школа Тасты" if language == "ru" else "Мекеме"  # the popup names it in the user's language
    page.locator(".leaflet-popup-content").get_by_text(name).wait_for()

    # 360 px: the page does not scroll sideways, the map and the note on its borders fit.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
    assert page.locator("#map").bounding_box()["width"] <= 360
    assert page.locator("#map-borders").is_visible()
    font = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.oblast-label')).fontSize)")
    assert font >= 11
    assert not [e for e in page.errors if "Content Security Policy" in e]


@pytest.mark.parametrize("offline_page", ["ru"], indirect=True)
def test_dots_without_the_outlines_file(offline_page, live_server):
    page, _ = offline_page
    page.route("**/static/geo/kz_oblasts.geojson", lambda route: route.fulfill(status=200, body="{not json"))
    page.goto(live_server.url + "/progress/")
    page.wait_for_selector("#map[data-ready='2']")
    assert page.locator("#map").get_attribute("data-outlined") == "0"
    assert page.locator("#map path.oblast-outline").count() == 0
    dot_centre(page, RETURNED)  # the dots are drawn all the same
