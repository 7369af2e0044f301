"""OTDR trace files: the original .sor bytes for those who may see the installation, and
`flask traces inspect` for support staff checking a file a crew sent.

The CLI prints the server's own parse (fieldapp.otdr), the one the checks use, so what support
sees is what the review judged; a file it cannot read gets a one-line reason and exit 1.
"""

import json
import sys

import click
from flask import Blueprint

from fieldapp import blob_views
from fieldapp import otdr
from fieldapp import security
from fieldapp.auth import login_required
from fieldapp.evidence import trace as trace_kind

bp = Blueprint("trace_views", __name__, url_prefix="/traces", cli_group="traces")
MAX_AGE = 7 * 24 * 3600  # a trace id's bytes never change


@bp.get("/<trace_id>.sor")
@security.cacheable
@login_required()
def original(trace_id):
    """The exact uploaded bytes of a complete trace; 404 for unknown ids and traces out of reach."""
    row = blob_views.visible_file(trace_kind, trace_id)
    return blob_views.send_private(row["blob_key"], MAX_AGE, mimetype="application/octet-stream",
                                   etag=row["sha256"], as_attachment=True, download_name=f"{row['id']}.sor")


def summary(parsed):
    """What support reads: the settings, length, total loss and events (no data points)."""
    return {k: v for k, v in parsed.items() if k not in ("points", "points_sha256")}


@bp.cli.command("inspect")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def inspect_command(files):
    """Print each .sor file's parse as one JSON object a line; exit 1 if any is unreadable."""
    failed = False
    for name in files:
        try:
            with open(name, "rb") as source:
                data = source.read(otdr.MAX_BYTES + 1)
            found = {"file": name, **summary(otdr.parse(data))}
        except OSError as error:
            failed = True
            click.echo(f"{name}: cannot open: {error.strerror}", err=True)
            continue
        except otdr.Unreadable as refused:
            failed = True
            click.echo(f"{name}: {refused.reason}", err=True)
            continue
        click.echo(json.dumps(found, ensure_ascii=False))
    sys.exit(1 if failed else 0)
