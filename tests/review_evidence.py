"""Evidence for the review tests, made through the real pipelines.

Photos are Pillow JPEGs with chosen EXIF time and GPS going through uploads.store_bytes;
splices, scans, speed tests and submissions go through records.store_batch, as a phone's
outbox would send them.
"""

import io
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from PIL import Image

from fieldapp import blobstore
from fieldapp import profiles
from fieldapp import records
from fieldapp import tags
from fieldapp import uploads

SITE = (42.9, 71.4)
KZ_TIME = timedelta(hours=5)


def jpeg(seed=1, days_ago=1, gps=SITE, kind="noise"):
    """A 640x480 JPEG: 'noise' (sharp, unique per seed), 'dark' or 'flat' (no detail)."""
    if kind == "dark":
        img = Image.new("RGB", (640, 480), (5, 5, 5))
    elif kind == "flat":
        img = Image.new("RGB", (640, 480), (128, 128, 128))
    else:
        small = Image.frombytes("L", (32, 24), _noise(seed, 32 * 24))
        img = small.resize((640, 480), Image.Resampling.NEAREST).convert("RGB")
    exif = Image.Exif()
    if days_ago is not None:
        local = datetime.now(UTC) + KZ_TIME - timedelta(days=days_ago)
        exif.get_ifd(0x8769)[36867] = local.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(0x8769)[36881] = "+05:00"
    if gps is not None:
        block = exif.get_ifd(0x8825)
        block[1], block[2] = "N", _dms(gps[0])
        block[3], block[4] = "E", _dms(gps[1])
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def _noise(seed, n):
    state = seed * 2654435761 % 2**32 or 1
    values = bytearray()
    for _ in range(n):
        state = (1103515245 * state + 12345) % 2**31
        values.append(state >> 23)
    return bytes(values)


def _dms(value):
    degrees = int(value)
    minutes = (value - degrees) * 60
    return (float(degrees), float(int(minutes)), round((minutes - int(minutes)) * 60, 4))


def near(metres_north):
    """A point `metres_north` of the site."""
    return SITE[0] + metres_north / 111_195, SITE[1]


class Evidence:
    """Send a technician's records for one app (tests pass db, app config and the technician)."""

    def __init__(self, db, config):
        self.db = db
        self.config = config
        self.blobs = blobstore.from_config(config)

    def photo(self, tech, installation_id, shot, data, replaces=None):
        meta = {
            "id": str(uuid.uuid4()),
            "installation_id": installation_id,
            "shot": shot,
            "replaces": replaces,
        }
        return uploads.store_bytes(self.db, self.blobs, tech, "photo", meta, data)

    def batch(self, tech, *recs):
        result = records.store_batch(self.db, tech, str(uuid.uuid4()), list(recs), self.config["TAG_KEYS"])
        assert all(r["status"] == "stored" for r in result["results"]), result
        return result

    def scan(self, installation_id):
        institution_id = self.db.execute(
            "SELECT institution_id FROM installations WHERE id = ?", [installation_id]
        ).fetchone()[0]
        code = tags.issue(self.db, self.config["TAG_KEYS"], institution_id)
        return record("scan", installation_id, code=code, lat=SITE[0], lon=SITE[1], accuracy_m=10)

    def complete(self, tech, installation_id, seed=100, submit=True):
        """Every required shot, a scan, two good splices, a passing speed test, a submission."""
        inst_type, profile_id = self.db.execute(
            "SELECT i.type, inst.profile_id FROM installations inst "
            "JOIN institutions i ON i.id = inst.institution_id WHERE inst.id = ?",
            [installation_id],
        ).fetchone()
        rules = profiles.get(self.db, profile_id)["rules"]
        shots = {}
        for n, shot in enumerate(profiles.required_shots(rules, inst_type)):
            shots[shot] = self.photo(tech, installation_id, shot, jpeg(seed + n))
        recs = [
            self.scan(installation_id),
            splice(installation_id),
            splice(installation_id, slot=2),
            speed(installation_id),
        ]
        if submit:
            recs.append(record("submission", installation_id, comment=""))
        self.batch(tech, *recs)
        return shots


def record(kind, installation_id, replaces=None, **data):
    """One outbox record."""
    return {
        "type": kind,
        "id": str(uuid.uuid4()),
        "installation_id": installation_id,
        "device_time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "replaces": replaces,
        "data": data,
    }


def splice(installation_id, slot=1, attempt=1, replaces=None, losses=(0.05, 0.07, 0.04, 0.06), **extra):
    """A splice record; losses are 1310 A->B, 1310 B->A, 1550 A->B, 1550 B->A (None: not measured);
    `extra` adds fields such as the splicer's model and estimate."""
    a, b, c, d = losses
    return record(
        "splice",
        installation_id,
        replaces,
        closure_label="MUF-1",
        closure_type="dome",
        placement="pole",
        tray=1,
        slot=slot,
        a_cable="C1",
        a_tube=1,
        a_fiber=slot,
        b_cable="C2",
        b_tube=1,
        b_fiber=slot,
        splice_type="fusion",
        attempt=attempt,
        loss_1310_ab=a,
        loss_1310_ba=b,
        loss_1550_ab=c,
        loss_1550_ba=d,
        **extra,
    )


def speed(installation_id, down=95.0, up=94.0, connection="wired", runs=3, replaces=None):
    """A browser speed test of `runs` runs at the given rates."""
    return record(
        "speed_test",
        installation_id,
        replaces,
        method="browser",
        server="central",
        connection=connection,
        down_mbps=down,
        up_mbps=up,
        latency_ms=12.0,
        latency_kind="median",
        jitter_ms=1.0,
        loss_pct=None,
        duration_s=30.0,
        streams=4,
        raw={"runs": [{"down_mbps": down, "up_mbps": up}] * runs},
    )
