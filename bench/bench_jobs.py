"""Page times on a web worker while the national label sheet is made: in a thread, or not.

Starts two gunicorns (fieldapp/gunicorn_conf.py, 127.0.0.1, free ports), each with ONE web
worker over its own copy of national data (bench/national_data.py, every institution tagged),
side by side, so that whatever else loads a shared machine loads both alike:
- thread: the job worker's loop in a thread of the web worker (how jobs ran before
  `flask run-jobs`: the job and the pages share a process and its GIL);
- process: as `make run` starts it, the job worker a process of its own beside gunicorn.
Three admins per server load admin pages in a loop: first with no job (the baseline), then
while the label sheet of all 4,000 institutions is made. Prints page p50/p95 of both and the
ratio, per arrangement (goal: p95 during the job <= 2x without).
Run: .venv/bin/python bench/bench_jobs.py [seconds of baseline]
"""

import re
import sqlite3
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_crowd  # noqa: E402
import national_data  # noqa: E402

from fieldapp import store  # noqa: E402
from fieldapp import tags  # noqa: E402

KEYS = {1: "jobs-bench-tag-key"}
# The arrangement before `flask run-jobs`: the jobs made in a thread of the web worker.
IN_THREAD = """from fieldapp.gunicorn_conf import *  # noqa: F403


def post_worker_init(worker):
    import threading

    from fieldapp import job_worker

    def run():
        with worker.wsgi.app_context():
            job_worker.work(worker.wsgi.config, threading.Event())

    threading.Thread(target=run, daemon=True).start()
"""
PAGES = ("/admin/", "/admin/sites/", "/progress/")
READERS = 3


def load_pages(port, until, times):
    """One admin loading PAGES in turn until `until` (a callable saying stop)."""
    admin = bench_crowd.Phone(port, "admin")
    admin.sign_in()
    while not until():
        for page in PAGES:
            started = time.perf_counter()
            status, _ = admin.call("GET", page)
            times.append(time.perf_counter() - started)
            assert status == 200, (page, status)


def measure(port, until):
    times = []
    readers = [threading.Thread(target=load_pages, args=(port, until, times), daemon=True)
               for _ in range(READERS)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(600)
    return times


def start_labels(port):
    """Ask for the national label sheet as the admin's browser would; returns the job id."""
    admin = bench_crowd.Phone(port, "admin")
    admin.sign_in()
    _, page = admin.call("GET", "/admin/labels")
    form = page.split(b'class="card make-sheet"', 1)[0].rsplit(b"<form", 1)[-1] + \
        page.split(b'class="card make-sheet"', 1)[1].split(b"</form>", 1)[0]
    fields = dict(re.findall(rb'name="([^"]+)"[^>]*value="([^"]*)"', form))
    body = urllib.parse.urlencode({k.decode(): v.decode() for k, v in fields.items()})
    status, _ = admin.call("POST", "/admin/labels/sheets", body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (302, 303), status


def job_state(database):
    with sqlite3.connect(database) as conn:
        row = conn.execute("SELECT state, done, total FROM jobs ORDER BY created_at DESC LIMIT 1").fetchone()
    return row or ("none", 0, 0)


def summary(times):
    ordered = sorted(times)
    if not ordered:
        return "no pages", float("nan"), float("nan")
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    p50 = ordered[len(ordered) // 2]
    text = (f"p50 {p50 * 1000:,.0f} ms, p95 {p95 * 1000:,.0f} ms, "
            f"max {ordered[-1] * 1000:,.0f} ms ({len(ordered)} pages)")
    return text, p95, p50


def side_by_side(baseline_s, servers):
    """Both arrangements at once, so the other load on a shared machine falls on both alike:
    {name: (pages without a job, pages while its label job runs, its seconds, its state)}."""
    def phase(name, port, database, found):
        stop_at = time.perf_counter() + baseline_s
        quiet = measure(port, lambda: time.perf_counter() > stop_at)
        started = time.perf_counter()
        start_labels(port)
        busy = measure(port, lambda: job_state(database)[0] != "running"
                       or time.perf_counter() - started > 600)
        found[name] = (quiet, busy, time.perf_counter() - started, job_state(database))

    found = {}
    runs = [threading.Thread(target=phase, args=(name, port, database, found)) for name, (port, database)
            in servers.items()]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    return {name: found[name] for name in servers}


def main():
    baseline_s = float(sys.argv[1]) if len(sys.argv) > 1 else 20
    with tempfile.TemporaryDirectory() as tmp:
        folders = {"thread (before)": Path(tmp) / "thread", "process (make run)": Path(tmp) / "process"}
        for folder in folders.values():
            folder.mkdir()
        first = str(folders["thread (before)"] / "crowd.sqlite3")
        national_data.generate(first)
        db = store.connect(first)
        issued = tags.issue_missing(db, KEYS)
        copy = sqlite3.connect(str(folders["process (make run)"] / "crowd.sqlite3"))
        db.conn.backup(copy)
        copy.close()
        db.conn.close()
        (Path(tmp) / "in_thread_conf.py").write_text(IN_THREAD)
        in_thread = {"env": {"WEB_JOBS": "0"}, "config_file": Path(tmp) / "in_thread_conf.py"}
        options = {"thread (before)": in_thread, "process (make run)": {}}
        started = {name: bench_crowd.start_server(folder, workers=1, tag_keys=KEYS, **options[name])
                   for name, folder in folders.items()}
        try:
            arrangements = side_by_side(baseline_s, {
                name: (port, str(folders[name] / "crowd.sqlite3")) for name, (_, port) in started.items()})
        finally:
            for server, _ in started.values():
                server.terminate()
                server.wait(30)
    print(f"jobs: two gunicorns side by side, one web worker each, {READERS} admins each loading "
          f"{', '.join(PAGES)}; {issued:,} tags")
    for name, (quiet, busy, job_s, state) in arrangements.items():
        quiet_text, quiet_p95, quiet_p50 = summary(quiet)
        busy_text, busy_p95, busy_p50 = summary(busy)
        print(f"jobs [{name}]: pages with no job (baseline): {quiet_text}")
        print(f"jobs [{name}]: pages while the label job runs ({job_s:.0f} s, {state[0]}, "
              f"{state[1]:,}/{state[2]:,}): {busy_text}")
        print(f"jobs [{name}]: page p95 during the job / without = {busy_p95 / quiet_p95:.1f}x (goal <= 2x); "
              f"p50 {busy_p50 / quiet_p50:.1f}x")


if __name__ == "__main__":
    main()
