"""security.py's caching rule: every private answer is no-store; the shell and static files stay cacheable."""

import re

import pytest

from fieldapp import tags
from tests import trace_evidence
from tests.review_evidence import Evidence
from tests.review_evidence import jpeg

# Views that set their caching on purpose (security.cacheable); everything else must be no-store.
CACHEABLE = {"static", "bundle.file", "vendor.asset", "technician.shell", "technician.messages",
             "technician.manifest", "technician.service_worker", "photo_views.photo",
             "trace_views.original", "signature_views.signature"}
# Private answers named in issue 14 item 18, with the role that gets them (each must be a 200).
PRIVATE = [("tech", "/api/v1/pull"), ("tech", "/tech/sites"), ("sup", "/review/{installation_id}"),
           ("admin", "/admin/users/"), ("admin", "/admin/exports/institutions.csv"),
           ("admin", "/admin/exports/institutions.geojson"), ("sup", "/review/{installation_id}/packet.zip"),
           ("admin", "/admin/jobs/{job_id}/file"), ("admin", "/admin/sites/{institution_id}")]


@pytest.fixture
def world(app, db, make, client, auth, finished_job):
    """An accepted installation with a real photo, traces, a signed handover and a tag, a
    finished packets job, all roles."""
    people = {"tech": make.user("technician", "tech"), "admin": make.user("admin", "admin"),
              "sup": make.user("supervisor", "sup", regions=["KZ-31"])}
    inst = make.installation([people["tech"]])
    ev = Evidence(db, app.config)
    photo = ev.photo(people["tech"], inst, "cable_entry", jpeg(1))
    trace, _ = trace_evidence.store_pair(ev, people["tech"], inst)
    handover = ev.handover(people["tech"], inst)
    db.execute("UPDATE installations SET status = 'accepted' WHERE id = ?", [inst])
    institution = db.execute("SELECT institution_id FROM installations WHERE id = ?", [inst]).fetchone()[0]
    code = tags.issue(db, app.config["TAG_KEYS"], institution)
    auth.login("admin")
    job_url = client.post("/admin/exports/packets").headers["Location"]
    assert finished_job(job_url)["state"] == "ready"
    auth.logout()
    return {"installation_id": inst, "institution_id": institution, "user_id": people["tech"]["id"],
            "photo_id": photo["id"], "file_id": photo["id"], "trace_id": trace["id"],
            "handover_id": handover["id"],
            "job_id": job_url.rstrip("/").rsplit("/", 1)[-1], "code": code,
            "token": "a" * 24, "package": "qr-scanner", "filename": "qr-scanner.min.js", "kind": "png",
            "variant": "thumb"}


def _url(rule, values):
    return re.sub(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>", lambda m: str(values[m.group(1)]), rule.rule)


@pytest.mark.parametrize("role", [None, "tech", "sup", "admin"])
def test_every_private_answer_is_no_store(app, client, auth, world, role):
    """Issue 14 item 18: pulls, site lists, review pages, user lists, exports and ZIPs were cacheable."""
    if role:
        auth.login(role)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        response = client.get(_url(rule, world), query_string={"bytes": "10"})
        cache = response.headers.get("Cache-Control", "")
        if rule.endpoint in CACHEABLE and response.status_code == 200:
            assert "no-store" not in cache and cache, (rule.rule, cache)
        else:
            assert "no-store" in cache, (role, rule.rule, response.status_code, cache)


@pytest.mark.parametrize("role, path", PRIVATE)
def test_the_answers_the_issue_named_are_private(client, auth, world, role, path):
    auth.login(role)
    response = client.get(path.format(**world))
    assert response.status_code == 200, path
    assert response.headers["Cache-Control"] == "no-store"


def test_shell_and_static_stay_cacheable_and_photos_private(client, auth, world):
    auth.login("tech")
    assert client.get("/tech/app").headers["Cache-Control"] == "no-cache"
    assert "no-store" not in client.get("/static/js/scan.js").headers["Cache-Control"]
    assert "max-age" in client.get("/vendor/qr-scanner/qr-scanner.min.js").headers["Cache-Control"]
    photo = client.get(f"/photos/{world['photo_id']}/thumb")
    assert photo.status_code == 200 and "private" in photo.headers["Cache-Control"]
    # an error from a cacheable view is not cached either
    missing = client.get("/photos/00000000-0000-4000-8000-000000000000/thumb")
    assert "no-store" in missing.headers["Cache-Control"]
