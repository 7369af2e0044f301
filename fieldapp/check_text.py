"""How checks read in the page's language: their details and the numbers in them.

The kind modules in fieldapp/evidence/ stay free of Flask and store an English `detail` (for the audit
snapshot) with a `detail_code` and its `detail_args`; the pages and the packet render the
code here, so a Russian or Kazakh supervisor reads the same fact in their language.
"""

import re

from flask_babel import gettext as _
from flask_babel import ngettext

from fieldapp import clock
from fieldapp.evidence import kinds

ISO_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)")


def number(value):
    """A check value or measurement for display: numbers without trailing zeros, None as a dash,
    an ISO time (a photo's capture time) in Kazakhstan time like the rest of the page."""
    if value is None:
        return "—"
    if isinstance(value, int | float):
        return f"{value:g}"
    time = ISO_TIME.match(value) if isinstance(value, str) else None
    return clock.shown(value) if time else value


def detail(check):
    """A check's explanation from its detail_code and detail_args.

    Snapshots stored before checks carried a code keep their English `detail`.
    """
    code, args = check.get("detail_code"), check.get("detail_args") or {}
    explain = DETAILS.get(code)
    if explain:
        return explain(args)
    worded = KIND_DETAILS.get(code)  # a kind's own detail msgids, with {name} blanks
    if worded:
        return _(worded).format(**{name: number(value) for name, value in args.items()})
    return check.get("detail") or ""


KIND_DETAILS = kinds.detail_texts()
# detail_code (the kind modules in fieldapp/evidence/) -> its text, given the check's detail_args.
DETAILS = {
    "na_approved": lambda a: _("not applicable, approved by the reviewer"),
    "na_pending": lambda a: _("marked not applicable: approve it or return the shot"),
    "no_gps": lambda a: _("no GPS position"),
    "gps_distance": lambda a: _("%(distance)s m from the institution", distance=number(a["distance"])),
    "no_capture_time": lambda a: _("no capture time"),
    "capture_time": lambda a: _("capture time"),
    "brightness": lambda a: _("mean brightness 0-255"),
    "sharpness": lambda a: _("sharpness"),
    "no_phash": lambda a: _("no perceptual hash"),
    "reuse": lambda a: ngettext(
        "%(num)d near-identical photo at other institutions",
        "%(num)d near-identical photos at other institutions",
        a["count"],
    ),
    "tag_scans": lambda a: ngettext("%(num)d matched tag scan", "%(num)d matched tag scans", a["count"]),
    "loss_within_target": lambda a: _("within target"),
    "loss_over_max": lambda a: _("over the hard maximum"),
    "loss_out_of_spec_accepted": lambda a: _("out of spec, accepted after documented attempts"),
    "loss_resplice": lambda a: _("over target: re-splice (attempt %(attempt)d of %(needed)d)", **a),
    "loss_over_out_of_spec": lambda a: _("over the out-of-spec limit"),
    "bend_delta": lambda a: _("1550 nm minus 1310 nm"),
    "one_direction": lambda a: _("measure from both ends"),
    "link_mean": lambda a: ngettext(
        "%(num)d splice at %(wavelength)s nm", "%(num)d splices at %(wavelength)s nm", a["count"], **a
    ),
    "no_splices": lambda a: _("no splices recorded"),
    "runs_counted": lambda a: (
        ngettext("%(num)d wired run counted", "%(num)d wired runs counted", a["count"])
        if a["connection"] == "wired"
        else ngettext("%(num)d run counted", "%(num)d runs counted", a["count"])
    ),
    "median_vs_contract": lambda a: _(
        "median Mbit/s; contract %(contract)s Mbit/s", contract=number(a["contract"])
    ),
    "screen_reused": lambda a: _("same screen photo as another result"),
    "onts": lambda a: ngettext("%(num)d ONT/CPE", "%(num)d ONT/CPE", a["count"]),
    "label_photo_missing": lambda a: _("no label photo on the server yet"),
    "label_photo": lambda a: _("label photo"),
    "label_unreadable": lambda a: _("no barcode readable on the label photo: compare it by eye"),
    "label_matches": lambda a: _("the label's barcode says the same"),
    "label_differs": lambda a: _("the label's barcode says %(codes)s", codes=a["codes"]),
    "serial_elsewhere": lambda a: _("also recorded at installation %(others)s", others=a["others"]),
    "handover_missing": lambda a: _("no handover recorded"),
    "handover_signed": lambda a: _("signed by %(name)s", name=a["name"]),
    "handover_absent": lambda a: _("representative absent: %(reason)s", reason=a["reason"]),
    "handover_refused": lambda a: _("refused to sign: %(reason)s", reason=a["reason"]),
}
