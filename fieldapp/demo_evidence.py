"""Field evidence for the demo, sent through the real pipelines as a phone and a supervisor would.

Records go through records.store_batch (one outbox batch per visit), photos through
uploads.store_bytes, decisions through decisions.py, so every row, status, check and
review the demo shows was made by the same code a real installation goes through.
"""

import math
import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from fieldapp import decisions
from fieldapp import demo_photos
from fieldapp import profiles
from fieldapp import records
from fieldapp import sor_writer
from fieldapp import tags
from fieldapp import uploads
from fieldapp.evidence import checks

# Crews and supervisors write in Russian, as they do on these sites (the interface is translated,
# what people type is not).
NOTES = [
    "Кабель заведён через стену котельной, отверстие запенено.",
    "ONT в учительской рядом с роутером; ключи у директора.",
    "Опора у ворот накренилась: сообщили в акимат.",
    "Завхоз просил вторую розетку: не входит в наш объём работ.",
    "Абонентский кабель закреплён вдоль забора, 35 м.",
]
REPRESENTATIVES = ["Айгуль Сейтказиева", "Нурлан Жаксыбеков", "Ольга Ким", "Бауыржан Оспанов",
                   "Гульнара Тулегенова"]
REFUSAL = "Директор подпишет только бумажный акт после проверки акиматом."
SPLICERS = ["Fujikura 70S+", "Sumitomo Type-72C+", "INNO View 7", "Signal Fire AI-9"]
TESTER_NOTE = "Тест в браузере упёрся в офисный ПК; тестер EXFO на порту ONT: {down} / {up} Мбит/с."
BLURRED = "Серийный номер ONT не читается: переснимите ближе"
BEND = "Большие потери на 1550 нм, переварить"
OVERRIDES = {
    "speed": "Скорость измерена тестером, см. примечание",
    "equipment.label_match": "Серийный номер сверен по фото этикетки",
    "splice.loss": "Сварка вне нормы после 3 задокументированных попыток, в пределах 0,20 дБ",
}


