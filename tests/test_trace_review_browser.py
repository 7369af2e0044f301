"""The review page's OTDR traces in a real Chromium: drawn, no CSP error, readable at 360 px.

Set REVIEW_SCREENSHOTS=/some/dir to keep the screenshots.
"""

import os

import pytest

from fieldapp import sor_writer as w
from tests import trace_evidence as te
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import splice

SHOTS = os.environ.get("REVIEW_SCREENSHOTS")
# Elements sticking out on the right (a stacked table's thead is moved off screen on purpose).
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll('main *:not(thead *)')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
    .map(e => e.tagName + '.' + e.className).slice(0, 8)"""


@pytest.fixture
def traced(app, db, make):
    """A submitted installation: fiber 1 fully traced, fiber 2 copied from fiber 1's file."""
    tech = make.user("technician", "tech")
    make.user("supervisor", "sup", password="sup", regions=["KZ-31"], language="ru")
    ev = Evidence(db, app.config)
    inst = make.installation([tech], name_ru="Школа №1 села Акколь")
    ev.batch(tech, splice(inst, slot=1), splice(inst, slot=2))
    te.store_fiber(ev, tech, inst, 1)
    ab, _ = te.fiber_pair(1, 1310)
    te.store(ev, tech, inst, w.write(ab), 2, "ab", te.SPLICE_M)
    ev.batch(tech, record("submission", inst, comment=""))
    return inst


@pytest.mark.parametrize("width", [1280, 360])
def test_traces_are_drawn_and_fit_the_screen(browser, live_server, traced, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=width < 400,
                                  locale="ru-RU")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text)
            if m.type == "error" and "favicon" not in m.location["url"] else None)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/review/**")
    page.goto(f"{live_server.url}/review/{traced}")
    svg = page.locator("svg.trace-svg").first
    svg.wait_for()
    box = svg.bounding_box()
    assert box["width"] > width * 0.7 and box["height"] > 60
    assert page.locator("svg.trace-svg").count() == 3  # fiber 1 at 1310 and 1550, fiber 2 at 1310
    assert page.locator("svg.trace-thumb").count() >= 2  # the copied trace beside its original
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"traces-{width}.png"), full_page=True)
        for n in range(2):
            shot = os.path.join(SHOTS, f"pair{n}-{width}.png")
            page.locator(".trace-pair").nth(n * 2).screenshot(path=shot)
    wide = page.evaluate(WIDER_THAN_THE_SCREEN)
    assert wide == []
    assert errors == []
    context.close()
