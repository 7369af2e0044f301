"""A still WebP without its metadata, byte for byte otherwise: the display version of a photo
the phone already resized and encoded as WebP, without a second generation (a JPEG of it).

A WebP is a RIFF file of chunks. Kept: the image itself (VP8 or VP8L, with ALPH), VP8X (the
extended header, its EXIF and XMP flags cleared) and an ICC profile (ICCP). Dropped: EXIF and
XMP (where GPS and time live), any chunk this does not know, and anything after the RIFF size.
An animation is not a photo's display version: None, and the server encodes one.
"""

RIFF = b"RIFF"
WEBP = b"WEBP"
IMAGE = {b"VP8 ", b"VP8L", b"ALPH"}
KEPT = IMAGE | {b"VP8X", b"ICCP"}
ANIMATION = {b"ANIM", b"ANMF"}
EXIF_FLAG = 0x08
XMP_FLAG = 0x04
ANIMATION_FLAG = 0x02


def strip(data):
    """`data` (a still WebP) with only its image chunks, or None if it is not one this can read."""
    if len(data) < 12 or data[:4] != RIFF or data[8:12] != WEBP:
        return None
    end = 8 + int.from_bytes(data[4:8], "little")
    if end > len(data):
        return None
    chunks, pos = [], 12
    while pos < end:
        if pos + 8 > end:
            return None
        fourcc, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
        stop = pos + 8 + size + (size & 1)  # a chunk of odd size is padded to even
        if stop > end or fourcc in ANIMATION or _animated(fourcc, size, data[pos + 8 : pos + 9]):
            return None
        if fourcc in KEPT:
            chunks.append(_unflagged(data[pos:stop]) if fourcc == b"VP8X" else data[pos:stop])
        pos = stop
    if not any(chunk[:4] in (b"VP8 ", b"VP8L") for chunk in chunks):
        return None
    body = WEBP + b"".join(chunks)
    return RIFF + len(body).to_bytes(4, "little") + body


def _animated(fourcc, size, flags):
    """A VP8X header that says "animation" (or is too short to say anything)."""
    return fourcc == b"VP8X" and (size < 10 or bool(flags[0] & ANIMATION_FLAG))


def _unflagged(chunk):
    """The VP8X chunk saying there is no EXIF or XMP any more."""
    return chunk[:8] + bytes([chunk[8] & ~(EXIF_FLAG | XMP_FLAG)]) + chunk[9:]
