"""Serving handover signatures, like photos: only to people who may see the installation,
never by blob key, 404 for anything out of reach."""

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
from fieldapp.evidence import handover

bp = Blueprint("signature_views", __name__, url_prefix="/handovers")
MAX_AGE = 7 * 24 * 3600  # a signature's bytes never change under its id


@bp.get("/<handover_id>/signature")
@security.cacheable
@login_required()
def signature(handover_id):
    """The signature PNG of a signed handover."""
    db = get_db()
    try:
        row = uploads.get(db, handover, fields.uuid_text(handover_id))
    except fields.Rejected:
        abort(404)
    if row is None or not row["blob_key"]:
        abort(404)
    if not access.can_see_installation(db, g.user, row["installation_id"]):
        abort(404)  # not 403: do not confirm that the handover exists
    try:
        handle = blobstore.from_config(current_app.config).open(row["blob_key"])
    except FileNotFoundError:
        return blob_views.placeholder(404)
    except blobstore.StorageUnavailable:
        return blob_views.placeholder(503)
    response = send_file(handle, mimetype="image/png", etag=row["sha256"], max_age=MAX_AGE, conditional=True)
    response.cache_control.private = True
    response.cache_control.public = False
    return response
