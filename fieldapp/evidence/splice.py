"""Splices: fiber A joined to fiber B in a closure tray, judged on bidirectional OTDR loss.

True loss is the mean of A->B and B->A at each wavelength; one direction alone can read as a
gainer or too high, so it is never failed alone (DOMAIN.md). Limits come from the profile's
`splice` rules.
"""

from fieldapp.evidence import fields
from fieldapp.evidence import results
from fieldapp.evidence.fields import N_
from fieldapp.evidence.results import note

TYPE = "splice"
TABLE = "splices"
LABEL = N_("Splice")
COUNTS = "1 = 1"
ORDER = "closure_label, tray, slot, received_at"  # as a splicer reads the closure
PULLED = True
ITEMS = {"splice": "record"}
SPLICE_TYPES = ("fusion", "ribbon", "mechanical")
LOSSES = ("loss_1310_ab", "loss_1310_ba", "loss_1550_ab", "loss_1550_ba")
WAVELENGTHS = ("1310", "1550")
MESSAGES = {}
RULE_LABELS = {
    "splice.loss": N_("Splice loss, bidirectional average (dB)"),
    "splice.bend": N_("Bend: loss at 1550 minus 1310 nm (dB)"),
    "splice.one_direction": N_("Measured from both ends"),
    "splice.link_mean_1310": N_("Mean splice loss at 1310 nm (dB)"),
    "splice.link_mean_1550": N_("Mean splice loss at 1550 nm (dB)"),
    "splice.count": N_("Splices recorded"),
}


def row(db, data, inst, tag_keys):
    """Splice ends within the cable's fibers per tube; losses within the profile's entry range."""
    rules = inst["rules"]["splice"]
    per_tube = rules.get("fibers_per_tube", 12)
    found = {
        "closure_label": fields.text(data, "closure_label"),
        "closure_type": fields.text(data, "closure_type"),
        "placement": fields.text(data, "placement", False) or "",
        **fields.position(data, "closure_lat", "closure_lon"),
        "tray": fields.integer(data, "tray", low=1, high=1000),
        "slot": fields.integer(data, "slot", low=1, high=1000),
        "splice_type": fields.choice(data, "splice_type", SPLICE_TYPES),
        "attempt": fields.integer(data, "attempt", False, 1, 100) or 1,
        "splicer_model": fields.text(data, "splicer_model", False),
        "splicer_serial": fields.text(data, "splicer_serial", False),
        "splicer_estimate_db": fields.number(data, "splicer_estimate_db", False, -10, 10),
    }
    for end in ("a", "b"):
        found[f"{end}_cable"] = fields.text(data, f"{end}_cable")
        found[f"{end}_tube"] = fields.integer(data, f"{end}_tube", low=1, high=1000)
        found[f"{end}_fiber"] = fields.integer(data, f"{end}_fiber", low=1, high=per_tube)
    for field in LOSSES:
        found[field] = fields.number(data, field, False, rules["entry_min_db"], rules["entry_max_db"])
    return found


public = fields.public


def review_row(splice):
    """A splice with its bidirectional averages per wavelength (None when one direction only)."""
    splice = dict(splice)
    for wl in WAVELENGTHS:
        value, both = average(splice, wl)
        splice[f"avg_{wl}"] = round(value, 3) if both else None
    return splice


def average(splice, wavelength):
    """(A->B + B->A) / 2 at one wavelength; a lone direction is returned as (value, False)."""
    ab, ba = splice[f"loss_{wavelength}_ab"], splice[f"loss_{wavelength}_ba"]
    if ab is not None and ba is not None:
        return (ab + ba) / 2, True
    lone = ab if ab is not None else ba
    return lone, False


def loss_verdict(rules, loss, attempt):
    """pass <= target; out of spec (warn) <= out_of_spec only after enough attempts; else fail.

    Returns (verdict, note(...)).
    """
    if loss <= rules["target_db"]:
        return "pass", note("loss_within_target", "within target")
    if loss > rules["max_db"]:
        return "fail", note("loss_over_max", "over the hard maximum")
    if loss <= rules["out_of_spec_db"] and attempt >= rules["out_of_spec_min_attempts"]:
        return "warn", note("loss_out_of_spec_accepted", "out of spec, accepted after documented attempts")
    if loss <= rules["out_of_spec_db"]:
        text = "over target: re-splice (attempt {attempt} of {needed})"
        return "fail", note("loss_resplice", text, attempt=attempt, needed=rules["out_of_spec_min_attempts"])
    return "fail", note("loss_over_out_of_spec", "over the out-of-spec limit")


def one_splice_checks(rules, splice):
    """Loss (bidirectional average), bend and one-direction checks for one splice."""
    item = {"kind": "splice", "ref": splice["id"]}
    averages, lone = {}, []
    for wl in WAVELENGTHS:
        value, both = average(splice, wl)
        if both:
            averages[wl] = value
        elif value is not None:
            lone.append(wl)
    found = []
    if averages:
        loss = max(averages.values())
        verdict, explained = loss_verdict(rules, loss, splice["attempt"])
        found.append(results.check("splice.loss", round(loss, 3), rules["target_db"], verdict,
                                   explained, item))
    if len(averages) == 2:
        delta = averages["1550"] - averages["1310"]
        verdict = "warn" if delta > rules["bend_delta_db"] else "pass"
        explained = note("bend_delta", "1550 nm minus 1310 nm")
        found.append(results.check("splice.bend", round(delta, 3), rules["bend_delta_db"], verdict,
                                   explained, item))
    if lone or not averages:
        # Never fail on one direction: a lone reading can be a gainer or read high.
        explained = note("one_direction", "measure from both ends")
        found.append(results.check("splice.one_direction", ", ".join(lone) or None, "A->B and B->A",
                                   "warn", explained, item))
    return found


def link_checks(rules, splices):
    """Mean of the bidirectional averages over the installation's splices, per wavelength."""
    found = []
    for wl in WAVELENGTHS:
        values = [v for v, both in (average(s, wl) for s in splices) if both]
        if not values:
            continue
        mean = sum(values) / len(values)
        verdict = "pass" if mean <= rules["link_mean_db"] else "fail"
        explained = note("link_mean", "{count} splices at {wavelength} nm", count=len(values), wavelength=wl)
        found.append(results.check(f"splice.link_mean_{wl}", round(mean, 3), rules["link_mean_db"],
                                   verdict, explained))
    return found


def checks(db, rules, installation, records):
    """Every splice rule; no splices at all is a warning (some sites only patch at an ODF)."""
    splices, rules = records[TABLE], rules["splice"]
    if not splices:
        return [results.check("splice.count", 0, 1, "warn", note("no_splices", "no splices recorded"))]
    found = []
    for splice in splices:
        found.extend(one_splice_checks(rules, splice))
    return found + link_checks(rules, splices)
