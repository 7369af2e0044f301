"""Equipment and the handover on a phone at 360 px, offline: the serial scanned from a label
through the (fake) camera, a typo refused next to the field, the act switched to Kazakh, a
signature drawn with a finger (mouse moves), then sync, and the supervisor's review shows both
with the server's own reading of the label."""

import json
import re

import pytest
from browser_helpers import FAKE_CAMERA_ARGS
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import qr_image
from browser_helpers import sign_in
from browser_helpers import wait_until
from browser_helpers import write_y4m
from playwright.sync_api import expect

from fieldapp import accounts
from fieldapp import decisions
from fieldapp import store
from fieldapp.evidence import checks
from tests.evidence.test_equipment import MACS
from tests.evidence.test_equipment import NORMALISED
from tests.evidence.test_equipment import REFUSED
from tests.evidence.test_equipment import WRONG_MACS
from tests.review_evidence import Evidence
from tests.review_evidence import label_jpeg

SERIAL = "HWTC1A2B3C4D"
LABEL = f"SN:{SERIAL}"


@pytest.fixture
def phone(launch_browser, browser_type_launch_args, live_server, make, tmp_path):
    """A Russian-speaking technician's phone whose camera sees the label's QR code."""
    tech = make.user("technician", username="tech", language="ru")
    make.user("supervisor", username="sup", regions=["KZ-31"], language="ru")
    site = make.installation([tech], name_ru="Школа №7", name_kk="№7 мектеп")
    camera = write_y4m(tmp_path / "label.y4m", qr_image(LABEL, size=400))
    browser = launch_browser(args=[*browser_type_launch_args.get("args", []), *FAKE_CAMERA_ARGS,
                                   f"--use-file-for-fake-video-capture={camera}"])
    context = browser.new_context(**PHONE, permissions=["camera"])
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url)  # with the service worker: the screens open offline
    yield page, site
    context.close()


def goto(page, hash_):
    page.goto(f"{page.url.split('#')[0]}{hash_}")


TARGETS = ", ".join(f"#screen {target}" for target in (
    "button", "select", "input:not([type=radio]):not([type=file])", "label.check", "label.button"))


