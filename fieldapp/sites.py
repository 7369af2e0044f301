"""Sites as admins manage them: the import-sites command (admin pages come with issue 7)."""

import click
from flask import Blueprint
from flask.cli import with_appcontext

from fieldapp import site_import
from fieldapp.db import get_db

bp = Blueprint("sites", __name__, url_prefix="/admin/sites")


def init_app(app):
    """Register the import-sites command."""
    app.cli.add_command(import_sites_command)


@click.command("import-sites")
@with_appcontext
@click.argument("csv_file", type=click.File("r", encoding="utf-8-sig"))
@click.option("--contract", default=None, help="Create an installation per site under this contract.")
def import_sites_command(csv_file, contract):
    """Import institutions from CSV; if any row is bad, import nothing and list every problem."""
    db = get_db()
    rows, problems = site_import.parse(db, csv_file.read())
    if problems:
        for problem in problems:
            column = f" [{problem['column']}]" if problem["column"] else ""
            click.echo(f"line {problem['line']}{column}: {problem.text()}", err=True)
        raise click.ClickException(f"{len(problems)} problem(s); nothing was imported.")
    count = site_import.import_rows(db, rows, default_contract=contract)
    click.echo(f"Imported {count} institution(s).")
