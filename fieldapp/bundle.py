"""The phone's pages load one bundled script each instead of their ES module graph.

Why: on a 2G link every module is a round trip (400-600 ms), and a browser keeps at most
six connections to one HTTP/1.1 server, so the shell's ~30 modules, fetched by the page
and again by the service worker's precache, cost seconds of waiting for bytes that fit
in one response (bench/bench_wire.py).

At install time (`make bundle`, part of `make run` and `make test`) esbuild, from npm,
bundles every module a template names through `module_url('js/...')` (the shell's app.js,
My sites' register.js) with everything it imports, statically or with `import()`, into
BUNDLE_DIR as `<name>-<content hash>.js`, served from /dist/ as immutable. There is no
list of modules: a new module any of them imports is in the next build. Files under
/vendor/ stay separate (qr-scanner starts its worker from its own URL).

`manifest.json` beside the bundles maps each entry to its file and records the size and
modification time of every source file that went in. A template gets the bundle only
while every one of those is unchanged: after an edit to static/js (or a checkout) and
before the next build, pages load the modules themselves, as they do when nothing was
built (a fresh clone, the test suite), so a stale bundle is never served. No app is
needed to build: `python -m fieldapp.bundle` does it.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import url_for

from fieldapp import compression
from fieldapp import security

MANIFEST = "manifest.json"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
ESBUILD = os.path.join(ROOT, "node_modules", ".bin", "esbuild")
ENTRY_REF = re.compile(r"""\bmodule_url\(\s*['"]([^'"]+)['"]\s*\)""")
log = logging.getLogger(__name__)
bp = Blueprint("bundle", __name__, url_prefix="/dist")
# A bundle's name changes with its content, so a browser may keep it as long as it likes.
IMMUTABLE_SECONDS = 365 * 86400


def init_app(app):
    """Templates name their page script through module_url('js/...')."""
    app.jinja_env.globals["module_url"] = module_url


def module_url(filename):
    """The URL of static/`filename` for a page: its fresh bundle if built, else the module."""
    app = current_app
    name = bundled(filename, app.config["BUNDLE_DIR"], app.static_folder)
    if name is None:
        return url_for("static", filename=filename)
    return url_for("bundle.file", filename=name)


@bp.get("/<path:filename>")
@security.cacheable
def file(filename):
    """One bundle (or its source map), compressed like static files, cached for good."""
    if filename == MANIFEST:
        abort(404)
    response = compression.send_static(current_app.config["BUNDLE_DIR"], filename,
                                       max_age=IMMUTABLE_SECONDS)
    response.cache_control.public = True
    response.cache_control.immutable = True
    return response


def entries(template_folder):
    """The static/ files the templates load through module_url(), sorted."""
    found = set()
    for folder, _dirs, files in os.walk(template_folder):
        for name in files:
            if name.endswith(".html"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    found.update(ENTRY_REF.findall(f.read()))
    return sorted(found)


def build(static_folder, template_folder, out_dir, esbuild=ESBUILD):
    """Bundle every entry into out_dir and write its manifest; returns the manifest.

    The manifest is written last (atomically), so a server reading it meanwhile sees the
    old build or the new one whole; files of older builds are removed after it.
    """
    names = entries(template_folder)
    if not names:
        raise ValueError(f"no template in {template_folder} names a module through module_url()")
    os.makedirs(out_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix=".build-", dir=out_dir)
    try:
        meta = os.path.join(work, "meta.json")
        # Sources are stat'ed before esbuild reads them: an edit during the build leaves
        # the manifest stale rather than the bundle silently old.
        before = sources(static_folder, out_dir)
        subprocess.run(
            [esbuild, *names, "--bundle", "--format=esm", "--minify", "--sourcemap=linked",
             "--external:/vendor/*", "--entry-names=[name]-[hash]", "--charset=utf8",
             "--log-level=warning", f"--outdir={work}", f"--metafile={meta}"],
            cwd=static_folder, check=True)
        with open(meta, encoding="utf-8") as f:
            outputs = json.load(f)["outputs"]
        bundles, inputs = {}, set()
        for output, info in outputs.items():
            if "entryPoint" in info:
                bundles[info["entryPoint"]] = os.path.basename(output)
                inputs.update(info["inputs"])
        os.remove(meta)
        made = os.listdir(work)
        for name in made:
            os.replace(os.path.join(work, name), os.path.join(out_dir, name))
        manifest = {"bundles": bundles, "sources": {name: before[name] for name in sorted(inputs)}}
        write_atomically(os.path.join(out_dir, MANIFEST), json.dumps(manifest, indent=1))
        for name in os.listdir(out_dir):
            if name not in made and name != MANIFEST and not name.startswith(".build-"):
                os.remove(os.path.join(out_dir, name))
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def sources(static_folder, out_dir):
    """Size and modification time of every file under static/ (bar the bundles)."""
    found = {}
    skip = os.path.abspath(out_dir)
    for folder, dirs, files in os.walk(static_folder):
        dirs[:] = [d for d in dirs if os.path.abspath(os.path.join(folder, d)) != skip]
        for name in files:
            path = os.path.join(folder, name)
            stat = os.stat(path)
            name = os.path.relpath(path, static_folder).replace(os.sep, "/")
            found[name] = [stat.st_size, stat.st_mtime_ns]
    return found


def write_atomically(path, text):
    partial = f"{path}.{os.getpid()}.part"
    with open(partial, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)


_read = {}  # manifest path -> (its mtime_ns, the manifest)
_warned = set()


def manifest(out_dir):
    """The manifest of the last build in out_dir, or None if nothing was built."""
    path = os.path.join(out_dir, MANIFEST)
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return None
    cached = _read.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, encoding="utf-8") as f:
            cached = _read[path] = (mtime, json.load(f))
    return cached[1]


def fresh(built, static_folder):
    """Whether every source file of a build is as it was when it was bundled."""
    for name, (size, mtime) in built["sources"].items():
        try:
            stat = os.stat(os.path.join(static_folder, name))
        except FileNotFoundError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime:
            return False
    return True


def bundled(filename, out_dir, static_folder):
    """The bundle file that stands for static/`filename`, or None to load the module itself."""
    built = manifest(out_dir)
    if built is None or filename not in built["bundles"]:
        return None
    if not fresh(built, static_folder):
        if out_dir not in _warned:
            _warned.add(out_dir)
            log.warning("the bundle in %s is older than static/js: serving the modules "
                        "themselves until `make bundle` runs", out_dir)
        return None
    name = built["bundles"][filename]
    return name if os.path.isfile(os.path.join(out_dir, name)) else None


def main():
    static_folder = os.path.join(ROOT, "static")
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(static_folder, "dist")
    built = build(static_folder, os.path.join(ROOT, "templates"), out_dir)
    for entry, name in built["bundles"].items():
        size = os.path.getsize(os.path.join(out_dir, name))
        print(f"{entry} -> {os.path.relpath(out_dir, ROOT)}/{name} ({size:,} B, "
              f"{len(built['sources'])} source files in all)")


if __name__ == "__main__":
    main()
