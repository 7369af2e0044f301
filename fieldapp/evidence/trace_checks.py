"""OTDR checks: each trace against the contract's method, pairs of directions, splices, budget.

Traces are grouped per fiber (closure, cable, tube, fiber: a splice's A end) and wavelength.
A pair is an A->B and a B->A trace of one fiber at one wavelength; it is valid only with the
same pulse width (EXFO's rule) and warns on an index mismatch. Its events are matched within
a tolerance, the B->A event at d sitting at L - d, and each matched event's loss is averaged
over both directions (ITU-T G.650.3): that average, never one direction, judges a splice, with
the splice thresholds of splice.loss_verdict. Every threshold comes from the profile's `otdr`
rules; a profile version without them shows traces unjudged.
"""

from fieldapp import clock
from fieldapp.evidence import photo
from fieldapp.evidence import results
from fieldapp.evidence import splice as splice_kind
from fieldapp.evidence.fields import N_

RULE_LABELS = {
    "trace.profile": N_("OTDR rules in the acceptance profile"),
    "trace.key_events": N_("Trace has its event table (KeyEvents)"),
    "trace.checksum": N_("Trace file checksum"),
    "trace.pulse_width": N_("Pulse width (ns)"),
    "trace.averaging": N_("Averaging"),
    "trace.ior": N_("Index of refraction"),
    "trace.launch": N_("Launch fiber length (m)"),
    "trace.date": N_("Trace acquired during the visit"),
    "trace.reflectance": N_("Connector reflectance (dB)"),
    "trace.copied": N_("Not copied from another fiber"),
    "trace.coverage": N_("Traced from both ends at both wavelengths"),
    "trace.pair": N_("A->B and B->A traces form a valid pair"),
    "trace.splice_event": N_("Splice event found on both traces"),
    "trace.splice_loss": N_("Splice loss from the traces, bidirectional (dB)"),
    "trace.typed": N_("Typed splice loss agrees with the trace (dB)"),
    "trace.link_budget": N_("End-to-end loss within the link budget (dB)"),
}
# detail_code -> English text ({names} filled from detail_args); check_text translates it.
DETAILS = {
    "backscatter_mismatch": N_("backscatter coefficient differs between directions: "
                               "{ab} dB A→B, {ba} dB B→A"),
    "acquisition_time": N_("acquisition time from the file"),
    "averages": N_("number of averages"),
    "averaging_time": N_("averaging time (s)"),
    "checksum_mismatch": N_("the file's checksum does not match its bytes"),
    "copies": N_("{count} traces on other fibers look the same"),
    "ior_mismatch": N_("index differs between directions: {ab} A→B, {ba} B→A"),
    "ior_range": N_("index of refraction set on the OTDR"),
    "launch_fiber": N_("first event on the trace"),
    "link_budget": N_("{per_km} dB/km x {km} km + {splices} splices + {connectors} connectors"),
    "no_acquisition_time": N_("no date in the file"),
    "no_attenuation": N_("the profile has no attenuation for {wavelength} nm"),
    "no_copies": N_("no look-alike on another fiber"),
    "no_key_events": N_("no event table: re-analyse the trace on the OTDR and export it again"),
    "no_otdr_rules": N_("this profile version has no OTDR rules: traces are not judged"),
    "no_reflectance": N_("no connector measured"),
    "pair_valid": N_("same wavelength and pulse width"),
    "pulse_width": N_("pulse width from the file"),
    "pulse_widths_differ": N_("pulse widths differ: {ab} ns A→B, {ba} ns B→A"),
    "splice_event_missing": N_("mark the splice's event on the traces"),
    "splice_event_not_found": N_("no event on both traces within {tolerance} m of {distance} m"),
    "traces_complete": N_("both ends at every wavelength"),
    "traces_missing": N_("still needed: {missing}"),
    "typed_vs_trace": N_("{wavelength} nm {direction}: typed {typed}, trace {traced}"),
    "worst_reflectance": N_("worst connector reflectance"),
}
NAMES = {"ab": "A→B", "ba": "B→A"}


def _note(code, **args):
    return results.note(code, DETAILS[code], **args)


def fiber_key(trace):
    return (trace["closure_label"], trace["cable"], trace["tube"], trace["fiber"])


def pair_key(trace):
    """'closure|cable|tube|fiber|wavelength': the traces drawn and judged together."""
    return "|".join(str(part) for part in (*fiber_key(trace), trace.get("wavelength_nm")))


