"""Review pages and decisions: rights, the queue, return -> pull -> resubmit -> accept."""

import json
import pathlib
import re
import uuid

import flask_babel
import pytest
from babel.support import NullTranslations

from fieldapp import audit
from fieldapp import check_text
from fieldapp import decisions
from fieldapp import records
from fieldapp import review
from fieldapp import store
from fieldapp.evidence import checks
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg
from tests.review_evidence import record
from tests.review_evidence import splice


@pytest.fixture
def people(make):
    return {
        "tech": make.user("technician", "tech"),
        "sup": make.user("supervisor", "sup", regions=["KZ-31"]),
        "far": make.user("supervisor", "far", regions=["KZ-63"]),
        "admin": make.user("admin", "admin"),
    }


@pytest.fixture
def ev(db, app):
    return Evidence(db, app.config)


@pytest.fixture
def submitted(make, ev, people):
    """A submitted installation in KZ-31 whose checks all pass."""
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst)
    return inst


def status(db, inst):
    return store.scalar(db, "SELECT status FROM installations WHERE id = ?", [inst])


def rev(db, inst):
    return store.scalar(db, "SELECT rev FROM installations WHERE id = ?", [inst])


URLS = ["/review/", "/review/photos", "/review/{id}"]
POSTS = ["/review/{id}/approve", "/review/{id}/return", "/review/bulk-approve"]


@pytest.mark.parametrize("who, code", [("tech", 403), ("far", 404), ("sup", 200), ("admin", 200)])
def test_role_matrix_for_pages(client, auth, people, submitted, who, code):
    auth.login(who)
    for url in URLS:
        expected = 200 if who == "far" and "{id}" not in url else code
        assert client.get(url.format(id=submitted)).status_code == expected, url


@pytest.mark.parametrize("who", ["tech", "far"])
def test_nobody_outside_the_role_or_region_can_decide(client, auth, db, people, submitted, who):
    auth.login(who)
    for url in POSTS:
        response = client.post(url.format(id=submitted), data={"ids": [submitted]})
        assert response.status_code in (302, 403, 404), url
    assert status(db, submitted) == "submitted"
    assert store.scalar(db, "SELECT COUNT(*) FROM reviews") == 0


def test_anonymous_is_sent_to_login(client, submitted):
    assert client.get("/review/").headers["Location"].startswith("/login")


def test_queue_oldest_first_in_my_regions_with_filters(client, auth, db, make, people, submitted):
    older = make.installation([people["tech"]], status="submitted")
    make.installation([people["tech"]], status="submitted", region="KZ-63")
    with store.write(db):
        db.execute("UPDATE installations SET submitted_at = '2026-01-02T00:00:00.000Z' WHERE id = ?", [older])
    auth.login("sup")
    page = client.get("/review/").get_data(as_text=True)
    links = re.findall(r'href="/review/(\d+)"', page)
    assert links == [str(older), str(submitted)]
    other_tech = make.user("technician", "other")
    mine = make.installation([other_tech], status="submitted")
    filtered = client.get(f"/review/?status=submitted&technician={other_tech['id']}").get_data(as_text=True)
    assert re.findall(r'href="/review/(\d+)"', filtered) == [str(mine)]
    aged = client.get("/review/?status=&min_age_days=30").get_data(as_text=True)
    assert re.findall(r'href="/review/(\d+)"', aged) == [str(older)]


def test_approve_all_passing(client, auth, db, people, submitted):
    auth.login("sup")
    response = client.post(f"/review/{submitted}/approve", data={"rev": rev(db, submitted)})
    assert response.status_code == 302
    assert status(db, submitted) == "approved"
    review = store.one(db, "SELECT * FROM reviews")
    snapshot = json.loads(review["checks"])
    assert review["decision"] == "approve" and snapshot["profile_version"] == 1
    assert all({"rule", "value", "threshold", "verdict"} <= set(c) for c in snapshot["checks"])
    (entry,) = [e for e in audit.entries(db, "installation", submitted) if e["action"] == "approve"]
    assert entry["after"]["checks"] == snapshot["checks"]
    # The snapshot keeps the English detail and, for the pages to translate, its code and numbers.
    gps = next(c for c in snapshot["checks"] if c["rule"] == "photo.gps")
    assert gps["detail_code"] == "gps_distance" and gps["detail_args"] == {"distance": gps["value"]}
    assert gps["detail"] == f"{gps['value']} m from the institution"


