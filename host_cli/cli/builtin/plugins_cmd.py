"""``plugins``: which plugins loaded, from which distribution, what they own, what failed."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from host_cli.cli.session import session_of


def plugins(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON on stdout.")] = False,
) -> None:
    """List loaded plugins, their distributions, versions, commands and config keys,
    and the plugins that failed to load. Reads no .env or config file."""
    host = session_of(ctx).settings.plugin_host
    keys: dict[str, list[str]] = {}
    for key, (_model, owner) in host.config_models().items():
        keys.setdefault(owner, []).append(f"plugins.{key}")
    commands: dict[str, list[str]] = {}
    for name, owner in host.commands.items():
        commands.setdefault(owner, []).append(name)
    rows: list[dict[str, Any]] = [
        {
            "name": p.name,
            "origin": p.origin,
            "module": p.module,
            "distribution": p.distribution,
            "version": p.version,
            "commands": commands.get(p.name, []),
            "config_keys": keys.get(p.name, []),
        }
        for p in host.plugins
    ]
    failures = [
        {"name": f.name, "distribution": f.distribution, "version": f.version, "error": f.error}
        for f in host.failures
    ]
    if as_json:
        typer.echo(json.dumps({"plugins": rows, "failures": failures}, indent=2))
        return
    for row in rows:
        source = f"{row['distribution']} {row['version']}" if row["distribution"] else row["origin"]
        owns = ", ".join(row["commands"] + row["config_keys"]) or "-"
        typer.echo(f"{row['name']:<14} {source:<24} {owns}")
    for failure in failures:
        source = f"{failure['distribution']} {failure['version']}".strip()
        typer.echo(f"{failure['name']:<14} {source:<24} FAILED: {failure['error']}")
