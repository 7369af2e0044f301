"""OTDR traces: the .sor files a crew shoots from both ends of a fiber, read and judged here.

A trace arrives as a file through the resumable upload (fieldapp.uploads). The phone says only
where it belongs (closure, cable, tube, fiber, direction) and which event it marked as the
closure's splice; wavelength, pulse width, index, averaging, date, length and events come
from the server's own parse of the bytes (fieldapp.otdr), which is stored with them and is
the one the checks use (trace_checks.py). A file the parser cannot read is refused at
complete, naming the file; the original bytes and their sha256 stay the evidence.
"""

import json
import sys

from fieldapp import otdr
from fieldapp.evidence import current
from fieldapp.evidence import fields
from fieldapp.evidence import trace_checks
from fieldapp.evidence.fields import N_
from fieldapp.evidence.fields import Rejected

TYPE = "trace"
TABLE = "traces"
LABEL = N_("OTDR trace")
COUNTS = "status = 'complete'"  # announced traces are bytes still on their way
ORDER = "closure_label, cable, tube, fiber, wavelength_nm, direction, received_at"
PULLED = True
ITEMS = {"trace": "record"}  # "retest fiber 7 from the B end": this trace, shot again
DIRECTIONS = ("ab", "ba")
MAX_BYTES = otdr.MAX_BYTES  # TRACE_MAX_BYTES in the config
# What stored() takes from the app's config: option -> config key.
OPTIONS = {"max_bytes": "TRACE_MAX_BYTES"}
VARIANTS = {"original": ""}
# The announce fields that make a trace what it is (a retry must repeat them exactly).
STABLE = ("installation_id", "replaces", "closure_label", "cable", "tube", "fiber", "direction",
          "event_m", "filename", "size", "sha256")
MESSAGES = {
    "trace_unreadable": N_("“%(file)s” cannot be read as an OTDR trace (%(reason)s). Export it "
                           "again from the OTDR as a .sor file (SR-4731 version 2)."),
}
RULE_LABELS = trace_checks.RULE_LABELS
DETAILS = trace_checks.DETAILS
DRAWING = (1000, 240)  # the SVG's viewBox, width x height
_SELF = sys.modules[__name__]  # current.condition() reads TABLE and COUNTS from the kind


def announce_fields(meta, rules):
    """Where the trace belongs and the event marked as this closure's splice (metres on it)."""
    per_tube = rules["splice"].get("fibers_per_tube", 12)
    return {
        "closure_label": fields.text(meta, "closure_label"),
        "cable": fields.text(meta, "cable"),
        "tube": fields.integer(meta, "tube", low=1, high=1000),
        "fiber": fields.integer(meta, "fiber", low=1, high=per_tube),
        "direction": fields.choice(meta, "direction", DIRECTIONS),
        "event_m": fields.number(meta, "event_m", False, 0, 1_000_000),
        "filename": fields.text(meta, "filename", False) or "",
    }


def stored(blobs, path, row, options):
    """Parse the uploaded bytes (refused when unreadable), keep them: (blob key, new columns)."""
    max_bytes = options.get("max_bytes", MAX_BYTES)
    with open(path, "rb") as source:
        data = source.read(max_bytes + 1)
    try:
        parsed = otdr.parse(data, max_bytes)
    except otdr.Unreadable as refused:
        raise Rejected("trace_unreadable", 422, file=row["filename"] or row["id"],
                       reason=refused.reason) from None
    key = blobs.new_key()
    blobs.put_file(key, path)
    return key, {
        "wavelength_nm": parsed["wavelength_nm"], "pulse_width_ns": parsed["pulse_width_ns"],
        "acquired_at": parsed["acquired_at"], "points_sha256": parsed["points_sha256"],
        "checksum_ok": int(parsed["checksum_ok"]), "parse": json.dumps(parsed),
    }


def parsed(found):
    """The server's parse of a stored trace (empty for one still uploading)."""
    return json.loads(found["parse"]) if found.get("parse") else {}


def public(found):
    """A trace as the phone shows it: its row and the server's parse without the data points."""
    summary = {k: v for k, v in parsed(found).items() if k != "points"}
    return {**fields.public({k: v for k, v in found.items() if k != "parse"}), "parse": summary}


def review_row(found):
    """A trace with its parse and its curve drawn in A->B metres (a B->A trace is mirrored)."""
    reading = parsed(found)
    return {**{k: v for k, v in found.items() if k != "parse"}, "parsed": reading,
            "pair_key": trace_checks.pair_key(found), "drawing": drawing(found, reading)}


def drawing(found, reading):
    """SVG polyline points and event marks of one trace, x scaled to 110 % of its length."""
    points, length = reading.get("points") or [], reading.get("length_m")
    span = (length or (points[-1][0] if points else 1.0) or 1.0) * 1.1
    pivot = length or span / 1.1
    flip = found["direction"] == "ba"
    levels = [db for d, db in points if d <= pivot] or [db for _, db in points] or [0.0]
    top, low = max(levels), min(levels)  # the fiber's own levels: the noise past its end is clipped
    height = (top - low) or 1.0
    width, tall = DRAWING

    def x(d):
        return round(min(max((pivot - d if flip else d) / span, 0), 1) * width, 1)

    def y(db):
        return round(min(max((top - db) / height, 0), 1.05) * (tall - 20) + 10, 1)

    line = " ".join(f"{x(d)},{y(db)}" for d, db in points)
    marks = [{"x": x(e["distance_m"]), "index": e["index"], "type": e["type"]}
             for e in reading.get("events", [])]
    return {"line": line, "marks": marks, "width": width, "height": tall}


def checks(db, rules, installation, records):
    """Every OTDR check of the installation's traces (trace_checks.py)."""
    traces = [{**row, "parsed": parsed(row)} for row in records[TABLE]]
    return trace_checks.checks(rules, installation, traces, records["splices"],
                               lambda found: copies(db, found))


def copies(db, found, limit=20):
    """Current traces anywhere with this one's file, data points or acquisition time, each with a
    small drawing (SVG points) so the review page can show both side by side."""
    sql = (f"SELECT * FROM {TABLE} WHERE id != ? AND (sha256 = ? OR points_sha256 = ? OR acquired_at = ?) "
           f"AND {current.condition(_SELF)} ORDER BY received_at LIMIT ?")
    rows = db.query(sql, [found["id"], found["sha256"], found["points_sha256"], found["acquired_at"], limit])
    alike = []
    for row in rows:
        reading = parsed(row)
        small = {**reading, "points": otdr.downsample(reading.get("points", []), 150)}
        alike.append({**row, "line": drawing(row, small)["line"]})
    return alike
