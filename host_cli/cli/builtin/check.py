"""``check``: lint the cascade's ``.env`` files for portability, secrets and shadowed keys."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from host_cli.cli.session import get_context

if TYPE_CHECKING:  # imported where used: this module loads on every start
    from host_cli.engine import lint
    from host_cli.engine.context import HostContext


def collect(context: HostContext) -> tuple[list[lint.EnvFileText], list[list[int]]]:
    """The files of every environment's cascade, and each scenario as indexes into them."""
    from host_cli.engine import cascade, envfile, lint
    from host_cli.support.errors import EnvFileError
    from host_cli.support.files import read_text

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


def dialects(
    context: HostContext, files: list[lint.EnvFileText], scenarios: list[list[int]]
) -> str:
    """Whether get-dotenv's and python-dotenv's dialects read the files the same, in words."""
    from host_cli.engine import pydotenv
    from host_cli.engine.expand import expand_all
    from host_cli.support.errors import EnvFileError, ExpansionError

    theirs_by_file: dict[int, list[Any]] = {}
    problems: list[str] = []
    unreadable: set[str] = set()  # "file:line" where python-dotenv skips a line
    for i, f in enumerate(files):
        skipped: list[tuple[int, str]] = []
        try:
            theirs_by_file[i] = pydotenv.parse(
                "\n".join(f.lines), context.process_env, source=f.shown, skipped=skipped
            )
        except EnvFileError as exc:  # not expected with skipped=..., but never claim "same"
            problems.append(str(exc))
            unreadable.update(f"{f.shown}:{e.line}" for e in f.entries)
        for line, message in skipped:
            problems.append(message)
            unreadable.add(f"{f.shown}:{line}")
    differ: dict[str, str] = {}
    skipped_keys: dict[str, str] = {}
    for scenario in scenarios:
        raw: dict[str, str] = {}
        where: dict[str, str] = {}
        theirs: dict[str, str] = {}
        for i in scenario:
            for entry in files[i].entries:
                raw[entry.key] = entry.value
                where[entry.key] = f"{files[i].shown}:{entry.line}"
            theirs.update((e.key, e.value) for e in theirs_by_file.get(i, []))
        try:
            ours = expand_all(raw, context.process_env)
        except ExpansionError:
            ours = {}
        for key in sorted(ours.keys() | theirs.keys()):
            if where.get(key) in unreadable:
                skipped_keys.setdefault(key, where[key])
            elif ours.get(key) != theirs.get(key):
                differ.setdefault(key, where.get(key, "?"))
    if not differ and not problems:
        return "get-dotenv and python-dotenv read these files the same (either --dialect works)"
    shown = ", ".join(f"{k} ({w})" for k, w in list(differ.items())[:4])
    more = f" and {len(differ) - 4} more" if len(differ) > 4 else ""
    parts = [f"get-dotenv and python-dotenv read {shown}{more} differently"] if differ else []
    if problems:
        more_problems = f" (and {len(problems) - 1} more such lines)" if len(problems) > 1 else ""
        parts.append(problems[0] + more_problems)
    if not differ:
        # Only what both read can be called the same: the skipped lines' keys are not.
        left = ", ".join(sorted(skipped_keys)) or "their keys"
        return "; ".join(parts) + f"; the other keys read the same in both ({left} not compared)"
    return "; ".join(parts) + (
        ": use the --dialect they were written for (get-dotenv is the default)"
    )


def check(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON.")] = False,
) -> None:
    """Lint the .env files of the cascade (every environment found): lines that get-dotenv,
    python-dotenv and docker compose read differently, secrets in public (non-.local) files,
    and keys set where a later file always overrides them. One line per finding; exit 1
    if there is any. Also says whether the get-dotenv and python-dotenv dialects
    (--dialect) read the files the same."""
    from host_cli.engine import lint
    from host_cli.support.redact import Redactor

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
    typer.echo(f"check: {dialects(context, files, scenarios)}", err=True)
    raise typer.Exit(1 if findings else 0)
