"""Sync throughput and wire efficiency, printed as figures with same-run baselines.

1. records/s ingested in batches of 100 through the real Flask app (one thread = one core),
   against a raw sqlite-utils insert of the same rows in one transaction;
2. photos/s completed (1600 px JPEGs: sha256, decode, display + thumbnail, hashes, blobs),
   now, with main's photo/imaging/upload code of before the second round, and with imaging.py
   as it was before decode-once, each as a ratio to bare Pillow (open + thumbnail + save)
   measured in the same run, then where a photo's time goes beyond bare Pillow's;
3. wire bytes (HTTP headers + bodies through a counting proxy) for one installation of
   24 splices and 8 photos, against the payload bytes (photo bytes + record JSON).
Run: .venv/bin/python bench/bench_sync.py [photos]   (photos: only part 2)
"""

import hashlib
import http.client
import io
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import types
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from PIL import Image  # noqa: E402
from PIL import ImageDraw  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from fieldapp import accounts  # noqa: E402
from fieldapp import blobstore  # noqa: E402
from fieldapp import create_app  # noqa: E402
from fieldapp import installations  # noqa: E402
from fieldapp import migrations  # noqa: E402
from fieldapp import places  # noqa: E402
from fieldapp import profiles  # noqa: E402
from fieldapp import store  # noqa: E402
from fieldapp import uploads  # noqa: E402
from fieldapp.db import get_db  # noqa: E402
from fieldapp.evidence import photo  # noqa: E402

BATCHES = 50
BEFORE_REV = "7c192b0"  # the last commit before photos were decoded once (issue 18)
BEFORE_ROUND_REV = "1b01601"  # main before the second round on photo completion (issue 18 §3)
CHUNK = 256 * 1024


def make_app(folder, extra=None):
    """An app on a fresh database in `folder` (plus `extra` settings), a technician, a site."""
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "TAG_KEYS": {1: "bench-key"},
                      "DATABASE": os.path.join(folder, "bench.sqlite3"),
                      "BLOB_DIR": os.path.join(folder, "blobs"), "WTF_CSRF_ENABLED": False, **(extra or {})})
    with app.app_context():
        db = get_db()
        migrations.apply(db)
        accounts.hasher = accounts.PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        user = accounts.get_user(db, accounts.create_user(db, "tech", "Tech", "pw", "technician"))
        inst = installation(db, user)
    return app, user, inst


def installation(db, user):
    region = store.scalar(db, "SELECT id FROM regions WHERE iso_code = 'KZ-31'")
    with store.write(db):
        district = places.district_id(db, region, "Bench district")
        settlement = places.settlement_id(db, district, f"{uuid.uuid4().int % 10**9:09d}", "Village",
                                          None, 42.9, 71.4)
        institution = db["institutions"].insert({
            "settlement_id": settlement, "type": "school", "name_ru": "Школа", "name_kk": "Мектеп",
            "lat": 42.9, "lon": 71.4, "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z", "pupils": 300}).last_pk
    return installations.create(db, institution, "BENCH", profiles.ensure_default(db), [user["id"]])


def splice(inst, n):
    return {"type": "splice", "id": str(uuid.uuid4()), "installation_id": inst,
            "device_time": "2026-11-20T10:00:00.000Z", "replaces": None,
            "data": {"closure_label": "MUF-1", "closure_type": "dome", "placement": "pole",
                     "tray": n // 24 + 1, "slot": n % 24 + 1, "a_cable": "C1", "a_tube": n % 8 + 1,
                     "a_fiber": n % 12 + 1, "b_cable": "C2", "b_tube": n % 8 + 1, "b_fiber": n % 12 + 1,
                     "splice_type": "fusion", "attempt": 1, "splicer_estimate_db": 0.02,
                     "loss_1310_ab": 0.05, "loss_1310_ba": 0.07, "loss_1550_ab": 0.04,
                     "loss_1550_ba": 0.06}}


