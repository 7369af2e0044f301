"""QR label sheets: the right pages, every label decodes back to its tag, sizes the standards ask for."""

import io
import re
import weakref
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image

from fieldapp import labels
from fieldapp import tags

KEYS = {1: "test-tag-key-1"}
PREFIX = "HTTPS://FIELDAPP.KZ/T/"


def _label(n, outdoor=False, name="Фельдшерско-акушерский пункт села Шолаккорган"):
    code = tags.encode(KEYS, f"{n:08d}", 1)
    return {
        "institution_id": n,
        "code": code,
        "url": tags.url(PREFIX, code),
        "human": tags.human(code),
        "name": name,
        "village": "Шолаққорған",
        "outdoor": outdoor,
    }


def _slot_of(result, layout):
    """Which label slot (row-major) a decoded code's centre falls in."""
    xs = [p.x for p in (result.position.top_left, result.position.bottom_right)]
    ys = [p.y for p in (result.position.top_left, result.position.bottom_right)]
    x_mm, y_mm = sum(xs) / 2 * 25.4 / labels.DPI, sum(ys) / 2 * 25.4 / labels.DPI
    col = int((x_mm - layout.left) // (layout.width + layout.gap_x))
    row = int((y_mm - layout.top) // (layout.height + layout.gap_y))
    return row * layout.cols + col


@pytest.mark.parametrize(
    ("count", "layout_key", "pages"), [(45, "L7160", 3), (14, "L7163", 1), (9, "L7165", 2)]
)
def test_sheet_pdf_has_the_right_pages_and_every_label_decodes_in_place(count, layout_key, pages, tmp_path):
    """Decoded from the PDF itself, rendered back at 300 dpi by PDFium: what the printer gets."""
    items = [_label(n, outdoor=n % 4 == 0) for n in range(count)]
    path, done = tmp_path / "labels.pdf", []
    labels.write_pdf(items, layout_key, path, progress=done.append)
    assert done[-1] == count
    document = pdfium.PdfDocument(path)
    assert len(document) == pages
    layout = labels.LAYOUTS[layout_key]
    for number, page in enumerate(document):
        assert [round(side * 25.4 / 72) for side in page.get_size()] == [210, 297]  # A4, in mm
        image = page.render(scale=labels.DPI / 72).to_pil()
        expected = items[number * layout.per_page : (number + 1) * layout.per_page]
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert sorted(r.text for r in found) == sorted(i["url"] for i in expected)
        for result in found:
            item = expected[_slot_of(result, layout)]
            assert result.text == item["url"]
            assert tags.verify(KEYS, result.text) == item["code"][:8]
            assert result.ec_level == ("H" if item["outdoor"] else "Q")


def test_a_sheet_longer_than_a_chunk_keeps_every_page_in_order(tmp_path, monkeypatch):
    """Pages are appended to the file a chunk at a time; none may be lost or reordered."""
    monkeypatch.setattr(labels, "CHUNK_PAGES", 2)
    items = [_label(n) for n in range(5 * 21 + 1)]  # 6 pages: three chunks
    path, done = tmp_path / "labels.pdf", []
    labels.write_pdf(items, "L7160", path, progress=done.append)
    assert done == [21, 42, 63, 84, 105, 106]  # after each page drawn
    document = pdfium.PdfDocument(path)
    assert len(document) == 6
    for number in (0, 3, 5):
        image = document[number].render(scale=labels.DPI / 72).to_pil()
        found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        expected = items[number * 21 : (number + 1) * 21]
        assert sorted(r.text for r in found) == sorted(i["url"] for i in expected)


def test_no_page_image_outlives_its_chunk(tmp_path, monkeypatch):
    """A page is 8.7 MB in memory (Pillow keeps 1-bit images a byte per pixel): pages kept past
    their chunk took a national sheet to 1.6 GB."""
    monkeypatch.setattr(labels, "CHUNK_PAGES", 3)
    made, render_pages = [], labels.pages

    def pages(*args):
        sheets = render_pages(*args)
        made.extend(weakref.ref(sheet) for sheet in sheets)
        return sheets

    monkeypatch.setattr(labels, "pages", pages)
    labels.write_pdf([_label(n) for n in range(6 * 21)], "L7160", tmp_path / "labels.pdf")
    assert len(made) == 6 and [ref() for ref in made] == [None] * 6


def test_an_empty_selection_still_makes_a_printable_pdf(tmp_path):
    labels.write_pdf([], "L7160", tmp_path / "labels.pdf")
    assert len(pdfium.PdfDocument(tmp_path / "labels.pdf")) == 1


def test_avery_l7160_defaults():
    layout = labels.LAYOUTS[labels.DEFAULT_LAYOUT]
    assert (layout.width, layout.height, layout.cols, layout.rows) == (63.5, 38.1, 3, 7)
    assert (layout.left, layout.top, layout.gap_x, layout.gap_y) == (7.2, 15.1, 2.5, 0)
    right = layout.left + layout.cols * layout.width + (layout.cols - 1) * layout.gap_x
    bottom = layout.top + layout.rows * layout.height
    assert right <= 210 and bottom <= 297


@pytest.mark.parametrize("layout_key", sorted(labels.LAYOUTS))
@pytest.mark.parametrize("outdoor", [False, True])
def test_modules_at_least_half_a_millimetre_with_a_four_module_quiet_zone(layout_key, outdoor):
    matrix = labels.qr_matrix(_label(1)["url"], outdoor)
    geo = labels.geometry(labels.LAYOUTS[layout_key], len(matrix))
    assert geo.module * 25.4 / labels.DPI >= 0.5
    quiet = labels.QUIET_ZONE
    assert all(not any(row) for row in matrix[:quiet] + matrix[-quiet:])
    assert all(not any(row[:quiet]) and not any(row[-quiet:]) for row in matrix)
    assert matrix[quiet][quiet]  # the finder pattern starts right after the quiet zone


def test_label_shows_name_village_and_human_id_in_cyrillic_and_kazakh():
    item = _label(7, name="Қазығұрт ауылының №2 орта мектебі")
    face = labels.font("name", 30)
    assert face.getbbox("Қ")[2] > 0 and "DejaVu" in face.getname()[0]
    lines = [
        text for _kind, _size, text in labels.label_text(item, labels.geometry(labels.LAYOUTS["L7160"], 37))
    ]
    assert " ".join(lines[:-1]).replace("… ", " ").startswith("Қазығұрт")
    assert lines[-1] == "Шолаққорған"
    assert item["human"] in labels.svg(item)


def test_long_names_wrap_at_hyphens_and_end_with_an_ellipsis():
    face = labels.font("name", 28)
    lines = labels.wrap("Фельдшерско-акушерский пункт " * 6, face, 300, 3)
    assert len(lines) == 3 and lines[0].endswith("-") and lines[-1].endswith("…")
    assert all(face.getlength(line) <= 300 for line in lines)


def test_single_label_png_decodes_and_svg_is_millimetre_sized():
    item = _label(3)
    image = Image.open(io.BytesIO(labels.png(item)))
    assert round(image.info["dpi"][0]) == 300
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [item["url"]]
    svg = labels.svg(item, "L7163")
    assert 'width="99.1mm"' in svg and 'height="38.1mm"' in svg and '<path d="M' in svg
    assert "&lt;" in labels.svg({**item, "name": "<b>"})  # names are escaped
    root = ET.fromstring(svg)  # well-formed XML
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts[-1] == item["human"] and "Шолаққорған" in texts


def test_for_selection_uses_active_tags_and_counts_untagged(db, make):
    tagged = make.institution(type="public_wifi")
    make.institution()
    make.institution(active=0)
    tags.issue(db, KEYS, tagged)
    found, untagged = labels.for_selection(db, KEYS, PREFIX, {}, "kk")
    assert [item["institution_id"] for item in found] == [tagged]
    assert found[0]["outdoor"] and found[0]["name"].startswith("Мекеме")
    assert untagged == 1


def test_a_districts_sheet_is_made_in_the_background(app, client, auth, db, make, finished_job):
    make.user("admin", username="boss")
    ids = [make.institution(region="KZ-31") for _ in range(22)] + [
        make.institution(region="KZ-55", lat=52.3, lon=76.9)
    ]
    tags.issue_missing(db, app.config["TAG_KEYS"])
    district = db.execute(
        "SELECT district_id FROM settlements s JOIN institutions i ON i.settlement_id = s.id WHERE i.id = ?",
        [ids[0]],
    ).fetchone()[0]
    auth.login("boss")
    page = client.get(f"/admin/labels?district_id={district}").get_data(as_text=True)
    assert "Labels: 22 · A4 sheets: 2" in page
    chosen = {"district_id": district, "layout": "L7160", "language": "ru"}
    made = client.post("/admin/labels/sheets", data=chosen)
    sheet_url = made.headers["Location"]
    ready = {"state": "ready", "done": 22, "total": 22, "message": "22 labels are ready."}
    assert finished_job(sheet_url) == ready
    ready_page = client.get(sheet_url).get_data(as_text=True)
    assert "Download PDF" in ready_page and re.search(r"\b\d+ KB\b", ready_page)  # not "0.0 MB"
    response = client.get(f"{sheet_url}/file")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert len(pdfium.PdfDocument(response.data)) == 2
    single = client.get(f"/admin/sites/{ids[0]}/label.png")
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(single.data)))
    assert decoded[0].text == tags.url(
        app.config["TAG_URL_PREFIX"], tags.active_code(db, app.config["TAG_KEYS"], ids[0])
    )
