"""Turning uploaded bytes into checked evidence: decode safely, orient, resize, measure.

Hostile input is refused before any pixel is decoded: only JPEG/PNG/WebP are opened, and the
pixel count declared in the header is capped (a 78 KB PNG can declare 81 Mpx). Served
versions carry no EXIF; time and GPS are read first and kept in the database. The thumbnail
is always a JPEG; the display version is the upload itself (metadata stripped) when that is an
upright JPEG or WebP of display size, else a JPEG made here: mime_of() tells which it is.
"""

import io
import logging
import warnings
from datetime import timedelta
from datetime import timezone

import numpy
from PIL import Image
from PIL import ImageOps
from PIL import ImageStat
from PIL import UnidentifiedImageError

from fieldapp import clock
from fieldapp.evidence import jpeg_metadata
from fieldapp.evidence import webp_metadata

FORMATS = ("JPEG", "PNG", "WEBP")
MIMES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
# The versions the server serves, by their first bytes (RIFF....WEBP, a JPEG's SOI marker).
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"RIFF", "image/webp"), (b"\x89PNG", "image/png"))
# An upload that can serve as its own display version, with what strips its metadata.
STRIPPERS = {"JPEG": jpeg_metadata.strip, "WEBP": webp_metadata.strip}
MAX_PIXELS = 50_000_000
DISPLAY_PX = 1600
THUMB_PX = 320
SHARPNESS_PX = 640  # at 320 px a 2 px blur barely shows; at 533-640 px it cuts the measure ~7x
QUALITY = 80
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
DATETIME_ORIGINAL = 36867
OFFSET_TIME_ORIGINAL = 36881
log = logging.getLogger(__name__)


class ImageRejected(ValueError):
    """Bytes that cannot become a photo: code is not_an_image, too_many_pixels or broken_image."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def process(path, max_pixels=MAX_PIXELS, default_offset="+05:00", thumb_ready=None):
    """Check and decode the image at `path`; return metadata and the display/thumbnail bytes.

    `thumb_ready(thumb bytes)`, if given, is called as soon as the thumbnail is encoded, before
    the measures are taken, so the caller can write it meanwhile. Raises only ImageRejected: a
    decoder failure nobody foresaw (a format variant Pillow mishandles) refuses the photo
    cleanly instead of leaving its upload stuck on a 500.
    """
    try:
        return _process(path, max_pixels, default_offset, thumb_ready)
    except ImageRejected:
        raise
    except Exception as error:
        log.exception("photo %s could not be decoded", path)
        raise ImageRejected("broken_image") from error


def _process(path, max_pixels, default_offset, thumb_ready):
    """Decode once; the display, thumbnail, dHash, brightness and sharpness all come from it.

    An upright JPEG or WebP of display size is not encoded again (see _display_bytes): the encode
    was a quarter of the time of a phone's photo, and a WebP made a JPEG loses a generation.
    """
    with open(path, "rb") as upload:
        data = upload.read()
    fmt, size = _check(data, max_pixels)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img, plain = _decode(data, fmt, size)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
            raise ImageRejected("broken_image") from error
    exif = img.getexif()
    orientation = exif.get(0x0112)
    upright = orientation in (None, 1)
    ImageOps.exif_transpose(img, in_place=True)  # also drops the tag from `exif`
    display = _display_bytes(data, img, fmt) if plain and upright else None
    # The thumbnail (and so brightness and dHash) from the decoded image, the sharpness from the
    # display version: exactly as phones already in the field were told, to the last digit.
    thumb_img = img.copy() if max(img.size) <= THUMB_PX else img.resize(
        _fit(img.size, THUMB_PX), Image.Resampling.BICUBIC, reducing_gap=2.0)
    thumb = _jpeg(thumb_img)
    if thumb_ready is not None:
        thumb_ready(thumb)
    if max(img.size) > DISPLAY_PX:
        img.thumbnail((DISPLAY_PX, DISPLAY_PX), Image.Resampling.LANCZOS, reducing_gap=3.0)
    gray = thumb_img.convert("L")
    width, height = size[::-1] if orientation in (5, 6, 7, 8) else size
    return {
        "mime": MIMES[fmt],
        "width": width,
        "height": height,
        "exif_taken_at": exif_time(exif, default_offset),
        "exif_gps": exif_gps(exif),
        "display": display or _jpeg(img),
        "display_is_original": display == data,  # nothing stripped: stored once, under two names
        "thumb": thumb,
        "phash": dhash(gray),
        "brightness": round(ImageStat.Stat(gray).mean[0], 2),
        "sharpness": round(sharpness(_gray(img, SHARPNESS_PX)), 2),
    }


def _display_bytes(data, img, fmt):
    """The original itself, metadata stripped, when it already is an upright display-size JPEG
    or WebP.

    The phone resizes to 1600 px before uploading, so re-encoding would only cost time and a
    generation of quality; the original is kept byte for byte anyway. None: encode one.
    """
    return None if max(img.size) > DISPLAY_PX else STRIPPERS[fmt](data)


def mime_of(head):
    """The Content-Type of a served version from its first bytes (a display version is a JPEG
    or the WebP upload, a thumbnail a JPEG); JPEG when unsure, as every version once was."""
    return next((mime for magic, mime in SIGNATURES if head.startswith(magic)), "image/jpeg")


def _check(data, max_pixels):
    """Open the header only: refuse unknown formats and too many pixels, then verify()."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as img:
            # Many phone cameras write MPO (a JPEG followed by a second frame): its first frame
            # is the JPEG it is, and the original keeps every byte.
            fmt, size = ("JPEG" if img.format == "MPO" else img.format), img.size
            if size[0] * size[1] > max_pixels:
                raise ImageRejected("too_many_pixels")
            img.verify()
    except ImageRejected:
        raise
    except Image.DecompressionBombError as error:
        raise ImageRejected("too_many_pixels") from error
    except UnidentifiedImageError as error:
        raise ImageRejected("not_an_image") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageRejected("broken_image") from error
    return fmt, size