def bench_records(folder):
    app, user, inst = make_app(folder)
    client = app.test_client()
    client.post("/login", data={"username": "tech", "password": "pw"})
    batches = [[splice(inst, n) for n in range(100)] for _ in range(BATCHES)]
    start = time.perf_counter()
    for number, batch in enumerate(batches):
        answer = client.post("/api/v1/batches", json={"key": f"bench-{number:06d}", "records": batch})
        assert answer.status_code == 200 and answer.json["results"][-1]["status"] == "stored"
    app_seconds = time.perf_counter() - start
    raw = store.connect(os.path.join(folder, "raw.sqlite3"))
    migrations.apply(raw)
    raw.execute("PRAGMA foreign_keys = OFF")
    rows = [{**r["data"], "id": r["id"], "installation_id": inst, "author_id": user["id"],
             "device_time": r["device_time"], "received_at": r["device_time"], "content_hash": "x"}
            for batch in batches for r in batch]
    start = time.perf_counter()
    with store.write(raw):
        raw["splices"].insert_all(rows, batch_size=1000)
    raw_seconds = time.perf_counter() - start
    total = BATCHES * 100
    print(f"records: {total / app_seconds:,.0f} records/s through Flask in batches of 100 "
          f"(goal >= 2,000/s per core; one thread)")
    print(f"records: baseline raw sqlite-utils insert_all in one transaction "
          f"{total / raw_seconds:,.0f} rows/s;"
          f" app/raw = {raw_seconds / app_seconds:.2f}")


def photo_bytes(seed, size=(1600, 1200)):
    """A photo-like JPEG: shapes over noise (a real scene's texture), quality 75 as phones resize.

    At 1600 px this is ~300 KB, the upper end of the 200-300 KB DOMAIN.md measured.
    """
    noise = Image.effect_noise(size, 40).convert("RGB")
    img = Image.blend(Image.new("RGB", size, (90 + seed % 100, 120, 150)), noise, 0.22)
    draw = ImageDraw.Draw(img)
    for i in range(0, size[0], 90):
        draw.rectangle([i, (i * 7 + seed * 13) % size[1], i + 45, size[1]], fill=(230, 200, 40))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=75)
    return out.getvalue()


