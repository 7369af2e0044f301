"""The technician's day offline, end to end in Chromium: sign in, lose the network and the
server, scan, splice, photograph, submit, close the browser, come back online, and find
every record and photo on the server exactly once, byte-identical. Then a server that
fails: repeated 5xx on one batch or photo, expired CSRF tokens, whole-batch errors."""

import hashlib
import json
import threading

import pytest
from browser_helpers import FAKE_CAMERA_ARGS
from browser_helpers import PHONE
from browser_helpers import open_app
from browser_helpers import phone_photo
from browser_helpers import qr_image
from browser_helpers import save_note
from browser_helpers import sign_in
from browser_helpers import wait_until
from browser_helpers import write_y4m
from playwright.sync_api import expect
from werkzeug.serving import make_server

from fieldapp import blobstore
from fieldapp import installations
from fieldapp import tags

SHOTS = 4
FIBERS = 12


class Server:
    """The app on a fixed 127.0.0.1 port that can really stop and start again (same origin)."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.start()

    def start(self):
        self.httpd = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.httpd.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(app):
    server = Server(app)
    yield server
    server.stop()


@pytest.fixture
def field(app, db, make, tmp_path):
    """A technician with two sites, tags for both, a fake camera showing site A's tag."""
    tech = make.user("technician", username="tech")
    site_a = make.installation([tech], type="school")
    site_b = make.installation([tech], type="akimat")
    keys = app.config["TAG_KEYS"]
    code_a = tags.issue(db, keys, installations.get(db, site_a)["institution_id"])
    tags.issue(db, keys, installations.get(db, site_b)["institution_id"])
    camera = write_y4m(tmp_path / "tag.y4m", qr_image(tags.url(app.config["TAG_URL_PREFIX"], code_a)))
    photos = [phone_photo(tmp_path / f"IMG_{n}.jpg", seed=n) for n in range(SHOTS)]
    return {"a": site_a, "b": site_b, "code_a": code_a, "camera": camera, "photos": photos}


def phone(browser_type, launch_args, profile_dir, camera):
    """A persistent Chromium profile: closing and reopening keeps IndexedDB, caches and the SW."""
    args = [*launch_args.get("args", []), *FAKE_CAMERA_ARGS, f"--use-file-for-fake-video-capture={camera}"]
    return browser_type.launch_persistent_context(
        str(profile_dir), **{**launch_args, "args": args}, **PHONE,
        permissions=["camera", "geolocation"], geolocation={"latitude": 42.9, "longitude": 71.4})


def outbox(page, records, photos):
    box = page.locator("#outbox")
    expect(box).to_have_attribute("data-records", str(records), timeout=20_000)
    expect(box).to_have_attribute("data-photos", str(photos), timeout=20_000)


def enter_tray(page, site_id):
    page.goto(f"{page.url.split('#')[0]}#/site/{site_id}/splices")
    page.fill("[name=closure_label]", "MUF-1")
    page.click("[name=make_rows]")
    rows = page.locator(".splice-row")
    expect(rows).to_have_count(FIBERS)
    first = rows.nth(0)
    for name, value in [("loss_1310_ab", "0.05"), ("loss_1310_ba", "0.07"),
                        ("loss_1550_ab", "0.04"), ("loss_1550_ba", "0.06")]:
        first.locator(f"[name={name}]").fill(value)
    expect(first.locator(".verdict-pass")).to_be_visible()
    for n in range(1, FIBERS):
        rows.nth(n).locator("[name=copy_prev]").click()
    expect(rows.nth(FIBERS - 1).locator("[name=a_fiber]")).to_have_value(str(FIBERS))
    page.click("[name=save_splices]")
    expect(page.locator(".saved-splices li")).to_have_count(FIBERS)


