"""``getdotenv dynamodb``: the plugin's command group, holding ``local`` and ``tables``."""

from __future__ import annotations

import typer

from dynamodb_plugin.local.commands import local_app
from dynamodb_plugin.plugin import HELP
from dynamodb_plugin.tables.commands import tables_app

dynamodb_app = typer.Typer(help=HELP, no_args_is_help=True)
dynamodb_app.add_typer(local_app, name="local")
dynamodb_app.add_typer(tables_app, name="tables")
