"""A check's result as data: what rule, what value against what threshold, which verdict.

Each check is a plain dict {rule, value, threshold, verdict: pass|warn|fail, detail,
detail_code, detail_args} (plus `item` when it is about one record, so that record can be
returned). `detail` is English; the review pages translate `detail_code` with `detail_args`
(fieldapp.check_text). A review stores the whole list as its snapshot.
"""

VERDICTS = ("pass", "warn", "fail")


def note(code, text, **args):
    """A check's explanation: `detail_code` and `detail_args` for the pages to translate, and
    `detail`, the English text, for logs, exports and snapshots stored before codes existed."""
    return {"detail": text.format(**args), "detail_code": code, "detail_args": args}


def check(rule, value, threshold, verdict, explained, item=None, **extra):
    """One check; `explained` comes from note(), `item` names the record it is about."""
    found = {"rule": rule, "value": value, "threshold": threshold, "verdict": verdict, **explained}
    if item is not None:
        found["item"] = item
    return {**found, **extra}


def worst(verdicts):
    """The most serious verdict of several ('pass' when there are none)."""
    return max(verdicts, key=VERDICTS.index, default="pass")


def summarize(found):
    """Counts per verdict and the overall (worst) verdict."""
    counts = dict.fromkeys(VERDICTS, 0)
    for c in found:
        counts[c["verdict"]] += 1
    return {**counts, "verdict": worst(c["verdict"] for c in found)}


def by_item(found):
    """Map 'kind:ref' -> the checks about that record and their worst verdict."""
    items = {}
    for c in found:
        item = c.get("item")
        if item:
            entry = items.setdefault(f"{item['kind']}:{item['ref']}", {"checks": [], "verdict": "pass"})
            entry["checks"].append(c)
            entry["verdict"] = worst([entry["verdict"], c["verdict"]])
    return items
