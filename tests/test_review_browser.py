"""A supervisor reviews in a real Chromium: at a laptop (1280x800) and on a phone (360x800).

Set REVIEW_SCREENSHOTS=/some/dir to keep screenshots of each step for looking at.
"""

import os

import pytest
from browser_helpers import wait_until

from fieldapp import decisions
from fieldapp import store
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import record
from tests.review_evidence import splice

SHOTS = os.environ.get("REVIEW_SCREENSHOTS")


def snap(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def site(app, db, make):
    """Two submitted installations: one with a bad splice and a reused photo, one all passing."""
    tech = make.user("technician", "tech")
    make.user("supervisor", "sup", password="sup", regions=["KZ-31"])
    ev = Evidence(db, app.config)
    flawed = make.installation([tech], name_ru="Школа №1 села Акколь")
    clean = make.installation([tech], name_ru="ФАП села Жанатас", type="fap")
    ev.complete(tech, clean, seed=300)
    shots = ev.complete(tech, flawed, submit=False)
    other = make.installation([tech], region="KZ-31")
    ev.photo(tech, other, "cable_entry", jpeg(100))  # the same picture as flawed's first shot
    ev.batch(tech, splice(flawed, slot=7, losses=(0.42, 0.38, 0.5, 0.46)))

    ev.batch(tech, record("submission", flawed, comment=""))
    return {"flawed": flawed, "clean": clean, "shots": shots}


def sign_in(page, url):
    page.goto(url + "/login")
    page.fill("input[name=username]", "sup")
    page.fill("input[name=password]", "sup")
    page.get_by_role("button", name="Sign in").click()


def status(db, inst):
    return store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst])


def test_laptop_review_and_return_a_splice(browser, live_server, db, site):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = context.new_page()
    errors = []  # a CSP violation (inline style or script) shows up as a console error
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "favicon" not in m.location["url"] else None,
    )
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Review").click()
    page.get_by_role("heading", name="Review queue").wait_for()
    snap(page, "laptop-queue")
    page.get_by_role("link", name="Школа №1 села Акколь").click()
    page.locator(".summary-fail").wait_for()
    assert page.locator("table.splices tr.row-fail").count() == 1
    assert page.locator(".reuse .side-by-side").count() == 1
    assert page.evaluate("getComputedStyle(document.querySelector('table.checks tr')).display") == "table-row"
    # Every thumbnail decodes (served through the rights-checking view); a loaded machine may
    # still be fetching some when the page's load event has fired.
    # (Polled from here: wait_for_function evaluates a string in the page, which the CSP forbids.)
    # (The display image to draw on, in a ticked card's return item, loads only once ticked; the
    # cards' return ticks make the grid taller, so its last thumbnails load as it comes in view.)
    images = "[...document.querySelectorAll('.photo-grid img')].filter(i => !i.closest('.markup'))"
    page.locator(".photo-grid > li").last.scroll_into_view_if_needed()
    wait_until(page, lambda: page.evaluate(f"{images}.every(i => i.complete)"))
    assert page.evaluate(f"{images}.every(i => i.naturalWidth > 0)")
    snap(page, "laptop-installation")
    item = page.locator(".return-item", has_text="Splice MUF-1, tray 1, slot 7")
    item.get_by_role("checkbox").check()
    item.get_by_role("textbox").fill("0.44 dB average: re-splice")
    page.get_by_role("button", name="Return the chosen items").click()
    page.get_by_text("Returned to the technician").wait_for()
    assert status(db, site["flawed"]) == "returned"
    assert errors == []
    context.close()


def test_phone_approve_a_passing_installation(browser, live_server, db, site):
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    sign_in(page, live_server.url)
    page.goto(live_server.url + "/review/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-queue")
    page.get_by_role("link", name="ФАП села Жанатас").click()
    page.locator(".summary-pass").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    snap(page, "phone-installation")
    page.get_by_role("button", name="Approve").click()
    page.get_by_text("Approved.").wait_for()
    assert status(db, site["clean"]) == "approved"
    context.close()


def right_edge(locator):
    box = locator.bounding_box()
    return box["x"] + box["width"]


def test_phone_tables_become_cards_with_the_verdict_in_view(browser, live_server, db, site):
    context = browser.new_context(
        viewport={"width": 360, "height": 800}, is_mobile=True, has_touch=True, locale="en-US"
    )
    page = context.new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/review/{site['flawed']}")
    page.locator("form.lang button[lang=ru]").click()  # Russian: the longest words of the three
    page.locator("html[lang=ru]").wait_for()
    failing = page.locator("table.checks").first.locator("tr.row-fail").first
    assert right_edge(failing.locator(".verdict")) <= 360
    assert failing.evaluate("tr => tr.firstElementChild.getBoundingClientRect().top") > failing.evaluate(
        "tr => tr.querySelector('.verdict').getBoundingClientRect().top"
    )  # the verdict heads the card, above the check's name
    splice_card = page.locator("table.splices tr.row-fail")
    assert right_edge(splice_card.locator(".verdict")) <= 360
    assert splice_card.evaluate("tr => getComputedStyle(tr).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert right_edge(page.locator("table.speed td", has_text="Тест в приложении")) <= 360
    limit = failing.locator("td[data-label]").nth(1)  # each value names its column
    assert limit.evaluate("td => getComputedStyle(td, '::before').content") == '"Норма"'
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    wraps = "[...document.querySelectorAll('.table-wrap')].every(w => w.scrollWidth <= w.clientWidth)"
    assert page.evaluate(wraps)
    assert page.locator("a.tap").first.bounding_box()["height"] >= 44
    snap(page, "phone-cards")
    page.emulate_media(media="print")  # the printed page keeps its tables
    assert page.evaluate("getComputedStyle(document.querySelector('table.checks tr')).display") == "table-row"
    context.close()


def test_packet_print_button(browser, live_server, db, site):
    sup = store.scalar(db, "SELECT id FROM users WHERE username = 'sup'")
    decisions.approve(db, site["clean"], sup)
    decisions.accept(db, site["clean"], sup)
    context = browser.new_context(viewport={"width": 360, "height": 800}, is_mobile=True, locale="en-US")
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.add_init_script("window.print = () => { document.documentElement.dataset.printed = 'yes'; };")
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/review/{site['clean']}/packet")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("document.documentElement.dataset.printed") == "yes"
    for link in page.locator("a.tap").all():
        assert link.bounding_box()["height"] >= 44
    snap(page, "phone-packet")
    page.emulate_media(media="print")
    assert not page.get_by_role("button", name="Print").is_visible()
    assert errors == []
    context.close()
