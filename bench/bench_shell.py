"""Benchmark of the technician's offline app (issue 3), in Chromium driven by Playwright.

1. First load of the shell: every file the page itself fetches (HTML, CSS, JS modules,
   strings, manifest, icon), as gzip bytes; the QR decoder (loaded only to scan) apart;
   and everything the service worker precaches. Goal: shell <= 100 KB gzip.
2. A repeat load offline: bytes that reach the server (counted by the server itself) and
   responses answered by the service worker. Goal: 0 network bytes.
3. Photos: bytes the phone uploads vs the camera originals for the 4032x3024 test photos
   (tests/browser_helpers.phone_photo). Goal: <= 1/10.

Bytes as the phone really receives them (compressed, headers, link timing): bench/bench_wire.py.

Run: .venv/bin/python bench/bench_shell.py   (about 15 s; prints figures, asserts nothing)
"""

import gzip
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from browser_helpers import CHROMIUM  # noqa: E402
from browser_helpers import CHROMIUM_ARGS  # noqa: E402
from browser_helpers import PHONE  # noqa: E402
from browser_helpers import phone_photo  # noqa: E402

from fieldapp import accounts  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp import installations  # noqa: E402
from fieldapp import migrations  # noqa: E402
from fieldapp import places  # noqa: E402
from fieldapp import profiles  # noqa: E402
from fieldapp import store  # noqa: E402
from fieldapp.db import get_db  # noqa: E402

QR_DECODER = ("/vendor/qr-scanner/",)


class CountingApp:
    """WSGI wrapper counting the bytes the server sends, so "0 network bytes" is measured."""

    def __init__(self, app):
        self.app = app
        self.bytes = 0
        self.requests = 0
        self.log = []

    def __call__(self, environ, start_response):
        self.requests += 1
        size = 0
        for chunk in self.app(environ, start_response):
            size += len(chunk)
            yield chunk
        self.bytes += size
        self.log.append((environ["PATH_INFO"], size))


