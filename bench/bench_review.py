"""Review at national scale: server time per page, and the reused-photo lookup as the archive grows.

Generates 4,000 institutions, 100k splices and 60k photo rows (bench/national_data.py) into a
temporary database, then times pages through the Flask test client (goal: <= 100 ms) and the
phash lookup through the segment indexes against a full scan measured in the same run.
"""

import random
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import national_data  # noqa: E402

from fieldapp import create_app  # noqa: E402
from fieldapp import store  # noqa: E402
from fieldapp.evidence import photo_reuse  # noqa: E402

JAMBYL_SUBMITTED = """SELECT inst.id FROM installations inst
    JOIN institutions i ON i.id = inst.institution_id JOIN settlements s ON s.id = i.settlement_id
    JOIN districts d ON d.id = s.district_id
    WHERE inst.status = 'submitted' AND d.region_id = 7"""


def summary(times_ms):
    ordered = sorted(times_ms)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms   (n={len(ordered)})"


def timed(client, url, repeat=1):
    found = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        found.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return found


def pages(tmp):
    db_path = Path(tmp) / "national.sqlite3"
    made = national_data.generate(db_path)
    print(
        f"generated {made['institutions']} institutions, {made['splices']} splices, "
        f"{made['photos']} photos in {made['seconds']} s"
    )
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(16),
            "DATABASE": str(db_path),
            "BLOB_DIR": str(Path(tmp) / "blobs"),
            "TAG_KEYS": {1: secrets.token_hex(16)},
            "WTF_CSRF_ENABLED": False,
        }
    )
    db = store.connect(str(db_path))
    with store.write(db):  # every row of the queue shows its stored checks summary, as in use
        db["check_summaries"].insert_all(
            ({"installation_id": i, "verdict": "warn", "passed": 70, "warned": 3, "failed": 0, "rev": rev,
              "computed_at": "2026-01-01T00:00:00Z"}
             for i, rev in db.execute("SELECT id, rev FROM installations")),
            pk="installation_id")
    submitted = [r[0] for r in db.execute("SELECT id FROM installations WHERE status = 'submitted'")]
    in_jambyl = [r[0] for r in db.execute(JAMBYL_SUBMITTED)]
    district = db.execute("SELECT id FROM districts WHERE region_id = 7 LIMIT 1").fetchone()[0]
    for username in ("admin", "sup-KZ-31"):
        client = app.test_client()
        client.post("/login", data={"username": username, "password": "bench"})
        client.get("/review/")  # warm the connection and the template cache
        print(f"\n{username}:")
        print(f"  queue (submitted, page 1)      {summary(timed(client, '/review/', 30))}")
        url = f"/review/?status=&district={district}&min_age_days=7"
        print(f"  queue (filtered)               {summary(timed(client, url, 20))}")
        print(f"  photo grid (10 installations) {summary(timed(client, '/review/photos', 10))}")
        where = "" if username == "admin" else " (their oblast)"
        ids = submitted if username == "admin" else in_jambyl
        sample = random.Random(1).sample(ids, 30)
        times = [t for i in sample for t in timed(client, f"/review/{i}")]
        print(f"  review page{where:15}    {summary(times)}")
    print("  (each review page: 25 splices, 15 photos -> 15 reuse lookups over 60k hashes, ~75 checks)")


def reuse(tmp):
    print("\nreused-photo lookup per new photo (distance <= 6), index vs full scan:")
    print(f"  {'archive':>8} {'indexed':>10} {'full scan':>10} {'ratio':>7} {'candidates':>11}")
    for size in (1_000, 10_000, 60_000):
        path = Path(tmp) / f"photos-{size}.sqlite3"
        national_data.generate(path, splices=0, photos=size)
        db = store.connect(str(path))
        rng = random.Random(size)
        queries = [f"{rng.getrandbits(64):016x}" for _ in range(200)]
        started = time.perf_counter()
        for q in queries:
            photo_reuse.reuse_candidates(db, q, 6)
        indexed = (time.perf_counter() - started) * 1000 / len(queries)
        started = time.perf_counter()
        for q in queries[:20]:
            photo_reuse.reuse_brute_force(db, q, 6)
        brute = (time.perf_counter() - started) * 1000 / 20
        keys = photo_reuse.segment_keys(queries[0], 6)
        candidates = sum(
            db.execute(
                f"SELECT COUNT(*) FROM photos WHERE substr(phash, {n * 4 + 1}, 4) IN "
                f"({','.join('?' * len(v))})",
                v,
            ).fetchone()[0]
            for n, v in enumerate(keys)
        )
        print(f"  {size:>8} {indexed:>8.2f} ms {brute:>7.2f} ms {brute / indexed:>6.0f}x {candidates:>11}")


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        pages(tmp)
        reuse(tmp)
