"""Replies: the technician's side of the conversation about one item ("room locked until Monday").

A reply names the item it is about (a returned item's kind and ref, as in
fieldapp/evidence/kinds.item_rules) and syncs like every record: a client UUID, exactly once,
offline first. With `not_applicable` it claims that a required shot does not apply to this
site; the claim counts only once a reviewer approves it (fieldapp.conversation).
A reply never resolves a returned item by itself: the reviewer closes it after reading.
"""

from fieldapp import added_shots
from fieldapp import profiles
from fieldapp.evidence import fields
from fieldapp.evidence.fields import N_
from fieldapp.evidence.fields import Rejected

TYPE = "reply"
TABLE = "replies"
LABEL = N_("Reply")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = True
ITEMS = {}
MESSAGES = {
    "not_a_required_shot": N_("Only a required photo can be marked not applicable."),
}
RULE_LABELS = {}
# The returnable item kinds (kinds.item_rules(), which imports this module: a test keeps the two equal).
ITEM_KINDS = ("photo", "shot", "splice", "trace", "speed_test", "scan", "note", "equipment", "handover")


def row(db, data, inst, tag_keys):
    """The item it is about, the text, and whether it says the shot does not apply."""
    item_kind = fields.choice(data, "item_kind", ITEM_KINDS)
    item_ref = fields.text(data, "item_ref", False, 100) or ""
    not_applicable = data.get("not_applicable", False)
    if not isinstance(not_applicable, bool):
        raise Rejected("bad_field", field="not_applicable")
    if not_applicable and (item_kind != "shot" or item_ref not in _shots(db, inst)):
        raise Rejected("not_a_required_shot", field="item_ref")
    return {"item_kind": item_kind, "item_ref": item_ref,
            "text": fields.text(data, "text", limit=fields.LONG), "not_applicable": int(not_applicable)}


def _shots(db, inst):
    return profiles.required_shots(inst["rules"], inst["type"]) + added_shots.keys(db, inst["id"])


def public(found):
    return {**fields.public(found), "not_applicable": bool(found["not_applicable"])}


review_row = fields.as_stored


def checks(db, rules, installation, records):
    """A reply is part of a conversation; the shot checks read approved N/A claims."""
    return []
