"""The demo tells a true story: every status has field evidence and decisions behind it.

The demo is loaded once for the module (about half a minute) and every test reads it.
"""

import pytest

from fieldapp import create_app
from fieldapp import demo
from fieldapp import demo_evidence
from fieldapp import profiles
from fieldapp import store
from fieldapp.evidence import checks

DONE = ("submitted", "returned", "approved", "accepted")


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """An app whose database holds the whole demo, built as conftest's `app` is."""
    path = tmp_path_factory.mktemp("demo")
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "TAG_KEYS": {1: "test-tag-key-1"},
            "DATABASE": str(path / "demo.sqlite3"),
            "BLOB_DIR": str(path / "blobs"),
            "WTF_CSRF_ENABLED": False,
        }
    )
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    app.cli_output = result.output
    return app


@pytest.fixture(scope="module")
def demo_db(demo_app):
    connection = store.connect(demo_app.config["DATABASE"])
    yield connection
    connection.conn.close()


def installations_in(db, *statuses):
    marks = ",".join("?" * len(statuses))
    sql = f"""SELECT inst.id, inst.status, i.type FROM installations inst
        JOIN institutions i ON i.id = inst.institution_id WHERE inst.status IN ({marks}) ORDER BY inst.id"""
    return list(db.query(sql, statuses))


def test_same_status_mix_as_before(demo_db):
    counts = dict(demo_db.execute("SELECT status, COUNT(*) FROM installations GROUP BY status").fetchall())
    assert counts == {
        "planned": 95, "in_progress": 57, "submitted": 38, "returned": 19, "approved": 18, "accepted": 18,
    }


def test_command_reports_what_was_made(demo_app, demo_db):
    tables = ("splices", "scans", "notes", "speed_tests", "submissions", "equipment", "handovers")
    records = sum(demo_db[t].count for t in tables)
    expected = f"{records} records, {demo_db['photos'].count} photos, {demo_db['reviews'].count} reviews"
    assert expected in demo_app.cli_output


def test_demo_places_and_accounts(demo_db):
    oblasts = {row[0] for row in demo_db.execute("""SELECT DISTINCT r.iso_code FROM institutions i
        JOIN settlements s ON s.id = i.settlement_id JOIN districts d ON d.id = s.district_id
        JOIN regions r ON r.id = d.region_id""")}
    assert oblasts == {"KZ-31", "KZ-35", "KZ-43", "KZ-55", "KZ-15", "KZ-11", "KZ-61"}
    assert 200 <= demo_db["institutions"].count <= 300
    assert 55 <= demo_db["settlements"].count <= 70
    users = {row[0] for row in demo_db.execute("SELECT username FROM users")}
    assert users >= {"tech", "tech2", "super", "admin"}
    active_tags = store.scalar(demo_db, "SELECT COUNT(*) FROM tags WHERE revoked_at IS NULL")
    assert active_tags == demo_db["institutions"].count


def test_demo_data_if_empty_keeps_what_is_there(demo_app, demo_db):
    before = demo_db["institutions"].count
    result = demo_app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert "not loaded" in result.output
    assert demo_db["institutions"].count == before


def test_planned_installations_have_nothing(demo_db):
    sql = """SELECT COUNT(*) FROM installations inst WHERE inst.status = 'planned' AND (
        EXISTS (SELECT 1 FROM splices s WHERE s.installation_id = inst.id)
        OR EXISTS (SELECT 1 FROM photos p WHERE p.installation_id = inst.id))"""
    assert store.scalar(demo_db, sql) == 0


def test_every_started_installation_has_a_matched_scan_and_splices(demo_db):
    for inst in installations_in(demo_db, "in_progress", *DONE):
        matched = store.scalar(
            demo_db, "SELECT COUNT(*) FROM scans WHERE installation_id = ? AND matched = 1", [inst["id"]]
        )
        fibers = [r[0] for r in demo_db.execute(
            "SELECT a_fiber FROM splices WHERE installation_id = ? ORDER BY a_fiber", [inst["id"]])]
        assert matched == 1, inst
        assert fibers == list(range(1, len(fibers) + 1)) and len(fibers) >= 4, inst
        if inst["status"] != "in_progress":
            assert len(fibers) == 12


def test_submitted_and_later_have_every_shot_a_speed_test_and_a_submission(demo_db):
    rules = profiles.DEFAULT_RULES
    for inst in installations_in(demo_db, *DONE):
        shots = {r[0] for r in demo_db.execute(
            "SELECT shot FROM photos WHERE installation_id = ? AND status = 'complete'", [inst["id"]])}
        assert shots == {*profiles.required_shots(rules, inst["type"]), "equipment_label"}, inst
        for table in ("submissions", "speed_tests", "equipment", "handovers"):
            sql = f"SELECT COUNT(*) FROM {table} WHERE installation_id = ?"
            assert store.scalar(demo_db, sql, [inst["id"]]) == 1, (table, inst)
    assert store.scalar(demo_db, "SELECT COUNT(*) FROM photos WHERE status != 'complete'") == 0


