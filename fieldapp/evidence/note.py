"""Field notes: what the technician wants the next person to know ("key with the caretaker")."""

from fieldapp.evidence import fields
from fieldapp.evidence.fields import N_

TYPE = "note"
TABLE = "notes"
LABEL = N_("Note")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = True
ITEMS = {"note": "record"}
MESSAGES = {}
RULE_LABELS = {}


def row(db, data, inst, tag_keys):
    return {"text": fields.text(data, "text", limit=fields.LONG)}


public = fields.public  # nothing of it is internal beyond the columns every record has
review_row = fields.as_stored


def checks(db, rules, installation, records):
    """Notes inform the reviewer; nothing about them passes or fails."""
    return []