def module_at(rev, path, name):
    """The module at `path` as it was at commit `rev`, or None outside a git checkout.

    Its imports are today's modules, so only this one file is as it was.
    """
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        source = subprocess.run(["git", "-C", root, "show", f"{rev}:{path}"],
                                capture_output=True, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType(name)
    exec(compile(source, f"{name}.py", "exec"), module.__dict__)  # noqa: S102 - our own history
    return module


def before_imaging(rev=BEFORE_REV):
    """imaging.py as it was at `rev` (before decode-once), or None outside a git checkout."""
    module = module_at(rev, "fieldapp/evidence/imaging.py", "imaging_before")
    if module is None:
        return None
    process = module.process

    def process_as_then(path, max_pixels=module.MAX_PIXELS, default_offset="+05:00", thumb_ready=None):
        found = {**process(path, max_pixels, default_offset), "display_is_original": False}
        if thumb_ready is not None:  # it had no such call: the thumbnail is handed over at the end
            thumb_ready(found["thumb"])
        return found

    module.process = process_as_then
    return module


class Variant(types.SimpleNamespace):
    """One way of completing photos: which upload, photo and imaging code the run uses."""


def variants():
    """Today's code, main before this round (photo.py, imaging.py, uploads.py at
    BEFORE_ROUND_REV), and imaging.py before decode-once: whichever git history has."""
    found = [Variant(name="now", label="now", store_bytes=uploads.store_bytes, stored=photo.stored,
                     imaging=photo.imaging)]
    old = {name: module_at(BEFORE_ROUND_REV, f"fieldapp/{path}", f"{name}_round")
           for name, path in (("imaging", "evidence/imaging.py"), ("photo", "evidence/photo.py"),
                              ("uploads", "uploads.py"))}
    if None not in old.values():
        old["photo"].imaging = old["imaging"]
        label = f"before this round (photo, imaging, uploads at {BEFORE_ROUND_REV})"
        found.append(Variant(name="round", label=label, store_bytes=old["uploads"].store_bytes,
                             stored=old["photo"].stored, imaging=old["imaging"]))
    decoded_twice = before_imaging()
    if decoded_twice is not None:
        found.append(Variant(name="before", label=f"before decode-once (imaging.py at {BEFORE_REV})",
                             store_bytes=uploads.store_bytes, stored=photo.stored, imaging=decoded_twice))
    return found


def _complete_photos(app, user, inst, images, blobs, store_bytes=uploads.store_bytes):
    with app.app_context():
        db = get_db()
        start = time.perf_counter()
        for data in images:
            row = store_bytes(db, blobs, user, "photo", {"id": str(uuid.uuid4()),
                                                      "installation_id": inst, "shot": "power"}, data)
            assert row["status"] == "complete"
        return time.perf_counter() - start


def _complete_over_http(app, inst, images):
    """The same photos as a phone sends them: PUT announce, PATCH 256 KiB chunks, POST
    complete, through the whole Flask app (session, sign-in check, body reading, JSON answers)."""
    client = app.test_client()
    client.post("/login", data={"username": "tech", "password": "pw"})
    start = time.perf_counter()
    for data in images:
        url, sha = f"/api/v1/photos/{uuid.uuid4()}", hashlib.sha256(data).hexdigest()
        client.put(url, json={"installation_id": inst, "shot": "power", "size": len(data), "sha256": sha,
                              "device_time": "2026-11-20T10:00:00Z"})
        for offset in range(0, len(data), CHUNK):  # 256 KiB chunks, as outbox.js sends them
            piece = data[offset:offset + CHUNK]
            client.patch(url + "/upload", data=piece, headers={
                "Upload-Offset": str(offset), "Chunk-Sha256": hashlib.sha256(piece).hexdigest(),
                "Content-Type": "application/offset+octet-stream"})
        assert client.post(url + "/complete").json["status"] == "stored"
    return time.perf_counter() - start


def _bare_pillow(images):
    start = time.perf_counter()
    for data in images:  # baseline: what any server must do at least (decode, one thumbnail)
        with Image.open(io.BytesIO(data)) as img:
            img.thumbnail((320, 320))
            img.save(io.BytesIO(), "JPEG")
    return time.perf_counter() - start


def _imaging_only(module, paths):
    start = time.perf_counter()
    for path in paths:
        module.process(path)
    return time.perf_counter() - start


def _run(variant, app, user, inst, images, blobs):
    """Photos completed with `variant`'s code in place of today's (put back afterwards)."""
    stored, imaging = photo.stored, photo.imaging
    photo.stored, photo.imaging = variant.stored, variant.imaging
    try:
        return _complete_photos(app, user, inst, images, blobs, variant.store_bytes)
    finally:
        photo.stored, photo.imaging = stored, imaging


def bench_photos(folder, count=40, size=(1600, 1200), rounds=4):
    """Photos completed now and with earlier code, and bare Pillow: they alternate round by
    round (the order of the variants turns each round) and the best round of each counts, so
    load from others evens out. Decoding alone (imaging.process) is timed the same way.

    Bare Pillow's thumbnail() decodes these at full size too (its draft asks for 640 x 640,
    which a 1/2 scale of 1600 x 1200 does not reach), then does the same reduce(2) + bicubic as
    our thumbnail: the baseline is our thumbnail, and everything else is the difference.
    """
    app, user, inst = make_app(folder)
    images = [photo_bytes(n, size) for n in range(count)]
    paths = []
    for n, data in enumerate(images):
        paths.append(os.path.join(folder, f"photo{n}.jpg"))
        with open(paths[-1], "wb") as out:
            out.write(data)
    blobs = blobstore.from_config(app.config)
    found = variants()
    best = {}
    for round_ in range(rounds):
        best["baseline"] = min(best.get("baseline", 1e9), _bare_pillow(images))
        best["http"] = min(best.get("http", 1e9), _complete_over_http(app, inst, images))
        turn = round_ % len(found)
        for variant in found[turn:] + found[:turn]:
            seconds = _run(variant, app, user, inst, images, blobs)
            best[variant.name] = min(best.get(variant.name, 1e9), seconds)
            imaging_seconds = _imaging_only(variant.imaging, paths)
            best[variant.name + " imaging"] = min(best.get(variant.name + " imaging", 1e9), imaging_seconds)
    mean_kb = sum(map(len, images)) / count / 1024
    goal = "goal: complete/baseline >= 0.7" if size[0] <= 1600 else "for information: unresized phone photos"
    print(f"photos ({size[0]}x{size[1]} JPEG, mean {mean_kb:.0f} KB, "
          f"best of {rounds} alternating rounds; {goal}):")
    print(f"photos: baseline Pillow open + thumbnail(320) + save {count / best['baseline']:.1f}/s")
    for variant in found[1:] + found[:1]:
        name = variant.name
        print(f"photos: {variant.label}: {count / best[name]:.1f} photos/s completed, "
              f"complete/baseline = {best['baseline'] / best[name]:.2f}; decoding and versions "
              f"alone {best[name + ' imaging'] / count * 1000:.1f} ms/photo, "
              f"imaging/baseline = {best['baseline'] / best[name + ' imaging']:.2f}")
    print(f"photos: now, through the HTTP API as a phone sends them (Flask test client: PUT, "
          f"PATCH 256 KiB chunks, POST): "
          f"{count / best['http']:.1f} photos/s completed, complete/baseline = "
          f"{best['baseline'] / best['http']:.2f} (for information: the goal's figure is the line above)")
    if size[0] > 1600:  # Pillow's thumbnail() drafts these at 1/4: the breakdown below does not hold
        return
    per = {name: seconds / count * 1000 for name, seconds in best.items()}
    measures, upload = per["now imaging"] - per["baseline"], per["now"] - per["now imaging"]
    print(f"photos: now {per['now']:.1f} ms/photo = the baseline's {per['baseline']:.1f} (the same full "
          f"decode and thumbnail) + {measures:.1f} more in imaging (sharpness, dHash, display) + "
          f"{upload:.1f} in the upload path (announce, chunk, sha256, blob waits, two fsynced commits)")


class CountingProxy:
    """Forward TCP on 127.0.0.1 and count every byte in both directions."""

    def __init__(self, target):
        self.target, self.bytes = target, 0
        self.lock = threading.Lock()
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
            for pair in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=pair, daemon=True).start()

    def _pump(self, source, sink):
        try:
            while data := source.recv(65536):
                with self.lock:
                    self.bytes += len(data)
                sink.sendall(data)
        except OSError:
            pass
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def call(port, cookie, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=body, headers={"Cookie": cookie, **(headers or {})})
    response = conn.getresponse()
    payload = json.loads(response.read())
    conn.close()
    return payload


