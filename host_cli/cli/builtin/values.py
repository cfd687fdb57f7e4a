"""``get`` and ``export``: composed values handed to another program, never masked.

``get KEY...`` prints each value raw (as ``dotenv get`` does); ``export`` prints lines a shell
evaluates (``eval "$(getdotenv -e dev export)"``). Both hand values over, so neither masks:
redaction is for what people read (``--log``, ``--trace``), not for what programs receive.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from host_cli.cli.session import get_context
from host_cli.support.errors import GetDotenvError


def get(
    ctx: typer.Context,
    keys: Annotated[list[str], typer.Argument(metavar="KEY...", help="Variables to print.")],
) -> None:
    """Print the composed value of each KEY, raw, one per line (never masked: the value is
    handed over, as `dotenv get` hands it). Exit 1 naming every KEY the files, config, --vars,
    dynamic values and plugins do not set, printing nothing."""
    context = get_context(ctx)
    missing = [key for key in keys if key not in context.env]
    if missing:
        inherited = [key for key in missing if key in context.process_env]
        note = (
            f" ({', '.join(inherited)} only inherited from the calling environment)"
            if inherited
            else ""
        )
        names = ", ".join(missing)
        raise GetDotenvError(
            f"get: {names} {'is' if len(missing) == 1 else 'are'} not set in the composed "
            f"environment{note}"
        )
    sys.stdout.write("".join(f"{context.env[key]}\n" for key in keys))
    sys.stdout.flush()


def export(
    ctx: typer.Context,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="SHELL",
            help="bash, zsh, fish, powershell or json.",
            show_default=True,
        ),
    ] = "bash",
) -> None:
    """Print the composed environment as lines your shell evaluates:
    eval "$(getdotenv -e dev export)" (bash, zsh), getdotenv -e dev export --format fish |
    source, getdotenv export --format powershell | Invoke-Expression. Every value is quoted
    for that shell, so nothing in it runs; nothing is masked (the values are handed over). Keys
    that are no shell variable name are left out with a warning (json keeps them), and so are
    the few a shell would run as code whatever the quoting: RANDOM, SRANDOM, OPTIND, HISTCMD,
    MAILCHECK (bash arithmetic), prompt variables and PROMPT_COMMAND, BASH_ENV, ENV, ZDOTDIR."""
    from host_cli.support import formats

    if fmt not in formats.SHELLS:
        raise GetDotenvError(
            f"export --format: expected one of {', '.join(formats.SHELLS)}, got {fmt!r}"
        )
    context = get_context(ctx)
    # Deliberately unmasked: `export` hands the values to the shell.
    rendered = formats.render(dict(context.env), fmt)
    for warning in formats.warnings(rendered, "export"):
        context.warn(warning)
    sys.stdout.write(rendered.text)
    sys.stdout.flush()
