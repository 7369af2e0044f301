"""Benchmark of the in-app speed test (issue 5), against gunicorn on 127.0.0.1.

1. Accuracy: the JavaScript client's download rate (Chromium, driven by Playwright) vs a plain
   Python client (http.client, the same 4 streams and grace period) fetching the same stream
   from the same server in the same run. Ratio goal >= 0.9. Twice: straight over loopback
   (gigabits: what each client can swallow on this CPU) and through a shaping proxy that makes
   a 100 and a 500 Mbps link (what a speed test is for: does it read the link's rate?).
2. Capacity: latency of other users' requests (a ping and a database-backed page) while 0, 1,
   2, 4, 8, 12 and 16 simulated testers download, with the default server settings
   (fieldapp/gunicorn_conf.py); then 16 testers with the per-process stream limit lifted.
   A simulated tester is 4 streams of 25 Mbps (a 100 Mbps rural contract): slow clients hold
   server threads the way real ones do.

Run: .venv/bin/python bench/bench_speed.py   (about 2 minutes; prints figures, asserts nothing)
"""

import asyncio
import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from fieldapp import accounts  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp import migrations  # noqa: E402
from fieldapp import speed  # noqa: E402
from fieldapp.db import get_db  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PHASE_S = 6.0
GRACE_S = 1.5  # what static/js/speed/runner.js uses for phases of 6 s or more
STREAMS = 4
DOWN_BYTES = 100 * 1024 * 1024
TESTER_MBPS_PER_STREAM = 25
LINKS = ((100, 3), (500, 2))  # (Mbps, rounds): a rural contract, and a fast one


class Link:
    """A shared bottleneck of `mbps`: each chunk waits for its turn on the wire."""

    def __init__(self, mbps):
        self.bytes_per_s = mbps * 1e6 / 8
        self.free_at = 0.0

    async def send(self, writer, data):
        now = asyncio.get_running_loop().time()
        self.free_at = max(now, self.free_at) + len(data) / self.bytes_per_s
        await asyncio.sleep(self.free_at - now)
        writer.write(data)
        await writer.drain()


async def pipe(reader, writer, link=None):
    try:
        while data := await reader.read(65536):
            if link:
                await link.send(writer, data)
            else:
                writer.write(data)
                await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def shaping_proxy(listen_port, upstream_port, mbps):
    """A TCP proxy on 127.0.0.1 whose server-to-client direction is a link of `mbps`."""
    async def handle(client_reader, client_writer):
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer, link))

    async def serve():
        server = await asyncio.start_server(handle, "127.0.0.1", listen_port)
        async with server:
            await server.serve_forever()

    link = Link(mbps)
    asyncio.run(serve())


def prepare_database(path):
    """A schema and one technician account, made in-process before the server starts."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "TAG_KEYS": {1: "bench"}, "DATABASE": path})
    with app.app_context():
        migrations.apply(get_db())
        accounts.create_user(get_db(), "bench", "Bench", "bench-password", "technician", [], "en")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db_path, extra_env=None):
    """gunicorn with the project's config, as `make run` starts it (but on 127.0.0.1)."""
    port = free_port()
    env = {**os.environ, "FLASK_DATABASE": db_path, "FLASK_SECRET_KEY": "bench-" + "x" * 32,
           "FLASK_TAG_KEYS": '{"1": "bench-tag-key-0123456789"}', **(extra_env or {})}
    proc = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--config", "fieldapp/gunicorn_conf.py",
         "--bind", f"127.0.0.1:{port}", "--access-logfile", "/dev/null", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/login", timeout=1).close()
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def login(url):
    """Sign in through the real form (CSRF on); return the session cookie header."""
    jar = urllib.request.HTTPCookieProcessor()
    opener = urllib.request.build_opener(jar)
    page = opener.open(url + "/login").read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "username": "bench", "password": "bench-password"})
    opener.open(url + "/login", data=form.encode()).close()
    return "; ".join(f"{c.name}={c.value}" for c in jar.cookiejar)


