"""Findings of review4 (an attacker's and a correctness auditor's pass over planned updates,
item copies, the start-up shortcuts, the socket probe and review3's limits), each one through
real processes and sockets, or against moto's own code on a twin backend: what went wrong,
and that it no longer does."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from dynamodb_plugin.local import probe
from dynamodb_plugin.local.state import free_port

# -- the probe against a hostile listener ----------------------------------------------------


def _dribble(conn: socket.socket) -> None:
    """An HTTP answer a byte every 0.3 s: each ``recv`` is answered well within any timeout."""
    conn.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\n" + b"X" * 100_000:
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


def _deep(conn: socket.socket) -> None:
    """A 200 answer whose body is 5,000 ``[``: ``json.loads`` raises ``RecursionError``."""
    conn.recv(65536)
    body = b"[" * 5000
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@contextlib.contextmanager
def _listener(port: int, answer: Callable[[socket.socket], None]) -> Iterator[None]:
    """Another program's listener on both loopback addresses of ``port``."""
    socks = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            sock.close()
            continue  # no IPv6 loopback here
        sock.listen(16)
        socks.append(sock)

    def serve(sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return

            def one(conn: socket.socket = conn) -> None:
                with contextlib.suppress(OSError), conn:
                    answer(conn)

            threading.Thread(target=one, daemon=True).start()

    for sock in socks:
        threading.Thread(target=serve, args=(sock,), daemon=True).start()
    try:
        yield
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("answer", [_dribble, _deep], ids=["dribbling", "deeply-nested"])
def test_ready_is_bounded_by_its_timeout_whatever_listens_on_the_port(tmp_path, answer):
    """``local ready --timeout 2`` (and ``start``'s wait, ``status``'s squatter check, the
    pytest plugin's probe) against another program on the port: a listener answering a byte
    at a time held the probe for as long as its 64 KB / 1 MB limit lasted (each ``recv`` had
    the timeout, the answer as a whole none: hours); one answering deeply nested JSON made it
    raise ``RecursionError`` (a traceback). Now: refused within the timeout, exit code 1."""
    port = free_port()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "package.json").write_text("{}")
    (project / "getdotenv.config.yaml").write_text(
        f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    with _listener(port, answer):
        began = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "host_cli", "dynamodb", "local", "ready", "--timeout", "2"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("local ready --timeout 2 still waiting after 30 s")
        took = time.monotonic() - began
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr, done.stderr
    assert "did not answer ListTables within 2s" in done.stderr
    assert took < 15, took


@pytest.mark.parametrize("answer", [_dribble, _deep], ids=["dribbling", "deeply-nested"])
def test_the_probes_answer_in_time_and_never_raise(answer):
    port = free_port()
    found: list[object] = []

    def probes() -> None:
        try:
            found.append(probe.hello("127.0.0.1", port, "secret", timeout=0.5))
            found.append(probe.list_tables(f"http://127.0.0.1:{port}", "local", timeout=0.5))
        except BaseException as exc:  # noqa: BLE001 - what the CLI would have shown
            found.append(exc)

    with _listener(port, answer):
        worker = threading.Thread(target=probes, daemon=True)
        worker.start()
        worker.join(10)
    assert not worker.is_alive(), "the probes still waiting after 10 s (timeouts 0.5 s)"
    assert found == ["silent" if answer is _dribble else "other", False]
