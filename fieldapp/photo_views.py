"""Serving photos: only through this view, only to people who may see the installation.

KoboToolbox once exposed attachments to anyone with the path; here a blob key never reaches
a browser, and every request checks rights (technicians: their installations; supervisors:
their regions; admins: all).
"""

from flask import Blueprint
from flask import abort
from flask import current_app
from flask import g
from flask import send_file

from fieldapp import access
from fieldapp import blob_views
from fieldapp import blobstore
from fieldapp import security
from fieldapp import uploads
from fieldapp.auth import login_required
from fieldapp.db import get_db
from fieldapp.evidence import fields
from fieldapp.evidence import photo as photo_kind

bp = Blueprint("photo_views", __name__, url_prefix="/photos")
MAX_AGE = 7 * 24 * 3600  # a photo id's bytes never change, so browsers may keep them a week


@bp.get("/<photo_id>/<any(thumb, display, original):variant>")
@security.cacheable
@login_required()
def photo(photo_id, variant):
    """One version of a completed photo; 404 for unknown ids and for photos out of reach."""
    db = get_db()
    try:
        row = uploads.get(db, photo_kind, fields.uuid_text(photo_id))
    except fields.Rejected:
        abort(404)
    if row is None or row["status"] != "complete":
        abort(404)
    if not access.can_see_installation(db, g.user, row["installation_id"]):
        abort(404)  # not 403: do not confirm that the photo exists
    try:
        handle = blobstore.from_config(current_app.config).open(photo_kind.variant_key(row, variant))
    except FileNotFoundError:
        return blob_views.placeholder(404)
    except blobstore.StorageUnavailable:
        return blob_views.placeholder(503)
    mime = row["mime"] if variant == "original" else "image/jpeg"
    response = send_file(handle, mimetype=mime, etag=f"{row['sha256']}-{variant}",
                         max_age=MAX_AGE, conditional=True)
    response.cache_control.private = True
    response.cache_control.public = False
    return response
