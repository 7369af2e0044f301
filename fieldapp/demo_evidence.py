"""Field evidence for the demo, sent through the real pipelines as a phone and a supervisor would.

Records go through records.store_batch (one outbox batch per visit), photos through
photos.store_photo_bytes, decisions through decisions.py, so every row, status, check and
review the demo shows was made by the same code a real installation goes through.
"""

import io
import math
import os
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from PIL import Image
from PIL import ImageChops
from PIL import ImageDraw
from PIL import ImageEnhance
from PIL import ImageFilter
from PIL import ImageFont

from fieldapp import checks
from fieldapp import decisions
from fieldapp import photos
from fieldapp import profiles
from fieldapp import records
from fieldapp import tags

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SIZE = (800, 600)
KZ_TIME = timedelta(hours=5)
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
# TIA-598 fiber colours, fiber 1 to 12.
TIA598 = [
    (0, 90, 200), (255, 140, 0), (0, 150, 60), (120, 70, 20), (130, 130, 130), (245, 245, 245),
    (220, 0, 0), (20, 20, 20), (240, 220, 0), (150, 60, 200), (255, 120, 180), (0, 200, 200),
]
_fonts = {}


def font(size):
    """DejaVu Sans (every Cyrillic letter) when installed, else Pillow's default font."""
    if size not in _fonts:
        if os.path.exists(FONT):
            _fonts[size] = ImageFont.truetype(FONT, size)
        else:
            _fonts[size] = ImageFont.load_default(size)
    return _fonts[size]


def picture(rng, shot, title, taken, gps, kind="sharp"):
    """A JPEG of one shot: a plausible scene, a caption, texture, EXIF time and GPS.

    `taken` is an aware datetime; `kind` is 'sharp', 'blurred' (a shaky hand) or 'dark'.
    Coarse random shading makes each picture's perceptual hash its own, and fine texture
    gives it the detail a real photo has, so the blur check passes for a sharp one.
    """
    coarse = Image.frombytes("RGB", (6, 5), rng.randbytes(6 * 5 * 3)).resize(SIZE, Image.Resampling.BICUBIC)
    img = Image.blend(Image.new("RGB", SIZE, _base(shot)), coarse, 0.3)
    draw = ImageDraw.Draw(img)
    SCENES.get(shot, _paper)(draw, rng, title)
    img = _framed(img, rng, _base(shot))
    light = Image.frombytes("L", (9, 7), bytes(rng.randint(70, 255) for _ in range(9 * 7)))
    img = ImageChops.multiply(img, light.resize(SIZE, Image.Resampling.BICUBIC).convert("RGB"))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 540, 800, 600), fill=(0, 0, 0))
    local = taken.astimezone(UTC) + KZ_TIME
    draw.text((12, 546), f"{shot} · {local:%Y-%m-%d %H:%M}", font=font(20), fill=(255, 255, 0))
    draw.text((12, 572), title[:70], font=font(18), fill=(255, 255, 255))
    grain = Image.frombytes("L", (400, 300), rng.randbytes(400 * 300)).resize(SIZE, Image.Resampling.NEAREST)
    img = Image.blend(img, grain.convert("RGB"), 0.12)
    if kind == "blurred":
        img = img.filter(ImageFilter.GaussianBlur(5))
    elif kind == "dark":
        img = ImageEnhance.Brightness(img).enhance(0.07)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, exif=_exif(local, gps))
    return out.getvalue()


def _framed(img, rng, fill):
    """As a hand holds a phone: a little tilted, nearer or further, off centre."""
    img = img.rotate(rng.uniform(-8, 8), Image.Resampling.BILINEAR, fillcolor=fill)
    scale = rng.uniform(0.72, 0.92)
    width, height = int(SIZE[0] * scale), int(SIZE[1] * scale)
    left, top = rng.randint(0, SIZE[0] - width), rng.randint(0, SIZE[1] - height)
    return img.resize(SIZE, Image.Resampling.BILINEAR, box=(left, top, left + width, top + height))


def _exif(local, gps):
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[36867] = local.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(EXIF_IFD)[36881] = "+05:00"
    block = exif.get_ifd(GPS_IFD)
    block[1], block[2] = "N", _dms(gps[0])
    block[3], block[4] = "E", _dms(gps[1])
    return exif


