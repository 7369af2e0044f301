"""spreadsheet.py: the one CSV writer, for Excel with Kazakh or Russian settings (';', decimal comma)."""

import csv
import io

import pytest

from fieldapp import spreadsheet


@pytest.mark.parametrize("value, cell", [
    ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
    ("+7 701 000 00 00", "'+7 701 000 00 00"),
    ("-1+2", "'-1+2"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("Муфта 1", "Муфта 1"),
    (-0.05, -0.05),
    (None, None),
])
def test_text_never_becomes_a_formula(value, cell):
    """Review L1: technician text starting with = + - @ ran as a formula in Excel."""
    assert spreadsheet.as_text(value) == cell


@pytest.mark.parametrize("value, cell", [
    (0.05, "0,05"),
    (-0.05, "-0,05"),  # a number, not text: no apostrophe
    (42.7712, "42,7712"),
    (100.0, "100,0"),
    (1e-05, "0,00001"),
    (1.5e16, "15000000000000000"),
    (3, 3),
    (0, 0),
    ("1.5", "1.5"),
    ("2026-11-20T10:00:00.000Z", "2026-11-20T10:00:00.000Z"),
    ("c4e6e566-7edf-4581-938a-bb9e2ed17424", "c4e6e566-7edf-4581-938a-bb9e2ed17424"),
    ("ont:HG8245H:4857544312345678", "ont:HG8245H:4857544312345678"),
    ("", ""),
    (None, None),
])
def test_only_floats_get_a_decimal_comma(value, cell):
    assert spreadsheet.cell(value) == cell


def test_csv_text_is_utf8_bom_semicolons_crlf_with_csv_quoting():
    rows = [
        {"id": "c4e6e566-7edf", "name": "Школа; №1, «Балапан»", "loss_db": 0.05, "count": 2,
         "note": '1.5 "dB"'},
        {"id": "x", "name": "=1+1", "loss_db": None, "count": 0, "note": "two\nlines"},
    ]
    text = spreadsheet.csv_text(rows)
    assert text.startswith("\ufeffid;name;loss_db;count;note\r\n")
    assert '"Школа; №1, «Балапан»";0,05;2;"1.5 ""dB"""\r\n' in text
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert parsed == [
        ["id", "name", "loss_db", "count", "note"],
        ["c4e6e566-7edf", "Школа; №1, «Балапан»", "0,05", "2", '1.5 "dB"'],
        ["x", "'=1+1", "", "0", "two\nlines"],
    ]


def test_columns_choose_and_order_the_cells():
    text = spreadsheet.csv_text([{"b": 1.5, "a": "x", "extra": "left out"}], ["a", "b"])
    assert text == "\ufeffa;b\r\nx;1,5\r\n"


def test_no_rows_give_a_header_only_when_the_columns_are_known():
    assert spreadsheet.csv_text([]) == "\ufeff"
    assert spreadsheet.csv_text([], ["a", "b"]) == "\ufeffa;b\r\n"
