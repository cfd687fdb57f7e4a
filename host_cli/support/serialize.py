"""Writing an environment as a dotenv file that get-dotenv and python-dotenv read back the same.

Each value gets the first form both parsers read back unchanged: bare, single quotes, or
double quotes (literal newlines allowed in both quote styles). ``$`` is written ``\\$``,
which get-dotenv (and this host) read as ``$``; python-dotenv keeps that backslash, and no
spelling avoids it, so such values are exact for get-dotenv only (``portable`` says which).
A value no quoting can carry for get-dotenv either is an error naming the key.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from host_cli.support import jsspace
from host_cli.support.errors import GetDotenvError

_QUOTES = "'\"`"
_KEY = re.compile(r"[A-Za-z0-9_.-]+")


class Encoded(NamedTuple):
    text: str
    portable: bool  # python-dotenv reads it back unchanged too


def _bare_ok(v: str) -> bool:
    return (
        v == v.strip(jsspace.CHARS)
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
    if (
        cr
        and '"' not in value
        and "\\n" not in value
        and "\\r" not in value
        and not v.endswith("\\")
    ):
        # A carriage return survives only as the \r escape of double quotes (both parsers
        # turn raw CRs into newlines). get-dotenv then turns every \n and \r back, and keeps
        # every other backslash; python-dotenv also decodes \\, \b, ... so it needs none.
        escaped = v.replace("\n", "\\n").replace("\r", "\\r")
        candidates.insert(0, (f'"{escaped}"', True, portable and "\\" not in value))
    for text, node_ok, python_ok in candidates:
        if node_ok and python_ok:
            return Encoded(text, portable)
    for text, node_ok, _python_ok in candidates:
        if node_ok:
            return Encoded(text, False)
    raise GetDotenvError("no dotenv quoting can carry this value")


def line(key: str, value: str, shown: str) -> Encoded:
    """``KEY=value`` as a dotenv line that reads back the same; an error naming ``shown`` and
    the key for a key or value no dotenv file carries."""
    if not _KEY.fullmatch(key):
        raise GetDotenvError(
            f"{shown}: {key!r} cannot be written as a dotenv line that reads back (a key is "
            "letters, digits, '_', '.' and '-')"
        )
    if "\0" in value:
        raise GetDotenvError(f"{shown}: {key}: the value holds a NUL byte; no dotenv file can")
    try:
        encoded = encode(value)
    except GetDotenvError as exc:
        raise GetDotenvError(f"{shown}: {key}: {exc}") from None
    return Encoded(f"{key}={encoded.text}\n", encoded.portable)


def render(env: Mapping[str, str], shown: str = "--output-path") -> tuple[str, list[str]]:
    """The file text, and the keys python-dotenv would read differently."""
    lines, differ = [], []
    for key, value in env.items():
        encoded = line(key, value, shown)
        lines.append(encoded.text)
        if not encoded.portable:
            differ.append(key)
    return "".join(lines), differ


def split_for_python_dotenv(env: Mapping[str, str]) -> list[str]:
    """The keys whose value python-dotenv would read as more than one assignment: one holding
    ', " and a line break, which only backticks carry (python-dotenv reads the first line as
    the value and each further line as a key of its own)."""
    split = []
    for key, value in env.items():
        if ("\n" in value or "\r" in value) and "\0" not in value:
            try:
                text = encode(value).text
            except GetDotenvError:
                continue
            if text.startswith("`"):
                split.append(key)
    return split


def write_atomically(
    path: Path,
    text: str,
    *,
    shown: str,
    mode: int = 0o600,
    error: type[GetDotenvError] = GetDotenvError,
) -> None:
    """Write ``text`` to ``path`` through a temporary file: never a half-written file, and the
    rename made durable (the folder is synced too).

    The file is the user's alone by default (0600): what we write holds values. The temporary
    file is created new (a stale one of a killed process is removed first), never through a
    symlink. A failure is ``error`` naming ``shown`` and the path.
    """
    folder = path.parent
    if os.path.isdir(path):
        raise error(f"{shown}: {path} is a folder; give a file name")
    if not os.path.isdir(folder):
        raise error(f"{shown}: cannot write {path}: the folder {folder} does not exist")
    tmp = folder / f".{path.name}.{os.getpid()}.tmp"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with open(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        reason = "the name is too long" if exc.errno == errno.ENAMETOOLONG else exc.strerror
        raise error(f"{shown}: cannot write {path}: {reason or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    sync_folder(folder)


def sync_folder(folder: Path | str) -> None:
    """Make a rename in ``folder`` durable (some file systems cannot sync a folder: ignored)."""
    with contextlib.suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
