"""webp_metadata.py: a WebP's metadata chunks dropped, its image chunks kept byte for byte."""

import io

import pytest
from PIL import Image

from fieldapp.evidence import webp_metadata
from tests.test_imaging import picture


def webp(**options):
    out = io.BytesIO()
    picture(400, 300).save(out, "WEBP", quality=80, **options)
    return out.getvalue()


def chunks(data):
    """(fourcc, payload) of every chunk of a RIFF WebP."""
    found, pos = [], 12
    while pos < len(data):
        size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        found.append((data[pos : pos + 4], data[pos + 8 : pos + 8 + size]))
        pos += 8 + size + (size & 1)
    return found


def test_a_canvas_webp_is_already_bare():
    data = webp()
    assert webp_metadata.strip(data) == data


def test_exif_and_xmp_go_and_the_header_says_so():
    exif = Image.Exif()
    exif[0x0132] = "2026:11:20 15:00:00"
    data = webp(exif=exif, xmp=b"<x:xmpmeta>GPS 42,71</x:xmpmeta>")
    bare = webp_metadata.strip(data)
    kinds = [fourcc for fourcc, _ in chunks(bare)]
    assert kinds[0] == b"VP8X" and b"EXIF" not in kinds and b"XMP " not in kinds
    assert chunks(bare)[0][1][0] & (webp_metadata.EXIF_FLAG | webp_metadata.XMP_FLAG) == 0
    image = [c for c in chunks(data) if c[0] == b"VP8 "]
    assert [c for c in chunks(bare) if c[0] == b"VP8 "] == image  # pixels untouched
    with Image.open(io.BytesIO(bare)) as img:
        img.load()
        assert img.size == (400, 300) and not img.getexif() and "xmp" not in img.info


def test_trailing_bytes_are_dropped():
    data = webp()
    assert webp_metadata.strip(data + b"appended after the file") == data


def animated():
    out = io.BytesIO()
    frames = [picture(64, 48, seed) for seed in range(2)]
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=100)
    return out.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"RIFF",
        b"\xff\xd8\xff\xe0 a JPEG",
        webp()[:100],
        webp()[:4] + b"\xff\xff\xff\x7f" + webp()[8:],
        b"RIFF\x04\x00\x00\x00WEBP",  # no image at all
    ],
    ids=["empty", "short", "jpeg", "truncated", "size_beyond_file", "no_image"],
)
def test_what_is_not_a_readable_still_webp_is_none(data):
    assert webp_metadata.strip(data) is None


def test_an_animation_is_no_display_version():
    assert webp_metadata.strip(animated()) is None
