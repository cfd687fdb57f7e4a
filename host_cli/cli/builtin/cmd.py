"""``cmd``: run a script, a shell string or an exact argv in the composed environment.

The work is done in ``host_cli.cli.builtin.cmd_run``, which also builds this command's click
object for the start path without typer's package; this is its typer declaration.
"""

# No `from __future__ import annotations`: typer reads `cmd`'s annotations when it builds the
# command, and string annotations would be compiled again each time.

from typing import Annotated

import typer

from host_cli.cli.builtin.cmd_run import ARGUMENT_HELP, HELP, METAVAR, command_argv, run_command
from host_cli.cli.session import get_context

__all__ = ["cmd", "command_argv", "run_command"]


def cmd(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None,
        typer.Argument(metavar=METAVAR, help=ARGUMENT_HELP),
    ] = None,
) -> None:
    raise typer.Exit(run_command(get_context(ctx), command or []))


cmd.__doc__ = HELP