def small_targets(page):
    """Targets under 48 px tall on the screen (gloves): their names."""
    assert page.locator(TARGETS).count() >= 6  # the screen's fields and buttons were found
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter((node) => node.offsetParent !== null && node.getBoundingClientRect().height < 48)
        .map((node) => node.name || node.textContent.trim())""", TARGETS)


def draw_signature(page):
    page.locator("canvas.signature-pad").scroll_into_view_if_needed()
    box = page.locator("canvas.signature-pad").bounding_box()
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 140)
    page.mouse.down()
    for dx, dy in ((80, 40), (130, 150), (190, 60), (250, 130), (300, 70)):
        page.mouse.move(x + dx, y + dy, steps=6)
    page.mouse.up()


def test_equipment_and_handover_offline_then_review(phone, live_server, db, browser, tmp_path):
    page, site = phone
    page.evaluate("() => caches.keys()")  # the worker is in control (open_app waited for it)
    page.context.set_offline(True)

    goto(page, f"#/site/{site}/equipment")
    page.fill("[name=model]", "HG8245H")
    page.fill("[name=serial]", "HWTC1A2B3CO4")  # an O for a zero
    page.locator("[name=label_photo]").set_input_files(str(_label_file(tmp_path)))
    page.click("[name=save_equipment]")
    expect(page.locator("#" + page.get_attribute("[name=serial]", "aria-describedby"))).to_contain_text("O")
    assert page.get_attribute("[name=serial]", "aria-invalid") == "true"

    page.click("[name=scan_serial]")
    expect(page.locator("[name=serial]")).to_have_value(SERIAL, timeout=20_000)
    page.fill("[name=mac]", "00-1a-2b-3c-4d-5e")
    assert small_targets(page) == []
    page.screenshot(path=tmp_path / "equipment-ru.png", full_page=True)
    page.click("[name=save_equipment]")
    page.wait_for_url(f"**#/site/{site}")

    goto(page, f"#/site/{site}/handover")
    expect(page.locator(".act")).to_have_attribute("lang", "ru")
    expect(page.locator(".act")).to_contain_text("Школа №7")
    expect(page.locator(".act")).to_contain_text("UTC+5")
    expect(page.locator(".act")).to_contain_text(f"HG8245H · {SERIAL}")
    page.click("[name=save_handover]")  # nothing drawn yet
    expect(page.locator("#signature-error")).not_to_be_empty()
    page.click("[name=act_kk]")
    expect(page.locator(".act")).to_have_attribute("lang", "kk")
    expect(page.locator(".act")).to_contain_text("№7 мектеп")
    assert small_targets(page) == []
    page.fill("[name=representative]", "Айгерім Сапарова")
    page.fill("[name=position]", "Директор")
    draw_signature(page)
    page.screenshot(path=tmp_path / "handover-kk.png", full_page=True)
    page.locator("[name=save_handover]").scroll_into_view_if_needed()
    page.screenshot(path=tmp_path / "handover-kk-bottom.png")
    page.click("[name=save_handover]")
    page.wait_for_url(f"**#/site/{site}")
    expect(page.locator(".tile", has_text="Передача").locator("small")).to_have_text("подписано")
    assert store.scalar(db, "SELECT COUNT(*) FROM handovers") == 0  # still offline

    page.context.set_offline(False)
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM handovers WHERE status = 'complete'") == 1
               and store.scalar(db, "SELECT COUNT(*) FROM equipment") == 1
               and store.scalar(db, "SELECT COUNT(*) FROM photos WHERE status = 'complete'") == 1, 30_000)
    (device,) = db.query("SELECT * FROM equipment")
    (handover,) = db.query("SELECT * FROM handovers")
    assert (device["serial"], device["mac"], device["entered"]) == (SERIAL, "00:1A:2B:3C:4D:5E", "scanned")
    assert (handover["representative"], handover["language"], handover["mime"]) == (
        "Айгерім Сапарова", "kk", "image/png")
    found = {c["rule"]: c["verdict"] for c in checks.run_all(db, site)["checks"]}
    assert (found["equipment.label_match"], found["handover.signed"]) == ("pass", "pass")

    review = browser.new_context(viewport={"width": 1200, "height": 900})
    sup = review.new_page()
    sign_in_supervisor(sup, live_server.url)
    sup.goto(f"{live_server.url}/review/{site}")
    expect(sup.locator("table.equipment")).to_contain_text(SERIAL)
    expect(sup.locator(".handover .representative")).to_have_text("Айгерім Сапарова")
    signature = sup.locator("img.signature")
    expect(signature).to_be_visible()
    # At least twice the pad's ~300 CSS px: sharp on A4 (~190 dpi over 8 cm).
    assert sup.evaluate("(img) => img.naturalWidth", signature.element_handle()) >= 600
    review.close()


def sign_in_supervisor(page, base_url):
    page.goto(f"{base_url}/login")
    page.fill("#username", "sup")
    page.fill("#password", "pw")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/review.*"))


def _label_file(tmp_path):
    path = tmp_path / "label.jpg"
    path.write_bytes(label_jpeg(LABEL, symbology="qr"))
    return path


def test_the_phone_checks_serials_and_macs_as_the_server_does(page, live_server):
    """static/js/serials.js against the server's own table (tests/evidence/test_equipment.py)."""
    page.goto(f"{live_server.url}/login")
    answers = page.evaluate("""async ([serials, macs]) => {
        const rules = await import("/static/js/serials.js");
        return [serials.map((s) => rules.ontSerial(s)), macs.map((m) => rules.mac(m))];
    }""", [[typed for typed, _ in NORMALISED + REFUSED], [typed for typed, _ in MACS] + WRONG_MACS])
    assert answers[0] == [{"value": v} for _, v in NORMALISED] + [{"problem": code} for _, code in REFUSED]
    assert answers[1] == [{"value": v} for _, v in MACS] + [{"problem": "mac_format"}] * len(WRONG_MACS)


