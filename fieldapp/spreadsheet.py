"""CSV for Excel as our admins and the state customer's clerks have it: Russian or Kazakh settings.

Excel opens a double-clicked CSV with the list separator and decimal separator of the
Windows locale. In kk-KZ and ru-RU these are ";" and ",", so a comma-separated file lands
in column A and 0.05 dB becomes a date or text. Every CSV download is therefore written
here, one way: UTF-8 with a BOM (without it Excel reads Cyrillic as cp1251), ";" between
cells, CRLF line ends, a decimal comma in floats (never in text, ids, times or integers),
quoting as the csv module does, and no cell that Excel would run as a formula.

Machines read the JSON beside these files (the packet) or our own importer, which takes ";"
and decimal commas (site_import), so nothing inside the app depends on the old commas.
"""

import csv
import decimal
import io
import math

SEPARATOR = ";"
# Excel and LibreOffice run a cell starting with one of these as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value):
    """A text cell a spreadsheet will not run: '=HYPERLINK(..)' typed in the field becomes text.

    A leading apostrophe makes Excel and LibreOffice show the rest as plain text. Anything
    that is not a str (numbers, None) is left as it is.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def decimal_comma(number):
    """A float as Excel in kk/ru reads a number: 0.05 -> "0,05", 1e-05 -> "0,00001".

    The shortest digits that give the float back (its repr), written out without an
    exponent, which Excel would not read as a number with a comma either.
    """
    if not math.isfinite(number):
        return str(number)
    digits = repr(number)
    if "e" in digits:
        digits = format(decimal.Decimal(digits), "f")
    return digits.replace(".", ",")


def cell(value):
    """One cell as it is written: floats with a decimal comma, text guarded against formulas."""
    if isinstance(value, float):
        return decimal_comma(value)
    return as_text(value)


def csv_text(rows, columns=None):
    """Dicts as CSV text with a header of `columns` (default: the first row's keys, in order;
    other keys are left out). No rows and no columns: just the BOM, an empty file for Excel."""
    out = io.StringIO()
    out.write("\ufeff")
    columns = list(columns if columns is not None else rows[0].keys() if rows else [])
    if columns:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                                delimiter=SEPARATOR, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows({key: cell(value) for key, value in row.items()} for row in rows)
    return out.getvalue()
