"""The composed environment as text for other tools: dotenv, JSON, POSIX shell assignments and
``export`` lines (``--format`` of ``--log`` and ``--output-path``), and the ``export`` command's
lines for bash, zsh, fish and PowerShell.

Every shell form quotes each value so that the shell reads it back byte for byte: nothing in a
value is ever code (``$``, backticks, ``;``, newlines and quotes included). A key that is no
shell variable name cannot be assigned by a shell; ``render`` skips it and names it in
``skipped`` (the caller warns). Masking is the caller's decision, made before calling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import NamedTuple

# --format of --log and --output-path
ENV_FORMATS = ("dotenv", "json", "shell", "export")
# --format of the export command
SHELLS = ("bash", "zsh", "fish", "powershell", "json")

_SHELL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# PowerShell's single-quoted strings end at any of these (it treats the typographic quotes as
# quotes too); each is doubled to stand for itself.
_PS_QUOTES = ("'", "\u2018", "\u2019", "\u201a", "\u201b")


class Rendered(NamedTuple):
    text: str
    skipped: list[str]  # keys no shell can assign (not a shell variable name)


def posix_quote(value: str) -> str:
    """``value`` in single quotes for sh, bash and zsh (a ``'`` as ``'\\''``)."""
    return "'" + value.replace("'", "'\\''") + "'"


def fish_quote(value: str) -> str:
    """``value`` in fish's single quotes, where only ``\\\\`` and ``\\'`` are escapes."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def powershell_quote(value: str) -> str:
    """``value`` in a PowerShell single-quoted (verbatim) string."""
    for quote in _PS_QUOTES:
        value = value.replace(quote, quote * 2)
    return "'" + value + "'"


def json_text(env: Mapping[str, str]) -> str:
    import json

    return json.dumps(dict(env), indent=2, ensure_ascii=False) + "\n"


def render(env: Mapping[str, str], fmt: str) -> Rendered:
    """``env`` as ``fmt``: one of ``shell``, ``export`` (``ENV_FORMATS`` but dotenv, which
    ``serialize.render`` writes), or a shell of ``SHELLS``."""
    if fmt == "json":
        return Rendered(json_text(env), [])
    lines: list[str] = []
    skipped: list[str] = []
    for key, value in env.items():
        if not _SHELL_NAME.fullmatch(key):
            skipped.append(key)
            continue
        if fmt == "shell":
            lines.append(f"{key}={posix_quote(value)}\n")
        elif fmt in ("export", "bash", "zsh"):
            lines.append(f"export {key}={posix_quote(value)}\n")
        elif fmt == "fish":
            lines.append(f"set -gx {key} {fish_quote(value)};\n")
        elif fmt == "powershell":
            lines.append(f"$env:{key} = {powershell_quote(value)}\n")
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return Rendered("".join(lines), skipped)


def skipped_warning(skipped: list[str], shown: str) -> str:
    """The warning for keys a shell cannot assign."""
    names = ", ".join(skipped[:5]) + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
    return (
        f"{shown}: left out {names}: not a shell variable name (letters, digits and '_', "
        "not starting with a digit); --format json or dotenv carries every key"
    )
