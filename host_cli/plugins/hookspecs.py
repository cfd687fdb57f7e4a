"""The plugin contract: every hook the host calls, in the order it calls them.

Hooks are called with keyword arguments; an implementation may accept fewer arguments
than its spec names (pluggy passes only those it asks for), so specs can grow without
breaking plugins. Every hook collects results from all plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

from host_cli.plugins.markers import PROJECT, hookimpl  # the marker plugins use

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    import typer
    from pydantic import BaseModel

    from host_cli.plugins.configs import PluginConfigs

__all__ = ["PROJECT", "hookimpl", "hookspec"]
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def register_commands(app: typer.Typer, mount: Callable[[str, str], None]) -> None:
    """Mount this plugin's commands on the root app.

    Called once per plugin while the CLI is built: before argv is parsed, before any
    file is read, and also for ``--help``. Do no I/O and import nothing heavy here (the
    command functions may import what they need). Mount under one name you own, e.g.
    ``app.add_typer(sub_app, name="dynamodb")``; a name another plugin already took is
    an error naming both plugins. On a start ``app`` is the host's registry
    (``host_cli.cli.hotpath.Registry``): ``command()`` and ``add_typer()`` as typer's, without
    importing typer's package; any other ``typer.Typer`` attribute comes from a real one.

    ``mount(path, name)`` asks the host to mount the command ``name`` (one this plugin
    registered) also at ``path`` under another plugin's namespace: ``mount("aws/dynamodb",
    "dynamodb")`` gives ``getdotenv aws dynamodb ...`` beside ``getdotenv dynamodb ...``.
    The host creates the mount when the parent exists; an embedding tool's
    ``create_app(mounts=...)`` has the last word (it can move or drop any mount).
    """


@hookspec
def register_config_models(register: Callable[[str, type[BaseModel] | str], None]) -> None:
    """Claim a config slice: ``register("name", Model)`` owns ``plugins.name``.

    Called once per plugin when a command first needs the resolved context (never for
    ``--help``). ``Model`` is a pydantic model class, or its import path as a string
    (``"my_plugin.config:MyConfig"``) so that pydantic is imported only when the slice
    must really be validated. The slice is deep-merged over the config files (public <
    ``.local``), its string values expanded once against the composed environment, and
    validated by the model; unknown keys should be errors (``extra="forbid"``). A key
    another plugin already claimed is an error naming both plugins.
    """


@hookspec
def derive_env(
    env: Mapping[str, str], configs: PluginConfigs, project_root: Path
) -> Mapping[str, str] | None:
    """Return variables derived from the environment and validated config.

    ``env`` is what a child process would see: the inherited environment with the composed
    one over it. ``project_root`` is the project's folder (the current one when there is no
    project), for plugins that keep state there.

    Called once per run, after the environment is composed and every config slice is
    validated, before the command runs; whatever is returned is set in the environment
    the command and its children see. By convention a plugin leaves a variable the user
    set alone, unless it documents a rule that says otherwise. Must not mutate ``env``.
    Read your slice with ``configs.data("name")`` (cheap: no pydantic import) or
    ``configs.get(Model)``. Two plugins deriving different values for one variable is
    an error naming both.
    """
