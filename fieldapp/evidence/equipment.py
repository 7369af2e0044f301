"""Equipment left at the site: each ONT/CPE, router or media converter with its type, model,
serial, MAC where it has one, and a photo of its label.

The label photo is a photo record of its own (shot 'equipment_label', through the photo
upload) that the equipment record names in `label_photo_id`: it then gets every photo check
(taken here, now, not reused) and its barcodes are read once, when stored (photo.LABEL_SHOTS,
evidence/barcodes.py). Serial and MAC formats are serials.py's, the phone's are the same.
"""

import sys

from fieldapp.evidence import barcodes
from fieldapp.evidence import current
from fieldapp.evidence import fields
from fieldapp.evidence import results
from fieldapp.evidence import serials
from fieldapp.evidence.fields import N_
from fieldapp.evidence.results import note

TYPE = "equipment"
TABLE = "equipment"
LABEL = N_("Equipment")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = True
ITEMS = {"equipment": "record"}  # this device: corrected with a record that replaces it
DEVICE_TYPES = ("ont", "router", "media_converter")
DEVICE_LABELS = {"ont": N_("ONT/CPE"), "router": N_("Router"), "media_converter": N_("Media converter")}
ENTERED = ("scanned", "typed")
MESSAGES = dict(serials.MESSAGES)
RULE_LABELS = {
    "equipment.ont": N_("ONT/CPE recorded"),
    "equipment.label_photo": N_("Photo of the equipment label"),
    "equipment.label_match": N_("Serial matches the barcode on the label"),
    "equipment.serial_reused": N_("Serial not recorded at another institution"),
}
# A profile stored before equipment existed lacks the rule: its installations were planned
# without it, so a missing ONT warns there; the default profile (profiles.py) requires one.
DEFAULTS = {"require_ont": False}


def row(db, data, inst, tag_keys):
    """A device: its serial checked by its type's rule, its MAC by the MAC rule, normalised."""
    device_type = fields.choice(data, "device_type", DEVICE_TYPES)
    typed = fields.text(data, "serial", limit=64)
    serial, problem = (serials.ont_serial if device_type == "ont" else serials.other_serial)(typed)
    if problem:
        raise fields.Rejected(problem, field="serial")
    mac = fields.text(data, "mac", False, limit=64)
    if mac:
        mac, problem = serials.mac(mac)
        if problem:
            raise fields.Rejected(problem, field="mac")
    return {
        "device_type": device_type,
        "model": fields.text(data, "model"),
        "serial": serial,
        "mac": mac or None,
        "label_photo_id": fields.uuid_text(data.get("label_photo_id"), "label_photo_id"),
        "entered": fields.choice(data, "entered", ENTERED, False) or "typed",
    }


public = fields.public
review_row = fields.as_stored


def checks(db, rules, installation, records):
    """An ONT is recorded; each device's label is photographed and says the typed serial; no
    serial is also recorded at another institution."""
    rules = {**DEFAULTS, **rules.get("equipment", {})}
    devices = records[TABLE]
    onts = sum(1 for device in devices if device["device_type"] == "ont")
    verdict = "pass" if onts else ("fail" if rules["require_ont"] else "warn")
    found = [results.check("equipment.ont", onts, 1, verdict, note("onts", "{count} ONT/CPE", count=onts))]
    photos = {photo["id"]: photo for photo in records["photos"]}
    for device in devices:
        found.extend(label_checks(device, photos.get(device["label_photo_id"])))
    return found + reuse_checks(db, installation, devices)


def item(device):
    return {"kind": TYPE, "ref": device["id"]}


def label_checks(device, photo):
    """The label photo is there; the codes read from it hold the typed serial."""
    if photo is None:
        explained = note("label_photo_missing", "no label photo on the server yet")
        return [results.check("equipment.label_photo", None, 1, "fail", explained, item(device))]
    found = [results.check("equipment.label_photo", photo["id"], 1, "pass",
                           note("label_photo", "label photo"), item(device))]
    read = barcodes.codes(photo)
    if not read:  # never read (None) or nothing readable ([]): a person looks at the photo
        explained = note("label_unreadable", "no barcode readable on the label photo: compare it by eye")
        found.append(results.check("equipment.label_match", None, device["serial"], "warn",
                                   explained, item(device)))
    elif any(serials.same_serial(device["serial"], code) for code in read):
        found.append(results.check("equipment.label_match", device["serial"], device["serial"], "pass",
                                   note("label_matches", "the label's barcode says the same"),
                                   item(device)))
    else:
        explained = note("label_differs", "the label's barcode says {codes}", codes=", ".join(read))
        found.append(results.check("equipment.label_match", ", ".join(read), device["serial"], "fail",
                                   explained, item(device)))
    return found


def reuse_checks(db, installation, devices):
    """A serial also current at another institution: one device cannot be in two places, so
    both installations fail this check and both supervisors see the other one."""
    if not devices:
        return []
    marks = ", ".join("?" * len(devices))
    sql = (f"SELECT e.serial, e.installation_id FROM {current.select(sys.modules[__name__])} e "
           f"JOIN installations inst ON inst.id = e.installation_id "
           f"WHERE e.serial IN ({marks}) AND inst.institution_id != ? ORDER BY e.installation_id")
    elsewhere, params = {}, [*(d["serial"] for d in devices), installation["institution_id"]]
    for serial, installation_id in db.execute(sql, params):
        elsewhere.setdefault(serial, []).append(installation_id)
    found = []
    for device in devices:
        if device["serial"] in elsewhere:
            others = elsewhere[device["serial"]]
            explained = note("serial_elsewhere", "also recorded at installation {others}",
                             others=", ".join(f"#{i}" for i in others))
            found.append(results.check("equipment.serial_reused", others, None, "fail", explained,
                                       item(device), installations=others))
    return found
