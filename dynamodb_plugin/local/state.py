"""The record of a local DynamoDB we started, the lock around start and stop, and how we tell
a process is still the one we started.

Light on imports: ``running_endpoint`` runs on every start of the host.

The record (``.getdotenv/dynamodb-local.json``) names the pid, port, endpoint, start time and
command line. The built-in server writes it itself before it can answer, so no server of ours
runs without one. A process counts as ours only while it is alive (not a zombie), runs that
exact command line and, where the system tells, started at the recorded clock tick: a pid
reused by another program is never touched. A local DynamoDB started by config commands is
recorded too (``backend: config``, no pid): its endpoint holds until ``stop``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import GetDotenvError, PluginError, read_bytes

RECORD = "dynamodb-local.json"
LOCK = "dynamodb-local.lock"
BACKENDS = ("moto", "jar", "config")
_PID_MAX = 1 << 22  # Linux's upper bound for pid_max


class Record(NamedTuple):
    """A local DynamoDB this project started."""

    pid: int | None  # None: started by config commands
    port: int
    endpoint: str
    started_at: str
    argv: list[str]
    start_ticks: int | None
    backend: str  # "moto", "jar" or "config"
    persist: bool
    log: str
    data: str | None
    # The built-in server's control secret (never printed; the record is 0600): control
    # requests need it, and the server proves with it that it is ours (probe.squatter).
    secret: str | None = None


def state_dir(root: Path) -> Path:
    """``<root>/.getdotenv``, the user's alone (0700), created with a ``.gitignore`` that keeps
    it out of git. A symlinked ``.getdotenv`` (or one of another user) is refused: what we keep
    there holds secrets and is written by name."""
    from host_cli import create_private, private_folder

    folder = private_folder(root / ".getdotenv", str(root / ".getdotenv"), error=PluginError)
    create_private(
        folder / ".gitignore",
        "# local state of getdotenv plugins; never commit it\n*\n",
        str(folder / ".gitignore"),
        error=PluginError,
    )
    return folder


def now() -> str:
    import datetime

    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def _check(data: Any) -> Record:
    """A record from parsed JSON; ``ValueError`` naming the first field that is wrong."""
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")

    def field(name: str, ok: Callable[[Any], bool], what: str) -> Any:
        value = data.get(name)
        if not ok(value):
            import json

            raise ValueError(f"{name}: expected {what}, got {json.dumps(value)[:40]}")
        return value

    def whole(low: int, high: int) -> Callable[[Any], bool]:
        return lambda v: isinstance(v, int) and not isinstance(v, bool) and low <= v <= high

    backend = field("backend", lambda v: v in BACKENDS, "one of " + ", ".join(BACKENDS))
    pid_ok = whole(1, _PID_MAX)
    return Record(
        pid=field(
            "pid",
            (lambda v: v is None) if backend == "config" else pid_ok,
            "a process id" if backend != "config" else "null",
        ),
        port=field("port", whole(1, 65535), "a port number"),
        endpoint=field("endpoint", lambda v: isinstance(v, str) and bool(v), "a URL"),
        started_at=field("started_at", lambda v: isinstance(v, str), "a time"),
        argv=field(
            "argv",
            lambda v: isinstance(v, list) and all(isinstance(a, str) for a in v),
            "a list of strings",
        ),
        start_ticks=field(
            "start_ticks", lambda v: v is None or whole(0, 1 << 63)(v), "a number or null"
        ),
        backend=backend,
        persist=field("persist", lambda v: isinstance(v, bool), "true or false"),
        log=field("log", lambda v: isinstance(v, str), "a path"),
        data=field("data", lambda v: v is None or isinstance(v, str), "a path or null"),
        secret=field(
            "secret", lambda v: v is None or (isinstance(v, str) and bool(v)), "a string or null"
        ),
    )


def parse(raw: bytes) -> Record:
    """A record from the file's bytes; ``ValueError`` saying what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    import json

    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not JSON ({exc})") from None
    return _check(data)


def _read_bytes(path: Path, shown: str = "") -> bytes | None:
    """The record's bytes by the host's file rule (a regular file, at most 64 KiB)."""
    return read_bytes(
        path,
        shown or str(path),
        error=PluginError,
        limit=65536,
        what="the record file",
        nofollow=True,
    )


def read(folder: Path, shown: str) -> Record | None:
    """The record, ``None`` when there is none; anything wrong is one error naming the file."""
    path = folder / RECORD
    try:
        raw = _read_bytes(path, shown)
    except PluginError as exc:
        raise PluginError(f"{exc}; if no local DynamoDB of this project runs, delete it") from None
    if raw is None:
        return None
    try:
        return parse(raw)
    except ValueError as exc:
        raise PluginError(
            f"{shown}: not a local DynamoDB record ({exc}); if no local DynamoDB of this "
            "project runs, delete the file"
        ) from None


def write(folder: Path, record: Record) -> None:
    """Write the record atomically (readable by the user only)."""
    tmp = folder / f".{RECORD}.{os.getpid()}.tmp"
    try:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()  # a stale one of a killed process (unlink never follows a symlink)
        new = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(tmp, new, 0o600)
        import json

        with open(fd, "w", encoding="utf-8") as f:
            f.write(json.dumps(record._asdict(), indent=2) + "\n")
        os.replace(tmp, folder / RECORD)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise PluginError(
            f"{folder / RECORD}: cannot write the local DynamoDB's record ({exc.strerror})"
        ) from None


def remove(folder: Path, *, pid: int | None = None) -> None:
    """Remove the record (only if it still names ``pid``, when given)."""
    path = folder / RECORD
    if pid is not None:
        try:
            raw = _read_bytes(path)
            if raw is None or parse(raw).pid != pid:
                return
        except (GetDotenvError, ValueError):
            return
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


