"""Sign-in limits: per account name (known or not), per device, per network (issue 14)."""

import http.client
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from fieldapp import accounts
from fieldapp import clock
from fieldapp import login_limits
from fieldapp import migrations
from fieldapp import store

CARRIER = "203.0.113.7"  # one carrier-grade NAT address in front of a whole crew
RULE = login_limits.Rule(free_attempts=2, window_s=900, backoff_s=10, backoff_max_s=40)
START = clock.parse("2026-11-24T08:00:00Z")


def fail(db, at, key="network:203.0.113.7"):
    """A completed failure for `key` at START + `at` s; then how long the key must wait."""
    login_limits.count_failure(db, key, START + timedelta(seconds=at), RULE)
    return login_limits.wait(db, key, START + timedelta(seconds=at))


def test_a_key_waits_longer_each_failure_and_starts_afresh_after_a_quiet_window(db):
    assert fail(db, 0) is None and fail(db, 1) == 10  # the second one locks
    assert fail(db, 11) == 20 and fail(db, 31) == 40 and fail(db, 71) == 40  # capped
    assert fail(db, 2000) is None  # quiet for a window: counted from one again
    assert fail(db, 0, key="network:198.51.100.2") is None


def test_failures_that_never_pause_for_a_window_keep_counting(db):
    """A window fixed from the first failure would hand out a fresh allowance every 15 minutes."""
    for n in range(6):
        login_limits.count_failure(
            db, "network:x", START + timedelta(seconds=800 * n), RULE._replace(free_attempts=99)
        )
    assert store.scalar(db, "SELECT failures FROM login_failures") == 6


def test_quiet_counts_are_forgotten_so_made_up_names_do_not_pile_up(db):
    for n in range(20):
        fail(db, 0, key=f"account:ghost{n}")
    fail(db, 5000, key="account:later")
    assert store.scalar(db, "SELECT group_concat(key) FROM login_failures") == "account:later"


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
                accounts.authenticate(connection, "tech", "wrong", RULE._replace(free_attempts=100))
        finally:
            connection.conn.close()

    with ThreadPoolExecutor(guesses) as pool:
        list(pool.map(guess, range(guesses)))
    db = store.connect(app.config["DATABASE"])
    assert store.scalar(db, "SELECT failures FROM login_failures WHERE key = 'account:tech'") == guesses


