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
from browser_helpers import wait_until
from playwright.sync_api import expect

from fieldapp import accounts
from fieldapp import sor_writer as w
from fieldapp import store
from tests import trace_evidence as te
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import splice

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
    make.user("supervisor", "sup", password="sup", regions=["KZ-31"])
    return make.installation([tech], type="school")


def open_splices(browser, live_server, site):
    """The technician's splices screen at 360 px with one row: closure MUF-1, C1 tube 1 fiber 1."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/splices")
    page.fill("[name=closure_label]", "MUF-1")
    page.fill("[name=fiber_count]", "1")
    page.click("[name=make_rows]")
    return page


@pytest.fixture
def splices_page(browser, live_server, site):
    page = open_splices(browser, live_server, site)
    yield page
    page.context.close()


def assert_thumb_sized(page):
    """Every target of an unmarked trace card is a gloved thumb's, and on the 360 px screen
    (measured in one go in the page: a redraw may replace the card between two looks)."""
    expect(card(page, "loss_1310_ab").locator("[name=mark]").first).to_be_visible()
    boxes = page.evaluate("""() => {
        const one = document.querySelector(".trace[data-slot=loss_1310_ab]");
        const targets = { attach: document.querySelector("[name=traces]").closest("label"),
            fiber: one.querySelector("[name=trace_fiber]"),
            direction: one.querySelector("[name=direction_ab]"),
            mark: one.querySelector("[name=mark]"), no_event: one.querySelector("[name=no_event]"),
            events: one.querySelector("summary") };
        return Object.fromEntries(Object.entries(targets).map(([name, el]) => {
            const r = el.getBoundingClientRect();
            return [name, [r.left, r.width, r.height]];
        }));
    }""")
    for name, (left, width, height) in boxes.items():
        assert height >= 48 and width >= 48, (name, width, height)
        assert left >= 0 and left + width <= 360, (name, left, width)


def row_after_save(page):
    return page.locator(".saved-splices .trace-line")


def card(page, slot):
    return page.locator(f".trace[data-slot={slot}]")


def test_four_traces_fill_the_splice_row_offline_and_reach_the_review(splices_page, tmp_path, db, live_server,
                                                                    site):
    page = splices_page
    page.context.set_offline(True)
    row = page.locator(".splice-row").nth(0)
    row.locator("[name=loss_1550_ab]").fill("0,5")  # typed from the OTDR's screen, mistyped
    photo = tmp_path / "closure.sor"  # a photo saved under the wrong name, and a cut trace
    photo.write_bytes(b"\xff\xd8\xff\xe0 JFIF not a trace")
    cut = tmp_path / "f02-1310-ab.sor"
    cut.write_bytes(w.truncated(w.write(w.pair(LENGTH, [])[0])))
    page.set_input_files("[name=traces]", [str(p) for p in [*fiber_traces(tmp_path), photo, cut]])
    expect(page.locator(".trace")).to_have_count(4)
    expect(page.locator(".traces .error")).to_have_text([
        "closure.sor was not attached: it is not an OTDR trace (.sor).",
        "f02-1310-ab.sor was not attached: the file is cut short; copy it from the OTDR again."])
    expect(card(page, "loss_1310_ab")).to_contain_text("1310 nm · 30 ns · 12.00 km")
    direction = card(page, "loss_1310_ba").locator("[name=direction_ba]")
    expect(direction).to_have_attribute("aria-pressed", "true")
    expect(row.locator(".trace-needed")).to_contain_text("Mark the splice in: 1310 A→B, 1310 B→A")
    shot(page, "attached")
    assert_thumb_sized(page)
    page.click(".outbox-toggle")  # the outbox says what the held traces wait for
    expect(page.locator(".outbox-details .held")).to_have_count(4)
    expect(page.locator(".outbox-details .held").first).to_have_text("mark the splice to send it")
    page.click(".outbox-toggle")

    # Marked once, in one trace; the others get the matching event (B->A at 12 km - 3 km).
    first = card(page, "loss_1310_ab").locator("tbody tr", has_text="3,000")
    first.get_by_role("button", name="This splice").click()
    expect(card(page, "loss_1310_ab").locator("summary")).to_have_text("✓ 3,000 m · 0.030 dB")
    for slot, marked in (("loss_1310_ba", "✓ 9,000 m · 0.070 dB"), ("loss_1550_ab", "✓ 3,000 m · 0.020 dB"),
                         ("loss_1550_ba", "✓ 9,000 m · 0.060 dB")):
        expect(card(page, slot).locator("summary")).to_have_text(marked)
        expect(card(page, slot)).to_contain_text("proposed")
    # A wrong direction set afterwards takes its proposal with it: none at 3 km in that file.
    card(page, "loss_1550_ba").locator("[name=direction_ab]").click()
    expect(page.locator(".trace.held")).to_have_count(1)
    expect(page.locator(".trace.held summary")).to_have_text("Events: 5")
    page.locator(".trace.held [name=direction_ba]").click()
    expect(card(page, "loss_1550_ba").locator("summary")).to_have_text("✓ 9,000 m · 0.060 dB")

    expect(row.locator("[name=loss_1310_ab]")).to_have_value("0.030")
    expect(row.locator("[name=loss_1310_ba]")).to_have_value("0.070")
    expect(row.locator("[name=loss_1550_ba]")).to_have_value("0.060")
    expect(row.locator("[name=loss_1550_ab]")).to_have_value("0,5")  # typed: kept, and marked
    expect(row.locator("[name=loss_1550_ab]")).to_have_class("differs")
    expect(row.locator(".trace-differs")).to_contain_text("1550 A→B: typed 0.500, the trace says 0.020")
    expect(row.locator(".verdict")).to_contain_text("1310 0.050")
    shot(page, "filled")
    assert page.locator("#outbox").get_attribute("data-photos") == "4"

    # Saved offline with the tray; once the network is back the traces go up as photos do.
    page.click("[name=save_splices]")
    expect(page.locator(".saved-splices li")).to_have_count(1)
    expect(page.locator(".saved-splices .trace-line")).to_contain_text("1310 0.050 · 1550 0.040 dB")
    expect(page.locator(".saved-splices .trace-differs")).to_contain_text("1550 A→B")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM traces WHERE status = 'complete'") == 4,
               timeout_ms=20_000)
    rows = db.execute("SELECT wavelength_nm, direction, fiber, event_m, filename FROM traces"
                      " ORDER BY wavelength_nm, direction").fetchall()
    assert [tuple(r) for r in rows] == [
        (1310, "ab", 1, pytest.approx(3000, abs=0.05), "f01-1310-ab.sor"),
        (1310, "ba", 1, pytest.approx(9000, abs=0.05), "f01-1310-ba.sor"),
        (1550, "ab", 1, pytest.approx(3000, abs=0.05), "f01-1550-ab.sor"),
        (1550, "ba", 1, pytest.approx(9000, abs=0.05), "f01-1550-ba.sor"),
    ]
    # Drawn now from the server's own parse, pulled back (as a reinstalled phone would see them).
    expect(page.locator(".trace small", has_text="on the server")).to_have_count(4)
    assert page.evaluate("""async (id) => {
        const site = await (await import("/static/js/store.js")).get("sites", id);
        return site.records.traces.every((t) => t.parse && t.parse.events.length === 5 && !t.reading);
    }""", site)
    expect(card(page, "loss_1550_ba").locator("summary")).to_have_text("✓ 9,000 m · 0.060 dB")
    expect(row_after_save(page)).to_contain_text("1310 0.050 · 1550 0.040 dB")
    assert db.execute("SELECT loss_1310_ab, loss_1550_ab FROM splices").fetchone() == (0.03, 0.5)

    review = page.context.browser.new_context(viewport={"width": 1280, "height": 900})
    sup = review.new_page()
    sup.goto(f"{live_server.url}/login")
    sup.fill("input[name=username]", "sup")
    sup.fill("input[name=password]", "sup")
    sup.get_by_role("button", name="Sign in").click()
    sup.goto(f"{live_server.url}/review/{site}")
    expect(sup.locator(".trace-pair")).to_have_count(2)
    expect(sup.locator(".trace-pair svg polyline")).to_have_count(4)
    shot(sup, "review")
    review.close()


@pytest.mark.parametrize("language, filled, summary", [
    ("ru", "0,030", "1310 нм · 30 нс · 12,00 км"), ("kk", "0,030", "1310 нм · 30 нс · 12,00 км")])
def test_the_traces_read_in_russian_and_kazakh_with_decimal_commas(browser, live_server, db, site, tmp_path,
                                                                   language, filled, summary):
    db.execute("UPDATE users SET language = ? WHERE username = 'tech'", [language])
    db.conn.commit()
    page = open_splices(browser, live_server, site)
    page.context.set_offline(True)
    page.set_input_files("[name=traces]", [str(p) for p in fiber_traces(tmp_path)])
    expect(card(page, "loss_1310_ab")).to_contain_text(summary)
    shot(page, f"attached-{language}")
    assert_thumb_sized(page)
    card(page, "loss_1310_ab").locator("tbody tr").nth(1).locator("[name=mark]").click()
    row = page.locator(".splice-row").nth(0)
    expect(row.locator("[name=loss_1310_ab]")).to_have_value(filled)
    expect(row.locator(".verdict strong")).to_have_class("pass verdict-pass")
    assert "{" not in page.locator(".traces").inner_text()  # every message found and filled in
    shot(page, f"filled-{language}")
    page.context.close()


def test_a_returned_trace_is_retested_on_the_phone_and_the_site_resubmitted(browser, live_server, app, db,
                                                                           site, tmp_path):
    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    ev = Evidence(db, app.config)
    traces = te.store_fiber(ev, tech, site)  # fiber 1 of MUF-1, both ways at both wavelengths
    ev.batch(tech, splice(site, slot=1), record("submission", site, comment=""))
    returned = next(t for t in traces if t["direction"] == "ba" and t["wavelength_nm"] == 1550)
    review = browser.new_context(viewport={"width": 1280, "height": 900})  # the supervisor returns it
    sup = review.new_page()
    sup.goto(f"{live_server.url}/login")
    sup.fill("input[name=username]", "sup")
    sup.fill("input[name=password]", "sup")
    sup.get_by_role("button", name="Sign in").click()
    sup.goto(f"{live_server.url}/review/{site}")
    item = sup.locator(f".return-item[data-item='trace:{returned['id']}']")  # under the trace's checks
    item.get_by_role("checkbox").check()
    item.get_by_role("textbox").fill("Noisy: retest fiber 1 from the B end at 1550")
    sup.get_by_role("button", name="Return the chosen items").click()
    sup.get_by_text("Returned to the technician").wait_for()
    review.close()

    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/splices")
    back = card(page, "loss_1550_ba")
    expect(back).to_contain_text("Noisy: retest fiber 1 from the B end at 1550")
    expect(page.locator(".trace small", has_text="on the server")).to_have_count(4)
    shot(page, "returned")
    # The server's B->A traces were sent unmarked: their events match the A->B marks.
    expect(row_after_save(page)).to_contain_text("1310 0.060 · 1550 0.050 dB")
    expect(page.locator(".saved-splices .trace-needed")).to_have_count(0)
    expect(back.locator("summary")).to_have_text("✓ 9,000 m · 0.060 dB")
    _, again = te.fiber_pair(1, 1550, losses=(0.04, 0.05), seed=77)
    retest = tmp_path / "f01-1550-ba-retest.sor"
    retest.write_bytes(w.write(again))
    back.locator("[name=retest]").set_input_files(str(retest))
    wait_until(page, lambda: store.scalar(db, "SELECT resolved_by FROM returned_items") is not None,
               timeout_ms=20_000)
    new = db.execute("SELECT id, replaces, direction, fiber, event_m FROM traces WHERE filename = ?",
                     [retest.name]).fetchone()
    proposed = pytest.approx(te.LENGTH - te.SPLICE_M, abs=0.05)  # the A->B mark, seen from B
    assert (new[1], new[2], new[3], new[4]) == (returned["id"], "ba", 1, proposed)
    assert store.scalar(db, "SELECT resolved_by FROM returned_items") == new[0]
    expect(page.locator(".trace")).to_have_count(4)  # the retest in place of the returned trace
    expect(card(page, "loss_1550_ba")).to_contain_text(retest.name)
    shot(page, "retested")

    page.goto(f"{page.url.split('#')[0]}#/site/{site}/submit")
    page.check("[name=acknowledge]")  # photos and speed runs missing: submitted past them
    page.click("[name=submit]")
    status = "SELECT status FROM installations WHERE id = ?"
    wait_until(page, lambda: store.scalar(db, status, [site]) == "submitted", timeout_ms=20_000)
    context.close()


def test_a_trace_waits_for_its_splice_mark_or_for_no_event(splices_page, tmp_path, db, site):
    page = splices_page
    events = w.link_events(LENGTH, [(CLOSURE_M, 0.03)])
    path = tmp_path / "f01-1310-ab.sor"
    path.write_bytes(w.write(w.pair(LENGTH, events)[0]))
    page.set_input_files("[name=traces]", str(path))
    expect(page.locator(".trace.held")).to_have_count(1)
    page.click(".sync-now")  # online, and synced: still nothing sent, the mark is missing
    expect(page.locator(".sync-now")).to_be_enabled()
    expect(page.locator("#outbox")).to_have_attribute("data-photos", "1")
    assert store.scalar(db, "SELECT COUNT(*) FROM traces") == 0
    # Submitting says why the submission will wait, and leads back to the trace.
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/submit")
    expect(page.locator(".submit-held")).to_contain_text("1 OTDR trace(s) wait for their splice mark")
    page.locator(".submit-held a").click()
    expect(page.locator("[name=closure_label]")).to_have_value("MUF-1")  # no splice saved yet
    page.get_by_role("button", name="No event for this splice").click()
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM traces WHERE status = 'complete'") == 1)
    assert db.execute("SELECT event_m, filename FROM traces").fetchone() == (None, "f01-1310-ab.sor")
