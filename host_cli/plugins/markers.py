"""``hookimpl``: marks a plugin's hook implementations, without importing pluggy.

It sets exactly what ``pluggy.HookimplMarker("getdotenv")`` sets (the ``getdotenv_impl``
attribute), so pluggy finds the implementations when the host registers the plugin; but
``import host_cli`` (and each plugin's entry module) stays cheap, and pluggy loads when the
host builds its plugin manager. A test checks both markers agree.
"""

from __future__ import annotations

from typing import Annotated, Any

PROJECT = "getdotenv"


def hookimpl(
    function: Any = None,
    *,
    hookwrapper: bool = False,
    optionalhook: bool = False,
    tryfirst: bool = False,
    trylast: bool = False,
    specname: str | None = None,
    wrapper: bool = False,
) -> Any:
    """Mark ``function`` as an implementation of the getdotenv hook of the same name
    (``@hookimpl``, or ``@hookimpl(tryfirst=True)``); returns it unchanged."""

    def mark(func: Any) -> Any:
        setattr(
            func,
            f"{PROJECT}_impl",
            {
                "wrapper": wrapper,
                "hookwrapper": hookwrapper,
                "optionalhook": optionalhook,
                "tryfirst": tryfirst,
                "trylast": trylast,
                "specname": specname,
            },
        )
        return func

    return mark if function is None else mark(function)


class ShellStringMarker:
    """Marks a config field as a shell command string (see ``ShellCommand``)."""

    def __repr__(self) -> str:
        return "SHELL_COMMAND"


SHELL_COMMAND = ShellStringMarker()

ShellCommand = Annotated[str, SHELL_COMMAND]
"""The type of a plugin config field that holds a shell command (``start: ShellCommand |
None = None``). The host expands get-dotenv references in it as in any config string, but
hands each value that could be syntax to the child in a carrier variable
(``HostContext.child_env()`` holds them), so a value's text never runs as code; other
config strings keep get-dotenv's plain interpolation. See docs/plugins.md."""
