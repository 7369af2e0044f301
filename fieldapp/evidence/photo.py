"""Photos: the required shots, taken at the site during the visit, not reused, not dark or blurred.

A photo arrives as a file through the resumable upload (fieldapp.uploads): announce_fields()
validates what the phone says about it, stored() turns the uploaded bytes into the original
plus display and thumbnail versions. Every threshold comes from the profile's `photos` rules;
each check carries the photo it judges, so a reviewer can return exactly that photo.
"""

import math
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fieldapp import added_shots
from fieldapp import clock
from fieldapp import conversation
from fieldapp import profiles
from fieldapp.evidence import barcodes
from fieldapp.evidence import fields
from fieldapp.evidence import imaging
from fieldapp.evidence import photo_reuse
from fieldapp.evidence import results
from fieldapp.evidence.fields import N_
from fieldapp.evidence.results import note

TYPE = "photo"
TABLE = "photos"
LABEL = N_("Photo")
COUNTS = "status = 'complete'"  # announced photos are bytes still on their way
ORDER = "received_at, id"
PULLED = True
ITEMS = {"photo": "record", "shot": "shot"}  # this photo, or a required shot still missing
ITEM_LABELS = {"shot": N_("Missing photo")}
RULE_LABELS = {
    "photos.required_shot": N_("Required photo"),
    "photo.gps": N_("Taken at the site (metres from the institution)"),
    "photo.time": N_("Taken during the visit"),
    "photo.reuse": N_("Not reused from another site (hash distance)"),
    "photo.dark": N_("Not dark (brightness)"),
    "photo.blur": N_("Not blurred (sharpness)"),
}
MAX_BYTES = 25 * 1024 * 1024  # PHOTO_MAX_BYTES in the config
# What stored() takes from the app's config: option -> config key.
OPTIONS = {"max_pixels": "PHOTO_MAX_PIXELS", "default_offset": "PHOTO_EXIF_UTC_OFFSET"}
EXTRA_SHOTS = ("extra", "equipment_label")
# Shots of a label whose barcodes are read when stored (fieldapp.evidence.equipment compares them).
LABEL_SHOTS = ("equipment_label", "ont_serial")
# The announce fields that make a photo what it is (a retry must repeat them exactly).
STABLE = ("installation_id", "replaces", "shot", "caption", "size", "sha256")
# What the phone shows for the codes only this kind raises (sync_api translates them).
MESSAGES = {
    "not_an_image": N_("This file is not a JPEG, PNG or WebP photo."),
    "too_many_pixels": N_("This picture is too large in pixels. Take the photo again."),
    "broken_image": N_("This picture is damaged and cannot be opened. Take the photo again."),
}
VARIANTS = {"original": "", "display": ".display", "thumb": ".thumb"}
EARTH_RADIUS_M = 6_371_008.8
# Blob writes of photos being stored at once (each waits on a disk or a round trip, not the CPU).
WRITER_THREADS = 16


def announce_fields(meta, rules):
    """What the phone says about the photo: its shot (from the profile's lists), caption, time, GPS."""
    shots = {shot for shot_list in rules["shots"].values() for shot in shot_list}
    return {
        "shot": fields.choice(meta, "shot", sorted(shots) + list(EXTRA_SHOTS)),
        "caption": fields.text(meta, "caption", False) or "",
        "taken_at": fields.iso_time(meta.get("taken_at"), "taken_at", False),
        **fields.position(meta),
        "accuracy_m": fields.number(meta, "accuracy_m", False, 0, 1e6),
    }


def stored(blobs, path, row, options):
    """Decode the uploaded file and store its versions: (blob key, the row's new columns).

    Raises imaging.ImageRejected for anything that is not an acceptable image, with nothing
    stored. EXIF time and GPS win over the phone's own values, which remain the fallback.
    """
    key = blobs.new_key()
    with _Writes(blobs, key) as writes:
        # The disk (or the object store) takes the original while the picture decodes, and the
        # thumbnail while its measures are taken: each wait runs beside the work, not after it.
        original = writes.start(blobs.put_file, key, path)
        image = imaging.process(path, options.get("max_pixels", imaging.MAX_PIXELS),
                                options.get("default_offset", "+05:00"),
                                lambda thumb: writes.start(blobs.put, key + VARIANTS["thumb"], thumb))
        display = key + VARIANTS["display"]
        if image["display_is_original"]:  # a phone JPEG or WebP without metadata: a second name
            original.result()
            blobs.put_copy(display, key, image["display"])
        else:
            writes.start(blobs.put, display, image["display"])
        labels = barcodes.read_json(image["display"]) if row["shot"] in LABEL_SHOTS else None
    gps = image["exif_gps"]
    return key, {
        "mime": image["mime"], "width": image["width"], "height": image["height"],
        "taken_at": image["exif_taken_at"] or row["taken_at"],
        "lat": gps[0] if gps else row["lat"], "lon": gps[1] if gps else row["lon"],
        "phash": image["phash"], "brightness": image["brightness"], "sharpness": image["sharpness"],
        "label_codes": labels,
    }


