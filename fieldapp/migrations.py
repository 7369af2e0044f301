"""The schema, only ever changed by appending a migration. Never edit an applied one."""

import json
import re

from sqlite_utils.migrations import Migrations

from fieldapp import translit

migrations = Migrations("fieldapp")

# Every record a phone can send shares these columns: a client UUID as the key (so a resend
# changes nothing), the author, the device's clock and the server's receipt time, a hash of the
# content (to tell a duplicate from a conflict) and, for corrections, the record it replaces.
FIELD_RECORD_COLUMNS = """
    id TEXT PRIMARY KEY,
    installation_id INTEGER NOT NULL REFERENCES installations(id),
    author_id INTEGER NOT NULL REFERENCES users(id),
    device_time TEXT NOT NULL,
    received_at TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    replaces TEXT
"""

PLACES = [
    """CREATE TABLE regions (
        id INTEGER PRIMARY KEY,
        iso_code TEXT NOT NULL UNIQUE,
        name_en TEXT NOT NULL,
        name_kk TEXT NOT NULL,
        name_ru TEXT NOT NULL
    )""",
    """CREATE TABLE districts (
        id INTEGER PRIMARY KEY,
        region_id INTEGER NOT NULL REFERENCES regions(id),
        name_kk TEXT NOT NULL,
        name_ru TEXT NOT NULL,
        UNIQUE (region_id, name_ru)
    )""",
    """CREATE TABLE settlements (
        id INTEGER PRIMARY KEY,
        district_id INTEGER NOT NULL REFERENCES districts(id),
        kato TEXT NOT NULL UNIQUE,
        name_kk TEXT NOT NULL,
        name_ru TEXT NOT NULL,
        lat REAL,
        lon REAL
    )""",
    """CREATE TABLE institutions (
        id INTEGER PRIMARY KEY,
        settlement_id INTEGER NOT NULL REFERENCES settlements(id),
        type TEXT NOT NULL,
        name_kk TEXT NOT NULL,
        name_ru TEXT NOT NULL,
        bin TEXT UNIQUE,
        address TEXT NOT NULL DEFAULT '',
        lat REAL NOT NULL,
        lon REAL NOT NULL,
        pupils INTEGER,
        contracted_down_mbps REAL,
        contracted_up_mbps REAL,
        active INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    "CREATE INDEX institutions_settlement ON institutions(settlement_id)",
    """CREATE TABLE tags (
        id TEXT PRIMARY KEY,
        institution_id INTEGER NOT NULL REFERENCES institutions(id),
        key_version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    )""",
    "CREATE INDEX tags_institution ON tags(institution_id)",
]

PEOPLE = [
    """CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('technician', 'supervisor', 'admin')),
        language TEXT NOT NULL DEFAULT 'ru',
        active INTEGER NOT NULL DEFAULT 1,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE user_regions (
        user_id INTEGER NOT NULL REFERENCES users(id),
        region_id INTEGER NOT NULL REFERENCES regions(id),
        PRIMARY KEY (user_id, region_id)
    )""",
    """CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        user_id INTEGER REFERENCES users(id),
        action TEXT NOT NULL,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        before TEXT,
        after TEXT
    )""",
    "CREATE INDEX audit_entity ON audit_log(entity, entity_id)",
]

WORK = [
    """CREATE TABLE acceptance_profiles (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        rules TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        UNIQUE (name, version)
    )""",
    """CREATE TABLE installations (
        id INTEGER PRIMARY KEY,
        institution_id INTEGER NOT NULL REFERENCES institutions(id),
        contract TEXT NOT NULL,
        profile_id INTEGER NOT NULL REFERENCES acceptance_profiles(id),
        status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN
            ('planned', 'in_progress', 'submitted', 'returned', 'approved', 'accepted')),
        rev INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        started_at TEXT,
        submitted_at TEXT,
        approved_at TEXT,
        accepted_at TEXT,
        UNIQUE (institution_id, contract)
    )""",
    "CREATE INDEX installations_status ON installations(status)",
    "CREATE INDEX installations_rev ON installations(rev)",
    """CREATE TABLE installation_technicians (
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (installation_id, user_id)
    )""",
    "CREATE INDEX installation_technicians_user ON installation_technicians(user_id)",
]

FIELD_RECORDS = [
    f"""CREATE TABLE scans ({FIELD_RECORD_COLUMNS},
        tag_id TEXT NOT NULL,
        matched INTEGER NOT NULL,
        lat REAL,
        lon REAL,
        accuracy_m REAL
    )""",
    f"""CREATE TABLE splices ({FIELD_RECORD_COLUMNS},
        closure_label TEXT NOT NULL,
        closure_type TEXT NOT NULL,
        placement TEXT NOT NULL DEFAULT '',
        closure_lat REAL,
        closure_lon REAL,
        tray INTEGER NOT NULL,
        slot INTEGER NOT NULL,
        a_cable TEXT NOT NULL,
        a_tube INTEGER NOT NULL,
        a_fiber INTEGER NOT NULL,
        b_cable TEXT NOT NULL,
        b_tube INTEGER NOT NULL,
        b_fiber INTEGER NOT NULL,
        splice_type TEXT NOT NULL CHECK (splice_type IN ('fusion', 'ribbon', 'mechanical')),
        attempt INTEGER NOT NULL DEFAULT 1,
        splicer_model TEXT,
        splicer_serial TEXT,
        splicer_estimate_db REAL,
        loss_1310_ab REAL,
        loss_1310_ba REAL,
        loss_1550_ab REAL,
        loss_1550_ba REAL
    )""",
    f"""CREATE TABLE photos ({FIELD_RECORD_COLUMNS},
        shot TEXT NOT NULL,
        caption TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'announced' CHECK (status IN ('announced', 'complete')),
        received_bytes INTEGER NOT NULL DEFAULT 0,
        mime TEXT,
        width INTEGER,
        height INTEGER,
        taken_at TEXT,
        lat REAL,
        lon REAL,
        accuracy_m REAL,
        phash TEXT,
        brightness REAL,
        sharpness REAL,
        blob_key TEXT,
        completed_at TEXT
    )""",
    "CREATE INDEX photos_phash ON photos(phash)",
    f"""CREATE TABLE speed_tests ({FIELD_RECORD_COLUMNS},
        method TEXT NOT NULL,
        server TEXT NOT NULL DEFAULT '',
        connection TEXT NOT NULL CHECK (connection IN ('wired', 'wifi')),
        down_mbps REAL NOT NULL,
        up_mbps REAL NOT NULL,
        latency_ms REAL,
        latency_kind TEXT,
        jitter_ms REAL,
        loss_pct REAL,
        started_at TEXT,
        duration_s REAL,
        streams INTEGER,
        lat REAL,
        lon REAL,
        device_model TEXT,
        device_serial TEXT,
        screen_photo_id TEXT,
        raw TEXT
    )""",
    f"""CREATE TABLE notes ({FIELD_RECORD_COLUMNS},
        text TEXT NOT NULL
    )""",
    f"""CREATE TABLE submissions ({FIELD_RECORD_COLUMNS},
        comment TEXT NOT NULL DEFAULT ''
    )""",
]

REVIEW_AND_SYNC = [
    """CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        reviewer_id INTEGER NOT NULL REFERENCES users(id),
        decision TEXT NOT NULL CHECK (decision IN ('approve', 'return', 'accept')),
        comment TEXT NOT NULL DEFAULT '',
        override_reason TEXT,
        profile_id INTEGER NOT NULL REFERENCES acceptance_profiles(id),
        checks TEXT NOT NULL,
        at TEXT NOT NULL
    )""",
    "CREATE INDEX reviews_installation ON reviews(installation_id)",
    """CREATE TABLE returned_items (
        id INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews(id),
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        item_kind TEXT NOT NULL CHECK (item_kind IN
            ('photo', 'shot', 'splice', 'speed_test', 'scan', 'note')),
        item_ref TEXT NOT NULL,
        reason TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT
    )""",
    "CREATE INDEX returned_items_installation ON returned_items(installation_id)",
    """CREATE TABLE sync_batches (
        key TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id),
        request_hash TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
]

