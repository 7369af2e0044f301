"""The request's view of the store: one long-lived connection per worker thread.

Opening a connection per request cost 4x in throughput (RELIABILITY.md), so each thread
keeps its own for the app's lifetime; gunicorn forks before create_app(), so none is shared
across processes.
"""

import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from fieldapp import migrations
from fieldapp import store


def init_app(app):
    """Give the app its per-thread connection cache and the database commands."""
    app.extensions["fieldapp.db"] = threading.local()
    app.cli.add_command(init_db_command)


def get_db():
    """This thread's connection to the app's database, opened on first use."""
    local = current_app.extensions["fieldapp.db"]
    if getattr(local, "db", None) is None:
        local.db = store.connect(current_app.config["DATABASE"])
    return local.db


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the schema (safe to run again: keeps the data)."""
    db = get_db()
    before = len(migrations.migrations.applied(db))
    migrations.apply(db)
    after = len(migrations.migrations.applied(db))
    click.echo(f"Schema up to date ({after - before} migration(s) applied).")
