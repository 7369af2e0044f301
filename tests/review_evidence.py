"""Evidence for the review tests, made through the real pipelines.

Photos are Pillow JPEGs with chosen EXIF time and GPS going through uploads.store_bytes;
splices, scans, speed tests and submissions go through records.store_batch, as a phone's
outbox would send them. Equipment labels carry a real Code 128 (python-barcode) or QR code
(qrcode), signatures are PNG strokes: the server reads them as it would a phone's.
"""

import io
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import barcode
import qrcode
from barcode.writer import ImageWriter
from PIL import Image
from PIL import ImageDraw

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


def label_jpeg(code, seed=1, symbology="code128", days_ago=1, gps=SITE):
    """A photo of an equipment label: a white label with `code` as Code 128 or QR on a
    background of the seed's noise (so two labels are no reused photo), with EXIF time and GPS."""
    if symbology == "qr":
        mark = qrcode.make(code, box_size=8, border=2).get_image().convert("RGB")
    else:
        out = io.BytesIO()
        barcode.Code128(code, writer=ImageWriter()).write(out, {"module_width": 0.3, "module_height": 10})
        mark = Image.open(io.BytesIO(out.getvalue())).convert("RGB")
    photo = Image.open(io.BytesIO(jpeg(seed, days_ago, gps))).resize((1280, 960))
    photo.paste(mark, ((1280 - mark.width) // 2, (960 - mark.height) // 2))
    exif = Image.open(io.BytesIO(jpeg(seed, days_ago, gps))).getexif()
    out = io.BytesIO()
    photo.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def signature_png(strokes=((40, 120), (120, 40), (200, 150), (300, 60), (420, 140))):
    """A signature as the phone's canvas gives it: dark strokes on a transparent 480x200 PNG."""
    img = Image.new("RGBA", (480, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line(list(strokes), fill=(10, 20, 60, 255), width=4)
    out = io.BytesIO()
    img.save(out, "PNG")
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

    def equipment(self, tech, installation_id, serial, label=None, device_type="ont", **extra):
        """A device with its label photo (a Code 128 of `label`, else of the serial) sent first."""
        photo = self.photo(tech, installation_id, "equipment_label",
                           label_jpeg(serial if label is None else label, seed=extra.pop("seed", 7)))
        data = {"device_type": device_type, "model": "HG8245H", "serial": serial,
                "label_photo_id": photo["id"], "entered": "scanned", **extra}
        self.batch(tech, record("equipment", installation_id, **data))
        return photo

    def handover(self, tech, installation_id, png=None, **extra):
        """A signed handover: the signature PNG through the file upload, who signed in its announce."""
        meta = {"id": str(uuid.uuid4()), "installation_id": installation_id, "representative":
                "Айгерім Сапарова", "position": "Директор", "phone": "+7 701 000 00 00", "language": "kk",
                "signed_at": datetime.now(UTC).isoformat(), **extra}
        return uploads.store_bytes(self.db, self.blobs, tech, "handover", meta, png or signature_png())

    def scan(self, installation_id):
        institution_id = self.db.execute(
            "SELECT institution_id FROM installations WHERE id = ?", [installation_id]
        ).fetchone()[0]
        code = tags.issue(self.db, self.config["TAG_KEYS"], institution_id)
        return record("scan", installation_id, code=code, lat=SITE[0], lon=SITE[1], accuracy_m=10)

    def complete(self, tech, installation_id, seed=100, submit=True):
        """Every required shot, a scan, two good splices, a passing speed test, an ONT whose label
        says its serial, a signed handover, a submission."""
        inst_type, profile_id = self.db.execute(
            "SELECT i.type, inst.profile_id FROM installations inst "
            "JOIN institutions i ON i.id = inst.institution_id WHERE inst.id = ?",
            [installation_id],
        ).fetchone()
        rules = profiles.get(self.db, profile_id)["rules"]
        shots = {}
        for n, shot in enumerate(profiles.required_shots(rules, inst_type)):
            shots[shot] = self.photo(tech, installation_id, shot, jpeg(seed + n))
        serial = f"HWTC{seed * 7919 + installation_id:08X}"
        shots["equipment_label"] = self.equipment(tech, installation_id, serial, seed=seed + 50)
        self.handover(tech, installation_id)
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
