"""Importing sites from CSV: validate every row, then import all of them or none.

Messages are English templates marked with N_ so the web layer can translate them; the
CLI prints them as they are.
"""

import csv
import io
import math
import re
import unicodedata

from fieldapp import clock
from fieldapp import installations
from fieldapp import places
from fieldapp import profiles
from fieldapp import spreadsheet
from fieldapp import store

REQUIRED = ("region", "district", "kato", "settlement", "type", "name_ru", "lat", "lon")
OPTIONAL = (
    "district_kk",
    "settlement_kk",
    "name_kk",
    "bin",
    "address",
    "pupils",
    "down_mbps",
    "up_mbps",
    "contract",
)
# Kazakhstan's extent, with a little margin: a coordinate outside is a typo or swapped lat/lon.
LAT_RANGE = (40.5, 55.5)
LON_RANGE = (46.4, 87.4)
# Free-text columns: what a spreadsheet shows and an export writes back out.
TEXT_COLUMNS = ("district", "district_kk", "settlement", "settlement_kk", "name_ru", "name_kk",
                "address", "contract")
# Excel writes ";" where the decimal separator is a comma (Russian and Kazakh settings).
SEPARATORS = (",", ";", "\t")
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
MAX_PUPILS = 100_000  # the largest school has a few thousand; 10**30 would overflow SQLite


def N_(text):
    """Mark a message for translation without translating it here."""
    return text


class Problem(dict):
    """One bad value: line number, column, and a message template with its parameters."""

    def text(self, translate=N_):
        return translate(self["message"]) % self["params"]


def decode(raw):
    """The text of an uploaded file: UTF-8 (with or without a BOM), else Windows-1251, what
    Excel saves as plain "CSV" on Russian Windows. UnicodeDecodeError for anything else: NUL
    bytes outside UTF-8 mean UTF-16 or no text at all, and cp1251 would read them as letters."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if b"\x00" in raw:
            at = raw.index(b"\x00")
            raise UnicodeDecodeError("cp1251", raw, at, at + 1, "NUL byte: not a text file") from None
        return raw.decode("cp1251")  # fails only on byte 0x98


def separator(text):
    """The separator that makes the first line name the most required columns (comma on a tie).

    Header-based rather than csv.Sniffer: names full of commas fool the sniffer, and a header
    is what we know the file must have.
    """
    first = text.split("\n", 1)[0]

    def named(sep):
        return len(set(REQUIRED) & {h.strip() for h in next(csv.reader([first], delimiter=sep), [])})

    return max(SEPARATORS, key=named)


def text_problem(value):
    """(message, params but `col`) when free text must not be stored, else None: a formula a
    spreadsheet would run when the list is exported and opened, or a control character (NUL,
    line break, bidi override) that breaks exports and hides what a name says."""
    if any(unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS for c in value):
        return N_("%(col)s contains a control character (such as a NUL byte or a line break)"), {}
    if value.startswith(spreadsheet.FORMULA_STARTS):
        message = N_("%(col)s must not start with %(v)s: a spreadsheet would run it as a formula")
        return message, {"v": value[0]}
    return None


def parse(db, text):
    """Read CSV text; return (rows ready to import, problems). Nothing is written."""
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text), delimiter=separator(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems = [_problem(1, "", N_("missing columns: %(cols)s"), cols=", ".join(missing))]
        if len(header) <= 1:
            problems.append(_problem(1, "", N_("the first line must name the columns, separated by "
                                                "commas, semicolons or tabs")))
        return [], problems
    regions = places.region_lookup(db)
    rows, problems, seen = [], [], {}
    for line, raw in enumerate(reader, start=2):
        values = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        row, row_problems = _validate(values, line, regions)
        row_problems += _duplicates(db, row, line, seen) if not row_problems else []
        problems += row_problems
        rows.append(row)
    if not rows and not problems:
        problems.append(_problem(1, "", N_("the file has no data rows")))
    return rows, problems


def _problem(line, column, message, **params):
    return Problem(line=line, column=column, message=message, params=params)


def _validate(values, line, regions):
    """Check one row's values; return the cleaned row and its problems."""
    problems = []
    for column in REQUIRED:
        if not values.get(column):
            problems.append(_problem(line, column, N_("%(col)s is required"), col=column))
    if problems:
        return None, problems
    row = {k: values.get(k, "") for k in REQUIRED + OPTIONAL}
    row["line"] = line
    for column in TEXT_COLUMNS:
        found = text_problem(row[column])
        if found:
            problems.append(_problem(line, column, found[0], col=column, **found[1]))
    row["region_id"] = regions.get(row["region"].lower())
    if row["region_id"] is None:
        problems.append(_problem(line, "region", N_("unknown oblast %(v)r"), v=row["region"]))
    if not re.fullmatch(r"[0-9]{9}", row["kato"]):
        problems.append(_problem(line, "kato", N_("KATO must be 9 digits, got %(v)r"), v=row["kato"]))
    if row["bin"] and not re.fullmatch(r"[0-9]{12}", row["bin"]):
        problems.append(_problem(line, "bin", N_("BIN must be 12 digits, got %(v)r"), v=row["bin"]))
    if row["type"] not in profiles.INSTITUTION_TYPES:
        problems.append(_problem(line, "type", N_("unknown institution type %(v)r"), v=row["type"]))
    problems += _numbers(row, line)
    return row, problems


