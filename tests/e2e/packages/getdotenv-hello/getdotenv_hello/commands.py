"""``getdotenv hello ...``: the plugin's commands."""

from __future__ import annotations

from typing import Annotated

import typer

from host_cli import get_context

hello_app = typer.Typer(help="Greet from the composed environment.", no_args_is_help=True)


@hello_app.command()
def greet(
    ctx: typer.Context,
    name: Annotated[
        str | None, typer.Option(help="Who to greet (beats plugins.hello.name).")
    ] = None,
) -> None:
    """Print the configured greeting, `times` times, and the derived HELLO_LINE."""
    overrides = {"hello": {"name": name}} if name else None
    context = get_context(ctx, config_overrides=overrides)
    from getdotenv_hello.config import HelloConfig

    config = context.configs.get(HelloConfig)  # the typed model
    for _ in range(config.times):
        typer.echo(f"{config.greeting}, {config.name}!")
    typer.echo(f"HELLO_LINE={context.env['HELLO_LINE']}")
