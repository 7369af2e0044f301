"""precache.py: the shell's real module graph decides what the service worker keeps."""

import json

from fieldapp import precache
from fieldapp import technician

ADMIN_AND_REVIEW = ["/static/js/map.js", "/static/js/job.js", "/static/js/print.js",
                    "/static/js/speed/page.js", "/static/js/register.js",
                    "/static/css/admin.css", "/static/css/review.css", "/static/icons/icon-512.png"]


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_walk_follows_static_dynamic_and_reexports(tmp_path):
    write(tmp_path, {
        "js/app.js": 'import * as a from "./a.js";\nimport {\n  x,\n  y,\n} from "./kinds.js";\n'
                     'import "./side.js";\n',
        "js/a.js": 'export { b } from "./deep/b.js";\nconst s = () => import("./lazy.js");\n',
        "js/deep/b.js": 'import { c } from "../c.js";\nconst href = "/static/css/extra.css";\n'
                        'const q = await import("/vendor/pkg/decoder.js");\n',
        "js/c.js": "export const c = 1;\n", "js/kinds.js": "", "js/side.js": "", "js/lazy.js": "",
        "js/admin.js": 'import * as a from "./a.js";\n', "css/extra.css": "", "vendor/pkg/decoder.js": "",
    })

    def locate(url):
        return str(tmp_path / url.removeprefix("/static/")) if url.startswith("/static/") else (
            str(tmp_path / url.lstrip("/")) if url.startswith("/vendor/") else None)

    found = precache.walk(["/static/js/app.js"], locate)
    modules = {f"/static/js/{n}.js" for n in ("app", "a", "kinds", "side", "deep/b", "lazy", "c")}
    assert set(found) == modules | {"/static/css/extra.css", "/vendor/pkg/decoder.js"}
    assert "/static/js/admin.js" not in found  # nothing the shell loads imports it
    assert len(found) == len(set(found))


def test_a_missing_module_is_left_out(tmp_path):
    write(tmp_path, {"js/app.js": 'import("./gone.js");\n'})
    found = precache.walk(["/static/js/app.js"], lambda url: str(tmp_path / url.removeprefix("/static/")))
    assert found == ["/static/js/app.js"]


def test_shell_precache_is_the_module_graph(app, client):
    body = client.get("/sw.js").get_data(as_text=True)
    assets = json.loads(body.split("\n")[1].removeprefix("const ASSETS = ").rstrip(";"))
    for url in ["/tech/app", "/tech/messages.json", "/static/js/app.js", "/static/js/splices.js",
                "/static/js/speed/screen.js", "/static/js/speed/stats.js", "/static/css/speed.css",
                "/static/js/sor.js", "/static/js/traces.js", "/static/js/tracematch.js",
                "/static/js/splicefill.js", "/static/js/closuretraces.js",
                "/static/css/tech.css", "/static/icons/icon-192.png",
                "/vendor/qr-scanner/qr-scanner.min.js", "/vendor/qr-scanner/qr-scanner-worker.min.js"]:
        assert url in assets, url
    for url in ADMIN_AND_REVIEW:
        assert url not in assets, url
    assert len(assets) == len(set(assets))


def test_a_new_module_the_shell_imports_is_precached(app, tmp_path):
    static = tmp_path / "static"
    write(static, {"js/phone.js": 'import("./app.js");\n',
                   "js/app.js": 'import * as kinds from "./kinds.js";\n', "js/kinds.js": "",
                   "js/admin-only.js": ""})
    app.static_folder = str(static)
    with app.test_request_context():
        assets = technician.shell_assets()
    assert "/static/js/kinds.js" in assets and "/static/js/admin-only.js" not in assets