def item(trace):
    return {"kind": "trace", "ref": trace["id"]}


def reading(trace):
    return trace["parsed"]


def checks(rules, installation, traces, splices, copies):
    """All OTDR checks; `traces` carry their parse as `parsed`, `copies(trace)` finds look-alikes."""
    if not traces:
        return []
    if "otdr" not in rules:
        explained = _note("no_otdr_rules")
        return [results.check("trace.profile", None, None, "warn", explained)]
    otdr = rules["otdr"]
    window = photo.visit_window(rules["photos"], installation["submitted_at"])
    found = []
    for trace in traces:
        found += trace_checks(otdr, trace, window) + [copied_check(trace, copies(trace))]
    fibers = {}
    for trace in traces:
        fibers.setdefault(fiber_key(trace), []).append(trace)
    for key, fiber in fibers.items():
        found += fiber_checks(rules, otdr, fiber, [s for s in splices if _splice_key(s) == key])
    return found


def _splice_key(found):
    return (found["closure_label"], found["a_cable"], found["a_tube"], found["a_fiber"])


def trace_checks(otdr, trace, window):
    """The file's own settings against the contract's method, its events, checksum and date."""
    parse, it = reading(trace), item(trace)
    found = [_pulse_check(otdr, parse, it), _averaging_check(otdr, parse, it), _ior_check(otdr, parse, it),
             _date_check(parse, window, it)]
    if not parse["checksum_ok"]:
        found.append(results.check("trace.checksum", "mismatch", "CRC-16", "warn",
                                   _note("checksum_mismatch"), it))
    if parse["total_loss_db"] is None:
        explained = _note("no_key_events")
        return found + [results.check("trace.key_events", None, "KeyEvents", "fail", explained, it)]
    return found + [_launch_check(otdr, parse, it), _reflectance_check(otdr, parse, it)]


def _pulse_check(otdr, parse, it):
    limit, value = otdr["max_pulse_width_ns"], parse["pulse_width_ns"]
    return results.check("trace.pulse_width", value, limit, "pass" if value <= limit else "fail",
                         _note("pulse_width"), it)


def _averaging_check(otdr, parse, it):
    """At least the contract's averages; a file that gives only a time is held to the time."""
    if parse["averages"] is not None:
        value, limit = parse["averages"], otdr["min_averages"]
        explained = _note("averages")
    else:
        value, limit = parse["averaging_s"], otdr["min_averaging_s"]
        explained = _note("averaging_time")
    verdict = "fail" if value is None or value < limit else "pass"
    return results.check("trace.averaging", value, limit, verdict, explained, it)


def _ior_check(otdr, parse, it):
    value, low, high = parse["ior"], otdr["ior_min"], otdr["ior_max"]
    return results.check("trace.ior", value, f"{low} .. {high}", "pass" if low <= value <= high else "fail",
                         _note("ior_range"), it)


def _date_check(parse, window, it):
    start, end = window
    threshold = f"{clock.to_iso(start)[:10]} .. {clock.to_iso(end)[:10]}"
    taken = clock.parse(parse["acquired_at"])
    if taken is None:
        return results.check("trace.date", None, threshold, "warn", _note("no_acquisition_time"), it)
    verdict = "pass" if start <= taken <= end else "fail"
    return results.check("trace.date", parse["acquired_at"], threshold, verdict,
                         _note("acquisition_time"), it)


def _launch_check(otdr, parse, it):
    """The first event ends the launch fiber: events before it are not judged."""
    first = next((e["distance_m"] for e in parse["events"] if e["type"] != "end"), None)
    limit = otdr["min_launch_m"]
    verdict = "fail" if first is None or first < limit else "pass"
    return results.check("trace.launch", first, limit, verdict, _note("launch_fiber"), it)


def _reflectance_check(otdr, parse, it):
    """The worst (highest) reflectance of the connectors, the end of fiber aside."""
    measured = [e["reflectance_db"] for e in parse["events"]
                if e["type"] == "reflective" and e["reflectance_db"] is not None]
    limit = otdr["reflectance_max_db"]
    if not measured:
        return results.check("trace.reflectance", None, limit, "pass", _note("no_reflectance"), it)
    worst = max(measured)
    return results.check("trace.reflectance", worst, limit, "pass" if worst <= limit else "fail",
                         _note("worst_reflectance"), it)


def _fiber_name(trace):
    return f"{trace['cable']} {trace['tube']}.{trace['fiber']}"


