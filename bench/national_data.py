"""National-scale demo data for benchmarks: 4,000 institutions, 100k splices, 60k photo rows.

Importable (`generate(db_path, institutions=4000, ...)`) so other benches can reuse it; run
directly to build a database and print how long it took. Photos are metadata rows only
(random 64-bit phashes, no image files). Everything goes in one transaction with executemany.

Accounts (password "bench" for all): admin "admin", one supervisor per oblast "sup-KZ-31",
technicians "tech1".."techN".
"""

import json
import random
import sys
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fieldapp import accounts  # noqa: E402
from fieldapp import migrations  # noqa: E402
from fieldapp import profiles  # noqa: E402
from fieldapp import store  # noqa: E402

STATUS_MIX = [
    ("planned", 10),
    ("in_progress", 10),
    ("submitted", 30),
    ("returned", 10),
    ("approved", 20),
    ("accepted", 20),
]
TYPES = [
    "school",
    "school",
    "school",
    "kindergarten",
    "fap",
    "akimat",
    "hospital",
    "police",
    "public_wifi",
    "medical_point",
]
SHOTS = profiles.INDOOR_SHOTS
COMMON = ("id", "installation_id", "author_id", "device_time", "received_at", "content_hash")


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def generate(db_path, institutions=4000, splices=100_000, photos=60_000, technicians=400, seed=2018):
    """Fill a new database at db_path; returns counts and the seconds it took."""
    started = time.perf_counter()
    db = store.connect(str(db_path))
    migrations.apply(db)
    profile_id = profiles.ensure_default(db)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with store.write(db):
        users = _users(db, technicians)
        insts = _places(db, rng, institutions, now)
        _installations(db, rng, insts, profile_id, users, now)
        _splices(db, rng, insts, splices, users, now)
        _photos(db, rng, insts, photos, users, now)
        _speed_and_scans(db, rng, insts, users, now)
    return {
        "institutions": institutions,
        "splices": splices,
        "photos": photos,
        "seconds": round(time.perf_counter() - started, 2),
    }


def _users(db, technicians):
    """One password hash shared by every account: hashing thousands would dominate the run."""
    password_hash = accounts.hasher.hash("bench")
    regions = [row[0] for row in db.execute("SELECT id FROM regions ORDER BY id")]
    codes = dict(db.execute("SELECT id, iso_code FROM regions").fetchall())
    rows = [("admin", "Admin", "admin")]
    rows += [(f"sup-{codes[r]}", f"Supervisor {codes[r]}", "supervisor") for r in regions]
    rows += [(f"tech{n}", f"Technician {n}", "technician") for n in range(1, technicians + 1)]
    db.conn.executemany(
        "INSERT INTO users (username, name, password_hash, role, language, created_at) "
        "VALUES (?, ?, ?, ?, 'en', '2026-01-01T00:00:00.000Z')",
        [(u, n, password_hash, role) for u, n, role in rows],
    )
    ids = dict(db.execute("SELECT username, id FROM users").fetchall())
    db.conn.executemany(
        "INSERT INTO user_regions VALUES (?, ?)", [(ids[f"sup-{codes[r]}"], r) for r in regions]
    )
    return {"techs": [ids[f"tech{n}"] for n in range(1, technicians + 1)], "regions": regions}


def _places(db, rng, count, now):
    """Districts, villages (about three institutions each) and institutions across 17 oblasts."""
    insts = []
    for n in range(count):
        region = 1 + n % 17
        district = db.execute(
            "INSERT OR IGNORE INTO districts (region_id, name_kk, name_ru) VALUES (?, ?, ?)",
            [region, f"Аудан {n % 170}", f"Район {n % 170}"],
        )
        district = db.execute(
            "SELECT id FROM districts WHERE region_id = ? AND name_ru = ?", [region, f"Район {n % 170}"]
        ).fetchone()[0]
        if n % 3 == 0:
            lat, lon = rng.uniform(41, 54), rng.uniform(50, 86)
            db.execute(
                "INSERT INTO settlements (district_id, kato, name_kk, name_ru, lat, lon) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [district, f"{n:09d}", f"Ауыл {n}", f"Село {n}", lat, lon],
            )
            settlement = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        insts.append(
            (
                n + 1,
                settlement,
                rng.choice(TYPES),
                lat + rng.uniform(-0.01, 0.01),
                lon + rng.uniform(-0.01, 0.01),
            )
        )
    db.conn.executemany(
        "INSERT INTO institutions (id, settlement_id, type, name_kk, name_ru, lat, lon, pupils, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                i,
                s,
                t,
                f"Мекеме {i}",
                f"Учреждение {i}",
                la,
                lo,
                300 if t == "school" else None,
                iso(now),
                iso(now),
            )
            for i, s, t, la, lo in insts
        ],
    )
    return insts


