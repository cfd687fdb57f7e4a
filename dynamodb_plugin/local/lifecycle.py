"""``dynamodb local start|stop|status|ready``: config commands, a built-in server, or guidance.

Exit codes: ``start``/``stop`` are non-zero only when something failed; ``status`` is 0 only
when the server runs; ``ready`` is 0 only when a signed ``ListTables`` answers. With no
backend configured, ``start``/``stop`` print guidance and exit 0, ``status``/``ready`` exit 3.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from dynamodb_plugin.endpoint import region
from dynamodb_plugin.local import backends, state
from host_cli import PluginError, default_shell, run_process, shell_argv

if TYPE_CHECKING:
    from host_cli import HostContext

NOT_CONFIGURED = 3


def _guidance() -> None:
    typer.echo(backends.GUIDANCE, err=True, nl=False)


def _say(text: str) -> None:
    typer.echo(text, err=True)


def _shell(context: HostContext) -> str:
    # Config commands are shell strings: they need a shell even under --shell-off.
    return context.options.shell or default_shell()


def _run_config(context: HostContext, local: Mapping[str, Any], key: str) -> int:
    return run_process(shell_argv(_shell(context), local[key]), context.child_env())


def _run_required(context: HostContext, local: Mapping[str, Any], key: str, hint: str) -> None:
    """Run a config command that this subcommand cannot do without; failing is an error."""
    if not local.get(key):
        raise PluginError(f"plugins.dynamodb.local.{key} is not set; {hint}")
    code = _run_config(context, local, key)
    if code != 0:
        raise PluginError(
            f"plugins.dynamodb.local.{key} failed with exit code {code}", exit_code=code
        )


def _endpoint(context: HostContext) -> tuple[str, int]:
    if not context.env.get("DYNAMODB_LOCAL_ENDPOINT"):
        raise PluginError(
            "DYNAMODB_LOCAL_ENDPOINT is set empty, which means no local DynamoDB in this "
            f"environment ({context.env_name or 'no env selected'})"
        )
    return context.env["DYNAMODB_LOCAL_ENDPOINT"], int(context.env["DYNAMODB_LOCAL_PORT"])


def _wait(context: HostContext, endpoint: str, timeout: float, alive: Any = None) -> bool:
    from dynamodb_plugin.local.probe import wait_ready

    progress = None
    if sys.stderr.isatty():

        def progress(elapsed: float) -> None:
            sys.stderr.write(f"\rlocal dynamodb: waiting for {endpoint} ({elapsed:.1f}s)")
            sys.stderr.flush()

    try:
        return wait_ready(
            endpoint, region(context.env), timeout, alive=alive or (lambda: True), progress=progress
        )
    finally:
        if progress is not None:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _announce(endpoint: str) -> None:
    typer.echo(f"local dynamodb: endpoint {endpoint}")
    _say(
        f"to use it from your own shell: export DYNAMODB_LOCAL_ENDPOINT={endpoint} "
        "(commands run by getdotenv see it already)"
    )


def _folder(context: HostContext) -> tuple[Path, str]:
    root = context.project_root or context.cwd
    folder = state.state_dir(root)
    try:
        shown = str((folder / state.RECORD).relative_to(context.cwd))
    except ValueError:
        shown = str(folder / state.RECORD)
    return folder, shown


def _log_tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM, wait up to ``timeout``, then SIGKILL; ``True`` if it stopped on SIGTERM."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not state.alive(pid):
            return True
        time.sleep(0.05)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    while state.alive(pid):
        time.sleep(0.02)
    return False


def start(context: HostContext, *, timeout: float, in_memory: bool) -> int:
    local = context.configs.data("dynamodb")["local"]
    endpoint, port = _endpoint(context)
    which = backends.mode(local)
    if which == "none":
        _guidance()
        return 0
    if which == "config":
        _run_required(context, local, "start", "set it, or remove the other commands")
        if not _wait(context, endpoint, timeout):
            raise PluginError(
                f"plugins.dynamodb.local.start ran, but {endpoint} did not answer "
                f"ListTables within {timeout:g}s"
            )
        _announce(endpoint)
        return 0
    return _start_builtin(context, local, which, endpoint, port, timeout, in_memory)


def _start_builtin(
    context: HostContext,
    local: Mapping[str, Any],
    which: str,
    endpoint: str,
    port: int,
    timeout: float,
    in_memory: bool,
) -> int:
    folder, shown = _folder(context)
    persist = bool(local.get("persist", True)) and not in_memory
    with state.locked(folder):
        record = state.read(folder, shown)
        if record is not None:
            if state.is_ours(record):
                _say(f"local dynamodb: already running ({record.backend}, pid {record.pid})")
                _announce(record.endpoint)
                return 0
            state.remove(folder)
            _say(f"local dynamodb: removed the record of a server that is gone (pid {record.pid})")
        if state.port_in_use(port):
            raise PluginError(
                f"port {port} is already in use by another program; choose another with "
                "plugins.dynamodb.local.port or --port (--port 0 picks a free one)"
            )
        data_dir = folder / "dynamodb-local"
        data_dir.mkdir(exist_ok=True)
        if which == "jar":
            root = context.project_root or context.cwd
            argv = backends.jar_argv(root / local["jar"], port, data_dir if persist else None)
            data = str(data_dir) if persist else None
        else:
            snapshot = data_dir / "snapshot.json" if persist else None
            argv = backends.moto_argv(port, snapshot, float(local.get("snapshot_interval", 60)))
            data = str(snapshot) if snapshot else None
        log = folder / "dynamodb-local.log"
        env = context.child_env({"MOTO_ALLOW_NONEXISTENT_REGION": "True"})
        with open(log, "ab") as out:
            out.write(f"--- {state.now()} {' '.join(argv)}\n".encode())
            out.flush()
            child = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=str(folder.parent),
                start_new_session=True,
            )
        record = state.Record(
            pid=child.pid,
            port=port,
            endpoint=endpoint,
            started_at=state.now(),
            argv=argv,
            start_ticks=state.start_ticks(child.pid),
            backend=which,
            persist=persist,
            log=str(log),
            data=data,
        )
        state.write(folder, record)
        if not _wait(context, endpoint, timeout, alive=lambda: child.poll() is None):
            died = child.poll()
            if died is None:
                _terminate(child.pid, 5)
            state.remove(folder)
            why = (
                f"exited with code {died}"
                if died is not None
                else f"did not answer ListTables within {timeout:g}s"
            )
            tail = _log_tail(log)
            raise PluginError(f"local dynamodb {why} (log {log}){': ' + tail if tail else ''}")
    _announce(endpoint)
    return 0


def stop(context: HostContext, *, timeout: float) -> int:
    local = context.configs.data("dynamodb")["local"]
    which = backends.mode(local)
    if which == "none":
        _guidance()
        return 0
    if which == "config":
        _run_required(context, local, "stop", "set it to stop your local DynamoDB")
        return 0
    folder, shown = _folder(context)
    with state.locked(folder):
        record = state.read(folder, shown)
        if record is None:
            _say("local dynamodb: not running")
            return 0
        if not state.is_ours(record):
            state.remove(folder)
            gone = (
                "is gone" if not state.alive(record.pid) else "now runs another program, left alone"
            )
            _say(f"local dynamodb: not running; pid {record.pid} {gone}; removed its record")
            return 0
        clean = _terminate(record.pid, timeout)
        state.remove(folder)
    if clean:
        saved = f"; data kept in {record.data}" if record.persist and record.data else ""
        _say(f"local dynamodb: stopped (pid {record.pid}){saved}")
    else:
        _say(
            f"local dynamodb: pid {record.pid} did not stop within {timeout:g}s and was killed; "
            "changes since its last snapshot are lost"
        )
    return 0


def status(context: HostContext, *, as_json: bool) -> int:
    local = context.configs.data("dynamodb")["local"]
    endpoint, port = _endpoint(context)
    which = backends.mode(local)
    if which == "none":
        _guidance()
        return NOT_CONFIGURED
    if which == "config":
        if local.get("status"):
            return _run_config(context, local, "status")
        from dynamodb_plugin.local.probe import list_tables

        running = list_tables(endpoint, region(context.env), timeout=1.0)
        report: dict[str, Any] = {"running": running, "backend": "config", "endpoint": endpoint}
    else:
        folder, shown = _folder(context)
        record = state.read(folder, shown)
        running = record is not None and state.is_ours(record)
        report = {"running": running, "backend": which, "endpoint": endpoint}
        if record is not None:
            report.update(
                pid=record.pid,
                port=record.port,
                endpoint=record.endpoint,
                started_at=record.started_at,
                persist=record.persist,
                data=record.data,
                log=record.log,
                accepting=running and state.accepting(record.port),
            )
            if not running:
                report["stale_record"] = shown
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    elif running:
        pid = f", pid {report['pid']}" if "pid" in report else ""
        since = f", since {report['started_at']}" if "started_at" in report else ""
        typer.echo(
            f"local dynamodb: running ({report['backend']}{pid}) at {report['endpoint']}{since}"
        )
    else:
        stale = (
            f" (stale record {report['stale_record']}; `stop` removes it)"
            if "stale_record" in report
            else ""
        )
        typer.echo(f"local dynamodb: not running{stale}")
    return 0 if running else 1


def ready(context: HostContext, *, timeout: float) -> int:
    local = context.configs.data("dynamodb")["local"]
    endpoint, _ = _endpoint(context)
    which = backends.mode(local)
    if which == "none":
        _guidance()
        return NOT_CONFIGURED
    if which == "config" and local.get("ready"):
        return _run_config(context, local, "ready")
    if _wait(context, endpoint, timeout):
        typer.echo(f"local dynamodb: ready at {endpoint}")
        return 0
    _say(f"local dynamodb: {endpoint} did not answer ListTables within {timeout:g}s")
    return 1
