"""Config commands on a bare CI machine: no AWS_* anywhere, HOME an empty folder, the seed's
own ``ready`` (the real AWS CLI) and a plain ``moto_server`` started by ``local.start``."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

SEED_READY = "aws dynamodb list-tables --endpoint-url $DYNAMODB_LOCAL_ENDPOINT >/dev/null 2>&1"
BIN = str(Path(sys.executable).parent)


@pytest.fixture
def bare(monkeypatch, tmp_path):
    """No AWS_* variables, HOME an empty folder, the venv's aws on PATH."""
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if shutil.which("aws") is None:
        pytest.skip("the AWS CLI is not installed (pip install awscli)")
    return home


def _config(port: int, python: str) -> str:
    return f"""plugins:
  dynamodb:
    local:
      port: {port}
      start: {python} -m moto.server -H 127.0.0.1 -p $DYNAMODB_LOCAL_PORT > moto.log 2>&1 & echo $! > moto.pid
      stop: kill $(cat moto.pid) && rm moto.pid
      ready: {SEED_READY}
"""


def test_seed_ready_works_on_a_bare_machine(project, dcli, port, bare):
    root = project({"getdotenv.config.yaml": _config(port, sys.executable)})
    out = dcli("dynamodb", "local", "start", "--timeout", "30")
    try:
        assert out.code == 0, out
        ready = dcli("dynamodb", "local", "ready", "--timeout", "20")
        assert ready.code == 0, ready
        status = dcli("dynamodb", "local", "status")
        assert status.code == 0, status
    finally:
        stop = dcli("dynamodb", "local", "stop")
    assert stop.code == 0, stop
    assert not (root / "moto.pid").exists()
    again = dcli("dynamodb", "local", "stop")
    assert again.code == 0, again
    assert "not running" in again.err
    assert list(bare.iterdir()) == []  # nothing written into HOME


def test_stop_without_a_stop_command_and_nothing_recorded_is_a_no_op(project, dcli, port):
    project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      start: 'true'\n"
        }
    )
    out = dcli("dynamodb", "local", "stop")
    assert out.code == 0, out
    assert "nothing recorded as running" in out.err


def test_start_is_idempotent_status_json_and_ready_timeout(project, dcli, port, bare, tmp_path):
    import json
    import socket
    import time

    counter = tmp_path / "starts"
    config = _config(port, sys.executable).replace(
        "      start: ", f"      start: echo x >> {counter}; "
    )
    project({"getdotenv.config.yaml": config})
    assert dcli("dynamodb", "local", "start", "--timeout", "30").code == 0
    try:
        again = dcli("dynamodb", "local", "start", "--timeout", "30")
        assert again.code == 0, again
        assert "already running" in again.err
        assert counter.read_text().count("x") == 1  # the start command ran once
        out = dcli("dynamodb", "local", "status", "--json")
        assert out.code == 0, out
        report = json.loads(out.out)
        assert (report["running"], report["backend"], report["port"]) == (True, "config", port)
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    # a server that accepts and never answers: ready gives up after its timeout, not after
    # the AWS CLI's own retries (26 s); the bound leaves room for a loaded machine
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        deadline = time.monotonic() + 10
        while True:  # the stopped server may take a moment to let go of the port
            try:
                sock.bind(("127.0.0.1", port))
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        sock.listen()
        began = time.monotonic()
        out = dcli("dynamodb", "local", "ready", "--timeout", "2")
        took = time.monotonic() - began
        assert out.code == 1, out
        assert took < 8.0, took
        assert "did not succeed within 2s" in out.err
        # and start refuses a port something else holds, naming it
        refused = dcli("dynamodb", "local", "start", "--timeout", "2")
        assert refused.code == 1
        assert f"port {port} is already in use" in refused.err
        assert "does not answer as DynamoDB" in refused.err
    assert counter.read_text().count("x") == 1
