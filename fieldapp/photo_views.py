"""Serving photos: only through this view, only to people who may see the installation.

KoboToolbox once exposed attachments to anyone with the path; here a blob key never reaches
a browser, and every request checks rights (technicians: their installations; supervisors:
their regions; admins: all).
"""

from flask import Blueprint

from fieldapp import blob_views
from fieldapp import security
from fieldapp.auth import login_required
from fieldapp.evidence import imaging
from fieldapp.evidence import photo as photo_kind

bp = Blueprint("photo_views", __name__, url_prefix="/photos")
MAX_AGE = 7 * 24 * 3600  # a photo id's bytes never change, so browsers may keep them a week


@bp.get("/<photo_id>/<any(thumb, display, original):variant>")
@security.cacheable
@login_required()
def photo(photo_id, variant):
    """One version of a completed photo; 404 for unknown ids and for photos out of reach.

    The original's type is the row's; the display version's is read from its bytes (a WebP
    upload of display size is its own display version, anything else gets a JPEG one).
    """
    row = blob_views.visible_file(photo_kind, photo_id)
    mime = row["mime"] if variant == "original" else imaging.mime_of
    return blob_views.send_private(photo_kind.variant_key(row, variant), MAX_AGE, mimetype=mime,
                                   etag=f"{row['sha256']}-{variant}")