def test_failing_checks_need_an_override_reason(client, auth, db, make, ev, people):
    inst = make.installation([people["tech"]])
    ev.batch(people["tech"], record("submission", inst, comment=""))
    auth.login("sup")
    response = client.post(f"/review/{inst}/approve", data={"rev": rev(db, inst)})
    assert response.status_code == 422 and status(db, inst) == "submitted"
    assert "override reason" in response.get_data(as_text=True)
    client.post(
        f"/review/{inst}/approve", data={"rev": rev(db, inst), "override_reason": "Signed off by phone"}
    )
    assert status(db, inst) == "approved"
    assert store.scalar(db, "SELECT override_reason FROM reviews") == "Signed off by phone"


def test_a_stale_page_cannot_decide(client, auth, db, people, submitted):
    auth.login("sup")
    old = rev(db, submitted)
    Evidence(db, client.application.config).batch(people["tech"], splice(submitted, slot=9))
    response = client.post(f"/review/{submitted}/approve", data={"rev": old})
    assert response.status_code == 422 and status(db, submitted) == "submitted"


def test_return_needs_a_reason_per_item(client, auth, db, people, submitted):
    auth.login("sup")
    data = {"rev": rev(db, submitted), "items-0-kind": "scan", "items-0-ref": "", "items-0-selected": "y"}
    response = client.post(f"/review/{submitted}/return", data=data)
    assert response.status_code == 422 and status(db, submitted) == "submitted"
    assert client.post(f"/review/{submitted}/return", data={"rev": rev(db, submitted)}).status_code == 422


def test_the_splicer_and_its_estimate_are_shown_but_never_decide(client, auth, make, ev, people):
    tech = people["tech"]
    inst = make.installation([tech])
    ev.complete(tech, inst)
    ev.batch(tech, splice(inst, slot=9, losses=(0.4, 0.4, 0.4, 0.4), splicer_estimate_db=0.02,
                          splicer_model="Fujikura 90S", splicer_serial="SN1"))
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "Splicers used: Fujikura 90S s/n SN1" in page
    row = next(r for r in page.split("<tr ")[1:] if ">MUF-1</td>" in r and ">1 / 9</td>" in r)
    assert re.search(r'class="num diagnostic"[^>]*>0.02<', row) and row.startswith('class="row-fail"')


def test_return_pull_resubmit_accept(client, auth, db, app, ev, people, make):
    tech = people["tech"]
    inst = make.installation([tech])
    shots = ev.complete(tech, inst)
    bad_splice = splice(inst, slot=5, losses=(0.4, 0.4, 0.4, 0.4))
    ev.batch(tech, bad_splice)
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "row-fail" in page and "/photos/" in page
    blurred = shots["power"]["id"]
    form = {
        "rev": rev(db, inst),
        "comment": "Two things",
        "items-0-kind": "photo",
        "items-0-ref": blurred,
        "items-0-selected": "y",
        "items-0-reason": "Blurred, retake",
        "items-1-kind": "splice",
        "items-1-ref": bad_splice["id"],
        "items-1-selected": "y",
        "items-1-reason": "0.4 dB: re-splice",
        "items-2-kind": "speed_test",
        "items-2-ref": "",
        "items-2-reason": "not chosen",
    }
    assert client.post(f"/review/{inst}/return", data=form).status_code == 302
    assert status(db, inst) == "returned"
    review = store.one(db, "SELECT * FROM reviews")
    assert review["decision"] == "return"
    assert json.loads(review["checks"])["profile_version"] == 1

    tech_client = app.test_client()
    tech_client.post("/login", data={"username": "tech", "password": "pw"})
    pulled = tech_client.get("/api/v1/pull").get_json()
    (mine,) = [i for i in pulled["installations"] if i["id"] == inst]
    assert mine["status"] == "returned"
    assert {(r["item_kind"], r["item_ref"], r["reason"]) for r in mine["returned_items"]} == {
        ("photo", blurred, "Blurred, retake"),
        ("splice", bad_splice["id"], "0.4 dB: re-splice"),
    }

    ev.photo(tech, inst, "power", jpeg(999), replaces=blurred)
    fixed = splice(inst, slot=5, attempt=2, losses=(0.05, 0.05, 0.05, 0.05), replaces=bad_splice["id"])
    body = {"key": str(uuid.uuid4()), "records": [fixed, record("submission", inst, comment="redone")]}
    answer = tech_client.post("/api/v1/batches", json=body).get_json()
    assert [r["status"] for r in answer["results"]] == ["stored", "stored"]
    assert status(db, inst) == "submitted"
    assert store.scalar(db, "SELECT COUNT(*) FROM returned_items WHERE resolved_at IS NULL") == 0

    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "Since the last review" in page and "redone" in page
    queue = client.get("/review/").get_data(as_text=True)
    assert "resubmitted" in queue
    assert client.post(f"/review/{inst}/approve", data={"rev": rev(db, inst)}).status_code == 302
    assert client.post(f"/review/{inst}/accept", data={"rev": rev(db, inst)}).status_code == 302
    assert status(db, inst) == "accepted"
    actions = [e["action"] for e in audit.entries(db, "installation", inst)]
    assert {"return", "approve", "accept"} <= set(actions)


