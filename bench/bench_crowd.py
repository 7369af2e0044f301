"""Fifty technicians syncing at once against the real server, beside one technician alone.

Starts gunicorn with fieldapp/gunicorn_conf.py on 127.0.0.1 (a free port) over a temporary
national-scale database (bench/national_data.py: 4,000 installations, 400 technicians with
~10 sites each, 100k splices, 60k photo rows). Each client signs in, pulls everything, then
for a few rounds pushes a batch of 24 splices, uploads two small photos (announce, one chunk,
complete) and pulls what changed; it ends with a second full pull. The same client runs
first alone (five technicians one after another), then 50 at once; both sets of figures come from this run.
Run: .venv/bin/python bench/bench_crowd.py [technicians] [rounds]
"""

import hashlib
import http.client
import io
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import national_data  # noqa: E402
from PIL import Image  # noqa: E402
from PIL import ImageDraw  # noqa: E402

CROWD = 50
ROUNDS = 4
DEADLINE_S = 240  # the whole crowd phase stops by itself after this, finished or not
LOCKED = ("approved", "accepted")
SIGN_INS = threading.Semaphore(4)
WSGI = """from fieldapp import create_app

app = create_app({config!r})
"""


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(folder, workers=None, tag_keys=None, env=None, config_file=None):
    """gunicorn as `make run` starts it (its job worker too), bound to 127.0.0.1, on the
    temporary database; `env` and `config_file` (a gunicorn config) change what it runs."""
    config = {"DATABASE": str(folder / "crowd.sqlite3"), "BLOB_DIR": str(folder / "blobs"),
              "JOB_DIR": str(folder / "jobs"), "SECRET_KEY": "crowd-bench-secret",
              "TAG_KEYS": tag_keys or {1: "crowd-bench-tag-key"}}
    env = {**os.environ, **({"WEB_WORKERS": str(workers)} if workers else {}), **(env or {})}
    (folder / "crowd_wsgi.py").write_text(WSGI.format(config=config))
    port = free_port()
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", str(config_file or ROOT / "fieldapp/gunicorn_conf.py"),
         "--bind", f"127.0.0.1:{port}", "--pythonpath", f"{folder},{ROOT}", "--access-logfile",
         str(folder / "access.log"), "crowd_wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "server.log", "wb"))
    for _ in range(200):
        try:
            http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/login")
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("gunicorn did not start: see server.log")


def small_photo(seed):
    """A 640 x 480 JPEG (~40 KB) with some texture."""
    img = Image.new("RGB", (640, 480), (60 + seed % 150, 110, 150))
    draw = ImageDraw.Draw(img)
    for i in range(0, 640, 40):
        draw.rectangle([i, (i * 7 + seed * 13) % 480, i + 20, 480], fill=(230, 200, 40))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