def _holder(handle: Any) -> tuple[int | None, str]:
    """Who holds the lock, from what the holder wrote into the file: pid and what it does."""
    with contextlib.suppress(OSError, ValueError):
        handle.seek(0)
        pid_text, _, doing = handle.read(200).partition(" ")
        return int(pid_text), doing.strip()
    return None, ""


def _process_state(pid: int) -> str:
    fields = _stat_fields(pid)
    if fields is None:
        return ""
    return {b"T": "suspended", b"t": "stopped by a debugger"}.get(fields[0], "")


@contextlib.contextmanager
def locked(
    folder: Path,
    doing: str,
    *,
    timeout: float = 30.0,
    say: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the project's lock: one ``start`` or ``stop`` at a time.

    A holder that does not let go is waited for with a message naming it (and saying when it
    is suspended with Ctrl-Z), then ``timeout`` ends the wait with an error.
    """
    import fcntl

    path = folder / LOCK
    handle = open_lock(path)
    with handle:
        started = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            waited = time.monotonic() - started
            pid, what = _holder(handle)
            who = f"pid {pid}" if pid else "another process"
            if what:
                who += f" ({what})"
            condition = _process_state(pid) if pid else ""
            hint = (
                f"; it is {condition}: resume it (fg) or end it (kill {pid})" if condition else ""
            )
            if waited >= timeout:
                raise PluginError(
                    f"{path}: still held by {who} after {timeout:g}s{hint}; nothing was done"
                )
            if not told and waited >= 0.5 and say is not None:
                say(f"local dynamodb: waiting for {who} to finish{hint}")
                told = True
            time.sleep(0.05)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"{os.getpid()} {doing}\n")
            handle.flush()
        except OSError:
            pass  # who holds the lock is only a courtesy to the next waiter
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def open_lock(path: Path) -> Any:
    """A lock file of ours, read-write (never through a symlink, 0600)."""
    from host_cli import open_private

    flags = os.O_RDWR | os.O_CREAT
    fd = open_private(path, flags, str(path), error=PluginError, what="the lock file")
    return open(fd, "r+", encoding="utf-8")


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
    except (ProcessLookupError, OverflowError):
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
    """Whether the recorded process still runs, as the very process we started (a config
    record counts as ours until ``stop``)."""
    if record.pid is None:
        return record.backend == "config"
    if not alive(record.pid):
        return False
    if cmdline(record.pid) != record.argv:
        return False
    ticks = start_ticks(record.pid)
    return record.start_ticks is None or ticks is None or ticks == record.start_ticks


def not_ours(record: Record) -> str | None:
    """Why ``localhost:PORT`` is not (only) the recorded built-in server, or ``None`` when it
    proves it is (see ``probe.squatter``). Servers without a secret (Amazon's jar, records of
    older versions) cannot prove anything and are taken as they are."""
    if record.secret is None or record.backend != "moto":
        return None
    from dynamodb_plugin.local.probe import squatter

    return squatter(record.port, record.secret)


def own_record(
    *,
    port: int,
    endpoint: str,
    backend: str,
    persist: bool,
    log: str,
    data: str | None,
    argv: list[str] | None = None,
    secret: str | None = None,
) -> Record:
    """The record of the running process itself, written before it can answer. ``argv``: the
    command line it is about to ``exec`` (the pid and start time stay the same)."""
    if argv is None:
        argv = cmdline(os.getpid()) or list(sys.orig_argv)
    return Record(
        pid=os.getpid(),
        port=port,
        endpoint=endpoint,
        started_at=now(),
        argv=argv,
        start_ticks=start_ticks(os.getpid()),
        backend=backend,
        persist=persist,
        log=log,
        data=data,
        secret=secret,
    )


def accepting(port: int, host: str = "127.0.0.1", timeout: float = 0.25) -> bool:
    """Whether something accepts TCP connections on ``host:port``."""
    import socket

    try:
        # bytes: a str host costs an import of the idna codec (typeshed says str; any works)
        name: Any = host.encode() if host.isascii() else host
        with socket.create_connection((name, port), timeout=timeout) as sock:
            # With nothing listening, a loopback connect may be given the port itself as its
            # source and connect to itself (TCP simultaneous open): that is nobody accepting.
            return bool(sock.getsockname() != sock.getpeername())
    except OSError:
        return False


def _taken(address: str, port: int) -> bool:
    """Whether binding ``address:port`` fails because another program holds it (``False``
    where the machine has no such loopback address)."""
    import errno
    import socket

    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return False  # no IPv6 here
    with sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        try:
            sock.bind((address, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                return False
            raise
    return accepting(port, address)


def port_in_use(port: int) -> bool:
    """Whether binding ``port`` on 127.0.0.1 or ::1 would fail (another program listens
    there): the built-in server needs both loopback families of its port."""
    return _taken("127.0.0.1", port) or _taken("::1", port)


def free_port() -> int:
    """A port nothing listens on now, on either loopback family (the kernel's pick)."""
    import socket

    for _ in range(20):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if not _taken("::1", port):
            return port
    return port


def running_endpoint(root: Path) -> tuple[str, int] | None:
    """The endpoint and port of this project's local DynamoDB, started and not stopped.

    Never raises: a record that cannot be read counts as none here (the ``local`` commands
    report it).
    """
    try:
        raw = _read_bytes(root / ".getdotenv" / RECORD)
        record = parse(raw) if raw is not None else None
    except (GetDotenvError, ValueError):
        return None
    return (record.endpoint, record.port) if record is not None and is_ours(record) else None
