"""Faults around the built-in local DynamoDB: killed starts, full and read-only disks, corrupt
snapshots, odd state files, a suspended start. Each leaves no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dynamodb_plugin.local import state
from tests.conftest import our_processes

TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def servers() -> list[tuple[int, str]]:
    return [p for p in our_processes() if "dynamodb_plugin.local.server" in p[1]]


def wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@contextlib.contextmanager
def tmpfs(folder: Path, size: str = "64k"):
    """A real small file system at ``folder`` (root only; skipped where mounting is refused)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield lambda options: subprocess.run(
            ["mount", "-o", f"remount,{options}", str(folder)], check=True
        )
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def config(port: int, extra: str = "") -> dict[str, str]:
    return {
        "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n{extra}"
    }


def fill(client, endpoint: str, items: int, size: int = 1000) -> None:
    c = client(endpoint)
    with contextlib.suppress(c.exceptions.ResourceInUseException):
        c.create_table(**TABLE)
    for i in range(items):
        c.put_item(TableName="things", Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * size}})


def test_a_start_killed_after_spawning_leaves_a_recorded_server(project, port):
    root = project(config(port))
    argv = [sys.executable, "-m", "host_cli", "dynamodb", "local", "start"]
    starter = subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        record = root / ".getdotenv" / state.RECORD
        # The server records itself once it has its secret (on stdin from start): kill start
        # then, before it has seen the server answer. (Killed before handing the secret over,
        # start leaves no server at all: it exits on an empty stdin.)
        wait_for(lambda: servers() and record.exists(), 10)
        starter.kill()
        starter.wait()
        pid = json.loads(record.read_text())["pid"]
        assert pid == servers()[0][0]
        again = subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=60)
        assert again.returncode == 0
        assert f"already running (moto, pid {pid})" in again.stderr
        assert [p for p, _ in servers()] == [pid]
    finally:
        stopped = subprocess.run(
            [sys.executable, "-m", "host_cli", "dynamodb", "local", "stop"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert stopped.returncode == 0, stopped.stderr
    assert servers() == [] and not (root / ".getdotenv" / state.RECORD).exists()


def test_a_full_disk_keeps_the_server_and_its_data_until_saved(project, dcli, port, client):
    root = project(config(port, "      snapshotInterval: 0.2\n"))
    data = root / ".getdotenv" / "dynamodb-local"
    with tmpfs(data, "64k") as remount:
        endpoint = f"http://localhost:{port}"
        assert dcli("dynamodb", "local", "start").code == 0
        try:
            fill(client, endpoint, 150)  # about 150 KB: more than the disk holds
            log = root / ".getdotenv" / "dynamodb-local.log"
            wait_for(lambda: "autosave failed" in log.read_text())
            assert len(servers()) == 1  # a failed autosave is not fatal
            pid = servers()[0][0]
            out = dcli("dynamodb", "local", "stop")
            assert out.code == 1
            assert out.err == (
                f"getdotenv: error: local dynamodb: could not save {data}/snapshot.jsonl (OSError: "
                f"[Errno 28] No space left on device); the server still runs (pid {pid}) and "
                "holds the data: fix the cause and run stop again, or stop --force to stop it "
                "and lose what changed since the last save\n"
            )
            assert [p for p, _ in servers()] == [pid]
            assert client(endpoint).scan(TableName="things", Select="COUNT")["Count"] == 150
            assert not [f for f in os.listdir(data) if f.endswith(".tmp")]  # no half files
            remount("size=4m")  # the user frees space
            stopped = dcli("dynamodb", "local", "stop")
            assert stopped.code == 0 and f"stopped (pid {pid}); data kept in" in stopped.err
            assert dcli("dynamodb", "local", "start").code == 0
            assert client(endpoint).scan(TableName="things", Select="COUNT")["Count"] == 150
        finally:
            dcli("dynamodb", "local", "stop", "--force")
    assert servers() == []


def test_a_read_only_snapshot_folder_and_stop_force(project, dcli, port, client):
    root = project(config(port))
    data = root / ".getdotenv" / "dynamodb-local"
    with tmpfs(data, "4m") as remount:
        endpoint = f"http://localhost:{port}"
        assert dcli("dynamodb", "local", "start").code == 0
        try:
            fill(client, endpoint, 3)
            remount("ro")
            out = dcli("dynamodb", "local", "stop")
            assert out.code == 1 and "Read-only file system" in out.err and len(servers()) == 1
            forced = dcli("dynamodb", "local", "stop", "--force")
            assert forced.code == 0 and "without saving (--force)" in forced.err, forced
            assert servers() == []
        finally:
            dcli("dynamodb", "local", "stop", "--force")


def test_a_read_only_state_folder_is_one_line(project, dcli, port):
    root = project(config(port))
    with tmpfs(root / ".getdotenv", "64k") as remount:
        remount("ro")
        out = dcli("dynamodb", "local", "start")
        assert out.code == 1
        assert out.err.startswith("getdotenv: error: ") and out.err.count("\n") == 1
        assert "Read-only file system" in out.err and "Traceback" not in out.err
    assert servers() == []


def test_a_corrupt_snapshot_names_the_file_and_how_to_recover(project, dcli, port):
    root = project(config(port))
    snapshot = root / ".getdotenv" / "dynamodb-local" / "snapshot.json"
    snapshot.parent.mkdir(parents=True)
    snapshot.write_text('{"format": "getdotenv-dynamodb-snapshot", "tables": [{"trunc')
    out = dcli("dynamodb", "local", "start")
    assert out.code == 1
    assert out.err == (
        f"getdotenv: error: local dynamodb: {snapshot}: cannot restore the saved data "
        "(Unterminated string starting at: line 1 column 55 (char 54)); the file is left as it "
        f"was: move it away to start without it (mv {snapshot} {snapshot}.bad), or start with "
        "--in-memory (log .getdotenv/dynamodb-local.log)\n"
    )
    assert snapshot.read_text().endswith("trunc") and servers() == []
    assert not (root / ".getdotenv" / state.RECORD).exists()
    assert dcli("dynamodb", "local", "start", "--in-memory").code == 0
    dcli("dynamodb", "local", "stop")


def test_a_folder_where_the_lock_file_should_be(project, dcli, port):
    root = project(config(port))
    (root / ".getdotenv" / state.LOCK).mkdir(parents=True)
    out = dcli("dynamodb", "local", "start")
    assert (out.code, out.err) == (
        1,
        f"getdotenv: error: {root}/.getdotenv/dynamodb-local.lock: is a folder, expected the "
        "lock file; remove it\n",
    )


def test_a_suspended_start_is_named_and_waited_for_with_a_timeout(project, dcli, port):
    root = project(config(port))
    argv = [sys.executable, "-m", "host_cli", "dynamodb", "local", "start"]
    starter = subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = root / ".getdotenv" / state.LOCK
    try:
        wait_for(lambda: lock.exists() and lock.read_text().startswith(f"{starter.pid} "))
        os.kill(starter.pid, signal.SIGSTOP)  # Ctrl-Z
        out = dcli("dynamodb", "local", "stop", "--timeout", "1")
        assert out.code == 1
        assert out.err == (
            f"local dynamodb: waiting for pid {starter.pid} (local start) to finish; it is "
            f"suspended: resume it (fg) or end it (kill {starter.pid})\n"
            f"getdotenv: error: {lock}: still held by pid {starter.pid} (local start) after 1s; "
            f"it is suspended: resume it (fg) or end it (kill {starter.pid}); nothing was done\n"
        )
    finally:
        os.kill(starter.pid, signal.SIGCONT)
        starter.communicate(timeout=60)
        dcli("dynamodb", "local", "stop")
    assert starter.returncode == 0 and servers() == []