def attach_photos(page, site_id, files):
    page.goto(f"{page.url.split('#')[0]}#/site/{site_id}/photos")
    cards = page.locator(".shot[data-shot]")
    for n, path in enumerate(files):
        cards.nth(n).locator("input[type=file]").set_input_files(str(path))
        expect(cards.nth(n)).to_have_class("shot card has-photo")


def queued_photos(page):
    """What the phone will upload: id, sha256 and size of each queued photo (from IndexedDB)."""
    return page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("fieldapp").onsuccess = (e) => {
            const req = e.target.result.transaction("photos").objectStore("photos").getAll();
            req.onsuccess = () => resolve(req.result.map((p) => ({id: p.id, sha256: p.sha256,
                size: p.size, original: p.original_size})));
        };
    })""")


def test_a_day_offline_reaches_the_server_exactly_once(browser_type, browser_type_launch_args,
                                                        server, field, app, db, tmp_path):
    profile = tmp_path / "phone-profile"
    context = phone(browser_type, browser_type_launch_args, profile, field["camera"])
    page = context.new_page()
    sign_in(page, server.url)
    open_app(page, server.url)

    context.set_offline(True)
    server.stop()
    page.reload()
    expect(page.locator(".site-name")).to_have_count(2)
    page.click(f"a[href='#/site/{field['a']}']")
    page.click(f"a[href='#/site/{field['a']}/scan']")
    expect(page.locator(".scan-ok")).to_be_visible(timeout=20_000)
    enter_tray(page, field["a"])
    attach_photos(page, field["a"], field["photos"])
    page.goto(f"{server.url}/tech/app#/site/{field['a']}/submit")
    page.check("[name=acknowledge]")  # no speed test yet: submitted past that warning
    page.click("[name=submit]")
    expect(page.get_by_text("Submitted. It will be sent")).to_be_visible()
    outbox(page, 1 + FIBERS + 1, SHOTS)
    sent = queued_photos(page)
    context.close()

    context = phone(browser_type, browser_type_launch_args, profile, field["camera"])
    context.set_offline(True)
    page = context.new_page()
    page.goto(f"{server.url}/tech/app")
    outbox(page, 1 + FIBERS + 1, SHOTS)
    server.start()
    context.set_offline(False)
    outbox(page, 0, 0)
    expect(page.locator("#outbox")).to_have_attribute("data-failed", "0")
    context.close()

    site = field["a"]

    def count(table):
        return db.execute(f"SELECT COUNT(*) FROM {table} WHERE installation_id = ?", [site]).fetchone()[0]

    assert (count("scans"), count("splices"), count("submissions"), count("photos")) == (1, FIBERS, 1, SHOTS)
    assert db.execute("SELECT matched FROM scans WHERE installation_id = ?", [site]).fetchone()[0] == 1
    assert installations.get(db, site)["status"] == "submitted"
    blobs = blobstore.from_config(app.config)
    for photo in sent:
        row = db.execute("SELECT status, sha256, size, blob_key, width, height FROM photos WHERE id = ?",
                         [photo["id"]]).fetchone()
        assert row[0] == "complete" and row[1] == photo["sha256"] and row[2] == photo["size"]
        assert max(row[4], row[5]) == 1600 and photo["size"] < photo["original"]  # resized on the phone
        with blobs.open(row[3]) as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == photo["sha256"]


@pytest.fixture
def online(browser, live_server, make):
    """A signed-in phone (no service worker) with one site, and the site's id."""
    tech = make.user("technician", username="tech")
    site = make.installation([tech], type="school")
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    sign_in(page, live_server.url)
    open_app(page, live_server.url, worker=False)
    yield page, site
    context.close()


def batch_body(route):
    return json.loads(route.request.post_data or "{}")


def notes(db):
    return sorted(row[0] for row in db.execute("SELECT text FROM notes"))


