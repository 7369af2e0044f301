"""Review decisions: approve, return specific items, accept; each with a snapshot of the checks.

A decision re-runs every check at the moment it is taken and stores the result (rule, value,
threshold, verdict, profile version) in `reviews.checks` and in the audit log, so it can be
explained later even if the profile or the records change.
"""

import json

from fieldapp import added_shots
from fieldapp import audit
from fieldapp import check_summaries
from fieldapp import clock
from fieldapp import installations
from fieldapp import markup
from fieldapp import profiles
from fieldapp import store
from fieldapp.evidence import checks
from fieldapp.evidence import kinds

FROM_STATUS = {"approve": "submitted", "accept": "approved"}
TO_STATUS = {"approve": "approved", "accept": "accepted", "return": "returned"}


class DecisionRefused(ValueError):
    """A decision that cannot be taken; `code` says why in a form the view can translate."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def approve(db, installation_id, reviewer_id, comment="", override_reason=None, expected_rev=None):
    """Approve a submitted installation: all checks pass, or an override reason is written."""
    return _sign_off(db, "approve", installation_id, reviewer_id, comment, override_reason, expected_rev)


def accept(db, installation_id, reviewer_id, comment="", override_reason=None, expected_rev=None):
    """Finally accept an approved installation, under the same rule as approving."""
    return _sign_off(db, "accept", installation_id, reviewer_id, comment, override_reason, expected_rev)


def _sign_off(db, decision, installation_id, reviewer_id, comment, override_reason, expected_rev):
    """Checks run outside the write lock (they are slow); the rev they were run on is then
    required at commit, so a record that arrives meanwhile makes the decision 'stale'."""
    expected_rev = _current_rev(db, installation_id) if expected_rev is None else expected_rev
    result = checks.run_all(db, installation_id)
    override_reason = (override_reason or "").strip() or None
    if result["summary"]["verdict"] != "pass" and not override_reason:
        check_summaries.refresh(db, installation_id, result)  # reviewed: the queue shows it
        raise DecisionRefused("override_required", result["summary"]["verdict"])
    if open_items(db, installation_id) and not override_reason:
        raise DecisionRefused("open_items", str(open_items(db, installation_id)))
    with store.write(db):
        _expect(db, installation_id, FROM_STATUS[decision], expected_rev)
        review_id = _record(db, installation_id, reviewer_id, decision, result, comment, override_reason)
    check_summaries.refresh(db, installation_id, result)  # at the revision the decision made
    return review_id


def open_items(db, installation_id):
    """How many returned items are not yet resolved (redone, or answered and closed): the
    completion gate refuses to sign off while any is open, unless an override is written."""
    return store.scalar(db, "SELECT COUNT(*) FROM returned_items "
                        "WHERE installation_id = ? AND resolved_at IS NULL", [installation_id])


def return_items(db, installation_id, reviewer_id, items, comment="", expected_rev=None, added=()):
    """Send specific items back to the technician, each with its reason.

    `items`: dicts {kind, ref, reason, code, markup}; ref is a record UUID (photo, splice,
    speed_test, note), a shot key ('shot'), or '' ('scan', or the speed test as a whole);
    code is a standard reason of the profile's catalogue (profiles.return_reasons), reason the
    free text beside it (one of the two is needed); markup an overlay (fieldapp.markup).
    `added`: labels of shots the reviewer adds to this installation, each returned as a shot.
    """
    expected_rev = _current_rev(db, installation_id) if expected_rev is None else expected_rev
    rules = profiles.get(db, store.scalar(db, "SELECT profile_id FROM installations WHERE id = ?",
                                          [installation_id]) or 0)
    items = [_clean_item(db, installation_id, item, rules and rules["rules"]) for item in items]
    added = [label.strip() for label in added if label and label.strip()]
    if any(len(label) > added_shots.MAX_LABEL for label in added):
        raise DecisionRefused("shot_label_too_long")
    if not items and not added:
        raise DecisionRefused("nothing_returned")
    result = checks.run_all(db, installation_id)
    with store.write(db):
        status = _expect(db, installation_id, None, expected_rev)
        if status not in ("submitted", "approved"):
            raise DecisionRefused("wrong_status", status)
        new = [{"kind": "shot", "ref": added_shots.new_key(), "reason": label, "code": None, "markup": None}
               for label in added]
        items += new
        review_id = _record(db, installation_id, reviewer_id, "return", result, comment, None, items)
        for item in new:
            added_shots.add(db, item["ref"], installation_id, review_id, reviewer_id, item["reason"])
        db["returned_items"].insert_all(
            {
                "review_id": review_id,
                "installation_id": installation_id,
                "item_kind": item["kind"],
                "item_ref": item["ref"],
                "reason": item["reason"],
                "reason_code": item["code"],
                "markup": markup.dumps(item["markup"]),
            }
            for item in items
        )
    check_summaries.refresh(db, installation_id, result)
    return review_id


def bulk_approve(db, installation_ids, reviewer_id):
    """Approve each installation whose checks all pass; report the others and why.

    Each approval is bound to the revision its checks saw (see _sign_off): one changed by a
    sync while its checks ran is skipped as 'stale', never approved on outdated checks.
    """
    approved, skipped = [], []
    for installation_id in installation_ids:
        try:
            approve(db, installation_id, reviewer_id, comment="bulk approval")
            approved.append(installation_id)
        except (DecisionRefused, installations.InvalidTransition, LookupError) as refused:
            skipped.append({"id": installation_id, "code": getattr(refused, "code", "wrong_status")})
    return {"approved": approved, "skipped": skipped}


def _clean_item(db, installation_id, item, profile_rules):
    """A returned item as stored: its kind known, its ref checked by the kind's rule, a reason
    (a standard code of the profile's catalogue, free text, or both), its markup checked."""
    kind, ref, reason = item.get("kind"), (item.get("ref") or "").strip(), (item.get("reason") or "").strip()
    code = (item.get("code") or "").strip() or None
    rules = kinds.item_rules()
    if kind not in rules:
        raise DecisionRefused("unknown_item", str(kind))
    if code and code not in profiles.return_reasons(profile_rules or {}, kind):
        raise DecisionRefused("unknown_reason", code)
    if not reason and not code:
        raise DecisionRefused("reason_required", kind)
    try:
        overlay = markup.parse(item.get("markup")) if kind == "photo" else None
    except markup.BadMarkup as bad:
        raise DecisionRefused("bad_markup", str(bad)) from None
    evidence, rule = rules[kind]
    if rule in ("record", "optional") and ref:
        owner = store.scalar(db, f"SELECT installation_id FROM {evidence.TABLE} WHERE id = ?", [ref])
        if owner != installation_id:
            raise DecisionRefused("unknown_record", ref)
    elif rule in ("record", "shot") and not ref:
        raise DecisionRefused("ref_required", kind)
    return {"kind": kind, "ref": "" if rule == "none" else ref, "reason": reason, "code": code,
            "markup": overlay}


def _current_rev(db, installation_id):
    """The installation's revision now (None when it does not exist: _expect says so later)."""
    return store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [installation_id])


