"""An admin's round in a real Chromium: import, a site and its tag, labels, progress map, a new user."""

import os
import threading

import pypdfium2 as pdfium
import pytest
from playwright.sync_api import expect

from fieldapp import jobs
from fieldapp import tags

SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages: SCREENSHOT_DIR=/tmp/shots
CSV = """region,district,kato,settlement,type,name_ru,name_kk,lat,lon,bin
KZ-31,Жуалынский район,311000001,Бирлик,school,Средняя школа №1 села Бирлик,,42.9,71.4,100000000001
KZ-31,Жуалынский район,311000002,Акжар,public_wifi,Точка Wi-Fi села Акжар,Ақжар Wi-Fi нүктесі,42.8,71.3,
"""


def shot(page, name):
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.fixture
def admin_page(browser, live_server, app, make):
    app.config["WTF_CSRF_ENABLED"] = True  # the real thing: every form must carry its token
    with app.app_context():
        make.user("admin", username="boss", password="boss-password", language="en")
        make.user(username="tech", language="en")
    context = browser.new_context(
        viewport={"width": 360, "height": 800},
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        accept_downloads=True,
    )
    context.route("https://*.tile.openstreetmap.org/**", lambda route: route.abort())  # offline: no tiles
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "boss")
    page.fill("input[name=password]", "boss-password")
    page.get_by_role("button", name="Sign in").click()
    yield page
    context.close()


def test_import_then_tag_then_labels(admin_page, live_server, app, db, tmp_path, job_worker):
    page = admin_page
    path = tmp_path / "sites.csv"
    path.write_text(CSV, encoding="utf-8")
    page.goto(live_server.url + "/admin/import")
    page.set_input_files("input[name=csv_file]", str(path))
    page.fill("input[name=contract]", "PPP-2018")
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("All 2 rows are valid").wait_for()
    shot(page, "import-preview")
    page.get_by_role("button", name="Import all 2 rows").click()
    page.get_by_text("Imported 2 institutions; 2 QR tags issued.").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "sites")
    page.get_by_role("link", name="Средняя школа №1 села Бирлик").click()
    page.wait_for_function("() => document.querySelector('img.label-preview')?.naturalWidth > 0")
    old = page.locator(".tag-id").inner_text()
    shot(page, "site-edit")
    page.get_by_role("button", name="Revoke and issue a new tag").click()
    page.get_by_text("New QR tag issued").wait_for()
    assert page.locator(".tag-id").inner_text() != old
    with pytest.raises(tags.TagError):
        tags.resolve(db, app.config["TAG_KEYS"], old)
    page.goto(live_server.url + "/admin/labels")
    page.select_option("select[name=district_id]", label="Jualynskii raion")
    page.get_by_role("button", name="Count labels").click()
    page.get_by_text("Labels: 2 · A4 sheets: 1").wait_for()
    shot(page, "labels")
    page.get_by_role("button", name="Make the PDF").click()
    expect(page.locator("#job-message")).to_have_text("2 labels are ready.")
    expect(page.locator("progress")).to_have_attribute("value", "2")
    shot(page, "label-sheet")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename == "fieldapp-labels.pdf"
    assert len(pdfium.PdfDocument(download.value.path())) == 1
    assert not [e for e in page.errors if "Content Security Policy" in e]


def test_the_sheet_page_fills_its_bar_and_then_offers_the_download(
        admin_page, live_server, app, db, monkeypatch, job_worker):
    """A national sheet takes half a minute: the bar must move, and the download appear, by itself."""
    page = admin_page
    steps = [threading.Event() for _ in range(2)]

    def write(db, path, progress):
        steps[0].wait(10)
        progress(2000)
        steps[1].wait(10)
        with open(path, "wb") as out:
            out.write(b"%PDF-1.4 a stand-in, the page only links to it")
        progress(4000)

    boss = db.execute("SELECT id FROM users WHERE username = 'boss'").fetchone()[0]
    cfg = app.config
    monkeypatch.setitem(jobs.MAKERS, "label_sheet", lambda db, _params, path, done: write(db, path, done))
    job_id = jobs.start(db, cfg["JOB_DIR"], boss, "label_sheet", {"layout": "L7160"}, 4000,
                        "fieldapp-labels.pdf")
    page.goto(f"{live_server.url}/admin/jobs/{job_id}")
    expect(page.locator("#job-message")).to_have_text("Made 0 of 4,000 labels…")
    steps[0].set()
    expect(page.locator("#job-message")).to_have_text("Made 2,000 of 4,000 labels…")
    expect(page.locator("progress")).to_have_js_property("value", 2000)
    shot(page, "label-sheet-running")
    steps[1].set()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    expect(page.locator("#job-message")).to_have_text("4,000 labels are ready.")
    assert not page.errors


def test_progress_map_without_tiles_and_new_user(admin_page, live_server, app, make):
    page = admin_page
    with app.app_context():
        make.installation(status="accepted", name_ru="Школа Акколь")
        make.installation(status="returned", name_ru="Школа Тасты", lat=43.1, lon=71.6)
    page.goto(live_server.url + "/progress/")
    page.wait_for_selector("#map[data-ready='2']")
    assert page.locator("#map .leaflet-interactive, #map canvas").count() >= 1
    assert (
        page.get_by_role("cell", name="Jambyl").first.is_visible()
        or page.get_by_text("Jambyl").first.is_visible()
    )
    shot(page, "progress")
    assert not [e for e in page.errors if "Content Security Policy" in e]
    page.goto(live_server.url + "/admin/users/new")
    page.fill("input[name=username]", "aigerim")
    page.fill("input[name=name]", "Айгерим Токтарова")
    page.select_option("select[name=role]", "supervisor")
    page.get_by_label("Jambyl").check()
    page.fill("input[name=password]", "long-enough-1")
    page.fill("input[name=confirm]", "long-enough-1")
    shot(page, "user-new")
    page.get_by_role("button", name="Create").click()
    page.get_by_text("Account aigerim created.").wait_for()
    shot(page, "users")
