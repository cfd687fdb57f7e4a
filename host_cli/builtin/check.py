"""``check``: lint the cascade's ``.env`` files for portability, secrets and shadowed keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from host_cli.context import get_context

if TYPE_CHECKING:  # imported where used: this module loads on every start
    from host_cli import lint
    from host_cli.context import HostContext


def collect(context: HostContext) -> tuple[list[lint.EnvFileText], list[list[int]]]:
    """The files of every environment's cascade, and each scenario as indexes into them."""
    from host_cli import cascade, envfile, lint
    from host_cli.errors import EnvFileError
    from host_cli.files import read_text

    opts = context.options
    folders = list(context.folders)
    files: list[lint.EnvFileText] = []
    index: dict[Path, int] = {}
    scenarios: list[list[int]] = []
    token, private = opts.dotenv_token, opts.private_token
    named = set(cascade.environments(folders, token, private))
    for env in [None, *sorted(named | ({context.env_name} if context.env_name else set()))]:
        scenario = []
        for f in cascade.files(opts, env, folders, context.cwd):
            if f.path not in index:
                text = read_text(f.path, f.shown, error=EnvFileError, what="a dotenv file")
                if text is None:
                    continue
                entries = envfile.parse(text, source=f.shown)
                text = text.replace("\r\n", "\n").replace("\r", "\n")
                index[f.path] = len(files)
                files.append(lint.EnvFileText(f.shown, f.private, text.split("\n"), entries))
            scenario.append(index[f.path])
        scenarios.append(scenario)
    return files, scenarios


def check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Lint the .env files of the cascade (every environment found): lines that get-dotenv,
    python-dotenv and docker compose read differently, secrets in public (non-.local) files,
    and keys set where a later file always overrides them. One line per finding; exit 1
    if there is any."""
    from host_cli import lint
    from host_cli.redact import Redactor

    context = get_context(ctx)
    files, scenarios = collect(context)
    findings = lint.lint(files, scenarios, Redactor(True, context.options.redact_patterns))
    if as_json:
        typer.echo(json.dumps([f._asdict() for f in findings], indent=2))
    else:
        for finding in findings:
            typer.echo(str(finding))
        checked = len(files)
        typer.echo(
            f"check: {len(findings)} finding{'s' if len(findings) != 1 else ''} in "
            f"{checked} file{'s' if checked != 1 else ''}",
            err=True,
        )
    raise typer.Exit(1 if findings else 0)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
