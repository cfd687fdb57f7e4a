"""pytest fixtures for the project's local DynamoDB (registered through the ``pytest11`` entry
point; nothing happens unless a test uses them).

``dynamodb_local`` (session): the project's local DynamoDB. A running one is reused; otherwise
it is started (the built-in server on a free port, or the config commands) and stopped when the
last test session using it ends, only if a fixture started it. Works across pytest-xdist
workers and concurrent runs: users are counted in ``.getdotenv/pytest-dynamodb.json`` under a
lock. Its ``DYNAMODB_LOCAL_*`` variables are set for the session.

``dynamodb_tables`` (function): the project's versioned tables (the latest, or those named by
``@pytest.mark.dynamodb_tables("000", "001")``) created in that DynamoDB under names no other
test or worker uses, ``TABLE_NAME`` set to the latest one's, and deleted afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import pytest

STATE = "pytest-dynamodb.json"
LOCK = "pytest-dynamodb.lock"


class LocalDynamoDB(NamedTuple):
    """Where the session's local DynamoDB is."""

    endpoint: str
    port: int
    region: str
    started: bool  # by a fixture (it stops it), or reused

    def client(self) -> Any:
        """A boto3 DynamoDB client for it (dummy credentials: a local DynamoDB takes any)."""
        import boto3

        return boto3.client(
            "dynamodb",
            endpoint_url=self.endpoint,
            region_name=self.region,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )


class Tables(dict[str, str]):
    """Version -> the name of its table in this test; ``name`` is the latest one's."""

    @property
    def name(self) -> str:
        return self[max(self)]


def _cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # -P: run from the project folder without importing its modules (a json.py, a secrets.py)
        [sys.executable, "-P", "-m", "host_cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ),
    )


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    import fcntl

    from dynamodb_plugin.local.state import open_lock

    with open_lock(folder / LOCK) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _recorded(folder: Path) -> dict[str, Any]:
    """What the state file says, users alive or not (``{}`` when there is none)."""
    from host_cli import GetDotenvError, read_text

    try:
        data = json.loads(read_text(folder / STATE, str(folder / STATE), nofollow=True) or "{}")
    except (GetDotenvError, ValueError):  # unreadable state counts as none; it is rewritten
        return {}
    return data if isinstance(data, dict) else {}


def _state(folder: Path) -> dict[str, Any]:
    """The state with its live users only (``{}`` when none is left)."""
    from dynamodb_plugin.local.state import alive

    data = _recorded(folder)
    users = [pid for pid in data.get("users", []) if isinstance(pid, int) and alive(pid)]
    return {**data, "users": users} if users else {}


def _save(folder: Path, data: Mapping[str, Any]) -> None:
    from host_cli import PluginError, write_atomically

    if data.get("users"):
        write_atomically(folder / STATE, json.dumps(data), shown=STATE, error=PluginError)
    else:
        with contextlib.suppress(FileNotFoundError):
            (folder / STATE).unlink()


def _server(folder: Path) -> list[Any] | None:
    """Which server the project's record names (pid and start time), to tell a killed
    session's server from one the user started later on the same port."""
    from dynamodb_plugin.local import state
    from host_cli import GetDotenvError

    try:
        record = state.read(folder, state.RECORD)
    except GetDotenvError:
        return None
    return [record.pid, record.started_at] if record is not None else None


def _running(root: Path) -> tuple[str, int] | None:
    """This project's local DynamoDB, if it runs and answers (its record, or its endpoint)."""
    from dynamodb_plugin import endpoint, settings
    from dynamodb_plugin.local.probe import list_tables
    from host_cli import resolve_context

    context = resolve_context(cwd=root)
    merged = settings.load(context.configs)
    found = endpoint.resolve(merged.config["local"], context.child_env(), root)
    if found is not None and list_tables(found[0], "us-east-1", timeout=1.0):
        return found
    return None