@pytest.mark.parametrize(("read", "serial", "mac"), [
    ("SN HWTC 1A2B 3C4D", SERIAL, ""),  # a Code 128 of the label's printed line
    ("SN:HWTC1A2B3C4D;MAC:001A2B3C4D5E", SERIAL, "00:1A:2B:3C:4D:5E"),  # a Data Matrix of both
])
def test_the_native_detector_reads_code_128_and_data_matrix_labels(phone, read, serial, mac):
    """Where the browser has BarcodeDetector (Android Chrome), it is asked for the label formats;
    Linux Chromium has none, so this one stands in for it and says what it read."""
    page, site = phone
    stand_in = """window.BarcodeDetector = class {
        static async getSupportedFormats() { return ["qr_code", "code_128", "data_matrix", "ean_13"]; }
        constructor(options) { window.askedFor = options.formats; }
        async detect() { return [{ rawValue: READ, format: "code_128" }]; }
    };"""
    page.context.add_init_script(stand_in.replace("READ", json.dumps(read)))
    page.reload()
    page.wait_for_selector("body[data-ready='1']", state="attached")
    goto(page, f"#/site/{site}/equipment")
    page.click("[name=scan_serial]")
    expect(page.locator("[name=serial]")).to_have_value(serial, timeout=10_000)
    expect(page.locator("[name=mac]")).to_have_value(mac)
    assert page.evaluate("window.askedFor") == ["qr_code", "code_128", "data_matrix"]


def test_a_device_the_review_found_wrong_is_corrected_from_the_phone(phone, app, db):
    """The label says HWTC1A2B3C4E, the technician typed …4D: "Correct" replaces the record,
    keeping its label photo, and the label check passes."""
    page, site = phone
    tech = accounts.get_user(db, store.scalar(db, "SELECT id FROM users WHERE username = 'tech'"))
    ev = Evidence(db, app.config)
    ev.complete(tech, site)
    photo = ev.equipment(tech, site, SERIAL, label="HWTC1A2B3C4E")
    wrong = store.scalar(db, "SELECT id FROM equipment WHERE serial = ?", [SERIAL])
    sup = accounts.get_user(db, store.scalar(db, "SELECT id FROM users WHERE username = 'sup'"))
    decisions.return_items(db, site, sup["id"], [{"kind": "equipment", "ref": wrong,
                                                  "reason": "Этикетка говорит …4E"}])
    goto(page, "#/")
    page.click(".sync-now")
    expect(page.locator(".badge-returned")).to_be_visible(timeout=20_000)  # the pull brought the return
    goto(page, f"#/site/{site}/equipment")
    card = page.locator(".device.returned")
    expect(card).to_contain_text("Этикетка говорит …4E")
    card.locator("[name=correct_device]").click()
    expect(page.locator("[name=serial]")).to_have_value(SERIAL)
    page.fill("[name=serial]", "hwtc 1a2b 3c4e")
    page.click("[name=save_equipment]")
    page.wait_for_url(f"**#/site/{site}")
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM equipment") == 3, 20_000)
    fixed = [e for e in checks.load(db, site)["equipment"] if e["label_photo_id"] == photo["id"]]
    assert [e["serial"] for e in fixed] == ["HWTC1A2B3C4E"]
    assert store.scalar(db, "SELECT resolved_by FROM returned_items") == fixed[0]["id"]
    found = [c["verdict"] for c in checks.run_all(db, site)["checks"] if c["rule"] == "equipment.label_match"]
    assert found == ["pass", "pass"]
