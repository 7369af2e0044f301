"""Scans of the institution's QR tag: proof the technician stood at the right site.

A genuine tag is kept even when it belongs elsewhere (matched = 0): that is evidence. A code
that fails the HMAC check is refused: it names no tag at all, and the phone asks the
technician to scan again or type the ID printed under the code.
"""

from fieldapp import tags
from fieldapp.evidence import fields
from fieldapp.evidence import results
from fieldapp.evidence.fields import N_

TYPE = "scan"
TABLE = "scans"
LABEL = N_("QR tag scan")
COUNTS = "1 = 1"
ORDER = "received_at, id"
PULLED = True
ITEMS = {"scan": "none"}  # the scan as a whole: 'scan it again'
MESSAGES = {}
RULE_LABELS = {"scan.tag": N_("QR tag scanned at the site")}


def row(db, data, inst, tag_keys):
    """The verified tag ID and whether it is this institution's active tag."""
    code = fields.text(data, "code")
    wait = tags.throttled_for(db, inst["scanned_by"])  # past the limit, guessing teaches nothing
    if wait:
        raise fields.Rejected("tag_attempts_exceeded", 429, retry_after_s=wait, hours=-(-wait // 3600))
    try:
        tag_id = tags.verify(tag_keys, code)
    except tags.TagError as error:
        raise fields.Rejected("tag_invalid", reason=error.reason) from None
    tag = tags.lookup(db, tag_id)
    matched = bool(tag and tag["institution_id"] == inst["institution_id"] and not tag["revoked_at"])
    return {"tag_id": tag_id, "matched": int(matched), **fields.position(data),
            "accuracy_m": fields.number(data, "accuracy_m", False, 0, 1e6)}


def refused(db, user, record, error):
    """Count a code whose check failed against its technician: guessing the check is throttled
    (tags.throttled_for), and the supervisor sees the count as a finding."""
    if error.code == "tag_invalid":
        tags.note_failure(db, user["id"], record["installation_id"], error.params["reason"])


def public(found):
    """A scan as the phone shows it (matched as a boolean)."""
    return {**fields.public(found), "matched": bool(found["matched"])}


review_row = fields.as_stored


def checks(db, rules, installation, records):
    """The site's QR tag was scanned at the site (a scan the server matched to it)."""
    matched = sum(1 for scan in records[TABLE] if scan["matched"])
    explained = results.note("tag_scans", "{count} matched tag scan(s)", count=matched)
    return [results.check("scan.tag", matched, 1, "pass" if matched else "fail", explained,
                          {"kind": "scan", "ref": ""})]
