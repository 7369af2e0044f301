"""The phone app's edge cases in Chromium at 360 px: wrong or unknown tags, a refused camera,
impossible values, a file that is not a photo, and a record the server refuses."""

import re

import pytest
from browser_helpers import FAKE_CAMERA_ARGS
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import phone_photo
from browser_helpers import save_note
from browser_helpers import sign_in
from browser_helpers import wait_until
from PIL import Image
from PIL import ImageEnhance
from PIL import ImageFilter
from playwright.sync_api import expect

from fieldapp import accounts
from fieldapp import installations
from fieldapp import store
from fieldapp import tags
from fieldapp.evidence import imaging


@pytest.fixture
def sites(app, db, make):
    tech = make.user("technician", username="tech")
    a = make.installation([tech], type="school")
    b = make.installation([tech], type="akimat")
    keys = app.config["TAG_KEYS"]
    codes = {s: tags.issue(db, keys, installations.get(db, s)["institution_id"]) for s in (a, b)}
    return {"a": a, "b": b, "codes": codes}


@pytest.fixture
def phone_page(browser, live_server, sites):
    """Open the app signed in, on a phone with no camera permission; with or without the SW."""
    contexts = []

    def open_phone(worker):
        context = browser.new_context(**PHONE, service_workers="allow" if worker else "block")
        contexts.append(context)
        page = context.new_page()
        sign_in(page, live_server.url)
        open_app(page, live_server.url, worker=worker)
        return page

    yield open_phone
    for context in contexts:
        context.close()


@pytest.fixture
def app_page(phone_page):
    """The screens without the service worker (test_offline.py and the update test use it)."""
    return phone_page(worker=False)


def goto(page, hash_):
    page.goto(f"{page.url.split('#')[0]}{hash_}")


def test_camera_denied_falls_back_to_typing(launch_browser, browser_type_launch_args, live_server, sites):
    args = [*browser_type_launch_args.get("args", []), *FAKE_CAMERA_ARGS]
    browser = launch_browser(args=args)
    context = browser.new_context(**PHONE, service_workers="block")
    app_page = context.new_page()  # a camera exists, permission is not given
    sign_in(app_page, live_server.url)
    open_app(app_page, live_server.url, worker=False)
    goto(app_page, f"#/site/{sites['a']}/scan")
    expect(app_page.locator(".scan-message")).to_contain_text("not allowed")
    expect(app_page.locator("[name=tag_code]")).to_be_focused()
    app_page.fill("[name=tag_code]", tags.human(sites["codes"][sites["a"]]).lower())
    app_page.click("[name=check_code]")
    expect(app_page.locator(".scan-ok")).to_be_visible()
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "0")  # sent at once


def test_a_scan_screen_left_before_it_finished_drawing_lets_go_of_the_camera(
        launch_browser, browser_type_launch_args, live_server, sites):
    """A tap on Scan and straight back: the scan screen's camera must not stay on behind the
    site screen, draining the battery with its light lit until the next screen change."""
    browser = launch_browser(args=[*browser_type_launch_args.get("args", []), *FAKE_CAMERA_ARGS])
    context = browser.new_context(**PHONE, service_workers="block", permissions=["camera"])
    context.add_init_script("""
        window.__tracks = [];
        const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
        navigator.mediaDevices.getUserMedia = async (wanted) => {
            const stream = await open(wanted);
            window.__tracks.push(...stream.getTracks());
            return stream;
        };
    """)
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    page.evaluate("""(id) => {
        location.hash = `#/site/${id}/scan`;
        setTimeout(() => { location.hash = `#/site/${id}`; }, 0);
    }""", sites["a"])
    expect(page.locator(f"a.tile[href='#/site/{sites['a']}/speed']")).to_be_visible()
    wait_until(page, lambda: page.evaluate("window.__tracks.length") > 0)
    wait_until(page, lambda: page.evaluate("window.__tracks.every((t) => t.readyState === 'ended')"))
    context.close()