def _installations(db, rng, insts, profile_id, users, now):
    statuses = [s for s, weight in STATUS_MIX for _ in range(weight)]
    rows, techs = [], []
    for i, *_ in insts:
        status = rng.choice(statuses)
        submitted = (
            iso(now - timedelta(days=rng.uniform(0, 60)))
            if status not in ("planned", "in_progress")
            else None
        )
        rows.append((i, i, "PPP-2018", profile_id, status, i, iso(now), iso(now), submitted))
        techs.append((i, rng.choice(users["techs"])))
    db.conn.executemany(
        "INSERT INTO installations (id, institution_id, contract, profile_id, status, rev, created_at, "
        "updated_at, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    db.conn.executemany("INSERT INTO installation_technicians VALUES (?, ?)", techs)


def _record(n, installation_id, users, now, kind):
    stamp = users.setdefault("stamp", iso(now))  # formatted once: strftime dominated the run
    return (
        f"{kind}-{n:08d}",
        installation_id,
        users["techs"][n % len(users["techs"])],
        stamp,
        stamp,
        "bench",
    )


def _splices(db, rng, insts, count, users, now):
    columns = COMMON + (
        "closure_label",
        "closure_type",
        "tray",
        "slot",
        "a_cable",
        "a_tube",
        "a_fiber",
        "b_cable",
        "b_tube",
        "b_fiber",
        "splice_type",
        "attempt",
        "loss_1310_ab",
        "loss_1310_ba",
        "loss_1550_ab",
        "loss_1550_ba",
    )
    rows = []
    for n in range(count):
        inst = insts[n % len(insts)][0]
        loss = [round(rng.gauss(0.05, 0.03), 3) for _ in range(4)]
        rows.append(
            _record(n, inst, users, now, "splice")
            + (
                "MUF-1",
                "dome",
                1 + n // 12 % 4,
                1 + n % 12,
                "C1",
                1,
                1 + n % 12,
                "C2",
                1,
                1 + n % 12,
                "fusion",
                1,
                *loss,
            )
        )
    _insert(db, "splices", columns, rows)


def _photos(db, rng, insts, count, users, now):
    columns = COMMON + (
        "shot",
        "size",
        "sha256",
        "status",
        "taken_at",
        "lat",
        "lon",
        "phash",
        "brightness",
        "sharpness",
        "width",
        "height",
        "mime",
    )
    rows = []
    taken = iso(now - timedelta(days=2))
    for n in range(count):
        _, _, _, lat, lon = insts[n % len(insts)]
        rows.append(
            _record(n, insts[n % len(insts)][0], users, now, "photo")
            + (
                SHOTS[n // len(insts) % len(SHOTS)],
                250_000,
                "0" * 64,
                "complete",
                taken,
                lat,
                lon,
                f"{rng.getrandbits(64):016x}",
                rng.uniform(40, 200),
                rng.uniform(20, 900),
                1600,
                1200,
                "image/jpeg",
            )
        )
    _insert(db, "photos", columns, rows)


def _speed_and_scans(db, rng, insts, users, now):
    runs = json.dumps({"runs": [{"down_mbps": 96, "up_mbps": 95}] * 3})
    speed = [
        _record(n, i, users, now, "speed") + ("browser", "wired", 96.0, 95.0, runs)
        for n, (i, *_) in enumerate(insts)
    ]
    _insert(db, "speed_tests", COMMON + ("method", "connection", "down_mbps", "up_mbps", "raw"), speed)
    scans = [_record(n, i, users, now, "scan") + ("TAG", 1) for n, (i, *_) in enumerate(insts)]
    _insert(db, "scans", COMMON + ("tag_id", "matched"), scans)


def _insert(db, table, columns, rows):
    marks = ",".join("?" * len(columns))
    db.conn.executemany(f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", rows)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/national.sqlite3")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    print(generate(target))