FIELD_RECORD_TABLES = ("scans", "splices", "photos", "speed_tests", "notes", "submissions")


@migrations()
def m001_initial(db):
    """Places, people, installations, field records, review and sync bookkeeping."""
    for statement in PLACES + PEOPLE + WORK + FIELD_RECORDS + REVIEW_AND_SYNC:
        db.execute(statement)
    for table in FIELD_RECORD_TABLES:
        db.execute(f"CREATE INDEX {table}_installation ON {table}(installation_id)")


# The oblasts as m002 wrote them, frozen here: an applied migration must not depend on code
# that may still change. A later change of names is a new migration.
# ISO 3166-2:KZ since June 2022: (code, English, Kazakh, Russian).
M002_REGIONS = [
    ("KZ-10", "Abai", "Абай облысы", "Абайская область"),
    ("KZ-11", "Akmola", "Ақмола облысы", "Акмолинская область"),
    ("KZ-15", "Aktobe", "Ақтөбе облысы", "Актюбинская область"),
    ("KZ-19", "Almaty", "Алматы облысы", "Алматинская область"),
    ("KZ-23", "Atyrau", "Атырау облысы", "Атырауская область"),
    ("KZ-27", "West Kazakhstan", "Батыс Қазақстан облысы", "Западно-Казахстанская область"),
    ("KZ-31", "Jambyl", "Жамбыл облысы", "Жамбылская область"),
    ("KZ-33", "Jetisu", "Жетісу облысы", "Область Жетісу"),
    ("KZ-35", "Karaganda", "Қарағанды облысы", "Карагандинская область"),
    ("KZ-39", "Kostanay", "Қостанай облысы", "Костанайская область"),
    ("KZ-43", "Kyzylorda", "Қызылорда облысы", "Кызылординская область"),
    ("KZ-47", "Mangystau", "Маңғыстау облысы", "Мангистауская область"),
    ("KZ-55", "Pavlodar", "Павлодар облысы", "Павлодарская область"),
    ("KZ-59", "North Kazakhstan", "Солтүстік Қазақстан облысы", "Северо-Казахстанская область"),
    ("KZ-61", "Turkistan", "Түркістан облысы", "Туркестанская область"),
    ("KZ-62", "Ulytau", "Ұлытау облысы", "Область Улытау"),
    ("KZ-63", "East Kazakhstan", "Шығыс Қазақстан облысы", "Восточно-Казахстанская область"),
]


