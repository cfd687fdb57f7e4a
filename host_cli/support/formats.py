"""The composed environment as text for other tools: dotenv, JSON, POSIX shell assignments and
``export`` lines (``--format`` of ``--log`` and ``--output-path``), and the ``export`` command's
lines for bash, zsh, fish and PowerShell.

Every shell form quotes each value so that the shell reads it back byte for byte: nothing in a
value is ever code (``$``, backticks, ``;``, newlines and quotes included). A key that is no
shell variable name cannot be assigned by a shell; ``render`` skips it and names it in
``skipped`` (the caller warns). Masking is the caller's decision, made before calling.

Quoting cannot help with a few keys the shell itself turns into code (``UNSAFE``): bash
evaluates an assignment to RANDOM, SRANDOM, OPTIND, HISTCMD and MAILCHECK as arithmetic, where
``a[$(cmd)]`` runs ``cmd``; an interactive shell expands its prompt variables (and runs
PROMPT_COMMAND) at every prompt; BASH_ENV, ENV and ZDOTDIR name files a shell started later
runs. ``render`` leaves those out of the forms they are dangerous in and names them in
``unsafe`` (the caller warns); json and dotenv carry every key.
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


# Keys whose assignment a shell reads as code, whatever the quoting, with the reason.
_ARITHMETIC = frozenset({"RANDOM", "SRANDOM", "OPTIND", "HISTCMD", "MAILCHECK"})
_PROMPTS = frozenset(
    {"PROMPT_COMMAND", "PS0", "PS1", "PS2", "PS3", "PS4"}
    | {"PROMPT", "PROMPT2", "PROMPT3", "PROMPT4", "RPROMPT", "RPROMPT2", "RPS1", "RPS2"}
)
# Exported, so a bash, sh or zsh started later (from any shell) runs the file they name.
_STARTUP = frozenset({"BASH_ENV", "ENV", "ZDOTDIR"})
UNSAFE = _ARITHMETIC | _PROMPTS | _STARTUP
_POSIX = ("shell", "export", "bash", "zsh")


class Rendered(NamedTuple):
    text: str
    skipped: list[str]  # keys no shell can assign (not a shell variable name)
    unsafe: list[str] = []  # keys left out because the shell would run their value as code


def _unsafe(key: str, fmt: str) -> bool:
    if key in _STARTUP:
        return True
    return fmt in _POSIX and key in UNSAFE


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
    unsafe: list[str] = []
    for key, value in env.items():
        if not _SHELL_NAME.fullmatch(key):
            skipped.append(key)
            continue
        if _unsafe(key, fmt):
            unsafe.append(key)
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
    return Rendered("".join(lines), skipped, unsafe)


def _names(keys: list[str]) -> str:
    return ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")


def warnings(rendered: Rendered, shown: str) -> list[str]:
    """The warnings for the keys ``render`` left out (none when it left out none)."""
    out = [skipped_warning(rendered.skipped, shown)] if rendered.skipped else []
    if rendered.unsafe:
        out.append(unsafe_warning(rendered.unsafe, shown))
    return out


def unsafe_warning(unsafe: list[str], shown: str) -> str:
    """The warning for keys left out because a shell would run their value as code."""
    why = []
    if any(k in _ARITHMETIC for k in unsafe):
        why.append("bash evaluates RANDOM, SRANDOM, OPTIND, HISTCMD and MAILCHECK as arithmetic")
    if any(k in _PROMPTS for k in unsafe):
        why.append("an interactive shell expands prompt variables and runs PROMPT_COMMAND")
    if any(k in _STARTUP for k in unsafe):
        why.append("a shell started later runs the file BASH_ENV, ENV or ZDOTDIR names")
    return (
        f"{shown}: left out {_names(unsafe)}: the shell would run the value as code, whatever "
        f"the quoting ({'; '.join(why)}); --format json or dotenv carries every key"
    )


def skipped_warning(skipped: list[str], shown: str) -> str:
    """The warning for keys a shell cannot assign."""
    return (
        f"{shown}: left out {_names(skipped)}: not a shell variable name (letters, digits and '_', "
        "not starting with a digit); --format json or dotenv carries every key"
    )
