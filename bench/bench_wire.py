"""Bytes on the wire (issue 18): a fresh technician from sign-in to a usable offline site list.

Debian's Chromium, driven by Playwright, on an emulated link (CDP
Network.emulateNetworkConditions on the page and on its service worker, attached paused
so that even the worker's first precache fetch is throttled), against the demo data set
(`flask demo-data`: user "tech", Kazakh interface, ~30 installations with their evidence).
Bytes are what the phone
receives: Playwright's request.sizes() per response (encoded body + headers), the
service worker's fetches included. Each link runs three ways on the same server: the
baseline (COMPRESS = False, the pages loading their ES modules one by one), compression
with the modules (before bundling), and compression with the phone's bundled script
(fieldapp/bundle.py, built by esbuild into a temporary BUNDLE_DIR), and prints the ratios.

Usable offline site list: signed in, My sites shown and its first pull stored, the service
worker active with its precache, then the shell open under its control showing the sites
from IndexedDB. The goal's bytes are those of responses that started before that; what the
shell fetches once the list is shown (its own sync: a CSRF token and an incremental pull;
returned photos kept for offline viewing, static/js/returned_photos.js) is printed on a line
of its own, and counted in no goal.
Goals: <= 120 KB and <= 5 s at 400 kbit/s / 400 ms RTT; an unchanged incremental pull <= 1 KB.
TIMELINE=1 prints every response of every run in the order it started.

Run: .venv/bin/python bench/bench_wire.py   (about three minutes; prints figures, asserts nothing)
"""

import gzip
import json
import logging
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

import brotli
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from browser_helpers import CHROMIUM  # noqa: E402
from browser_helpers import CHROMIUM_ARGS  # noqa: E402
from browser_helpers import PHONE  # noqa: E402

from fieldapp import bundle  # noqa: E402
from fieldapp import compression  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp import demo  # noqa: E402
from fieldapp import migrations  # noqa: E402
from fieldapp import pull  # noqa: E402
from fieldapp.db import get_db  # noqa: E402

KBIT = 1000 / 8  # bytes per second in one kbit/s
# name, download and upload (bytes/s), round-trip time (ms)
LINKS = [
    ("400 kbit/s, 400 ms RTT", 400 * KBIT, 400 * KBIT, 400),
    ("3G (DevTools 'Fast 3G': 1.6 Mbit/s x0.9 down, 750 kbit/s x0.9 up, 562.5 ms RTT)",
     1600 * KBIT * 0.9, 750 * KBIT * 0.9, 562.5),
]
TOP = int(os.environ.get("TOP", 12))
GOAL_BYTES, GOAL_SECONDS = 120_000, 5.0


def make_app(tmp):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "TAG_KEYS": {1: "bench-key"},
                      "DATABASE": str(tmp / "bench.sqlite3"), "BLOB_DIR": str(tmp / "blobs"),
                      "JOB_DIR": str(tmp / "jobs"), "COMPRESS_CACHE_DIR": str(tmp / "compressed")})
    with app.app_context():
        db = get_db()
        migrations.apply(db)
        demo.load(db, app.config["TAG_KEYS"], app.config)
    return app


def conditions(link):
    """CDP Network.emulateNetworkConditions parameters of one link."""
    _name, down, up, rtt = link
    return {"offline": False, "latency": rtt, "downloadThroughput": down, "uploadThroughput": up}


def throttle(session, link):
    """Apply the emulated link to a page's CDP session."""
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", conditions(link))


class WorkerThrottle:
    """Throttles the service worker a page starts, from its first fetch.

    A page's emulated conditions do not reach its service worker, another target. The page's
    CDP session auto-attaches to it paused (waitForDebuggerOnStart), not flattened, so
    Playwright's session carries the messages as Target.sendMessageToTarget: the worker gets
    the same Network commands, then runs.
    """

    def __init__(self, session, link):
        self.session = session
        self.link = link
        self.ids = 0
        self.attached = []
        session.on("Target.attachedToTarget", self.attached_to)
        session.send("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True,
                                              "flatten": False})

    def send(self, session_id, method, params=None):
        self.ids += 1
        message = json.dumps({"id": self.ids, "method": method, "params": params or {}})
        self.session.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": message})

    def attached_to(self, event):
        session_id = event["sessionId"]
        if event["targetInfo"]["type"] == "service_worker":
            self.send(session_id, "Network.enable")
            self.send(session_id, "Network.emulateNetworkConditions", conditions(self.link))
            self.attached.append(event["targetInfo"]["url"])
        self.send(session_id, "Runtime.runIfWaitingForDebugger")


