"""The host's own commands, registered through the same hooks as any plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from host_cli.plugins.markers import hookimpl

if TYPE_CHECKING:
    import typer


# name -> the command function; each module is imported only when its command runs or
# `--help` lists it (host_cli.cli.lazy.deferred).
_COMMANDS = {
    "cmd": "host_cli.cli.builtin.cmd:cmd",
    "batch": "host_cli.cli.builtin.batch:batch",
    "init": "host_cli.cli.builtin.init:init",
    "check": "host_cli.cli.builtin.check:check",
    "plugins": "host_cli.cli.builtin.plugins_cmd:plugins",
    "schema": "host_cli.cli.builtin.schema:schema",
    "get": "host_cli.cli.builtin.values:get",
    "export": "host_cli.cli.builtin.values:export",
    "set": "host_cli.cli.builtin.edit:set_",
    "unset": "host_cli.cli.builtin.edit:unset",
}
# Commands whose click object the start path builds without typer's package (host_cli.cli.hotpath).
_CLICK = {"cmd": "host_cli.cli.builtin.cmd_run:click_command"}
# Commands that take another command's arguments as their own.
_PASS_THROUGH = {"ignore_unknown_options": True, "allow_interspersed_args": False}


AWS_HELP = "Resolve an AWS profile, region and credentials; run the AWS CLI or a child with them."


@hookimpl
def register_commands(app: typer.Typer) -> None:
    from host_cli.cli.lazy import deferred, deferred_app

    for name, target in _COMMANDS.items():
        settings = _PASS_THROUGH if name in ("cmd", "batch") else None
        app.command(name, context_settings=settings)(deferred(target, click=_CLICK.get(name)))
    app.add_typer(deferred_app("host_cli.cli.builtin.aws.group:app", help=AWS_HELP), name="aws")


@hookimpl
def register_config_models(register: Any) -> None:
    register("cmd", "host_cli.cli.builtin.cmd_config:CmdConfig")
    register("batch", "host_cli.cli.builtin.batch_config:BatchConfig")
    register("aws", "host_cli.cli.builtin.aws_config:AwsConfig")
    register("aws/secrets", "host_cli.cli.builtin.aws.secrets_config:SecretsConfig")
