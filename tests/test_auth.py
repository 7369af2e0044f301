"""Signing in and out, backoff after failures, and the session cookie."""

from datetime import timedelta

import pytest

from fieldapp import accounts
from fieldapp import clock
from fieldapp import login_limits
from fieldapp import store


def test_login_page_renders(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="username"' in response.data


def test_login_and_logout(client, auth, make):
    make.user(username="tech")
    response = auth.login("tech")
    assert response.status_code == 302
    assert client.get("/").headers["Location"].endswith("/tech/sites")
    auth.logout()
    assert client.get("/").headers["Location"].endswith("/login")


@pytest.mark.parametrize(("username", "password"), [("tech", "wrong"), ("nobody", "pw"), ("tech", "")])
def test_bad_credentials(client, auth, make, username, password):
    make.user(username="tech")
    response = auth.login(username, password)
    assert response.status_code in (200, 401)
    assert response.status_code != 302
    assert client.get("/tech/sites").headers["Location"].startswith("/login")


def test_inactive_user_cannot_login(db, auth, make):
    user = make.user(username="gone")
    with store.write(db):
        db["users"].update(user["id"], {"active": 0})
    assert auth.login("gone").status_code == 401


def test_backoff_after_repeated_failures(app, db, auth, make):
    make.user(username="tech")
    for _ in range(app.config["LOGIN_FREE_ATTEMPTS"]):
        assert auth.login("tech", "wrong").status_code == 401
    # Locked now: even the right password is refused, with a wait time.
    response = auth.login("tech", "pw")
    assert response.status_code == 401
    assert b"Try again in" in response.data
    locked = store.scalar(db, "SELECT locked_until FROM users WHERE username = 'tech'")
    assert locked is not None


def test_backoff_doubles_and_caps(db, make):
    make.user(username="tech")
    waits = []
    for _ in range(8):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(db, "tech", "wrong", free_attempts=2, backoff_s=10, backoff_max_s=40)
        with store.write(db):  # let the wait pass so the next attempt is counted
            locked = store.scalar(db, "SELECT locked_until FROM users WHERE username = 'tech'")
            waits.append(locked is not None)
            db.execute("UPDATE users SET locked_until = NULL WHERE username = 'tech'")
    assert waits == [False, True, True, True, True, True, True, True]


def test_success_resets_failures(db, make):
    make.user(username="tech")
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(db, "tech", "wrong")
    user = accounts.authenticate(db, "tech", "pw")
    assert user["username"] == "tech"
    assert store.scalar(db, "SELECT failed_logins FROM users WHERE id = ?", [user["id"]]) == 0


def test_passwords_are_argon2(db, make):
    make.user(username="tech")
    stored = store.scalar(db, "SELECT password_hash FROM users WHERE username = 'tech'")
    assert stored.startswith("$argon2id$")


def test_production_hashes_meet_owasp_floor():
    # Module-level hashes are made before tests swap in a cheap hasher: production parameters.
    params = dict(p.split("=") for p in accounts._DUMMY_HASH.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def test_session_cookie_flags(client, auth, make):
    make.user(username="tech")
    response = auth.login("tech")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_secure_over_https(client, make):
    make.user(username="tech")
    response = client.post(
        "/login", data={"username": "tech", "password": "pw"}, base_url="https://fieldapp.example"
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_forwarded_https_trusted_only_behind_a_configured_proxy(tmp_path, make):
    from fieldapp import create_app

    def login(proxies):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "x",
                "DATABASE": make.db.conn.execute("PRAGMA database_list").fetchone()[2],
                "WTF_CSRF_ENABLED": False,
                "TRUSTED_PROXIES": proxies,
            }
        )
        response = app.test_client().post(
            "/login",
            data={"username": "tech", "password": "pw"},
            headers={"X-Forwarded-Proto": "https"},
            environ_overrides={"wsgi.url_scheme": "http"},  # the hop to us is plain HTTP
        )
        return response.headers["Set-Cookie"]

    make.user(username="tech")
    assert "Secure" not in login(0)
    assert "Secure" in login(1)


def test_open_redirect_refused(client, make):
    make.user(username="tech")
    response = client.post("/login?next=//evil.example/", data={"username": "tech", "password": "pw"})
    assert response.headers["Location"] == "/"


def test_csrf_enforced_when_enabled(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    make.user(username="tech")
    response = client.post("/login", data={"username": "tech", "password": "pw"})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "tech", "password": "pw", "csrf_token": token})
    assert response.status_code == 302


def sign_in_from(client, address, username, password="pw"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_one_address_trying_many_accounts_waits_too(app, db, client, make):
    """Spraying one password over many accounts never trips an account's backoff; the address's does."""
    app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"] = 3
    for n in range(3):
        make.user(username=f"tech{n}")
        assert sign_in_from(client, "203.0.113.7", f"tech{n}", "summer2026").status_code == 401
    refused = sign_in_from(client, "203.0.113.7", "tech0")  # the right password, still refused
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins from this network" in refused.data
    assert store.scalar(db, "SELECT COUNT(*) FROM users WHERE locked_until IS NOT NULL") == 0
    assert sign_in_from(client, "198.51.100.2", "tech0").status_code == 302  # other phones go on


def test_an_address_waits_longer_each_failure_and_starts_afresh_after_a_quiet_window(db):
    start = clock.parse("2026-11-24T08:00:00Z")
    args = {"free_attempts": 2, "window_s": 900, "backoff_s": 10, "backoff_max_s": 40}

    def fail(at):
        login_limits.note_failure(db, "203.0.113.7", start + timedelta(seconds=at), **args)
        return login_limits.wait_seconds(db, "203.0.113.7", start + timedelta(seconds=at))

    assert [fail(s) for s in (0, 1, 2, 3, 4)] == [None, 11, 21, 41, 41]
    assert login_limits.wait_seconds(db, "203.0.113.7", start + timedelta(seconds=45)) is None
    assert fail(2000) is None  # a window later: counted from one again
    assert login_limits.wait_seconds(db, "198.51.100.2", start) is None
