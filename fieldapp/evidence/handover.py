"""The handover: the institution's representative takes the installation over and signs, or
the reason nobody signed (absent, refused) is recorded.

A signed handover is a file, the signature drawn on the phone, sent through the resumable
upload (fieldapp.uploads) with the representative's name and position in its announce, and
kept with its sha256. An unsigned one has no file, so it comes as a batch record; both land in
the `handovers` table, so the kind has row() and announce_fields()/stored() alike. The
signature is a PNG: what a canvas gives, printable as it is, and unlike SVG it cannot carry
script into the review page. The profile's `handover` rules decide whether a refusal blocks
acceptance.
"""


from PIL import Image
from PIL import ImageStat
from PIL import UnidentifiedImageError

from fieldapp.evidence import fields
from fieldapp.evidence import imaging
from fieldapp.evidence import results
from fieldapp.evidence.fields import N_
from fieldapp.evidence.results import note

TYPE = "handover"
TABLE = "handovers"
LABEL = N_("Handover")
COUNTS = "status = 'complete'"  # a signature still uploading is no handover yet
ORDER = "received_at, id"
PULLED = True
ITEMS = {"handover": "optional"}  # this handover, or the handover as a whole (ref ''): sign it
OUTCOMES = ("signed", "absent", "refused")
UNSIGNED = ("absent", "refused")
OUTCOME_LABELS = {"signed": N_("Signed"), "absent": N_("Representative absent"),
                  "refused": N_("Refused to sign")}
LANGUAGES = ("kk", "ru")
MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
OPTIONS = {}
STABLE = ("installation_id", "replaces", "representative", "position", "size", "sha256")
VARIANTS = {"original": ""}
MESSAGES = {
    "signature_not_png": N_("The signature was not saved as a picture. Ask the representative to "
                            "sign again."),
    "signature_empty": N_("The signature is empty. Ask the representative to sign with a finger."),
}
RULE_LABELS = {"handover.signed": N_("Handover signed by the institution, or why not recorded")}
# A profile stored before handovers existed: a missing one warns (profiles.py's default requires it).
DEFAULTS = {"required": False, "refusal_blocks": False}
INK_BELOW = 250  # a pixel darker than this (of 255) is ink; an untouched canvas has none


def _person(data, required):
    return {
        "representative": fields.text(data, "representative", required) or "",
        "position": fields.text(data, "position", required) or "",
        "phone": fields.text(data, "phone", False, limit=40) or None,
        "language": fields.choice(data, "language", LANGUAGES, False),
    }


def row(db, data, inst, tag_keys):
    """No signature: why (absent or refused) and a note; who refused is named, an absent one may not be."""
    outcome = fields.choice(data, "outcome", UNSIGNED)
    return {"outcome": outcome, **_person(data, outcome == "refused"),
            "reason_note": fields.text(data, "reason_note", limit=fields.LONG),
            "signed_at": fields.iso_time(data.get("signed_at"), "signed_at", False)}


def announce_fields(meta, rules):
    """A signed handover: who signed, as what, when, in which language the act was shown."""
    return {"outcome": "signed", **_person(meta, True),
            "reason_note": fields.text(meta, "reason_note", False, fields.LONG) or "",
            "signed_at": fields.iso_time(meta.get("signed_at"), "signed_at")}


def stored(blobs, path, row, options):
    """Keep the signature as it came once it proves to be a PNG with some ink on it."""
    try:
        with Image.open(path) as img:
            if img.format != "PNG" or max(img.size) > MAX_SIDE:
                raise imaging.ImageRejected("signature_not_png")
            img.load()
            width, height = img.size
            inked = _inked(img)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise imaging.ImageRejected("signature_not_png") from None
    if not inked:
        raise imaging.ImageRejected("signature_empty")
    key = blobs.new_key()
    blobs.put_file(key, path)
    return key, {"mime": "image/png", "width": width, "height": height}


def _inked(img):
    """Some pixel is darker than paper, transparent pixels counting as paper."""
    rgba = img.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, "white")
    gray = Image.alpha_composite(paper, rgba).convert("L")
    return ImageStat.Stat(gray).extrema[0][0] < INK_BELOW


def public(found):
    """A handover as the phone shows it, with its signature's URL when it has one."""
    out = fields.public(found)
    if found.get("blob_key"):
        out["signature_url"] = f"/handovers/{found['id']}/signature"
    return out


review_row = fields.as_stored


def zip_name(found):
    """Where the packet ZIP keeps the signature."""
    return f"signatures/handover-{found['id']}.png"


def checks(db, rules, installation, records):
    """Signed passes; a refusal fails only where the profile says it blocks acceptance (else a
    warning the reviewer weighs); absent warns; nothing recorded fails (or warns, if the
    profile does not require a handover)."""
    rules = {**DEFAULTS, **rules.get("handover", {})}
    handovers = records[TABLE]
    signed = [h for h in handovers if h["outcome"] == "signed"]
    chosen = signed[-1] if signed else (handovers[-1] if handovers else None)
    if chosen is None:
        verdict = "fail" if rules["required"] else "warn"
        return [results.check("handover.signed", None, "signed", verdict,
                              note("handover_missing", "no handover recorded"))]
    item = {"kind": TYPE, "ref": chosen["id"]}
    if chosen["outcome"] == "signed":
        explained = note("handover_signed", "signed by {name}", name=chosen["representative"])
        return [results.check("handover.signed", "signed", "signed", "pass", explained, item)]
    verdict = "fail" if chosen["outcome"] == "refused" and rules["refusal_blocks"] else "warn"
    if chosen["outcome"] == "refused":
        explained = note("handover_refused", "refused to sign: {reason}", reason=chosen["reason_note"])
    else:
        explained = note("handover_absent", "representative absent: {reason}", reason=chosen["reason_note"])
    return [results.check("handover.signed", chosen["outcome"], "signed", verdict, explained, item)]
