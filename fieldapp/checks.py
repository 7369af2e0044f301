"""Automatic checks of one installation against its acceptance profile.

Each check is a plain dict {rule, value, threshold, verdict: pass|warn|fail, detail, detail_code,
detail_args} (plus `item` when it is about one record, so that record can be returned). `detail`
is English; the review pages translate `detail_code` with `detail_args` (evidence.note). Thresholds
come only from the profile; a review stores the whole list as its snapshot.
"""

from fieldapp import evidence
from fieldapp import installations
from fieldapp import profiles
from fieldapp import speed

VERDICTS = ("pass", "warn", "fail")
WAVELENGTHS = ("1310", "1550")


def current(db, table, installation_id, extra="1 = 1", order="received_at, id"):
    """The records of one installation that no later record replaces, oldest first by default.

    The replaced-ids subquery is limited to the same installation (a correction always is), so
    its cost does not grow with the national archive.
    """
    sql = (
        f"SELECT * FROM {table} WHERE installation_id = ? AND {extra} AND id NOT IN "
        f"(SELECT replaces FROM {table} WHERE installation_id = ? AND replaces IS NOT NULL) "
        f"ORDER BY {order}"
    )
    return list(db.query(sql, [installation_id, installation_id]))


def load(db, installation_id):
    """The current records the checks judge, by table (complete photos only)."""
    return {
        "photos": current(db, "photos", installation_id, "status = 'complete'"),
        "scans": current(db, "scans", installation_id),
        # In the order a splicer reads the closure, not the order the phone sent them.
        "splices": current(db, "splices", installation_id, order="closure_label, tray, slot, received_at"),
        "speed_tests": current(db, "speed_tests", installation_id),
    }


def worst(verdicts):
    """The most serious verdict of several ('pass' when there are none)."""
    return max(verdicts, key=VERDICTS.index, default="pass")


def shot_checks(rules, institution_type, photos):
    """One check per required shot: present (a complete, current photo of it) or missing."""
    have = {}
    for photo in photos:
        have[photo["shot"]] = have.get(photo["shot"], 0) + 1
    return [
        {
            "rule": "photos.required_shot",
            "value": have.get(shot, 0),
            "threshold": 1,
            "verdict": "pass" if have.get(shot) else "fail",
            "detail": shot,  # the shot key: the pages show the shot's name instead
            "item": {"kind": "shot", "ref": shot, "shot": shot},
        }
        for shot in profiles.required_shots(rules, institution_type)
    ]


def scan_check(scans):
    """The site's QR tag was scanned at the site (a scan the server matched to it)."""
    matched = sum(1 for scan in scans if scan["matched"])
    return {
        "rule": "scan.tag",
        "value": matched,
        "threshold": 1,
        "verdict": "pass" if matched else "fail",
        **evidence.note("tag_scans", "{count} matched tag scan(s)", count=matched),
        "item": {"kind": "scan", "ref": ""},
    }


def splice_average(splice, wavelength):
    """(A->B + B->A) / 2 at one wavelength; a lone direction is returned as (value, False)."""
    ab, ba = splice[f"loss_{wavelength}_ab"], splice[f"loss_{wavelength}_ba"]
    if ab is not None and ba is not None:
        return (ab + ba) / 2, True
    lone = ab if ab is not None else ba
    return lone, False


def splice_loss_verdict(rules, loss, attempt):
    """pass <= target; out of spec (warn) <= out_of_spec only after enough attempts; else fail.

    Returns (verdict, evidence.note(...)).
    """
    note = evidence.note
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
        value, both = splice_average(splice, wl)
        if both:
            averages[wl] = value
        elif value is not None:
            lone.append(wl)
    found = []
    if averages:
        loss = max(averages.values())
        verdict, explained = splice_loss_verdict(rules, loss, splice["attempt"])
        found.append(
            {
                "rule": "splice.loss",
                "value": round(loss, 3),
                "threshold": rules["target_db"],
                "verdict": verdict,
                **explained,
                "item": item,
            }
        )
    if len(averages) == 2:
        delta = averages["1550"] - averages["1310"]
        bent = delta > rules["bend_delta_db"]
        found.append(
            {
                "rule": "splice.bend",
                "value": round(delta, 3),
                "threshold": rules["bend_delta_db"],
                "verdict": "warn" if bent else "pass",
                **evidence.note("bend_delta", "1550 nm minus 1310 nm"),
                "item": item,
            }
        )
    if lone or not averages:
        # Never fail on one direction: a lone reading can be a gainer or read high.
        found.append(
            {
                "rule": "splice.one_direction",
                "value": ", ".join(lone) or None,
                "threshold": "A->B and B->A",
                "verdict": "warn",
                **evidence.note("one_direction", "measure from both ends"),
                "item": item,
            }
        )
    return found


