"""A pass/warn/fail summary per installation, stored, so the review queue shows one per row
without running every check of every row (an earlier try ran them per row: 1.8 s a page).

A summary is written when the checks are run anyway or matter: when a batch leaves an
installation submitted (the submission, or records added to a submitted one), when a
supervisor opens it, and with every decision. It remembers the installation's revision it
saw; one whose installation changed since is shown as not current.
"""

from fieldapp import clock
from fieldapp import store
from fieldapp.evidence import checks


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