def acquire(root: Path) -> LocalDynamoDB:
    """Reuse or start the project's local DynamoDB, counting this process as a user."""
    from dynamodb_plugin import aws
    from dynamodb_plugin.local import backends, state

    folder = state.state_dir(root)
    region = aws.region(os.environ, local=True).name or aws.LOCAL_REGION
    with _locked(folder):
        data = _state(folder)
        if data:
            data["users"].append(os.getpid())
            _save(folder, data)
            return LocalDynamoDB(data["endpoint"], data["port"], region, False)
        # Every user is gone: a session that started the server was killed (SIGKILL, a
        # crash) before it could stop it. Its server is ours to stop then, not the user's own.
        orphan = _recorded(folder)
        found = _running(root)
        started = found is None or (
            orphan.get("started") is True
            and [orphan.get("endpoint"), orphan.get("port")] == list(found)
            and orphan.get("server") == _server(folder)
        )
        if found is None:
            from dynamodb_plugin import settings
            from host_cli import resolve_context

            local = settings.load(resolve_context(cwd=root).configs).config["local"]
            builtin = backends.mode(local) in ("moto", "jar")
            out = _cli(root, "dynamodb", "local", "start", *(["--port", "0"] if builtin else []))
            if out.returncode != 0:
                raise RuntimeError(f"dynamodb local start failed: {out.stderr.strip()}")
            found = _running(root)
        if found is None:
            raise RuntimeError("dynamodb local start ran, but no local DynamoDB answers")
        url, port = found
        _save(
            folder,
            {
                "users": [os.getpid()],
                "started": started,
                "endpoint": url,
                "port": port,
                "server": _server(folder),
            },
        )
        return LocalDynamoDB(url, port, region, started)


def release(root: Path) -> None:
    """This process no longer uses it; the last user stops it if a fixture started it."""
    from dynamodb_plugin.local import state

    folder = state.state_dir(root)
    with _locked(folder):
        data = _state(folder)
        if os.getpid() in data.get("users", []):
            data["users"].remove(os.getpid())
        if not data.get("users") and data.get("started"):
            _cli(root, "dynamodb", "local", "stop")
        _save(folder, data)


@pytest.fixture(scope="session")
def dynamodb_local(pytestconfig: pytest.Config) -> Iterator[LocalDynamoDB]:
    """The project's local DynamoDB for this session: endpoint, port, region."""
    root = Path(pytestconfig.rootpath)
    try:
        local = acquire(root)
    except Exception as exc:
        pytest.fail(f"getdotenv: {exc}", pytrace=False)
    patch = pytest.MonkeyPatch()
    patch.setenv("DYNAMODB_LOCAL_ENDPOINT", local.endpoint)
    patch.setenv("DYNAMODB_LOCAL_PORT", str(local.port))
    try:
        yield local
    finally:
        patch.undo()
        release(root)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "dynamodb_tables(*versions): the table versions the dynamodb_tables fixture creates "
        "(default: the latest)",
    )


@pytest.fixture
def dynamodb_tables(
    request: pytest.FixtureRequest,
    dynamodb_local: LocalDynamoDB,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Tables]:
    """The project's versioned tables, created for this test under names of its own."""
    from dynamodb_plugin import aws
    from dynamodb_plugin.tables import definition, ops
    from host_cli import resolve_context

    root = Path(request.config.rootpath)
    run = ops.load(resolve_context(cwd=root))
    marker = request.node.get_closest_marker("dynamodb_tables")
    versions = [run.layout.find(v) for v in marker.args] if marker and marker.args else []
    versions = versions or [run.layout.latest()]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    made = Tables()
    dynamodb = dynamodb_local.client()
    try:
        for version in versions:
            base = definition.table_name(run.definition(version), run.env, version.name).value
            name = f"{base[:200]}-{worker}-{uuid.uuid4().hex[:8]}"
            ops.create_table(
                run, version=version.name, allow_non_latest=True, table_name=name, say=False
            )
            made[version.name] = name
        monkeypatch.setenv("TABLE_NAME", made.name)
        yield made
    finally:
        for name in made.values():
            with contextlib.suppress(Exception):
                dynamodb.delete_table(TableName=name)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and set(made.values()) & aws.existing_tables(dynamodb):
            time.sleep(0.1)
