"""``cmd``: run a script, a shell string or an exact argv in the composed environment."""

# No `from __future__ import annotations`: typer reads `cmd`'s annotations on every run, and
# string annotations would be compiled again each time.

import os
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from host_cli.cli.session import get_context
from host_cli.engine.expand import expand_shell, lookup_in
from host_cli.support import proc
from host_cli.support.errors import CommandNotFoundError, OptionError

if TYPE_CHECKING:
    from host_cli.engine.context import HostContext


def _shell_for(value: bool | str | None, root: str | None) -> str | None:
    if value is None:
        return root
    if value is True:
        return proc.default_shell()
    return value or None


_BARE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+-")
# Shell builtins and keywords a single word may name without being on PATH.
_SHELL_WORDS = frozenset(
    [
        "alias",
        "bg",
        "cd",
        "command",
        "declare",
        "dirs",
        "disown",
        "eval",
        "exec",
        "exit",
        "export",
        "false",
        "fc",
        "fg",
        "getopts",
        "hash",
        "help",
        "history",
        "jobs",
        "kill",
        "let",
        "local",
        "logout",
        "popd",
        "pushd",
        "pwd",
        "read",
        "readonly",
        "return",
        "set",
        "shift",
        "shopt",
        "source",
        "suspend",
        "test",
        "times",
        "trap",
        "true",
        "type",
        "typeset",
        "ulimit",
        "umask",
        "unalias",
        "unset",
        "wait",
    ]
)


def _check_found(context: "HostContext", word: str) -> None:
    """A lone word that is neither a script nor a program: say so, as a shell would (127)."""
    path = context.child_env().get("PATH", os.defpath)
    if shutil.which(word, path=path) is None:
        known = ", ".join(sorted(context.scripts)) or "none defined"
        raise CommandNotFoundError(
            f"{word!r} is neither a script in config `scripts` ({known}) nor a command on PATH"
        )


def command_argv(
    context: "HostContext", tokens: Sequence[str], *, alias: bool = False
) -> list[str]:
    """The argv that ``cmd`` (or ``--cmd`` when ``alias``) runs for ``tokens``."""
    if not tokens or not "".join(tokens).strip():
        raise OptionError("nothing to run: give a command, e.g. `cmd -- env` or `-c 'env'`")
    if len(tokens) > 1:
        return list(tokens)
    text, shell = tokens[0], context.options.shell
    if alias and context.configs.data("cmd").get("expand", True):
        # a shell string: each value is quoted for the shell, never pasted in as code
        text = expand_shell(text, lookup_in(context.env, context.process_env))
    script = context.scripts.get(text)
    if script is not None:
        text, shell = script.cmd, _shell_for(script.shell, shell)
    elif text and _BARE_CHARS.issuperset(text) and text not in _SHELL_WORDS:
        _check_found(context, text)
    return proc.shell_argv(shell, text) if shell else proc.split_command(text)


def run_command(context: "HostContext", tokens: Sequence[str], *, alias: bool = False) -> int:
    """Run ``tokens`` as ``cmd`` does and return the exit code."""
    return proc.run(command_argv(context, tokens, alias=alias), context.child_env())


def cmd(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None,
        typer.Argument(metavar="[COMMAND]...", help="Script name, command string, or argv."),
    ] = None,
) -> None:
    """Run a command in the composed environment; its exit code is ours.

    One argument that names a script in config `scripts` runs that script; one argument
    otherwise is a command string for the shell (see --shell); several arguments are run
    as an exact argv, no shell involved. Put `--` before a command whose own flags could be
    mistaken for ours. This is also the default command: `getdotenv echo hi` runs `cmd`.
    """
    raise typer.Exit(run_command(get_context(ctx), command or []))