def test_bulk_approve_only_all_passing(client, auth, db, make, ev, people, submitted):
    failing = make.installation([people["tech"]])
    ev.batch(people["tech"], record("submission", failing, comment=""))
    outside = make.installation([people["tech"]], status="submitted", region="KZ-63")
    auth.login("sup")
    response = client.post(
        "/review/bulk-approve", data={"ids": [submitted, failing, outside]}, follow_redirects=True
    )
    assert "Approved 1 installation" in response.get_data(as_text=True)
    assert [status(db, i) for i in (submitted, failing, outside)] == ["approved", "submitted", "submitted"]


def test_bulk_approve_with_nothing_ticked_approves_nothing(client, auth, people, submitted, db):
    auth.login("sup")
    response = client.post("/review/bulk-approve", data={}, follow_redirects=True)
    assert response.status_code == 200 and "Approved 0 installation" in response.get_data(as_text=True)
    assert status(db, submitted) == "submitted"


def test_photo_grid_across_installations(client, auth, make, ev, people, submitted):
    other = make.installation([people["tech"]])
    ev.complete(people["tech"], other, seed=500)
    auth.login("sup")
    page = client.get("/review/photos").get_data(as_text=True)
    assert len(re.findall(r'src="/photos/[0-9a-f-]+/thumb"', page)) == 2 * 9  # 8 shots and a label each
    assert f"/review/{other}#photo-" in page


