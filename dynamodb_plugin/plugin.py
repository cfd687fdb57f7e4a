"""The entry point: hook implementations only, cheap to import (imported on every start)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from host_cli import hookimpl

if TYPE_CHECKING:
    from pathlib import Path

    import typer

    from host_cli import PluginConfigs


@hookimpl
def register_commands(app: typer.Typer) -> None:
    from dynamodb_plugin.commands import dynamodb_app

    app.add_typer(dynamodb_app, name="dynamodb")


@hookimpl
def register_config_models(register: Callable[[str, Any], None]) -> None:
    register("dynamodb", "dynamodb_plugin.config:DynamoConfig")


@hookimpl
def derive_env(
    env: Mapping[str, str], configs: PluginConfigs, project_root: Path
) -> Mapping[str, str]:
    """The local endpoint (config beats env, by the endpoint rule) and the table names
    (never over a value the user set)."""
    from dynamodb_plugin import endpoint
    from dynamodb_plugin.tables import naming

    local = configs.data("dynamodb")["local"]
    return {**naming.derive(env), **endpoint.derive(local, env, project_root)}
