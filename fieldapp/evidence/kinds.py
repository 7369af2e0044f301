"""The one list of the kinds of evidence; every stage loops over it.

A kind is a module with the same plain names (see tests/evidence/test_kinds.py, which fails
when one lacks any of them): TYPE, TABLE, LABEL, COUNTS, ORDER, PULLED, ITEMS, RULE_LABELS,
checks(), public(), review_row(), and either row() (a record sent in a batch) or
announce_fields() and stored() (a file sent through fieldapp.uploads); optionally refused(),
called when a record of the kind is refused, after its savepoint rolled back. The order is the
order of the checks on the review page and in a review's snapshot.
"""

from fieldapp.evidence import equipment
from fieldapp.evidence import handover
from fieldapp.evidence import note
from fieldapp.evidence import photo
from fieldapp.evidence import reply
from fieldapp.evidence import scan
from fieldapp.evidence import speed_test
from fieldapp.evidence import splice
from fieldapp.evidence import submission
from fieldapp.evidence import trace

KINDS = (photo, scan, splice, trace, speed_test, equipment, handover, note, reply, submission)
_BY_TYPE = {kind.TYPE: kind for kind in KINDS}
_BY_TABLE = {kind.TABLE: kind for kind in KINDS}


def by_type(type_):
    """The kind module of a record type ('splice'), or None."""
    return _BY_TYPE.get(type_)


def by_table(table):
    """The kind module stored in a table ('splices'), or None."""
    return _BY_TABLE.get(table)


def batched():
    """Kinds a phone sends as records in a batch (the others are files)."""
    return tuple(kind for kind in KINDS if hasattr(kind, "row"))


def files():
    """Kinds a phone sends as files through the resumable upload."""
    return tuple(kind for kind in KINDS if hasattr(kind, "stored"))


def item_rules():
    """Returnable item kind -> (its evidence kind, how its ref is checked).

    'record': a record of that kind on the installation; 'optional': such a record or ''
    (the whole); 'shot': a shot key; 'none': the ref is always ''.
    """
    return {item: (kind, rule) for kind in KINDS for item, rule in kind.ITEMS.items()}


def rule_labels():
    """Every check rule's label msgid, from every kind."""
    return {rule: label for kind in KINDS for rule, label in kind.RULE_LABELS.items()}


def detail_texts():
    """detail_code -> English msgid of the check details a kind words itself (DETAILS, optional)."""
    return {code: text for kind in KINDS for code, text in getattr(kind, "DETAILS", {}).items()}


def item_labels():
    """Label msgids of every record type and returnable item kind ('shot': a missing photo)."""
    labels = {kind.TYPE: kind.LABEL for kind in KINDS}
    for kind in KINDS:
        labels.update(getattr(kind, "ITEM_LABELS", {}))
    return labels
