"""Progress: counts by place, accepted %, stale work, crew activity, chart geometry, scoping."""

import pytest

from fieldapp import progress
from fieldapp import store
from tests.test_exports import add_record

NOW = "2026-11-24T12:00:00.000Z"


@pytest.fixture
def world(db, make):
    tech = make.user(username="tech")
    boss = make.user("supervisor", username="super", regions=["KZ-31"])
    admin = make.user("admin", username="admin")
    works = {
        status: make.installation([tech], status=status) for status in ("planned", "submitted", "accepted")
    }
    works["pavlodar"] = make.installation([tech], region="KZ-55", lat=52.3, lon=76.9, status="accepted")
    with store.write(db):
        db.execute("UPDATE installations SET updated_at = '2026-10-01T00:00:00.000Z'")
    return {"tech": tech, "super": boss, "admin": admin, **works}


def test_counts_by_oblast_and_district_with_accepted_share(db, world):
    regions, totals = progress.by_place(db, world["admin"])
    assert totals["total"] == 4 and totals["accepted_pct"] == 50.0
    jambyl = next(r for r in regions if r["name_en"] == "Jambyl")
    assert jambyl["counts"]["planned"] == 1 and jambyl["total"] == 3
    assert jambyl["accepted_pct"] == pytest.approx(33.3)
    assert jambyl["districts"][0]["total"] == 3


def test_supervisors_see_their_regions_only(db, world):
    regions, totals = progress.by_place(db, world["super"])
    assert [r["name_en"] for r in regions] == ["Jambyl"] and totals["total"] == 3
    assert {p["s"] for p in progress.map_points(db, world["super"])} == {"planned", "submitted", "accepted"}


def test_stale_means_open_and_quiet_for_n_days(db, world):
    found, count = progress.stale(db, world["admin"], 14, now=NOW)
    assert {row["id"] for row in found} == {world["planned"], world["submitted"]} and count == 2
    add_record(
        db,
        "notes",
        world["submitted"],
        world["tech"]["id"],
        received_at="2026-11-20T08:00:00.000Z",
        text="ok",
    )
    found, count = progress.stale(db, world["admin"], 14, now=NOW)
    assert [row["id"] for row in found] == [world["planned"]]
    assert progress.stale(db, world["admin"], 60, now=NOW)[1] == 0


def test_activity_counts_records_per_technician_per_day(db, world):
    tech = world["tech"]["id"]
    for table, day in (
        ("notes", "2026-11-24"),
        ("notes", "2026-11-24"),
        ("scans", "2026-11-20"),
        ("notes", "2026-10-01"),
    ):
        fields = {"text": "x"} if table == "notes" else {"tag_id": "T", "matched": 1}
        add_record(db, table, world["planned"], tech, received_at=f"{day}T09:00:00.000Z", **fields)
    result = progress.activity(db, world["admin"], 14, now=NOW)
    assert result["dates"][0] == "2026-11-11" and result["dates"][-1] == "2026-11-24"
    person = result["technicians"][0]
    assert person["days"]["2026-11-24"] == 2 and person["days"]["2026-11-20"] == 1 and person["total"] == 3
    assert result["per_day"]["2026-11-24"] == 2
    assert progress.activity(db, world["super"], 14, now=NOW)["technicians"][0]["total"] == 3


def test_every_kind_of_record_is_activity_and_ends_staleness(db, world):
    """Traces, equipment, handovers and replies came after the progress page was written."""
    tech = world["tech"]["id"]
    records = [("equipment", {"device_type": "ont", "model": "HG8245", "serial": "HWTC1A2B3C4D"}),
               ("handovers", {"outcome": "absent"}),
               ("replies", {"item_kind": "photo", "item_ref": "x", "text": "переснял"})]
    for table, fields in records:
        add_record(db, table, world["submitted"], tech, received_at="2026-11-23T09:00:00.000Z", **fields)
    person = progress.activity(db, world["admin"], 14, now=NOW)["technicians"][0]
    assert person["days"]["2026-11-23"] == 3
    assert [row["id"] for row in progress.stale(db, world["admin"], 14, now=NOW)[0]] == [world["planned"]]


def test_chart_geometry_scales_to_the_largest_place():
    places = [
        {
            "counts": {
                "planned": 2,
                "in_progress": 0,
                "submitted": 0,
                "returned": 0,
                "approved": 0,
                "accepted": 2,
            },
            "total": 4,
        },
        {
            "counts": {
                "planned": 1,
                "in_progress": 0,
                "submitted": 0,
                "returned": 0,
                "approved": 0,
                "accepted": 0,
            },
            "total": 1,
        },
    ]
    bars = progress.bars(places, width=400)
    assert [(s["status"], s["x"], s["w"]) for s in bars[0]["segments"]] == [
        ("planned", 0, 200),
        ("accepted", 200, 200),
    ]
    assert bars[1]["segments"][0]["w"] == 100
    columns = progress.day_bars({"a": 0, "b": 5}, height=100, width=200)
    assert columns[1]["h"] == 100 and columns[0]["h"] == 0 and columns[1]["y"] == 0
    assert [progress.heat(n, 9) for n in (0, 1, 9)] == [0, 1, 4]


def test_dashboard_renders_svg_and_table_without_javascript(client, auth, world):
    auth.login("admin")
    page = client.get("/progress/?stale=30").get_data(as_text=True)
    assert '<svg class="chart"' in page and "st-accepted" in page
    assert "Jambyl" in page and "Pavlodar" in page
    assert "<script>" not in page and "style=" not in page
    assert 'data-points="/progress/map.json"' in page
