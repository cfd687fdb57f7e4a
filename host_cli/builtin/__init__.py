"""The host's own commands, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from host_cli.hookspecs import hookimpl

if TYPE_CHECKING:
    import typer


@hookimpl
def register_commands(app: typer.Typer) -> None:
    from host_cli.builtin import batch, check, cmd, init, plugins_cmd, schema

    cmd.register(app)
    batch.register(app)
    init.register(app)
    check.register(app)
    plugins_cmd.register(app)
    schema.register(app)


@hookimpl
def register_config_models(register: Any) -> None:
    register("cmd", "host_cli.builtin.cmd_config:CmdConfig")
    register("batch", "host_cli.builtin.batch_config:BatchConfig")
