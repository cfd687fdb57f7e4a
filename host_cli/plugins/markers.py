"""``hookimpl``: marks a plugin's hook implementations, without importing pluggy.

It sets exactly what ``pluggy.HookimplMarker("getdotenv")`` sets (the ``getdotenv_impl``
attribute), so pluggy finds the implementations when the host registers the plugin; but
``import host_cli`` (and each plugin's entry module) stays cheap, and pluggy loads when the
host builds its plugin manager. A test checks both markers agree.
"""

from __future__ import annotations

from typing import Any

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
