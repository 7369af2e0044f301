"""A conversation per item, and what it decides: reviewer messages, closing, N/A approval.

The technician's messages are `reply` records (fieldapp/evidence/reply.py), synced like any
evidence; the reviewer's are rows of `review_messages`, which touch the installation's
revision so the next pull carries them to the phone. An item is keyed 'kind:ref' as in the
checks (results.by_item). Closing resolves the item's open returned rows ('closed'), which the
completion gate (decisions.open_items) then counts as done. An N/A claim on a shot counts
only while its latest approval is newer than the claim and the shot was not returned since.
"""

from fieldapp import audit
from fieldapp import clock
from fieldapp import installations
from fieldapp import markup
from fieldapp import store

ACTIONS = ("message", "close", "approve_na")
MAX_TEXT = 2000


class Refused(ValueError):
    """A reviewer action that cannot be taken; `code` is translated by the view."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def post(db, installation_id, reviewer_id, item_kind, item_ref, action, text=""):
    """A reviewer's message, close or N/A approval on one item; returns the message id."""
    text = (text or "").strip()
    if action not in ACTIONS:
        raise Refused("unknown_action")
    if len(text) > MAX_TEXT or (action == "message" and not text):
        raise Refused("message_required")
    with store.write(db):
        if store.scalar(db, "SELECT status FROM installations WHERE id = ?", [installation_id]) == "accepted":
            raise Refused("accepted")  # the packet is issued: its history no longer changes
        if action == "approve_na" and (item_kind, item_ref) not in _claims(db, installation_id):
            raise Refused("no_claim")
        if action == "close" and not _open_rows(db, installation_id, item_kind, item_ref):
            raise Refused("nothing_open")
        now = clock.now()
        message_id = db["review_messages"].insert({
            "installation_id": installation_id, "item_kind": item_kind, "item_ref": item_ref,
            "author_id": reviewer_id, "action": action, "text": text, "at": now,
        }).last_pk
        if action in ("close", "approve_na"):
            db.execute(
                "UPDATE returned_items SET resolved_at = ?, resolved_by = ?, resolution = ? "
                "WHERE installation_id = ? AND item_kind = ? AND item_ref = ? AND resolved_at IS NULL",
                [now, f"message:{message_id}", "closed" if action == "close" else "not_applicable",
                 installation_id, item_kind, item_ref])
        installations.touch(db, installation_id)
        audit.record(db, reviewer_id, f"item_{action}", "installation", installation_id,
                     after={"item": f"{item_kind}:{item_ref}", "text": text, "message_id": message_id})
    return message_id


def _open_rows(db, installation_id, item_kind, item_ref):
    return store.scalar(db, "SELECT COUNT(*) FROM returned_items WHERE installation_id = ? AND "
                        "item_kind = ? AND item_ref = ? AND resolved_at IS NULL",
                        [installation_id, item_kind, item_ref])


def _claims(db, installation_id):
    """(kind, ref) -> time of the latest N/A claim, among current replies."""
    sql = """SELECT item_kind, item_ref, MAX(received_at) FROM replies WHERE installation_id = ?
        AND not_applicable = 1 AND id NOT IN (SELECT replaces FROM replies WHERE replaces IS NOT NULL)
        GROUP BY item_kind, item_ref"""
    return {(kind, ref): at for kind, ref, at in db.execute(sql, [installation_id])}


def na_states(db, installation_id):
    """Shot key -> 'pending' | 'approved' | 'returned' for every N/A claim on the installation."""
    approvals = dict(((k, r), at) for k, r, at in db.execute(
        "SELECT item_kind, item_ref, MAX(at) FROM review_messages WHERE installation_id = ? "
        "AND action = 'approve_na' GROUP BY item_kind, item_ref", [installation_id]))
    returns = dict(((k, r), at) for k, r, at in db.execute(
        "SELECT ri.item_kind, ri.item_ref, MAX(rv.at) FROM returned_items ri JOIN reviews rv "
        "ON rv.id = ri.review_id WHERE ri.installation_id = ? GROUP BY ri.item_kind, ri.item_ref",
        [installation_id]))
    states = {}
    for key, claimed in _claims(db, installation_id).items():
        approved, returned = approvals.get(key), returns.get(key)
        if returned and returned > claimed and (not approved or returned > approved):
            states[key[1]] = "returned"
        elif approved and approved >= claimed:
            states[key[1]] = "approved"
        else:
            states[key[1]] = "pending"
    return states


def approved_na(db, installation_id):
    """The shots whose N/A a reviewer approved (and did not return since): they count as present."""
    return {shot for shot, state in na_states(db, installation_id).items() if state == "approved"}


def threads(db, installation_ids):
    """Installation id -> 'kind:ref' -> messages oldest first, both sides:
    {id, side: 'field'|'review', author, text, action, not_applicable, at}."""
    found = {}
    if not installation_ids:
        return found
    marks = ",".join("?" * len(installation_ids))
    ids = list(installation_ids)
    field = f"""SELECT r.installation_id, r.item_kind, r.item_ref, r.id, 'field' AS side, u.name AS author,
        r.text, 'message' AS action, r.not_applicable, r.received_at AS at FROM replies r
        JOIN users u ON u.id = r.author_id WHERE r.installation_id IN ({marks})"""
    review = f"""SELECT m.installation_id, m.item_kind, m.item_ref, CAST(m.id AS TEXT) AS id, 'review',
        u.name, m.text, m.action, 0, m.at AS at FROM review_messages m JOIN users u ON u.id = m.author_id
        WHERE m.installation_id IN ({marks})"""
    for row in db.query(f"{field} UNION ALL {review} ORDER BY at, id", ids + ids):
        key = f"{row.pop('item_kind')}:{row.pop('item_ref')}"
        row["not_applicable"] = bool(row["not_applicable"])
        found.setdefault(row.pop("installation_id"), {}).setdefault(key, []).append(row)
    return found


def history(db, installation_id, thread):
    """'kind:ref' -> {state, events}: every return of the item (reason code, text, markup, how
    it was resolved) and every message of its thread, oldest first. The state is the latest
    return's: 'open', 'answered' (a field message came after it), or its resolution
    ('redone', 'closed', 'not_applicable'); items never returned but talked about: 'talk'."""
    sql = """SELECT ri.*, rv.at, u.name AS author FROM returned_items ri
        JOIN reviews rv ON rv.id = ri.review_id JOIN users u ON u.id = rv.reviewer_id
        WHERE ri.installation_id = ? ORDER BY rv.at, ri.id"""
    items = {}
    for row in db.query(sql, [installation_id]):
        key = f"{row['item_kind']}:{row['item_ref']}"
        event = {"side": "return", "at": row["at"], "author": row["author"], "code": row["reason_code"],
                 "text": row["reason"], "markup": markup.loads(row["markup"]),
                 "resolved_at": row["resolved_at"],
                 "resolution": row["resolution"] or ("redone" if row["resolved_at"] else None)}
        items.setdefault(key, {"events": []})["events"].append(event)
    for key, messages in thread.items():
        items.setdefault(key, {"events": []})["events"].extend(messages)
    for entry in items.values():
        entry["events"].sort(key=lambda e: e["at"])
        entry["state"] = _state(entry["events"])
    return items


def _state(events):
    returns = [e for e in events if e["side"] == "return"]
    if not returns:
        return "talk"
    last = returns[-1]
    if last["resolution"]:
        return last["resolution"]
    answered = any(e["side"] == "field" and e["at"] > last["at"] for e in events)
    return "answered" if answered else "open"
