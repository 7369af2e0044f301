"""Serving handover signatures, like photos: only to people who may see the installation,
never by blob key, 404 for anything out of reach."""

from flask import Blueprint

from fieldapp import blob_views
from fieldapp import security
from fieldapp.auth import login_required
from fieldapp.evidence import handover

bp = Blueprint("signature_views", __name__, url_prefix="/handovers")
MAX_AGE = 7 * 24 * 3600  # a signature's bytes never change under its id


@bp.get("/<handover_id>/signature")
@security.cacheable
@login_required()
def signature(handover_id):
    """The signature PNG of a signed handover."""
    row = blob_views.visible_file(handover, handover_id)
    return blob_views.send_private(row["blob_key"], MAX_AGE, mimetype="image/png", etag=row["sha256"])