class Crew:
    """Sends one technician's visits: outbox batches and photos, as the phone would."""

    def __init__(self, db, blobs, tag_keys, rng):
        self.db, self.blobs, self.tag_keys, self.rng = db, blobs, tag_keys, rng
        self.counts = {"records": 0, "photos": 0, "traces": 0}
        self.pool = ThreadPoolExecutor(max_workers=2)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown()

    def visit(self, tech, inst, status, flaws=(), reuse=None, traced=0, copied=None):
        """Scan, splices, photos, speed test, OTDR traces and (past in_progress) a submission.

        `flaws`: 'bend', 'slow', 'blurred', 'dark'; `reuse`: bytes sent as the closure photo;
        `traced`: how many fibers get their four traces; `copied`: .sor bytes sent as the first
        fiber's A->B 1310 nm trace (another site's file).
        Returns {"photos": {shot: photo}, "splices": [record], "bytes": {shot: data},
        "traces": [.sor bytes]}.
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
        specs = [self.shot_spec(inst, shot, flaws) for shot in shots]
        # Drawn two at a time while the pipeline stores the previous one (Pillow frees the GIL).
        for spec, data in zip(specs, self.pool.map(_draw, specs), strict=True):
            shot = spec[1]
            data = reuse if reuse and shot == "closure_open" else data
            sent["bytes"][shot] = data
            sent["photos"][shot] = self.photo(tech, inst, shot, data, spec[3])
        sent["traces"] = [
            self.trace_pair(tech, inst, splice["data"], wl, copied if (n, wl) == (0, 1310) else None)
            for n, splice in enumerate(splices[:traced]) for wl in (1310, 1550)]
        if done:
            self.send(tech, [*self.equipment(tech, inst, "serial_typo" in flaws),
                             *self.handover(tech, inst, "refused" in flaws),
                             self.record("submission", inst, comment="")])
        return sent

    def trace_pair(self, tech, inst, splice, wavelength, copied=None):
        """A->B and B->A traces of a splice's A fiber whose event at the splice reads the typed
        losses (sor_writer); returns the A->B file's bytes. `copied` replaces those bytes."""
        fiber = random.Random(f"{inst['id']}-{splice['a_fiber']}")  # leaves the demo's draws be
        length = round(fiber.uniform(6000, 15000), 1)
        at = round(fiber.uniform(1500, length - 1500), 1)  # one fiber: the same at both wavelengths
        rng = random.Random(f"{inst['id']}-{splice['a_fiber']}-{wavelength}")
        losses = (splice[f"loss_{wavelength}_ab"], splice[f"loss_{wavelength}_ba"])
        events = sor_writer.link_events(length, [(at, losses[0]), (round(length * 0.8, 1), 0.04)])
        self.moment += timedelta(minutes=rng.uniform(1, 4))
        ab, ba = sor_writer.pair(length, events, gain={at: round(losses[1] - losses[0], 3)},
                                 wavelength_nm=wavelength, acquired_at=self.moment.replace(microsecond=0),
                                 seed=rng.getrandbits(32))
        ba = replace(ba, acquired_at=ab.acquired_at + timedelta(minutes=rng.uniform(40, 90)))  # the far end
        data = copied or sor_writer.write(ab)
        for direction, body, mark in (("ab", data, at), ("ba", sor_writer.write(ba), None)):
            meta = {"id": record_id(rng), "installation_id": inst["id"], "replaces": None,
                    "device_time": iso(self.moment), "closure_label": splice["closure_label"],
                    "cable": splice["a_cable"], "tube": splice["a_tube"], "fiber": splice["a_fiber"],
                    "direction": direction, "event_m": mark,
                    "filename": f"{splice['a_cable']}_{splice['a_tube']}-{splice['a_fiber']}_{wavelength}_"
                                f"{direction.upper()}.sor"}
            uploads.store_bytes(self.db, self.blobs, tech, "trace", meta, body)
            self.counts["traces"] += 1
        return data

    def equipment(self, tech, inst, typo):
        """The ONT with its label photographed first; a typo swaps two digits of the typed serial."""
        serial = "ZTEG" + "".join(self.rng.choice("0123456789ABCDEF") for _ in range(8))
        spec = self.shot_spec(inst, "equipment_label", ())
        spec = (spec[0], spec[1], serial, *spec[3:])  # the label prints this serial
        photo = self.photo(tech, inst, "equipment_label", _draw(spec), spec[3])
        typed = serial[:-2] + serial[-1] + serial[-2] if typo and serial[-1] != serial[-2] else serial
        return [self.record("equipment", inst, device_type="ont", model="ZTE F660", serial=typed,
                            mac=":".join(f"{self.rng.randrange(256):02X}" for _ in range(6)),
                            label_photo_id=photo["id"], entered="typed" if typo else "scanned")]

    def handover(self, tech, inst, refused):
        """The director signs on the phone; a refusal is a record with the reason instead."""
        who = {"representative": self.rng.choice(REPRESENTATIVES), "position": "Директор",
               "language": self.rng.choice(["kk", "ru"])}
        if refused:
            return [self.record("handover", inst, outcome="refused", reason_note=REFUSAL, **who)]
        self.moment += timedelta(minutes=self.rng.uniform(2, 8))
        meta = {"id": record_id(self.rng), "installation_id": inst["id"], "signed_at": iso(self.moment),
                "device_time": iso(self.moment), **who}
        uploads.store_bytes(self.db, self.blobs, tech, "handover", meta,
                            demo_photos.signature(self.rng.getrandbits(64)))
        self.counts["records"] += 1  # a file, but a record of the installation like the others
        return []

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
        per_degree_east = 111_195 * math.cos(math.radians(inst["lat"]))
        return inst["lat"] + north / 111_195, inst["lon"] + east / per_degree_east

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

    def shot_spec(self, inst, shot, flaws):
        """picture()'s arguments for one shot, a few minutes after the last thing done."""
        self.moment += timedelta(minutes=self.rng.uniform(1, 6))
        kind = _kind(shot, flaws)
        return (self.rng.getrandbits(64), shot, inst["name_ru"], self.moment, self.near(inst), kind)

    def photo(self, tech, inst, shot, data, moment):
        meta = {"id": record_id(self.rng), "installation_id": inst["id"], "shot": shot,
                "replaces": None, "device_time": iso(moment)}
        self.counts["photos"] += 1
        return uploads.store_bytes(self.db, self.blobs, tech, "photo", meta, data)


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
        error = max(-0.05, min(0.05, rng.gauss(0, 0.008)))
        found[f"loss_{wl}_ab"] = round(true + error, 3)
        found[f"loss_{wl}_ba"] = round(true - error, 3)
    found["splicer_estimate_db"] = round(max(0.01, t1310 + rng.gauss(0, 0.01)), 2)
    return found


def decide(db, inst, status, reviewer_id, sent):
    """The supervisor's decision for a submitted installation, leading to `status`."""
    if status == "returned":
        items = [{"kind": "photo", "ref": sent["photos"]["ont_serial"]["id"], "reason": BLURRED}]
        result = checks.run_all(db, inst["id"])
        bent = [c["item"]["ref"] for c in result["checks"]
                if c["rule"] == "splice.bend" and c["verdict"] != "pass"]
        items += [{"kind": "splice", "ref": ref, "reason": BEND} for ref in bent[:1]]
        comment = "Исправьте и отправьте повторно"
        return decisions.return_items(db, inst["id"], reviewer_id, items, comment=comment)
    override = override_reason(checks.run_all(db, inst["id"]))
    decisions.approve(db, inst["id"], reviewer_id, "Сверено с фотографиями", override)
    if status == "accepted":
        decisions.accept(db, inst["id"], reviewer_id, "Передано оператору", override)
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


def _draw(spec):
    return demo_photos.picture(*spec)


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