def stream_down(url, cookie, stop, on_bytes, rate_mbps=None, refused=None):
    """One download stream, request after request until `stop`; optionally throttled."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    while not stop.is_set():
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        try:
            conn.request("GET", f"/speedtest/down?bytes={DOWN_BYTES}", headers={"Cookie": cookie})
            response = conn.getresponse()
        except TimeoutError:
            # Without the stream limit a tester can wait 30 s for a thread: that is the finding.
            conn.close()
            if refused is not None:
                refused.append(1)
            continue
        if response.status == 503:
            response.read()
            conn.close()
            if refused is not None:
                refused.append(1)
            stop.wait(1.0)  # as the JS client does
            continue
        started, got = time.monotonic(), 0
        while not stop.is_set():
            piece = response.read(65536)
            if not piece:
                break
            got += len(piece)
            on_bytes(len(piece))
            if rate_mbps:
                ahead = got * 8 / (rate_mbps * 1e6) - (time.monotonic() - started)
                if ahead > 0:
                    time.sleep(ahead)
        conn.close()


def plain_client_mbps(url, cookie):
    """The baseline: STREAMS threads of http.client, counted by fieldapp.speed.Meter."""
    meter = speed.Meter(grace_s=GRACE_S)
    stop = threading.Event()
    threads = [threading.Thread(target=stream_down, args=(url, cookie, stop, meter.add))
               for _ in range(STREAMS)]
    for thread in threads:
        thread.start()
    time.sleep(PHASE_S)
    stop.set()
    for thread in threads:
        thread.join()
    return meter.result()["mbps"]


def browser_mbps(playwright, url, cookie):
    """The JS client in Chromium: one run of the speed page, its download figure."""
    browser = playwright.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run"])
    context = browser.new_context()
    name, value = cookie.split("=", 1)
    context.add_cookies([{"name": name, "value": value, "url": url}])
    page = context.new_page()
    page.goto(f"{url}/speedtest/?phase={PHASE_S}&runs=1")
    page.locator("input[value=wired]").check()
    page.locator(".speed-start").click()
    page.wait_for_selector("#speed-root[data-speed-state=done]", timeout=120_000)
    record = json.loads(page.locator("#speed-root").get_attribute("data-last-record"))
    browser.close()
    return record["raw"]["runs"][0]["down_mbps"]


def compare(playwright, url, cookie, label, rounds=2):
    """Plain client and JS client alternately; print each round and the ratio of medians."""
    print(f"   {label}:")
    plain, js = [], []
    for round_ in range(rounds):
        plain.append(plain_client_mbps(url, cookie))
        js.append(browser_mbps(playwright, url, cookie))
        print(f"     round {round_ + 1}: plain http.client {plain[-1]:7.0f} Mbps   "
              f"in-app JS (Chromium) {js[-1]:7.0f} Mbps   ratio {js[-1] / plain[-1]:.2f}")
    print(f"     median ratio JS / plain client: {statistics.median(js) / statistics.median(plain):.2f} "
          "(goal >= 0.9)")


def tester_process(url, cookie, testers, refused_count):
    """`testers` simulated testers (STREAMS throttled streams each) until terminated."""
    stop, refused = threading.Event(), []
    for _ in range(testers * STREAMS):
        threading.Thread(target=stream_down, daemon=True,
                         args=(url, cookie, stop, lambda n: None, TESTER_MBPS_PER_STREAM, refused)).start()
    while True:
        time.sleep(0.2)
        refused_count.value = len(refused)


def timed(url, path, cookie, timeout_s=10):
    """Milliseconds for one request on a new connection (a timeout counts as timeout_s)."""
    started = time.perf_counter()
    request = urllib.request.Request(url + path, headers={"Cookie": cookie})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            response.read()
    except TimeoutError:
        return timeout_s * 1000
    return (time.perf_counter() - started) * 1000


def pct(values, q):
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def other_users(url, cookie, testers, samples=30):
    """p50/p95 of a ping and a page while `testers` testers run; streams refused with 503."""
    refused = multiprocessing.Value("i", 0)
    proc = None
    if testers:
        proc = multiprocessing.Process(target=tester_process, args=(url, cookie, testers, refused),
                                       daemon=True)
        proc.start()
        time.sleep(2.5)
    pings, pages = [], []
    timed(url, "/speedtest/", cookie)  # warm-up: first request per worker opens its database
    for _ in range(samples):
        pings.append(timed(url, "/speedtest/ping", cookie))
        pages.append(timed(url, "/speedtest/", cookie))
        time.sleep(0.05)
    if proc:
        proc.terminate()
        proc.join()
    time.sleep(1.0)  # let the server notice the closed streams
    return pings, pages, refused.value


def main():
    from playwright.sync_api import sync_playwright

    workdir = tempfile.mkdtemp(prefix="bench_speed_")
    db_path = os.path.join(workdir, "bench.sqlite3")
    prepare_database(db_path)
    print(f"server: gunicorn gthread, {os.environ.get('WEB_WORKERS', '2')} workers x "
          f"{os.environ.get('WEB_THREADS', '32')} threads, stream limit threads - 4 per worker "
          f"(fieldapp/gunicorn_conf.py), 127.0.0.1; {os.cpu_count()} CPUs")
    proc, url = start_server(db_path)
    try:
        cookie = login(url)
        print(f"\n1. download rate, {STREAMS} streams, {PHASE_S:.0f} s phase, {GRACE_S} s grace")
        with sync_playwright() as playwright:
            compare(playwright, url, cookie, "loopback, no limit (measures the clients' CPU ceiling)")
            for link_mbps, rounds in LINKS:
                port = free_port()
                upstream = urllib.parse.urlsplit(url).port
                proxy = multiprocessing.Process(target=shaping_proxy, args=(port, upstream, link_mbps),
                                                daemon=True)
                proxy.start()
                time.sleep(0.5)
                compare(playwright, f"http://127.0.0.1:{port}", cookie,
                        f"through a {link_mbps} Mbps link (shaping proxy on 127.0.0.1)", rounds)
                proxy.terminate()

        print(f"\n2. other users while testers download ({STREAMS} x {TESTER_MBPS_PER_STREAM} Mbps each), "
              "default settings")
        print("   testers  ping p50   ping p95   page p50   page p95   streams refused (503) or timed out")
        for testers in (0, 1, 2, 4, 8, 12, 16):
            pings, pages, refused = other_users(url, cookie, testers)
            print(f"   {testers:7d} {pct(pings, 50):7.1f} ms {pct(pings, 95):7.1f} ms "
                  f"{pct(pages, 50):7.1f} ms {pct(pages, 95):7.1f} ms   {refused}")
    finally:
        proc.terminate()
        proc.wait()

    proc, url = start_server(db_path, {"FLASK_SPEEDTEST_MAX_STREAMS": "1000"})
    try:
        cookie = login(url)
        print("\n   without the per-process stream limit (SPEEDTEST_MAX_STREAMS=1000):")
        for testers in (16,):
            pings, pages, refused = other_users(url, cookie, testers, samples=10)
            print(f"   {testers:7d} {pct(pings, 50):7.1f} ms {pct(pings, 95):7.1f} ms "
                  f"{pct(pages, 50):7.1f} ms {pct(pages, 95):7.1f} ms   {refused}")
    finally:
        proc.terminate()
        proc.wait()
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
