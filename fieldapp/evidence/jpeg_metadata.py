"""A JPEG without its metadata, byte for byte otherwise: the display version of a photo the phone
already resized, without a second decode-and-encode generation.

Kept: the segments a decoder needs (tables, frame, scans), JFIF (APP0), Adobe (APP14: it says
how to read the colours) and an ICC profile (APP2 "ICC_PROFILE"). Dropped: EXIF and XMP (APP1,
where GPS and time live), every other APPn, comments, and anything after the end of the image
(an MPO's second frame, appended bytes). The scan data is copied unchanged, so the pixels are
exactly the original's.
"""

import re

SOI = b"\xff\xd8"
EOI = 0xD9
SOS = 0xDA
APP0 = 0xE0
APP2 = 0xE2
APP14 = 0xEE
COM = 0xFE
STANDALONE = set(range(0xD0, 0xD8)) | {0x01}  # RSTn and TEM carry no length
SCAN_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")  # what ends a scan's entropy-coded data


def strip(data):
    """`data` (a JPEG) with only its image segments, or None if it is not a JPEG this can read."""
    if not data.startswith(SOI):
        return None
    out, pos = [SOI], 2
    while pos + 2 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == EOI:
            out.append(data[pos:pos + 2])
            return b"".join(out)
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data) or marker in STANDALONE:
            return None
        if _keep(marker, data[pos + 4:end]):
            out.append(data[pos:end])
        if marker == SOS:
            scan_end = _scan_end(data, end)
            if scan_end is None:
                return None
            out.append(data[end:scan_end])
            end = scan_end
        pos = end
    return None


def _keep(marker, payload):
    if marker == COM or 0xE0 <= marker <= 0xEF:
        return marker in (APP0, APP14) or (marker == APP2 and payload.startswith(b"ICC_PROFILE\0"))
    return True


def _scan_end(data, pos):
    """Where the entropy-coded data after an SOS header ends: the next marker that is not a
    stuffed 0xFF00, a restart marker or a fill byte (None: the file ends first)."""
    found = SCAN_MARKER.search(data, pos)
    return found.start() if found else None