def make_app(tmp):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "TAG_KEYS": {1: "bench-key"},
                      "DATABASE": str(tmp / "bench.sqlite3"), "BLOB_DIR": str(tmp / "blobs")})
    with app.app_context():
        db = get_db()
        migrations.apply(db)
        user = accounts.create_user(db, "tech", "Tech", "tech", "technician", [], "en")
        profile = profiles.ensure_default(db)
        region = store.scalar(db, "SELECT id FROM regions WHERE iso_code = 'KZ-31'")
        with store.write(db):
            district = places.district_id(db, region, "Байзак")
            for n in range(20):
                kato = f"31000{n:04d}"
                settlement = places.settlement_id(db, district, kato, f"Ауыл {n}", None, 42.9, 71.4)
                institution = db["institutions"].insert({
                    "settlement_id": settlement, "type": "school", "name_ru": f"Школа {n}",
                    "name_kk": f"Мектеп {n}", "lat": 42.9, "lon": 71.4, "pupils": 300,
                    "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}).last_pk
                installations.create(db, institution, "PPP-2018", profile, [user])
    return app


def gz(data):
    return len(gzip.compress(data, 6))


def first_load(browser, url):
    """Files the page fetches on its first visit (service worker blocked so none is hidden)."""
    # The shell is public and holds no user data: a fresh browser loads it without signing in.
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    bodies = {}
    page.on("response", lambda r: bodies.setdefault(r.url, r))
    page.goto(f"{url}/tech/app")
    page.wait_for_selector("body[data-ready='1']", state="attached")
    page.wait_for_timeout(500)
    sizes = {}
    for response_url, response in bodies.items():
        path = response_url.removeprefix(url)
        if path.startswith("/api/") or response.status != 200:
            continue
        try:
            sizes[path] = gz(response.body())
        except Exception:  # a worker script's body is not always available to the page
            continue
    context.close()
    return sizes


def sign_in(page, url):
    page.goto(f"{url}/login")
    page.fill("#username", "tech")
    page.fill("#password", "tech")
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/sites")


def precache(url):
    """The worker's precache list and its gzip bytes, fetched the way the worker does."""
    with urllib.request.urlopen(f"{url}/sw.js") as response:
        lines = response.read().decode().split("\n")
    assets = json.loads(lines[1].removeprefix("const ASSETS = ").rstrip(";"))
    total = qr = 0
    for asset in assets:
        with urllib.request.urlopen(f"{url}{asset}") as response:
            size = gz(response.read())
        total += size
        qr += size if asset.startswith(QR_DECODER) else 0
    return len(assets), total, qr


def offline_repeat(browser, url, counter, photos):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, url)
    page.goto(f"{url}/tech/app")
    page.wait_for_selector("body[data-ready='1'][data-controlled='1']", state="attached")
    page.wait_for_selector(".site-name")
    settle(page, counter)  # the first sync (token, pull) has finished
    context.set_offline(True)
    before = counter.bytes, counter.requests
    log_start = len(counter.log)
    from_worker = []
    page.on("response", lambda r: from_worker.append(r.from_service_worker or r.url.startswith("blob:")))
    page.reload()
    page.wait_for_selector(".site-name")
    page.goto(f"{url}/tech/app#/site/1/photos")
    page.wait_for_selector(".shot[data-shot]")
    cards = page.locator(".shot[data-shot]")
    for n, path in enumerate(photos):
        cards.nth(n).locator("input[type=file]").set_input_files(str(path))
        page.wait_for_selector(f".shot[data-shot]:nth-child({n + 1}).has-photo")
    uploaded = page.evaluate("""() => new Promise((resolve) => {
        indexedDB.open("fieldapp").onsuccess = (e) => {
            const req = e.target.result.transaction("photos").objectStore("photos").getAll();
            req.onsuccess = () => resolve(req.result.map((p) => p.size));
        };
    })""")
    seen = counter.log[log_start:]
    network = counter.bytes - before[0], counter.requests - before[1], seen
    context.close()
    return network, sum(from_worker), len(from_worker), uploaded


def settle(page, counter):
    """Wait until the server has seen no request for a second."""
    seen = -1
    while seen != counter.requests:
        seen = counter.requests
        page.wait_for_timeout(1000)


def main():
    tmp = Path(tempfile.mkdtemp(prefix="bench-shell-"))
    counter = CountingApp(make_app(tmp))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # figures only, not the access log
    server = make_server("127.0.0.1", 0, counter, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    photos = [phone_photo(tmp / f"IMG_{n}.jpg", seed=n) for n in range(4)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        sizes = first_load(browser, url)
        network, from_sw, responses, uploaded = offline_repeat(browser, url, counter, photos)
        browser.close()
    count, precached, qr_precached = precache(url)
    server.shutdown()
    shell = {p: s for p, s in sizes.items() if not p.startswith(QR_DECODER)}
    print("First load of the technician shell (gzip -6 bytes of each response body):")
    for path, size in sorted(shell.items(), key=lambda item: -item[1]):
        print(f"  {size:>7,}  {path}")
    print(f"  shell total: {sum(shell.values()):,} B gzip in {len(shell)} files (goal <= 100,000)")
    print(f"  QR decoder (qr-scanner + worker), loaded only when scanning: {qr_precached:,} B gzip")
    print(f"  service worker precache (every screen, CSS, icons, QR decoder): {count} files, "
          f"{precached:,} B gzip")
    print(f"Repeat load offline (and 4 photos taken): {network[0]} network bytes, {network[1]} requests "
          f"reaching the server; {from_sw} of {responses} page responses from the service worker "
          "or blob URLs")
    for path, size in network[2]:
        note = " (Chromium's own worker update check, outside set_offline; fails silently on a real " \
            "offline phone)" if path == "/sw.js" else ""
        print(f"  {size:>7,}  {path}{note}")
    page_bytes = sum(size for path, size in network[2] if path != "/sw.js")
    print(f"  network bytes of the page itself: {page_bytes}")
    originals = [p.stat().st_size for p in photos]
    print(f"Photos: camera originals {sum(originals):,} B (4032x3024 JPEG q92), uploaded {sum(uploaded):,} B "
          f"(<= 1600 px, q0.75): ratio 1/{sum(originals) / max(1, sum(uploaded)):.1f} (goal <= 1/10)")
    for original, sent in zip(originals, uploaded, strict=True):
        print(f"  {original:>10,} -> {sent:>8,} B")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
