"""static/geo/kz_oblasts.geojson: an outline for every region of ours, small, served compressed;
and tools/make_oblast_outlines.py's simplification keeps neighbours' borders shared."""

import json
import os

from tools.make_oblast_outlines import build
from tools.make_oblast_outlines import simplify

OUTLINES = os.path.join(os.path.dirname(__file__), "..", "static", "geo", "kz_oblasts.geojson")
# Regions made in 2022 from part of an older oblast: Natural Earth draws them inside it.
SPLIT_2022 = {"KZ-10": "KZ-63", "KZ-33": "KZ-19", "KZ-62": "KZ-35"}


def collection():
    with open(OUTLINES, encoding="utf-8") as f:
        return json.load(f)


def test_every_region_has_an_outline_or_the_documented_one_around_it(db):
    codes = {row["iso_code"] for row in db.query("SELECT iso_code FROM regions")}
    assert len(codes) == 17
    features = collection()["features"]
    own = {f["properties"]["iso"] for f in features}
    holder = {code: f["properties"]["iso"] for f in features for code in f["properties"]["covers"]}
    assert len(own) == len(features)  # one outline per code
    assert codes <= holder.keys()
    assert {code: holder[code] for code in codes - own} == SPLIT_2022
    note = collection()["note"]
    assert all(code in note for code in SPLIT_2022)
    with open(os.path.join(os.path.dirname(__file__), "..", "docs", "admin.md"), encoding="utf-8") as f:
        docs = f.read()
    assert all(name in docs for name in ("Abai", "Jetisu", "Ulytau", "Natural Earth", "public domain"))


def test_outlines_are_small_closed_and_in_kazakhstan():
    assert os.path.getsize(OUTLINES) < 100_000
    data = collection()
    assert "Natural Earth" in data["source"] and "public domain" in data["licence"]
    for feature in data["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert all(46 <= lon <= 88 and 40 <= lat <= 56 for lon, lat in ring)


def test_outlines_served_compressed_and_cacheable(client):
    response = client.get("/static/geo/kz_oblasts.geojson", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.mimetype == "application/geo+json"
    assert len(response.data) < os.path.getsize(OUTLINES) / 2
    assert response.headers.get("ETag")


def test_simplify_keeps_ends_and_drops_points_near_the_chord():
    assert simplify([(0, 0), (1, 0.001), (2, -0.001), (3, 0)], 0.01) == [(0, 0), (3, 0)]
    line = [(0, 0), (1, 0.5), (2, 1.001), (3, 1.5), (4, 0)]  # a climb, then straight down
    assert simplify(line, 0.01) == [(0, 0), (3, 1.5), (4, 0)]
    assert simplify(line, 2) == [(0, 0), (4, 0)]


def test_neighbours_still_meet_after_simplification():
    # Two squares sharing a wiggly border (arc 0): each ring walks it, one of them backwards.
    topo = {
        "transform": {"scale": [1, 1], "translate": [50, 45]},
        "arcs": [
            [[0, 0], [0, 1], [1, 0], [-1, 1], [0, 1]],  # the shared border, x 0..1, y 0..3
            [[0, 3], [-3, 0], [0, -3], [3, 0]],  # the west square's other sides
            [[0, 0], [3, 0], [0, 3], [-3, 0]],  # the east square's other sides
        ],
        "objects": {"kaz": {"geometries": [
            {"id": "KZ.ZM", "type": "Polygon", "arcs": [[0, 1]], "properties": {"name": "Zhambyl"}},
            {"id": "KZ.SK", "type": "Polygon", "arcs": [[2, ~0]], "properties": {"name": "South"}},
        ]}},
    }
    geo = {"features": [{"properties": {"code_hasc": c, "latitude": 46, "longitude": 51}}
                        for c in ("KZ.ZM", "KZ.SK")]}

    def rings(tolerance):
        features = {f["properties"]["iso"]: f for f in build(topo, geo, tolerance)["features"]}
        outer = (features[code]["geometry"]["coordinates"][0][0] for code in ("KZ-31", "KZ-61"))
        return [[tuple(p) for p in ring] for ring in outer]

    west, east = rings(1.5)  # the wiggle (51, 46) is 1 from the border's chord: gone on both sides
    assert west == [(50, 45), (50, 48), (47, 48), (47, 45), (50, 45)]
    assert east == [(50, 45), (53, 45), (53, 48), (50, 48), (50, 45)]
    west, east = rings(0.5)  # kept on both sides
    assert (51, 46) in west and (51, 46) in east
