"""An admin's round in a real Chromium: import, a site and its tag, labels, progress map, a new user."""

import os

import pytest

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


def test_import_then_tag_then_labels(admin_page, live_server, app, db, tmp_path):
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
    page.select_option("select[name=district_id]", label="Jambyl · Жуалынский район")
    page.get_by_role("button", name="Count labels").click()
    page.get_by_text("Labels: 2 · A4 sheets: 1").wait_for()
    shot(page, "labels")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    assert download.value.suggested_filename == "fieldapp-labels.pdf"
    assert not [e for e in page.errors if "Content Security Policy" in e]


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
