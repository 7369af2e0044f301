"""QR label sheets: A4 PDFs for common label stock, and single labels as PNG or SVG.

Pages are drawn as 1-bit images at 300 dpi, so Pillow writes them into the PDF with CCITT
compression (a sheet of 21 labels is a few tens of KB) and the QR edges stay sharp; no
PDF library needed. Tests render the PDF back with PDFium and decode every label.
"""

import functools
import gc
import io
import os
from dataclasses import dataclass
from xml.sax.saxutils import escape

import qrcode
from PIL import Image
from PIL import ImageDraw
from PIL import ImageFont
from qrcode.constants import ERROR_CORRECT_H
from qrcode.constants import ERROR_CORRECT_Q

from fieldapp import institutions
from fieldapp import tags

DPI = 300
A4_MM = (210.0, 297.0)
CHUNK_PAGES = 8  # pages rendered and appended to the PDF at a time (about 1 MB each)
QUIET_ZONE = 4
MIN_MODULE_MM = 0.5
PADDING_MM = 1.5
# Outdoor labels get error correction H: weather and dirt damage more of the code.
OUTDOOR_TYPES = ("public_wifi", "border_checkpoint")
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
FONTS = {
    "name": "DejaVuSansCondensed-Bold.ttf",
    "text": "DejaVuSansCondensed.ttf",
    "id": "DejaVuSansMono-Bold.ttf",
}


@dataclass(frozen=True)
class Layout:
    """A label stock: label size, grid and the sheet margins, all in millimetres."""

    key: str
    title: str
    width: float
    height: float
    cols: int
    rows: int
    left: float
    top: float
    gap_x: float
    gap_y: float

    @property
    def per_page(self):
        return self.cols * self.rows


LAYOUTS = {
    layout.key: layout
    for layout in (
        Layout("L7160", "Avery L7160: 21 per sheet, 63.5 x 38.1 mm", 63.5, 38.1, 3, 7, 7.2, 15.1, 2.5, 0),
        Layout("L7163", "Avery L7163: 14 per sheet, 99.1 x 38.1 mm", 99.1, 38.1, 2, 7, 4.65, 15.15, 2.5, 0),
        Layout("L7165", "Avery L7165: 8 per sheet, 99.1 x 67.7 mm", 99.1, 67.7, 2, 4, 4.65, 13.1, 2.5, 0),
    )
}
DEFAULT_LAYOUT = "L7160"


def px(mm):
    """Millimetres to pixels at the sheet resolution."""
    return round(mm * DPI / 25.4)


@functools.cache
def _version(length, outdoor):
    """The smallest QR version for `length` alphanumeric characters: the same for every tag, so
    find it once (fitting each code again cost ~40 % of the encoding time)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_H if outdoor else ERROR_CORRECT_Q, mask_pattern=0)
    code.add_data(qrcode.util.QRData("A" * length, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=True)
    return code.version


def qr_matrix(data, outdoor=False):
    """The QR modules (True = dark) including the 4-module quiet zone; alphanumeric mode.

    The mask is still chosen by the standard's penalty rules (the slow part, ~8 evaluations),
    because a badly masked code reads worse from a phone camera.
    """
    code = qrcode.QRCode(
        version=_version(len(data), outdoor),
        error_correction=ERROR_CORRECT_H if outdoor else ERROR_CORRECT_Q,
        border=QUIET_ZONE,
    )
    code.add_data(qrcode.util.QRData(data, mode=qrcode.util.MODE_ALPHA_NUM))
    code.make(fit=False)
    return code.get_matrix()


def qr_image(matrix, module_px):
    """A 1-bit image of a QR matrix, each module `module_px` pixels square."""
    size = len(matrix)
    raw = bytes(0 if dark else 255 for row in matrix for dark in row)
    small = Image.frombytes("L", (size, size), raw)
    return small.resize((size * module_px, size * module_px), Image.NEAREST).convert("1")


@functools.cache
def font(kind, size):
    """DejaVu (Cyrillic and Kazakh letters) when installed, else Pillow's built-in font."""
    for folder in FONT_DIRS:
        path = os.path.join(folder, FONTS[kind])
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def wrap(text, face, width, max_lines):
    """Greedy word wrap to `width` pixels; the last line ends with an ellipsis if text remains."""
    words, lines, line = _pieces(text, face, width), [], ""
    while words:
        candidate = line + words[0] if line.endswith("-") else f"{line} {words[0]}".strip()
        if face.getlength(candidate) <= width:
            line = candidate
            words.pop(0)
        elif line:
            lines.append(line)
            line = ""
        else:  # one word wider than the label: cut it
            cut = max(
                1, next((n for n in range(len(words[0]), 0, -1) if face.getlength(words[0][:n]) <= width), 1)
            )
            lines.append(words[0][:cut])
            words[0] = words[0][cut:]
        if len(lines) == max_lines:
            break
    if line and len(lines) < max_lines:
        lines.append(line)
    if words or len(lines) > max_lines:
        lines = lines[:max_lines]
        while lines[-1] and face.getlength(lines[-1] + "…") > width:
            lines[-1] = lines[-1][:-1]
        lines[-1] += "…"
    return lines


