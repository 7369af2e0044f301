"""Every redirect to a user-given URL stays on this site, whatever the URL hides."""

import pytest

from fieldapp.redirects import local_target

# What browsers turn into another host, or what breaks the response (CR/LF in a header).
HOSTILE = [
    "//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/\rx",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "////evil.example",
    " //evil.example",
    "/ /evil.example",
    "/\x00/evil.example",
    "/\u200b/evil.example",
    "/\u2028/evil.example",
    "https://evil.example/",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "/" + "a" * 3000,
]
SAFE = ["/tech/sites", "/review/?status=submitted&page=2", "/tech/app", "/admin/users/3"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_targets_are_refused(value):
    assert local_target(value) is None


@pytest.mark.parametrize("value", SAFE)
def test_local_paths_are_kept(value):
    assert local_target(value) == value


def test_an_absolute_url_of_this_site_becomes_its_path():
    assert local_target("https://fieldapp.kz/review/?page=2", "https://fieldapp.kz/") == "/review/?page=2"
    assert local_target("https://fieldapp.kz//evil.example", "https://fieldapp.kz/") is None
    assert local_target("https://fieldapp.kz.evil.example/", "https://fieldapp.kz/") is None


def login_redirect(client, target):
    return client.post("/login", query_string={"next": target}, data={"username": "tech", "password": "pw"})


def language_redirect(client, target):
    return client.post("/language/en", data={"next": target})


def bulk_approve_redirect(client, target):
    return client.post("/review/bulk-approve", data={"ids": [999999]}, headers={"Referer": target})


ROUTES = {
    "login": (login_redirect, "/tech/sites"),  # a technician's home
    "language": (language_redirect, "/"),
    "bulk_approve": (bulk_approve_redirect, "/review/"),
}


@pytest.fixture
def signed_in(client, auth, make):
    """A technician for /login and /language; a supervisor signed in for /review."""
    make.user(username="tech")
    make.user("supervisor", username="sup", regions=["KZ-31"])
    return client


# A Referer header cannot carry a newline, so bulk approval is tried with the rest only.
CASES = [(route, value) for route in ROUTES for value in HOSTILE + ["https://localhost//evil.example"]
         if route != "bulk_approve" or not ("\r" in value or "\n" in value)]


@pytest.mark.parametrize("route, value", CASES)
def test_every_redirect_refuses_hostile_targets(signed_in, auth, route, value):
    send, fallback = ROUTES[route]
    if route == "bulk_approve":
        auth.login("sup")
    response = send(signed_in, value)
    assert response.status_code == 302
    assert response.headers["Location"] == fallback


@pytest.mark.parametrize("route", ROUTES)
def test_every_redirect_follows_a_local_target(signed_in, auth, route):
    send, _fallback = ROUTES[route]
    if route == "bulk_approve":
        auth.login("sup")
        assert send(signed_in, "https://localhost/review/?page=2").headers["Location"] == "/review/?page=2"
        return
    assert send(signed_in, "/tech/sites?x=1").headers["Location"] == "/tech/sites?x=1"
