"""Reused photos: a near-identical picture at another institution, found without a full scan.

Multi-index hashing: the 64-bit dHash is cut into SEGMENTS 16-bit (4 hex digit) parts, each
with an expression index (migration m040). If two hashes differ in at most d bits, one part
differs in at most d // SEGMENTS bits (pigeonhole), so looking up every part's value and its
neighbours within that radius finds every match without scanning the archive.
"""

import itertools

from fieldapp.evidence import results
from fieldapp.evidence.results import note

SEGMENTS = 4
SEGMENT_HEX = 4


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
        return results.check("photo.reuse", None, limit, "warn", note("no_phash", "no perceptual hash"),
                             item(photo), matches=[])
    matches = [
        m for m in reuse_candidates(db, photo["phash"], limit) if m["institution_id"] != institution_id
    ]
    nearest = matches[0]["distance"] if matches else None
    verdict = "fail" if matches else "pass"
    explained = note("reuse", "{count} near-identical photo(s) at other institutions", count=len(matches))
    return results.check("photo.reuse", nearest, limit, verdict, explained, item(photo),
                         matches=matches[:5])


def item(photo):
    """The returnable item a photo check is about."""
    return {"kind": "photo", "ref": photo["id"], "shot": photo["shot"]}
