"""A pass/warn/fail summary per installation, stored, so the review queue shows one per row
without running every check of every row (an earlier try ran them per row: 1.8 s a page).

A summary is written when the checks are run anyway or matter: when a batch leaves an
installation submitted (the submission, or records added to a submitted one), when a
supervisor opens it, and with every decision. It remembers the installation's revision it
saw; one whose installation changed since is shown as not current.

After a batch the phone does not wait for it (issue 18 §4): with fifty crews at once, the
checks (the photo reuse search above all) were two thirds of a batch's time on the server.
A thread of the web process refreshes the summaries of the installations batches touched,
each once however many batches arrive meanwhile. A summary lost with the process (killed
before its turn) only leaves the queue showing the installation not checked or not current
until a supervisor opens it, as an exception in the checks always did.
"""

import logging
import queue
import threading

from flask import current_app
from flask import has_request_context

from fieldapp import clock
from fieldapp import store
from fieldapp.db import get_db
from fieldapp.evidence import checks

log = logging.getLogger(__name__)


def refresh(db, installation_id, result=None):
    """Store the summary of `result` (checks.run_all), running the checks when not given."""
    result = result if result is not None else checks.run_all(db, installation_id)
    found = result["summary"]
    with store.write(db):
        rev = store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [installation_id])
        db["check_summaries"].upsert({
            "installation_id": installation_id, "verdict": found["verdict"], "passed": found["pass"],
            "warned": found["warn"], "failed": found["fail"], "rev": rev, "computed_at": clock.now(),
        }, pk="installation_id")
    return found


def soon(db, installation_ids):
    """Refresh these installations' summaries without holding the request that changed them.
    Outside a request (the demo data, a CLI command, whose process may end at once) and with
    CHECK_SUMMARIES = "inline" (tests that read them at once) they are refreshed now."""
    if not has_request_context() or current_app.config.get("CHECK_SUMMARIES") == "inline":
        for installation_id in installation_ids:
            _refresh_logged(db, installation_id)
        return
    app = current_app._get_current_object()
    refresher = app.extensions.get("fieldapp.summaries")
    if refresher is None:
        refresher = app.extensions.setdefault("fieldapp.summaries", _Refresher(app))
    refresher.add(installation_ids)


def _refresh_logged(db, installation_id):
    try:
        refresh(db, installation_id)
    except Exception:  # the records are stored; the queue shows it unchecked until reviewed
        log.exception("checks of installation %s could not be summarised", installation_id)


class _Refresher:
    """One thread per web process, refreshing queued installations one at a time."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()
        self.pending = set()
        self.queue = queue.Queue()
        self.thread = None

    def add(self, installation_ids):
        with self.lock:
            for installation_id in installation_ids:
                if installation_id not in self.pending:  # queued already: one refresh covers both
                    self.pending.add(installation_id)
                    self.queue.put(installation_id)
            if self.thread is None or not self.thread.is_alive():  # first use in this process
                self.thread = threading.Thread(target=self.run, name="check-summaries", daemon=True)
                self.thread.start()

    def run(self):
        while True:
            installation_id = self.queue.get()
            with self.lock:
                self.pending.discard(installation_id)  # a batch from now on queues it again
            with self.app.app_context():
                _refresh_logged(get_db(), installation_id)
            self.queue.task_done()

    def idle(self):
        """Whether every queued refresh is done (tests wait on it)."""
        return self.queue.unfinished_tasks == 0


def refresh_if_changed(db, installation, result):
    """On a page that ran the checks: store them if the stored summary is not current."""
    rev = store.scalar(db, "SELECT rev FROM check_summaries WHERE installation_id = ?", [installation["id"]])
    if rev != installation["rev"]:
        refresh(db, installation["id"], result)


def for_rows(db, rows):
    """Attach `checks` (verdict, counts, current) to queue rows, in one query."""
    ids = [row["id"] for row in rows]
    if not ids:
        return
    marks = ",".join("?" * len(ids))
    found = {row["installation_id"]: row for row in db.query(
        f"SELECT * FROM check_summaries WHERE installation_id IN ({marks})", ids)}
    for row in rows:
        summary = found.get(row["id"])
        row["checks"] = summary and {**summary, "current": summary["rev"] == row["rev"]}
