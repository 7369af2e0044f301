"""Splices on the phone at 360 px (issue 15): a splice still queued can be corrected, and each
record syncs exactly once; a splice saved over target offers its next attempt at once."""

from browser_helpers import wait_until
from playwright.sync_api import expect

from fieldapp import installations
from fieldapp import store
from tests.test_technician_browser import app_page  # noqa: F401  (fixtures)
from tests.test_technician_browser import goto
from tests.test_technician_browser import phone_page  # noqa: F401
from tests.test_technician_browser import sites  # noqa: F401

LOSSES = ("loss_1310_ab", "loss_1310_ba", "loss_1550_ab", "loss_1550_ba")
CURRENT = ("SELECT slot, attempt, loss_1310_ab FROM splices"
           " WHERE id NOT IN (SELECT replaces FROM splices WHERE replaces IS NOT NULL) ORDER BY slot")


def one_row(page, site, value, offline=False):
    goto(page, f"#/site/{site}/splices")
    expect(page.locator("[name=closure_label]")).to_be_visible()
    page.context.set_offline(offline)  # the screen's module is loaded: no service worker here
    page.fill("[name=closure_label]", "MUF-1")
    page.fill("[name=fiber_count]", "1")
    page.click("[name=make_rows]")
    fill(page.locator(".splice-row").nth(0), value)
    page.click("[name=save_splices]")


def fill(row, value):
    for name in LOSSES:
        row.locator(f"[name={name}]").fill(value)


def test_a_splice_still_on_the_phone_is_corrected_and_each_record_syncs_once(app_page, sites, db):  # noqa: F811
    page = app_page
    one_row(page, sites["a"], "0,05", offline=True)
    saved = page.locator(".saved-splices li")
    expect(saved).to_have_count(1)
    expect(saved.first).to_contain_text("waiting")
    saved.first.locator("[name=fix]").click()  # a mistyped loss, found before any network
    row = page.locator(".splice-row").nth(0)
    expect(row.locator("[name=loss_1310_ab]")).to_have_value("0.05")
    row.locator("[name=loss_1310_ab]").fill("0,07")
    page.click("[name=save_splices]")
    expect(saved).to_have_count(1)  # the correction stands in for the queued splice
    page.context.set_offline(False)
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM splices") == 2)
    assert db.execute(CURRENT).fetchall() == [(1, 1, 0.07)]
    page.wait_for_timeout(500)
    assert store.scalar(db, "SELECT COUNT(*) FROM splices") == 2  # nothing sent twice


def test_a_splice_saved_over_target_offers_a_resplice(app_page, sites, db):  # noqa: F811
    page = app_page
    one_row(page, sites["a"], "0,68")  # 0.58 dB over the 0.10 dB target
    offer = page.locator(".resplice")
    expect(offer).to_contain_text("MUF-1 · Tray 1 · Slot 1: 0.58 dB over target")
    button = offer.locator("[name=resplice]")
    expect(button).to_have_text("Re-splice (attempt 2)")
    assert button.bounding_box()["height"] >= 48
    button.click()
    row = page.locator(".splice-row").nth(0)
    expect(row.locator("[name=attempt]")).to_have_value("2")
    expect(row.locator("[name=loss_1310_ab]")).to_have_value("")
    expect(row.locator("[name=loss_1310_ab]")).to_be_focused()
    fill(row, "0,04")
    page.click("[name=save_splices]")
    expect(page.locator(".resplice")).to_have_count(0)  # a pass offers nothing
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM splices") == 2)
    assert db.execute(CURRENT).fetchall() == [(1, 2, 0.04)]


def test_a_refused_splice_corrected_from_the_list_takes_its_place(app_page, sites, db):  # noqa: F811
    page = app_page
    site = sites["a"]
    installations.transition(db, site, "submitted")
    installations.transition(db, site, "approved")  # locked: the next splice is refused
    one_row(page, site, "0,05")
    expect(page.locator("#outbox")).to_have_attribute("data-failed", "1", timeout=20_000)
    installations.transition(db, site, "returned")  # the supervisor reopens it
    goto(page, f"#/site/{site}")
    goto(page, f"#/site/{site}/splices")
    page.locator(".saved-splices li [name=fix]").click()
    page.locator(".splice-row").nth(0).locator("[name=loss_1310_ab]").fill("0,06")
    page.click("[name=save_splices]")
    expect(page.locator("#outbox")).to_have_attribute("data-failed", "0", timeout=20_000)
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=20_000)
    assert db.execute("SELECT loss_1310_ab, replaces FROM splices").fetchall() == [(0.06, None)]
