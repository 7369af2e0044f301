"""Exports for the state customer and GIS: CSV and GeoJSON of institutions, packets as one ZIP.

One row per installation (an institution without one still gets a row, status empty), built
from the current records only: a corrected splice counts once, as its correction.
"""

import json
import statistics
import zipfile

from fieldapp import institutions
from fieldapp import packet
from fieldapp import spreadsheet
from fieldapp import tags
from fieldapp.evidence import current
from fieldapp.evidence import equipment
from fieldapp.evidence import handover
from fieldapp.evidence import kinds
from fieldapp.evidence import photo
from fieldapp.evidence import speed_test
from fieldapp.evidence import splice

CSV_COLUMNS = (
    "institution_id",
    "bin",
    "region_iso",
    "region",
    "district",
    "settlement",
    "kato",
    "type",
    "name_ru",
    "name_kk",
    "lat",
    "lon",
    "active",
    "installation_id",
    "contract",
    "status",
    "updated_at",
    "accepted_at",
    "tag",
    "splices",
    "splice_mean_db",
    "splice_max_db",
    "speed_tests",
    "down_mbps_median",
    "up_mbps_median",
    "photos",
    "photo_list",
    "equipment",
    "equipment_list",
    "handover",
    "handover_by",
)


def rows(db, keys, selection, scope=("1 = 1", [])):
    """One plain dict per installation (or uninstalled institution) in a selection and scope."""
    condition, params = institutions.where(db, selection)
    sql = f"""SELECT {institutions.COLUMNS}, inst.id AS installation_id, inst.contract, inst.status,
        inst.updated_at AS installation_updated_at, inst.accepted_at, tg.id AS tag_id, tg.key_version
        {institutions.FROM}
        LEFT JOIN installations inst ON inst.institution_id = i.id
        LEFT JOIN tags tg ON tg.institution_id = i.id AND tg.revoked_at IS NULL
        WHERE {condition} AND {scope[0]} ORDER BY {institutions.ORDER}, inst.id"""
    found = list(db.query(sql, [*params, *scope[1]]))
    figures = _figures(db, [row["installation_id"] for row in found if row["installation_id"]])
    return [_row(keys, row, figures.get(row["installation_id"], {})) for row in found]


def _figures(db, installation_ids):
    """Splice, speed test, photo, equipment and handover figures per installation, one query
    per kind for all of them."""
    figures = {i: {"losses": [], "down": [], "up": [], "photos": [], "equipment": [], "handover": None}
               for i in installation_ids}
    if not figures:
        return figures
    wanted = set(figures)
    splices = f"SELECT installation_id, loss_1550_ab, loss_1550_ba FROM {current.select(splice)}"
    for row in db.query(splices):
        if row["installation_id"] in wanted:
            pair = [v for v in (row["loss_1550_ab"], row["loss_1550_ba"]) if v is not None]
            figures[row["installation_id"]]["losses"].append(sum(pair) / 2 if len(pair) == 2 else None)
    speeds = (
        f"SELECT installation_id, down_mbps, up_mbps FROM {current.select(speed_test)} "
        "WHERE connection = 'wired'"
    )
    for row in db.query(speeds):
        if row["installation_id"] in wanted:
            figures[row["installation_id"]]["down"].append(row["down_mbps"])
            figures[row["installation_id"]]["up"].append(row["up_mbps"])
    photos = (
        f"SELECT installation_id, id, shot FROM {current.select(photo)} ORDER BY shot"
    )
    for row in db.query(photos):
        if row["installation_id"] in wanted:
            figures[row["installation_id"]]["photos"].append(f"{row['shot']}:{row['id']}")
    _equipment_figures(db, figures)
    return figures


def _equipment_figures(db, figures):
    """Each device as type:model:serial[:MAC]; the handover's outcome and who signed (a signed
    one wins over an earlier 'absent')."""
    devices = (f"SELECT installation_id, device_type, model, serial, mac FROM {current.select(equipment)} "
               "ORDER BY received_at, id")
    for row in db.query(devices):
        if row["installation_id"] in figures:
            parts = [row["device_type"], row["model"], row["serial"]] + ([row["mac"]] if row["mac"] else [])
            figures[row["installation_id"]]["equipment"].append(":".join(parts))
    handovers = (f"SELECT installation_id, outcome, representative FROM {current.select(handover)} "
                 "ORDER BY outcome = 'signed', received_at, id")
    for row in db.query(handovers):
        if row["installation_id"] in figures:
            figures[row["installation_id"]]["handover"] = (row["outcome"], row["representative"])


