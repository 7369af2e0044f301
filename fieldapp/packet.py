"""The acceptance packet: everything about one installation, for the state customer.

`dossier()` gathers it (the review page and the printable packet both render it);
`write_zip()` writes it into an open ZipFile under a prefix (the ADMIN engineer's bulk export
per region calls it once per installation); `build_zip()` returns one packet as bytes.
"""

import io
import json
import zipfile

from fieldapp import added_shots
from fieldapp import audit
from fieldapp import conversation
from fieldapp import decisions
from fieldapp import installations
from fieldapp import spreadsheet
from fieldapp.evidence import checks
from fieldapp.evidence import handover
from fieldapp.evidence import results
from fieldapp.evidence.kinds import KINDS


def dossier(db, installation_id):
    """The installation, its current records, checks, reviews and people, as plain data."""
    installation = installations.get(db, installation_id)
    if installation is None:
        return None
    records = checks.load(db, installation_id)
    result = checks.run_all(db, installation_id, records)
    thread = conversation.threads(db, [installation_id]).get(installation_id, {})
    for kind in KINDS:
        records[kind.TABLE] = [kind.review_row(row) for row in records[kind.TABLE]]
    return {
        "installation": installation,
        "result": result,
        "by_item": results.by_item(result["checks"]),
        "records": records,
        "technicians": list(
            db.query(
                """SELECT u.id, u.name, u.username FROM installation_technicians it
            JOIN users u ON u.id = it.user_id WHERE it.installation_id = ? ORDER BY u.name""",
                [installation_id],
            )
        ),
        "authors": _authors(db, installation_id),
        "reviews": decisions.history(db, installation_id),
        "threads": thread,
        "item_history": conversation.history(db, installation_id, thread),
        "photo_index": {p["id"]: p for p in _all_records(db, installation_id, "photos")},
        "na_states": conversation.na_states(db, installation_id),
        "added_shots": added_shots.labels(db, installation_id),
        "open_items": list(
            db.query(
                "SELECT * FROM returned_items WHERE installation_id = ? AND resolved_at IS NULL ORDER BY id",
                [installation_id],
            )
        ),
    }


def _authors(db, installation_id):
    """Who recorded the installation's evidence, any kind: user id -> name."""
    union = " UNION ".join(
        f"SELECT author_id FROM {kind.TABLE} WHERE installation_id = :id" for kind in KINDS)
    sql = f"SELECT id, name FROM users WHERE id IN ({union})"
    return dict(db.execute(sql, {"id": installation_id}).fetchall())


def _all_records(db, installation_id, table):
    """Every record of a table, replaced ones included: the packet keeps the full history."""
    sql = f"SELECT * FROM {table} WHERE installation_id = ? ORDER BY received_at, id"
    return list(db.query(sql, [installation_id]))


def write_zip(zf, db, blobs, installation_id, prefix=""):
    """Write one installation's packet into an open ZipFile under `prefix` (e.g. 'KZ-31/17/').

    Contents: installation.json (installation, checks, reviews, technicians), one CSV and
    one JSON per record table (every version), audit.json and audit.csv, photos/ with
    each complete photo's original bytes, named <shot>-<uuid>.<ext>, traces/ with each current
    trace's original .sor bytes and trace_events.csv with their events, signatures/ with
    each signed handover's PNG, named handover-<uuid>.png.
    """
    data = dossier(db, installation_id)
    if data is None:
        raise LookupError(f"no installation {installation_id}")
    kept = ("installation", "result", "technicians", "reviews", "item_history", "added_shots")
    summary = {k: data[k] for k in kept}
    zf.writestr(prefix + "installation.json", _json(summary))
    for kind in KINDS:
        rows = _all_records(db, installation_id, kind.TABLE)
        zf.writestr(f"{prefix}{kind.TABLE}.json", _json(rows))
        zf.writestr(f"{prefix}{kind.TABLE}.csv", spreadsheet.csv_text(rows))
    entries = _audit_entries(db, installation_id)
    zf.writestr(prefix + "audit.json", _json(entries))
    zf.writestr(
        prefix + "audit.csv",
        spreadsheet.csv_text(
            [
                {
                    **e,
                    "before": json.dumps(e["before"], ensure_ascii=False),
                    "after": json.dumps(e["after"], ensure_ascii=False),
                }
                for e in entries
            ]
        ),
    )
    for photo in data["records"]["photos"]:
        if photo["blob_key"]:
            with blobs.open(photo["blob_key"]) as source:
                zf.writestr(f"{prefix}photos/{photo['shot']}-{photo['id']}{_ext(photo)}", source.read())
    for signed in data["records"]["handovers"]:
        if signed["blob_key"]:
            with blobs.open(signed["blob_key"]) as source:
                zf.writestr(f"{prefix}{handover.zip_name(signed)}", source.read())
    for trace in data["records"]["traces"]:
        with blobs.open(trace["blob_key"]) as source:
            zf.writestr(f"{prefix}traces/{_trace_name(trace)}", source.read())
    zf.writestr(prefix + "trace_events.csv", spreadsheet.csv_text(trace_events(data["records"]["traces"])))


