"""Submissions: the technician says the site is done, with an optional comment for review.

Storing one moves the installation to 'submitted' (records.after_store). The phone does not
pull them back: the installation's status already says it.
"""

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


def row(db, data, inst, tag_keys):
    return {"comment": fields.text(data, "comment", False, fields.LONG) or ""}


public = fields.public  # nothing of it is internal beyond the columns every record has
review_row = fields.as_stored


def checks(db, rules, installation, records):
    """A submission is the act of handing in, not evidence to judge."""
    return []