def copied_check(trace, others):
    """The same file, the same data points or the same acquisition time on another fiber."""
    mine = (trace["installation_id"], trace["cable"], trace["tube"], trace["fiber"])
    matches = []
    for other in others:
        if (other["installation_id"], other["cable"], other["tube"], other["fiber"]) == mine:
            continue  # the same fiber: a re-upload or the other wavelength of one acquisition
        why = [name for name, column in (("file", "sha256"), ("data points", "points_sha256"),
                                         ("acquisition time", "acquired_at"))
               if other.get(column) and other[column] == trace.get(column)]
        matches.append({"id": other["id"], "installation_id": other["installation_id"],
                        "fiber": _fiber_name(other), "direction": other["direction"],
                        "wavelength_nm": other["wavelength_nm"], "acquired_at": other["acquired_at"],
                        "same": why, "line": other.get("line", "")})
    if not matches:
        return results.check("trace.copied", 0, 0, "pass", _note("no_copies"),
                             item(trace))
    explained = _note("copies", count=len(matches))
    return results.check("trace.copied", len(matches), 0, "fail", explained, item(trace), matches=matches)


def fiber_checks(rules, otdr, fiber, splices):
    """Coverage, then per wavelength the pair, its splices and its budget."""
    latest = {}
    for trace in fiber:  # in ORDER: the last received of each wavelength and direction wins
        latest[(trace["wavelength_nm"], trace["direction"])] = trace
    found = [_coverage_check(otdr, latest, fiber[-1])]
    for wavelength in sorted({wl for wl, _ in latest}):
        ab, ba = latest.get((wavelength, "ab")), latest.get((wavelength, "ba"))
        if ab and ba:  # the pair's own mark first: another wavelength's may sit elsewhere
            found += pair_checks(rules, otdr, ab, ba, splices, _marked([ab, ba, *fiber]))
    return found


def _coverage_check(otdr, latest, last):
    missing = [f"{wl} nm {NAMES[d]}" for wl in otdr["wavelengths_nm"] for d in ("ab", "ba")
               if (wl, d) not in latest]
    verdict = "fail" if missing else "pass"
    explained = _note("traces_missing", missing=", ".join(missing)) if missing \
        else _note("traces_complete")
    return results.check("trace.coverage", ", ".join(missing) or None, len(otdr["wavelengths_nm"]) * 2,
                         verdict, explained, item(last), fiber=_fiber_name(last))


def _marked(traces):
    """Where the technician marked the closure's splice, in A->B metres (the first mark found)."""
    for trace in traces:
        if trace["event_m"] is None:
            continue
        if trace["direction"] == "ab":
            return trace["event_m"]
        length = reading(trace)["length_m"]
        if length is not None:
            return length - trace["event_m"]
    return None


def match_events(ab, ba, tolerance):
    """A->B events with the B->A event found at length - d (within `tolerance` m), and the
    loss averaged over both directions when both were found."""
    length = ba["length_m"]
    rows, taken = [], set()
    for event in ab["events"]:
        if event["type"] == "end":
            continue
        other = None
        if length is not None:
            near = [(abs(length - e["distance_m"] - event["distance_m"]), e["index"], e) for e in ba["events"]
                    if e["type"] != "end" and e["index"] not in taken]
            near = [n for n in near if n[0] <= tolerance]
            other = min(near, key=lambda n: n[0])[2] if near else None
        if other is not None:
            taken.add(other["index"])
        average = round((event["splice_loss_db"] + other["splice_loss_db"]) / 2, 3) if other else None
        rows.append({"distance_m": event["distance_m"], "type": event["type"], "ab": event, "ba": other,
                     "loss_db": average})
    return rows


def pair_checks(rules, otdr, ab, ba, splices, marked):
    """Validity of the pair, its matched events, each splice on it and the link budget."""
    a, b = reading(ab), reading(ba)
    wavelength = ab["wavelength_nm"]
    events = match_events(a, b, otdr["event_tolerance_m"])
    found = [_pair_check(otdr, ab, ba, events)]
    if found[0]["verdict"] == "fail":
        return found  # different pulse widths: no bidirectional figure is valid
    for row in splices:
        found += _splice_checks(rules, otdr, row, events, marked, wavelength)
    return found + [_budget_check(otdr, ab, ba, events)]