def _trace_name(trace):
    """<cable>-<tube>.<fiber>-<wavelength>-<ab|ba>-<uuid>.sor: sorted as a splicer reads them."""
    cable = "".join(c if c.isalnum() or c in "-_" else "_" for c in trace["cable"])
    fiber = f"{trace['tube']}.{trace['fiber']}"
    return f"{cable}-{fiber}-{trace['wavelength_nm']}-{trace['direction']}-{trace['id']}.sor"


def trace_events(traces):
    """One CSV row per event of every current trace (the server's parse), with its file's name."""
    rows = []
    for trace in traces:
        for event in trace["parsed"].get("events", []):
            rows.append({"trace_id": trace["id"], "file": _trace_name(trace),
                         "closure": trace["closure_label"], "cable": trace["cable"],
                         "tube": trace["tube"], "fiber": trace["fiber"],
                         "direction": trace["direction"], "wavelength_nm": trace["wavelength_nm"],
                         "event": event["index"], "type": event["type"], "distance_m": event["distance_m"],
                         "loss_db": event["splice_loss_db"], "reflectance_db": event["reflectance_db"]})
    return rows


def build_zip(db, blobs, installation_id):
    """One installation's packet as ZIP bytes (see write_zip for the contents)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        write_zip(zf, db, blobs, installation_id)
    return buffer.getvalue()


def _audit_entries(db, installation_id):
    """Audit entries for the installation and for each of its records and reviews."""
    entries = audit.entries(db, "installation", installation_id)
    ids = set()
    for kind in KINDS:
        ids.update(
            row[0]
            for row in db.execute(f"SELECT id FROM {kind.TABLE} WHERE installation_id = ?", [installation_id])
        )
    if ids:
        marks = ",".join("?" * len(ids))
        rows = db.query(
            f"SELECT * FROM audit_log WHERE entity_id IN ({marks}) AND entity != 'installation' ORDER BY id",
            list(ids),
        )
        entries += [{**r, "before": _load(r["before"]), "after": _load(r["after"])} for r in rows]
    return sorted(entries, key=lambda e: e["id"])


def _load(text):
    return None if text is None else json.loads(text)


def _ext(photo):
    return {"image/png": ".png", "image/webp": ".webp"}.get(photo.get("mime"), ".jpg")


def _json(value):
    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


def accepted_ids(db, region_id=None):
    """Accepted installations (optionally in one oblast): what a bulk export iterates over."""
    sql = """SELECT inst.id FROM installations inst JOIN institutions i ON i.id = inst.institution_id
        JOIN settlements s ON s.id = i.settlement_id JOIN districts d ON d.id = s.district_id
        WHERE inst.status = 'accepted' AND (? IS NULL OR d.region_id = ?) ORDER BY inst.id"""
    return [row[0] for row in db.execute(sql, [region_id, region_id])]
