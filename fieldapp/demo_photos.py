"""Demo photos: plausible scenes per shot, drawn with Pillow, with EXIF time and GPS.

Each picture has its own framing, light and grain, so perceptual hashes differ and the
review's reused-photo check stays quiet unless the demo reuses a photo on purpose.
"""

import io
import os
import random
from datetime import UTC
from datetime import timedelta

import qrcode
from PIL import Image
from PIL import ImageChops
from PIL import ImageDraw
from PIL import ImageEnhance
from PIL import ImageFilter
from PIL import ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SIZE = (800, 600)
KZ_TIME = timedelta(hours=5)
EXIF_IFD = 0x8769
GPS_IFD = 0x8825
# TIA-598 fiber colours, fiber 1 to 12.
TIA598 = [
    (0, 90, 200), (255, 140, 0), (0, 150, 60), (120, 70, 20), (130, 130, 130), (245, 245, 245),
    (220, 0, 0), (20, 20, 20), (240, 220, 0), (150, 60, 200), (255, 120, 180), (0, 200, 200),
]
GRAIN = [215 + v * 40 // 255 for v in range(256)]  # grain multiplies light by 0.84-1.0
_fonts = {}


def font(size):
    """DejaVu Sans (every Cyrillic letter) when installed, else Pillow's default font."""
    if size not in _fonts:
        if os.path.exists(FONT):
            _fonts[size] = ImageFont.truetype(FONT, size)
        else:
            _fonts[size] = ImageFont.load_default(size)
    return _fonts[size]


def picture(seed, shot, title, taken, gps, kind="sharp"):
    """A JPEG of one shot: a plausible scene, a caption, texture, EXIF time and GPS.

    `taken` is an aware datetime; `kind` is 'sharp', 'blurred' (a shaky hand) or 'dark'.
    Framing and uneven light differ per picture, so each one's perceptual hash is its own,
    and film-like grain gives the detail a real photo has, so a sharp one passes the blur
    check. Its own seeded generator makes it the same whichever thread draws it.
    """
    rng = random.Random(seed)
    base = tuple(max(0, min(255, c + rng.randint(-25, 25))) for c in _base(shot))
    img = Image.new("RGB", SIZE, base)
    SCENES[shot](ImageDraw.Draw(img), rng, title)
    scale = rng.uniform(0.72, 0.92)  # nearer or further, off centre, as a hand holds a phone
    width, height = int(SIZE[0] * scale), int(SIZE[1] * scale)
    left, top = rng.randint(0, SIZE[0] - width), rng.randint(0, SIZE[1] - height)
    img = img.resize(SIZE, Image.Resampling.BILINEAR, box=(left, top, left + width, top + height))
    light = Image.frombytes("L", (9, 7), bytes(rng.randint(70, 255) for _ in range(9 * 7)))
    grain = Image.frombytes("L", (400, 300), rng.randbytes(400 * 300)).point(GRAIN)
    shade = ImageChops.multiply(light.resize(SIZE, Image.Resampling.BICUBIC), grain.resize(SIZE))
    img = ImageChops.multiply(img, shade.convert("RGB"))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 540, 800, 600), fill=(0, 0, 0))
    local = taken.astimezone(UTC) + KZ_TIME
    draw.text((12, 546), f"{shot} · {local:%Y-%m-%d %H:%M}", font=font(20), fill=(255, 255, 0))
    draw.text((12, 572), title[:70], font=font(18), fill=(255, 255, 255))
    if kind == "blurred":
        img = img.filter(ImageFilter.GaussianBlur(5))
    elif kind == "dark":
        img = ImageEnhance.Brightness(img).enhance(0.07)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, exif=_exif(local, gps))
    return out.getvalue()


def _exif(local, gps):
    exif = Image.Exif()
    exif.get_ifd(EXIF_IFD)[36867] = local.strftime("%Y:%m:%d %H:%M:%S")
    exif.get_ifd(EXIF_IFD)[36881] = "+05:00"
    block = exif.get_ifd(GPS_IFD)
    block[1], block[2] = "N", _dms(gps[0])
    block[3], block[4] = "E", _dms(gps[1])
    return exif