def _decode(data, fmt, size):
    """Decode once: (RGB image, whether the file may serve as its own display version).

    JPEGs decode in draft mode (DCT scaling), so a 4032 px photo decodes at 1/2 size. Only a
    plain colour or grey JPEG (not an MPO, not CMYK) or an opaque still WebP may serve as its
    own display version: one with alpha would show the page through it, where the JPEG made
    here shows white.
    """
    img = Image.open(io.BytesIO(data), formats=FORMATS)
    if fmt == "JPEG":  # asked for a 1600 px square, draft kept a 4032 x 3024 photo at full size
        img.draft("RGB", _fit(size, DISPLAY_PX))
    img.load()
    plain = (img.format == "JPEG" and img.mode in ("RGB", "L")) or (
        img.format == "WEBP" and img.mode == "RGB" and getattr(img, "n_frames", 1) == 1)
    if img.mode in ("RGBA", "LA", "P", "PA"):
        return _flatten(img), plain
    return (img if img.mode == "RGB" else img.convert("RGB")), plain


def _flatten(img):
    """Transparent PNG/WebP on white, as a JPEG has no alpha."""
    rgba = img.convert("RGBA")
    canvas = Image.new("RGB", rgba.size, (255, 255, 255))
    canvas.paste(rgba, mask=rgba.getchannel("A"))
    return canvas


def _fit(size, longest):
    scale = longest / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def _jpeg(img):
    out = io.BytesIO()
    img.save(out, "JPEG", quality=QUALITY, optimize=False)  # no exif= argument: metadata stripped
    return out.getvalue()


def dhash(gray):
    """64-bit difference hash as 16 hex digits: near-identical photos differ in few bits."""
    small = gray.resize((9, 8), Image.Resampling.BILINEAR)
    pixels = small.tobytes()  # mode L: one byte per pixel
    bits = 0
    for row in range(8):
        for col in range(8):
            left, right = pixels[row * 9 + col], pixels[row * 9 + col + 1]
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def hamming(hash_a, hash_b):
    """Bits that differ between two dHashes (the review's reuse check compares this)."""
    return bin(int(hash_a, 16) ^ int(hash_b, 16)).count("1")


def _gray(img, longest):
    """A grey version about `longest` px wide by box reduction (cheap: an integer factor)."""
    factor = max(1, -(-max(img.size) // longest))
    return (img.reduce(factor) if factor > 1 else img).convert("L")


def sharpness(gray):
    """Variance of an edge filter on a ~640 px grey version: low for blurred or blank photos.

    The filter is Pillow's FIND_EDGES (8 x the pixel minus its 8 neighbours, clipped to
    0..255) on the inner pixels, computed with numpy in integers: the same bytes in a fifth of
    the time (Pillow's 3x3 filter works in floats). Pillow's filter copies the 1-px border
    unfiltered, so a picture 2 px thin or less is all border: its own variance.
    """
    pixels = numpy.asarray(gray, dtype=numpy.int16)
    if min(pixels.shape) <= 2:
        return ImageStat.Stat(gray).var[0]
    rows = pixels[:-2] + pixels[1:-1] + pixels[2:]
    box = rows[:, :-2] + rows[:, 1:-1] + rows[:, 2:]  # each 3 x 3 neighbourhood's sum
    edges = numpy.clip(9 * pixels[1:-1, 1:-1] - box, 0, 255).astype(numpy.uint8)
    return ImageStat.Stat(Image.fromarray(edges)).var[0]


def exif_time(exif, default_offset="+05:00"):
    """EXIF DateTimeOriginal as UTC ISO, using OffsetTimeOriginal or the default offset."""
    ifd = exif.get_ifd(EXIF_IFD)
    text = ifd.get(DATETIME_ORIGINAL) or exif.get(0x0132)
    if not isinstance(text, str):
        return None
    offset = ifd.get(OFFSET_TIME_ORIGINAL) or default_offset
    try:  # a camera's year 1 or 9999 overflows at UTC: no EXIF time, the phone's is used
        moment = clock.parse(text.strip().replace(":", "-", 2).replace(" ", "T") + offset)
        return clock.to_iso(moment.astimezone(timezone(timedelta(0))))
    except (ValueError, TypeError, OverflowError):
        return None


def exif_gps(exif):
    """(lat, lon) from the EXIF GPS block, or None when absent or malformed."""
    gps = exif.get_ifd(GPS_IFD)
    try:
        lat = _degrees(gps[2]) * (-1 if gps.get(1) == "S" else 1)
        lon = _degrees(gps[4]) * (-1 if gps.get(3) == "W" else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 7), round(lon, 7)


def _degrees(dms):
    degrees, minutes, seconds = (float(part) for part in dms)
    return degrees + minutes / 60 + seconds / 3600
