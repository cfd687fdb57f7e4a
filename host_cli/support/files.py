"""The one rule for every file the host (and its plugins) read.

A file is read only if it is a regular file (a FIFO, a device such as ``/dev/zero``, a folder or
a socket is an error, and opening never blocks), at most ``MAX_BYTES`` (32 MiB: far beyond any
dotenv or config file, well within memory), and decoded as strict UTF-8. Anything else is one
error naming the file. A missing file is ``None`` for callers that treat it as absent.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

from host_cli.support.errors import GetDotenvError

MAX_BYTES = 32 * 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "a symlink loop"
    if exc.errno == errno.ENAMETOOLONG:
        return "the path is too long"
    return exc.strerror or str(exc)


def open_file(
    path: Path | str,
    shown: str,
    *,
    error: type[GetDotenvError] = GetDotenvError,
    what: str = "a file",
    nofollow: bool = False,
) -> BinaryIO | None:
    """A regular file opened for reading in binary, by the rule above but with no size bound
    (for files read as a stream: a snapshot); ``None`` when it does not exist. ``nofollow``:
    a symlink is an error (for state files of our own, see ``open_private``)."""
    fd = _open(path, shown, error, what, nofollow)
    if fd is None:
        return None
    try:
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _open(
    path: Path | str, shown: str, error: type[GetDotenvError], what: str, nofollow: bool = False
) -> int | None:
    """A descriptor of the regular file at ``path`` (opening never blocks), else an error."""
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW if nofollow else flags)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise error(f"{shown}: is a folder, expected {what}") from None
    except OSError as exc:
        if exc.errno == errno.ENOTDIR:
            return None  # a parent is a file: the path does not exist
        if nofollow and exc.errno == errno.ELOOP:
            raise error(_SYMLINK.format(shown=shown)) from None
        raise error(f"{shown}: cannot read ({_reason(exc)})") from None
    try:
        mode = os.fstat(fd).st_mode
        for test, kind in _KINDS:
            if test(mode):
                raise error(f"{shown}: is {kind}, expected {what}")
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(
    path: Path | str,
    shown: str,
    *,
    error: type[GetDotenvError] = GetDotenvError,
    limit: int = MAX_BYTES,
    what: str = "a file",
    nofollow: bool = False,
) -> bytes | None:
    """The bytes of a regular file; ``None`` when it does not exist."""
    fd = _open(path, shown, error, what, nofollow)
    if fd is None:
        return None
    try:
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise error(f"{shown}: larger than {_size(limit)}; not read (expected {what})")
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"{shown}: cannot read ({_reason(exc)})") from None
    finally:
        os.close(fd)


def decode(data: bytes, shown: str, *, error: type[GetDotenvError] = GetDotenvError) -> str:
    """Strict UTF-8; a file that is not is an error naming the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(
            f"{shown}: not UTF-8 text (byte {data[exc.start]:#04x} at offset {exc.start})"
        ) from None


def read_text(
    path: Path | str,
    shown: str,
    *,
    error: type[GetDotenvError] = GetDotenvError,
    limit: int = MAX_BYTES,
    what: str = "a file",
    nofollow: bool = False,
) -> str | None:
    """The text of a regular UTF-8 file (by the rule above); ``None`` when it does not exist."""
    data = read_bytes(path, shown, error=error, limit=limit, what=what, nofollow=nofollow)
    return None if data is None else decode(data, shown, error=error)


_SYMLINK = (
    "{shown}: is a symlink; getdotenv keeps its private state there and never follows one "
    "(remove it)"
)


def open_private(
    path: Path | str,
    flags: int,
    shown: str,
    *,
    error: type[GetDotenvError] = GetDotenvError,
    what: str = "a file",
) -> int:
    """A descriptor of a state file of ours (a lock, a log appended to): never opened through
    a symlink, created the user's alone (0600), and a regular file, else ``error`` naming it."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC, 0o600)
    except IsADirectoryError:
        raise error(f"{shown}: is a folder, expected {what}; remove it") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(_SYMLINK.format(shown=shown)) from None
        raise error(f"{shown}: cannot open {what} ({_reason(exc)})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise error(f"{shown}: is not a regular file, expected {what}; remove it")
    except BaseException:
        os.close(fd)
        raise
    return fd


def create_private(path: Path | str, text: str, shown: str, *, error: type[GetDotenvError]) -> bool:
    """Write ``text`` to a new file (0600, never through a symlink); ``False`` when the name
    is taken already (the file is left as it is)."""
    try:
        new = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path, new, 0o600)
    except FileExistsError:
        return False
    except OSError as exc:
        raise error(f"{shown}: cannot create it ({_reason(exc)})") from None
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)
    return True


def private_folder(path: Path, shown: str, *, error: type[GetDotenvError]) -> Path:
    """``path`` as a folder of ours for private state: created 0700; a symlink, something
    that is not a folder, or a folder of another user is refused with one line."""
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except FileExistsError:
        pass  # a file or a symlink: said below
    except OSError as exc:
        reason = _reason(exc)
        raise error(f"{shown}: cannot create it ({reason}); make its folder writable") from None
    try:
        info = os.lstat(path)
    except OSError as exc:
        raise error(f"{shown}: cannot read it ({_reason(exc)})") from None
    if stat.S_ISLNK(info.st_mode):
        raise error(
            f"{shown}: is a symlink; getdotenv keeps private state there and never follows "
            "one (replace it with a folder)"
        )
    if not stat.S_ISDIR(info.st_mode):
        raise error(f"{shown}: exists and is not a folder; move it away")
    if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
        raise error(f"{shown}: belongs to another user (uid {info.st_uid}); it must be yours")
    if info.st_mode & 0o077:
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
    return path


def shown_path(path: Path, cwd: Path) -> str:
    """``path`` as messages show it: relative to ``cwd`` where it lies inside it."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def is_file(path: Path) -> bool:
    """Whether ``path`` is a regular file (never raises: a loop or a long name is no file)."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
