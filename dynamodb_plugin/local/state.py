"""The record of a server we started, and how we tell it is still that server.

Light on imports: ``running_endpoint`` runs on every start of the host.

The record (``.getdotenv/dynamodb-local.json``) names the pid, port, endpoint, start time and
command line. A process counts as ours only while it is alive (not a zombie), runs that exact
command line and, where the system tells, started at the recorded clock tick: a pid reused by
another program is never touched.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import PluginError

RECORD = "dynamodb-local.json"
LOCK = "dynamodb-local.lock"


class Record(NamedTuple):
    """A server we started."""

    pid: int
    port: int
    endpoint: str
    started_at: str
    argv: list[str]
    start_ticks: int | None
    backend: str  # "moto" or "jar"
    persist: bool
    log: str
    data: str | None


def state_dir(root: Path) -> Path:
    """``<root>/.getdotenv``, created with a ``.gitignore`` that keeps it out of git."""
    folder = root / ".getdotenv"
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# local state of getdotenv plugins; never commit it\n*\n")
    return folder


def now() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _record(text: str) -> Record:
    data: Any = json.loads(text)
    return Record(**{field: data[field] for field in Record._fields})


def read(folder: Path, shown: str) -> Record | None:
    """The record, ``None`` when there is none; a corrupt one is an error naming the file."""
    path = folder / RECORD
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PluginError(f"{shown}: cannot read the server record: {exc.strerror}") from None
    try:
        return _record(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise PluginError(
            f"{shown}: corrupt server record ({type(exc).__name__}: {exc}); if no local "
            "DynamoDB of this project is running, delete the file"
        ) from None


def write(folder: Path, record: Record) -> None:
    tmp = folder / f".{RECORD}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(record._asdict(), indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, folder / RECORD)


def remove(folder: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        (folder / RECORD).unlink()


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the project's server lock: one ``start`` or ``stop`` at a time."""
    import fcntl

    with open(folder / LOCK, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _proc(pid: int, name: str) -> bytes | None:
    try:
        with open(f"/proc/{pid}/{name}", "rb") as f:
            return f.read()
    except OSError:
        return None


def _stat_fields(pid: int) -> list[bytes] | None:
    raw = _proc(pid, "stat")
    if raw is None:
        return None
    return raw.rsplit(b")", 1)[1].split()  # the command name may hold spaces


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started, in clock ticks since boot (Linux); ``None`` where unknown."""
    fields = _stat_fields(pid)
    return int(fields[19]) if fields else None


def alive(pid: int) -> bool:
    """Whether ``pid`` exists and is not a zombie (reaping it if it is our own child)."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    fields = _stat_fields(pid)
    return not (fields and fields[0] in (b"Z", b"X"))


def cmdline(pid: int) -> list[str] | None:
    """The command line of ``pid``."""
    raw = _proc(pid, "cmdline")
    if raw is not None:
        return [part.decode(errors="replace") for part in raw.split(b"\0")[:-1]]
    import subprocess

    try:  # no /proc (macOS): ps prints the arguments joined by spaces
        out = subprocess.run(["ps", "-o", "args=", "-p", str(pid)], capture_output=True, text=True)
    except OSError:
        return None
    return out.stdout.strip().split(" ") if out.returncode == 0 and out.stdout.strip() else None


def is_ours(record: Record) -> bool:
    """Whether the recorded process still runs, as the very process we started."""
    if not alive(record.pid):
        return False
    if cmdline(record.pid) != record.argv:
        return False
    ticks = start_ticks(record.pid)
    return record.start_ticks is None or ticks is None or ticks == record.start_ticks


def accepting(port: int, host: str = "127.0.0.1", timeout: float = 0.25) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def port_in_use(port: int) -> bool:
    """Whether binding ``127.0.0.1:port`` would fail (another program listens there)."""
    import errno
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return accepting(port)


def free_port() -> int:
    """A port nothing listens on now (the kernel's pick)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def running_endpoint(root: Path) -> tuple[str, int] | None:
    """The endpoint and port of the built-in server this project runs, if it runs."""
    try:
        record = _record((root / ".getdotenv" / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (record.endpoint, record.port) if is_ours(record) else None
