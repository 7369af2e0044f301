"""Object store against local disk, and Litestream's replication lag, in one run.

1. photo upload-to-stored rate (announce, chunk, complete: sha256, decode, display + thumb,
   three blobs, the row) on a local folder and on SeaweedFS (S3 over loopback), ratio s3/local;
2. photo download rate through /photos/<id>/original on both, ratio: first reads (from S3
   itself) and reads again (from the app server's blob cache, blob_cache.py);
3. Litestream replication lag (how stale a restore is) while batches of 100 records stream
   in, to a folder and to S3.
SeaweedFS is started here on free loopback ports, as the tests do. Run:
    .venv/bin/python bench/bench_blobs.py
"""

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from bench_sync import make_app  # noqa: E402
from bench_sync import photo_bytes  # noqa: E402
from bench_sync import splice  # noqa: E402
from seaweed import SeaweedFS  # noqa: E402

from fieldapp import blobstore  # noqa: E402
from fieldapp import replication  # noqa: E402
from fieldapp import store  # noqa: E402
from fieldapp import uploads  # noqa: E402
from fieldapp.db import get_db  # noqa: E402

PHOTOS = 30
ROUNDS = 3
LAG_SECONDS = 15


class Side:
    """One app on one store, with the seconds and bytes each step took, summed."""

    def __init__(self, folder, extra):
        os.makedirs(folder)
        self.app, self.user, self.inst = make_app(folder, extra)
        self.client = self.app.test_client()
        self.client.post("/login", data={"username": "tech", "password": "pw"})
        self.rows, self.seconds = [], {"store": 0.0, "first": 0.0, "again": 0.0}
        self.served = {"first": 0, "again": 0}

    def store(self, data):
        with self.app.app_context():
            db, blobs = get_db(), blobstore.from_config(self.app.config)
            start = time.perf_counter()
            self.rows.append(uploads.store_bytes(db, blobs, self.user, "photo", {
                "id": str(uuid.uuid4()), "installation_id": self.inst, "shot": "power"}, data))
            self.seconds["store"] += time.perf_counter() - start

    def download(self, row, phase):
        start = time.perf_counter()
        response = self.client.get(f"/photos/{row['id']}/original")
        self.seconds[phase] += time.perf_counter() - start
        assert response.status_code == 200
        self.served[phase] += len(response.data)

    def rate(self, phase):
        return self.served[phase] / self.seconds[phase] / 1e6


def bench_stores(folder, seaweed):
    """Each photo is stored and read on both sides in turn, so the machine's noise hits both."""
    images = [photo_bytes(n) for n in range(PHOTOS)]
    local = Side(os.path.join(folder, "local"), {})
    s3 = Side(os.path.join(folder, "s3"), seaweed.config("bench/"))
    for data in images:
        local.store(data)
        s3.store(data)
    for phase, rounds in (("first", 1), ("again", ROUNDS - 1)):
        for _ in range(rounds):
            for mine, theirs in zip(local.rows, s3.rows, strict=True):
                local.download(mine, phase)
                s3.download(theirs, phase)
    up_local, up_s3 = PHOTOS / local.seconds["store"], PHOTOS / s3.seconds["store"]
    print(f"blobs: upload-to-stored {up_s3:.1f} photos/s on S3 (SeaweedFS, loopback) vs {up_local:.1f} "
          f"on local disk; s3/local = {up_s3 / up_local:.2f} (goal >= 0.7)")
    first = s3.rate("first") / local.rate("first")
    print(f"blobs: download, first read {s3.rate('first'):.0f} MB/s from S3 vs {local.rate('first'):.0f} "
          f"MB/s local ({PHOTOS} originals); s3/local = {first:.2f} (goal >= 0.7)")
    print(f"blobs: download, read again {s3.rate('again'):.0f} MB/s from the app server's blob cache vs "
          f"{local.rate('again'):.0f} MB/s local (x{ROUNDS - 1}); "
          f"s3/local = {s3.rate('again') / local.rate('again'):.2f}")


def bench_lag(folder, label, extra, replica_url):
    """Batches of 100 records as fast as one client sends them; every ~2 s a restore says how stale."""
    app, user, inst = make_app(folder, {**extra, "REPLICA_URL": replica_url})
    config_path = replication.write_config(app.config, os.path.join(folder, "litestream.yml"))
    daemon = subprocess.Popen(replication.replicate_command(config_path),
                              env=replication.environment(app.config), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    committed, stop = [], threading.Event()

    def load():
        client = app.test_client()
        client.post("/login", data={"username": "tech", "password": "pw"})
        while not stop.is_set():
            answer = client.post("/api/v1/batches", json={"key": f"lag-{len(committed):06d}",
                                                          "records": [splice(inst, n) for n in range(100)]})
            assert answer.status_code == 200
            committed.append(time.time())

    writer = threading.Thread(target=load)
    writer.start()
    stale, deadline = [], time.time() + LAG_SECONDS
    try:
        while time.time() < deadline:
            time.sleep(2)
            asked = time.time()
            out = os.path.join(folder, f"restore-{uuid.uuid4().hex}.sqlite3")
            try:
                replication.restore(app.config, config_path, out)
            except subprocess.CalledProcessError:
                continue  # no snapshot yet
            restored = store.connect(out)
            batches = store.scalar(restored, "SELECT COUNT(*) FROM splices") // 100
            restored.conn.close()
            missing = [t for t in committed[batches:] if t < asked]
            stale.append(asked - missing[0] if missing else 0.0)
    finally:
        stop.set()
        writer.join()
        daemon.terminate()
        daemon.wait(20)
    rate = len(committed) * 100 / LAG_SECONDS
    print(f"litestream ({label}): replica staleness median {statistics.median(stale):.1f} s, "
          f"max {max(stale):.1f} s over {len(stale)} restores while {rate:,.0f} records/s were stored "
          f"(sync-interval {replication.SYNC_INTERVAL}; restore time not subtracted)")


def main():
    with tempfile.TemporaryDirectory(prefix="bench-blobs-") as folder:
        seaweed = SeaweedFS(os.path.join(folder, "seaweedfs")).start()
        try:
            bench_stores(folder, seaweed)
            os.makedirs(os.path.join(folder, "lag-file"))
            bench_lag(os.path.join(folder, "lag-file"), "to a folder", {},
                      os.path.join(folder, "replica"))
            os.makedirs(os.path.join(folder, "lag-s3"))
            bench_lag(os.path.join(folder, "lag-s3"), "to S3", seaweed.config("lag/"),
                      f"s3://{seaweed.config()['BLOB_S3_BUCKET']}/lag/db")
        finally:
            seaweed.stop()


if __name__ == "__main__":
    main()
