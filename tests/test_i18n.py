"""Kazakh, Russian and English: catalogs filled in, and the language chosen the right way."""

import pathlib

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = pathlib.Path(__file__).parent.parent / "fieldapp" / "translations"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_catalog_complete(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    missing = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert missing == [], f"{len(missing)} untranslated in {language}: {missing[:5]}"


def test_catalog_covers_sources():
    """Every string marked in the code is in the template (run `make extract-messages`)."""
    with open(TRANSLATIONS / "messages.pot", "rb") as f:
        template = {m.id for m in read_po(f) if m.id}
    with open(TRANSLATIONS / "ru" / "LC_MESSAGES" / "messages.po", "rb") as f:
        russian = {m.id for m in read_po(f) if m.id}
    assert template <= russian


@pytest.mark.parametrize(
    ("accept", "expected"),
    [("kk-KZ,kk;q=0.9", "Кіру"), ("ru-RU,ru;q=0.9", "Войти"), ("en-US,en;q=0.9", "Sign in")],
)
def test_accept_language_before_login(client, accept, expected):
    page = client.get("/login", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert expected in page


def test_switcher_before_login(client):
    client.post("/language/kk", data={"next": "/login"})
    assert "Кіру" in client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)


def test_user_language_wins_and_switch_is_saved(client, auth, db, make):
    make.user(username="tech", language="ru")
    auth.login("tech")
    page = client.get("/tech/sites", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Мои объекты" in page
    client.post("/language/en", data={"next": "/tech/sites"})
    assert db["users"].rows_where("username = 'tech'").__next__()["language"] == "en"


def test_unknown_language_404(client):
    assert client.post("/language/fr").status_code == 404
