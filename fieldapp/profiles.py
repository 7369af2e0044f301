"""Acceptance profiles: every threshold a review applies, versioned as data.

Contracts differ, so no threshold is a literal elsewhere in the code; a review records
which profile version it applied.
"""

import json

from fieldapp import clock
from fieldapp import store

INSTITUTION_TYPES = (
    "school",
    "kindergarten",
    "hospital",
    "outpatient_clinic",
    "fap",
    "medical_point",
    "akimat",
    "police",
    "emergency",
    "defence",
    "border_checkpoint",
    "public_wifi",
    "state_body",
)

INDOOR_SHOTS = [
    "building_sign",
    "cable_entry",
    "closure_open",
    "splice_tray",
    "ont_serial",
    "power",
    "speed_test_screen",
    "signed_form",
]
OUTDOOR_SHOTS = [
    "pole_or_mount",
    "cable_entry",
    "closure_open",
    "splice_tray",
    "ont_serial",
    "power",
    "speed_test_screen",
    "signed_form",
]

# Standard reasons a reviewer picks in one tap when returning an item, per returnable item
# kind (fieldapp/evidence/kinds.item_rules); their names are vocabulary.REASON.
RETURN_REASONS = {
    "photo": ["blurred", "too_dark", "wrong_angle", "serial_unreadable", "wrong_shot", "wrong_site"],
    "shot": ["missing_photo", "not_applicable_refused"],
    "splice": ["loss_above_target", "missing_direction", "wrong_fiber", "attempts_missing"],
    "speed_test": ["below_contract", "not_wired", "too_few_runs"],
    "scan": ["wrong_tag", "not_scanned"],
    "note": ["unclear"],
    "trace": ["loss_above_target", "missing_direction", "wrong_fiber"],
    "equipment": ["serial_mismatch", "serial_unreadable"],
    "handover": ["handover_unsigned"],
}

DEFAULT_RULES = {
    "splice": {
        "target_db": 0.10,
        "out_of_spec_db": 0.20,
        "out_of_spec_min_attempts": 3,
        "max_db": 0.30,
        "link_mean_db": 0.10,
        "bend_delta_db": 0.5,
        "entry_min_db": -1.0,
        "entry_max_db": 5.0,
    },
    "connector_max_db": 0.75,
    "speed": {
        "min_runs": 3,
        "fraction_of_contract": 0.9,
        "school_min_mbps": 20,
        "school_pupils_per_mbps": 20,
        "default_down_mbps": 100,
        "default_up_mbps": 100,
        "required_connection": "wired",
        # A dedicated tester's result that says it summarises n runs counts as n runs.
        "count_tester_runs": True,
    },
    "photos": {
        "gps_radius_m": 500,
        "visit_window_days": 14,
        "dark_max_brightness": 30,
        "blur_min_sharpness": 100.0,  # Laplacian-style score at ~640 px: 4 px blur ~80, sharp ~2000
        "reuse_max_distance": 6,
    },
    "shots": {"default": INDOOR_SHOTS, "public_wifi": OUTDOOR_SHOTS},
    # OTDR traces (evidence/trace.py): the contract's test method, read from each .sor file,
    # event matching between directions, typed-vs-trace tolerance, link budget, reflectance.
    "otdr": {
        "wavelengths_nm": [1310, 1550],
        "max_pulse_width_ns": 100,
        "min_averages": 10000,
        "min_averaging_s": 15,  # when the file gives an averaging time, not a count
        "ior_min": 1.460,
        "ior_max": 1.480,
        "ior_mismatch": 0.0005,  # A->B and B->A indices further apart warn
        "backscatter_mismatch_db": 0.5,
        "min_launch_m": 500,
        "event_tolerance_m": 20,
        "typed_tolerance_db": 0.05,
        "attenuation_db_km": {"1310": 0.35, "1550": 0.25},
        "splice_budget_db": 0.10,
        "connector_budget_db": 0.75,
        "reflectance_max_db": -35,
    },
    "return_reasons": RETURN_REASONS,
    # Checklist warnings a technician cannot submit past (fieldapp/checklist.py); every other
    # one is acknowledged and submitted with the record. Profiles without it block nothing.
    "submit": {"blocking": []},
    "equipment": {"require_ont": True},
    # A refusal to sign is a warning the reviewer weighs, unless the contract says it blocks.
    "handover": {"required": True, "refusal_blocks": False},
}


def ensure_default(db):
    """Return the active profile's id, creating version 1 of the default profile if none."""
    active = store.scalar(db, "SELECT id FROM acceptance_profiles WHERE active = 1")
    if active:
        return active
    with store.write(db):
        return (
            db["acceptance_profiles"]
            .insert(
                {
                    "name": "KZ rural fiber 2018",
                    "version": 1,
                    "rules": json.dumps(DEFAULT_RULES),
                    "active": 1,
                    "created_at": clock.now(),
                }
            )
            .last_pk
        )


def get(db, profile_id):
    """A profile with its rules decoded."""
    row = store.one(db, "SELECT * FROM acceptance_profiles WHERE id = ?", [profile_id])
    if row:
        row["rules"] = json.loads(row["rules"])
    return row


def required_shots(rules, institution_type):
    """The shot list a profile requires for an institution type."""
    shots = rules["shots"]
    return list(shots.get(institution_type, shots["default"]))


def return_reasons(rules, item_kind):
    """The standard reason codes for returning an item of this kind. A profile version stored
    before the catalogue existed offers the default catalogue (its thresholds stay its own)."""
    return list(rules.get("return_reasons", RETURN_REASONS).get(item_kind, []))


def required_mbps(rules, institution):
    """Contracted (down, up) Mbps; schools need at least max(20, ceil(pupils / 20))."""
    speed = rules["speed"]
    down = institution.get("contracted_down_mbps") or speed["default_down_mbps"]
    up = institution.get("contracted_up_mbps") or speed["default_up_mbps"]
    if institution.get("type") == "school" and institution.get("pupils"):
        pupils = institution["pupils"]
        per = speed["school_pupils_per_mbps"]
        floor = max(speed["school_min_mbps"], -(-pupils // per))
        down, up = max(down, floor), max(up, floor)
    return down, up
