"""Running child processes in the foreground: explicit env, inherited stdio, signals passed on.

While a child runs, signals that would stop us go to the child instead, and we wait for
it: its exit code becomes ours, and death by signal N becomes 128+N (as a shell reports
it). Ctrl-C at a terminal already reaches the child (same process group), so SIGINT
and SIGQUIT are forwarded only when they did not come from our terminal. Without a
controlling terminal (CI, IDE consoles) the child gets a process group of its own, so a
signal sent to our whole group (an IDE's Ctrl-C, a CI cancel) reaches it once, through us.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from types import FrameType
from typing import Any

from host_cli.support.errors import CommandNotFoundError, GetDotenvError

_FORWARDED = (signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2)
_TERMINAL = (signal.SIGINT, signal.SIGQUIT)
SHELL_NAMES = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "fish", "ash", "pwsh", "powershell"}
)


def default_shell() -> str:
    """``/bin/bash`` where it exists, else ``/bin/sh`` (get-dotenv's POSIX default)."""
    return "/bin/bash" if os.access("/bin/bash", os.X_OK) else "/bin/sh"


def _from_our_terminal() -> bool:
    """Whether we are in the foreground process group of our controlling terminal."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:
        return False
    finally:
        os.close(fd)


def _has_terminal() -> bool:
    """Whether we have a controlling terminal at all."""
    try:
        fd = os.open("/dev/tty", os.O_RDONLY | os.O_NOCTTY)
    except OSError:
        return False
    os.close(fd)
    return True


class Forwarder:
    """While entered, signals that would stop us (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1/2)
    go to every child started through ``popen`` instead, once each; ``received`` is the first
    such signal (a caller running several children starts no more after it).

    With a terminal, children share our process group, so the terminal's Ctrl-C reaches them
    itself and is not forwarded. Without one, each child gets a process group of its own and
    everything is forwarded: a signal to our whole group then reaches a child exactly once.
    """

    def __init__(self) -> None:
        import threading  # here: this module loads on every start, most runs start one child

        self.children: set[subprocess.Popen[bytes]] = set()
        self.received: int | None = None
        self.own_group = not _has_terminal()
        self._lock = threading.Lock()
        self._previous: dict[int, Any] = {}

    def popen(self, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
        if self.own_group:
            kwargs["process_group"] = 0
        child: subprocess.Popen[bytes] = subprocess.Popen(list(argv), **kwargs)
        with self._lock:
            self.children.add(child)
        return child

    def wait(self, child: subprocess.Popen[bytes]) -> int:
        """Wait for ``child`` (signals handled meanwhile); its exit code as a shell says it."""
        try:
            return exit_code(child.wait())
        finally:
            with self._lock:
                self.children.discard(child)

    def _handle(self, signum: int, _frame: FrameType | None) -> None:
        if self.received is None:
            self.received = signum
        if signum in _TERMINAL and not self.own_group and _from_our_terminal():
            return  # the terminal sent it to the children too
        with self._lock:
            children = list(self.children)
        for child in children:
            with contextlib.suppress(ProcessLookupError, OSError):
                child.send_signal(signum)

    def __enter__(self) -> Forwarder:
        for sig in (*_FORWARDED, *_TERMINAL):
            try:
                self._previous[sig] = signal.signal(sig, self._handle)
            except ValueError:  # not the main thread: signals cannot be handled here
                break
        return self

    def __exit__(self, *_exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()


# Linux passes one "KEY=value" string of at most 32 pages (MAX_ARG_STRLEN) to a new program.
MAX_VARIABLE_BYTES = 131072 if sys.platform.startswith("linux") else None
_ROOM_FOR_ARGV = 16384  # kept free of the kernel's total for the command line itself


def _arg_max() -> int:
    try:
        return max(int(os.sysconf("SC_ARG_MAX")), 131072)
    except (ValueError, OSError):
        return 2097152


def check_env(env: Mapping[str, str], where: Callable[[str], str] = lambda key: "") -> None:
    """Raise, naming the key, if a new process could not get ``env``: a name that is empty or
    holds ``=`` or a NUL byte, a value with a NUL byte, one variable or the whole environment
    over the kernel's limits. ``where(key)`` says where a key came from (``" (.env:3)"``)."""
    total = 0
    sizes = []
    for key, value in env.items():
        if not key or "=" in key or "\0" in key:
            raise GetDotenvError(
                f"{key!r}{where(key)}: not a name a process can get as a variable (empty, or "
                "holding '=' or a NUL byte)"
            )
        if "\0" in value:
            raise GetDotenvError(
                f"{key}{where(key)}: the value holds a NUL byte (at character "
                f"{value.index(chr(0))}), which no process can get"
            )
        size = len(os.fsencode(key)) + len(os.fsencode(value)) + 2
        if MAX_VARIABLE_BYTES is not None and size > MAX_VARIABLE_BYTES:
            raise GetDotenvError(
                f"{key}{where(key)}: {key}=value is {size - 1} bytes; the kernel passes at most "
                f"{MAX_VARIABLE_BYTES - 1} bytes per variable to a new process"
            )
        total += size + 8  # the string and its pointer
        sizes.append((size, key))
    limit = _arg_max() - _ROOM_FOR_ARGV
    if total > limit:
        largest = ", ".join(f"{k} ({s - 1} bytes)" for s, k in sorted(sizes, reverse=True)[:3])
        raise GetDotenvError(
            f"the environment is {total} bytes, over the {limit} bytes the kernel passes to a new "
            f"process (ARG_MAX, less room for the command line); the largest: {largest}"
        )


def exit_code(returncode: int) -> int:
    """A ``Popen`` return code as a shell reports it: death by signal N is 128+N."""
    return 128 - returncode if returncode < 0 else returncode


def run(argv: Sequence[str], env: Mapping[str, str], *, cwd: str | None = None) -> int:
    """Run ``argv`` in the foreground with exactly ``env``; return its exit code.

    A program that is not found is ``CommandNotFoundError`` (exit 127, as a shell); an
    environment or command line the kernel refuses is ``GetDotenvError`` (``check_env``).
    """
    check_env(env)
    with Forwarder() as forwarder:
        child = _start(forwarder, argv, env=dict(env), cwd=cwd)
        return forwarder.wait(child)


def _start(forwarder: Forwarder, argv: Sequence[str], **kwargs: Any) -> subprocess.Popen[bytes]:
    """``forwarder.popen(argv)``, with what can go wrong as one clear error."""
    try:
        return forwarder.popen(argv, **kwargs)
    except ValueError as exc:  # a NUL byte in argv
        raise GetDotenvError(f"cannot run {argv[0]!r}: {exc}") from None
    except FileNotFoundError:
        raise CommandNotFoundError(f"command not found: {argv[0]!r} (not on PATH)") from None
    except PermissionError:
        raise GetDotenvError(
            f"cannot execute {argv[0]!r}: permission denied", exit_code=126
        ) from None
    except OSError as exc:
        if exc.errno != errno.E2BIG:
            raise
        raise GetDotenvError(
            f"cannot run {argv[0]!r}: the command line and environment are over the kernel's "
            "limit (ARG_MAX)"
        ) from None


def shell_argv(shell: str, command: str) -> list[str]:
    """The argv that makes ``shell`` run the command string ``command``."""
    name = os.path.basename(shell).lower()
    if name.removesuffix(".exe") in ("pwsh", "powershell"):
        return [shell, "-NoProfile", "-Command", command]
    return [shell, "-c", command]


def split_command(command: str) -> list[str]:
    """Split a command string into argv without a shell (``--shell-off``)."""
    import shlex

    try:
        return shlex.split(command)
    except ValueError as exc:
        raise GetDotenvError(f"cannot split command {command!r}: {exc}") from None


def looks_like_shell(value: str) -> bool:
    """Whether a token after ``--shell`` names a shell (a path, or a known shell's name)."""
    return "/" in value or value.lower() in SHELL_NAMES or value in ("true", "false")