def test_csrf_is_enforced_on_decisions(app, db, people, submitted):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/login", data={"username": "sup", "password": "pw", "csrf_token": token})
    assert client.post(f"/review/{submitted}/approve", data={}).status_code == 400
    page = client.get(f"/review/{submitted}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post(f"/review/{submitted}/approve", data={"csrf_token": token, "rev": rev(db, submitted)})
    assert status(db, submitted) == "approved"


def test_page_of_an_installation_not_yet_submitted(client, auth, make, people):
    inst = make.installation([people["tech"]])
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    assert "Nothing to decide" in page and "Return the chosen items" not in page
    assert client.post(f"/review/{inst}/approve", data={"override_reason": "x"}).status_code == 422


@pytest.mark.parametrize("query", ["page=99999999999999999999", "page=-99999999999999999999", "page=1e20",
                                   "district=99999999999999999999", "region=99999999999999999999",
                                   "technician=99999999999999999999", "district=1e20"])
@pytest.mark.parametrize("path", ["/review/", "/review/photos"])
def test_numbers_beyond_sqlite_in_the_queue_are_not_a_500(client, auth, people, submitted, path, query):
    """Review H2: these overflowed SQLite's INTEGER; an invalid filter is ignored, pages are clamped."""
    auth.login("sup")
    response = client.get(f"{path}?{query}")
    assert response.status_code == 200
    if path == "/review/":
        assert re.findall(r'href="/review/(\d+)"', response.get_data(as_text=True)) == [str(submitted)]


def test_installation_id_beyond_sqlite_is_404(client, auth, people):
    auth.login("sup")
    assert client.get("/review/99999999999999999999").status_code == 404


def test_bulk_approval_is_bound_to_the_revision_its_checks_saw(db, ev, people, submitted, monkeypatch):
    """Review L2: a record arriving while the checks ran was approved on outdated checks."""
    run_all = checks.run_all

    def late_record(db_, installation_id):
        result = run_all(db_, installation_id)
        ev.batch(people["tech"], record("note", installation_id, text="arrived meanwhile"))
        return result

    monkeypatch.setattr(checks, "run_all", late_record)
    result = decisions.bulk_approve(db, [submitted], people["sup"]["id"])
    assert result == {"approved": [], "skipped": [{"id": submitted, "code": "stale"}]}
    assert status(db, submitted) == "submitted" and db["reviews"].count == 0
    monkeypatch.setattr(checks, "run_all", run_all)
    assert decisions.bulk_approve(db, [submitted], people["sup"]["id"])["approved"] == [submitted]


def test_a_garbled_revision_is_stale_not_a_500(client, auth, db, people, submitted):
    auth.login("sup")
    response = client.post(f"/review/{submitted}/approve", data={"rev": "abc"})
    assert response.status_code == 422 and status(db, submitted) == "submitted"
    assert "changed while you were looking" in response.get_data(as_text=True)


def test_speed_test_codes_are_shown_as_words_in_the_users_language(client, auth, make, submitted):
    make.user("supervisor", "rusup", regions=["KZ-31"], language="ru")
    auth.login("rusup")
    page = client.get(f"/review/{submitted}").get_data(as_text=True)
    speed_table = page[page.index('<table class="data speed'):]
    speed_table = speed_table[: speed_table.index("</table>")]
    assert "Тест в приложении" in speed_table and "Кабелем к ONT" in speed_table
    assert ">browser<" not in speed_table and ">wired<" not in speed_table


class Marked(NullTranslations):
    """A stand-in catalog that marks every string it translates, so untranslated text stands out."""

    def ugettext(self, message):
        return f"«{message}»"

    def ungettext(self, singular, plural, n):
        return f"«{singular if n == 1 else plural}»"


def test_every_check_detail_and_unit_goes_through_the_catalog(client, auth, monkeypatch, make, ev, people):
    inst = make.installation([people["tech"]])
    ev.complete(people["tech"], inst)
    ev.batch(people["tech"], splice(inst, slot=5, losses=(0.4, 0.4, None, None)))
    monkeypatch.setattr(flask_babel.Domain, "get_translations", lambda self: Marked())
    auth.login("sup")
    page = client.get(f"/review/{inst}").get_data(as_text=True)
    details = re.findall(r'<small class="help">(.*?)</small>', page)
    assert len(details) > 20 and all(d.startswith("«") for d in details), details
    splice_notes = re.findall(r"<small>«[^<]*»: ([^<]*)</small>", page)
    assert splice_notes and all(n.startswith("«") for n in splice_notes), splice_notes
    assert re.search(r"<dd>«\d+ m»</dd>", page)


@pytest.mark.parametrize("code, args, english", [
    ("reuse", {"count": 1}, "1 near-identical photo at other institutions"),
    ("reuse", {"count": 3}, "3 near-identical photos at other institutions"),
    ("link_mean", {"count": 1, "wavelength": "1550"}, "1 splice at 1550 nm"),
    ("runs_counted", {"count": 3, "connection": "wired"}, "3 wired runs counted"),
    ("median_vs_contract", {"contract": 50.0}, "median Mbit/s; contract 50 Mbit/s"),
    ("loss_resplice", {"attempt": 1, "needed": 3}, "over target: re-splice (attempt 1 of 3)"),
    (None, {}, "text of a snapshot stored before detail codes"),
])
def test_check_detail_counts_with_plurals(app, code, args, english):
    old_text = "text of a snapshot stored before detail codes"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert review.check_detail({"detail": old_text, "detail_code": code, "detail_args": args}) == english


def test_every_detail_code_the_checks_write_has_a_text():
    folder = pathlib.Path(review.__file__).parent / "evidence"
    source = "".join(path.read_text() for path in folder.glob("*.py"))
    written = set(re.findall(r'note\(\s*"(\w+)"', source))
    assert len(written) > 15 and written == set(check_text.DETAILS) | set(check_text.KIND_DETAILS)


@pytest.mark.parametrize("value, shown", [
    (None, "—"), (0.10, "0.1"), (21, "21"), ("2026-11-03T09:41:07.120Z", "2026-11-03 14:41 UTC+5"),
    ("2026-12-31T20:30:00Z", "2027-01-01 01:30 UTC+5"),
    ("2026-11-01 .. 2026-11-04", "2026-11-01 .. 2026-11-04"),
])
def test_check_values_read_as_people_write_them(value, shown):
    assert check_text.number(value) == shown


def test_wrong_tag_codes_are_a_finding_for_the_reviewer(client, auth, db, people, submitted):
    """Issue 14 item 13: the supervisor sees how many invalid codes a technician scanned here."""
    code = "ABCD23451ZZZZZZ"
    scans = [record("scan", submitted, code=code) for _ in range(3)]
    response = records.store_batch(db, people["tech"], str(uuid.uuid4()), scans, {1: "test-tag-key-1"})
    assert [r["code"] for r in response["results"]] == ["tag_invalid"] * 3
    auth.login("sup")
    page = client.get(f"/review/{submitted}").get_data(as_text=True)
    assert f"Wrong tag codes scanned for this installation by {people['tech']['name']}: 3" in page