def _dms(value):
    degrees = int(value)
    minutes = (value - degrees) * 60
    return (float(degrees), float(int(minutes)), round((minutes - int(minutes)) * 60, 4))


def _base(shot):
    return {
        "building_sign": (150, 190, 230), "pole_or_mount": (140, 185, 235),
        "cable_entry": (170, 90, 70), "closure_open": (60, 70, 60), "splice_tray": (200, 200, 195),
        "ont_serial": (225, 220, 210), "power": (215, 200, 170), "speed_test_screen": (40, 40, 50),
    }.get(shot, (235, 235, 230))


def _jitter(rng, box, spread=60):
    dx, dy = rng.randint(-spread, spread), rng.randint(-spread // 2, spread // 2)
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy


def _building(draw, rng, title):
    draw.rectangle(_jitter(rng, (60, 220, 740, 540)), fill=(235, 225, 200), outline=(90, 80, 60), width=4)
    for x in range(120, 700, 150):
        draw.rectangle(_jitter(rng, (x, 380, x + 80, 460), 10), fill=(70, 110, 150))
    sign = _jitter(rng, (140, 250, 660, 340))
    draw.rectangle(sign, fill=(0, 70, 160), outline=(255, 255, 255), width=3)
    draw.text((sign[0] + 14, sign[1] + 12), title[:38], font=font(22), fill=(255, 255, 255))
    draw.text((sign[0] + 14, sign[1] + 50), title[38:76], font=font(22), fill=(255, 255, 255))


def _pole(draw, rng, title):
    x = rng.randint(330, 470)
    draw.rectangle((x, 40, x + 36, 540), fill=(110, 100, 90))
    draw.line((0, rng.randint(60, 140), 800, rng.randint(60, 140)), fill=(20, 20, 20), width=4)
    draw.rounded_rectangle((x - 60, 260, x + 96, 400), 20, fill=(50, 50, 55), outline=(0, 0, 0), width=3)
    draw.line((x + 18, 400, x + rng.randint(150, 300), 540), fill=(10, 10, 10), width=6)


def _cable_entry(draw, rng, title):
    for y in range(0, 540, 40):
        for x in range(-40 * (y // 40 % 2), 800, 80):
            draw.rectangle((x, y, x + 76, y + 36), outline=(120, 60, 45), width=2)
    cx, cy = rng.randint(300, 500), rng.randint(220, 360)
    draw.ellipse((cx - 40, cy - 40, cx + 40, cy + 40), fill=(200, 200, 200), outline=(80, 80, 80), width=4)
    draw.line((0, rng.randint(50, 200), cx - 60, cy, cx, cy), fill=(15, 15, 15), width=12, joint="curve")


def _closure(draw, rng, title):
    box = _jitter(rng, (220, 60, 580, 520))
    draw.ellipse(box, fill=(170, 170, 165), outline=(40, 40, 40), width=5)
    for n in range(4):
        y = box[1] + 120 + n * 70
        draw.rectangle((box[0] + 70, y, box[2] - 70, y + 50), fill=(230, 230, 225), outline=(90, 90, 90), width=2)


def _tray(draw, rng, title):
    box = _jitter(rng, (80, 60, 720, 500), 30)
    draw.rounded_rectangle(box, 30, fill=(245, 245, 240), outline=(60, 60, 60), width=4)
    for n, colour in enumerate(TIA598):
        y = box[1] + 40 + n * 30
        draw.line((box[0] + 30, y, box[2] - 30, y + rng.randint(-8, 8)), fill=colour, width=5)
        draw.rectangle((box[0] + 280, y - 7, box[0] + 340, y + 7), fill=(200, 200, 210), outline=(0, 0, 0))


def _ont(draw, rng, title):
    box = _jitter(rng, (160, 120, 640, 440))
    draw.rounded_rectangle(box, 18, fill=(250, 250, 250), outline=(50, 50, 50), width=4)
    label = (box[0] + 60, box[1] + 150, box[2] - 60, box[1] + 280)
    draw.rectangle(label, fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    serial = "ZTEG" + "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
    draw.text((label[0] + 16, label[1] + 16), "GPON ONT  F660", font=font(24), fill=(0, 0, 0))
    draw.text((label[0] + 16, label[1] + 60), f"S/N: {serial}", font=font(26), fill=(0, 0, 0))
    for n in range(4):
        draw.ellipse((box[0] + 60 + n * 40, box[1] + 40, box[0] + 76 + n * 40, box[1] + 56), fill=(0, 200, 0))


def _power(draw, rng, title):
    box = _jitter(rng, (260, 150, 540, 430))
    draw.rounded_rectangle(box, 20, fill=(250, 250, 245), outline=(120, 120, 120), width=3)
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    draw.ellipse((cx - 90, cy - 90, cx + 90, cy + 90), outline=(150, 150, 150), width=4)
    for dx in (-40, 40):
        draw.ellipse((cx + dx - 14, cy - 14, cx + dx + 14, cy + 14), fill=(30, 30, 30))
    draw.line((cx, cy + 90, cx + rng.randint(-200, 200), 540), fill=(20, 20, 20), width=8)


def _screen(draw, rng, title):
    box = _jitter(rng, (100, 60, 700, 480), 30)
    draw.rectangle(box, fill=(250, 250, 252), outline=(0, 0, 0), width=10)
    down, up = rng.uniform(90, 99), rng.uniform(88, 98)
    draw.text((box[0] + 40, box[1] + 60), f"↓ {down:.1f} Mbps", font=font(56), fill=(0, 120, 60))
    draw.text((box[0] + 40, box[1] + 160), f"↑ {up:.1f} Mbps", font=font(56), fill=(0, 70, 160))
    draw.text((box[0] + 40, box[1] + 270), "wired · 3 runs", font=font(28), fill=(60, 60, 60))


def _paper(draw, rng, title):
    box = _jitter(rng, (170, 30, 630, 530), 40)
    draw.rectangle(box, fill=(252, 252, 250), outline=(150, 150, 150), width=2)
    draw.text((box[0] + 30, box[1] + 30), "АКТ приёмки / Қабылдау актісі", font=font(20), fill=(0, 0, 0))
    for y in range(box[1] + 90, box[3] - 90, 28):
        draw.line((box[0] + 30, y, box[2] - rng.randint(30, 160), y), fill=(90, 90, 90), width=2)
    x, y = box[0] + 200, box[3] - 70
    points = [(x + 18 * n, y + rng.randint(-18, 18)) for n in range(10)]
    draw.line(points, fill=(0, 40, 170), width=4, joint="curve")


SCENES = {
    "building_sign": _building,
    "pole_or_mount": _pole,
    "cable_entry": _cable_entry,
    "closure_open": _closure,
    "splice_tray": _tray,
    "ont_serial": _ont,
    "power": _power,
    "speed_test_screen": _screen,
    "signed_form": _paper,
}


NOTES = [
    "Cable enters through the boiler-room wall; hole sealed with foam.",
    "ONT in the teachers' room next to the router; director has the keys.",
    "Pole by the gate leans: reported to the akimat.",
    "Caretaker asked for a second socket; not in our scope.",
    "Drop cable fixed along the fence, 35 m.",
]
SPLICERS = ["Fujikura 70S+", "Sumitomo Type-72C+", "INNO View 7", "Signal Fire AI-9"]
TESTER_NOTE = "Browser test limited by the office PC; EXFO tester on the ONT port: {down} / {up} Mbps."
BLURRED = "ONT serial number not readable — retake closer"
BEND = "1550 nm loss too high, re-splice"
OVERRIDES = {
    "speed": "Speed measured by tester, see note",
    "splice.loss": "Out-of-spec splice after 3 documented attempts, within 0.20 dB",
}


class Crew:
    """Sends one technician's visits: outbox batches and photos, as the phone would."""

    def __init__(self, db, blobs, tag_keys, rng):
        self.db, self.blobs, self.tag_keys, self.rng = db, blobs, tag_keys, rng
        self.counts = {"records": 0, "photos": 0}

    def visit(self, tech, inst, status, flaws=(), reuse=None):
        """Scan, splices, photos, speed test and (past in_progress) a submission.

        `flaws`: 'bend', 'slow', 'blurred', 'dark'; `reuse`: bytes sent as the closure photo.
        Returns {"photos": {shot: photo}, "splices": [record], "bytes": {shot: data}}.
        """
        rng, done = self.rng, status != "in_progress"
        rules = profiles.get(self.db, inst["profile_id"])["rules"]
        self.moment = datetime.now(UTC) - timedelta(days=rng.uniform(1.0, 2.0))
        splices = self.splices(inst, 12 if done else rng.randint(4, 10), "bend" in flaws)
        batch = [self.scan(inst), *splices]
        if done:
            batch.append(self.speed(rules, inst, "slow" in flaws))
        if rng.random() < 0.3 or "slow" in flaws:
            batch.append(self.note(inst, "slow" in flaws))
        self.send(tech, batch)
        shots = profiles.required_shots(rules, inst["type"])
        shots = shots if done else shots[: rng.randint(0, 3)]
        sent = {"photos": {}, "splices": splices, "bytes": {}}
        for shot in shots:
            kind = _kind(shot, flaws)
            data = reuse if reuse and shot == "closure_open" else self.picture(inst, shot, kind)
            sent["bytes"][shot] = data
            sent["photos"][shot] = self.photo(tech, inst, shot, data)
        if done:
            self.send(tech, [self.record("submission", inst, comment="")])
        return sent

    def send(self, tech, batch):
        key = record_id(self.rng)
        result = records.store_batch(self.db, tech, key, batch, self.tag_keys)
        refused = [r for r in result["results"] if r["status"] != "stored"]
        if refused:
            raise ValueError(f"demo record refused: {refused[0]}")
        self.counts["records"] += len(batch)

    def record(self, kind, inst, **data):
        self.moment += timedelta(minutes=self.rng.uniform(2, 12))
        return {"type": kind, "id": record_id(self.rng), "installation_id": inst["id"],
                "device_time": iso(self.moment), "replaces": None, "data": data}

    def near(self, inst, metres=40):
        """A point within `metres` of the institution (phone GPS at the site)."""
        north, east = self.rng.uniform(-metres, metres), self.rng.uniform(-metres, metres)
        return inst["lat"] + north / 111_195, inst["lon"] + east / (111_195 * math.cos(math.radians(inst["lat"])))

    def scan(self, inst):
        lat, lon = self.near(inst, 25)
        code = tags.active_code(self.db, self.tag_keys, inst["institution_id"])
        return self.record("scan", inst, code=code, lat=lat, lon=lon, accuracy_m=self.rng.randint(4, 20))

    def splices(self, inst, count, bend):
        """Fibers 1..count of one tray, in TIA-598 order; a bend, if any, on a random fiber."""
        rng = self.rng
        lat, lon = self.near(inst)
        common = {
            "closure_label": "MUF-1", "closure_type": "dome",
            "placement": "pole" if inst["type"] == "public_wifi" else rng.choice(["pole", "wall"]),
            "closure_lat": lat, "closure_lon": lon, "tray": 1, "splice_type": "fusion",
            "a_cable": f"OK-24-S{inst['settlement_id']}", "a_tube": rng.randint(1, 2),
            "b_cable": f"DROP-12-I{inst['institution_id']}", "b_tube": 1,
            "splicer_model": rng.choice(SPLICERS), "splicer_serial": f"SN{rng.randint(10000, 99999)}",
        }
        bent = rng.randint(1, count) if bend else None
        found = []
        for fiber in range(1, count + 1):
            flaw = "bend" if fiber == bent else "out_of_spec" if rng.random() < 1 / 40 else None
            found.append(self.record("splice", inst, **common, slot=fiber, a_fiber=fiber,
                                     b_fiber=fiber, **losses(rng, flaw)))
        return found

    def speed(self, rules, inst, slow):
        """A wired browser test of three runs near the contracted rate (well under it if slow)."""
        rng = self.rng
        want = profiles.required_mbps(rules, inst)
        factor = rng.uniform(0.7, 0.84) if slow else rng.uniform(0.93, 0.99)
        runs = [
            {"down_mbps": round(want[0] * factor * rng.uniform(0.975, 1.02), 1),
             "up_mbps": round(want[1] * factor * rng.uniform(0.975, 1.02), 1),
             "latency_ms": round(rng.uniform(6, 30), 1), "jitter_ms": round(rng.uniform(0.3, 4), 1)}
            for _ in range(3)
        ]
        return self.record(
            "speed_test", inst, method="browser", server="central", connection="wired",
            down_mbps=_median(runs, "down_mbps"), up_mbps=_median(runs, "up_mbps"),
            latency_ms=_median(runs, "latency_ms"), latency_kind="median",
            jitter_ms=_median(runs, "jitter_ms"), loss_pct=None, started_at=iso(self.moment),
            duration_s=round(rng.uniform(28, 40), 1), streams=4, raw={"runs": runs},
        )

    def note(self, inst, slow):
        if slow:
            down, up = profiles.required_mbps(profiles.DEFAULT_RULES, inst)
            return self.record("note", inst, text=TESTER_NOTE.format(down=down - 2, up=up - 3))
        return self.record("note", inst, text=self.rng.choice(NOTES))

    def picture(self, inst, shot, kind):
        self.moment += timedelta(minutes=self.rng.uniform(1, 6))
        return picture(self.rng, shot, inst["name_ru"], self.moment, self.near(inst), kind)

    def photo(self, tech, inst, shot, data):
        meta = {"id": record_id(self.rng), "installation_id": inst["id"], "shot": shot,
                "replaces": None, "device_time": iso(self.moment)}
        self.counts["photos"] += 1
        return photos.store_photo_bytes(self.db, self.blobs, tech, meta, data)


def losses(rng, flaw=None):
    """Losses per direction and wavelength around a true loss; their average is the true loss.

    OTDR readings from each end err in opposite directions (mode-field mismatch), so one
    direction can read negative (a gainer) while the average stays right.
    """
    if flaw == "bend":
        t1310 = rng.uniform(0.03, 0.08)
        t1550 = t1310 + rng.uniform(0.6, 0.9)
    elif flaw == "out_of_spec":
        t1310 = rng.uniform(0.12, 0.19)
        t1550 = min(0.195, t1310 * rng.uniform(0.9, 1.05))
    else:
        t1310 = rng.uniform(0.01, 0.09)
        t1550 = min(0.095, t1310 * rng.uniform(0.8, 1.15))
    found = {"attempt": 3 if flaw == "out_of_spec" else 1}
    for wl, true in (("1310", t1310), ("1550", t1550)):
        error = max(-0.06, min(0.06, rng.gauss(0, 0.02)))
        found[f"loss_{wl}_ab"] = round(true + error, 3)
        found[f"loss_{wl}_ba"] = round(true - error, 3)
    found["splicer_estimate_db"] = round(max(0.01, t1310 + rng.gauss(0, 0.01)), 2)
    return found


def decide(db, inst, status, reviewer_id, sent):
    """The supervisor's decision for a submitted installation, leading to `status`."""
    if status == "returned":
        items = [{"kind": "photo", "ref": sent["photos"]["ont_serial"]["id"], "reason": BLURRED}]
        result = checks.run_all(db, inst["id"])
        bent = [c["item"]["ref"] for c in result["checks"] if c["rule"] == "splice.bend" and c["verdict"] != "pass"]
        items += [{"kind": "splice", "ref": ref, "reason": BEND} for ref in bent[:1]]
        return decisions.return_items(db, inst["id"], reviewer_id, items, comment="Please fix and resubmit")
    override = override_reason(checks.run_all(db, inst["id"]))
    decisions.approve(db, inst["id"], reviewer_id, "Checked against the photos", override)
    if status == "accepted":
        decisions.accept(db, inst["id"], reviewer_id, "Handed over to the operator", override)
    return None


def override_reason(result):
    """Why a supervisor signs off despite a check that did not pass (None when all pass)."""
    if result["summary"]["verdict"] == "pass":
        return None
    reasons = []
    for check in result["checks"]:
        if check["verdict"] == "pass":
            continue
        key = "speed" if check["rule"].startswith("speed.") else check["rule"]
        if key not in OVERRIDES:
            raise ValueError(f"demo would sign off a failed check: {check['rule']}")
        if OVERRIDES[key] not in reasons:
            reasons.append(OVERRIDES[key])
    return "; ".join(reasons)


def _kind(shot, flaws):
    if shot == "ont_serial" and "blurred" in flaws:
        return "blurred"
    if shot == "power" and "dark" in flaws:
        return "dark"
    return "sharp"


def _median(runs, field):
    return sorted(run[field] for run in runs)[1]


def record_id(rng):
    """A version-4 UUID from the seeded generator, so the demo is the same every time."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def iso(moment):
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
