"""Faults the field produces: racing devices, a killed server, uploads cut mid-chunk.

Each test is bounded in count and time and asserts the exact final state.
"""

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import pytest

from fieldapp import store
from fieldapp.db import get_db
from tests.test_imaging import jpeg
from tests.test_records import splice

SERVER = """
import json
import sys
from werkzeug.serving import make_server
from fieldapp import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "s", "DATABASE": sys.argv[1], "BLOB_DIR": sys.argv[2],
                  "WTF_CSRF_ENABLED": False, "TAG_KEYS": {1: "k"}, **json.loads(sys.argv[3])})
server = make_server("127.0.0.1", 0, app, threaded=True)
print(server.server_port, flush=True)
server.serve_forever()
"""


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech")


@pytest.fixture
def inst(make, tech):
    return make.installation([tech])


def logged_in(app):
    client = app.test_client()
    client.post("/login", data={"username": "tech", "password": "pw"})
    return client


def test_two_devices_sync_at_once(app, db, tech, inst):
    """Two phones of one technician push overlapping batches and replays concurrently."""
    shared = [splice(inst, tray=9, slot=n) for n in range(1, 21)]
    own = {d: [splice(inst, tray=d, slot=n) for n in range(1, 41)] for d in (1, 2)}
    answers = {}

    def device(number):
        client = logged_in(app)
        mine = []
        for start in range(0, 40, 10):
            batch = own[number][start:start + 10] + shared[start // 2:start // 2 + 5]
            key = f"dev{number}-batch-{start}"
            first = client.post("/api/v1/batches", json={"key": key, "records": batch}).json
            replay = client.post("/api/v1/batches", json={"key": key, "records": batch}).json
            assert first == replay
            mine.extend(first["results"])
        answers[number] = mine

    threads = [threading.Thread(target=device, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert db["splices"].count == 100
    shared_ids = {r["id"] for r in shared}
    outcomes = {}
    for result in answers[1] + answers[2]:
        if result["id"] in shared_ids:
            outcomes.setdefault(result["id"], []).append(result["status"])
        else:
            assert result["status"] == "stored"
    assert all(sorted(s) == ["duplicate", "stored"] for s in outcomes.values())
    assert len(outcomes) == 20
    assert store.scalar(db, "SELECT COUNT(*) FROM sync_batches") == 8


def _start_server(app, tmp_path):
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen(
        [sys.executable, str(script), app.config["DATABASE"], app.config["BLOB_DIR"],
         json.dumps({k: v for k, v in app.config.items() if k.startswith("BLOB_S")})],
        stdout=subprocess.PIPE, cwd=root, env={**os.environ, "PYTHONPATH": root},
    )
    port = int(proc.stdout.readline())
    return proc, port


def _login(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/login", body="username=tech&password=pw",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    response.read()
    # Every cookie, as a browser would keep them: the session's is not the only one.
    return "; ".join(v.split(";")[0] for k, v in response.getheaders() if k.lower() == "set-cookie")


def _post(port, cookie, body):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", "/api/v1/batches", body=json.dumps(body),
                 headers={"Content-Type": "application/json", "Cookie": cookie})
    return conn


@pytest.mark.parametrize("delay", [0.05, 1.0])
def test_server_killed_mid_batch(app, db, tech, inst, tmp_path, delay):
    """kill -9 while a 500-record batch is in flight; restart; retry: each record exactly once."""
    batch = {"key": f"kill-{uuid.uuid4()}", "records": [splice(inst, tray=n // 12 + 1, a_fiber=n % 12 + 1)
                                                       for n in range(500)]}
    proc, port = _start_server(app, tmp_path)
    try:
        cookie = _login(port)
        conn = _post(port, cookie, batch)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        try:
            first = json.loads(conn.getresponse().read())  # committed before the kill
        except (ConnectionError, http.client.HTTPException, OSError, ValueError):
            first = None  # the phone never heard back: it keeps the batch and retries
    finally:
        if proc.poll() is None:
            proc.kill()
    assert db["splices"].count in (0, 500)  # all or nothing, never half a batch
    proc, port = _start_server(app, tmp_path)
    try:
        retry = _post(port, _login(port), batch).getresponse()
        answer = json.loads(retry.read())
    finally:
        proc.kill()
        proc.wait(10)
    assert retry.status == 200
    assert [r["status"] for r in answer["results"]] == ["stored"] * 500
    assert first is None or first == answer
    ids = {r["id"] for r in batch["records"]}
    stored = [row[0] for row in db.execute("SELECT id FROM splices")]
    assert len(stored) == 500 and set(stored) == ids
    assert store.scalar(db, "PRAGMA integrity_check") == "ok"


class CuttingProxy:
    """A TCP proxy on 127.0.0.1 that cuts the first connection after `limit` upstream bytes."""

    def __init__(self, port, limit):
        self.target = port
        self.limit = limit
        self.cuts = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source, sink, counted):
        try:
            while data := source.recv(16384):
                if counted and self.limit is not None:
                    if len(data) >= self.limit:
                        sink.sendall(data[: self.limit])
                        self.limit, self.cuts = None, self.cuts + 1
                        raise OSError("cut")
                    self.limit -= len(data)
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def close(self):
        self.listener.close()


class Uploader:
    """The phone's side of the photo protocol, counting the chunk bytes it sends."""

    def __init__(self, port, cookie, chunk):
        self.port, self.cookie, self.chunk, self.sent = port, cookie, chunk, 0

    def call(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request(method, path, body=body, headers={"Cookie": self.cookie, **(headers or {})})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"{}")

    def upload(self, url, data, meta):
        self.call("PUT", url, json.dumps(meta), {"Content-Type": "application/json"})
        for _ in range(50):
            try:
                offset = self.call("GET", url + "/upload")[1]["offset"]
                while offset < len(data):
                    piece = data[offset:offset + self.chunk]
                    self.sent += len(piece)
                    offset = self.call("PATCH", url + "/upload", piece, {
                        "Upload-Offset": str(offset),
                        "Chunk-Sha256": hashlib.sha256(piece).hexdigest(),
                        "Content-Type": "application/offset+octet-stream"})[1]["offset"]
                return self.call("POST", url + "/complete")
            except (ConnectionError, http.client.HTTPException, OSError):
                continue
        raise AssertionError("upload never finished")


def test_upload_cut_mid_chunk_resumes(app, live_server, db, tech, inst):
    data = jpeg(3000, 2000, quality=95)
    chunk = 64 * 1024
    assert len(data) > 4 * chunk
    proxy = CuttingProxy(live_server.server_port, limit=2 * chunk + chunk // 2 + 900)
    try:
        uploader = Uploader(proxy.port, _login(live_server.server_port), chunk)
        url = f"/api/v1/photos/{uuid.uuid4()}"
        meta = {"installation_id": inst, "shot": "power", "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z"}
        status, answer = uploader.upload(url, data, meta)
    finally:
        proxy.close()
    assert proxy.cuts == 1
    assert (status, answer["status"]) == (200, "stored")
    assert len(data) < uploader.sent <= len(data) + chunk  # re-sent at most the chunk in flight
    with app.app_context():
        row = store.one(get_db(), "SELECT status, size, sha256 FROM photos")
    assert row == {"status": "complete", "size": len(data), "sha256": meta["sha256"]}


def test_racing_completes_store_one_photo(app, db, tech, inst):
    """Two retries of 'complete' at once (a phone that timed out and tried again)."""
    from fieldapp import blobstore
    from fieldapp import uploads

    data = jpeg(1600, 1200)
    blobs = blobstore.from_config(app.config)
    photo_id = str(uuid.uuid4())
    meta = {"installation_id": inst, "shot": "power", "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z"}
    uploads.announce(db, blobs, tech, "photo", photo_id, meta)
    uploads.write_chunk(db, blobs, tech, "photo", photo_id, 0, meta["sha256"], data)
    answers = []

    def finish():
        own = store.connect(app.config["DATABASE"])
        answers.append(uploads.complete(own, blobs, tech, "photo", photo_id))

    threads = [threading.Thread(target=finish) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert answers == [{"id": photo_id, "status": "complete", "offset": len(data)}] * 3
    assert len(list(blobs.listing())) == 3  # original, display, thumb: once
    assert store.scalar(db, "SELECT COUNT(*) FROM photos WHERE status = 'complete'") == 1
