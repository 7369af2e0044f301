"""Sessions live on the server: sign-out, a new password and deactivation end them (issue 14)."""

import hashlib
from datetime import timedelta

import pytest

from fieldapp import accounts
from fieldapp import clock
from fieldapp import roster
from fieldapp import store

DAY = 86400


@pytest.fixture
def tech(make):
    return make.user(username="tech")


def copy_of(app, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_out(client):
    page = client.get("/tech/sites")
    return page.status_code == 302 and page.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_sign_out_opens_nothing(app, client, auth, tech):
    auth.login("tech")
    thief = copy_of(app, client)
    assert thief.get("/tech/sites").status_code == 200
    auth.logout()
    assert signed_out(thief)
    assert thief.get("/api/v1/pull").status_code == 401


def test_a_new_password_ends_every_session_of_the_account(app, db, client, auth, tech):
    auth.login("tech")
    phone = app.test_client()
    phone.post("/login", data={"username": "tech", "password": "pw"})
    accounts.set_password(db, tech["id"], "new-password-1")
    assert signed_out(client) and signed_out(phone)
    answer = app.test_client().get("/api/v1/pull")  # the phone's sync sees a plain 401 too
    assert answer.status_code == 401 and answer.get_json()["error"] == "not_signed_in"


def test_an_admin_reset_through_the_page_ends_sessions(app, client, admin, make):
    other = make.user(username="tech")
    phone = app.test_client()
    phone.post("/login", data={"username": "tech", "password": "pw"})
    form = {"password": "new-password-1", "confirm": "new-password-1"}
    assert client.post(f"/admin/users/{other['id']}/password", data=form).status_code == 302
    assert signed_out(phone)


def test_deactivation_ends_sessions_and_reactivation_does_not_revive_them(app, db, client, auth, tech):
    auth.login("tech")
    thief = copy_of(app, client)
    roster.update(db, tech["id"], {"active": 0}, [])
    roster.update(db, tech["id"], {"active": 1}, [])
    assert signed_out(client) and signed_out(thief)


def test_other_sessions_survive_one_sign_out(app, client, auth, tech):
    auth.login("tech")
    phone = app.test_client()
    phone.post("/login", data={"username": "tech", "password": "pw"})
    auth.logout()
    assert phone.get("/tech/sites").status_code == 200


def test_a_cookie_from_before_server_sessions_is_refused(client, tech):
    with client.session_transaction() as session:
        session["user_id"] = tech["id"]
    assert signed_out(client)


def test_the_sign_in_page_says_the_session_ended(app, db, client, auth, tech):
    auth.login("tech")
    accounts.set_password(db, tech["id"], "new-password-1")
    page = client.get("/tech/sites", follow_redirects=True).get_data(as_text=True)
    assert "Your session has ended. Please sign in again." in page


def test_the_database_holds_only_a_hash_of_the_token(client, db, auth, tech):
    auth.login("tech")
    with client.session_transaction() as session:
        token = session["sid"]
    assert store.scalar(db, "SELECT id FROM sessions") == hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
def at(monkeypatch):
    """Move the app's clock: at(seconds) sets it to a fixed start plus `seconds`."""
    start = clock.parse("2026-11-24T08:00:00Z")

    def move(seconds):
        monkeypatch.setattr(clock, "now", lambda: clock.to_iso(start + timedelta(seconds=seconds)))

    move(0)
    return move


def test_a_phone_offline_for_days_stays_signed_in_but_not_past_the_idle_limit(client, auth, tech, at):
    auth.login("tech")
    for day in (13, 26):  # a request every 13 days keeps it alive ...
        at(day * DAY)
        assert client.get("/tech/sites").status_code == 200
    at(26 * DAY + 14 * DAY + 1)  # ... 14 days without one ends it
    assert signed_out(client)


def test_a_session_ends_at_the_absolute_limit_however_busy(client, auth, tech, at):
    auth.login("tech")
    for day in range(1, 30):
        at(day * DAY)
        assert client.get("/tech/sites").status_code == 200
    at(30 * DAY + 1)
    assert signed_out(client)


def test_last_seen_is_written_at_most_every_few_minutes(client, db, auth, tech, at):
    auth.login("tech")
    version = store.scalar(db, "PRAGMA data_version")  # changes when another connection commits
    for minute in range(5):
        at(minute * 60)
        assert client.get("/tech/sites").status_code == 200
    assert store.scalar(db, "PRAGMA data_version") == version
    at(6 * 60)
    client.get("/tech/sites")
    assert store.scalar(db, "SELECT last_seen FROM sessions") == "2026-11-24T08:06:00.000Z"


def test_an_admin_who_resets_their_own_password_stays_signed_in_only_here(app, client, admin):
    laptop = app.test_client()
    laptop.post("/login", data={"username": "boss", "password": "pw"})
    form = {"password": "new-password-1", "confirm": "new-password-1"}
    client.post(f"/admin/users/{admin['id']}/password", data=form)
    assert client.get("/admin/users/").status_code == 200
    assert laptop.get("/admin/users/").status_code == 302


def test_the_cookie_is_sent_at_sign_in_not_with_every_answer(client, auth, tech):
    """Issue 18 §1: re-sending the cookie could extend nothing (the server's absolute limit
    counts from sign-in) and cost ~330 bytes on every 2G response."""
    signed_in = auth.login("tech")
    assert any(c.startswith("session=") for c in signed_in.headers.getlist("Set-Cookie"))
    for path in ("/tech/sites", "/api/v1/pull", "/tech/messages.json", "/tech/app"):
        answer = client.get(path)
        assert answer.status_code == 200 and "Set-Cookie" not in answer.headers, path
