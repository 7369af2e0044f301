"""Speed tests: the contracted rate, measured and recorded (fieldapp.speed holds the arithmetic).

Validation is speed.validate_speed_test, shared with the HTML form; the verdict is
speed.verdict, shared with the phone (static/js/speed/verdict.js).
"""

import json

from fieldapp import speed
from fieldapp.evidence import fields
from fieldapp.evidence import results
from fieldapp.evidence.fields import N_
from fieldapp.evidence.results import note

TYPE = "speed_test"
TABLE = "speed_tests"
LABEL = N_("Speed test")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = True
ITEMS = {"speed_test": "optional"}  # one record, or the speed test as a whole (ref '')
# What the phone shows for the codes only this kind raises (sync_api translates them).
MESSAGES = {
    "required": N_("“%(field)s” is required."),
    "not_a_number": N_("“%(field)s” must be a number."),
    "unknown_method": N_("Unknown speed test method."),
    "unknown_connection": N_("Choose how the test device was connected: cable or Wi-Fi."),
    "unknown_latency_kind": N_("Say whether the latency is the minimum or the median."),
    "not_measurable": N_("A browser test cannot measure packet loss; leave it empty."),
    "screen_photo_required": N_("Add a photo of the tester's screen to this result."),
    "device_model_required": N_("Enter the tester's model."),
}
RULE_LABELS = {
    "speed.runs": N_("Speed test runs counted"),
    "speed.down": N_("Download, median (Mbit/s)"),
    "speed.up": N_("Upload, median (Mbit/s)"),
    "speed.screen_reused": N_("Tester screen photo not used for another result"),
}


def row(db, data, inst, tag_keys):
    """Fields as the speed test sends them, judged by speed.py's rules (shared with the form)."""
    problems = speed.validate_speed_test(data)
    if problems:
        raise fields.Rejected(problems[0]["code"], field=problems[0]["field"])
    return {
        "method": fields.choice(data, "method", speed.METHODS),
        "server": fields.text(data, "server", False) or "",
        "connection": fields.choice(data, "connection", speed.CONNECTIONS),
        "down_mbps": fields.number(data, "down_mbps", low=0, high=1e6),
        "up_mbps": fields.number(data, "up_mbps", low=0, high=1e6),
        "latency_ms": fields.number(data, "latency_ms", False, 0, 1e6),
        "latency_kind": fields.choice(data, "latency_kind", speed.LATENCY_KINDS, False),
        "jitter_ms": fields.number(data, "jitter_ms", False, 0, 1e6),
        "loss_pct": fields.number(data, "loss_pct", False, 0, 100),
        "started_at": fields.iso_time(data.get("started_at"), "started_at", False),
        "duration_s": fields.number(data, "duration_s", False, 0, 86400),
        "streams": fields.integer(data, "streams", False, 0, 1000),
        **fields.position(data),
        "device_model": fields.text(data, "device_model", False),
        "device_serial": fields.text(data, "device_serial", False),
        "screen_photo_id": fields.optional_uuid(data, "screen_photo_id"),
        "runs": data.get("runs"),  # a tester's summary of several runs (checked above)
        "raw": raw(data),
    }


def raw(data):
    """The measuring tool's own result, kept as any JSON (docs/api.md) but strict JSON: no NaN
    or Infinity, which would make every later pull unreadable. Whoever reads its runs reads
    them defensively (speed.runs_of): a tool's format is not ours to refuse."""
    value = data.get("raw")
    if value is None:
        return None
    try:
        return json.dumps(value, sort_keys=True, allow_nan=False)
    except (ValueError, RecursionError):  # NaN or Infinity somewhere, or nested too deep
        raise fields.Rejected("bad_field", field="raw") from None


def public(found):
    """A speed test as the phone shows it (raw as JSON again)."""
    out = fields.public(found)
    if found.get("raw"):
        out["raw"] = json.loads(found["raw"])
    return out


review_row = fields.as_stored


def checks(db, rules, installation, records):
    """The speed verdict (speed.verdict) shaped as checks: run count, down, up."""
    result = speed.verdict(rules, installation, records[TABLE])
    item = {"kind": "speed_test", "ref": ""}
    explained = note("runs_counted", "{count} {connection} runs counted", count=result["runs"],
                     connection=result["connection"] or "any")
    verdict = "pass" if result["runs"] >= result["min_runs"] else "fail"
    found = [results.check("speed.runs", result["runs"], result["min_runs"], verdict, explained, item)]
    for direction in ("down", "up"):
        figures = result[direction]
        value = figures["median_mbps"]
        explained = note("median_vs_contract", "median Mbps; contract {contract}",
                         contract=figures["required_mbps"])
        found.append(results.check(f"speed.{direction}", None if value is None else round(value, 1),
                                   round(figures["threshold_mbps"], 1),
                                   "pass" if figures["passed"] else "fail", explained, item))
    return found + screen_reuse_checks(records[TABLE], records["photos"])


def screen_reuse_checks(tests, photos):
    """A photo of the tester's screen proves one result: the same picture (same sha256, or the
    same photo) behind a second result is one measurement counted twice, so that one fails."""
    sha256 = {photo["id"]: photo["sha256"] for photo in photos}
    first, found = {}, []
    for test in tests:
        screen = test.get("screen_photo_id")
        key = sha256.get(screen) or screen
        if not key:
            continue
        if key in first:
            explained = note("screen_reused", "same screen photo as another result")
            found.append(results.check("speed.screen_reused", first[key], None, "fail", explained,
                                       {"kind": "speed_test", "ref": test["id"]}))
        else:
            first[key] = test["id"]
    return found
