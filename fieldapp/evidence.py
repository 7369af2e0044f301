"""Photos as evidence: taken at the site, during the visit, not reused, not dark or blurred.

Every threshold comes from the profile's `photos` rules. Each function returns check dicts
(see checks.py) tied to the photo they judge, so a reviewer can return exactly that photo.
"""

import itertools
import math
from datetime import timedelta

from fieldapp import clock

EARTH_RADIUS_M = 6_371_008.8
# Multi-index hashing: the 64-bit hash is cut into SEGMENTS 16-bit (4 hex digit) parts, each
# with an expression index (migration m040). If two hashes differ in at most d bits, one part
# differs in at most d // SEGMENTS bits (pigeonhole), so looking up every part's value and its
# neighbours within that radius finds every match without scanning the archive.
SEGMENTS = 4
SEGMENT_HEX = 4


def haversine_m(lat1, lon1, lat2, lon2):
    """Great-circle distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def visit_window(rules, submitted_at):
    """(start, end) of the visit: the visit_window_days before the submission, as datetimes.

    The end is the installation's last submission (server time), or now if not yet submitted.
    """
    end = clock.parse(submitted_at) or clock.parse(clock.now())
    return end - timedelta(days=rules["visit_window_days"]), end


def note(code, text, **args):
    """A check's explanation as data: `detail_code` and `detail_args` for the review pages to
    translate (fieldapp.review.check_detail), and `detail`, the English text, for logs, exports
    and snapshots stored before the codes existed."""
    return {"detail": text.format(**args), "detail_code": code, "detail_args": args}


def check(rule, value, threshold, verdict, explained, photo, **extra):
    """One photo check, carrying the photo it is about; `explained` comes from note()."""
    item = {"kind": "photo", "ref": photo["id"], "shot": photo["shot"]}
    return {
        "rule": rule,
        "value": value,
        "threshold": threshold,
        "verdict": verdict,
        **explained,
        "item": item,
        **extra,
    }


def gps_check(rules, photo, institution):
    """Within gps_radius_m of the institution; a photo without GPS is a warning, not a fail."""
    radius = rules["gps_radius_m"]
    if photo.get("lat") is None or photo.get("lon") is None:
        return check("photo.gps", None, radius, "warn", note("no_gps", "no GPS position"), photo)
    distance = round(haversine_m(photo["lat"], photo["lon"], institution["lat"], institution["lon"]))
    verdict = "pass" if distance <= radius else "fail"
    explained = note("gps_distance", "{distance} m from the institution", distance=distance)
    return check("photo.gps", distance, radius, verdict, explained, photo)


def time_check(rules, photo, window):
    """Capture time inside the visit window (a photo without a capture time is a warning)."""
    start, end = window
    threshold = f"{clock.to_iso(start)[:10]} .. {clock.to_iso(end)[:10]}"
    taken = clock.parse(photo.get("taken_at"))
    if taken is None:
        return check("photo.time", None, threshold, "warn", note("no_capture_time", "no capture time"), photo)
    verdict = "pass" if start <= taken <= end else "fail"
    return check(
        "photo.time", photo["taken_at"], threshold, verdict, note("capture_time", "capture time"), photo
    )


def quality_checks(rules, photo):
    """Dark (mean luma at or below the limit) fails; blurred (low sharpness) warns.

    Blur is only a warning because a sharp photo of a plain wall also has little detail.
    """
    found = []
    brightness, sharpness = photo.get("brightness"), photo.get("sharpness")
    if brightness is not None:
        dark = brightness <= rules["dark_max_brightness"]
        found.append(
            check(
                "photo.dark",
                round(brightness, 1),
                rules["dark_max_brightness"],
                "fail" if dark else "pass",
                note("brightness", "mean brightness 0-255"),
                photo,
            )
        )
    if sharpness is not None:
        blurred = sharpness < rules["blur_min_sharpness"]
        found.append(
            check(
                "photo.blur",
                round(sharpness, 1),
                rules["blur_min_sharpness"],
                "warn" if blurred else "pass",
                note("sharpness", "sharpness"),
                photo,
            )
        )
    return found


def hamming(a, b):
    """Bits that differ between two hex hashes."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def segment_keys(phash, max_distance):
    """For each segment, every value within the pigeonhole radius of this hash's part."""
    radius = max_distance // SEGMENTS
    bits = SEGMENT_HEX * 4
    upper = phash != phash.lower()
    keys = []
    for n in range(SEGMENTS):
        part = int(phash[n * SEGMENT_HEX : (n + 1) * SEGMENT_HEX], 16)
        values = {part}
        for r in range(1, radius + 1):
            for flips in itertools.combinations(range(bits), r):
                values.add(part ^ sum(1 << f for f in flips))
        text = sorted(f"{v:0{SEGMENT_HEX}x}" for v in values)
        keys.append([t.upper() for t in text] if upper else text)
    return keys


def reuse_candidates(db, phash, max_distance):
    """Photos whose hash is within max_distance of `phash`, found through the segment indexes."""
    found = {}
    for n, values in enumerate(segment_keys(phash, max_distance)):
        expr = f"substr(phash, {n * SEGMENT_HEX + 1}, {SEGMENT_HEX})"
        marks = ",".join("?" * len(values))
        sql = f"""SELECT p.id, p.installation_id, p.phash, p.shot, inst.institution_id
            FROM photos p JOIN installations inst ON inst.id = p.installation_id
            WHERE {expr} IN ({marks})"""
        for row in db.query(sql, values):
            found[row["id"]] = row
    matches = []
    for row in found.values():
        distance = hamming(phash, row["phash"])
        if distance <= max_distance:
            matches.append({**row, "distance": distance})
    return sorted(matches, key=lambda m: (m["distance"], m["id"]))


def reuse_brute_force(db, phash, max_distance):
    """The same answer by scanning every hash: the baseline the benchmark compares against."""
    sql = """SELECT p.id, p.installation_id, p.phash, p.shot, inst.institution_id
        FROM photos p JOIN installations inst ON inst.id = p.installation_id
        WHERE p.phash IS NOT NULL"""
    matches = []
    for row in db.query(sql):
        distance = hamming(phash, row["phash"])
        if distance <= max_distance:
            matches.append({**row, "distance": distance})
    return sorted(matches, key=lambda m: (m["distance"], m["id"]))


def reuse_check(db, rules, photo, institution_id):
    """Fail when a near-identical photo belongs to another institution (shown side by side)."""
    limit = rules["reuse_max_distance"]
    if not photo.get("phash"):
        return check(
            "photo.reuse", None, limit, "warn", note("no_phash", "no perceptual hash"), photo, matches=[]
        )
    matches = [
        m for m in reuse_candidates(db, photo["phash"], limit) if m["institution_id"] != institution_id
    ]
    nearest = matches[0]["distance"] if matches else None
    verdict = "fail" if matches else "pass"
    explained = note("reuse", "{count} near-identical photo(s) at other institutions", count=len(matches))
    return check("photo.reuse", nearest, limit, verdict, explained, photo, matches=matches[:5])


def photo_checks(db, rules, photos, institution, submitted_at):
    """Every evidence check for every photo of one installation."""
    window = visit_window(rules, submitted_at)
    found = []
    for photo in photos:
        found.append(gps_check(rules, photo, institution))
        found.append(time_check(rules, photo, window))
        found.append(reuse_check(db, rules, photo, institution["institution_id"]))
        found.extend(quality_checks(rules, photo))
    return found