@migrations()
def m002_regions(db):
    """The 17 oblasts are reference data every import and screen relies on."""
    rows = ({"iso_code": c, "name_en": en, "name_kk": kk, "name_ru": ru} for c, en, kk, ru in M002_REGIONS)
    db["regions"].insert_all(rows, ignore=True)


@migrations()
def m040_photo_hash_segments(db):
    """Index each 16-bit part of the photo hash so reused-photo lookups skip the full scan.

    evidence.reuse_candidates queries `substr(phash, n, 4)`; SQLite uses an expression index
    only when the expression matches it exactly.
    """
    for n in range(4):
        db.execute(f"CREATE INDEX photos_phash_s{n} ON photos(substr(phash, {n * 4 + 1}, 4))")


@migrations()
def m041_replaces_indexes(db):
    """Index `replaces`: every "current records" query asks which ids a later record replaces.

    Without it, `id NOT IN (SELECT replaces ...)` reads the whole table (100k splices
    nationally) on every page that lists current records.
    """
    for table in FIELD_RECORD_TABLES:
        db.execute(f"CREATE INDEX {table}_replaces ON {table}(replaces) WHERE replaces IS NOT NULL")


@migrations()
def m050_activity_indexes(db):
    """Index records by receipt time: the progress page asks "what arrived since day X" (crew
    activity, covering author_id) and "has this installation had any record since X" (stale work)."""
    for table in FIELD_RECORD_TABLES:
        db.execute(f"CREATE INDEX {table}_received ON {table}(received_at, author_id)")
        db.execute(f"CREATE INDEX {table}_installation_received ON {table}(installation_id, received_at)")


@migrations()
def m060_login_addresses(db):
    """Failed sign-ins per client address (fieldapp/login_limits.py)."""
    db.execute(
        """CREATE TABLE login_addresses (
            address TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            window_start TEXT NOT NULL,
            locked_until TEXT
        )"""
    )


@migrations()
def m061_login_addresses_last_failure(db):
    """The per-address count restarts after a quiet window since the last failure, not the first."""
    db["login_addresses"].transform(rename={"window_start": "last_failure"})


