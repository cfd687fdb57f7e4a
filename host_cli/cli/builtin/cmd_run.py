"""What ``cmd`` runs and how, and its click command built without typer's package.

``host_cli.cli.builtin.cmd`` declares ``cmd`` for typer (its ``--help``, docs/cli.md, shell
completion); the start path builds the same click command here (``click_command``) so that
``getdotenv cmd ...`` never imports typer's package (host_cli.cli.hotpath;
tests/host/test_hotpath.py compares the two).
"""

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
    import shutil  # with bz2, lzma and zlib: only for a lone word (not `true`, a shell word)

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
    return prepare(context, tokens, alias=alias)[0]


def prepare(
    context: "HostContext", tokens: Sequence[str], *, alias: bool = False
) -> tuple[list[str], dict[str, str]]:
    """The argv that ``cmd`` (or ``--cmd`` when ``alias``) runs for ``tokens``, and the
    carrier variables (beyond ``context.carriers``) its environment must hold."""
    if not tokens or not "".join(tokens).strip():
        raise OptionError("nothing to run: give a command, e.g. `cmd -- env` or `-c 'env'`")
    if len(tokens) > 1:
        return list(tokens), {}
    carriers: dict[str, str] = {}
    text, shell = tokens[0], context.options.shell
    if alias and context.configs.data("cmd").get("expand", True):
        # a shell string: values reach the shell as data (inert text, or a carrier variable
        # in the child's environment), never pasted in as code
        done = expand_shell(
            text,
            lookup_in(context.env, context.process_env),
            shell=shell,
            key="--cmd",
            carriers=context.carriers,
            taken=context.env,
        )
        text = done.command
        carriers = {k: v for k, v in done.carriers.items() if k not in context.carriers}
    script = context.scripts.get(text)
    if script is not None:
        text, shell = script.cmd, _shell_for(script.shell, shell)
    elif text and _BARE_CHARS.issuperset(text) and text not in _SHELL_WORDS:
        _check_found(context, text)
    argv = proc.shell_argv(shell, text) if shell else proc.split_command(text)
    return argv, carriers


def run_command(context: "HostContext", tokens: Sequence[str], *, alias: bool = False) -> int:
    """Run ``tokens`` as ``cmd`` does and return the exit code."""
    argv, carriers = prepare(context, tokens, alias=alias)
    return proc.run(argv, context.child_env(carriers))


# `cmd`'s docstring and its argument, shared by the typer declaration and click_command.
HELP = """Run a command in the composed environment; its exit code is ours.

    One argument that names a script in config `scripts` runs that script; one argument
    otherwise is a command string for the shell (see --shell); several arguments are run
    as an exact argv, no shell involved. Put `--` before a command whose own flags could be
    mistaken for ours. This is also the default command: `getdotenv echo hi` runs `cmd`.
    """
METAVAR = "[COMMAND]..."
ARGUMENT_HELP = "Script name, command string, or argv."


def click_command(info: Any) -> Any:
    """``cmd``'s click command as typer builds it from ``host_cli.cli.builtin.cmd.cmd`` for
    the registration ``info``, without importing typer's package."""
    from typer._click import types
    from typer._click.globals import get_current_context
    from typer.core import TyperArgument
    from typer.exceptions import Exit

    from host_cli.cli.hotpath import command_from_info
    from host_cli.cli.session import get_context

    argument = TyperArgument(
        param_decls=["command"],
        type=types.STRING,
        required=False,
        nargs=-1,
        show_default=True,
        show_choices=True,
        show_envvar=True,
        help=ARGUMENT_HELP,
        hidden=False,
        default=None,
        callback=None,
        metavar=METAVAR,
        expose_value=True,
        is_eager=False,
        envvar=None,
        shell_complete=None,
        autocompletion=None,
        rich_help_panel=None,
    )

    def cmd(command: Sequence[str] | None = None) -> None:
        # typer's wrapper: an empty list[str] | None = None argument is passed as None
        context = get_context(get_current_context())  # type: ignore[arg-type]
        raise Exit(run_command(context, list(command or [])))

    return command_from_info(info, params=[argument], callback=cmd, help=HELP)