def test_a_batch_the_server_keeps_failing_on_is_parked_and_the_rest_goes_on(online, db):
    page, site = online
    box = page.locator("#outbox")
    failing, pulls = [], []

    def batches(route):
        if "Poison" in (route.request.post_data or ""):
            failing.append(batch_body(route)["key"])
            return route.fulfill(status=500, content_type="text/html", body="<h1>Server Error</h1>")
        return route.continue_()

    page.context.route("**/api/v1/batches", batches)
    page.context.route("**/api/v1/pull*", lambda route: (pulls.append(len(failing)), route.continue_()))
    save_note(page, site, "Poison note")
    for attempt in (1, 2, 3):
        wait_until(page, lambda n=attempt: len(failing) >= n)
        if attempt < 3:
            page.click(".sync-now")  # instead of waiting for the backoff
    expect(box).to_have_attribute("data-parked", "1")
    expect(box.locator(".parked")).to_contain_text("Server error")
    expect(box).to_have_attribute("data-failed", "0")  # a server error is no refusal
    assert len(set(failing)) == 1  # the same key and body each time
    save_note(page, site, "Good note")
    wait_until(page, lambda: notes(db) == ["Good note"])  # sent past the parked batch
    expect(box).to_have_attribute("data-records", "1")  # only the parked one still waits
    assert len(failing) == 3 and pulls[-1] == 3
    page.click(".parked .retry")  # retried on request (or after its backoff): fails again, stays aside
    wait_until(page, lambda: len(failing) == 4)
    expect(box).to_have_attribute("data-parked", "1")
    page.context.unroute("**/api/v1/batches")  # the server is fixed
    page.click(".parked .retry")
    expect(box).to_have_attribute("data-parked", "0")
    expect(box).to_have_attribute("data-records", "0")
    assert notes(db) == ["Good note", "Poison note"]


def test_a_photo_the_server_keeps_failing_on_does_not_hold_back_the_others(online, db, tmp_path):
    page, site = online
    box = page.locator("#outbox")
    completes = []

    def complete(route):
        completes.append(route.request.url)
        if route.request.url == completes[0]:
            return route.fulfill(status=500, content_type="application/json",
                                 json={"error": "server_error", "message": "Disk full"})
        return route.continue_()

    page.context.route("**/api/v1/photos/*/complete", complete)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/photos")
    cards = page.locator(".shot[data-shot]")
    first = phone_photo(tmp_path / "a.jpg", size=(1200, 900))
    cards.nth(0).locator("input[type=file]").set_input_files(str(first))
    wait_until(page, lambda: len(completes) == 1)
    cards.nth(1).locator("input[type=file]").set_input_files(
        str(phone_photo(tmp_path / "b.jpg", seed=1, size=(1200, 900))))
    save_note(page, site, "Sent past the failing photo")
    # The second photo and the note arrive past the first (a WebP takes a moment to prepare:
    # waiting on the outbox's count alone could pass before the second photo was even queued).
    wait_until(page, lambda: notes(db) == ["Sent past the failing photo"] and db.execute(
        "SELECT COUNT(*) FROM photos WHERE status = 'complete'").fetchone()[0] == 1, 20_000)
    expect(box).to_have_attribute("data-photos", "1")
    while completes.count(completes[0]) < 3:  # retried at each sync until parked
        tries = completes.count(completes[0])
        page.click(".sync-now")
        wait_until(page, lambda n=tries: completes.count(completes[0]) > n)
    expect(box).to_have_attribute("data-parked", "1")
    expect(box.locator(".parked")).to_contain_text("Disk full")
    assert db.execute("SELECT COUNT(*) FROM photos WHERE status = 'complete'").fetchone()[0] == 1
    page.context.unroute("**/api/v1/photos/*/complete")
    page.click(".parked .retry")
    expect(box).to_have_attribute("data-photos", "0")
    assert db.execute("SELECT COUNT(*) FROM photos WHERE status = 'complete'").fetchone()[0] == 2


