"""Writing an environment as a dotenv file that get-dotenv and python-dotenv read back the same.

Each value gets the first form both parsers read back unchanged: bare, single quotes, or
double quotes (literal newlines allowed in both quote styles). ``$`` is written ``\\$``,
which get-dotenv (and this host) read as ``$``; python-dotenv keeps that backslash, and no
spelling avoids it, so such values are exact for get-dotenv only (``portable`` says which).
A value no quoting can carry for get-dotenv either is an error naming the key.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from host_cli.errors import GetDotenvError

_JS_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff" + "".join(
    chr(c) for c in range(0x2000, 0x200B)
)
_QUOTES = "'\"`"


class Encoded(NamedTuple):
    text: str
    portable: bool  # python-dotenv reads it back unchanged too


def _bare_ok(v: str) -> bool:
    return (
        v == v.strip(_JS_SPACE)
        and "#" not in v
        and "\n" not in v
        and "\r" not in v
        and "\u2028" not in v
        and "\u2029" not in v
        and v[:1] not in tuple(_QUOTES)
    )


def encode(value: str) -> Encoded:
    """The dotenv spelling of ``value``."""
    v = value.replace("$", "\\$")
    portable = "$" not in value
    if not v:
        return Encoded("", True)
    cr = "\r" in value  # raw CRs become newlines in both parsers: see the escaped form below
    candidates: list[tuple[str, bool, bool]] = [
        # (text, get-dotenv reads it back, python-dotenv reads it back)
        (v, _bare_ok(v), _bare_ok(v) and v == v.strip()),
        (
            f"'{v}'",
            not cr and "'" not in v and not v.endswith("\\"),
            "'" not in v and "\\\\" not in v and not v.endswith("\\"),
        ),
        (
            f'"{v}"',
            not cr and '"' not in v and "\\n" not in v and "\\r" not in v and not v.endswith("\\"),
            '"' not in v and "\\" not in v,
        ),
        (f"`{v}`", not cr and "`" not in v and not v.endswith("\\"), False),
    ]
    if "\r" in value and '"' not in value and "\\" not in value:
        # A carriage return survives only as the \r escape of double quotes (both parsers
        # turn raw CRs into newlines); that needs a value without other backslashes.
        escaped = v.replace("\n", "\\n").replace("\r", "\\r")
        candidates.insert(0, (f'"{escaped}"', True, portable))
    for text, node_ok, python_ok in candidates:
        if node_ok and python_ok:
            return Encoded(text, portable)
    for text, node_ok, _python_ok in candidates:
        if node_ok:
            return Encoded(text, False)
    raise GetDotenvError("no dotenv quoting can carry this value")


def render(env: Mapping[str, str]) -> tuple[str, list[str]]:
    """The file text, and the keys python-dotenv would read differently."""
    lines, differ = [], []
    for key, value in env.items():
        try:
            encoded = encode(value)
        except GetDotenvError as exc:
            raise GetDotenvError(f"--output-path: {key}: {exc}") from None
        lines.append(f"{key}={encoded.text}")
        if not encoded.portable:
            differ.append(key)
    return "".join(f"{line}\n" for line in lines), differ


def write_atomically(path: Path, text: str, *, shown: str) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written file."""
    folder = path.parent
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise GetDotenvError(f"{shown}: cannot write {path}: {exc.strerror or exc}") from None
