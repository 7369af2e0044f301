"""What an installation still lacks, judged as the phone judges it: one verdict, two runtimes.

My sites exists twice, server-rendered (works without JavaScript) and in the offline app. Both
read the same shape, the pull's installation (fieldapp/pull.py), and apply the same rules:
this module and static/js/checklist.js, kept equal by tests/test_checklist_parity_browser.py.
A returned photo or shot is not counted as had: "8 of 8 photos" with one returned was wrong.
"""

from fieldapp import speed
from fieldapp.evidence import splice
from fieldapp.evidence.submission import WARNINGS


def summary(site, rules):
    """The checklist of one pulled installation: counts, verdicts and the open returns."""
    records = site["records"]
    returns = site.get("returned_items") or []
    have = _shots_had(records.get("photos", []), returns)
    required = site["required_shots"]
    failing = [s for s in records.get("splices", []) if splice_fails(rules["splice"], s)]
    found = {
        "photos_have": sum(1 for shot in required if shot in have),
        "photos_need": len(required),
        "missing_shots": [shot for shot in required if shot not in have],
        "splices": len(records.get("splices", [])),
        "failing_splices": [s["id"] for s in failing],
        "speed": speed_state(rules["speed"], site["required_mbps"], records.get("speed_tests", [])),
        "scanned": any(s.get("matched") not in (0, False) for s in records.get("scans", [])),
        "onts": sum(1 for d in records.get("equipment", []) if d["device_type"] == "ont"),
        "handover": _handover(records.get("handovers", [])),
        "returned": len(returns),
    }
    found["warnings"] = warnings(found)
    return found


def _shots_had(photos, returns):
    """Shots with a photo that is not itself returned; a returned shot has none until redone."""
    photo_refs = {r["item_ref"] for r in returns if r["item_kind"] == "photo"}
    shot_refs = {r["item_ref"] for r in returns if r["item_kind"] == "shot"}
    return {p["shot"] for p in photos if p["id"] not in photo_refs and p["shot"] not in shot_refs}


def _handover(handovers):
    """The outcome of the handover recorded last (signed, absent, refused), or None."""
    return handovers[-1]["outcome"] if handovers else None


def splice_fails(limits, row):
    """Over target before enough attempts, or past the out-of-spec or hard limit (a re-splice)."""
    both = [value for value, whole in (splice.average(row, wl) for wl in splice.WAVELENGTHS)
            if whole]
    return bool(both) and splice.loss_verdict(limits, max(both), row.get("attempt") or 1)[0] == "fail"


def speed_state(limits, required, tests):
    """What the speed test still needs: nothing, a test, a cable, more runs, or a faster line."""
    if not tests:
        return "missing"
    result = speed.evaluate(limits, required, tests)
    if result["passed"]:
        return "done"
    codes = [reason["code"] for reason in result["reasons"]]
    if any(code.endswith("_too_slow") for code in codes):
        return "slow"
    return "needs_cable" if result["runs"] == 0 and "wifi_not_counted" in codes else "more_runs"


def warnings(found):
    """The checklist's problems as codes (submission.WARNINGS), in the order the phone lists them."""
    present = {
        "missing_shots": bool(found["missing_shots"]),
        "failing_splices": bool(found["failing_splices"]),
        "speed_not_passed": found["speed"] != "done",
        "tag_not_scanned": not found["scanned"],
        "no_ont": not found["onts"],
        "no_handover": found["handover"] is None,
    }
    return [code for code in WARNINGS if present[code]]


def blocking(rules):
    """The warnings this profile does not let a technician submit past (default: none).

    A deficiency is recorded rather than forced to pass (DOMAIN.md), so by default every
    problem is a warning the technician acknowledges; a contract may make some blockers.
    """
    return [code for code in (rules.get("submit") or {}).get("blocking", []) if code in WARNINGS]
