"""jpeg_metadata.py: a display version that is the original's image bytes without metadata."""

import io

from PIL import Image

from fieldapp.evidence import imaging
from fieldapp.evidence import jpeg_metadata
from tests.test_imaging import jpeg


def test_strip_keeps_pixels_and_drops_exif_and_trailing_bytes():
    data = jpeg(800, 600, taken="2026:11:20 15:00:00", gps=(42, 71))
    stripped = jpeg_metadata.strip(data + b"appended after the end of the image")
    original, served = Image.open(io.BytesIO(data)), Image.open(io.BytesIO(stripped))
    assert original.getexif() and not served.getexif()
    assert served.tobytes() == original.tobytes()
    assert b"appended" not in stripped and b"Exif" not in stripped


def test_progressive_jpeg_keeps_every_scan():
    out = io.BytesIO()
    Image.open(io.BytesIO(jpeg(640, 480))).save(out, "JPEG", progressive=True, quality=70)
    stripped = jpeg_metadata.strip(out.getvalue())
    assert Image.open(io.BytesIO(stripped)).tobytes() == Image.open(out).tobytes()


def test_not_a_jpeg_or_cut_short_is_none():
    data = jpeg(400, 300)
    assert jpeg_metadata.strip(b"\x89PNG\r\n\x1a\n") is None
    assert jpeg_metadata.strip(data[:len(data) // 2]) is None


def test_upright_display_size_photo_is_served_as_its_own_stripped_bytes(tmp_path):
    data = jpeg(1600, 1200, taken="2026:11:20 15:00:00", gps=(42, 71))
    path = tmp_path / "p.jpg"
    path.write_bytes(data)
    result = imaging.process(str(path))
    assert result["display"] == jpeg_metadata.strip(data)
    assert result["exif_gps"] == (42.0, 71.5)