def test_another_sites_tag_warns_clearly(app_page, sites, db):
    goto(app_page, f"#/site/{sites['a']}/scan")
    app_page.fill("[name=tag_code]", sites["codes"][sites["b"]])
    app_page.click("[name=check_code]")
    expect(app_page.locator(".wrong-site")).to_contain_text("Wrong site!")
    assert db.execute("SELECT COUNT(*) FROM scans").fetchone()[0] == 0
    app_page.locator(".wrong-site button").click()
    expect(app_page).to_have_url(f"{app_page.url.split('#')[0]}#/site/{sites['b']}")


@pytest.mark.parametrize("typed, message", [
    ("ZZZZ-ZZZZ-1ABCDEF", "Unknown tag"),
    ("hello", "not a fieldapp tag"),
])
def test_unknown_or_malformed_tags_say_so(app_page, sites, typed, message):
    goto(app_page, f"#/site/{sites['a']}/scan")
    app_page.fill("[name=tag_code]", typed)
    app_page.click("[name=check_code]")
    expect(app_page.locator(".scan-result")).to_contain_text(message)


def test_impossible_values_are_refused_next_to_the_field(app_page, sites, db):
    goto(app_page, f"#/site/{sites['a']}/splices")
    app_page.fill("[name=closure_label]", "MUF-2")
    app_page.fill("[name=fiber_count]", "2")
    app_page.click("[name=make_rows]")
    rows = app_page.locator(".splice-row")
    rows.nth(0).locator("[name=loss_1310_ab]").fill("-7")
    rows.nth(0).locator("[name=a_fiber]").fill("13")
    rows.nth(1).locator("[name=loss_1550_ab]").fill("abc")
    rows.nth(1).locator("[name=splicer_estimate_db]").fill("9")
    rows.nth(1).locator("[name=attempt]").fill("0")
    app_page.click("[name=save_splices]")
    def beside(row, name):
        return rows.nth(row).locator(".field", has=app_page.locator(f"[name={name}]"))

    expect(beside(0, "loss_1310_ab")).to_contain_text("between -1")
    expect(beside(0, "a_fiber")).to_contain_text("between 1 and 12")
    expect(beside(1, "loss_1550_ab")).to_contain_text("Enter a number")
    expect(beside(1, "splicer_estimate_db")).to_contain_text("between -1")
    expect(beside(1, "attempt")).to_contain_text("between 1 and 99")
    assert db.execute("SELECT COUNT(*) FROM splices").fetchone()[0] == 0


def splice_rows(db):
    columns = ["slot", "attempt", "splicer_model", "splicer_serial", "splicer_estimate_db"]
    rows = db.execute(f"SELECT {', '.join(columns)} FROM splices ORDER BY slot")
    return [dict(zip(columns, row, strict=True)) for row in rows]


