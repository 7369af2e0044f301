"""`flask replica exec|once|drill`: run Litestream beside the app and prove a restore works.

`make run` starts the server through `flask replica exec -- gunicorn ...`: with REPLICA_URL
unset that is just gunicorn, as before; with it set, Litestream supervises gunicorn
(`litestream replicate -exec`), so both start and stop together.
"""

import os
import shlex
import tempfile

import click
from flask import Blueprint
from flask import current_app

from fieldapp import blobstore
from fieldapp import replication
from fieldapp.db import get_db

bp = Blueprint("replica", __name__, cli_group="replica")


def _config_path():
    """Beside the database (instance/litestream.yml by default), rewritten from config each time."""
    return os.path.join(os.path.dirname(os.path.abspath(current_app.config["DATABASE"])), "litestream.yml")


def _require_replica():
    if not current_app.config.get("REPLICA_URL"):
        raise click.ClickException("REPLICA_URL is not set (instance/config.py or FLASK_REPLICA_URL).")
    return replication.write_config(current_app.config, _config_path())


@bp.cli.command("exec", context_settings={"ignore_unknown_options": True})
@click.argument("command", nargs=-1, type=click.UNPROCESSED, required=True)
def exec_command(command):
    """Run COMMAND (the web server), under Litestream when REPLICA_URL is set."""
    config = current_app.config
    if not config.get("REPLICA_URL"):
        os.execvp(command[0], list(command))
    path = replication.write_config(config, _config_path())
    click.echo(f"Litestream replicates {config['DATABASE']} to {config['REPLICA_URL']}")
    argv = replication.replicate_command(path, shlex.join(command))
    os.execve(argv[0], argv, replication.environment(config))


@bp.cli.command("once")
def once_command():
    """Replicate everything committed so far, once (before maintenance, or from cron)."""
    replication.replicate_once(current_app.config, _require_replica())
    click.echo(f"Replicated to {current_app.config['REPLICA_URL']}.")


@bp.cli.command("drill")
def drill_command():
    """Restore the replica into a temp folder and check it: integrity, row counts, blobs."""
    path = _require_replica()
    with tempfile.TemporaryDirectory(prefix="fieldapp-drill-") as folder:
        restored = replication.restore(current_app.config, path, os.path.join(folder, "restored.sqlite3"))
        found = replication.verify(restored, blobstore.from_config(current_app.config, cached=False))
    live = replication.row_counts(get_db())
    click.echo(f"integrity_check: {found['integrity']}")
    for table, count in live.items():
        mark = "" if found["counts"].get(table) == count else "   <- live has more (replication lag?)"
        click.echo(f"{table}: {found['counts'].get(table)} restored, {count} live{mark}")
    click.echo(f"blobs the restored rows name that are missing: {len(found['missing_blobs'])}")
    if found["integrity"] != "ok" or found["missing_blobs"] or found["counts"] != live:
        raise SystemExit(1)
    click.echo("Restore drill passed.")