class _Writes:
    """A photo's blob writes running in the background; leaving the block waits for them all.

    Each put waits on its own fsync (or, in an object store, its own round trip), time in
    which the CPU decodes and measures. If anything fails, every version is removed once the
    writes have finished, so a refused or broken photo leaves no blob behind.
    """

    def __init__(self, blobs, key):
        self.blobs, self.key, self.futures = blobs, key, []

    def start(self, put, *args):
        self.futures.append(_pool().submit(put, *args))
        return self.futures[-1]

    def __enter__(self):
        return self

    def __exit__(self, error_type, error, trace):
        failures = []
        for future in self.futures:
            try:
                future.result()
            except Exception as failure:
                failures.append(failure)
        if error is not None or failures:
            for suffix in VARIANTS.values():
                self.blobs.delete(self.key + suffix)
        if failures and error is None:
            raise failures[0]
        return False


def _pool():
    """One thread pool per process (made on first use, so a forked worker makes its own)."""
    global _writer_pool
    if _writer_pool is None:
        _writer_pool = ThreadPoolExecutor(max_workers=WRITER_THREADS, thread_name_prefix="photo-blobs")
    return _writer_pool


def _forget_pool():
    global _writer_pool
    _writer_pool = None


_writer_pool = None
os.register_at_fork(after_in_child=_forget_pool)


def variant_key(photo, variant):
    """The blob key of a stored photo's original, display or thumb version."""
    return photo["blob_key"] + VARIANTS[variant]


def public(found):
    """A photo as the phone shows it, with the URLs of its versions."""
    return {**fields.public(found), "thumb_url": f"/photos/{found['id']}/thumb",
            "display_url": f"/photos/{found['id']}/display"}


review_row = fields.as_stored


def checks(db, rules, installation, records):
    """Required shots (the profile's and those added at review) present or approved as not
    applicable, then every evidence check of every photo."""
    photos = records[TABLE]
    required = profiles.required_shots(rules, installation["type"]) + added_shots.keys(db, installation["id"])
    found = shot_checks(required, photos, conversation.na_states(db, installation["id"]))
    return found + photo_checks(db, rules["photos"], photos, installation, installation["submitted_at"])


def shot_checks(required, photos, na_states):
    """One check per required shot: present (a complete, current photo of it), not applicable
    as a reviewer approved, or missing (a claim of N/A still waiting for review is missing)."""
    have = {}
    for photo in photos:
        have[photo["shot"]] = have.get(photo["shot"], 0) + 1
    return [_shot_check(shot, have.get(shot, 0), na_states.get(shot)) for shot in required]


def _shot_check(shot, count, na_state):
    item = {"kind": "shot", "ref": shot, "shot": shot}
    if not count and na_state == "approved":
        return results.check("photos.required_shot", 0, 1, "pass",
                             note("na_approved", "not applicable, approved by the reviewer"), item)
    if not count and na_state == "pending":
        return results.check("photos.required_shot", 0, 1, "fail",
                             note("na_pending", "marked not applicable: approve it or return the shot"), item)
    return results.check("photos.required_shot", count, 1, "pass" if count else "fail",
                         {"detail": shot}, item)


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


def gps_check(rules, photo, institution):
    """Within gps_radius_m of the institution; a photo without GPS is a warning, not a fail."""
    radius, item = rules["gps_radius_m"], photo_reuse.item(photo)
    if photo.get("lat") is None or photo.get("lon") is None:
        return results.check("photo.gps", None, radius, "warn", note("no_gps", "no GPS position"), item)
    distance = round(haversine_m(photo["lat"], photo["lon"], institution["lat"], institution["lon"]))
    explained = note("gps_distance", "{distance} m from the institution", distance=distance)
    return results.check("photo.gps", distance, radius, "pass" if distance <= radius else "fail",
                         explained, item)


def time_check(rules, photo, window):
    """Capture time inside the visit window (a photo without a capture time is a warning)."""
    start, end = window
    threshold = f"{clock.to_iso(start)[:10]} .. {clock.to_iso(end)[:10]}"
    taken, item = clock.parse(photo.get("taken_at")), photo_reuse.item(photo)
    if taken is None:
        return results.check("photo.time", None, threshold, "warn",
                             note("no_capture_time", "no capture time"), item)
    verdict = "pass" if start <= taken <= end else "fail"
    return results.check("photo.time", photo["taken_at"], threshold, verdict,
                         note("capture_time", "capture time"), item)


def quality_checks(rules, photo):
    """Dark (mean luma at or below the limit) fails; blurred (low sharpness) warns.

    Blur is only a warning because a sharp photo of a plain wall also has little detail.
    """
    found, item = [], photo_reuse.item(photo)
    brightness, sharpness = photo.get("brightness"), photo.get("sharpness")
    if brightness is not None:
        dark = brightness <= rules["dark_max_brightness"]
        found.append(results.check("photo.dark", round(brightness, 1), rules["dark_max_brightness"],
                                   "fail" if dark else "pass", note("brightness", "mean brightness 0-255"),
                                   item))
    if sharpness is not None:
        blurred = sharpness < rules["blur_min_sharpness"]
        found.append(results.check("photo.blur", round(sharpness, 1), rules["blur_min_sharpness"],
                                   "warn" if blurred else "pass", note("sharpness", "sharpness"), item))
    return found


def photo_checks(db, rules, photos, institution, submitted_at):
    """Every evidence check for every photo of one installation."""
    window = visit_window(rules, submitted_at)
    found = []
    for photo in photos:
        found.append(gps_check(rules, photo, institution))
        found.append(time_check(rules, photo, window))
        found.append(photo_reuse.reuse_check(db, rules, photo, institution["institution_id"]))
        found.extend(quality_checks(rules, photo))
    return found
