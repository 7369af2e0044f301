"""Installations: one per institution per contract, moving through explicit states."""

from fieldapp import audit
from fieldapp import clock
from fieldapp import store

STATUSES = ("planned", "in_progress", "submitted", "returned", "approved", "accepted")
TRANSITIONS = {
    "planned": {"in_progress", "submitted"},
    "in_progress": {"submitted"},
    "submitted": {"returned", "approved"},
    "returned": {"in_progress", "submitted"},
    "approved": {"accepted", "returned"},
    "accepted": set(),
}
STAMPS = {
    "in_progress": "started_at",
    "submitted": "submitted_at",
    "approved": "approved_at",
    "accepted": "accepted_at",
}

# Installations with their institution and place, for lists and pages; scope with access.py.
SELECT = """
SELECT inst.*, i.type, i.name_kk, i.name_ru, i.address, i.lat, i.lon, i.pupils, i.bin,
       i.contracted_down_mbps, i.contracted_up_mbps, i.settlement_id,
       s.name_kk AS settlement_kk, s.name_ru AS settlement_ru, s.name_en AS settlement_en, s.kato,
       s.district_id, d.name_kk AS district_kk, d.name_ru AS district_ru, d.name_en AS district_en,
       d.region_id,
       r.iso_code AS region_iso, r.name_en AS region_en, r.name_kk AS region_kk,
       r.name_ru AS region_ru
FROM installations inst
JOIN institutions i ON i.id = inst.institution_id
JOIN settlements s ON s.id = i.settlement_id
JOIN districts d ON d.id = s.district_id
JOIN regions r ON r.id = d.region_id
"""


class InvalidTransition(ValueError):
    """A status change the workflow does not allow."""


def create(db, institution_id, contract, profile_id, technician_ids=(), actor_id=None):
    """Create a planned installation and assign its technicians."""
    now = clock.now()
    with store.write(db):
        installation_id = (
            db["installations"]
            .insert(
                {
                    "institution_id": institution_id,
                    "contract": contract,
                    "profile_id": profile_id,
                    "status": "planned",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            .last_pk
        )
        assign(db, installation_id, technician_ids, actor_id)
        audit.record(db, actor_id, "create", "installation", installation_id)
    return installation_id


def assign(db, installation_id, technician_ids, actor_id=None):
    """Replace an installation's technicians; the change reaches their phones on next pull."""
    with store.write(db):
        before = technicians(db, installation_id)
        db.execute("DELETE FROM installation_technicians WHERE installation_id = ?", [installation_id])
        db["installation_technicians"].insert_all(
            {"installation_id": installation_id, "user_id": u} for u in technician_ids
        )
        touch(db, installation_id)
        audit.record(db, actor_id, "assign", "installation", installation_id, before, list(technician_ids))


def technicians(db, installation_id):
    """Ids of the technicians assigned to an installation."""
    sql = "SELECT user_id FROM installation_technicians WHERE installation_id = ? ORDER BY user_id"
    return [row[0] for row in db.execute(sql, [installation_id])]


def transition(db, installation_id, new_status, actor_id=None, at=None):
    """Move an installation to a new status if the workflow allows it; audited."""
    with store.write(db):
        status = store.scalar(db, "SELECT status FROM installations WHERE id = ?", [installation_id])
        if status is None:
            raise LookupError(f"no installation {installation_id}")
        if new_status not in TRANSITIONS[status]:
            raise InvalidTransition(f"{status} -> {new_status} is not allowed")
        changes = {"status": new_status, "updated_at": clock.now()}
        if new_status in STAMPS:
            changes[STAMPS[new_status]] = at or changes["updated_at"]
        db["installations"].update(installation_id, changes)
        touch(db, installation_id)
        audit.record(db, actor_id, "status", "installation", installation_id, status, new_status)


def touch(db, installation_id):
    """Give an installation the next revision number so phones pull what changed.

    Callers hold a write transaction, so MAX(rev) + 1 cannot race.
    """
    db.execute(
        "UPDATE installations SET rev = (SELECT COALESCE(MAX(rev), 0) + 1 FROM installations) WHERE id = ?",
        [installation_id],
    )


def get(db, installation_id):
    """One installation with its institution and place, or None."""
    return store.one(db, SELECT + " WHERE inst.id = ?", [installation_id])
