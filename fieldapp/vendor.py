"""Front-end libraries from node_modules (installed by npm from package.json), compressed
like static files (fieldapp/compression.py)."""

import os

from flask import Blueprint
from flask import abort
from flask import current_app

from fieldapp import compression
from fieldapp import security

bp = Blueprint("vendor", __name__, url_prefix="/vendor")
# Only these packages' files are reachable; node_modules holds much more than the app uses.
PACKAGES = ("idb-keyval", "leaflet", "qr-scanner")


@bp.get("/<package>/<path:filename>")
@security.cacheable
def asset(package, filename):
    """One file of an allowed npm package, cached by the browser (versions are pinned)."""
    if package not in PACKAGES:
        abort(404)
    root = os.path.join(current_app.root_path, "..", "node_modules", package)
    return compression.send_static(root, filename, max_age=86400)
