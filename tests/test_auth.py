"""Signing in and out, backoff after failures, and the session cookie."""

from concurrent.futures import ThreadPoolExecutor
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


LIMITS = {"free_attempts": 2, "window_s": 900, "backoff_s": 10, "backoff_max_s": 40}
START = clock.parse("2026-11-24T08:00:00Z")


def attempt(db, at, key="203.0.113.7"):
    """One sign-in attempt from `key` at START + `at` seconds: its wait, or None and its undo."""
    return login_limits.begin_attempt(db, key, START + timedelta(seconds=at), **LIMITS)


def test_an_address_waits_longer_each_failure_and_starts_afresh_after_a_quiet_window(db):
    assert attempt(db, 0)[0] is None and attempt(db, 1)[0] is None  # the second one locks
    assert attempt(db, 2)[0] == 10  # still locked: refused, not counted
    assert attempt(db, 11)[0] is None and attempt(db, 12)[0] == 20  # third: 20 s
    assert attempt(db, 32)[0] is None and attempt(db, 33)[0] == 40  # fourth: 40 s
    assert attempt(db, 73)[0] is None and attempt(db, 74)[0] == 40  # capped at 40 s
    assert attempt(db, 2000)[0] is None and attempt(db, 2001)[0] is None  # quiet: counted from one
    assert attempt(db, 0, key="198.51.100.2")[0] is None


def test_failures_that_never_pause_for_a_window_keep_counting(db):
    """A window fixed from the first failure would hand out a fresh allowance every 15 minutes."""
    waits = []
    at = 0
    for _ in range(6):
        wait, _undo = attempt(db, at)
        waits.append(wait)
        at += 800  # each failure within the window of the one before, never of the first
    assert waits == [None] * 6
    assert store.scalar(db, "SELECT failures FROM login_addresses") == 6


def test_a_right_password_takes_back_its_count_and_its_lock(db):
    attempt(db, 0)
    wait, undo = attempt(db, 1)  # the second counts as failed, and locks ...
    assert wait is None and undo["lock"] is not None
    login_limits.forgive(db, "203.0.113.7", undo)  # ... until it turns out right
    assert attempt(db, 2)[0] is None
    assert store.scalar(db, "SELECT failures FROM login_addresses") == 2


def test_successes_on_a_busy_network_do_not_keep_its_count_from_restarting(db):
    """Many phones behind one carrier address: a sign-in every few minutes must not stretch the
    quiet window forever, or occasional typos pile up into a lockout for everyone."""
    attempt(db, 0)  # a typo
    for at in range(300, 1800, 300):  # then a good sign-in every five minutes
        login_limits.forgive(db, "203.0.113.7", attempt(db, at)[1])
    attempt(db, 1900)  # the next typo, more than a window after the last one
    assert store.scalar(db, "SELECT failures FROM login_addresses") == 1


def test_parallel_guesses_from_one_network_are_each_counted(app):
    guesses = 8

    def guess(n):
        connection = store.connect(app.config["DATABASE"])
        try:
            limits = {**LIMITS, "free_attempts": 100}
            return login_limits.begin_attempt(connection, "203.0.113.7", START, **limits)
        finally:
            connection.conn.close()

    with ThreadPoolExecutor(guesses) as pool:
        assert all(wait is None for wait, _undo in pool.map(guess, range(guesses)))
    db = store.connect(app.config["DATABASE"])
    assert store.scalar(db, "SELECT failures FROM login_addresses") == guesses


def test_a_network_is_an_ipv4_address_or_an_ipv6_slash_64():
    key = login_limits.client_key
    assert key("203.0.113.7") == "203.0.113.7"
    assert key("2001:db8:1:2:aaaa::1") == key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert key("2001:db8:1:3::1") != key("2001:db8:1:2::1")
    assert key("::ffff:203.0.113.7") == "203.0.113.7"
    assert key(None) == "unknown"


def test_parallel_guesses_on_one_account_are_each_counted(app, make):
    """Counted in the same write as the lock check: guesses racing in from many workers
    cannot all read the count before any of them has raised it."""
    make.user(username="tech")
    guesses = 8

    def guess(_):
        connection = store.connect(app.config["DATABASE"])
        try:
            with pytest.raises(accounts.LoginRefused):
                accounts.authenticate(connection, "tech", "wrong", free_attempts=100)
        finally:
            connection.conn.close()

    with ThreadPoolExecutor(guesses) as pool:
        list(pool.map(guess, range(guesses)))
    db = store.connect(app.config["DATABASE"])
    assert store.scalar(db, "SELECT failed_logins FROM users WHERE username = 'tech'") == guesses
