"""What the technician's offline app needs on the phone: its real module graph.

Starting at the modules (or their bundle) and files the shell page names, follow every `import ... from`,
`export ... from` and `import("...")` (the lazily loaded screens, the QR decoder) and every
"/static/..." or "/vendor/..." string a module names (the speed screen's stylesheet). A new
module the shell imports is precached by itself; an admin or review script is not, since
nothing the shell loads imports it. No flask here: it reads files and returns URLs.
"""

import os
import posixpath
import re

STATIC_REF = re.compile(r"""url_for\(\s*['"]static['"]\s*,\s*filename\s*=\s*['"]([^'"]+)['"]""")
MODULE_REF = re.compile(r"""\bmodule_url\(\s*['"]([^'"]+)['"]\s*\)""")
SPECIFIERS = (
    re.compile(r"""\b(?:import|export)\b[^;"'()]*?\bfrom\s*["']([^"']+)["']"""),
    re.compile(r"""\bimport\s*\(\s*["']([^"']+)["']\s*\)"""),
    re.compile(r"""\bimport\s*["']([^"']+)["']"""),
)
ABSOLUTE_URL = re.compile(r"""["'](/(?:static|vendor)/[^"'\s]+\.[a-z]+)["']""")


def template_urls(template_path, module_url=lambda name: f"/static/{name}"):
    """The URLs a template names through url_for('static', filename=...) and through
    module_url(...), the latter as `module_url` resolves them (to a bundle, fieldapp/bundle.py)."""
    with open(template_path, encoding="utf-8") as f:
        text = f.read()
    return [*(f"/static/{name}" for name in STATIC_REF.findall(text)),
            *map(module_url, MODULE_REF.findall(text))]


def references(source, url):
    """The URLs a module at `url` imports or names, resolved against it."""
    found = []
    for pattern in SPECIFIERS:
        for spec in pattern.findall(source):
            if spec.startswith(("./", "../")):
                found.append(posixpath.normpath(posixpath.join(posixpath.dirname(url), spec)))
            elif spec.startswith("/"):
                found.append(spec)
    found.extend(ABSOLUTE_URL.findall(source))
    return found


def walk(entries, locate):
    """Every URL reachable from `entries`, in discovery order.

    `locate(url)` gives the file behind a URL, or None for one not served from disk; only
    our own modules and bundles (/static/.../*.js, /dist/*.js) are read for further imports
    and the files they name (a bundle still names the stylesheets and vendor modules it
    loads); vendor files are leaves.
    """
    seen = []
    queue = list(entries)
    while queue:
        url = queue.pop(0)
        path = locate(url)
        if url in seen or path is None or not os.path.isfile(path):
            continue
        seen.append(url)
        if url.startswith(("/static/", "/dist/")) and url.endswith(".js"):
            with open(path, encoding="utf-8") as f:
                queue.extend(references(f.read(), url))
    return seen