def link_checks(rules, splices):
    """Mean of the bidirectional averages over the installation's splices, per wavelength."""
    found = []
    for wl in WAVELENGTHS:
        values = [v for v, both in (splice_average(s, wl) for s in splices) if both]
        if not values:
            continue
        mean = sum(values) / len(values)
        found.append(
            {
                "rule": f"splice.link_mean_{wl}",
                "value": round(mean, 3),
                "threshold": rules["link_mean_db"],
                "verdict": "pass" if mean <= rules["link_mean_db"] else "fail",
                **evidence.note(
                    "link_mean", "{count} splices at {wavelength} nm", count=len(values), wavelength=wl
                ),
            }
        )
    return found


def splice_checks(rules, splices):
    """Every splice rule; no splices at all is a warning (some sites only patch at an ODF)."""
    if not splices:
        return [
            {
                "rule": "splice.count",
                "value": 0,
                "threshold": 1,
                "verdict": "warn",
                **evidence.note("no_splices", "no splices recorded"),
            }
        ]
    found = []
    for splice in splices:
        found.extend(one_splice_checks(rules, splice))
    return found + link_checks(rules, splices)


def speed_checks(rules, institution, tests):
    """The SPEED engineer's verdict (speed.verdict) shaped as checks: run count, down, up."""
    result = speed.verdict(rules, institution, tests)
    item = {"kind": "speed_test", "ref": ""}
    found = [
        {
            "rule": "speed.runs",
            "value": result["runs"],
            "threshold": result["min_runs"],
            "verdict": "pass" if result["runs"] >= result["min_runs"] else "fail",
            **evidence.note(
                "runs_counted",
                "{count} {connection} runs counted",
                count=result["runs"],
                connection=result["connection"] or "any",
            ),
            "item": item,
        }
    ]
    for direction in ("down", "up"):
        figures = result[direction]
        value = figures["median_mbps"]
        found.append(
            {
                "rule": f"speed.{direction}",
                "value": None if value is None else round(value, 1),
                "threshold": round(figures["threshold_mbps"], 1),
                "verdict": "pass" if figures["passed"] else "fail",
                **evidence.note(
                    "median_vs_contract",
                    "median Mbps; contract {contract}",
                    contract=figures["required_mbps"],
                ),
                "item": item,
            }
        )
    return found


def evaluate(db, installation, rules, records):
    """All checks for one installation (a dict from installations.get) and its `records`."""
    photos = records["photos"]
    found = shot_checks(rules, installation["type"], photos)
    found += evidence.photo_checks(db, rules["photos"], photos, installation, installation["submitted_at"])
    found.append(scan_check(records["scans"]))
    found += splice_checks(rules["splice"], records["splices"])
    found += speed_checks(rules, installation, records["speed_tests"])
    return found


def summarize(found):
    """Counts per verdict and the overall (worst) verdict."""
    counts = dict.fromkeys(VERDICTS, 0)
    for c in found:
        counts[c["verdict"]] += 1
    return {**counts, "verdict": worst(c["verdict"] for c in found)}


def run_all(db, installation_id, records=None):
    """{checks, summary, profile_id, profile_version} for one installation.

    Pass `records` (from load()) when the caller already has them, to read them once.
    """
    installation = installations.get(db, installation_id)
    if installation is None:
        raise LookupError(f"no installation {installation_id}")
    profile = profiles.get(db, installation["profile_id"])
    records = records if records is not None else load(db, installation_id)
    found = evaluate(db, installation, profile["rules"], records)
    return {
        "checks": found,
        "summary": summarize(found),
        "profile_id": profile["id"],
        "profile_version": profile["version"],
    }