def _numbers(row, line):
    """Parse coordinates, pupils and contracted speeds in place; return their problems."""
    problems = []
    for column, (low, high) in (("lat", LAT_RANGE), ("lon", LON_RANGE)):
        value = _float(row[column])
        if value is None or not low <= value <= high:
            problems.append(
                _problem(
                    line,
                    column,
                    N_("%(col)s %(v)r is not inside Kazakhstan (%(lo)s to %(hi)s)"),
                    col=column,
                    v=row[column],
                    lo=low,
                    hi=high,
                )
            )
        row[column] = value
    if row["pupils"]:
        text = row["pupils"]  # ASCII digits only: int("²") raises, and str.isdigit() accepts it
        row["pupils"] = int(text) if re.fullmatch(r"[0-9]{1,9}", text) and int(text) <= MAX_PUPILS else None
        if row["pupils"] is None:
            problems.append(_problem(line, "pupils", N_("pupils must be a whole number")))
    for column in ("down_mbps", "up_mbps"):
        if row[column]:
            value = _float(row[column])
            if value is None or value <= 0:
                problems.append(_problem(line, column, N_("%(col)s must be a positive number"), col=column))
            row[column] = value
    return problems


def _float(text):
    """A decimal comma ("51,1234", as a ";" file from Excel has it) or point; no nan or inf."""
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _duplicates(db, row, line, seen):
    """A BIN, or a name within a settlement, already in the file or the database."""
    problems = []
    keys = [("bin", row["bin"])] if row["bin"] else []
    keys.append(("name", f"{row['kato']}|{row['name_ru'].casefold()}"))
    for kind, key in keys:
        if (kind, key) in seen:
            problems.append(_problem(line, kind, N_("duplicate of line %(other)d"), other=seen[(kind, key)]))
        seen[(kind, key)] = line
    if row["bin"] and store.scalar(db, "SELECT 1 FROM institutions WHERE bin = ?", [row["bin"]]):
        problems.append(_problem(line, "bin", N_("BIN %(v)s is already in the database"), v=row["bin"]))
    # Compared in Python: SQLite's lower() folds only ASCII, and these names are Cyrillic.
    names = """SELECT i.name_ru FROM institutions i JOIN settlements s ON s.id = i.settlement_id
        WHERE s.kato = ?"""
    if any(n.casefold() == row["name_ru"].casefold() for (n,) in db.execute(names, [row["kato"]])):
        problems.append(
            _problem(line, "name_ru", N_("%(v)s already exists in this settlement"), v=row["name_ru"])
        )
    return problems


def import_rows(db, rows, default_contract=None, actor_id=None):
    """Write validated rows in one transaction; returns the number of institutions created."""
    profile_id = profiles.ensure_default(db)
    now = clock.now()
    with store.write(db):
        for row in rows:
            district = places.district_id(db, row["region_id"], row["district"], row["district_kk"] or None)
            settlement = places.settlement_id(
                db,
                district,
                row["kato"],
                row["settlement"],
                row["settlement_kk"] or None,
                row["lat"],
                row["lon"],
            )
            institution_id = db["institutions"].insert(_institution(row, settlement, now)).last_pk
            contract = row["contract"] or default_contract
            if contract:
                installations.create(db, institution_id, contract, profile_id, actor_id=actor_id)
    return len(rows)


def _institution(row, settlement, now):
    return {
        "settlement_id": settlement,
        "type": row["type"],
        "name_ru": row["name_ru"],
        "name_kk": row["name_kk"] or row["name_ru"],
        "bin": row["bin"] or None,
        "address": row["address"],
        "lat": row["lat"],
        "lon": row["lon"],
        "pupils": row["pupils"] or None,
        "contracted_down_mbps": row["down_mbps"] or None,
        "contracted_up_mbps": row["up_mbps"] or None,
        "created_at": now,
        "updated_at": now,
    }