# Whether My sites' pull has written its cursor, the last thing sitedata.pull() stores (the
# database exists by then: the pull reads the cursor before it asks the server).
CURSOR_STORED = """() => new Promise((resolve) => {
  const open = indexedDB.open("fieldapp");
  open.onerror = () => resolve(false);
  open.onsuccess = () => {
    const db = open.result;
    const request = db.transaction("meta").objectStore("meta").get("cursor");
    request.onsuccess = () => { db.close(); resolve(request.result !== undefined); };
    request.onerror = () => { db.close(); resolve(false); };
  };
})"""


RETURNED_KEPT = CURSOR_STORED.replace('get("cursor")', 'get("returned-photos")')


def first_sign_in(browser, url, link):
    """Sign in as a fresh phone, wait for the offline site list; (seconds, responses, sw urls)."""
    context = browser.new_context(**PHONE)
    responses = []

    def finished(request):
        response = request.response()
        sizes = request.sizes()
        timing = request.timing
        responses.append({
            "start": timing["startTime"] / 1000, "end": timing["responseEnd"] / 1000,
            "path": request.url.removeprefix(url), "worker": request.service_worker is not None,
            "status": response.status if response else 0,
            "encoding": (response.headers.get("content-encoding") if response else None) or "",
            "body": sizes["responseBodySize"], "headers": sizes["responseHeadersSize"],
            "request": sizes["requestHeadersSize"] + sizes["requestBodySize"]})

    context.on("requestfinished", finished)
    page = context.new_page()
    session = context.new_cdp_session(page)
    throttle(session, link)
    workers = WorkerThrottle(session, link)
    start = time.perf_counter()
    wall = time.time()
    page.goto(f"{url}/login")
    page.fill("#username", "tech")
    page.fill("#password", "tech")
    page.click("button[type=submit]")
    page.wait_for_url("**/tech/sites")
    marks = {"My sites shown": time.perf_counter() - start}
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    marks["worker active (precache done)"] = time.perf_counter() - start
    while not any(r["path"].split("?")[0] == "/api/v1/pull" for r in responses):  # My sites' first pull
        page.wait_for_timeout(50)
    # Stored, not just received: leaving My sites while it writes the sites would leave no
    # cursor, and the shell would pull everything again.
    while not page.evaluate(CURSOR_STORED):
        page.wait_for_timeout(50)
    marks["sites stored"] = time.perf_counter() - start
    page.goto(f"{url}/tech/app")
    page.wait_for_selector("body[data-ready='1'][data-controlled='1']", state="attached", timeout=120_000)
    page.wait_for_selector(".site-name", timeout=120_000)
    elapsed = time.perf_counter() - start
    usable_at = time.time()
    marks["site list in the shell"] = elapsed
    print("    " + ", ".join(f"{name} {t:.1f} s" for name, t in marks.items()))
    # The shell's own first sync (an incremental pull), then the returned photos it keeps for
    # offline viewing: "returned-photos" is the last thing that run stores.
    deadline = time.perf_counter() + 120
    while not page.evaluate(RETURNED_KEPT) and time.perf_counter() < deadline:
        page.wait_for_timeout(100)
    if os.environ.get("TIMELINE"):
        for row in sorted(responses, key=lambda r: r["start"]):
            mark = "*" if row["worker"] else " "
            print(f"      {row['start'] - wall:6.2f} s +{row['end']:5.2f} s {received(row):>7,} B "
                  f"{mark} {row['path']}")
    context.close()
    for row in responses:  # what the list waited for, and what the app fetched once it was shown
        row["after"] = row["start"] > usable_at
    return elapsed, responses, workers.attached


def received(row):
    return row["body"] + row["headers"]


def report(label, elapsed, responses, goals=False):
    """Bytes up to the usable list (the goal's figure), then those fetched after it was shown."""
    before = [r for r in responses if not r["after"]]
    after = [r for r in responses if r["after"]]
    total = sum(received(r) for r in before)
    worker = sum(received(r) for r in before if r["worker"])
    headers = sum(r["headers"] for r in before)
    goal = f" (goals <= {GOAL_BYTES // 1000} KB, <= {GOAL_SECONDS:.0f} s)" if goals else ""
    print(f"  {label}: {total:,} B received in {len(before)} responses "
          f"({worker:,} B by the service worker; {headers:,} B of it headers), "
          f"usable offline site list after {elapsed:.1f} s{goal}")
    if after:
        print(f"    then, with the list shown: {sum(received(r) for r in after):,} B in {len(after)} "
              f"responses ({', '.join(sorted({r['path'].split('?')[0] for r in after}))})")
    return total


