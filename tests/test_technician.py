"""The technician's server side: My sites, the cacheable shell, service worker, manifest."""

import json

import pytest
from flask_babel import force_locale

from fieldapp import installations
from fieldapp import tags
from fieldapp.js_messages import MESSAGES


@pytest.fixture
def tech(make):
    return make.user("technician", username="tech", language="ru")


def test_my_sites_lists_assigned_sites_returned_first(client, auth, make, tech):
    make.installation([tech], type="school")
    returned = make.installation([tech], status="returned", type="akimat")
    make.installation([make.user("technician")], type="hospital")
    auth.login("tech")
    page = client.get("/tech/sites").get_data(as_text=True)
    assert page.count('class="site status-') == 2
    assert page.index("status-returned") < page.index("status-planned")
    assert installations.get(make.db, returned)["name_ru"] in page
    assert "/sw.js" not in page and "js/register.js" in page and "js/phone.js" in page


@pytest.mark.parametrize("path", ["/tech/app", "/t/0XEH5K3212FXHGW", "/T/0XEH-5K32-12FXHGW"])
def test_shell_holds_no_user_data_or_token(client, auth, tech, path):
    auth.login("tech")
    client.get("/api/v1/csrf")
    response = client.get(path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'type="module"' in page and "js/phone.js" in page
    assert "csrf" not in page.lower() and "Tech" not in page
    assert "<script>" not in page and "style=" not in page


def test_shell_is_public_so_the_worker_can_cache_it(client):
    assert client.get("/tech/app").status_code == 200


def test_service_worker_is_served_at_the_root_uncached(client):
    response = client.get("/sw.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    version = json.loads(body.split("\n")[0].removeprefix("const VERSION = ").rstrip(";"))
    assets = json.loads(body.split("\n")[1].removeprefix("const ASSETS = ").rstrip(";"))
    assert len(version) == 12
    for url in ["/tech/app", "/static/js/app.js", "/static/css/tech.css",
                "/vendor/qr-scanner/qr-scanner.min.js", "/vendor/qr-scanner/qr-scanner-worker.min.js"]:
        assert url in assets
    assert not any(url.startswith("/api/") for url in assets)


def test_every_precached_asset_is_served(client):
    body = client.get("/sw.js").get_data(as_text=True)
    assets = json.loads(body.split("\n")[1].removeprefix("const ASSETS = ").rstrip(";"))
    for url in assets:
        assert client.get(url).status_code == 200, url


def test_worker_version_changes_with_the_shell(app, client, monkeypatch):
    from fieldapp import technician

    before = client.get("/sw.js").get_data(as_text=True).split("\n")[0]
    with app.test_request_context():
        assets = technician.shell_assets()
        monkeypatch.setattr(technician, "shell_assets", lambda: [*assets, "/static/icons/icon-512.png"])
        assert technician.shell_version(assets) != technician.shell_version(technician.shell_assets())
    assert client.get("/sw.js").get_data(as_text=True).split("\n")[0] != before


def test_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    manifest = json.loads(response.get_data())
    assert response.mimetype == "application/manifest+json"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/tech/app"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).mimetype == "image/png"


def test_messages_are_every_js_string(client):
    english = client.get("/tech/messages.json", headers={"Accept-Language": "en"}).get_json()
    assert without_act(english) == {key: str(text) for key, text in MESSAGES.items()}
    assert english["my_sites"] == "My sites"


def without_act(messages):
    """The strings in the user's language: all but the handover act's, which come in both."""
    return {key: text for key, text in messages.items() if "@" not in key}


def test_the_handover_act_comes_in_kazakh_and_russian_whatever_the_language(client):
    english = client.get("/tech/messages.json", headers={"Accept-Language": "en"}).get_json()
    assert (english["act_title@kk"], english["act_title@ru"]) == (
        "Орнатуды қабылдау актісі", "Акт приёмки установки")
    assert {key.split("@")[1] for key in english if "@" in key} == {"kk", "ru"}


def test_messages_come_in_the_users_language(app, client, auth, tech):
    # One request context only: the db fixture's app context (and its g) spans requests.
    auth.login("tech")  # a Russian-speaking technician, whatever the browser says
    russian = client.get("/tech/messages.json", headers={"Accept-Language": "en"}).get_json()
    with app.test_request_context(), force_locale("ru"):
        assert without_act(russian) == {key: str(text) for key, text in MESSAGES.items()}


def test_tag_url_is_what_the_qr_holds(app, db, make, tech, client):
    site = make.installation([tech])
    code = tags.issue(db, app.config["TAG_KEYS"], installations.get(db, site)["institution_id"])
    url = tags.url(app.config["TAG_URL_PREFIX"], code)
    path = "/" + url.split("/", 3)[3]
    assert path.startswith("/T/") and client.get(path).status_code == 200
