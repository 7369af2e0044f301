"""Command-line tools: init-db, create-user, import-sites, demo-data."""

import pathlib

import pytest

from fieldapp import store

SAMPLE = pathlib.Path(__file__).parent.parent / "docs" / "sample-sites.csv"
HEADER = "region,district,kato,settlement,type,name_ru,lat,lon,bin,pupils\n"


def write_csv(tmp_path, body, header=HEADER):
    path = tmp_path / "sites.csv"
    path.write_text(header + body, encoding="utf-8")
    return str(path)


def test_init_db_twice_keeps_data(runner, db, make):
    make.user(username="keep")
    assert "Schema up to date" in runner.invoke(args=["init-db"]).output
    result = runner.invoke(args=["init-db"])
    assert "0 migration(s) applied" in result.output
    assert store.scalar(db, "SELECT COUNT(*) FROM users WHERE username = 'keep'") == 1


def test_create_user(runner, db):
    result = runner.invoke(
        args=["create-user", "aigul", "--role", "supervisor", "--region", "KZ-31", "--name", "Aigul"],
        input="s3cret\ns3cret\n",
    )
    assert result.exit_code == 0, result.output
    user = store.one(db, "SELECT * FROM users WHERE username = 'aigul'")
    assert user["role"] == "supervisor"
    assert store.scalar(db, "SELECT COUNT(*) FROM user_regions WHERE user_id = ?", [user["id"]]) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-user", "x", "--region", "KZ-99"], "unknown region"),
        (["create-user", "x", "--role", "boss"], "Invalid value"),
    ],
)
def test_create_user_refuses(runner, args, message):
    result = runner.invoke(args=args, input="pw\npw\n")
    assert result.exit_code != 0
    assert message in result.output


def test_import_sample(runner, db):
    result = runner.invoke(args=["import-sites", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "Imported 4" in result.output
    assert db["institutions"].count == 4
    assert db["installations"].count == 4
    # The pre-2022 name "South Kazakhstan" lands in Turkistan.
    region = store.scalar(
        db,
        """SELECT r.iso_code FROM institutions i JOIN settlements s ON s.id = i.settlement_id
        JOIN districts d ON d.id = s.district_id JOIN regions r ON r.id = d.region_id
        WHERE i.type = 'hospital'""",
    )
    assert region == "KZ-61"
    # Two institutions share one settlement.
    assert db["settlements"].count == 3


BAD_ROWS = [
    ("KZ-31,Д,314000101,С,school,Школа,42.7,70.9,,10", None),  # line 2: good
    ("KZ-99,Д,314000102,С,school,Школа 2,42.7,70.9,,", "unknown oblast"),
    ("KZ-31,Д,31400,С,school,Школа 3,42.7,70.9,,", "KATO must be 9 digits"),
    ("KZ-31,Д,314000104,С,castle,Замок,42.7,70.9,,", "unknown institution type"),
    ("KZ-31,Д,314000105,С,school,Школа 5,12.0,70.9,,", "not inside Kazakhstan"),
    ("KZ-31,Д,314000101,С,school,Школа,42.7,70.9,,", "duplicate of line 2"),
    ("KZ-31,Д,314000107,С,school,,42.7,70.9,,", "name_ru is required"),
    ("KZ-31,Д,314000108,С,school,Школа 8,42.7,70.9,12345,", "BIN must be 12 digits"),
    ("KZ-31,Д,314000109,С,school,Школа 9,42.7,70.9,,many", "pupils must be a whole number"),
]


def test_import_with_bad_rows_imports_nothing(runner, db, tmp_path):
    path = write_csv(tmp_path, "\n".join(row for row, _ in BAD_ROWS) + "\n")
    result = runner.invoke(args=["import-sites", path])
    assert result.exit_code != 0
    assert "nothing was imported" in result.output
    for line, (_, message) in enumerate(BAD_ROWS, start=2):
        if message:
            assert f"line {line}" in result.output and message in result.output, (line, message)
    assert "line 2 " not in result.output and "line 2:" not in result.output
    assert db["institutions"].count == 0
    assert db["settlements"].count == 0


def test_import_missing_columns(runner, tmp_path):
    path = write_csv(tmp_path, "KZ-31,Школа\n", header="region,name_ru\n")
    result = runner.invoke(args=["import-sites", path])
    assert "missing columns" in result.output
    assert result.exit_code != 0


def test_import_refuses_duplicate_of_database(runner, db):
    assert runner.invoke(args=["import-sites", str(SAMPLE)]).exit_code == 0
    result = runner.invoke(args=["import-sites", str(SAMPLE)])
    assert result.exit_code != 0
    assert "already" in result.output
    assert db["institutions"].count == 4


def test_import_refuses_same_name_in_other_case(runner, db, tmp_path):
    assert runner.invoke(args=["import-sites", str(SAMPLE)]).exit_code == 0
    path = write_csv(tmp_path, "KZ-31,Д,314000101,С,fap,СРЕДНЯЯ ШКОЛА №1 СЕЛА КОШКАРАТА,42.7,70.9,,\n")
    result = runner.invoke(args=["import-sites", path])
    assert "already exists in this settlement" in result.output
    assert db["institutions"].count == 4
