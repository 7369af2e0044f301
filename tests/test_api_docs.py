"""docs/api.md names every error code the API can answer, and every code has a message.

The outside client was written from the docs and found codes they did not list; this reads
the codes the code raises and the messages it has, and fails on any the docs lack.
"""

import pathlib
import re

from fieldapp import sync_api

ROOT = pathlib.Path(__file__).parent.parent
RAISED = re.compile(r"""Rejected\(\s*["'](\w+)["']""")
PROBLEMS = re.compile(r"""problem\(\s*"\w+",\s*"(\w+)\"""")
IMAGE = re.compile(r"""ImageRejected\(\s*"(\w+)"\)""")


def raised_codes():
    """Every code a Rejected, an image refusal or a speed-test problem carries in fieldapp/."""
    codes = set()
    for path in (ROOT / "fieldapp").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes |= set(RAISED.findall(text)) | set(PROBLEMS.findall(text)) | set(IMAGE.findall(text))
    return codes


def test_every_code_raised_has_a_message_for_the_phone():
    known = set(sync_api.MESSAGES) | set(sync_api.KIND_MESSAGES)
    assert sorted(raised_codes() - known) == []


def test_every_code_with_a_message_is_in_the_api_docs():
    api = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`(\w+)`", api))
    codes = set(sync_api.MESSAGES) | set(sync_api.KIND_MESSAGES) | raised_codes()
    assert sorted(codes - documented) == []


def test_files_of_any_kind_share_the_photo_upload(client, auth, make):
    tech = make.user("technician", username="tech")
    make.installation([tech])
    auth.login("tech")
    url = "/api/v1/files/{}/1b4e28ba-2fa1-11d2-883f-0016d3cca427"
    assert client.get(url.format("photo") + "/upload").get_json()["error"] == "unknown_photo"
    for not_a_file in ("splice", "nonsense"):
        answer = client.put(url.format(not_a_file), json={"installation_id": 1})
        assert (answer.status_code, answer.get_json()["error"]) == (400, "bad_type")