def _dms(value):
    degrees = int(value)
    minutes = (value - degrees) * 60
    return (float(degrees), float(int(minutes)), round((minutes - int(minutes)) * 60, 4))


def _base(shot):
    return {
        "building_sign": (150, 190, 230), "pole_or_mount": (140, 185, 235),
        "cable_entry": (170, 90, 70), "closure_open": (60, 70, 60), "splice_tray": (200, 200, 195),
        "ont_serial": (225, 220, 210), "power": (215, 200, 170), "speed_test_screen": (40, 40, 50),
    }.get(shot, (235, 235, 230))


def _jitter(rng, box, spread=60):
    dx, dy = rng.randint(-spread, spread), rng.randint(-spread // 2, spread // 2)
    return box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy


def _building(draw, rng, title):
    draw.rectangle(_jitter(rng, (60, 220, 740, 540)), fill=(235, 225, 200), outline=(90, 80, 60), width=4)
    for x in range(120, 700, 150):
        draw.rectangle(_jitter(rng, (x, 380, x + 80, 460), 10), fill=(70, 110, 150))
    sign = _jitter(rng, (140, 250, 660, 340))
    draw.rectangle(sign, fill=(0, 70, 160), outline=(255, 255, 255), width=3)
    draw.text((sign[0] + 14, sign[1] + 12), title[:38], font=font(22), fill=(255, 255, 255))
    draw.text((sign[0] + 14, sign[1] + 50), title[38:76], font=font(22), fill=(255, 255, 255))


def _pole(draw, rng, title):
    x = rng.randint(330, 470)
    draw.rectangle((x, 40, x + 36, 540), fill=(110, 100, 90))
    draw.line((0, rng.randint(60, 140), 800, rng.randint(60, 140)), fill=(20, 20, 20), width=4)
    draw.rounded_rectangle((x - 60, 260, x + 96, 400), 20, fill=(50, 50, 55), outline=(0, 0, 0), width=3)
    draw.line((x + 18, 400, x + rng.randint(150, 300), 540), fill=(10, 10, 10), width=6)


def _cable_entry(draw, rng, title):
    for y in range(0, 540, 40):
        for x in range(-40 * (y // 40 % 2), 800, 80):
            draw.rectangle((x, y, x + 76, y + 36), outline=(120, 60, 45), width=2)
    cx, cy = rng.randint(300, 500), rng.randint(220, 360)
    draw.ellipse((cx - 40, cy - 40, cx + 40, cy + 40), fill=(200, 200, 200), outline=(80, 80, 80), width=4)
    draw.line((0, rng.randint(50, 200), cx - 60, cy, cx, cy), fill=(15, 15, 15), width=12, joint="curve")


def _closure(draw, rng, title):
    box = _jitter(rng, (220, 60, 580, 520))
    draw.ellipse(box, fill=(170, 170, 165), outline=(40, 40, 40), width=5)
    for n in range(4):
        y = box[1] + 120 + n * 70
        tray = (box[0] + 70, y, box[2] - 70, y + 50)
        draw.rectangle(tray, fill=(230, 230, 225), outline=(90, 90, 90), width=2)


def _tray(draw, rng, title):
    box = _jitter(rng, (80, 60, 720, 500), 30)
    draw.rounded_rectangle(box, 30, fill=(245, 245, 240), outline=(60, 60, 60), width=4)
    for n, colour in enumerate(TIA598):
        y = box[1] + 40 + n * 30
        draw.line((box[0] + 30, y, box[2] - 30, y + rng.randint(-8, 8)), fill=colour, width=5)
        draw.rectangle((box[0] + 280, y - 7, box[0] + 340, y + 7), fill=(200, 200, 210), outline=(0, 0, 0))


def _ont(draw, rng, title):
    box = _jitter(rng, (160, 120, 640, 440))
    draw.rounded_rectangle(box, 18, fill=(250, 250, 250), outline=(50, 50, 50), width=4)
    label = (box[0] + 60, box[1] + 150, box[2] - 60, box[1] + 280)
    draw.rectangle(label, fill=(255, 255, 255), outline=(0, 0, 0), width=2)
    serial = "ZTEG" + "".join(rng.choice("0123456789ABCDEF") for _ in range(8))
    draw.text((label[0] + 16, label[1] + 16), "GPON ONT  F660", font=font(24), fill=(0, 0, 0))
    draw.text((label[0] + 16, label[1] + 60), f"S/N: {serial}", font=font(26), fill=(0, 0, 0))
    for n in range(4):
        draw.ellipse((box[0] + 60 + n * 40, box[1] + 40, box[0] + 76 + n * 40, box[1] + 56), fill=(0, 200, 0))


def _label(draw, rng, title):
    """An equipment label: model, the serial (`title`) in words and as a QR code the server reads."""
    box = _jitter(rng, (150, 60, 650, 500), 30)
    draw.rectangle(box, fill=(255, 255, 255), outline=(0, 0, 0), width=3)
    draw.text((box[0] + 20, box[1] + 14), "GPON ONT  F660", font=font(26), fill=(0, 0, 0))
    draw.text((box[0] + 20, box[1] + 50), f"S/N: {title}", font=font(26), fill=(0, 0, 0))
    code = qrcode.QRCode(border=2, box_size=9)
    code.add_data(f"SN:{title}")
    mark = code.make_image().get_image().convert("RGB")
    draw._image.paste(mark, (box[0] + 20, box[1] + 96))


def signature(seed):
    """A representative's signature as the phone's canvas gives it: dark strokes on white, PNG."""
    rng = random.Random(seed)
    img = Image.new("RGB", (720, 300), (255, 255, 255))
    x, points = 60, []
    while x < 640:
        points.append((x, 150 + rng.randint(-80, 80)))
        x += rng.randint(25, 60)
    ImageDraw.Draw(img).line(points, fill=(11, 26, 74), width=6, joint="curve")
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def _power(draw, rng, title):
    box = _jitter(rng, (260, 150, 540, 430))
    draw.rounded_rectangle(box, 20, fill=(250, 250, 245), outline=(120, 120, 120), width=3)
    cx, cy = (box[0] + box[2]) // 2, (box[1] + box[3]) // 2
    draw.ellipse((cx - 90, cy - 90, cx + 90, cy + 90), outline=(150, 150, 150), width=4)
    for dx in (-40, 40):
        draw.ellipse((cx + dx - 14, cy - 14, cx + dx + 14, cy + 14), fill=(30, 30, 30))
    draw.line((cx, cy + 90, cx + rng.randint(-200, 200), 540), fill=(20, 20, 20), width=8)


def _screen(draw, rng, title):
    box = _jitter(rng, (100, 60, 700, 480), 30)
    draw.rectangle(box, fill=(250, 250, 252), outline=(0, 0, 0), width=10)
    down, up = rng.uniform(90, 99), rng.uniform(88, 98)
    draw.text((box[0] + 40, box[1] + 60), f"↓ {down:.1f} Mbps", font=font(56), fill=(0, 120, 60))
    draw.text((box[0] + 40, box[1] + 160), f"↑ {up:.1f} Mbps", font=font(56), fill=(0, 70, 160))
    draw.text((box[0] + 40, box[1] + 270), "wired · 3 runs", font=font(28), fill=(60, 60, 60))


def _paper(draw, rng, title):
    box = _jitter(rng, (170, 30, 630, 530), 40)
    draw.rectangle(box, fill=(252, 252, 250), outline=(150, 150, 150), width=2)
    draw.text((box[0] + 30, box[1] + 30), "АКТ приёмки / Қабылдау актісі", font=font(20), fill=(0, 0, 0))
    for y in range(box[1] + 90, box[3] - 90, 28):
        draw.line((box[0] + 30, y, box[2] - rng.randint(30, 160), y), fill=(90, 90, 90), width=2)
    x, y = box[0] + 200, box[3] - 70
    points = [(x + 18 * n, y + rng.randint(-18, 18)) for n in range(10)]
    draw.line(points, fill=(0, 40, 170), width=4, joint="curve")


SCENES = {
    "building_sign": _building,
    "pole_or_mount": _pole,
    "cable_entry": _cable_entry,
    "closure_open": _closure,
    "splice_tray": _tray,
    "ont_serial": _ont,
    "power": _power,
    "speed_test_screen": _screen,
    "signed_form": _paper,
    "equipment_label": _label,
}
