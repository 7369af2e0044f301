"""imaging.py: hostile bytes refused before decoding; orientation, EXIF, versions, measures."""

import functools
import io
import random
import struct
import zlib

import pytest
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFilter
from PIL import ImageStat

from fieldapp.evidence import imaging


def picture(width=1600, height=1200, seed=0):
    """A busy test picture (shapes, so hashes and sharpness mean something)."""
    img = Image.new("RGB", (width, height), (40 + seed * 20 % 200, 90, 140))
    draw = ImageDraw.Draw(img)
    for i in range(0, width, max(width // 12, 1)):
        draw.rectangle([i, (i * 7 + seed * 31) % height, i + width // 24, height], fill=(250, 220, 30))
        draw.line([0, i % height, width, (i * 3) % height], fill=(10, 10, 10), width=3)
    return img


def jpeg(width=1600, height=1200, orientation=None, taken=None, gps=None, seed=0, quality=85):
    """JPEG bytes, optionally with EXIF orientation, DateTimeOriginal and GPS like a phone."""
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    if taken:
        exif.get_ifd(imaging.EXIF_IFD)[imaging.DATETIME_ORIGINAL] = taken
    if gps:
        exif.get_ifd(imaging.GPS_IFD).update(
            {1: "N", 2: (float(gps[0]), 0.0, 0.0), 3: "E", 4: (float(gps[1]), 30.0, 0.0)})
    out = io.BytesIO()
    picture(width, height, seed).save(out, "JPEG", quality=quality, exif=exif)
    return out.getvalue()


def png_header(width, height):
    """A tiny PNG that declares width x height but holds almost no data."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 100)) + \
        chunk(b"IEND", b"")


@functools.cache
def bomb():
    """A real decompression bomb: 1-bit 20000 x 20000 PNG (400 Mpx) in a few dozen KB."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


HOSTILE = {
    "bomb": (bomb, "too_many_pixels"),
    "png_80_mpx": (lambda: png_header(10000, 8000), "too_many_pixels"),
    "truncated_jpeg": (lambda: jpeg()[:20000], "broken_image"),
    "text_named_jpg": (lambda: b"<html>not a photo</html>" * 10, "not_an_image"),
    "gif": (lambda: _gif(), "not_an_image"),
    "empty": (lambda: b"", "not_an_image"),
}


def _gif():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "GIF")
    return out.getvalue()


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_bytes_are_refused(tmp_path, name):
    make, code = HOSTILE[name]
    path = tmp_path / "upload.jpg"
    path.write_bytes(make())
    with pytest.raises(imaging.ImageRejected) as refused:
        imaging.process(str(path))
    assert refused.value.code == code


def test_phone_photo_is_oriented_and_stripped(tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(jpeg(4032, 3024, orientation=6, taken="2026:11:20 15:00:00", gps=(42, 71)))
    result = imaging.process(str(path))
    assert (result["width"], result["height"]) == (3024, 4032)
    display = Image.open(io.BytesIO(result["display"]))
    thumb = Image.open(io.BytesIO(result["thumb"]))
    assert display.size == (1200, 1600)  # portrait after EXIF orientation
    assert max(thumb.size) == 320 and thumb.size[1] > thumb.size[0]
    assert not display.getexif() and not thumb.getexif()
    assert result["exif_taken_at"] == "2026-11-20T10:00:00.000Z"  # +05:00 default offset
    assert result["exif_gps"] == (42.0, 71.5)
    assert result["mime"] == "image/jpeg" and len(result["phash"]) == 16


def test_measures_tell_dark_blurred_and_reused(tmp_path):
    def measure(img, name):
        path = tmp_path / name
        img.save(path, "PNG")
        return imaging.process(str(path))

    sharp = measure(picture(800, 600), "a.png")
    black = measure(Image.new("RGB", (800, 600)), "b.png")
    blurred = measure(picture(800, 600).resize((40, 30)).resize((800, 600)), "c.png")
    again = measure(picture(800, 600).resize((790, 600)), "d.png")
    assert black["brightness"] < 1 < sharp["brightness"]
    assert blurred["sharpness"] < sharp["sharpness"] / 3
    assert imaging.hamming(sharp["phash"], again["phash"]) <= 6
    assert imaging.hamming(sharp["phash"], black["phash"]) > 6


def test_pixel_cap_is_configurable(tmp_path):
    path = tmp_path / "p.jpg"
    path.write_bytes(jpeg(400, 300))
    with pytest.raises(imaging.ImageRejected):
        imaging.process(str(path), max_pixels=100_000)


def test_exif_offset_wins_over_default():
    exif = Image.Exif()
    exif.get_ifd(imaging.EXIF_IFD).update(
        {imaging.DATETIME_ORIGINAL: "2026:11:20 15:00:00", imaging.OFFSET_TIME_ORIGINAL: "+06:00"})
    assert imaging.exif_time(exif) == "2026-11-20T09:00:00.000Z"
    assert imaging.exif_time(Image.Exif()) is None


def test_flat_grey_has_no_sharpness():
    assert imaging.sharpness(Image.new("L", (640, 480), 128)) == 0


def pillow_sharpness(gray):
    """The measure as stored since the first photo: Pillow's FIND_EDGES without its border."""
    edges = gray.filter(ImageFilter.FIND_EDGES)
    width, height = edges.size
    if width > 2 and height > 2:
        edges = edges.crop((1, 1, width - 1, height - 1))
    return ImageStat.Stat(edges).var[0]


@pytest.mark.parametrize("size", [(1, 1), (2, 2), (2, 7), (7, 2), (3, 3), (1, 9), (534, 400), (640, 480)])
def test_sharpness_is_pillows_edge_filter_to_the_last_bit(size):
    """Computed with numpy now, it must equal what every stored photo was measured with:
    noise (every pixel clips somewhere), a real picture, and pictures too thin to filter."""
    rng = random.Random(size[0] * 1000 + size[1])
    noise = Image.frombytes("L", size, bytes(rng.randrange(256) for _ in range(size[0] * size[1])))
    scene = imaging._gray(picture(size[0] * 3, size[1] * 3, seed=size[0]), max(size))
    for gray in (noise, scene, Image.new("L", size, 255)):
        assert imaging.sharpness(gray) == pillow_sharpness(gray)


@pytest.mark.parametrize("taken, offset", [
    ("0001:01:01 00:00:00", "+05:00"), ("9999:12:31 23:59:59", "-05:00"), ("2026:11:20 15:00:00", b"+05:00"),
])
def test_exif_time_beyond_the_calendar_is_no_time(taken, offset):
    """Review H2: these overflowed at UTC and made every completion of the photo a 500."""
    exif = Image.Exif()
    ifd = exif.get_ifd(imaging.EXIF_IFD)
    ifd.update({imaging.DATETIME_ORIGINAL: taken, imaging.OFFSET_TIME_ORIGINAL: offset})
    assert imaging.exif_time(exif) is None


@pytest.mark.parametrize("mode, frames, own", [("RGB", 1, True), ("RGBA", 1, False), ("RGB", 2, False)],
                         ids=["opaque", "alpha", "animated"])
def test_only_an_opaque_still_webp_is_its_own_display(tmp_path, mode, frames, own):
    """A WebP with alpha or frames gets a JPEG display (white behind it, its first frame)."""
    images = [picture(800, 600, seed).convert(mode) for seed in range(frames)]
    if mode == "RGBA":
        images[0].paste((255, 255, 255, 0), (0, 0, 100, 100))  # an opaque alpha would be dropped
    path = tmp_path / "photo.webp"
    images[0].save(path, "WEBP", quality=80, save_all=frames > 1, append_images=images[1:])
    result = imaging.process(str(path))
    assert result["display_is_original"] is own
    assert imaging.mime_of(result["display"][:16]) == ("image/webp" if own else "image/jpeg")
    assert imaging.mime_of(result["thumb"][:16]) == "image/jpeg"
