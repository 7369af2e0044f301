"""The review queue's pass/warn/fail summary per installation (fieldapp/check_summaries.py):
stored when the checks run anyway, shown without running any check per row (issue 15)."""

import pytest

from fieldapp import installations
from fieldapp import store
from fieldapp.evidence import checks
from tests.review_evidence import Evidence
from tests.review_evidence import record
from tests.review_evidence import splice


@pytest.fixture
def people(make):
    return {"tech": make.user("technician", "tech"), "sup": make.user("supervisor", "sup", regions=["KZ-31"])}


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


def summary(db, inst):
    sql = "SELECT verdict, passed, warned, failed FROM check_summaries WHERE installation_id = ?"
    return store.one(db, sql, [inst])


def no_checks_here(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the queue ran an installation's checks")
    monkeypatch.setattr(checks, "run_all", refuse)


def test_a_submission_stores_its_summary_and_the_queue_shows_it_without_checking(
        client, auth, db, make, ev, people, monkeypatch):
    clean, bad = make.installation([people["tech"]]), make.installation([people["tech"]])
    ev.complete(people["tech"], clean)
    over = splice(bad, losses=(0.68, 0.68, 0.66, 0.66))
    ev.batch(people["tech"], over, record("submission", bad, comment=""))
    assert summary(db, clean)["verdict"] == "pass"
    assert summary(db, clean)["failed"] == 0
    assert summary(db, bad)["verdict"] == "fail" and summary(db, bad)["failed"] > 0
    no_checks_here(monkeypatch)
    auth.login("sup")
    page = client.get("/review/").get_data(as_text=True)
    assert page.count('class="checks-summary"') == 2
    assert '<span class="verdict verdict-pass">pass</span>' in page
    assert '<span class="verdict verdict-fail">fail</span>' in page


def test_a_summary_older_than_the_installation_says_so_until_reviewed(client, auth, db, make, ev, people):
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst)
    with store.write(db):
        installations.touch(db, inst)  # e.g. a late photo: the stored summary is not current
    auth.login("sup")
    assert "changed since these checks" in client.get("/review/").get_data(as_text=True)
    client.get(f"/review/{inst}")  # the supervisor opens it: its checks run and are kept
    assert "changed since these checks" not in client.get("/review/").get_data(as_text=True)


def test_a_decision_keeps_the_summary_current(client, auth, db, make, ev, people):
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst)
    rev = store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [inst])
    auth.login("sup")
    client.post(f"/review/{inst}/approve", data={"rev": rev})
    assert store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst]) == "approved"
    page = client.get("/review/?status=approved").get_data(as_text=True)
    assert 'class="checks-summary"' in page and "changed since these checks" not in page


def test_an_installation_never_checked_says_so(client, auth, make, people):
    make.installation([people["tech"]], status="submitted")  # submitted before summaries existed
    auth.login("sup")
    assert "not checked yet" in client.get("/review/").get_data(as_text=True)


def test_the_queue_can_show_only_the_installations_whose_checks_all_pass(client, auth, make, ev, people):
    clean, bad = make.installation([people["tech"]]), make.installation([people["tech"]])
    ev.complete(people["tech"], clean)
    over = splice(bad, losses=(0.68, 0.68, 0.66, 0.66))
    ev.batch(people["tech"], over, record("submission", bad, comment=""))
    auth.login("sup")

    def queue(checks):
        answer = client.get("/review/", query_string={"status": "submitted", "checks": checks})
        return answer.get_data(as_text=True)

    page = queue("pass")
    assert f'/review/{clean}"' in page and f'/review/{bad}"' not in page
    page = queue("fail")
    assert f'/review/{bad}"' in page and f'/review/{clean}"' not in page


def test_a_batch_answers_before_its_summary_which_follows_once_per_installation(
        app, client, auth, db, make, ev, people, monkeypatch):
    """Issue 18 §4: with fifty crews at once the checks were two thirds of a batch's time;
    the phone's answer no longer waits for them, and the summary still comes."""
    import threading
    import time

    app.config["CHECK_SUMMARIES"] = "background"
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst, submit=False)
    release, ran = threading.Event(), []
    real = checks.run_all

    def held(db_, installation_id):  # the checks wait until the test has seen the answer
        release.wait(10)
        ran.append(installation_id)
        return real(db_, installation_id)

    monkeypatch.setattr(checks, "run_all", held)
    auth.login("tech")
    for n, rec in enumerate([record("submission", inst, comment=""), splice(inst, slot=3)]):
        answer = client.post("/api/v1/batches", json={"key": f"k-summary-{n}", "records": [rec]})
        assert answer.status_code == 200 and answer.get_json()["results"][0]["status"] == "stored"
    assert summary(db, inst) is None and not ran  # answered while the checks were held
    release.set()
    refresher = app.extensions["fieldapp.summaries"]
    for _ in range(200):
        if refresher.idle():
            break
        time.sleep(0.05)
    assert summary(db, inst)["verdict"] in {"pass", "warn"}
    assert ran in ([inst], [inst, inst])  # the second batch queued it again only if the first was taken