def _pieces(text, face, width):
    """Words, with too-wide hyphenated ones split after their hyphens (Фельдшерско-|акушерский)."""
    pieces = []
    for word in text.split():
        if "-" in word.strip("-") and face.getlength(word) > width:
            parts = word.split("-")
            pieces += [part + "-" for part in parts[:-1]] + [parts[-1]]
        else:
            pieces.append(word)
    return pieces


@dataclass(frozen=True)
class Geometry:
    """Where things go on one label, in pixels: derived once per layout and error level."""

    width: int
    height: int
    module: int
    qr_size: int
    text_x: int
    text_width: int
    name_size: int
    id_size: int


def geometry(layout, modules):
    """Fit the QR into the label height (module >= 0.5 mm) and give the rest to the text."""
    width, height, pad = px(layout.width), px(layout.height), px(PADDING_MM)
    module = (height - 2 * pad) // modules
    if module < px(MIN_MODULE_MM):
        raise ValueError(f"{layout.key} is too small for a {modules}-module code")
    qr_size = module * modules
    text_x = pad + qr_size
    text_width = width - text_x - pad
    name_size = max(18, min(34, height // 16))
    id_size = min(round(name_size * 1.1), int(text_width / (len("XXXX-XXXX-XXXXXXX") * 0.62)))
    return Geometry(width, height, module, qr_size, text_x, text_width, name_size, id_size)


def label_text(label, geo):
    """The lines of a label: (font kind, size, text) for the name, the village and the ID."""
    name_face, text_face = font("name", geo.name_size), font("text", geo.name_size)
    room = geo.height - 2 * px(PADDING_MM) - 2 * geo.id_size
    max_name = max(1, room // int(geo.name_size * 1.2) - 1)
    lines = [("name", geo.name_size, t) for t in wrap(label["name"], name_face, geo.text_width, max_name)]
    lines += [("text", geo.name_size, t) for t in wrap(label["village"], text_face, geo.text_width, 1)]
    return lines


def render(label, layout):
    """One label as a 1-bit image: QR on the left, name, village and tag ID on the right."""
    matrix = qr_matrix(label["url"], label["outdoor"])
    geo = geometry(layout, len(matrix))
    image = Image.new("1", (geo.width, geo.height), 1)
    pad = px(PADDING_MM)
    image.paste(qr_image(matrix, geo.module), (pad, (geo.height - geo.qr_size) // 2))
    draw = ImageDraw.Draw(image)
    y = pad + geo.module * 2
    for kind, size, text in label_text(label, geo):
        draw.text((geo.text_x, y), text, font=font(kind, size), fill=0)
        y += int(size * 1.2)
    id_y = geo.height - pad - geo.module * 2 - geo.id_size
    draw.text((geo.text_x, id_y), label["human"], font=font("id", geo.id_size), fill=0)
    return image


def pages(labels, layout_key=DEFAULT_LAYOUT, placed=lambda count: None):
    """The A4 page images for a list of labels, filled row by row; `placed(count)` after each
    page with the labels drawn so far."""
    layout = LAYOUTS[layout_key]
    sheets = []
    for start in range(0, len(labels), layout.per_page):
        page = Image.new("1", (px(A4_MM[0]), px(A4_MM[1])), 1)
        on_page = labels[start : start + layout.per_page]
        for slot, label in enumerate(on_page):
            row, col = divmod(slot, layout.cols)
            x = px(layout.left + col * (layout.width + layout.gap_x))
            y = px(layout.top + row * (layout.height + layout.gap_y))
            page.paste(render(label, layout), (x, y))
        sheets.append(page)
        placed(start + len(on_page))
    return sheets


def write_pdf(labels, layout_key, path, progress=lambda done: None):
    """Write the label sheets to `path` as an A4 PDF at 300 dpi, CHUNK_PAGES pages at a time.

    Pages are appended to the file chunk by chunk (a PDF incremental update), so memory stays
    that of one chunk for any count: Pillow keeps a 1-bit page a byte per pixel (8.7 MB), and
    a national sheet held whole took 1.6 GB. `progress(labels_done)` is called after each
    page is drawn (drawing the QR codes is most of the time). 1-bit pages are stored
    CCITT-compressed.
    """
    per_chunk = LAYOUTS[layout_key].per_page * CHUNK_PAGES
    for start in range(0, max(len(labels), 1), per_chunk):
        chunk = labels[start : start + per_chunk]
        sheets = pages(chunk, layout_key, lambda count, start=start: progress(start + count))
        sheets = sheets or [_blank_page()]
        options = {"append": True} if start else {"title": "fieldapp QR labels"}
        sheets[0].save(path, "PDF", resolution=DPI, save_all=True, append_images=sheets[1:], **options)
        # Pillow's PDF writer leaves the appended pages in a reference cycle: freed only by a
        # full collection, which comes rarely, so without this every chunk stays in memory.
        del sheets
        gc.collect()


def _blank_page():
    return Image.new("1", (px(A4_MM[0]), px(A4_MM[1])), 1)


def png(label, layout_key=DEFAULT_LAYOUT):
    """One label as a 300 dpi PNG (for a label printer or a replacement)."""
    buffer = io.BytesIO()
    render(label, LAYOUTS[layout_key]).save(buffer, "PNG", dpi=(DPI, DPI))
    return buffer.getvalue()


def svg(label, layout_key=DEFAULT_LAYOUT):
    """One label as SVG in millimetres: the QR as one path, the text as text (scales for any printer)."""
    layout = LAYOUTS[layout_key]
    matrix = qr_matrix(label["url"], label["outdoor"])
    geo = geometry(layout, len(matrix))
    pad = px(PADDING_MM)
    top = (geo.height - geo.qr_size) // 2
    path = "".join(
        f"M{pad + x * geo.module} {top + y * geo.module}h{geo.module}v{geo.module}h-{geo.module}z"
        for y, row in enumerate(matrix)
        for x, dark in enumerate(row)
        if dark
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{layout.width}mm" height="{layout.height}mm" '
        f'viewBox="0 0 {geo.width} {geo.height}">',
        f'<rect width="{geo.width}" height="{geo.height}" fill="#fff"/>',
        f'<path d="{path}" fill="#000"/>',
    ]
    y = pad + geo.module * 2
    for kind, size, text in label_text(label, geo):
        weight = "bold" if kind == "name" else "normal"
        parts.append(_svg_text(geo.text_x, y + size, size, weight, "DejaVu Sans Condensed, sans-serif", text))
        y += int(size * 1.2)
    id_y = geo.height - pad - geo.module * 2
    parts.append(
        _svg_text(geo.text_x, id_y, geo.id_size, "bold", "DejaVu Sans Mono, monospace", label["human"])
    )
    parts.append("</svg>")
    return "\n".join(parts)


def _svg_text(x, y, size, weight, family, text):
    return (
        f'<text x="{x}" y="{y}" font-size="{size}" font-weight="{weight}" '
        f'font-family="{family}">{escape(text)}</text>'
    )


def make_label(keys, prefix, row, language="ru"):
    """Label content for an institution row with an active tag (tag_id, key_version, names, type)."""
    code = tags.encode(keys, row["tag_id"], row["key_version"])
    suffix = "kk" if language == "kk" else "ru"
    return {
        "institution_id": row["id"],
        "code": code,
        "url": tags.url(prefix, code),
        "human": tags.human(code),
        "name": row[f"name_{suffix}"],
        "village": row[f"settlement_{suffix}"],
        "outdoor": row["type"] in OUTDOOR_TYPES,
    }


def for_selection(db, keys, prefix, selection, language="ru"):
    """Labels for every active institution in a selection that has a tag; and how many have none."""
    condition, params = institutions.where(db, {**selection, "active": "1"})
    sql = f"""SELECT i.id, i.type, i.name_ru, i.name_kk, s.name_ru AS settlement_ru,
        s.name_kk AS settlement_kk, t.id AS tag_id, t.key_version
        {institutions.FROM}
        LEFT JOIN tags t ON t.institution_id = i.id AND t.revoked_at IS NULL
        WHERE {condition} ORDER BY {institutions.ORDER}"""
    rows = list(db.query(sql, params))
    tagged = [row for row in rows if row["tag_id"] and row["key_version"] in keys]
    return [make_label(keys, prefix, row, language) for row in tagged], len(rows) - len(tagged)