@migrations()
def m062_jobs(db):
    """Long exports made in the background (fieldapp/jobs.py)."""
    db.execute(
        """CREATE TABLE jobs (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users(id),
            params TEXT NOT NULL,
            total INTEGER NOT NULL,
            done INTEGER NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('running', 'ready', 'failed')),
            error TEXT,
            filename TEXT NOT NULL,
            size INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX jobs_kind_state ON jobs(kind, state)")
    db.execute("CREATE INDEX jobs_created ON jobs(created_at)")


@migrations()
def m063_sessions(db):
    """Sessions kept on the server (fieldapp/user_sessions.py): signing out, a password reset
    or a deactivation deletes the row, and the cookie that pointed at it opens nothing."""
    db.execute(
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            last_seen TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX sessions_user ON sessions(user_id)")
    db.execute("CREATE INDEX sessions_last_seen ON sessions(last_seen)")


@migrations()
def m064_login_failures(db):
    """Failed sign-ins per account name (known or not), device and network in one table
    (fieldapp/login_limits.py); the counts and locks in force carry over. users.failed_logins
    and users.locked_until are no longer read."""
    db.execute(
        """CREATE TABLE login_failures (
            key TEXT PRIMARY KEY,
            failures INTEGER NOT NULL,
            forget_after TEXT NOT NULL,
            locked_until TEXT
        )"""
    )
    db.execute("CREATE INDEX login_failures_forget ON login_failures(forget_after)")
    stamp = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+1 day')"
    db.execute(
        "INSERT INTO login_failures (key, failures, forget_after, locked_until)"
        f" SELECT 'account:' || username, failed_logins, {stamp}, locked_until FROM users"
        " WHERE failed_logins > 0"
    )
    db.execute(
        "INSERT INTO login_failures (key, failures, forget_after, locked_until)"
        " SELECT 'network:' || address, failures,"
        " strftime('%Y-%m-%dT%H:%M:%fZ', last_failure, '+900 seconds'), locked_until FROM login_addresses"
    )
    db.execute("DROP TABLE login_addresses")


@migrations()
def m065_tag_failures(db):
    """Invalid tag codes per technician (fieldapp/tags.py): guessing the check is throttled."""
    db.execute(
        """CREATE TABLE tag_failures (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            installation_id INTEGER REFERENCES installations(id),
            reason TEXT NOT NULL,
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX tag_failures_user_at ON tag_failures(user_id, at)")
    db.execute("CREATE INDEX tag_failures_installation ON tag_failures(installation_id)")


# The OTDR rules m066 gives a new version of each active profile, frozen here (an applied
# migration must not follow profiles.DEFAULT_RULES as it changes).
M066_OTDR_RULES = {
    "wavelengths_nm": [1310, 1550],
    "max_pulse_width_ns": 100,
    "min_averages": 10000,
    "min_averaging_s": 15,
    "ior_min": 1.460,
    "ior_max": 1.480,
    "ior_mismatch": 0.0005,
    "backscatter_mismatch_db": 0.5,
    "min_launch_m": 500,
    "event_tolerance_m": 20,
    "typed_tolerance_db": 0.05,
    "attenuation_db_km": {"1310": 0.35, "1550": 0.25},
    "splice_budget_db": 0.10,
    "connector_budget_db": 0.75,
    "reflectance_max_db": -35,
}


@migrations()
def m066_traces(db):
    """OTDR traces (fieldapp/evidence/trace.py): the .sor file's row with the server's parse;
    a trace is a returnable item; the active profile gets a version with the OTDR rules."""
    db.execute(
        f"""CREATE TABLE traces ({FIELD_RECORD_COLUMNS},
            closure_label TEXT NOT NULL,
            cable TEXT NOT NULL,
            tube INTEGER NOT NULL,
            fiber INTEGER NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('ab', 'ba')),
            event_m REAL,
            filename TEXT NOT NULL DEFAULT '',
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'announced' CHECK (status IN ('announced', 'complete')),
            received_bytes INTEGER NOT NULL DEFAULT 0,
            blob_key TEXT,
            completed_at TEXT,
            wavelength_nm INTEGER,
            pulse_width_ns INTEGER,
            acquired_at TEXT,
            points_sha256 TEXT,
            checksum_ok INTEGER,
            parse TEXT
        )"""
    )
    for columns in ("installation_id", "sha256", "points_sha256", "acquired_at"):
        db.execute(f"CREATE INDEX traces_{columns} ON traces({columns})")
    db.execute("CREATE INDEX traces_replaces ON traces(replaces) WHERE replaces IS NOT NULL")
    db.execute("CREATE INDEX traces_received ON traces(received_at, author_id)")
    db.execute("CREATE INDEX traces_installation_received ON traces(installation_id, received_at)")
    _m066_returned_items(db)
    _m066_profiles(db)


def _m066_returned_items(db):
    """SQLite cannot change a CHECK: the table is rebuilt with 'trace' among the item kinds."""
    db.execute(
        """CREATE TABLE returned_items_m066 (
        id INTEGER PRIMARY KEY,
        review_id INTEGER NOT NULL REFERENCES reviews(id),
        installation_id INTEGER NOT NULL REFERENCES installations(id),
        item_kind TEXT NOT NULL CHECK (item_kind IN
            ('photo', 'shot', 'splice', 'speed_test', 'scan', 'note', 'trace')),
        item_ref TEXT NOT NULL,
        reason TEXT NOT NULL,
        resolved_at TEXT,
        resolved_by TEXT
    )"""
    )
    db.execute("INSERT INTO returned_items_m066 SELECT id, review_id, installation_id, item_kind, "
               "item_ref, reason, resolved_at, resolved_by FROM returned_items")
    db.execute("DROP TABLE returned_items")
    db.execute("ALTER TABLE returned_items_m066 RENAME TO returned_items")
    db.execute("CREATE INDEX returned_items_installation ON returned_items(installation_id)")


def _m066_profiles(db):
    """Each active profile without OTDR rules gets a new version with them; older versions stay
    as reviews recorded them (their installations' traces are shown, not judged)."""
    rows = db.execute("SELECT id, name, version, rules FROM acceptance_profiles WHERE active = 1").fetchall()
    for profile_id, name, version, text in rows:
        rules = json.loads(text)
        if "otdr" in rules:
            continue
        db.execute("UPDATE acceptance_profiles SET active = 0 WHERE id = ?", [profile_id])
        db.execute(
            "INSERT INTO acceptance_profiles (name, version, rules, active, created_at) "
            "VALUES (?, ?, ?, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
            [name, version + 1, json.dumps({**rules, "otdr": M066_OTDR_RULES})],
        )


@migrations()
def m067_handover_equipment(db):
    """Equipment left at the site (fieldapp/evidence/equipment.py), the handover to the
    institution's representative (evidence/handover.py), and the codes read from a label photo.

    A handover is a file (the drawn signature, through fieldapp/uploads.py) or, when nobody
    signed, a batch record with the reason: one table, so the size and sha256 columns are
    empty for an unsigned one and its status is 'complete' from the start. Both kinds are
    returnable items.
    """
    db.execute(
        f"""CREATE TABLE equipment ({FIELD_RECORD_COLUMNS},
            device_type TEXT NOT NULL CHECK (device_type IN ('ont', 'router', 'media_converter')),
            model TEXT NOT NULL,
            serial TEXT NOT NULL,
            mac TEXT,
            label_photo_id TEXT,
            entered TEXT NOT NULL DEFAULT 'typed' CHECK (entered IN ('scanned', 'typed'))
        )"""
    )
    db.execute("CREATE INDEX equipment_serial ON equipment(serial)")
    db.execute(
        f"""CREATE TABLE handovers ({FIELD_RECORD_COLUMNS},
            outcome TEXT NOT NULL CHECK (outcome IN ('signed', 'absent', 'refused')),
            representative TEXT NOT NULL DEFAULT '',
            position TEXT NOT NULL DEFAULT '',
            phone TEXT,
            reason_note TEXT NOT NULL DEFAULT '',
            language TEXT,
            signed_at TEXT,
            size INTEGER,
            sha256 TEXT,
            status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('announced', 'complete')),
            received_bytes INTEGER NOT NULL DEFAULT 0,
            mime TEXT,
            width INTEGER,
            height INTEGER,
            blob_key TEXT,
            completed_at TEXT
        )"""
    )
    for table in ("equipment", "handovers"):  # as m041 and m050 index the other record tables
        db.execute(f"CREATE INDEX {table}_replaces ON {table}(replaces) WHERE replaces IS NOT NULL")
        db.execute(f"CREATE INDEX {table}_received ON {table}(received_at, author_id)")
        db.execute(f"CREATE INDEX {table}_installation_received ON {table}(installation_id, received_at)")
    db.execute("ALTER TABLE photos ADD COLUMN label_codes TEXT")
    _m067_returned_items(db)


def _m067_returned_items(db):
    """A device and the handover become returnable: SQLite cannot change a CHECK, so the table is
    rebuilt from its own definition with the two kinds added, whatever columns and indexes the
    migrations before or after this one (m066, m068) gave it, and every row kept."""
    table_sql = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'returned_items'").fetchone()[0]
    indexes = [row[0] for row in db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'returned_items'"
        " AND sql IS NOT NULL")]
    kinds_list = re.search(r"item_kind IN\s*\(([^)]*)\)", table_sql)
    added = kinds_list.group(1).rstrip() + ", 'equipment', 'handover'"
    new_sql = table_sql[:kinds_list.start(1)] + added + table_sql[kinds_list.end(1):]
    db.execute(new_sql.replace("returned_items", "returned_items_m067", 1))
    columns = ", ".join(db["returned_items"].columns_dict)
    db.execute(f"INSERT INTO returned_items_m067 ({columns}) SELECT {columns} FROM returned_items")
    db.execute("DROP TABLE returned_items")
    db.execute("ALTER TABLE returned_items_m067 RENAME TO returned_items")
    for index in indexes:
        db.execute(index)


@migrations()
def m068_review_loop(db):
    """The review loop (docs/review.md): a returned item keeps its standard reason code and the
    reviewer's markup, and how it was resolved (redone, closed after an answer); technicians'
    replies are field records; reviewers' messages and the shots added at review have tables."""
    db.execute("ALTER TABLE returned_items ADD COLUMN reason_code TEXT")
    db.execute("ALTER TABLE returned_items ADD COLUMN markup TEXT")
    db.execute("ALTER TABLE returned_items ADD COLUMN resolution TEXT")
    db.execute(
        f"""CREATE TABLE replies ({FIELD_RECORD_COLUMNS},
            item_kind TEXT NOT NULL,
            item_ref TEXT NOT NULL,
            text TEXT NOT NULL,
            not_applicable INTEGER NOT NULL DEFAULT 0
        )"""
    )
    db.execute("CREATE INDEX replies_installation ON replies(installation_id, item_kind, item_ref)")
    db.execute("CREATE INDEX replies_replaces ON replies(replaces) WHERE replaces IS NOT NULL")
    db.execute("CREATE INDEX replies_received ON replies(received_at, author_id)")
    db.execute(
        """CREATE TABLE review_messages (
            id INTEGER PRIMARY KEY,
            installation_id INTEGER NOT NULL REFERENCES installations(id),
            item_kind TEXT NOT NULL,
            item_ref TEXT NOT NULL,
            author_id INTEGER NOT NULL REFERENCES users(id),
            action TEXT NOT NULL CHECK (action IN ('message', 'close', 'approve_na')),
            text TEXT NOT NULL DEFAULT '',
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX review_messages_installation ON review_messages(installation_id)")
    db.execute(
        """CREATE TABLE added_shots (
            key TEXT PRIMARY KEY,
            installation_id INTEGER NOT NULL REFERENCES installations(id),
            label TEXT NOT NULL,
            review_id INTEGER NOT NULL REFERENCES reviews(id),
            added_by INTEGER NOT NULL REFERENCES users(id),
            at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX added_shots_installation ON added_shots(installation_id)")


@migrations()
def m069_field_day(db):
    """Issue 15: what the field day needed stored (each statement says what and why)."""
    # The checklist warnings a submission was made past (a JSON list of codes).
    db.execute("ALTER TABLE submissions ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]'")
    # How many runs a dedicated tester's result summarises (the profile says if they count).
    db.execute("ALTER TABLE speed_tests ADD COLUMN runs INTEGER")
    # Each installation's pass/warn/fail summary for the review queue (check_summaries.py),
    # with the revision it was computed at.
    db.execute(
        """CREATE TABLE check_summaries (
            installation_id INTEGER PRIMARY KEY REFERENCES installations(id),
            verdict TEXT NOT NULL,
            passed INTEGER NOT NULL,
            warned INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            rev INTEGER NOT NULL,
            computed_at TEXT NOT NULL
        )"""
    )
    # Districts and villages in Latin (Kazakh's 2021 alphabet, from the Kazakh name), stored so
    # an admin can correct one; the English interface shows them and search reads any script.
    for table in ("districts", "settlements"):
        db.execute(f"ALTER TABLE {table} ADD COLUMN name_en TEXT")
        rows = db.execute(f"SELECT id, COALESCE(NULLIF(name_kk, ''), name_ru) FROM {table}").fetchall()
        db.conn.executemany(f"UPDATE {table} SET name_en = ? WHERE id = ?",
                            [(translit.latin(name), row_id) for row_id, name in rows])


@migrations()
def m070_job_worker(db):
    """Jobs made by a process of their own (fieldapp/job_worker.py): which worker holds a job,
    how many have tried it, and the workers' heartbeats."""
    db.execute("ALTER TABLE jobs ADD COLUMN worker TEXT")
    db.execute("ALTER TABLE jobs ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE TABLE job_workers (name TEXT PRIMARY KEY, seen_at TEXT NOT NULL)")


def apply(db):
    """Bring the schema up to date; applying twice is a no-op."""
    migrations.apply(db)
