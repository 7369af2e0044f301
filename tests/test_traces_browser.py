"""OTDR traces on a closure's splices screen, in Chromium at 360 px, offline (issue 12).

The technician attaches the four traces of a fiber (1310/1550 x A->B/B->A, made by the test
writer), marks the closure's splice once, the app proposes it in the other three, the splice
row's losses fill from the traces and its verdict shows; a typed value the trace contradicts is
marked; then the network returns and the traces go up through the resumable upload.
Set TRACE_SCREENSHOTS=/some/dir to keep a screenshot of each step in en, ru and kk.
"""

import os

import pytest
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import sign_in
from playwright.sync_api import expect

from fieldapp import sor_writer as w

LENGTH = 12000.0
CLOSURE_M = 3000.0  # this closure's splice, from the A end
SHOTS = os.environ.get("TRACE_SCREENSHOTS")


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def fiber_traces(tmp_path, prefix="f01", loss_1310=0.03, loss_1550=0.02, gain=0.04):
    """The four .sor files of one fiber: this closure's splice at 3 km, another splice at 7 km."""
    paths = []
    for wave, loss in ((1310, loss_1310), (1550, loss_1550)):
        events = w.link_events(LENGTH, [(CLOSURE_M, loss), (7000.0, 0.08)])
        ab, ba = w.pair(LENGTH, events, wavelength_nm=wave, gain={CLOSURE_M: gain})
        for direction, trace in (("ab", ab), ("ba", ba)):
            path = tmp_path / f"{prefix}-{wave}-{direction}.sor"
            path.write_bytes(w.write(trace))
            paths.append(path)
    return paths


@pytest.fixture
def site(make):
    tech = make.user("technician", username="tech")
    return make.installation([tech], type="school")


@pytest.fixture
def splices_page(browser, live_server, site):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/splices")
    page.fill("[name=closure_label]", "MUF-1")
    page.fill("[name=fiber_count]", "2")
    page.click("[name=make_rows]")
    yield page
    context.close()


def card(page, slot):
    return page.locator(f".trace[data-slot={slot}]")


def test_four_traces_fill_the_splice_row_offline(splices_page, tmp_path):
    page = splices_page
    page.context.set_offline(True)
    row = page.locator(".splice-row").nth(0)
    row.locator("[name=loss_1550_ab]").fill("0,5")  # typed from the OTDR's screen, mistyped
    page.set_input_files("[name=traces]", [str(p) for p in fiber_traces(tmp_path)])
    expect(page.locator(".trace")).to_have_count(4)
    expect(card(page, "loss_1310_ab")).to_contain_text("1310 nm · 30 ns · 12.000 km")
    direction = card(page, "loss_1310_ba").locator("[name=direction_ba]")
    expect(direction).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".trace-needed")).to_contain_text("Mark the splice in: 1310 A→B, 1310 B→A")
    shot(page, "attached")

    # Marked once, in one trace; the others get the matching event (B->A at 12 km - 3 km).
    first = card(page, "loss_1310_ab").locator("tbody tr", has_text="3,000")
    first.get_by_role("button", name="This splice").click()
    expect(card(page, "loss_1310_ab").locator("summary")).to_have_text("✓ 3,000 m · 0.030 dB")
    for slot, marked in (("loss_1310_ba", "✓ 9,000 m · 0.070 dB"), ("loss_1550_ab", "✓ 3,000 m · 0.020 dB"),
                         ("loss_1550_ba", "✓ 9,000 m · 0.060 dB")):
        expect(card(page, slot).locator("summary")).to_have_text(marked)
        expect(card(page, slot)).to_contain_text("proposed")

    expect(row.locator("[name=loss_1310_ab]")).to_have_value("0.030")
    expect(row.locator("[name=loss_1310_ba]")).to_have_value("0.070")
    expect(row.locator("[name=loss_1550_ba]")).to_have_value("0.060")
    expect(row.locator("[name=loss_1550_ab]")).to_have_value("0,5")  # typed: kept, and marked
    expect(row.locator("[name=loss_1550_ab]")).to_have_class("differs")
    expect(row.locator(".trace-differs")).to_contain_text("1550 A→B: typed 0.500, the trace says 0.020")
    expect(row.locator(".verdict")).to_contain_text("1310 0.050")
    shot(page, "filled")
    assert page.locator("#outbox").get_attribute("data-photos") == "4"
