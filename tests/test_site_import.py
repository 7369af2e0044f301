"""site_import.py: formulas and control characters refused per line; Excel's ';' and cp1251 files accepted."""

import csv
import io

import pytest

from fieldapp import site_import

COLUMNS = ["region", "district", "kato", "settlement", "type", "name_ru", "lat", "lon", "address"]
ROW = {"region": "KZ-31", "district": "Жуалынский район", "kato": "314000101", "settlement": "Кошкарата",
       "type": "school", "name_ru": "Средняя школа №1", "lat": "42.7712", "lon": "70.9021",
       "address": "ул. Абая 12"}


def _csv(sep=",", **values):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerows([COLUMNS, [{**ROW, **values}[c] for c in COLUMNS]])
    return out.getvalue()


@pytest.mark.parametrize("column", ["name_ru", "address", "settlement", "district"])
@pytest.mark.parametrize("value", ['=HYPERLINK("http://evil.example","Школа")', "+SUM(1,1)", "-2+3",
                                   "@SUM(A1)", "=1+1"])
def test_formula_cells_are_refused_with_their_line(db, column, value):
    """Issue 14 item 16: =HYPERLINK(…) and +SUM(1,1) were imported as names."""
    rows, problems = site_import.parse(db, _csv(**{column: value}))
    assert [(p["line"], p["column"]) for p in problems] == [(2, column)]
    assert "a spreadsheet would run it as a formula" in problems[0].text()
    assert value[0] in problems[0].text()


@pytest.mark.parametrize("value", ["Школа\x00№1", "Школа\x1b[31m", "Школа\x7f", "Шко\u202eла", "Школа\r\n№1",
                                   "Шко\x0cла"])
def test_control_characters_are_refused(db, value):
    """A name with a NUL byte was offered for import."""
    rows, problems = site_import.parse(db, _csv(name_ru=value))
    assert [(p["line"], p["column"]) for p in problems] == [(2, "name_ru")]
    assert "control character" in problems[0].text()


@pytest.mark.parametrize("value", ["Школа №1 — «Балапан»", "Школа (2-я)", "ФАП, село Ақтөбе", "5-я школа"])
def test_ordinary_names_still_import(db, value):
    rows, problems = site_import.parse(db, _csv(name_ru=value))
    assert problems == [] and rows[0]["name_ru"] == value


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: text.encode("utf-8-sig"),
    lambda text: text.encode("cp1251"),
], ids=["utf-8", "utf-8 with BOM", "cp1251"])
@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_excel_separators_encodings_and_decimal_commas(db, encode, sep):
    """Excel with Russian or Kazakh settings writes ';' and decimal commas; plain "CSV" is cp1251."""
    comma = sep != ","
    text = _csv(sep, lat="42,7712" if comma else "42.7712", lon="70,9021" if comma else "70.9021",
                name_ru="Школа №1, «Балапан»")
    rows, problems = site_import.parse(db, site_import.decode(encode(text)))
    assert problems == []
    assert (rows[0]["lat"], rows[0]["lon"], rows[0]["name_ru"]) == (42.7712, 70.9021, "Школа №1, «Балапан»")


def test_a_header_with_no_known_separator_says_how_to_separate(db):
    rows, problems = site_import.parse(db, "|".join(COLUMNS) + "\n" + "|".join(ROW.values()) + "\n")
    texts = [p.text() for p in problems]
    assert texts[0].startswith("missing columns") and "semicolons" in texts[1]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e400"])
def test_coordinates_that_are_no_number_are_refused(db, value):
    rows, problems = site_import.parse(db, _csv(lat=value))
    assert [p["column"] for p in problems] == ["lat"]


def test_upload_of_a_semicolon_cp1251_file_previews_cleanly(client, admin):
    data = {"csv_file": (io.BytesIO(_csv(";", lat="42,7712").encode("cp1251")), "sites.csv")}
    response = client.post("/admin/import", data=data, content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import all 1 rows" in page or "Import all 1" in page, page[:2000]


def test_the_edit_form_refuses_what_the_importer_refuses(client, admin, make, db):
    site = make.institution(name_ru="Школа")
    data = {"type": "school", "name_ru": "=HYPERLINK(\"http://x\")", "lat": "42.9", "lon": "71.4"}
    page = client.post(f"/admin/sites/{site}", data=data).get_data(as_text=True)
    assert "a spreadsheet would run it as a formula" in page
    assert db["institutions"].get(site)["name_ru"] == "Школа"
