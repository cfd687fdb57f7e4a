"""The entry point: hook implementations only, cheap to import (imported on every start)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from host_cli import hookimpl

HELP = "A local DynamoDB for development, and versioned table definitions."

if TYPE_CHECKING:
    from pathlib import Path

    import typer

    from host_cli import PluginConfigs


@hookimpl
def register_commands(app: typer.Typer, mount: Callable[[str, str], None]) -> None:
    from host_cli import deferred_app

    # The commands' modules load only when one of them runs (or --help lists them).
    app.add_typer(deferred_app("dynamodb_plugin.commands:dynamodb_app", help=HELP), name="dynamodb")
    # Also where SMOZ mounts the TypeScript plugin: `getdotenv aws dynamodb ...` (its slice,
    # plugins["aws/dynamodb"], is read under either mount; plugins.dynamodb wins key by key).
    mount("aws/dynamodb", "dynamodb")


@hookimpl
def register_config_models(register: Callable[[str, Any], None]) -> None:
    register("dynamodb", "dynamodb_plugin.config:DynamoConfig")
    # The TypeScript plugin's slice, as SMOZ mounts it (under the aws plugin).
    register("aws/dynamodb", "dynamodb_plugin.config:TypeScriptConfig")


@hookimpl
def derive_env(
    env: Mapping[str, str], configs: PluginConfigs, project_root: Path
) -> Mapping[str, str]:
    """Table names (never over a value the user set) and, where the project uses a local
    DynamoDB, its endpoint by the endpoint rule (config beats env)."""
    from dynamodb_plugin import endpoint, settings

    merged = settings.load(configs)
    local = merged.config["local"]
    out = {
        **table_names(env),
        **endpoint.derive(local, env, project_root, configured=merged.local_given()),
    }
    if local.get("export_aws_env") and out.get("DYNAMODB_LOCAL_ENDPOINT"):
        from dynamodb_plugin import aws

        out.update(aws.app_env(env, out["DYNAMODB_LOCAL_ENDPOINT"]))
    return out


def table_names(env: Mapping[str, str]) -> dict[str, str]:
    """Table names from the stage and the table version, as SMOZ services name them:
    ``STAGE_NAME = ${SERVICE_NAME}-${STAGE}``, ``TABLE_NAME = ${STAGE_NAME}-${TABLE_VERSION}``,
    ``TABLE_NAME_DEPLOYED = ${STAGE_NAME}-${TABLE_VERSION_DEPLOYED}``; each only when its inputs
    are present, and never over a value the user set. Here, not in a module of its own: it
    runs on every start."""
    out: dict[str, str] = {}
    stage_name = env.get("STAGE_NAME")
    if not stage_name and env.get("SERVICE_NAME") and env.get("STAGE"):
        stage_name = out["STAGE_NAME"] = f"{env['SERVICE_NAME']}-{env['STAGE']}"
    if stage_name:
        for name, version in (
            ("TABLE_NAME", "TABLE_VERSION"),
            ("TABLE_NAME_DEPLOYED", "TABLE_VERSION_DEPLOYED"),
        ):
            if not env.get(name) and env.get(version):
                out[name] = f"{stage_name}-{env[version]}"
    return out