def test_a_tray_records_its_splicer_and_each_fibers_attempt_and_estimate(app_page, sites, db):
    page = app_page
    goto(page, f"#/site/{sites['a']}/splices")
    page.fill("[name=closure_label]", "MUF-9")
    page.fill("[name=fiber_count]", "2")
    page.fill("[name=splicer_model]", "Fujikura 90S")
    page.fill("[name=splicer_serial]", "SN 40411")
    page.click("[name=make_rows]")
    rows = page.locator(".splice-row")
    expect(rows.nth(0).locator(".swatch").first).to_have_attribute("title", "blue")
    expect(rows.nth(1).locator(".swatch").nth(1)).to_have_text("OR")  # tube 1 blue, fiber 2 orange
    names = ("loss_1310_ab", "loss_1310_ba", "loss_1550_ab", "loss_1550_ba")
    for n, losses in enumerate([("0.05", "0.07", "0.04", "0.06"), ("0.15", "0.17", "0.14", "0.16")]):
        for name, value in zip(names, losses, strict=True):
            rows.nth(n).locator(f"[name={name}]").fill(value)
    rows.nth(0).locator("[name=splicer_estimate_db]").fill("0,02")
    expect(rows.nth(1).locator(".verdict-retry")).to_be_visible()  # 0.16 dB on a first attempt
    rows.nth(1).locator("[name=attempt]").fill("3")
    expect(rows.nth(1).locator(".verdict-out_of_spec")).to_be_visible()  # accepted after 3 attempts
    rows.nth(1).locator("[name=attempt]").fill("1")
    page.click("[name=save_splices]")
    expect(page.locator(".saved-splices li")).to_have_count(2)
    expect(page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=15_000)
    splicer = {"splicer_model": "Fujikura 90S", "splicer_serial": "SN 40411"}
    assert splice_rows(db) == [
        {"slot": 1, "attempt": 1, **splicer, "splicer_estimate_db": 0.02},
        {"slot": 2, "attempt": 1, **splicer, "splicer_estimate_db": None},
    ]

    # The next visit starts from the same splicer; correcting the fiber over target is its next attempt.
    goto(page, f"#/site/{sites['a']}")
    goto(page, f"#/site/{sites['a']}/splices")
    expect(page.locator("[name=splicer_model]")).to_have_value("Fujikura 90S")
    expect(page.locator("[name=splicer_serial]")).to_have_value("SN 40411")
    page.locator(".saved-splices li", has_text="2: A").get_by_role("button").click()
    expect(rows).to_have_count(1)
    expect(rows.nth(0).locator("[name=attempt]")).to_have_value("2")
    expect(rows.nth(0).locator("[name=loss_1310_ab]")).to_have_value("")  # a new splice, to measure

    # The header now describes the next tray; the re-spliced fiber stays where it is.
    page.fill("[name=closure_label]", "MUF-10")
    page.fill("[name=tray]", "7")
    page.fill("[name=splicer_serial]", "SN 50000")
    for name, value in zip(names, ("0.03", "0.04", "0.02", "0.03"), strict=True):
        rows.nth(0).locator(f"[name={name}]").fill(value)
    page.click("[name=save_splices]")
    wait_until(page, lambda: store.scalar(db, "SELECT COUNT(*) FROM splices") == 3, timeout_ms=15_000)
    current = db.execute(
        "SELECT closure_label, tray, slot, attempt, splicer_serial, loss_1310_ab FROM splices"
        " WHERE id NOT IN (SELECT replaces FROM splices WHERE replaces IS NOT NULL) ORDER BY slot"
    ).fetchall()
    assert current == [("MUF-9", 1, 1, 1, "SN 40411", 0.05), ("MUF-9", 1, 2, 2, "SN 50000", 0.03)]


def quality_photos(tmp_path):
    """A sharp, a dark and a blurred 1600x1200 photo, as files a phone camera would give."""
    sharp = Image.open(phone_photo(tmp_path / "sharp.jpg", size=(1600, 1200))).convert("RGB")
    files = {"sharp": sharp, "dark": ImageEnhance.Brightness(sharp).enhance(0.08),
             "blurred": sharp.filter(ImageFilter.GaussianBlur(6))}
    for name, image in files.items():
        image.save(tmp_path / f"{name}.jpg", "JPEG", quality=90)
    return [tmp_path / f"{name}.jpg" for name in files]


