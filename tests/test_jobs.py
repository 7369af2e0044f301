"""Background jobs: progress any worker can report, whole files only, and honest endings."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fieldapp import clock
from fieldapp import jobs
from fieldapp import store


def start(app, db, author, make, params=None):
    cfg = app.config
    return jobs.start(
        db, cfg["JOB_DIR"], cfg["DATABASE"], author, "label_sheet", params or {"layout": "L7160"}, 3,
        "fieldapp-labels.pdf", make,
    )


def touch(db, path, progress):
    open(path, "wb").close()


def wait_for_end(db, job_id):
    for _ in range(200):
        job = jobs.get(db, job_id)
        if job["state"] != "running":
            return job
        time.sleep(0.02)
    raise AssertionError("the job never ended")


def test_progress_is_seen_while_the_file_is_written_and_only_a_whole_file_is_kept(app, db, make):
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

    job_id = start(app, db, author, write)
    assert halfway.wait(5)
    running = jobs.get(db, job_id)
    assert (running["state"], running["done"], running["total"]) == ("running", 2, 3)
    assert not os.path.exists(jobs.path(app.config["JOB_DIR"], job_id))  # no half file to download
    go_on.set()
    ready = wait_for_end(db, job_id)
    assert (ready["state"], ready["done"], ready["size"]) == ("ready", 3, len(b"half and the rest"))
    with open(jobs.path(app.config["JOB_DIR"], job_id), "rb") as made:
        assert made.read() == b"half and the rest"


def test_a_second_click_joins_the_sheet_already_being_made(app, db, make):
    author = make.user("admin")["id"]
    go_on = threading.Event()

    def write(db, path, progress):
        go_on.wait(5)
        open(path, "wb").close()

    first = start(app, db, author, write)
    assert start(app, db, author, write) == first
    other = start(app, db, author, write, params={"layout": "L7163"})
    assert other != first
    go_on.set()
    assert wait_for_end(db, first)["state"] == wait_for_end(db, other)["state"] == "ready"
    assert start(app, db, author, write) != first  # once made, a new click makes it afresh


def test_clicks_at_the_same_moment_from_two_workers_make_one_job(app, make):
    author = make.user("admin")["id"]
    go_on = threading.Event()

    def write(db, path, progress):
        go_on.wait(5)
        open(path, "wb").close()

    def click(_):
        connection = store.connect(app.config["DATABASE"])
        try:
            return start(app, connection, author, write)
        finally:
            connection.conn.close()

    with ThreadPoolExecutor(6) as pool:
        ids = set(pool.map(click, range(6)))
    go_on.set()
    assert len(ids) == 1


def test_a_new_job_replaces_the_finished_file_of_the_same_choice(app, db, make):
    """A national packet ZIP is gigabytes: one per choice is kept, not one per click."""
    author = make.user("admin")["id"]
    first = start(app, db, author, touch)
    wait_for_end(db, first)
    second = start(app, db, author, touch)
    wait_for_end(db, second)
    assert jobs.get(db, first) is None
    assert os.listdir(app.config["JOB_DIR"]) == [f"{second}.out"]


def test_a_failed_job_says_why_and_leaves_no_file(app, db, make):
    author = make.user("admin")["id"]

    def write(db, path, progress):
        open(path, "wb").close()
        raise OSError("No space left on device")

    job_id = start(app, db, author, write)
    failed = wait_for_end(db, job_id)
    assert (failed["state"], failed["error"]) == ("failed", "No space left on device")
    assert os.listdir(app.config["JOB_DIR"]) == []


def test_a_job_whose_worker_went_away_is_interrupted_and_can_be_started_again(app, db, make):
    author = make.user("admin")["id"]
    gone = clock.to_iso(clock.parse(clock.now()) - timedelta(seconds=jobs.STALE_SECONDS + 1))
    with store.write(db):
        db["jobs"].insert({"id": "a" * 32, "kind": "label_sheet", "author_id": author,
                           "params": '{"layout": "L7160"}', "total": 3, "done": 1, "state": "running",
                           "filename": "x.pdf", "created_at": gone, "updated_at": gone})
    assert jobs.get(db, "a" * 32)["state"] == "interrupted"
    fresh = start(app, db, author, touch)
    assert fresh != "a" * 32 and wait_for_end(db, fresh)["state"] == "ready"


def test_jobs_older_than_a_day_are_forgotten_with_their_files(app, db, make):
    author = make.user("admin")["id"]
    old = start(app, db, author, touch)
    wait_for_end(db, old)
    day_ago = clock.to_iso(clock.parse(clock.now()) - timedelta(hours=jobs.KEEP_HOURS, minutes=1))
    db.execute("UPDATE jobs SET created_at = ? WHERE id = ?", [day_ago, old])
    db.conn.commit()
    fresh = start(app, db, author, touch, params={"layout": "L7165"})
    wait_for_end(db, fresh)
    assert jobs.get(db, old) is None
    assert os.listdir(app.config["JOB_DIR"]) == [f"{fresh}.out"]


def test_the_sheet_page_tells_a_failed_sheet_and_hides_the_download(app, db, client, auth, make):
    author = make.user("admin", username="boss")["id"]

    def write(db, path, progress):
        raise ValueError("font missing")

    job_id = start(app, db, author, write)
    wait_for_end(db, job_id)
    auth.login("boss")
    page = client.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "It could not be made: font missing" in page and "Download PDF" not in page
    assert client.get(f"/admin/jobs/{job_id}/file").status_code == 404
    assert client.get("/admin/jobs/nothing-here").status_code == 404