def _pair_check(otdr, ab, ba, events):
    a, b = reading(ab), reading(ba)
    key, it = pair_key(ab), item(ba)
    extra = {"pair_key": key, "events": events, "wavelength_nm": ab["wavelength_nm"]}
    if a["pulse_width_ns"] != b["pulse_width_ns"]:
        explained = _note("pulse_widths_differ",
                         ab=a["pulse_width_ns"], ba=b["pulse_width_ns"])
        value = f"{a['pulse_width_ns']} / {b['pulse_width_ns']} ns"
        return results.check("trace.pair", value, "same pulse width", "fail", explained, it, **extra)
    gap = round(abs(a["ior"] - b["ior"]), 5)
    scatter = round(abs(a["backscatter_db"] - b["backscatter_db"]), 1)
    if scatter > otdr["backscatter_mismatch_db"]:
        explained = _note("backscatter_mismatch", ab=a["backscatter_db"], ba=b["backscatter_db"])
        return results.check("trace.pair", scatter, otdr["backscatter_mismatch_db"], "warn", explained, it,
                             **extra)
    if gap > otdr["ior_mismatch"]:
        explained = _note("ior_mismatch",
                         ab=a["ior"], ba=b["ior"])
        return results.check("trace.pair", gap, otdr["ior_mismatch"], "warn", explained, it, **extra)
    return results.check("trace.pair", gap, otdr["ior_mismatch"], "pass",
                         _note("pair_valid"), it, **extra)


def _splice_checks(rules, otdr, row, events, marked, wavelength):
    """The marked event's bidirectional loss against the splice limits; typed values vs trace."""
    it = {"kind": "splice", "ref": row["id"]}
    tolerance = otdr["event_tolerance_m"]
    near = [e for e in events if marked is not None and abs(e["distance_m"] - marked) <= tolerance]
    event = min(near, key=lambda e: abs(e["distance_m"] - marked)) if near else None
    if event is None or event["ba"] is None:
        explained = _note("splice_event_missing") if marked is None \
            else _note("splice_event_not_found",
                      tolerance=tolerance, distance=round(marked, 1))
        return [results.check("trace.splice_event", marked, tolerance, "warn", explained, it,
                              wavelength_nm=wavelength)]
    verdict, explained = splice_kind.loss_verdict(rules["splice"], event["loss_db"], row["attempt"])
    found = [results.check("trace.splice_loss", event["loss_db"], rules["splice"]["target_db"], verdict,
                           explained, it, wavelength_nm=wavelength, distance_m=event["distance_m"])]
    for direction in ("ab", "ba"):
        typed = row.get(f"loss_{wavelength}_{direction}")
        if typed is None:
            continue
        traced = event[direction]["splice_loss_db"]
        gap = round(abs(typed - traced), 3)
        explained = _note("typed_vs_trace",
                         wavelength=wavelength, direction=NAMES[direction], typed=typed, traced=traced)
        found.append(results.check("trace.typed", gap, otdr["typed_tolerance_db"],
                                   "warn" if gap > otdr["typed_tolerance_db"] else "pass", explained, it))
    return found


def _budget_check(otdr, ab, ba, events):
    """Mean end-to-end loss of both directions <= attenuation x length + splices + connectors."""
    a, b = reading(ab), reading(ba)
    if a["total_loss_db"] is None or b["total_loss_db"] is None or a["length_m"] is None:
        return results.check("trace.link_budget", None, None, "warn",
                             _note("no_key_events"),
                             item(ab), pair_key=pair_key(ab))
    splices = sum(1 for e in events if e["type"] == "non-reflective")
    connectors = sum(1 for e in events if e["type"] == "reflective")
    per_km = otdr["attenuation_db_km"].get(str(ab["wavelength_nm"]))
    if per_km is None:
        return results.check("trace.link_budget", None, None, "warn",
                             _note("no_attenuation",
                                  wavelength=ab["wavelength_nm"]), item(ab), pair_key=pair_key(ab))
    budget = round(per_km * a["length_m"] / 1000 + splices * otdr["splice_budget_db"]
                   + connectors * otdr["connector_budget_db"], 3)
    measured = round((a["total_loss_db"] + b["total_loss_db"]) / 2, 3)
    explained = _note("link_budget",
                     per_km=per_km, km=round(a["length_m"] / 1000, 3), splices=splices, connectors=connectors)
    return results.check("trace.link_budget", measured, budget, "pass" if measured <= budget else "fail",
                         explained, item(ab), pair_key=pair_key(ab))
