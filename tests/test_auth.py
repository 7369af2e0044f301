"""Signing in and out, backoff after failures, and the session cookie."""

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
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert b"Try again in" in response.data
    locked = store.scalar(db, "SELECT locked_until FROM login_failures WHERE key = 'account:tech'")
    assert locked is not None


def test_backoff_doubles_and_caps(db, make):
    make.user(username="tech")
    waits = []
    rule = login_limits.Rule(free_attempts=2, window_s=86400, backoff_s=10, backoff_max_s=40)
    for _ in range(8):
        with pytest.raises(accounts.LoginRefused):
            accounts.authenticate(db, "tech", "wrong", rule)
        with store.write(db):  # let the wait pass so the next attempt is counted
            locked = store.scalar(db, "SELECT locked_until FROM login_failures WHERE key = 'account:tech'")
            waits.append(locked and (clock.parse(locked) - clock.parse(clock.now())).total_seconds())
            db.execute("UPDATE login_failures SET locked_until = NULL")
    assert [round(w) if w else None for w in waits] == [None, 10, 20, 40, 40, 40, 40, 40]


def test_success_resets_failures(db, make):
    make.user(username="tech")
    with pytest.raises(accounts.LoginRefused):
        accounts.authenticate(db, "tech", "wrong")
    user = accounts.authenticate(db, "tech", "pw")
    assert user["username"] == "tech"
    assert store.scalar(db, "SELECT COUNT(*) FROM login_failures WHERE key = 'account:tech'") == 0


def test_passwords_are_argon2(db, make):
    make.user(username="tech")
    stored = store.scalar(db, "SELECT password_hash FROM users WHERE username = 'tech'")
    assert stored.startswith("$argon2id$")


def test_production_hashes_meet_owasp_floor():
    # Module-level hashes are made before tests swap in a cheap hasher: production parameters.
    params = dict(p.split("=") for p in accounts._DUMMY_HASH.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2


def cookies(response):
    """{name: its Set-Cookie header} of a response (a sign-in sets the session and device ones)."""
    return {value.split("=")[0]: value for value in response.headers.getlist("Set-Cookie")}


def test_session_cookie_flags(client, auth, make):
    make.user(username="tech")
    response = auth.login("tech")
    assert set(cookies(response)) == {"session", "fieldapp_device"}
    for cookie in cookies(response).values():
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
    assert "Path=/login" in cookies(response)["fieldapp_device"]  # sent nowhere else


def test_session_cookie_secure_over_https(client, make):
    make.user(username="tech")
    response = client.post(
        "/login", data={"username": "tech", "password": "pw"}, base_url="https://fieldapp.example"
    )
    assert all("Secure" in cookie for cookie in cookies(response).values())


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
        return cookies(response)["session"]

    make.user(username="tech")
    assert "Secure" not in login(0)
    assert "Secure" in login(1)


def test_open_redirect_refused(client, make):
    make.user(username="tech")
    response = client.post("/login?next=//evil.example/", data={"username": "tech", "password": "pw"})
    assert response.headers["Location"] == "/tech/sites"  # the technician's home, not elsewhere


def test_csrf_enforced_when_enabled(app, client, make):
    app.config["WTF_CSRF_ENABLED"] = True
    make.user(username="tech")
    response = client.post("/login", data={"username": "tech", "password": "pw"})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "tech", "password": "pw", "csrf_token": token})
    assert response.status_code == 302
