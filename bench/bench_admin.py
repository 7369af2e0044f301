"""Admin at national scale: label sheets for 4,000 institutions, and dashboard / export server time.

Builds 4,000 institutions with 100k splices and 60k photo rows (bench/national_data.py) in a
temporary database. Labels: the full pipeline (query, QR, text, A4 pages, PDF streamed to a
file as the background job makes it) against bare QR encoding of the same codes and against the
whole PDF built in memory, both measured in the same run; time and peak memory. Pages: the
progress dashboard and its map data through the Flask test client (goal <= 100 ms), against
the admin home page (counts over the same tables, the simplest page) as baseline.
"""

import contextlib
import io
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import national_data  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402
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


def rss_mb():
    """This process's resident memory now, in MB (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


@contextlib.contextmanager
def memory_growth():
    """Sample resident memory every 10 ms while the block runs; yields a dict whose "peak_mb"
    is the most it grew. (ru_maxrss is the process's lifetime peak: the national data set
    built before would hide the figure.)"""
    seen = {"peak_mb": 0.0}
    before, done = rss_mb(), threading.Event()

    def sample():
        while not done.wait(0.01):
            seen["peak_mb"] = max(seen["peak_mb"], rss_mb() - before)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield seen
    finally:
        done.set()
        sampler.join()


def bench_labels(db, tmp):
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
    print(f"tags issued             {issued} in {issue_s:.2f} s ({issued / issue_s:,.0f}/s, one transaction)")
    print(f"label query             {len(found)} labels in {query_s * 1000:.0f} ms")
    print(f"QR encoding only        {bare_s:.1f} s ({len(found) / bare_s:,.0f} codes/s)  [baseline]")

    # What the background job runs: pages appended to the file a chunk at a time. Measured
    # first, so the peak it leaves is its own (the whole-in-memory run below goes higher).
    path, steps = Path(tmp) / "labels.pdf", []
    started = time.perf_counter()
    with memory_growth() as memory:
        labels.write_pdf(found, labels.DEFAULT_LAYOUT, path, progress=steps.append)
    streamed_s = time.perf_counter() - started
    streamed_mb = memory["peak_mb"]
    document = pdfium.PdfDocument(path)
    pages = len(document)
    picked = range(0, pages, max(1, pages // 20))
    rendered = (document[n].render(scale=labels.DPI / 72).to_pil() for n in picked)
    decoded = {r.text for image in rendered for r in zxingcpp.read_barcodes(image)}
    expected = {item["url"] for n in picked for item in found[n * 21 : (n + 1) * 21]}
    size = path.stat().st_size
    print(
        f"PDF streamed to file    {pages} A4 pages in {streamed_s:.1f} s "
        f"({len(found) / streamed_s:,.0f} labels/s, {pages / streamed_s:.1f} pages/s), "
        f"{size / 1e6:.2f} MB ({size / pages / 1024:.0f} KB/page), {len(steps)} progress steps, "
        f"memory peak +{streamed_mb:.0f} MB"
    )
    print(f"decoded back from PDF   {len(decoded & expected)} of {len(expected)} labels, {len(picked)} pages")

    # The baseline it replaced: every page image held (Pillow keeps a 1-bit image at a byte per
    # pixel, 8.7 MB per A4 page at 300 dpi), then one save.
    started = time.perf_counter()
    with memory_growth() as memory:
        sheets = labels.pages(found)
        whole = io.BytesIO()
        sheets[0].save(whole, "PDF", resolution=labels.DPI, save_all=True, append_images=sheets[1:])
        del sheets
    whole_s = time.perf_counter() - started
    whole_mb = memory["peak_mb"]
    print(
        f"PDF whole in memory     {whole_s:.1f} s, {whole.tell() / 1e6:.2f} MB, "
        f"memory peak +{whole_mb:.0f} MB  [baseline]"
    )
    print(
        f"ratio streamed / whole  time {streamed_s / whole_s:.2f}x, memory {streamed_mb / whole_mb:.2f}x, "
        f"size {size / whole.tell():.2f}x;  streamed / QR only {streamed_s / bare_s:.2f}x"
    )


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
            bench_labels(db, tmp)
        print("-- pages, every record received today (worst case for crew activity)")
        with app.app_context():
            bench_pages(app)
        spread_over_a_year(db)
        print("-- pages, records spread over the last 365 days (a realistic 14-day window)")
        with app.app_context():
            bench_pages(app)


if __name__ == "__main__":
    main()
