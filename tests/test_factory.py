"""The app factory and configuration."""

import pytest

from fieldapp import create_app
from fieldapp import migrations
from fieldapp import store


def test_testing_config(app):
    assert app.testing
    assert not create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE": ":memory:"}).debug


@pytest.mark.parametrize("secret", [None, "", "dev"])
def test_production_refuses_default_secret(secret, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    monkeypatch.setenv("FLASK_DEBUG", "0")
    from fieldapp import config

    cfg = {**config.DEFAULTS, "SECRET_KEY": secret, "TAG_KEYS": {1: "real-key"}}
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.refuse_insecure(cfg)


def test_production_refuses_default_tag_key():
    from fieldapp import config

    with pytest.raises(RuntimeError, match="TAG_KEYS"):
        config.refuse_insecure({**config.DEFAULTS, "SECRET_KEY": "long-random"})


def test_migrations_twice_is_noop(db):
    before = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    migrations.apply(db)
    after = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert before == after
    assert store.scalar(db, "SELECT COUNT(*) FROM regions") == 17


def test_pragmas(db):
    assert store.scalar(db, "PRAGMA journal_mode") == "wal"
    assert store.scalar(db, "PRAGMA foreign_keys") == 1
    assert store.scalar(db, "PRAGMA synchronous") == 2  # FULL


def test_write_rolls_back_on_error(db):
    with pytest.raises(ZeroDivisionError), store.write(db):
        db.execute("UPDATE regions SET name_en = 'X' WHERE iso_code = 'KZ-31'")
        raise ZeroDivisionError
    assert store.scalar(db, "SELECT name_en FROM regions WHERE iso_code = 'KZ-31'") == "Jambyl"


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


@pytest.mark.parametrize(("url", "policies"), [
    ("/login", True), ("/sw.js", True), ("/vendor/qr-scanner/qr-scanner-worker.min.js", True),
    ("/static/js/app.js", False), ("/static/css/app.css", False), ("/tech/messages.json", False),
    ("/static/icons/icon-192.png", False), ("/manifest.webmanifest", False),
])
def test_document_policies_only_where_a_document_or_worker_can_run(client, url, policies):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    for header in ("Content-Security-Policy", "X-Frame-Options", "Permissions-Policy", "Referrer-Policy"):
        assert (header in response.headers) is policies, header


def test_static_files_do_not_refresh_the_session_cookie(client, auth, make):
    make.user(username="tech")
    auth.login("tech")
    assert "Set-Cookie" not in client.get("/static/js/app.js").headers
    assert "Set-Cookie" not in client.get("/vendor/qr-scanner/qr-scanner.min.js").headers
    # Nor pages: the server keeps the session alive (user_sessions' idle limit, last_seen), and
    # the cookie already lasts until the session's absolute limit (issue 18 §1).
    assert "Set-Cookie" not in client.get("/tech/sites").headers


def test_request_size_limit(client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"username": "x" * 5000, "password": "y"})
    assert response.status_code == 413
