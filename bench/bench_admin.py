"""Admin at national scale: label sheets for 4,000 institutions, and dashboard / export server time.

Builds 4,000 institutions with 100k splices and 60k photo rows (bench/national_data.py) in a
temporary database. Labels: the full pipeline (query, QR, text, A4 pages, PDF) against bare QR
encoding of the same codes measured in the same run. Pages: the progress dashboard and its map
data through the Flask test client (goal <= 100 ms), against the admin home page (counts
over the same tables, the simplest page) as baseline.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import national_data  # noqa: E402
import zxingcpp  # noqa: E402

from fieldapp import create_app  # noqa: E402
from fieldapp import labels  # noqa: E402
from fieldapp import store  # noqa: E402
from fieldapp import tags  # noqa: E402

KEYS = {1: "bench-tag-key"}
PREFIX = "HTTPS://FIELDAPP.KZ/T/"


def summary(times_ms):
    ordered = sorted(times_ms)
    p95 = ordered[max(0, round(len(ordered) * 0.95) - 1)]
    return statistics.median(ordered), f"median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"


def bench_labels(db):
    started = time.perf_counter()
    issued = tags.issue_missing(db, KEYS)
    issue_s = time.perf_counter() - started
    started = time.perf_counter()
    found, _untagged = labels.for_selection(db, KEYS, PREFIX, {}, "ru")
    query_s = time.perf_counter() - started
    started = time.perf_counter()
    for item in found:
        labels.qr_matrix(item["url"], item["outdoor"])
    bare_s = time.perf_counter() - started
    started = time.perf_counter()
    sheets = labels.pages(found)
    render_s = time.perf_counter() - started
    started = time.perf_counter()
    document = labels.pdf_from_pages(sheets)
    write_s = time.perf_counter() - started
    pdf_s = render_s + write_s
    picked = range(0, len(sheets), max(1, len(sheets) // 20))
    decoded = {r.text for n in picked for r in zxingcpp.read_barcodes(sheets[n])}
    expected = {item["url"] for n in picked for item in found[n * 21 : (n + 1) * 21]}
    print(f"tags issued             {issued} in {issue_s:.2f} s ({issued / issue_s:,.0f}/s, one transaction)")
    print(f"label query             {len(found)} labels in {query_s * 1000:.0f} ms")
    print(f"QR encoding only        {bare_s:.1f} s ({len(found) / bare_s:,.0f} codes/s)  [baseline]")
    print(
        f"pages rendered          {len(sheets)} A4 pages in {render_s:.1f} s "
        f"({len(found) / render_s:,.0f} labels/s, {len(sheets) / render_s:.1f} pages/s)"
    )
    print(
        f"PDF written             {write_s:.1f} s; decoded back {len(decoded & expected)} of "
        f"{len(expected)} labels on {len(picked)} sample pages"
    )
    print(
        f"PDF (render + write)    {pdf_s:.1f} s ({len(found) / pdf_s:,.0f} labels/s, "
        f"{len(sheets) / pdf_s:.1f} pages/s), {len(document) / 1e6:.2f} MB "
        f"({len(document) / len(sheets) / 1024:.0f} KB/page)"
    )
    print(f"ratio PDF / QR only     {pdf_s / bare_s:.2f}x")


def bench_pages(app, runs=40):
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": "bench"})
    results = {}
    for name, url in (
        ("admin home (counts)", "/admin/"),
        ("progress dashboard", "/progress/"),
        ("progress map.json", "/progress/map.json"),
        ("sites list p1", "/admin/sites/"),
        ("sites search", "/admin/sites/?q=школа"),
        ("export CSV (all)", "/admin/exports/institutions.csv"),
    ):
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(runs if "export" not in name else 5):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[name], text = summary(times)
        print(f"{name:22}  {text}   ({len(response.data) / 1024:,.0f} KB)")
    base = results["admin home (counts)"]
    print(
        f"ratio progress / admin home: {results['progress dashboard'] / base:.1f}x "
        f"(goal: progress <= 100 ms: {'met' if results['progress dashboard'] <= 100 else 'NOT met'})"
    )


def spread_over_a_year(db):
    """Give records receipt times over the last year and installations matching update times."""
    with store.write(db):
        for table in ("splices", "photos", "speed_tests", "scans", "notes", "submissions"):
            db.execute(f"""UPDATE {table} SET received_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
                '-' || (abs(random()) % 365) || ' days')""")
        db.execute("""UPDATE installations SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now',
            '-' || (abs(random()) % 120) || ' days')""")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national.sqlite3"
        made = national_data.generate(path)
        print(f"national data: {made}")
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "DATABASE": str(path),
                "BLOB_DIR": str(Path(tmp) / "blobs"),
                "TAG_KEYS": KEYS,
                "WTF_CSRF_ENABLED": False,
            }
        )
        db = store.connect(str(path))
        if "--pages-only" not in sys.argv:  # the label run takes a minute; skip it to rerun the pages
            bench_labels(db)
        print("-- pages, every record received today (worst case for crew activity)")
        with app.app_context():
            bench_pages(app)
        spread_over_a_year(db)
        print("-- pages, records spread over the last 365 days (a realistic 14-day window)")
        with app.app_context():
            bench_pages(app)


if __name__ == "__main__":
    main()