def test_an_expired_csrf_token_is_refreshed_and_the_request_repeated(online, db, tmp_path):
    page, site = online
    box = page.locator("#outbox")
    seen = []

    def expire_first(route):
        kind = route.request.method + " " + route.request.url.rsplit("/api/v1/", 1)[1].split("/")[0]
        seen.append(kind)
        if route.request.method in ("POST", "PATCH") and seen.count(kind) == 1:
            return route.fulfill(status=400, json={"error": "csrf_failed", "message": "Token expired."})
        return route.continue_()

    page.context.route("**/api/v1/**", expire_first)
    save_note(page, site, "Sent with a new token")
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/photos")
    page.locator(".shot[data-shot]").nth(0).locator("input[type=file]").set_input_files(
        str(phone_photo(tmp_path / "a.jpg", size=(1200, 900))))
    expect(page.locator(".shot[data-shot]").nth(0)).to_contain_text("on the server", timeout=15_000)
    expect(box).to_have_attribute("data-photos", "0")
    expect(box).to_have_attribute("data-records", "0")
    expect(box).to_have_attribute("data-failed", "0")
    assert notes(db) == ["Sent with a new token"]
    for write in ("POST batches", "PATCH photos"):  # refused once, then a token, then again
        at = seen.index(write)
        assert seen[at + 1] == "GET csrf" and seen[at + 2] == write


def test_a_token_older_than_half_an_hour_is_renewed_before_a_write(online, db, tmp_path):
    page, site = online
    page.evaluate("() => { const now = Date.now; window.skew = 0; Date.now = () => now() + window.skew; }")
    seen = []

    def age_token(route):
        seen.append(route.request.method + " " + route.request.url.rsplit("/api/v1/", 1)[1].split("/")[0])
        if seen.count("PATCH photos") == 1 and seen[-1] == "PATCH photos":
            page.evaluate("window.skew = 31 * 60 * 1000")  # a slow chunk: the token is now 31 min old
        return route.continue_()

    page.context.route("**/api/v1/**", age_token)
    page.goto(f"{page.url.split('#')[0]}#/site/{site}/photos")
    page.locator(".shot[data-shot]").nth(0).locator("input[type=file]").set_input_files(
        str(phone_photo(tmp_path / "a.jpg")))
    expect(page.locator(".shot[data-shot]").nth(0)).to_contain_text("on the server", timeout=15_000)
    at = seen.index("PATCH photos")
    assert seen[at + 1:at + 3] == ["GET csrf", "PATCH photos"]  # renewed mid-photo, before the next chunk


@pytest.mark.parametrize("status, code, same_key", [
    (400, "bad_batch", True),
    (422, "idempotency_key_reused", False),
    (413, "batch_too_large", False),
])
def test_a_whole_batch_error_never_refuses_its_records(online, db, status, code, same_key):
    page, site = online
    box = page.locator("#outbox")
    sent = []
    page.context.set_offline(True)  # two notes, then one batch of both
    save_note(page, site, "First")
    save_note(page, site, "Second")

    def refuse_first(route):
        sent.append(batch_body(route))
        if len(sent) == 1:
            return route.fulfill(status=status, json={"error": code, "message": "No", "max": 1})
        return route.continue_()

    page.context.route("**/api/v1/batches", refuse_first)
    page.context.set_offline(False)  # "online": a sync starts
    wait_until(page, lambda: len(sent) >= 1)
    expect(box).to_have_attribute("data-failed", "0")
    if same_key:  # held, then sent again as it was at the next sync
        page.click(".sync-now")
    # The retry may wait for the next sync's backoff: give a loaded CI machine time.
    expect(box).to_have_attribute("data-records", "0", timeout=20_000)
    assert notes(db) == ["First", "Second"]
    assert len(sent[0]["records"]) == 2
    assert (sent[1]["key"] == sent[0]["key"]) is same_key
    if code == "batch_too_large":
        assert [len(b["records"]) for b in sent[1:]] == [1, 1]
