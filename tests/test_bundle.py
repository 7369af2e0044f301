"""bundle.py: the phone's pages load one esbuild bundle, found from the templates, never stale."""

import json
import os
import re

import pytest

from fieldapp import bundle
from fieldapp import technician


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def sw_assets(client):
    body = client.get("/sw.js").get_data(as_text=True)
    return json.loads(body.split("\n")[1].removeprefix("const ASSETS = ").rstrip(";"))


@pytest.fixture
def bundled(app, built_bundle):
    app.config["BUNDLE_DIR"] = built_bundle
    return built_bundle


def test_one_bundle_holds_the_phone_graph_and_nothing_else(built_bundle):
    built = bundle.manifest(built_bundle)
    assert list(built["bundles"]) == ["js/phone.js"]
    name = built["bundles"]["js/phone.js"]
    assert name.startswith("phone-") and name.endswith(".js") and name != "phone.js"
    # Static and lazily imported modules are in; admin and review scripts are not.
    for module in ("js/app.js", "js/sitedata.js", "js/outbox.js", "js/photos.js",
                   "js/splices.js", "js/speed/screen.js"):
        assert module in built["sources"], module
    for module in ("js/map.js", "js/job.js", "js/print.js", "js/speed/page.js", "js/register.js"):
        assert module not in built["sources"], module
    with open(os.path.join(built_bundle, name), encoding="utf-8") as f:
        code = f.read()
    assert "/vendor/qr-scanner/qr-scanner.min.js" in code  # vendor files stay their own


def test_a_new_module_is_bundled_without_a_list(tmp_path):
    static, templates, out = tmp_path / "static", tmp_path / "templates", tmp_path / "dist"
    write(templates, {"page.html": "<script type=module src=\"{{ module_url('js/phone.js') }}\"></script>"})
    write(static, {"js/phone.js": 'import { a } from "./a.js";\nconsole.log(a);\n'
                                  'document.onclick = () => import("./sor.js").then((m) => m.show());\n',
                   "js/a.js": 'export const a = "first-module";\n',
                   "js/sor.js": 'export function show() { console.log("new-sor-screen"); }\n',
                   "js/admin.js": 'console.log("admin-only");\n'})
    built = bundle.build(str(static), str(templates), str(out))
    code = (out / built["bundles"]["js/phone.js"]).read_text()
    assert "first-module" in code and "new-sor-screen" in code and "admin-only" not in code
    assert set(built["sources"]) == {"js/phone.js", "js/a.js", "js/sor.js"}
    name = built["bundles"]["js/phone.js"]
    assert sorted(os.listdir(out)) == sorted([bundle.MANIFEST, name, f"{name}.map"])


def test_an_edited_module_is_served_as_itself_until_rebuilt(app, tmp_path):
    static, templates, out = tmp_path / "static", tmp_path / "templates", tmp_path / "dist"
    write(templates, {"page.html": "{{ module_url('js/phone.js') }}"})
    write(static, {"js/phone.js": 'import "./a.js";\n', "js/a.js": 'console.log("one");\n'})
    first = bundle.build(str(static), str(templates), str(out))["bundles"]["js/phone.js"]
    app.static_folder = str(static)
    app.config["BUNDLE_DIR"] = str(out)
    with app.test_request_context():
        assert bundle.module_url("js/phone.js") == f"/dist/{first}"
        (static / "js/a.js").write_text('console.log("two, longer");\n')
        assert bundle.module_url("js/phone.js") == "/static/js/phone.js"  # stale: never served
        second = bundle.build(str(static), str(templates), str(out))["bundles"]["js/phone.js"]
        assert second != first and bundle.module_url("js/phone.js") == f"/dist/{second}"
        assert not (out / first).exists()  # the older build is cleared away
        os.remove(static / "js/a.js")
        assert bundle.module_url("js/phone.js") == "/static/js/phone.js"


def test_without_a_build_pages_load_the_modules(client):
    assert 'src="/static/js/phone.js"' in client.get("/tech/app").get_data(as_text=True)
    assets = sw_assets(client)
    assert "/static/js/app.js" in assets and not any(url.startswith("/dist/") for url in assets)


def test_built_pages_load_the_bundle_and_the_worker_precaches_it(bundled, client, auth, make):
    name = bundle.manifest(bundled)["bundles"]["js/phone.js"]
    assert f'src="/dist/{name}"' in client.get("/tech/app").get_data(as_text=True)
    make.user("technician", username="tech")
    auth.login("tech")
    assert f'src="/dist/{name}"' in client.get("/tech/sites").get_data(as_text=True)
    assets = sw_assets(client)
    assert f"/dist/{name}" in assets
    assert not any(url.startswith("/static/js/") for url in assets), assets
    # What the bundle itself still loads at run time is found in it and precached.
    for url in ("/static/css/speed.css", "/vendor/qr-scanner/qr-scanner.min.js",
                "/vendor/qr-scanner/qr-scanner-worker.min.js", "/static/css/tech.css"):
        assert url in assets, url
    assert len(assets) <= 10, assets
    for url in assets:
        assert client.get(url).status_code == 200, url


def test_the_worker_version_follows_the_bundle(app, client, built_bundle):
    modules = client.get("/sw.js").get_data(as_text=True).split("\n")[0]
    app.config["BUNDLE_DIR"] = built_bundle
    assert client.get("/sw.js").get_data(as_text=True).split("\n")[0] != modules
    with app.test_request_context():
        assert technician.module_path("js/phone.js").startswith("/dist/phone-")


def test_a_bundle_is_immutable_compressed_and_inert(bundled, client, auth, make):
    make.user("technician", username="tech")
    auth.login("tech")
    name = bundle.manifest(bundled)["bundles"]["js/phone.js"]
    response = client.get(f"/dist/{name}", headers={"Accept-Encoding": "br"})
    # Not per cookie: the cookie changes as its expiry is refreshed, and the worker's
    # precache must find My sites' copy in the browser's cache (test_bundle_browser.py).
    assert "cookie" not in response.headers["Vary"].lower()
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Content-Encoding"] == "br"
    cache = response.cache_control
    assert cache.immutable and cache.public and cache.max_age >= 30 * 86400
    assert "Content-Security-Policy" not in response.headers  # a module: the page's policy rules
    assert "Set-Cookie" not in response.headers
    assert client.get(f"/dist/{name}.map").status_code == 200
    for missing in ("/dist/manifest.json", "/dist/nothing.js", "/dist/../manifest.webmanifest"):
        answer = client.get(missing)
        assert answer.status_code == 404 and "no-store" in answer.headers["Cache-Control"], missing


# What a bundle cannot carry: a URL computed from the module's own (it is /dist/<bundle>
# once bundled), a worker started from a module file, an import esbuild cannot follow.
UNBUNDLABLE = re.compile(r"""import\.meta|new\s+(?:Shared)?Worker\s*\((?!\s*["']/)|\bimport\(\s*[^"'\s)]""")


def test_no_module_in_the_bundle_needs_its_own_url(built_bundle):
    """A module merged from another branch that does one of these works as a module and
    breaks only in the bundle, which the rest of the suite does not load."""
    found = []
    for name in bundle.manifest(built_bundle)["sources"]:
        with open(os.path.join(bundle.ROOT, "static", name), encoding="utf-8") as f:
            found.extend(f"{name}: {m.group(0)}" for m in UNBUNDLABLE.finditer(f.read()))
    assert not found, "load workers and files by absolute /static/ or /vendor/ URLs: " + ", ".join(found)