def test_in_progress_has_only_part_of_the_work(demo_db):
    for inst in installations_in(demo_db, "in_progress"):
        for table in ("submissions", "speed_tests"):
            sql = f"SELECT COUNT(*) FROM {table} WHERE installation_id = ?"
            assert store.scalar(demo_db, sql, [inst["id"]]) == 0
        sql = "SELECT COUNT(*) FROM photos WHERE installation_id = ?"
        assert store.scalar(demo_db, sql, [inst["id"]]) <= 3


def test_splice_losses_are_realistic(demo_db):
    rows = list(demo_db.query("SELECT * FROM splices"))
    averages = [(r["loss_1310_ab"] + r["loss_1310_ba"]) / 2 for r in rows]
    gainers = sum(1 for r in rows if min(r["loss_1310_ab"], r["loss_1310_ba"]) < 0)
    assert sum(1 for a in averages if a <= 0.095) / len(rows) > 0.9
    assert 0 < gainers < len(rows) * 0.1
    assert all(r["attempt"] == 3 for r in rows if 0.105 < (r["loss_1310_ab"] + r["loss_1310_ba"]) / 2)


def test_returned_items_have_reasons_and_reach_the_technician(demo_app, demo_db):
    returned = installations_in(demo_db, "returned")
    for inst in returned:
        items = list(demo_db.query(
            "SELECT * FROM returned_items WHERE installation_id = ? AND resolved_at IS NULL", [inst["id"]]))
        assert 1 <= len(items) <= 2 and all(item["reason"].strip() for item in items)
    inst = returned[0]
    username = store.scalar(demo_db, """SELECT u.username FROM users u JOIN installation_technicians t
        ON t.user_id = u.id WHERE t.installation_id = ?""", [inst["id"]])
    client = demo_app.test_client()
    assert client.post("/login", data={"username": username, "password": username}).status_code == 302
    body = client.get("/api/v1/pull").get_json()
    pulled = next(i for i in body["installations"] if i["id"] == inst["id"])
    assert pulled["status"] == "returned"
    assert pulled["returned_items"][0]["reason"] == demo_evidence.BLURRED


def test_signed_off_installations_have_reviews_and_pass_or_say_why(demo_db):
    for inst in installations_in(demo_db, "approved", "accepted"):
        reviews = list(demo_db.query(
            "SELECT * FROM reviews WHERE installation_id = ? ORDER BY id", [inst["id"]]))
        expected = ["approve"] if inst["status"] == "approved" else ["approve", "accept"]
        assert [r["decision"] for r in reviews] == expected
        verdict = checks.run_all(demo_db, inst["id"])["summary"]["verdict"]
        assert verdict == "pass" or reviews[-1]["override_reason"], inst
        assert verdict != "fail" or demo_evidence.OVERRIDES["speed"] in reviews[-1]["override_reason"]


def test_one_reused_photo_and_one_dark_photo_are_caught(demo_db):
    flagged = {}
    for inst in installations_in(demo_db, *DONE):
        for check in checks.run_all(demo_db, inst["id"])["checks"]:
            if check["rule"] in ("photo.reuse", "photo.dark") and check["verdict"] == "fail":
                flagged.setdefault(check["rule"], []).append((inst, check["item"]["shot"]))
    assert [shot for _, shot in flagged["photo.reuse"]] == ["closure_open", "closure_open"]
    assert {inst["status"] for inst, _ in flagged["photo.reuse"]} == {"submitted"}
    assert [shot for _, shot in flagged["photo.dark"]] == ["power"]


def test_three_submitted_sites_have_otdr_traces_and_one_copied_trace_is_caught(demo_app, demo_db):
    sql = "SELECT installation_id, COUNT(*) FROM traces GROUP BY installation_id ORDER BY installation_id"
    traced = demo_db.execute(sql).fetchall()
    assert [count for _, count in traced] == [8, 8, 8]  # 2 fibers x 2 wavelengths x 2 directions
    assert "24 OTDR traces" in demo_app.cli_output
    copied = [(inst, c) for inst, _ in traced for c in checks.run_all(demo_db, inst)["checks"]
              if c["rule"] == "trace.copied" and c["verdict"] == "fail"]
    assert len(copied) == 2 and {inst for inst, _ in copied} == {traced[0][0], traced[1][0]}
    first = traced[0][0]
    losses = [c for c in checks.run_all(demo_db, first)["checks"] if c["rule"] == "trace.splice_loss"]
    assert len(losses) == 4 and {c["verdict"] for c in losses} <= {"pass", "warn"}


def test_super_reviews_own_oblasts_and_admin_the_rest(demo_db):
    sql = """SELECT u.username, r.iso_code FROM reviews rv JOIN users u ON u.id = rv.reviewer_id
        JOIN installations inst ON inst.id = rv.installation_id
        JOIN institutions i ON i.id = inst.institution_id JOIN settlements s ON s.id = i.settlement_id
        JOIN districts d ON d.id = s.district_id JOIN regions r ON r.id = d.region_id"""
    for username, iso in demo_db.execute(sql):
        assert username == ("super" if iso in demo.SUPERVISED else "admin")
