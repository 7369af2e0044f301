"""Translatable names for the codes the domain stores (statuses, types, roles, shots, speed tests)."""

from flask_babel import lazy_gettext as _l

STATUS = {
    "planned": _l("Planned"),
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "returned": _l("Returned"),
    "approved": _l("Approved"),
    "accepted": _l("Accepted"),
}
INSTITUTION_TYPE = {
    "school": _l("School"),
    "kindergarten": _l("Kindergarten"),
    "hospital": _l("Hospital"),
    "outpatient_clinic": _l("Outpatient clinic"),
    "fap": _l("Feldsher-midwife post"),
    "medical_point": _l("Medical point"),
    "akimat": _l("Akimat"),
    "police": _l("Police"),
    "emergency": _l("Emergency service"),
    "defence": _l("Defence"),
    "border_checkpoint": _l("Border checkpoint"),
    "public_wifi": _l("Public Wi-Fi point"),
    "state_body": _l("Other state body"),
}
ROLE = {
    "technician": _l("Technician"),
    "supervisor": _l("Supervisor"),
    "admin": _l("Admin"),
}
SHOT = {
    "building_sign": _l("Building with its name sign"),
    "pole_or_mount": _l("Pole or wall mount with the enclosure"),
    "cable_entry": _l("Cable entry into the building"),
    "closure_open": _l("Splice closure, open"),
    "splice_tray": _l("Splice tray, fibers visible"),
    "ont_serial": _l("ONT/CPE installed, serial number readable"),
    "power": _l("Power supply and socket"),
    "speed_test_screen": _l("Speed test result on screen"),
    "signed_form": _l("Signed installation form"),
    "extra": _l("Extra photo"),
    "equipment_label": _l("Equipment label"),
}

# Speed tests: how they were measured and how the measuring device was connected (fieldapp.speed).
METHOD = {
    "browser": _l("In-app test"),
    "tester": _l("Dedicated tester"),
    "iperf3": _l("iperf3"),
    "y1564": _l("Y.1564"),
    "manual": _l("Other (typed in)"),
}
CONNECTION = {
    "wired": _l("Cable to the ONT"),
    "wifi": _l("Wi-Fi"),
}

# Standard reasons for returning an item (profiles.RETURN_REASONS lists them per item kind).
REASON = {
    "blurred": _l("Blurred"),
    "too_dark": _l("Too dark"),
    "wrong_angle": _l("Wrong angle: the thing to see is not in the frame"),
    "serial_unreadable": _l("Serial number not readable"),
    "wrong_shot": _l("Not the photo this shot asks for"),
    "wrong_site": _l("Taken at another site"),
    "missing_photo": _l("Photo missing"),
    "not_applicable_refused": _l("Not applicable was not accepted: take the photo"),
    "loss_above_target": _l("Loss above target: re-splice"),
    "missing_direction": _l("Measurement from one direction missing"),
    "wrong_fiber": _l("Wrong fiber or tray recorded"),
    "attempts_missing": _l("Re-splice attempts not recorded"),
    "below_contract": _l("Below the contracted speed"),
    "not_wired": _l("Not measured over the cable"),
    "too_few_runs": _l("Too few runs"),
    "wrong_tag": _l("Wrong tag scanned"),
    "not_scanned": _l("Tag not scanned"),
    "unclear": _l("Unclear: say more"),
    "serial_mismatch": _l("Serial does not match the label"),
    "handover_unsigned": _l("Handover not signed: get the representative's signature"),
}

# What a technician submitted past (fieldapp/evidence/submission.WARNINGS).
SUBMIT_WARNING = {
    "missing_shots": _l("Photos missing"),
    "failing_splices": _l("Splices over target"),
    "speed_not_passed": _l("Speed test not passed"),
    "tag_not_scanned": _l("Tag not scanned"),
    "no_ont": _l("No ONT recorded"),
    "no_handover": _l("No handover recorded"),
}


def init_app(app):
    """Make the label tables available in every template."""
    app.jinja_env.globals.update(
        STATUS_LABELS=STATUS, TYPE_LABELS=INSTITUTION_TYPE, ROLE_LABELS=ROLE, SHOT_LABELS=SHOT,
        REASON_LABELS=REASON,
        WARNING_LABELS=SUBMIT_WARNING,
    )
