"""The speed test's server side (fieldapp/speedtest.py): source, sink, ping, page, rights."""

import json
import re
import zlib

import pytest
from werkzeug.test import EnvironBuilder

from fieldapp import speedtest


@pytest.fixture
def tech(make, auth):
    user = make.user("technician", username="tech")
    auth.login("tech")
    return user


def test_download_streams_incompressible_bytes_uncached(client, tech):
    response = client.get("/speedtest/down?bytes=3000000")
    assert response.status_code == 200
    assert len(response.data) == 3_000_000
    assert response.headers["Content-Length"] == "3000000"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Encoding"] == "identity"
    assert response.mimetype == "application/octet-stream"
    assert len(zlib.compress(response.data[:1_000_000])) > 990_000  # random: gzip would gain nothing


def test_download_size_is_capped(client, tech, monkeypatch):
    monkeypatch.setattr(speedtest, "DOWN_CAP", 5000)
    assert len(client.get("/speedtest/down?bytes=999999999").data) == 5000
    assert len(client.get("/speedtest/down?bytes=-5").data) == 0


def test_upload_sink_counts_and_discards_beyond_the_app_wide_body_limit(client, tech, app):
    body = b"\x00" * (20 * 1024 * 1024)  # above MAX_CONTENT_LENGTH (16 MiB), below the sink's cap
    assert len(body) > app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/speedtest/up", data=body, content_type="application/octet-stream")
    assert response.status_code == 200
    assert response.get_json() == {"bytes": len(body)}
    assert "no-store" in response.headers["Cache-Control"]


def test_upload_sink_refuses_bodies_over_its_cap(client, tech, monkeypatch):
    monkeypatch.setattr(speedtest, "UP_CAP", 1000)
    response = client.post("/speedtest/up", data=b"x" * 1001, content_type="application/octet-stream")
    assert response.status_code == 413


def test_ping_is_tiny(client, tech):
    response = client.get("/speedtest/ping")
    assert response.status_code == 204
    assert response.data == b""


@pytest.mark.parametrize("method, path", [("get", "/speedtest/down"), ("post", "/speedtest/up"),
                                          ("get", "/speedtest/ping"), ("get", "/speedtest/")])
def test_needs_a_signed_in_technician(client, make, auth, method, path):
    assert getattr(client, method)(path).status_code == 302  # to the sign-in page
    make.user("supervisor", username="boss")
    auth.login("boss")
    assert getattr(client, method)(path).status_code == 403


def test_upload_sink_is_csrf_protected(app, client, tech):
    app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/speedtest/")
    token = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
    body = b"y" * 100_000
    refused = client.post("/speedtest/up", data=body, content_type="application/octet-stream")
    assert refused.status_code == 400
    accepted = client.post("/speedtest/up", data=body, content_type="application/octet-stream",
                           headers={"X-CSRFToken": token})
    assert accepted.get_json() == {"bytes": 100_000}


def page_data(response):
    raw = re.search(r'data-speed="([^"]+)"', response.text).group(1)
    return json.loads(raw.replace("&#34;", '"').replace("&quot;", '"').replace("&amp;", "&")
                      .replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">"))


def test_page_carries_the_site_requirement_and_translated_messages(client, make, tech):
    installation = make.installation([tech], type="school", pupils=900, contracted_down_mbps=30)
    response = client.get(f"/speedtest/?installation={installation}&phase=0.1&runs=50")
    assert response.status_code == 200
    data = page_data(response)
    assert data["installation"]["required_mbps"] == {"down": 45, "up": 100}
    assert data["profile"]["speed"]["min_runs"] == 3
    assert data["messages"]["speed_start"] == "Start speed test"
    assert data["options"] == {"phaseSeconds": 0.5, "runs": 9}  # clamped


@pytest.mark.parametrize("phase, runs", [("nan", str(2**63)), ("inf", "-1"), ("-inf", "1e3")])
def test_options_that_are_no_finite_number_fall_back_to_defaults(client, tech, phase, runs):
    """max(nan, 0.5) is nan: the page's JSON said NaN and the test ran with no phase length."""
    data = page_data(client.get(f"/speedtest/?phase={phase}&runs={runs}"))
    assert data["options"]["phaseSeconds"] == 8.0 and 1 <= data["options"]["runs"] <= 9


def test_page_refuses_a_site_the_technician_is_not_on(client, make, tech):
    other = make.installation([make.user("technician")])
    assert client.get(f"/speedtest/?installation={other}").status_code == 404


def test_reason_text_renders_every_verdict_reason(app):
    with app.test_request_context():
        assert "90.0" in speedtest.reason_text({"code": "down_too_slow", "value": 50.0, "threshold": 90.0})
        assert "3" in speedtest.reason_text({"code": "too_few_runs", "count": 1, "need": 3})
        assert speedtest.reason_text({"code": "wifi_not_counted", "count": 2})
        assert speedtest.reason_text({"code": "up_too_slow", "value": 1.0, "threshold": 2.0})


def test_transfers_beyond_the_slot_limit_get_503_and_free_their_slot(app, client, tech):
    app.config["SPEEDTEST_MAX_STREAMS"] = 1
    first = client.get("/speedtest/down?bytes=3000000")  # not yet read: holds the only slot
    busy = client.get("/speedtest/down?bytes=10")
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert client.post("/speedtest/up", data=b"x", content_type="application/octet-stream").status_code == 503
    assert client.get("/speedtest/ping").status_code == 204  # other requests are not limited
    assert len(first.data) == 3_000_000
    first.close()
    assert client.post("/speedtest/up", data=b"x", content_type="application/octet-stream").status_code == 200
    assert len(client.get("/speedtest/down?bytes=10").data) == 10


def test_head_requests_do_not_keep_transfer_slots(app, client, tech):
    """Review M2: 13 HEAD /down took every slot for good (the body generator never ran)."""
    for _ in range(app.config["SPEEDTEST_MAX_STREAMS"] + 1):
        with client.head("/speedtest/down?bytes=10") as response:  # the server closes it once sent
            assert response.status_code == 200 and response.data == b""
    assert len(client.get("/speedtest/down?bytes=10").data) == 10


def test_a_client_gone_before_the_body_frees_its_slot(app, client, tech):
    """The server closes the body unread when the phone is gone before the first byte."""
    app.config["SPEEDTEST_MAX_STREAMS"] = 1
    cookie = f"session={client.get_cookie('session').value}"
    environ = EnvironBuilder("/speedtest/down?bytes=10", headers={"Cookie": cookie}).get_environ()
    body = app(environ, lambda status, headers, exc_info=None: None)
    assert client.get("/speedtest/down?bytes=10").status_code == 503  # held by the unread body
    body.close()
    body.close()  # released once: a second close must not free a slot it does not hold
    assert len(client.get("/speedtest/down?bytes=10").data) == 10
    held = client.get("/speedtest/down?bytes=10", buffered=False)
    assert client.get("/speedtest/down?bytes=10").status_code == 503
    held.close()