def test_a_dark_or_blurred_photo_is_flagged_at_capture_as_the_supervisor_will(app_page, sites, tmp_path):
    page = app_page
    goto(page, f"#/site/{sites['a']}/photos")
    cards = page.locator(".shot[data-shot]")
    expect(cards.first).to_be_visible()
    page.context.set_offline(True)  # measured on the phone: no server needed (and nothing sent)
    for n, path in enumerate(quality_photos(tmp_path)):
        cards.nth(n).locator("input[type=file]").set_input_files(str(path))
        expect(cards.nth(n)).to_have_class(re.compile(r"\bhas-photo\b"))
    expect(cards.nth(0)).not_to_have_class(re.compile("has-problem"))
    expect(cards.nth(1)).to_have_class(re.compile("has-problem"))
    expect(cards.nth(1).locator(".photo-dark")).to_contain_text("Too dark")
    expect(cards.nth(2).locator(".photo-blurred")).to_contain_text("Looks blurred")
    expect(cards.nth(0).locator(".photo-dark, .photo-blurred")).to_have_count(0)

    # The phone's figures are the server's, measured on the bytes it will upload.
    queued = page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("fieldapp").onsuccess = (e) => {
            const req = e.target.result.transaction("photos").objectStore("photos").getAll();
            req.onsuccess = async () => resolve(await Promise.all(req.result.map(async (p) => ({
                quality: p.quality, bytes: [...new Uint8Array(await p.blob.arrayBuffer())]}))));
        };
    })""")
    assert len(queued) == 3
    for n, photo in enumerate(queued):
        uploaded = tmp_path / f"uploaded-{n}.jpg"
        uploaded.write_bytes(bytes(photo["bytes"]))
        server = imaging.process(str(uploaded))
        assert abs(photo["quality"]["brightness"] - server["brightness"]) < 3
        assert 0.75 < (photo["quality"]["sharpness"] + 1) / (server["sharpness"] + 1) < 1.33, (photo, server)


def test_the_keyboards_enter_walks_the_readings_row_after_row(app_page, sites):
    page = app_page
    goto(page, f"#/site/{sites['a']}/splices")
    page.fill("[name=closure_label]", "MUF-4")
    page.fill("[name=fiber_count]", "2")
    page.click("[name=make_rows]")
    focused = "[document.activeElement.name, [...document.querySelectorAll('.splice-row')]" \
              ".indexOf(document.activeElement.closest('.splice-row'))]"
    assert page.evaluate(focused) == ["loss_1310_ab", 0]  # typing starts at the first reading
    for value in ("0.05", "0.07", "0.04", "0.06"):
        page.keyboard.type(value)
        page.keyboard.press("Enter")
    assert page.evaluate(focused) == ["loss_1310_ab", 1]
    expect(page.locator(".splice-row").nth(0).locator(".verdict-pass")).to_be_visible()
    page.locator(".splice-row").nth(1).locator("[name=attempt]").focus()
    page.keyboard.press("Enter")  # other cells step to the next cell
    assert page.evaluate(focused) == ["splicer_estimate_db", 1]


def test_the_speed_tile_says_what_the_speed_test_still_needs(phone_page, sites, app, db, make):
    from review_evidence import Evidence
    from review_evidence import speed

    tech = accounts.get_user(db, db.execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0])
    wifi, short = make.installation([tech], type="school"), make.installation([tech], type="school")
    evidence = Evidence(db, app.config)
    evidence.batch(tech, speed(sites["a"], down=95.0, up=94.0))
    evidence.batch(tech, speed(sites["b"], down=5.0, up=4.0))  # an akimat's contract is more
    evidence.batch(tech, speed(wifi, connection="wifi"))  # fast, but the contract wants a cable
    evidence.batch(tech, speed(short, runs=1))  # fast, but one run proves little
    page = phone_page(worker=False)
    expected = {sites["a"]: "speed test done", sites["b"]: "speed below the contract",
                wifi: "speed test needs a cable, not Wi-Fi", short: "more speed test runs needed"}
    for site, text in expected.items():
        goto(page, f"#/site/{site}")
        expect(page.locator(f"a.tile[href='#/site/{site}/speed'] small")).to_have_text(text)
    goto(page, f"#/site/{sites['b']}/submit")
    expect(page.locator(".checklist .missing", has_text="speed below the contract")).to_be_visible()


def test_live_verdict_bend_and_one_direction(app_page, sites):
    goto(app_page, f"#/site/{sites['a']}/splices")
    app_page.fill("[name=closure_label]", "MUF-3")
    app_page.click("[name=make_rows]")
    row = app_page.locator(".splice-row").nth(0)
    row.locator("[name=loss_1310_ab]").fill("0.02")
    expect(row.locator(".one-direction")).to_be_visible()
    row.locator("[name=loss_1310_ba]").fill("0.04")
    expect(row.locator(".verdict-pass")).to_be_visible()
    row.locator("[name=loss_1550_ab]").fill("0.9")
    row.locator("[name=loss_1550_ba]").fill("0.7")
    expect(row.locator(".verdict-fail")).to_be_visible()
    expect(row.locator(".bend")).to_be_visible()


def test_a_file_that_is_not_a_photo_is_refused(app_page, sites, tmp_path):
    fake = tmp_path / "photo.jpg"
    fake.write_bytes(b"this is not a jpeg")
    goto(app_page, f"#/site/{sites['a']}/photos")
    card = app_page.locator(".shot[data-shot]").nth(0)
    card.locator("input[type=file]").set_input_files(str(fake))
    expect(card.locator(".error")).to_contain_text("not a photo")
    expect(app_page.locator("#outbox")).to_have_attribute("data-photos", "0")


def test_a_refused_record_stays_with_the_servers_reason(app_page, sites, db):
    site = sites["a"]
    installations.transition(db, site, "submitted")
    installations.transition(db, site, "approved")  # approved after the phone pulled
    goto(app_page, f"#/site/{site}/notes")
    app_page.fill("[name=note]", "Cable entry sealed with foam")
    app_page.click("form button")
    failure = app_page.locator("#outbox .failure")
    expect(failure).to_be_visible(timeout=15_000)
    expect(failure.locator(".reason")).not_to_be_empty()
    expect(app_page.locator("#outbox")).to_have_attribute("data-failed", "1")
    # The headline says what needs the technician, not "waiting: records 0 · photos 0".
    expect(app_page.locator(".outbox-toggle")).to_have_text("Refused, needs your correction: 1")
    assert db.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    installations.transition(db, site, "returned")  # the supervisor reopens it
    failure.locator("summary").click()  # one line until tapped: then the reason and actions
    failure.get_by_role("link").click()
    expect(app_page.locator("[name=note]")).to_have_value("Cable entry sealed with foam")
    app_page.click("form button")
    expect(app_page.locator("#outbox")).to_have_attribute("data-failed", "0", timeout=15_000)
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "0", timeout=15_000)
    assert db.execute("SELECT text FROM notes").fetchall() == [("Cable entry sealed with foam",)]


def test_an_update_keeps_queued_work_and_says_so(phone_page, sites, monkeypatch):
    from fieldapp import technician

    app_page = phone_page(worker=True)
    app_page.context.route("**/api/**", lambda route: route.abort())  # nothing can be sent
    goto(app_page, f"#/site/{sites['a']}/notes")
    app_page.fill("[name=note]", "Written before the update")
    app_page.click("form button")
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "1")
    monkeypatch.setattr(technician, "shell_version", lambda assets: "new-version1")
    app_page.reload()
    expect(app_page.locator("#notice")).to_contain_text("was updated", timeout=15_000)
    expect(app_page.locator("#outbox")).to_have_attribute("data-records", "1")
    for _ in range(50):  # the old shell's cache goes once the new worker has activated
        keys = app_page.evaluate("() => caches.keys()")
        if len(keys) == 1:
            break
        app_page.wait_for_timeout(100)
    assert keys == ["fieldapp-shell-new-version1"]


def test_a_tag_url_opens_its_site_offline(phone_page, sites, live_server):
    page = phone_page(worker=True)
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/T/{sites['codes'][sites['b']]}")
    expect(page).to_have_url(f"{live_server.url}/tech/app#/site/{sites['b']}")
    expect(page.locator("#outbox")).to_have_attribute("data-records", "1")  # the scan, queued


def test_a_returned_shot_shows_its_reason_and_a_new_photo_resolves_it(phone_page, sites, db, make, tmp_path):
    site = sites["a"]
    supervisor = make.user("supervisor")
    installations.transition(db, site, "submitted")
    with store.write(db):
        review = db["reviews"].insert({"installation_id": site, "reviewer_id": supervisor["id"],
                                       "decision": "return", "profile_id": 1, "checks": "[]",
                                       "at": "2026-11-24T10:00:00Z"}).last_pk
        db["returned_items"].insert({"review_id": review, "installation_id": site, "item_kind": "shot",
                                     "item_ref": "cable_entry", "reason": "Seal not visible"})
    installations.transition(db, site, "returned")
    page = phone_page(worker=False)
    goto(page, f"#/site/{site}")
    expect(page.locator(".returned")).to_contain_text("Seal not visible")
    page.locator(".returned a").click()
    card = page.locator(".shot[data-shot=cable_entry]")
    expect(card).to_contain_text("Seal not visible")
    photo = phone_photo(tmp_path / "entry.jpg", size=(1200, 900))
    card.locator("input[type=file]").set_input_files(str(photo))
    expect(card).to_contain_text("on the server", timeout=15_000)
    expect(page.locator("#outbox")).to_have_attribute("data-photos", "0")
    goto(page, f"#/site/{site}")
    expect(page.locator(".tiles")).to_be_visible()
    expect(page.locator(".returned")).to_have_count(0, timeout=15_000)
    assert db.execute("SELECT resolved_at FROM returned_items").fetchone()[0] is not None


def test_an_interrupted_photo_upload_resumes_and_is_stored_once(app_page, sites, db, tmp_path):
    patches = []

    def cut_second_chunk(route):
        if route.request.method == "PATCH":
            patches.append(route.request.headers["upload-offset"])
            if len(patches) == 2:
                return route.abort("connectionreset")
        return route.continue_()

    app_page.context.route("**/api/v1/photos/**", cut_second_chunk)
    goto(app_page, f"#/site/{sites['a']}/photos")
    card = app_page.locator(".shot[data-shot]").nth(0)
    card.locator("input[type=file]").set_input_files(str(phone_photo(tmp_path / "a.jpg")))
    expect(app_page.locator("#outbox")).to_have_attribute("data-photos", "1")
    expect(app_page.locator(".net")).to_have_text("Offline", timeout=15_000)  # the cut was seen
    app_page.click(".sync-now")
    expect(app_page.locator("#outbox")).to_have_attribute("data-photos", "0", timeout=15_000)
    assert patches[:4] == ["0", "262144", "262144", "524288"]  # resumed at the cut, not from 0
    rows = db.execute("SELECT status, size FROM photos").fetchall()
    assert len(rows) == 1 and rows[0][0] == "complete"


def test_another_users_queued_work_waits_for_that_user(browser, live_server, make, db, sites):
    """Two technicians share a phone: each one's queued work is sent only in their session."""
    other = make.user("technician", username="tech2")
    other_site = make.installation([other], type="hospital")
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    page.context.route("**/api/v1/batches", lambda route: route.abort())  # the batch is stored, unsent
    save_note(page, sites["a"], "Written by the first technician")
    expect(page.locator("#outbox")).to_have_attribute("data-records", "1")
    page.context.unroute("**/api/v1/batches")
    page.context.request.post(f"{live_server.url}/logout")
    bodies = []
    page.context.route("**/api/v1/batches", lambda route: (bodies.append(route.request.post_data),
                                                          route.continue_()))
    sign_in(page, live_server.url, username="tech2")
    open_app(page, live_server.url, worker=False)
    box = page.locator("#outbox")
    expect(box).to_have_attribute("data-others", "1")
    expect(box.locator(".others")).to_contain_text("must sign in")
    save_note(page, other_site, "Written by the second technician")
    authors = "SELECT u.username, n.text FROM notes n JOIN users u ON u.id = n.author_id"
    expected = [("tech2", "Written by the second technician")]
    wait_until(page, lambda: db.execute(authors).fetchall() == expected)
    expect(box).to_have_attribute("data-records", "0")
    assert not any("first technician" in body for body in bodies)
    page.context.request.post(f"{live_server.url}/logout")
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    first = "SELECT u.username FROM notes n JOIN users u ON u.id = n.author_id WHERE n.text LIKE '%first%'"
    wait_until(page, lambda: db.execute(first).fetchall() == [("tech",)])  # sent in its author's session
    expect(box).to_have_attribute("data-records", "0")
    expect(box).to_have_attribute("data-others", "0")
    context.close()


def test_a_slow_screen_left_behind_never_replaces_the_one_on_show(app_page, sites):
    """A quick tap from a site to its notes: the site screen, still reading IndexedDB, must not
    land on top of the notes form (it did, and the form vanished under the technician's thumb)."""
    page, site = app_page, sites["a"]
    for _ in range(5):
        page.evaluate("""(id) => {
            location.hash = `#/site/${id}`;
            setTimeout(() => { location.hash = `#/site/${id}/notes`; }, 0);
        }""", site)
        page.wait_for_timeout(300)  # both renders long finished
        expect(page.locator("[name=note]")).to_be_visible(timeout=1)
        goto(page, "#/")
