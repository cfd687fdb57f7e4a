"""``set`` and ``unset``: edit one file of the cascade in place, through the one dotenv editor
(``host_cli.engine.dotenv_edit``: comments and order kept, atomic, existing mode kept, new
files 0600, never through a symlink).

The file: ``<token>.<env>.<private>`` of the selected environment (``-e``, or the one
``DEFAULT_ENV``/``--default-env`` selects), else ``<token>.<private>``, in the first
``--paths`` folder; ``--public`` drops ``.<private>``, ``--global`` drops ``.<env>``,
``--file PATH`` names any file. After writing, the environment is composed again: where a
higher layer (a later file, config ``vars``/``envVars``, ``--vars``, dynamic values, a plugin)
still decides the key, a warning names it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from host_cli.cli.session import get_context, session_of
from host_cli.support.errors import GetDotenvError

if TYPE_CHECKING:
    from host_cli.engine.context import HostContext

_PUBLIC = typer.Option(
    "--public", help="Write the public (committed) file: drop the private suffix (.local)."
)
_GLOBAL = typer.Option("--global", help="Write the file of every environment: drop .<env>.")
_FILE = typer.Option(
    "--file", metavar="PATH", help="Edit this dotenv file instead (relative to the current folder)."
)


def _target(context: HostContext, public: bool, global_: bool, file: str | None) -> Path:
    from host_cli.engine import dotenv_edit

    if file is not None:
        return Path(file) if Path(file).is_absolute() else context.cwd / file
    opts = context.options
    name = dotenv_edit.filename(
        env=None if global_ or not context.env_name else context.env_name,
        private=not public,
        token=opts.dotenv_token,
        private_token=opts.private_token,
    )
    folder = context.folders[0] if context.folders else context.cwd
    return folder / name


def _recompose(ctx: typer.Context) -> HostContext:
    """The environment composed afresh from the edited files (no effects run again)."""
    import os

    from host_cli.engine.resolve import Inputs, resolve

    session = session_of(ctx)
    settings = session.settings
    return resolve(
        Inputs(
            cli=session.cli,
            cwd=Path.cwd(),
            process_env=dict(os.environ),
            plugin_host=settings.plugin_host,
            prog_name=settings.prog_name,
            host_defaults=settings.host_defaults,
        )
    )


def _winner(context: HostContext, key: str) -> str:
    found = context.origins.get(key, ())
    return str(found[-1]) if found else "the inherited environment"


def _value_from_stdin(key: str) -> str:
    """``set KEY -``: the value from stdin (a terminal: one line, not echoed)."""
    if sys.stdin is None:
        raise GetDotenvError(f"set {key} -: no stdin to read the value from")
    if sys.stdin.isatty():
        import getpass

        try:
            return getpass.getpass(f"{key}: ")
        except EOFError:
            return ""
    data = sys.stdin.buffer.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise GetDotenvError(f"set {key} -: stdin is not UTF-8 text; nothing written") from None
    if text.endswith("\r\n"):
        return text[:-2]
    return text[:-1] if text.endswith("\n") else text


def set_(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="KEY")],
    value: Annotated[str, typer.Argument(metavar="VALUE")],
    public: Annotated[bool, _PUBLIC] = False,
    global_: Annotated[bool, _GLOBAL] = False,
    file: Annotated[str | None, _FILE] = None,
) -> None:
    """Set KEY to VALUE in a file of the cascade, in place (comments and order kept): by
    default .env.<env>.local for the selected environment, else .env.local, in the first
    --paths folder. VALUE - reads the value from stdin instead (so a secret stays out of the
    process list and your shell history): all of it, less one final line break, or, from a
    terminal, one line typed without echo. VALUE is written so that get-dotenv and getdotenv
    read it back exactly ($ included); a note says where python-dotenv would read it
    differently. Warns when a higher layer (a later file, config, --vars, dynamic, a plugin)
    still decides KEY."""
    from host_cli.engine import dotenv_edit
    from host_cli.support.redact import Redactor

    context = get_context(ctx)
    path = _target(context, public, global_, file)
    if value == "-":
        value = _value_from_stdin(key)
    shown = context.shown(path)
    done = dotenv_edit.edit_file(path, {key: value}, shown=shown)
    for note in done.notes:
        context.warn(note)
    how = "added to" if done.added else "updated in" if done.changed else "unchanged in"
    typer.echo(f"{key} {how} {shown}{' (new file, mode 0600)' if done.created else ''}", err=True)
    private = path.name.endswith(f".{context.options.private_token}")
    if not private and Redactor(True, context.options.redact_patterns).secret(key):
        hint = "; without --public it goes to the private file" if public else ""
        context.warn(
            f"{key} looks secret and {shown} is not a private "
            f"(*.{context.options.private_token}) file{hint}"
        )
    after = _recompose(ctx)
    if after.env.get(key) != value:
        where = _winner(after, key)
        if key not in after.env:
            context.warn(f"{key}: {shown} is not read by this cascade, so {key} stays unset")
        else:
            context.warn(f"{key}: {where} sets it later and wins; the composed value differs")


def unset(
    ctx: typer.Context,
    keys: Annotated[list[str], typer.Argument(metavar="KEY...")],
    public: Annotated[bool, _PUBLIC] = False,
    global_: Annotated[bool, _GLOBAL] = False,
    file: Annotated[str | None, _FILE] = None,
) -> None:
    """Remove every line that sets KEY from a file of the cascade (the same file set
    writes; comments and the other lines kept). Warns when another layer still sets KEY."""
    from host_cli.engine import dotenv_edit

    context = get_context(ctx)
    path = _target(context, public, global_, file)
    shown = context.shown(path)
    if not path.exists() and not path.is_symlink():
        typer.echo(f"{shown} does not exist: nothing to unset", err=True)
    else:
        done = dotenv_edit.edit_file(path, dict.fromkeys(keys), shown=shown, create=False)
        for key in keys:
            verb = "removed from" if key in done.removed else "was not in"
            typer.echo(f"{key} {verb} {shown}", err=True)
    after = _recompose(ctx)
    for key in keys:
        if key in after.env:
            context.warn(f"{key} is still set, by {_winner(after, key)}")