def _row(keys, row, fig):
    code = (
        tags.encode(keys, row["tag_id"], row["key_version"])
        if row["tag_id"] and row["key_version"] in keys
        else ""
    )
    measured = [v for v in fig.get("losses", []) if v is not None]
    return {
        "institution_id": row["id"],
        "bin": row["bin"] or "",
        "region_iso": row["region_iso"],
        "region": row["region_ru"],
        "district": row["district_ru"],
        "settlement": row["settlement_ru"],
        "kato": row["kato"],
        "type": row["type"],
        "name_ru": row["name_ru"],
        "name_kk": row["name_kk"],
        "lat": row["lat"],
        "lon": row["lon"],
        "active": row["active"],
        "installation_id": row["installation_id"] or "",
        "contract": row["contract"] or "",
        "status": row["status"] or "",
        "updated_at": row["installation_updated_at"] or "",
        "accepted_at": row["accepted_at"] or "",
        "tag": tags.human(code) if code else "",
        "splices": len(fig.get("losses", [])),
        "splice_mean_db": round(statistics.fmean(measured), 3) if measured else "",
        "splice_max_db": round(max(measured), 3) if measured else "",
        "speed_tests": len(fig.get("down", [])),
        "down_mbps_median": round(statistics.median(fig["down"]), 1) if fig.get("down") else "",
        "up_mbps_median": round(statistics.median(fig["up"]), 1) if fig.get("up") else "",
        "photos": len(fig.get("photos", [])),
        "photo_list": "; ".join(fig.get("photos", [])),
        "equipment": len(fig.get("equipment", [])),
        "equipment_list": "; ".join(fig.get("equipment", [])),
        "handover": (fig.get("handover") or ("", ""))[0],
        "handover_by": (fig.get("handover") or ("", ""))[1],
    }


def to_csv(export_rows):
    """CSV text for Excel in kk/ru (spreadsheet.csv_text); splice losses at 1550 nm."""
    return spreadsheet.csv_text(export_rows, CSV_COLUMNS)


def to_geojson(export_rows):
    """An RFC 7946 FeatureCollection: WGS 84 points in [lon, lat] order, 6 decimals (~0.1 m)."""
    features = []
    for row in export_rows:
        properties = {k: row[k] for k in CSV_COLUMNS if k not in ("lat", "lon", "photo_list")}
        features.append(
            {
                "type": "Feature",
                "id": f"{row['institution_id']}-{row['installation_id']}",
                "geometry": {"type": "Point", "coordinates": [round(row["lon"], 6), round(row["lat"], 6)]},
                "properties": {k: (None if v == "" else v) for k, v in properties.items()},
            }
        )
    return {"type": "FeatureCollection", "features": features}


PACKET_OVERHEAD_BYTES = 64 * 1024  # a packet's JSON, CSV and audit files, generously


def packets_size(db, installation_ids_):
    """About how many bytes the packets ZIP of these installations takes: the original bytes
    of their files, every file kind (photos and traces; JPEG does not deflate further), and a
    little for the records."""
    ids = json.dumps(list(installation_ids_))
    files = sum(db.execute(
        f"SELECT COALESCE(SUM(size), 0) FROM {kind.TABLE} WHERE blob_key IS NOT NULL"
        " AND installation_id IN (SELECT value FROM json_each(?))", [ids]).fetchone()[0]
        for kind in kinds.files())
    return files + PACKET_OVERHEAD_BYTES * len(installation_ids_)


def packets_zip(db, blobs, installation_ids_, out, progress=lambda done: None):
    """Write the acceptance packet of each installation into one ZIP at `out` (a path or a
    file object); `progress(done)` after each packet.

    Packets go under <oblast>/<district>/<installation id>-<institution id>/ so a region's
    bundle unpacks into folders people can find their way through. Streams into `out`, so
    hundreds of packets with photos never sit in memory at once.
    """
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for done, installation_id in enumerate(installation_ids_, start=1):
            place = db.execute(
                f"""SELECT r.iso_code, d.id, i.id FROM installations inst
                JOIN institutions i ON i.id = inst.institution_id {institutions.PLACE_JOINS}
                WHERE inst.id = ?""",
                [installation_id],
            ).fetchone()
            prefix = f"{place[0]}/{place[1]}/{installation_id}-{place[2]}/"
            packet.write_zip(zf, db, blobs, installation_id, prefix)
            progress(done)
    return len(installation_ids_)
