"""Shared fixtures: a project folder, the CLI run in-process, and guards against leaks.

Every test runs with ``os.environ`` checked for changes and with a check that no process
it started is still running. Processes are recognised by a marker variable that this
session puts in its own environment and every child inherits.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

MARKER = "GETDOTENV_TEST_SESSION"


def pytest_configure(config: pytest.Config) -> None:
    # Set once, before any test's snapshot: children inherit the marker, and the cache
    # lives in a folder of this session, never in the developer's home.
    os.environ.setdefault(MARKER, uuid.uuid4().hex)
    if "PYTEST_XDIST_WORKER" in os.environ:
        # Each xdist worker marks its own children, so one worker's check never sees
        # (nor kills) its siblings, which all inherited the controller's marker.
        os.environ[MARKER] = uuid.uuid4().hex
    cache = Path(config.rootpath, ".pytest_cache", "getdotenv-cache", os.environ[MARKER])
    os.environ.setdefault("GETDOTENV_CACHE_DIR", str(cache))
    for name in [
        k
        for k in os.environ
        if k.startswith("GETDOTENV_") and k not in (MARKER, "GETDOTENV_CACHE_DIR")
    ]:
        del os.environ[name]
    os.environ.pop("DEFAULT_ENV", None)


def our_processes() -> list[tuple[int, str]]:
    """Live processes (not zombies) carrying this session's marker, except pytest itself."""
    token = f"{MARKER}={os.environ[MARKER]}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if token not in f.read().split(b"\0"):
                    continue
            with open(f"/proc/{entry}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if state not in (b"Z", b"X"):
            found.append((int(entry), cmdline))
    return found


@pytest.fixture(autouse=True)
def _no_leaks() -> Iterator[None]:
    def environ() -> dict[str, str]:
        return {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}

    before = environ()
    yield
    assert environ() == before, "test leaked os.environ changes"
    # a process told to stop may take a while to exit on a loaded machine (a SIGTERM'd
    # moto_server took over 5 s at load 18); a real leak still fails, only later
    deadline = time.monotonic() + 20
    leaked = our_processes()
    while leaked and time.monotonic() < deadline:
        time.sleep(0.05)
        leaked = our_processes()
    for pid, _ in leaked:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not leaked, f"test left processes running: {leaked}"


@dataclass
class Outcome:
    """Exit code, stdout and stderr of one CLI run; its repr shows all three."""

    code: int
    out: str
    err: str

    def __repr__(self) -> str:
        return f"Outcome(code={self.code}, out={self.out!r}, err={self.err!r})"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:
    """``project({"path": "text"})`` writes files under a fresh folder and enters it."""
    root = tmp_path / "proj"
    root.mkdir()
    monkeypatch.chdir(root)

    def make(files: dict[str, str] | None = None, *, marker: bool = True) -> Path:
        if (
            marker
            and not (root / "package.json").exists()
            and not (root / "pyproject.toml").exists()
        ):
            (root / "package.json").write_text("{}")
        for name, text in (files or {}).items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return root

    return make


@pytest.fixture
def cli(capfd: pytest.CaptureFixture[str]) -> Callable[..., Outcome]:
    """Run the host in-process (built-in plugins plus ``plugins=``), capturing fds 1 and 2."""
    from host_cli.cli.app import run

    def invoke(
        *args: str, plugins: Sequence[object] = (), prog_name: str = "getdotenv", **kw: object
    ) -> Outcome:
        capfd.readouterr()
        code = run(list(args), prog_name=prog_name, plugins=plugins, entry_points=False, **kw)
        out, err = capfd.readouterr()
        return Outcome(code, out, err)

    return invoke


def printer(tmp: Path) -> list[str]:
    """argv of a child that prints the named variables as JSON (``null`` when unset)."""
    script = tmp / "print_env.py"
    if not script.exists():
        script.write_text(
            "import json, os, sys\n"
            "print(json.dumps({k: os.environ.get(k) for k in sys.argv[1:]}))\n"
        )
    return [sys.executable, str(script)]


@pytest.fixture
def env_of(cli: Callable[..., Outcome], tmp_path: Path) -> Callable[..., dict[str, str | None]]:
    """``env_of(*root_flags, keys=[...])``: the values the child of ``cmd`` sees."""
    import json

    def run(*flags: str, keys: Sequence[str], **kw: object) -> dict[str, str | None]:
        outcome = cli(*flags, "cmd", *printer(tmp_path), *keys, **kw)
        assert outcome.code == 0, outcome
        return json.loads(outcome.out.strip().splitlines()[-1])  # type: ignore[no-any-return]

    return run


@pytest.fixture
def run_getdotenv() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m host_cli`` as a real process (the installed entry points load)."""

    def invoke(
        *args: str, env: dict[str, str] | None = None, **kw: object
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "host_cli", *args],
            capture_output=True,
            text=True,
            env=env if env is not None else dict(os.environ),
            timeout=60,
            **kw,  # type: ignore[arg-type]
        )

    return invoke


def pty_run(
    argv: Sequence[str],
    cwd: Path,
    *,
    wait_for: bytes | None = None,
    send: bytes = b"",
    timeout: float = 60,
) -> tuple[int, bytes]:
    """Run ``argv`` on a pseudo-terminal it controls; once ``wait_for`` appears, type ``send``.

    Returns the exit code and everything written to the terminal.
    """
    import fcntl
    import pty
    import select
    import termios

    master, slave = pty.openpty()

    def take_terminal() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(
        list(argv),
        cwd=cwd,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        preexec_fn=take_terminal,
    )
    os.close(slave)
    seen, sent = b"", wait_for is None and not send
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sent and (wait_for is None or wait_for in seen):
                os.write(master, send)
                sent = True
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # the other side closed: the program ended
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        return proc.wait(timeout=max(1.0, deadline - time.monotonic())), seen
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
