"""The host's error types (every user-facing failure, raised with its whole message) and its
warning printer."""

from __future__ import annotations

from collections.abc import Callable


def shorten(value: str, width: int = 60) -> str:
    """``repr(value)``, cut to about ``width`` characters: a 5,000-character path is no message."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 4]}...{text[-1]}"


class GetDotenvError(Exception):
    """A failure the user can fix; ``main()`` prints it as one line and exits.

    The message names the file (and line or dotted key) or the flag, and what
    was expected. Subclasses only pick the exit code.
    """

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class GetDotenvWarning(UserWarning):
    """A warning of the library API (``host_cli.compose``): what the CLI prints as
    ``getdotenv: warning: ...``."""


class ConfigError(GetDotenvError):
    """A config file that cannot be read, parsed or validated."""


class EnvFileError(GetDotenvError):
    """A ``.env`` file that cannot be read or parsed."""


class ExpansionError(GetDotenvError):
    """A variable reference that can never resolve (a reference cycle)."""


class OptionError(GetDotenvError):
    """A root flag (or its config default) with a value that cannot be used."""

    exit_code = 2


class PluginError(GetDotenvError):
    """Plugins that conflict with each other, or a plugin slice that fails validation."""


class CommandNotFoundError(GetDotenvError):
    """The command to run does not exist; 127, as a shell would say."""

    exit_code = 127


def warner(prog_name: str) -> Callable[[str], None]:
    """A function that prints ``<prog_name>: warning: message`` on stderr: the host's
    warnings, and the plugins' through ``HostContext.warn``."""

    def warn(message: str) -> None:
        import sys

        print(f"{prog_name}: warning: {message}", file=sys.stderr)

    return warn
