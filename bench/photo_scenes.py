"""Camera-like photos of what technicians shoot, rendered with Pillow (no downloaded photos).

Synthetic noise overstates what an encoder must spend, a flat colour understates it: these
scenes have the structure of the real evidence (a serial label on an ONT, a printed
acceptance form, a splice closure with cables, a rack with small port text, a brick wall with
the mounted box) and what a phone camera adds (lens blur, sensor grain, uneven light). Each
scene names the box of its most demanding text, where legibility is judged.
"""

import random

from PIL import Image
from PIL import ImageChops
from PIL import ImageDraw
from PIL import ImageFilter
from PIL import ImageFont

SIZE = (4032, 3024)  # a 12 Mpx phone camera, landscape
FONTS = "/usr/share/fonts/truetype/dejavu/"


def font(size, name="DejaVuSans.ttf"):
    return ImageFont.truetype(FONTS + name, size)


def _camera(img, seed, blur=1.1, grain=3.0):
    """What a phone's optics and sensor do: a little blur, light falling off, grain (what is
    left after the phone's own noise reduction). Returns (the photo, the scene without grain):
    the grain is no evidence, so quality is judged against the scene."""
    rng = random.Random(seed)
    img = img.filter(ImageFilter.GaussianBlur(blur))
    light = Image.radial_gradient("L").resize(img.size)  # 0 at the centre, 255 at the corners
    light = light.point(lambda v: 255 - v * (60 + rng.randint(0, 30)) // 255)
    scene = ImageChops.multiply(img, Image.merge("RGB", [light] * 3))
    noise = Image.effect_noise(img.size, grain).convert("RGB")  # centred on 128
    return ImageChops.add(scene, noise, scale=1.0, offset=-128), scene


def _texture(size, seed, base, spread, blur):
    """A grainy surface (plaster, plastic, cardboard) around the colour `base`."""
    noise = Image.effect_noise((size[0] // 4, size[1] // 4), spread).resize(size, Image.Resampling.BICUBIC)
    noise = noise.filter(ImageFilter.GaussianBlur(blur))
    r, g, b = base
    return Image.merge("RGB", [noise.point(lambda v, c=c: max(0, min(255, c + v - 128))) for c in (r, g, b)])


def _serial_label(draw, box, serial, seed):
    """A white rating sticker: brand, model, a serial in small print, a barcode."""
    rng = random.Random(seed)
    x0, y0, x1, y1 = box
    draw.rounded_rectangle(box, 18, fill=(238, 238, 232), outline=(90, 90, 90), width=4)
    draw.text(
        (x0 + 40, y0 + 30),
        "HUAWEI  EchoLife HG8245H5",
        fill=(20, 20, 20),
        font=font(58, "DejaVuSans-Bold.ttf"),
    )
    lines = [
        f"S/N: {serial}",
        "MAC: 48:7B:6B:3C:9A:1F",
        "GPON ONT  12V ⎓ 1.5A",
        "Made in China  2025-11",
        "PON SN: 48575443A1B2C3D4",
    ]
    for i, line in enumerate(lines):
        draw.text((x0 + 40, y0 + 120 + i * 62), line, fill=(25, 25, 25), font=font(46, "DejaVuSansMono.ttf"))
    bx, by = x0 + 40, y1 - 150
    while bx < x1 - 60:
        width = rng.choice((4, 4, 8, 12))
        draw.rectangle((bx, by, bx + width, by + 110), fill=(15, 15, 15))
        bx += width + rng.choice((4, 8, 8, 12))


def ont_label(seed=1):
    img = _texture(SIZE, seed, (196, 198, 200), 40, 3)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((380, 300, 3650, 2720), 60, fill=(228, 229, 231), outline=(150, 150, 150), width=8)
    for i in range(6):  # vent slots
        draw.rounded_rectangle((600 + i * 460, 420, 900 + i * 460, 470), 20, fill=(120, 120, 125))
    label = (900, 900, 2700, 1800)
    _serial_label(draw, label, "48575443A1B2C3D4", seed)
    for i, led in enumerate(("POWER", "PON", "LOS", "LAN1", "LAN2", "WLAN")):
        x = 900 + i * 300
        draw.ellipse((x, 2150, x + 60, 2210), fill=(40, 200, 60) if i < 2 else (60, 60, 60))
        draw.text((x - 20, 2240), led, fill=(50, 50, 50), font=font(40))
    return _camera(img, seed), label


def printed_form(seed=2):
    img = _texture(SIZE, seed, (150, 120, 90), 50, 2)  # a wooden table
    paper = Image.new("RGB", (2700, 2900), (246, 245, 240))
    draw = ImageDraw.Draw(paper)
    draw.text(
        (120, 90),
        "АКТ приёмки оборудования / Жабдықты қабылдау актісі",
        fill=(10, 10, 10),
        font=font(62, "DejaVuSans-Bold.ttf"),
    )
    rng = random.Random(seed)
    rows = [
        "Учреждение: КГУ «Средняя школа №17»",
        "Адрес: Жамбылская обл., Таласский р-н, с. Ойык",
        "Оборудование: ONT HG8245H5, S/N 48575443A1B2C3D4",
        "Скорость: ↓ 94,3 Мбит/с  ↑ 48,7 Мбит/с",
        "Затухание: −19,6 дБм на 1490 нм",
        "Дата: 01.12.2026  14:35 (UTC+5)",
    ]
    for i, row in enumerate(rows):
        draw.text((120, 260 + i * 90), row, fill=(20, 20, 20), font=font(48))
    top = 860
    for r in range(12):  # a table of readings
        y = top + r * 120
        draw.line((120, y, 2580, y), fill=(40, 40, 40), width=3)
        for c, x in enumerate((120, 800, 1500, 2580)):
            draw.line((x, top, x, top + 11 * 120), fill=(40, 40, 40), width=3)
            if r < 11 and c < 3:
                text = f"{rng.randint(1, 48)}-{rng.randint(1, 12)}  {rng.uniform(-28, -12):.1f}".replace(
                    ".", ","
                )
                draw.text(
                    (x + 30, y + 30),
                    text if r else ("Порт", "Волокно", "дБм")[c],
                    fill=(25, 25, 25),
                    font=font(46),
                )
    draw.text(
        (120, 2400),
        "Подпись техника: ____________   Подпись директора: ____________",
        fill=(20, 20, 20),
        font=font(46),
    )
    for i in range(40):  # a handwritten signature
        draw.line(
            (700 + i * 14, 2380 - int(30 * ((i * 7) % 5)), 714 + i * 14, 2390 - int(25 * ((i * 3) % 4))),
            fill=(20, 30, 120),
            width=5,
        )
    paper = paper.rotate(4, expand=True, fillcolor=(0, 0, 0), resample=Image.Resampling.BICUBIC)
    mask = Image.new("L", (2700, 2900), 255).rotate(4, expand=True, resample=Image.Resampling.BICUBIC)
    img.paste(paper, (600, 20), mask)
    return _camera(img, seed), (720, 250, 3300, 800)


def splice_cables(seed=3):
    img = _texture(SIZE, seed, (70, 72, 78), 60, 2)
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((700, 500, 3300, 2600), 80, fill=(30, 30, 34), outline=(10, 10, 10), width=10)
    rng = random.Random(seed)
    colours = [
        (0, 90, 200),
        (240, 130, 0),
        (30, 160, 50),
        (140, 80, 30),
        (140, 140, 140),
        (245, 245, 245),
        (210, 20, 20),
        (20, 20, 20),
        (250, 220, 0),
        (150, 60, 170),
        (250, 120, 170),
        (0, 200, 200),
    ]
    for i, colour in enumerate(colours):  # twelve fibres looping into the tray
        points = []
        for t in range(60):
            x = 900 + t * 38
            y = 900 + i * 110 + int(120 * ((t / 60) ** 2) * (1 if i % 2 else -1)) + rng.randint(-2, 2)
            points.append((x, y))
        draw.line(points, fill=colour, width=22, joint="curve")
        draw.line([(x, y - 6) for x, y in points], fill=tuple(min(255, c + 70) for c in colour), width=5)
    for i in range(12):
        draw.text(
            (3080, 880 + i * 110), f"{i + 1:02d}", fill=(230, 230, 230), font=font(40, "DejaVuSansMono.ttf")
        )
    tag = (2350, 2250, 3250, 2520)
    draw.rectangle(tag, fill=(250, 250, 245))
    draw.text((2380, 2280), "МУФТА М-17  ЛОТОК 2", fill=(10, 10, 10), font=font(52, "DejaVuSans-Bold.ttf"))
    draw.text((2380, 2380), "кабель ОКГ-12 / 48 ОВ", fill=(10, 10, 10), font=font(48))
    return _camera(img, seed), tag


def rack_ports(seed=4):
    img = _texture(SIZE, seed, (40, 42, 46), 30, 2)
    draw = ImageDraw.Draw(img)
    for unit in range(5):
        y = 300 + unit * 500
        draw.rectangle((250, y, 3780, y + 420), fill=(58, 60, 64), outline=(20, 20, 20), width=6)
        draw.text((300, y + 20), f"OLT-MA5800  SLOT {unit + 1}  GPBD", fill=(220, 220, 220), font=font(38))
        for port in range(16):
            x = 400 + port * 205
            draw.rectangle(
                (x, y + 120, x + 140, y + 260), fill=(15, 15, 15), outline=(150, 150, 150), width=3
            )
            draw.text((x + 30, y + 290), f"{port}", fill=(230, 230, 230), font=font(36))
            if (port + unit) % 3:
                draw.line((x + 70, y + 190, x + 70 + (port - 8) * 10, y + 480), fill=(240, 200, 0), width=16)
    label = (400, 320, 2100, 400)
    return _camera(img, seed), label


def wall_box(seed=5):
    rng = random.Random(seed)
    img = Image.new("RGB", SIZE, (180, 175, 168))
    draw = ImageDraw.Draw(img)
    for row in range(0, SIZE[1], 130):  # bricks, every one a little different
        offset = 0 if (row // 130) % 2 else 180
        for col in range(-offset, SIZE[0], 360):
            shade = rng.randint(-25, 25)
            draw.rectangle(
                (col + 6, row + 6, col + 354, row + 124), fill=(150 + shade, 70 + shade // 2, 50 + shade // 3)
            )
    grain = _texture(SIZE, seed, (128, 128, 128), 70, 1)
    img = ImageChops.overlay(img, grain)
    draw = ImageDraw.Draw(img)
    draw.rectangle((1500, 900, 2600, 2300), fill=(225, 225, 220), outline=(120, 120, 120), width=8)
    draw.text((1580, 980), "ТОО «КазТрансКом»", fill=(200, 0, 0), font=font(60, "DejaVuSans-Bold.ttf"))
    draw.text((1580, 1080), "Оптический распределительный", fill=(30, 30, 30), font=font(44))
    draw.text((1580, 1140), "шкаф ШКОН-16  №  KZ-31-0427", fill=(30, 30, 30), font=font(44))
    draw.text((1580, 1220), "⚡ Не открывать без допуска", fill=(30, 30, 30), font=font(44))
    draw.line((2000, 2300, 2050, 3024), fill=(20, 20, 20), width=30)
    draw.line((2200, 2300, 2400, 3024), fill=(240, 240, 240), width=20)
    return _camera(img, seed, grain=4.0), (1560, 960, 2560, 1290)


SCENES = {
    "ont_label": ont_label,
    "printed_form": printed_form,
    "splice_cables": splice_cables,
    "rack_ports": rack_ports,
    "wall_box": wall_box,
}


def render():
    """{name: (photo at camera size, the scene without grain, box of its smallest text)}."""
    return {name: (*photo, box) for name, (photo, box) in ((n, s()) for n, s in SCENES.items())}
