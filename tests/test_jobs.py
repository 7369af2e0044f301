"""Background jobs: made by the job worker, progress any web worker can report, whole files
only, honest endings, and a worker's death survived."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from fieldapp import clock
from fieldapp import job_worker as runner
from fieldapp import jobs
from fieldapp import store
from fieldapp import tags

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def maker(monkeypatch):
    """Make label-sheet jobs with a test's own function (the worker thread runs it)."""
    def use(make):
        monkeypatch.setitem(jobs.MAKERS, "label_sheet", lambda db, _params, path, done: make(db, path, done))

    return use


def start(app, db, author, make, params=None, maker=None):
    maker(make)
    return jobs.start(db, app.config["JOB_DIR"], author, "label_sheet", params or {"layout": "L7160"}, 3,
                      "fieldapp-labels.pdf")


def touch(db, path, progress):
    open(path, "wb").close()


def wait_for_end(db, job_id, tries=200):
    for _ in range(tries):
        job = jobs.get(db, job_id)
        if job["state"] != "running":
            return job
        time.sleep(0.02)
    raise AssertionError("the job never ended")


def test_progress_is_seen_while_the_file_is_written_and_only_a_whole_file_is_kept(
        app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    halfway, go_on = threading.Event(), threading.Event()

    def write(db, path, progress):
        with open(path, "wb") as out:
            out.write(b"half")
            progress(2)
            halfway.set()
            go_on.wait(5)
            out.write(b" and the rest")
        progress(3)

    job_id = start(app, db, author, write, maker=maker)
    assert halfway.wait(5)
    running = jobs.get(db, job_id)
    assert (running["state"], running["done"], running["total"]) == ("running", 2, 3)
    assert not os.path.exists(jobs.path(app.config["JOB_DIR"], job_id))  # no half file to download
    go_on.set()
    ready = wait_for_end(db, job_id)
    assert (ready["state"], ready["done"], ready["size"]) == ("ready", 3, len(b"half and the rest"))
    with open(jobs.path(app.config["JOB_DIR"], job_id), "rb") as made:
        assert made.read() == b"half and the rest"


def test_a_second_click_joins_the_sheet_already_being_made(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    go_on = threading.Event()

    def write(db, path, progress):
        go_on.wait(5)
        open(path, "wb").close()

    first = start(app, db, author, write, maker=maker)
    assert start(app, db, author, write, maker=maker) == first
    other = start(app, db, author, write, params={"layout": "L7163"}, maker=maker)
    assert other != first
    go_on.set()
    assert wait_for_end(db, first)["state"] == wait_for_end(db, other)["state"] == "ready"
    assert start(app, db, author, write, maker=maker) != first  # once made, a new click makes it afresh


def test_clicks_at_the_same_moment_from_two_workers_make_one_job(app, make, maker):
    author = make.user("admin")["id"]
    go_on = threading.Event()

    def write(db, path, progress):
        go_on.wait(5)
        open(path, "wb").close()

    def click(_):
        connection = store.connect(app.config["DATABASE"])
        try:
            return start(app, connection, author, write, maker=maker)
        finally:
            connection.conn.close()

    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(click, range(6)))
    go_on.set()
    assert len(ids) == 1


def test_a_new_job_replaces_the_finished_file_of_the_same_choice(app, db, make, maker, job_worker):
    """A national packet ZIP is gigabytes: one per choice is kept, not one per click."""
    author = make.user("admin")["id"]
    first = start(app, db, author, touch, maker=maker)
    wait_for_end(db, first)
    second = start(app, db, author, touch, maker=maker)
    wait_for_end(db, second)
    assert jobs.get(db, first) is None
    assert os.listdir(app.config["JOB_DIR"]) == [f"{second}.out"]


def test_a_failed_job_says_why_and_leaves_no_file(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]

    def write(db, path, progress):
        open(path, "wb").close()
        raise OSError("No space left on device")

    job_id = start(app, db, author, write, maker=maker)
    failed = wait_for_end(db, job_id)
    assert (failed["state"], failed["error"]) == ("failed", "No space left on device")
    assert os.listdir(app.config["JOB_DIR"]) == []


def dead_worker():
    """The name a worker of this host had before it died (a process that has exited)."""
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    return runner.name(gone.pid)


def held(db, author, worker, updated_at=None, attempts=1, job_id="a" * 32):
    """A label-sheet job as the tables show it while `worker` makes it."""
    at = updated_at or clock.now()
    with store.write(db):
        db["jobs"].insert({"id": job_id, "kind": "label_sheet", "author_id": author,
                           "params": '{"layout": "L7160"}', "total": 3, "done": 1, "state": "running",
                           "filename": "x.pdf", "created_at": at, "updated_at": at, "worker": worker,
                           "attempts": attempts})
    return job_id


def test_a_quiet_job_with_no_worker_alive_is_interrupted_and_can_be_started_again(app, db, make, maker):
    author = make.user("admin")["id"]
    gone = clock.to_iso(clock.parse(clock.now()) - timedelta(seconds=jobs.STALE_SECONDS + 1))
    held(db, author, "elsewhere:1", updated_at=gone)
    assert jobs.get(db, "a" * 32)["state"] == "interrupted"
    fresh = start(app, db, author, touch, maker=maker)
    assert fresh != "a" * 32 and jobs.get(db, fresh)["state"] == "running"


def test_the_web_request_only_records_the_job_the_worker_makes_it(app, db, make, maker, client, auth):
    """No job worker, no file: nothing runs in the web worker's process any more."""
    maker(touch)
    make.user("admin", username="boss")
    auth.login("boss")
    threads = threading.active_count()
    chosen = {"layout": "L7160", "language": "ru"}
    job_url = client.post("/admin/labels/sheets", data=chosen).headers["Location"]
    assert threading.active_count() == threads  # no thread left making it in this process
    job = jobs.get(db, job_url.rsplit("/", 1)[1])
    assert (job["state"], job["worker"], job["attempts"]) == ("running", None, 0)  # waiting for a worker


def test_a_job_whose_worker_died_is_made_again_by_the_next_worker(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    maker(lambda db, path, progress: open(path, "wb").write(b"made again"))
    job_id = held(db, author, dead_worker())  # fresh progress: only the dead pid tells
    ready = wait_for_end(db, job_id)
    assert (ready["state"], ready["worker"], ready["attempts"]) == ("ready", runner.name(), 2)
    with open(jobs.path(app.config["JOB_DIR"], job_id), "rb") as made:
        assert made.read() == b"made again"


def test_a_job_that_took_its_workers_down_three_times_is_failed(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    maker(touch)
    job_id = held(db, author, dead_worker(), attempts=runner.MAX_ATTEMPTS)
    failed = wait_for_end(db, job_id)
    assert (failed["state"], failed["error"]) == ("failed", "it stopped 3 job workers")


def test_a_job_held_by_a_live_worker_is_left_to_it(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    maker(touch)
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        job_id = held(db, author, runner.name(alive.pid))
        later = start(app, db, author, touch, params={"layout": "L7163"}, maker=maker)
        assert wait_for_end(db, later)["state"] == "ready"  # the worker was free, and passed it by
        assert jobs.get(db, job_id)["state"] == "running"
    finally:
        alive.kill()
        alive.wait()


def test_jobs_older_than_a_day_are_forgotten_with_their_files(app, db, make, maker, job_worker):
    author = make.user("admin")["id"]
    old = start(app, db, author, touch, maker=maker)
    wait_for_end(db, old)
    day_ago = clock.to_iso(clock.parse(clock.now()) - timedelta(hours=jobs.KEEP_HOURS, minutes=1))
    db.execute("UPDATE jobs SET created_at = ? WHERE id = ?", [day_ago, old])
    db.conn.commit()
    fresh = start(app, db, author, touch, params={"layout": "L7165"}, maker=maker)
    wait_for_end(db, fresh)
    assert jobs.get(db, old) is None
    assert os.listdir(app.config["JOB_DIR"]) == [f"{fresh}.out"]


def test_the_sheet_page_tells_a_failed_sheet_and_hides_the_download(
        app, db, client, auth, make, maker, job_worker):
    author = make.user("admin", username="boss")["id"]

    def write(db, path, progress):
        raise ValueError("font missing")

    job_id = start(app, db, author, write, maker=maker)
    wait_for_end(db, job_id)
    auth.login("boss")
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "It could not be made: font missing" in page and "Download PDF" not in page
    assert client.get(f"/admin/jobs/{job_id}/file").status_code == 404
    assert client.get("/admin/jobs/nothing-here").status_code == 404


def test_flask_run_jobs_makes_sheets_and_a_new_worker_takes_up_a_dead_ones_job(
        app, db, make, client, auth, job_process):
    """The real process: a sheet asked for on the web is made by `flask run-jobs`; killed
    while it holds a job (SIGKILL: no goodbye), the next worker started makes that job."""
    make.user("admin", username="boss")
    for _ in range(3):
        make.institution()
    tags.issue_missing(db, app.config["TAG_KEYS"])
    auth.login("boss")
    first = job_process()
    chosen = {"layout": "L7160", "language": "ru"}
    sheet = client.post("/admin/labels/sheets", data=chosen).headers["Location"]
    assert wait_for_status(client, sheet)["state"] == "ready"
    assert client.get(f"{sheet}/file").data.startswith(b"%PDF")
    with store.write(db):  # what the tables show while `first` makes a sheet
        db.execute("UPDATE jobs SET state = 'running', done = 1, worker = ?, attempts = 1",
                   [runner.name(first.pid)])
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    os.remove(jobs.path(app.config["JOB_DIR"], sheet.rsplit("/", 1)[1]))
    job_process()
    again = wait_for_status(client, sheet)
    assert (again["state"], again["done"]) == ("ready", 3)
    assert client.get(f"{sheet}/file").data.startswith(b"%PDF")
    assert jobs.get(db, sheet.rsplit("/", 1)[1])["attempts"] == 2


def wait_for_status(client, job_url):
    for _ in range(300):
        status = client.get(f"{job_url}/status").get_json()
        if status["state"] != "running":
            return status
        time.sleep(0.1)
    raise AssertionError(f"{job_url} still running")


def test_gunicorn_starts_the_job_worker_beside_its_web_workers_and_stops_it_with_them(
        app, db, make, jobs_wsgi, tmp_path):
    """`make run` is one command: gunicorn_conf.py starts `flask run-jobs` on the app gunicorn
    serves, and gunicorn's exit ends it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "fieldapp/gunicorn_conf.py"),
         "--bind", f"127.0.0.1:{port}", "jobs_wsgi:app"],
        cwd=ROOT, env={**jobs_wsgi, "WEB_WORKERS": "1", "WEB_THREADS": "8"},
        stdout=subprocess.DEVNULL, stderr=open(tmp_path / "gunicorn.log", "wb"))
    try:
        worker = None
        for _ in range(300):
            worker = db.execute("SELECT name FROM job_workers").fetchone()
            if worker:
                break
            time.sleep(0.1)
        assert worker, (tmp_path / "gunicorn.log").read_text()
        author = make.user("admin")["id"]
        job_id = jobs.start(db, app.config["JOB_DIR"], author, "label_sheet",
                            {"layout": "L7160", "language": "ru", "active": "1"}, 0, "fieldapp-labels.pdf")
        assert wait_for_end(db, job_id, tries=600)["state"] == "ready"
    finally:
        server.terminate()
        server.wait(60)
    pid = int(worker[0].rpartition(":")[2])
    for _ in range(100):
        if not db.execute("SELECT COUNT(*) FROM job_workers").fetchone()[0]:
            break
        time.sleep(0.1)
    assert db.execute("SELECT COUNT(*) FROM job_workers").fetchone()[0] == 0  # it said goodbye
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