def top_list(responses):
    print(f"  top {TOP} responses (body + headers as received; * = service worker, "
          f"+ = after the list was shown):")
    for row in sorted(responses, key=lambda r: -received(r))[:TOP]:
        mark = ("*" if row["worker"] else " ") + ("+" if row["after"] else " ")
        print(f"    {received(row):>8,} B {mark} {row['encoding'] or '-':<5} {row['status']} {row['path']}")


def incremental_pull(responses):
    pulls = [r for r in responses if r["path"].startswith("/api/v1/pull?cursor=") and
             not r["path"].endswith("cursor=0")]
    return pulls[-1] if pulls else None


def levels(app, tech_id):
    """What compressing the full pull costs at the levels one could choose."""
    with app.app_context():
        db = get_db()
        user = db["users"].get(tech_id)
        data = json.dumps(pull.pull(db, user, 0, app.config["TAG_KEYS"])).encode()
    print(f"Compressing the first pull ({len(data):,} B JSON) once, per level (ms, bytes):")
    for name, fn, options in (("gzip", lambda d, q: gzip.compress(d, q, mtime=0), (1, 5, 6, 9)),
                              ("br", lambda d, q: brotli.compress(d, quality=q), (4, 5, 6, 11))):
        cells = []
        for q in options:
            t = time.perf_counter()
            size = len(fn(data, q))
            cells.append(f"{name}-{q}: {size:,} B {1000 * (time.perf_counter() - t):.1f} ms")
        print("  " + "; ".join(cells))


def main():
    tmp = Path(tempfile.mkdtemp(prefix="bench-wire-"))
    app = make_app(tmp)
    built = bundle.build(app.static_folder, os.path.join(ROOT, "templates"), str(tmp / "dist"))
    print(f"Bundled by esbuild: {', '.join(f'{e} -> {n}' for e, n in built['bundles'].items())} "
          f"({len(built['sources'])} modules)")
    bundle_dirs = {False: str(tmp / "no-bundle"), True: str(tmp / "dist")}
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    # (label, COMPRESS, bundled); the first is the baseline, the second "before", the third "after".
    ways = [("compression off, modules (baseline)", False, False),
            ("compression on, modules (before bundling)", True, False),
            ("compression on, bundled", True, True)]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for link in LINKS:
            print(f"Link: {link[0]}")
            runs = {}
            for label, compress, bundled in ways:
                print(f"  {label}:")
                app.config["COMPRESS"] = compress
                app.config["BUNDLE_DIR"] = bundle_dirs[bundled]
                runs[label] = first_sign_in(browser, url, link)
            if link is LINKS[0]:
                # As Chromium over plain HTTP, which offers no br (overriding its Accept-Encoding
                # would not reach the service worker's fetches): the server offers gzip only.
                print("  compression on, gzip only, bundled:")
                compression.ENCODINGS = ("gzip",)
                runs["gzip"] = first_sign_in(browser, url, link)
                compression.ENCODINGS = ("br", "gzip")
            base_label, before_label, after_label = (way[0] for way in ways)
            base = report(base_label, *runs[base_label][:2])
            before = report(before_label, *runs[before_label][:2])
            after = report(after_label, *runs[after_label][:2], goals=link is LINKS[0])
            print(f"  ratio bundled/modules (both compressed): bytes {after / before:.2f}, "
                  f"time {runs[after_label][0] / runs[before_label][0]:.2f}, responses "
                  f"{len(runs[after_label][1])}/{len(runs[before_label][1])}; bundled/baseline: "
                  f"bytes {after / base:.2f}, time {runs[after_label][0] / runs[base_label][0]:.2f}; "
                  f"throttled workers: {len(runs[after_label][2])}")
            if "gzip" in runs:
                gzipped = report("compression on, gzip only, bundled", *runs["gzip"][:2])
                seen = sorted({r["encoding"] for r in runs["gzip"][1]} - {""})
                print(f"  ratio gzip/baseline: bytes {gzipped / base:.2f}, "
                      f"time {runs['gzip'][0] / runs[base_label][0]:.2f}; encodings seen: {seen}")
            top_list(runs[after_label][1])
            row = incremental_pull(runs[after_label][1])
            if row:
                print(f"  incremental pull, nothing changed: {row['body']:,} B body + {row['headers']:,} B "
                      f"headers ({row['encoding'] or 'identity'}; goal <= 1 KB)")
        browser.close()
    with app.app_context():
        tech_id = get_db().execute("SELECT id FROM users WHERE username = 'tech'").fetchone()[0]
    levels(app, tech_id)
    server.shutdown()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