class Phone:
    """One technician's client: keeps every cookie, sends the CSRF header, times calls."""

    def __init__(self, port, username):
        self.port, self.username = port, username
        self.cookies, self.token = {}, ""
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, method, path, body=None, headers=None):
        head = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "X-CSRFToken": self.token, **(headers or {})}
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=head)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value
        return response.status, data

    def sign_in(self):
        _, page = self.call("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()
        body = urllib.parse.urlencode({"csrf_token": token, "username": self.username,
                                       "password": "bench"})
        status, _ = self.call("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        assert status == 302, f"{self.username} could not sign in ({status})"
        self.token = json.loads(self.call("GET", "/api/v1/csrf")[1])["csrf_token"]

    def pull(self, cursor=0):
        status, data = self.call("GET", f"/api/v1/pull?cursor={cursor}&records=lean")
        assert status == 200, (status, data[:200])
        return json.loads(data)

    def push(self, installation, round_):
        records = [splice(installation, round_ * 24 + n) for n in range(24)]
        body = json.dumps({"key": str(uuid.uuid4()), "records": records})
        status, data = self.call("POST", "/api/v1/batches", body, {"Content-Type": "application/json"})
        assert status == 200, (status, data[:200])
        return json.loads(data)

    def photo(self, installation, data):
        url = f"/api/v1/photos/{uuid.uuid4()}"
        meta = json.dumps({"installation_id": installation, "shot": "power", "size": len(data),
                           "sha256": hashlib.sha256(data).hexdigest(),
                           "device_time": "2026-11-20T10:00:00.000Z"})
        self.call("PUT", url, meta, {"Content-Type": "application/json"})
        self.call("PATCH", url + "/upload", data, {
            "Upload-Offset": "0", "Chunk-Sha256": hashlib.sha256(data).hexdigest(),
            "Content-Type": "application/offset+octet-stream"})
        status, answer = self.call("POST", url + "/complete")
        assert status == 200, (status, answer[:200])


def splice(installation, n):
    return {"type": "splice", "id": str(uuid.uuid4()), "installation_id": installation,
            "device_time": "2026-11-20T10:00:00.000Z", "replaces": None,
            "data": {"closure_label": f"MUF-{n // 576 + 1}", "closure_type": "dome", "placement": "pole",
                     "tray": n // 24 % 24 + 1, "slot": n % 24 + 1, "a_cable": "C1", "a_tube": n % 8 + 1,
                     "a_fiber": n % 12 + 1, "b_cable": "C2", "b_tube": n % 8 + 1, "b_fiber": n % 12 + 1,
                     "splice_type": "fusion", "attempt": 1, "splicer_estimate_db": 0.02,
                     "loss_1310_ab": 0.05, "loss_1310_ba": 0.07, "loss_1550_ab": 0.04,
                     "loss_1550_ba": 0.06}}


def technician(port, username, rounds, photos, figures, stop_at):
    """What one phone does: sign in, full pull, rounds of push + photos + pull, full pull."""
    phone = Phone(port, username)
    with SIGN_INS:  # not measured; argon2 takes 64 MiB per sign-in, and phones do not all sign in at once
        phone.sign_in()
    if figures["ready"].wait() == 0:
        figures["started"] = time.perf_counter()
    started = time.perf_counter()
    answer = phone.pull()
    figures["pull"].append(time.perf_counter() - started)
    open_ones = [i["id"] for i in answer["installations"] if i["status"] not in LOCKED]
    cursor = answer["cursor"]
    for round_ in range(rounds):
        if time.perf_counter() > stop_at or not open_ones:
            break
        started = time.perf_counter()
        result = phone.push(open_ones[round_ % len(open_ones)], round_)
        figures["batch"].append(time.perf_counter() - started)
        for outcome in result["results"]:
            figures["outcomes"][outcome["status"]] = figures["outcomes"].get(outcome["status"], 0) + 1
        for data in photos:
            phone.photo(open_ones[round_ % len(open_ones)], data)
        cursor = phone.pull(cursor)["cursor"]
    started = time.perf_counter()
    phone.pull()
    figures["pull"].append(time.perf_counter() - started)


def run(port, usernames, rounds, photos):
    """Every username as a phone at once; returns the figures when all have finished or stopped."""
    figures = {"batch": [], "pull": [], "outcomes": {}, "errors": [],
               "ready": threading.Barrier(len(usernames), timeout=120)}
    stop_at = time.perf_counter() + DEADLINE_S

    def guarded(name):
        try:
            technician(port, name, rounds, photos, figures, stop_at)
        except Exception as error:  # count it and let the others finish
            figures["errors"].append(f"{name}: {error!r}"[:200])
            figures["ready"].abort()

    threads = [threading.Thread(target=guarded, args=(name,), daemon=True) for name in usernames]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(DEADLINE_S + 150)
    figures["seconds"] = time.perf_counter() - figures["started"] if "started" in figures else 0
    return figures


def merged(runs):
    """Several runs' figures as one."""
    total = {"batch": [], "pull": [], "outcomes": {}, "errors": [],
             "seconds": sum(figures.get("seconds", 0) for figures in runs)}
    for figures in runs:
        for name in ("batch", "pull", "errors"):
            total[name] += figures[name]
        for status, count in figures["outcomes"].items():
            total["outcomes"][status] = total["outcomes"].get(status, 0) + count
    return total


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(label, figures):
    batch, pull = figures["batch"], figures["pull"]
    print(f"crowd: {label}: batch of 24 p50 {percentile(batch, .5) * 1000:,.0f} ms, "
          f"p95 {percentile(batch, .95) * 1000:,.0f} ms, max {max(batch, default=0) * 1000:,.0f} ms "
          f"({len(batch)} batches); full pull p50 {percentile(pull, .5) * 1000:,.0f} ms, "
          f"p95 {percentile(pull, .95) * 1000:,.0f} ms ({len(pull)} pulls); "
          f"records {figures['outcomes']}; errors {len(figures['errors'])}; "
          f"all done in {figures.get('seconds', 0):.1f} s")
    for error in figures["errors"][:3]:
        print(f"crowd:   {error}")


def main():
    crowd = int(sys.argv[1]) if len(sys.argv) > 1 else CROWD
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        built = national_data.generate(folder / "crowd.sqlite3")
        print(f"crowd: national data ({built['institutions']:,} installations, 400 technicians) "
              f"built in {built['seconds']} s")
        server, port = start_server(folder)
        try:
            photos = [small_photo(n) for n in range(2)]
            alone = merged([run(port, [f"tech{crowd + n}"], rounds, photos) for n in range(1, 6)])
            together = run(port, [f"tech{n}" for n in range(1, crowd + 1)], rounds, photos)
        finally:
            server.terminate()
            server.wait(30)
        if alone["errors"] or together["errors"]:
            print("crowd: server log, last lines:")
            print("\n".join((folder / "server.log").read_text(errors="replace").splitlines()[-400:]))
        report("1 technician alone", alone)
        report(f"{crowd} technicians at once", together)
        slower = percentile(together["batch"], .95) / percentile(alone["batch"], .95)
        pull_slower = percentile(together["pull"], .95) / percentile(alone["pull"], .95)
        print(f"crowd: {crowd} at once vs alone: batch p95 x{slower:.1f}, full pull p95 x{pull_slower:.1f} "
              f"(goal on this 2-core machine: batch p95 <= 1 s, full pull p95 <= 2 s)")


if __name__ == "__main__":
    main()