def bench_wire(folder):
    app, user, inst = make_app(folder)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.server_port)
    conn.request("POST", "/login", body="username=tech&password=pw",
                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = conn.getresponse()
    cookie = "; ".join(v.split(";")[0] for k, v in answer.getheaders() if k.lower() == "set-cookie")
    proxy = CountingProxy(server.server_port)
    records = json.dumps({"key": "wire-batch-1", "records": [splice(inst, n) for n in range(24)]},
                         separators=(",", ":"))
    images = [photo_bytes(n) for n in range(8)]
    call(proxy.port, cookie, "POST", "/api/v1/batches", records, {"Content-Type": "application/json"})
    for data in images:
        url = f"/api/v1/photos/{uuid.uuid4()}"
        meta = json.dumps({"installation_id": inst, "shot": "power", "size": len(data),
                           "sha256": hashlib.sha256(data).hexdigest(), "device_time": "2026-11-20T10:00:00Z"})
        call(proxy.port, cookie, "PUT", url, meta, {"Content-Type": "application/json"})
        for offset in range(0, len(data), CHUNK):
            piece = data[offset:offset + CHUNK]
            call(proxy.port, cookie, "PATCH", url + "/upload", piece, {
                "Upload-Offset": str(offset), "Chunk-Sha256": hashlib.sha256(piece).hexdigest(),
                "Content-Type": "application/offset+octet-stream"})
        assert call(proxy.port, cookie, "POST", url + "/complete")["status"] == "stored"
    time.sleep(0.2)
    server.shutdown()
    payload = len(records) + sum(map(len, images))
    print(f"wire: one installation (24 splices, 8 photos ~1600 px): {proxy.bytes:,} bytes on the wire "
          f"for {payload:,} payload bytes = {proxy.bytes / payload:.3f}x (goal <= 1.05x; "
          f"HTTP headers and JSON answers included, TCP/TLS framing not)")


def main():
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    only_photos = sys.argv[1:] == ["photos"]
    if not only_photos:
        with tempfile.TemporaryDirectory() as folder:
            bench_records(folder)
    with tempfile.TemporaryDirectory() as folder:
        bench_photos(folder)
    with tempfile.TemporaryDirectory() as folder:
        bench_photos(folder, 10, (4032, 3024))
    if not only_photos:
        with tempfile.TemporaryDirectory() as folder:
            bench_wire(folder)


if __name__ == "__main__":
    main()
