"""A bounded number of connections at once (review3): a local process opening thousands of
connections had a server thread (and its buffers) for each, until threads or memory ran out.
Now at most ``wire.MAX_CONNECTIONS`` are served at once; the longest-idle connection makes room
for a new one, and when none is idle new ones wait in the listen backlog. Real sockets, a real
server process and in-process ``wire.Server``s."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from dynamodb_plugin.local import wire
from dynamodb_plugin.local.probe import wait_ready
from dynamodb_plugin.local.state import free_port
from tests.dynamodb.test_wire import echo


def _threads(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("Threads:"):
                return int(line.split()[1])
    raise AssertionError("no Threads line")


@pytest.fixture(scope="module")
def process(tmp_path_factory):
    """A built-in server process: its endpoint, port and pid."""
    if not os.path.exists("/proc/self/status"):
        pytest.skip("counts a process's threads through /proc")
    port = free_port()
    record = tmp_path_factory.mktemp("connections") / "dynamodb-local.json"
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynamodb_plugin.local.server", "--port", str(port)]
        + ["--record", str(record), "--endpoint", f"http://localhost:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://localhost:{port}"
    try:
        assert wait_ready(endpoint, "local", 60, alive=lambda: proc.poll() is None)
        yield endpoint, port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _client(endpoint: str) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def test_thousands_of_idle_connections_hold_a_bounded_number_of_threads(process):
    endpoint, port, proc = process
    ddb = _client(endpoint)
    ddb.list_tables()
    before = _threads(proc.pid)
    opened: list[socket.socket] = []
    peak = 0
    try:
        for i in range(1000):
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=10))
            if i % 100 == 99:
                peak = max(peak, _threads(proc.pid))
        time.sleep(0.5)
        peak = max(peak, _threads(proc.pid))
        # a client still gets its answers while they are open (the longest idle made room)
        started = time.monotonic()
        for _ in range(5):
            assert ddb.list_tables()["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert time.monotonic() - started < 10
        peak = max(peak, _threads(proc.pid))
    finally:
        for sock in opened:
            sock.close()
    assert peak <= before + getattr(wire, "MAX_CONNECTIONS", 256) + 5, (before, peak)
    assert proc.poll() is None
    assert ddb.list_tables()["ResponseMetadata"]["HTTPStatusCode"] == 200


@contextlib.contextmanager
def serving(limit: int, **options: Any) -> Iterator[tuple[int, wire.Slots]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    slots = wire.Slots(limit)
    srv = wire.Server(sock, echo, slots=slots, **options)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv.server_address[1], slots
    finally:
        srv.shutdown()
        thread.join(5)
        assert not thread.is_alive()


def _ask(sock: socket.socket, body: bytes = b"hi") -> bytes:
    sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    data = b""
    while not data.endswith(body):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


def test_the_longest_idle_connection_makes_room():
    with serving(3) as (port, slots):
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
        for sock in idle:  # each has served a request and now waits for the next
            assert _ask(sock).startswith(b"HTTP/1.1 200")
            # idle again before the next is asked, so they become idle in this order (a thread
            # marks itself idle after its answer has left: on a busy machine the next
            # connection's thread could otherwise mark itself first)
            deadline = time.monotonic() + 5
            while len(slots.idle) < 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(slots.idle) == 3
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as newer:
            assert _ask(newer, b"new").startswith(b"HTTP/1.1 200")
        assert time.monotonic() - started < 2
        assert idle[0].recv(10) == b""  # the first, idle longest, was closed
        assert slots.active <= 3
        assert _ask(idle[2]).startswith(b"HTTP/1.1 200")  # the others are still served
        for sock in idle:
            sock.close()


def test_when_none_is_idle_new_connections_wait_for_a_slot():
    """Slow clients in the middle of a request hold every slot: a new connection waits in the
    backlog, unaccepted, and is served once one of them times out."""
    with serving(2, head_seconds=1.0) as (port, slots):
        slow = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(2)]
        for sock in slow:
            sock.sendall(b"POST / HTTP/1.1\r\n")  # and nothing more
        time.sleep(0.2)
        assert slots.active == 2 and not slots.idle
        started = time.monotonic()
        with socket.create_connection(("127.0.0.1", port), timeout=5) as waiting:
            answer = _ask(waiting, b"late")
        waited = time.monotonic() - started
        assert answer.startswith(b"HTTP/1.1 200") and answer.endswith(b"late")
        assert 0.5 < waited < 4, waited
        for sock in slow:
            assert sock.recv(100).startswith(b"HTTP/1.1 408")
            sock.close()
