"""A phone still on an older version of the app syncs into today's server unchanged.

Technicians stay offline for weeks on the version they installed, so every recorded
request of an old phone session (record_phone_session.py) is sent again, byte for byte, to a
server with the same sites: each answer must keep every field the old phone read, with the
same values, and the server must end up holding what the old server held.
"""

import base64
import json
import pathlib

import pytest

from fieldapp import installations

from .seed import seed_sites

HERE = pathlib.Path(__file__).parent
SESSIONS = sorted(HERE.glob("phone_session_v*.json"))
# Server-side clocks and tokens differ from one run to the next; everything else must match.
VOLATILE = {"received_at", "created_at", "updated_at", "resolved_at", "completed_at", "csrf_token"}


def missing_or_changed(old, new, path="$"):
    """Where `new` lacks a field of `old` or holds another value (extra fields are allowed)."""
    if isinstance(old, dict):
        if not isinstance(new, dict):
            return [f"{path}: was an object"]
        return [problem for key, value in old.items() if key not in VOLATILE
                for problem in (missing_or_changed(value, new[key], f"{path}.{key}")
                                if key in new else [f"{path}.{key}: missing"])]
    if isinstance(old, list):
        if not isinstance(new, list) or len(new) != len(old):
            return [f"{path}: list of {len(old)} became {new!r:.80}"]
        return [p for n, (a, b) in enumerate(zip(old, new, strict=True))
                for p in missing_or_changed(a, b, f"{path}[{n}]")]
    return [] if old == new else [f"{path}: {old!r:.60} became {new!r:.60}"]


@pytest.mark.parametrize("session_file", SESSIONS, ids=[s.stem for s in SESSIONS])
def test_an_old_phone_session_replays_unchanged(session_file, client, auth, db, make, app):
    session = json.loads(session_file.read_text(encoding="utf-8"))
    seeded = seed_sites(db, make, app.config["TAG_KEYS"], tag_rows=session["seed"]["tags"])
    assert [seeded["a"], seeded["b"]] == session["seed"]["installations"]
    auth.login("tech")
    problems = []
    for exchange in session["exchanges"]:
        answer = client.open(exchange["path"], method=exchange["method"],
                             headers=exchange["headers"],
                             data=base64.b64decode(exchange["body_b64"]))
        where = f"{exchange['method']} {exchange['path']}"
        if answer.status_code != exchange["status"]:
            problems.append(f"{where}: status {exchange['status']} became {answer.status_code}")
        elif exchange["answer"] is not None:
            problems += [f"{where} {p}" for p in missing_or_changed(exchange["answer"], answer.get_json())]
    assert problems == []
    assert installations.get(db, seeded["a"])["status"] == "submitted"
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("scans", "splices", "notes", "photos", "submissions")}
    assert counts == {"scans": 1, "splices": 3, "notes": 1, "photos": 1, "submissions": 1}