def post_login(server, username, password):
    """POST /login over a real socket (REMOTE_ADDR 127.0.0.1 for all): status and Location."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
    try:
        body = urlencode({"username": username, "password": password})
        connection.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def test_a_crew_signing_in_at_once_behind_one_address_all_get_in(app, make, live_server):
    """The morning briefing: sign-ins in flight are not failures, however many share an address."""
    app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"] = 5
    crew = [make.user(username=f"crew{n}", password=f"pw-{n}")["username"] for n in range(50)]
    with ThreadPoolExecutor(50) as pool:
        answers = list(pool.map(lambda name: post_login(live_server, name, f"pw-{name[4:]}"), crew))
    assert answers == [(302, "/tech/sites")] * 50  # straight to the role's home


def sign_in(client, username, password="pw", address=CARRIER):
    return client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_one_password_sprayed_over_many_accounts_from_one_network_is_slowed(app, db, client, make):
    """Spraying never trips an account's backoff; the network's does, counting only failures."""
    app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"] = 3
    names = [make.user(username=f"tech{n}")["username"] for n in range(10)]
    statuses = [sign_in(client, name, "summer2026").status_code for name in names]
    assert statuses == [401, 401, 401] + [429] * 7
    refused = sign_in(client, "newcomer", "pw")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert b"Too many failed sign-ins from this network" in refused.data
    assert store.scalar(db, "SELECT failures FROM login_failures WHERE key = ?", [f"network:{CARRIER}"]) == 3
    assert sign_in(client, "tech0", address="198.51.100.2").status_code == 302  # other networks go on


def test_an_attacker_cannot_lock_a_crew_out_of_their_network(app, make):
    """The attacker shares the carrier's address and guesses at the victim's account too; the
    victim's phone, which signed in before, still gets in. A browser that never signed in
    waits, like the attacker."""
    app.config["LOGIN_ADDRESS_FREE_ATTEMPTS"] = 3
    make.user(username="aigerim", password="right-one")
    for n in range(5):
        make.user(username=f"tech{n}")
    phone, attacker, new_phone = app.test_client(), app.test_client(), app.test_client()
    assert sign_in(phone, "aigerim", "right-one").status_code == 302
    phone.post("/logout")
    for name in [f"tech{n}" for n in range(5)] + ["aigerim"] * 8:
        sign_in(attacker, name, "guess")
    assert sign_in(attacker, "aigerim", "right-one").status_code == 429  # locked, right or not
    assert sign_in(new_phone, "aigerim", "right-one").status_code == 429
    assert sign_in(phone, "aigerim", "right-one").status_code == 302


def test_a_phone_that_signed_in_before_counts_its_own_failures(app, db, make):
    make.user(username="aigerim", password="right-one")
    phone = app.test_client()
    sign_in(phone, "aigerim", "right-one")
    statuses = [sign_in(phone, "aigerim", "typo").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]  # its own backoff: someone may have taken the phone
    assert store.scalar(db, "SELECT COUNT(*) FROM login_failures WHERE key = 'account:aigerim'") == 0
    assert sign_in(app.test_client(), "aigerim", "right-one", address="198.51.100.2").status_code == 302


def test_a_device_cookie_helps_only_the_account_it_was_earned_for(app, make):
    make.user(username="attacker", password="mine")
    make.user(username="victim", password="secret")
    client = app.test_client()
    sign_in(client, "attacker", "mine")  # a real cookie, for the attacker's own account
    for _ in range(6):
        sign_in(client, "victim", "guess")
    assert sign_in(client, "victim", "guess").status_code == 429
    forged = app.test_client()
    forged.set_cookie("fieldapp_device", "eyJ2aWN0aW0iOiJ4In0.forged", path="/login")
    assert sign_in(forged, "victim", "guess").status_code == 429


def lockout_answers(client, username):
    """What seven wrong passwords on `username` answer, each from its own network."""
    answers = []
    for n in range(7):
        response = sign_in(client, username, "wrong", address=f"198.51.100.{n + 1}")
        flash = re.findall(r'class="flash[^"]*"[^>]*>([^<]*)<', response.get_data(as_text=True))
        answers.append((response.status_code, response.headers.get("Retry-After"), flash))
    return answers


def test_an_unknown_name_is_refused_exactly_like_a_real_account(client, make, monkeypatch):
    """Same message, status and backoff: the lockout tells nobody which accounts exist."""
    monkeypatch.setattr(clock, "now", lambda: "2026-11-24T08:00:00.000Z")
    make.user(username="tech")
    real, unknown = lockout_answers(client, "tech"), lockout_answers(client, "nobody")
    assert real == unknown
    assert [status for status, _wait, _flash in real] == [401] * 5 + [429] * 2
    assert "Too many failed attempts" in real[-1][2][0]


def test_the_migration_carries_over_the_counts_in_force(tmp_path):
    """A deploy in the middle of an attack must not hand out fresh allowances."""
    db = store.connect(str(tmp_path / "old.sqlite3"))
    migrations.migrations.apply(db, stop_before="m063_sessions")
    user = {"name": "T", "password_hash": "x", "role": "technician", "created_at": "2026-01-01T00:00:00Z"}
    db["users"].insert(
        {**user, "username": "tech", "failed_logins": 7, "locked_until": "2999-01-01T00:00:00.000Z"}
    )
    db["users"].insert({**user, "username": "fine"})
    db["login_addresses"].insert(
        {"address": CARRIER, "failures": 31, "last_failure": "2026-11-24T08:00:00.000Z", "locked_until": None}
    )
    migrations.apply(db)
    rows = {row["key"]: row for row in db.query("SELECT * FROM login_failures")}
    assert set(rows) == {"account:tech", f"network:{CARRIER}"}
    assert rows["account:tech"]["locked_until"] == "2999-01-01T00:00:00.000Z"
    assert rows[f"network:{CARRIER}"]["forget_after"] == "2026-11-24T08:15:00.000Z"
    assert "login_addresses" not in db.table_names()
