"""Submissions: the technician says the site is done, with an optional comment for review.

Storing one moves the installation to 'submitted' (records.after_store). The phone does not
pull them back: the installation's status already says it. A submission made past the
checklist's warnings (fieldapp/checklist.py) names the ones the technician acknowledged, so
the supervisor reads "submitted with a failing splice" instead of finding it.
"""

import json

from fieldapp.evidence import fields
from fieldapp.evidence.fields import N_

TYPE = "submission"
TABLE = "submissions"
LABEL = N_("Submission")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = False
ITEMS = {}
MESSAGES = {}
RULE_LABELS = {}
# What the checklist can warn about before submitting, in the order the phone lists them
# (their names: vocabulary.SUBMIT_WARNING).
WARNINGS = ("missing_shots", "failing_splices", "speed_not_passed", "tag_not_scanned", "no_ont",
            "no_handover")


def row(db, data, inst, tag_keys):
    return {"comment": fields.text(data, "comment", False, fields.LONG) or "",
            "warnings": json.dumps(acknowledged(data))}


def acknowledged(data):
    """The warnings the technician submitted past: known codes, each once, in WARNINGS order."""
    given = data.get("warnings", [])
    if not isinstance(given, list):
        raise fields.Rejected("bad_field", field="warnings")
    for code in given:
        fields.choice({"warnings": code}, "warnings", WARNINGS)
    return [code for code in WARNINGS if code in given]


public = fields.public  # nothing of it is internal beyond the columns every record has


def review_row(found):
    """The stored row with its acknowledged warnings as a list (older rows have none)."""
    return {**found, "warnings": json.loads(found.get("warnings") or "[]")}


def checks(db, rules, installation, records):
    """A submission is the act of handing in, not evidence to judge."""
    return []
