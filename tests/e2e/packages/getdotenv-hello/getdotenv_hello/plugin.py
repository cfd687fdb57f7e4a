"""Hook implementations: cheap to import, since the host imports them on every start."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from host_cli import deferred_app, hookimpl

if TYPE_CHECKING:
    import typer

    from host_cli import PluginConfigs


@hookimpl
def register_commands(app: typer.Typer) -> None:
    # A stand-in: getdotenv_hello.commands loads only when `hello ...` runs or --help lists it.
    app.add_typer(
        deferred_app(
            "getdotenv_hello.commands:hello_app", help="Greet from the composed environment."
        ),
        name="hello",
    )


@hookimpl
def register_config_models(register: Callable[[str, Any], None]) -> None:
    # A string: pydantic is imported only when the slice must really be validated.
    register("hello", "getdotenv_hello.config:HelloConfig")


@hookimpl
def derive_env(env: Mapping[str, str], configs: PluginConfigs) -> Mapping[str, str] | None:
    if "HELLO_LINE" in env:  # a value the user set wins
        return None
    config = configs.data("hello")  # validated, defaults filled in; no pydantic import
    return {"HELLO_LINE": f"{config['greeting']}, {config['name']}"}