def _expect(db, installation_id, status, expected_rev):
    """Refuse a decision taken on a stale page or in the wrong state; return the status."""
    row = store.one(db, "SELECT status, rev FROM installations WHERE id = ?", [installation_id])
    if row is None:
        raise LookupError(f"no installation {installation_id}")
    if expected_rev is not None and str(expected_rev).strip() != str(row["rev"]):  # "abc": stale, no 500
        raise DecisionRefused("stale", str(row["rev"]))
    if status and row["status"] != status:
        raise DecisionRefused("wrong_status", row["status"])
    return row["status"]


def _record(db, installation_id, reviewer_id, decision, result, comment, override, items=()):
    """Write the review row, move the installation, and audit both with the snapshot."""
    snapshot = {
        "profile_id": result["profile_id"],
        "profile_version": result["profile_version"],
        "summary": result["summary"],
        "checks": result["checks"],
    }
    review_id = (
        db["reviews"]
        .insert(
            {
                "installation_id": installation_id,
                "reviewer_id": reviewer_id,
                "decision": decision,
                "comment": (comment or "").strip(),
                "override_reason": override,
                "profile_id": result["profile_id"],
                "checks": json.dumps(snapshot, ensure_ascii=False),
                "at": clock.now(),
            }
        )
        .last_pk
    )
    installations.transition(db, installation_id, TO_STATUS[decision], actor_id=reviewer_id)
    audit.record(
        db,
        reviewer_id,
        decision,
        "installation",
        installation_id,
        after={
            "review_id": review_id,
            "comment": comment,
            "override_reason": override,
            "items": list(items),
            **snapshot,
        },
    )
    return review_id


def history(db, installation_id):
    """Every review of an installation, newest first, with reviewer name and returned items."""
    sql = """SELECT r.*, u.name AS reviewer_name FROM reviews r JOIN users u ON u.id = r.reviewer_id
        WHERE r.installation_id = ? ORDER BY r.id DESC"""
    reviews = []
    for row in db.query(sql, [installation_id]):
        row["snapshot"] = json.loads(row.pop("checks"))
        row["items"] = list(
            db.query("SELECT * FROM returned_items WHERE review_id = ? ORDER BY id", [row["id"]])
        )
        reviews.append(row)
    return reviews


def changes_since(db, installation_id, since):
    """Records received after `since` (the last review), newest first: what the resubmission changed."""
    found = []
    for kind in kinds.KINDS:
        sql = f"""SELECT * FROM {kind.TABLE} WHERE installation_id = ? AND received_at > ?
            ORDER BY received_at DESC"""
        found += [{"kind": kind.TYPE, **row} for row in db.query(sql, [installation_id, since])]
    return sorted(found, key=lambda r: r["received_at"], reverse=True)
