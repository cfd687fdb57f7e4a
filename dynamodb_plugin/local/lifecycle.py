"""``dynamodb local start|stop|status|ready``: config commands, a built-in server, or guidance.

Exit codes: ``start``/``stop`` are non-zero only when something failed; ``status`` is 0 only
when the server runs; ``ready`` is 0 only when a signed ``ListTables`` answers. With no
backend configured, ``start``/``stop`` print guidance and exit 0, ``status``/``ready`` exit 3.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import typer

from dynamodb_plugin import endpoint, settings
from dynamodb_plugin.local import backends, state
from dynamodb_plugin.local.probe import CONTROL_PATH, ERROR
from host_cli import PluginError, default_shell, run_process, shell_argv

if TYPE_CHECKING:
    from types import FrameType

    from host_cli import HostContext

NOT_CONFIGURED = 3


def _say(text: str) -> None:
    typer.echo(text, err=True)


class Local(NamedTuple):
    """What a ``local`` command works with: the context, the merged ``local`` config, the
    environment a child sees, and the endpoint by the rule."""

    context: HostContext
    config: Mapping[str, Any]
    env: Mapping[str, str]
    endpoint: str
    port: int

    @property
    def region(self) -> str:
        from dynamodb_plugin import aws  # configparser & co: not for status

        return aws.region(self.env, local=True).name or aws.LOCAL_REGION

    @property
    def root(self) -> Path:
        return self.context.project_root or self.context.cwd

    def shown(self, path: Path) -> str:
        return self.context.shown(path)


def load(context: HostContext, port: int | None = None) -> Local:
    """``port``: the command's own ``--port``, which beats every other source."""
    merged = settings.load(context.configs)
    for warning in merged.warnings():
        context.warn(warning)
    if port is not None:
        # The command's --port: its children see the variables derived from it, as they
        # would from a configured port.
        url = endpoint.local_url(port)
        overlay = {"DYNAMODB_LOCAL_PORT": str(port), "DYNAMODB_LOCAL_ENDPOINT": url}
        if merged.config["local"].get("export_aws_env"):
            from dynamodb_plugin import aws

            # as derive_env would: over derived values, never over the user's own
            origins = context.origins
            mine = {
                k: v
                for k, v in context.env.items()
                if not origins.get(k) or origins[k][-1].layer != "derived"
            }
            overlay.update(aws.app_env({**context.process_env, **mine}, url))
        return Local(context, merged.config["local"], context.child_env(overlay), url, port)
    env = context.child_env()
    found = endpoint.resolve(merged.config["local"], env, context.project_root or context.cwd)
    if found is None:
        raise PluginError(
            "DYNAMODB_LOCAL_ENDPOINT is set empty, which means no local DynamoDB in this "
            f"environment ({context.env_name or 'no env selected'})"
        )
    return Local(context, merged.config["local"], env, *found)


def _guidance(run: Local) -> None:
    sources = run.context.sources
    configured = any(
        isinstance(s.plugins.get(name), dict) and s.plugins[name].get("local")
        for s in sources
        for name in ("dynamodb", "aws/dynamodb")
    )
    typer.echo(backends.guidance(sources, configured), err=True, nl=False)


def _run_config(run: Local, key: str) -> int:
    # Config commands are shell strings: they need a shell even under --shell-off.
    shell = run.context.options.shell or default_shell()
    return run_process(shell_argv(shell, run.config[key]), _config_env(run))


def _answers(run: Local) -> bool:
    """Whether anything answers at the endpoint (a listener on its port, for a loopback one)."""
    from urllib.parse import urlsplit

    host = urlsplit(run.endpoint).hostname or "localhost"
    hosts = ["127.0.0.1", "::1"] if host in ("localhost", "127.0.0.1", "::1") else [host]
    return any(state.accepting(run.port, h) for h in hosts)


def _config_env(run: Local) -> dict[str, str]:
    """What the user's config commands see: the composed environment, the endpoint's
    variables and, where the endpoint is local, a region and dummy credentials *where the
    environment has none* (never over the user's own), so that the seed's
    ``aws dynamodb list-tables --endpoint-url $DYNAMODB_LOCAL_ENDPOINT`` works on a bare
    machine (a CI runner) as the plugin's own calls do."""
    from dynamodb_plugin import aws

    overlay = {"DYNAMODB_LOCAL_ENDPOINT": run.endpoint, "DYNAMODB_LOCAL_PORT": str(run.port)}
    if not aws.is_aws(run.endpoint):
        base = run.context.child_env(overlay)
        needed = aws.app_env(base, run.endpoint)
        needed.pop("AWS_ENDPOINT_URL_DYNAMODB", None)  # the commands name their endpoint
        overlay.update(needed)
    return run.context.child_env(overlay)


def _run_required(run: Local, key: str, hint: str) -> None:
    """Run a config command that this subcommand cannot do without; failing is an error."""
    if not run.config.get(key):
        raise PluginError(f"plugins.dynamodb.local.{key} is not set; {hint}")
    code = _run_config(run, key)
    if code != 0:
        raise PluginError(
            f"plugins.dynamodb.local.{key} failed with exit code {code}", exit_code=code
        )


def _wait(
    run: Local,
    timeout: float,
    alive: Callable[[], bool] | None = None,
    ours: tuple[int, str] | None = None,
) -> bool:
    from dynamodb_plugin.local.probe import wait_ready

    progress = None
    if sys.stderr.isatty():

        def progress(elapsed: float) -> None:
            sys.stderr.write(f"\rlocal dynamodb: waiting for {run.endpoint} ({elapsed:.1f}s)")
            sys.stderr.flush()

    try:
        return wait_ready(
            run.endpoint,
            run.region,
            timeout,
            alive=alive or (lambda: True),
            progress=progress,
            ours=ours,
        )
    finally:
        if progress is not None:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _announce(url: str) -> None:
    typer.echo(f"local dynamodb: endpoint {url}")
    _say(
        f"to use it from your own shell: export DYNAMODB_LOCAL_ENDPOINT={url} "
        "(commands run by getdotenv see it already)"
    )


def _folder(run: Local) -> tuple[Path, str]:
    folder = state.state_dir(run.root)
    return folder, run.shown(folder / state.RECORD)


def _last_error(path: Path) -> str:
    """The last error line the server wrote to its log (without the prefix)."""
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | os.O_NOFOLLOW)) as f:
            f.seek(max(0, os.fstat(f.fileno()).st_size - 65536))
            lines = f.read().decode(errors="replace").splitlines()
    except OSError:
        return ""
    found = [line for line in lines if line.startswith(ERROR)]
    return found[-1][len(ERROR) :].strip() if found else ""


def _terminate(pid: int, timeout: float) -> bool:
    """SIGTERM, wait up to ``timeout``, then SIGKILL; ``True`` if it stopped on SIGTERM."""
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    if _gone(pid, timeout):
        return True
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return True
    _gone(pid, 10.0)
    return False


def _until(done: Callable[[], bool], timeout: float) -> bool:
    """Whether ``done()`` comes true within ``timeout`` seconds (asked every 20 ms)."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def _gone(pid: int, timeout: float) -> bool:
    return _until(lambda: not state.alive(pid), timeout)


def _squatted(record: state.Record, why: str) -> PluginError:
    return PluginError(
        f"local dynamodb: the server of this project (pid {record.pid}) runs, but {why}: "
        f"nothing is sent there. Stop that program, or `local stop` and start on another port"
    )


def start(
    context: HostContext,
    *,
    port: int | None,
    timeout: float | None,
    in_memory: bool,
    ttl: str | None = None,
) -> int:
    """``ttl``: the command's ``--ttl`` (``expire``/``off``), over ``local.ttl``."""
    run = load(context, port)
    wait = float(timeout if timeout is not None else run.config["timeout"])
    which = backends.mode(run.config)
    if which == "none":
        _guidance(run)
        return 0
    if ttl is not None:
        run = run._replace(config={**run.config, "ttl": ttl})
    backends.check_ttl(
        run.config.get("ttl", "off"), which, "--ttl" if ttl else "plugins.dynamodb.local.ttl"
    )
    if which == "config":
        return _start_config(run, wait)
    return _start_builtin(run, which, wait, in_memory)


def _run_bounded(run: Local, key: str, timeout: float, *, quiet: bool = False) -> int | None:
    """Run a config command (``status``, ``ready``) for at most ``timeout`` seconds: past it,
    its whole process group is killed and ``None`` returned (the caller says so)."""
    shell = run.context.options.shell or default_shell()
    try:
        child = subprocess.Popen(
            shell_argv(shell, run.config[key]),
            env=_config_env(run),
            process_group=0,
            stdout=sys.stderr if quiet else None,
        )
    except OSError as exc:
        raise PluginError(f"plugins.dynamodb.local.{key}: cannot run it ({exc.strerror})") from None
    try:
        return child.wait(timeout=max(timeout, 0.0))
    except subprocess.TimeoutExpired:
        return None
    finally:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.wait()


def _what_answers(run: Local) -> str | None:
    """What answers at the endpoint, for a message; ``None`` when nothing does."""
    from dynamodb_plugin.local.probe import list_tables

    if list_tables(run.endpoint, run.region, timeout=1.0):
        return "a DynamoDB answers there that this project did not record as started"
    if _answers(run):
        return "a program accepts connections there, and it does not answer as DynamoDB"
    return None


def _start_config(run: Local, wait: float) -> int:
    """``start`` with config commands, idempotent: the user's ``status`` is asked first (and
    trusted); without one, a start recorded by this project that still answers is already
    running; anything else on the port is refused. The record is written only once the
    server answers, so a failed second start never overwrites what the first recorded."""
    from dynamodb_plugin.local.probe import list_tables

    folder, shown = _folder(run)
    with state.locked(folder, "local start", timeout=max(wait, 1.0), say=_say):
        record = state.read(folder, shown)
        if run.config.get("status"):
            if _run_bounded(run, "status", wait) == 0:
                _say("local dynamodb: already running (plugins.dynamodb.local.status says so)")
                _announce(run.endpoint)
                return 0
        elif (
            record is not None
            and record.backend == "config"
            and list_tables(record.endpoint, run.region, timeout=1.0)
        ):
            _say(f"local dynamodb: already running (started at {record.started_at})")
            _announce(record.endpoint)
            return 0
        what = _what_answers(run)
        if what is not None:
            raise PluginError(
                f"port {run.port} is already in use ({run.endpoint}): {what}; stop it, or "
                "choose another port with plugins.dynamodb.local.port or --port"
            )
        _run_required(run, "start", "set it, or remove the other commands")
        if not _ready_after_start(run, wait):
            raise PluginError(
                f"plugins.dynamodb.local.start ran, but {run.endpoint} did not answer "
                f"ListTables within {wait:g}s"
            )
        state.write(
            folder,
            state.Record(
                None, run.port, run.endpoint, state.now(), [], None, "config", False, "", None
            ),
        )
    _announce(run.endpoint)
    return 0


def _ready_after_start(run: Local, wait: float) -> bool:
    try:
        return _wait(run, wait)
    except KeyboardInterrupt:
        _say(
            "local dynamodb: interrupted while waiting; plugins.dynamodb.local.start ran and its "
            "server may be left running: `dynamodb local stop` runs plugins.dynamodb.local.stop"
        )
        raise


def _ready_command(run: Local, timeout: float) -> int:
    """The user's ``ready`` command, run again until it succeeds, within ``timeout`` in all
    (each run is killed past what is left of it)."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        code = _run_bounded(run, "ready", left)
        if code == 0:
            typer.echo(f"local dynamodb: ready at {run.endpoint} (plugins.dynamodb.local.ready)")
            return 0
        if code is None or time.monotonic() + 0.2 >= deadline:
            killed = "; killed it" if code is None else f" (last exit code {code})"
            _say(
                f"local dynamodb: plugins.dynamodb.local.ready did not succeed within "
                f"{timeout:g}s{killed}"
            )
            return 1
        time.sleep(0.2)


def _released(port: int) -> bool:
    """Whether ``port`` is released within 2 s. A server that ended a moment ago counts as
    gone once its memory is freed or its main thread reaped, but the kernel closes its
    listening socket a little later (with its last thread): its port is waited for, briefly,
    instead of refused."""
    return _until(lambda: not state.port_in_use(port), 2.0)


def _start_builtin(run: Local, which: str, timeout: float, in_memory: bool) -> int:
    folder, shown = _folder(run)
    persist = bool(run.config["persist"]) and not in_memory
    with state.locked(folder, "local start", timeout=max(timeout, 1.0), say=_say):
        record = state.read(folder, shown)
        if record is not None:
            if state.is_ours(record) and record.backend != "config":
                if record.secret is not None and record.backend == "moto":
                    # it may still be starting (a start killed after spawning it)
                    mine = (record.port, record.secret)
                    if not _wait(run, timeout, alive=lambda: state.is_ours(record), ours=mine):
                        raise _squatted(record, state.not_ours(record) or "it does not answer")
                _say(f"local dynamodb: already running ({record.backend}, pid {record.pid})")
                note = backends.ttl_differs(record, run.config.get("ttl", "off"))
                if note:
                    _say(f"local dynamodb: {note}")
                _announce(record.endpoint)
                return 0
            state.remove(folder)
            if record.pid is not None:
                _say(
                    "local dynamodb: removed the record of a server that is gone "
                    f"(pid {record.pid})"
                )
        if state.port_in_use(run.port) and not (
            record is not None and record.port == run.port and _released(run.port)
        ):
            raise PluginError(
                f"port {run.port} is already in use by another program; choose another with "
                "plugins.dynamodb.local.port or --port (--port 0 picks a free one)"
            )
        from host_cli import open_private, private_folder

        data_dir = private_folder(
            folder / "dynamodb-local", run.shown(folder / "dynamodb-local"), error=PluginError
        )
        log = folder / "dynamodb-local.log"
        where = backends.Recording(folder / state.RECORD, run.port, run.endpoint, log)
        cors = run.config.get("cors") or []
        with contextlib.ExitStack() as closing:  # the ready pipe's ends, whatever happens
            secret = None
            ready: int | None = None  # the read end of the pipe the server says "ready" on
            ready_fd: int | None = None  # its write end, the server's
            server_end: Callable[[], None] | None = None  # closes ready_fd here
            if which == "jar":
                argv = backends.jar_argv(
                    run.root / run.config["jar"], where, data_dir if persist else None, cors
                )
            else:
                import secrets

                from dynamodb_plugin.local.snapshot import FILE

                snapshot = data_dir / FILE if persist else None
                ready, ready_fd = os.pipe()
                closing.callback(_close, ready)
                server_end = closing.enter_context(_closed_once(ready_fd))
                argv = backends.moto_argv(
                    where,
                    snapshot,
                    float(run.config["snapshot_interval"]),
                    cors,
                    ttl=run.config.get("ttl", "off"),
                    ttl_interval=run.config.get("ttl_interval"),
                    ready_fd=ready_fd,
                )
                secret = secrets.token_urlsafe(32)  # to the server on stdin, never in argv
            fd = open_private(
                log,
                os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                run.shown(log),
                error=PluginError,
                what="the server's log",
            )
            child: subprocess.Popen[bytes] | None = None
            try:
                with open(fd, "ab") as out:
                    out.write(f"--- {state.now()} {' '.join(argv)}\n".encode())
                    out.flush()
                    # Ctrl-C waits until the process is ours to stop: one that lands inside
                    # Popen, after the fork, would leave a process we hold no handle on
                    with _ctrl_c_deferred():
                        child = subprocess.Popen(
                            argv,
                            stdin=subprocess.DEVNULL if secret is None else subprocess.PIPE,
                            stdout=out,
                            stderr=subprocess.STDOUT,
                            env=run.context.child_env(),
                            # a folder of its own, never the project's: nothing there can be
                            # imported or picked up by the server (it also runs with python -P)
                            cwd=str(data_dir),
                            start_new_session=True,
                            pass_fds=() if ready_fd is None else (ready_fd,),
                        )
                if server_end is not None:
                    server_end()  # the server's alone now: its end closes when it exits
                if child.stdin is not None:
                    with contextlib.suppress(BrokenPipeError), child.stdin:
                        child.stdin.write(f"{secret}\n".encode())  # it died: its log says why
            except OSError as exc:
                raise PluginError(
                    f"cannot start the local DynamoDB ({exc.strerror}; log {run.shown(log)})"
                ) from None
            except KeyboardInterrupt:  # Ctrl-C while spawning it or handing it its secret
                if child is None:
                    stopped = "local dynamodb: interrupted; nothing started"
                    raise PluginError(stopped, exit_code=130) from None
                raise _interrupted(run, folder, child) from None
            ours = (run.port, secret) if secret is not None else None
            try:
                left = timeout
                if ready is not None:  # then one probe: it proves the server is ours
                    left = _signalled(ready, child, timeout, run.endpoint)
                answered = _wait(run, left, alive=lambda: child.poll() is None, ours=ours)
            except KeyboardInterrupt:
                raise _interrupted(run, folder, child) from None
            if not answered:
                died = child.poll()
                if died is None:
                    _terminate(child.pid, 5)
                state.remove(folder, pid=child.pid)
                error = _last_error(log)
                if error:
                    raise PluginError(f"local dynamodb: {error} (log {run.shown(log)})")
                from dynamodb_plugin.local.probe import squatter

                why = squatter(*ours, timeout=1.0) if died is None and ours is not None else None
                if why is not None and why.endswith("another program"):
                    raise PluginError(
                        f"local dynamodb: {why}, not by the server just started; stopped it "
                        f"(log {run.shown(log)})"
                    )
                why = (
                    f"exited with code {died}"
                    if died is not None
                    else f"did not answer ListTables within {timeout:g}s"
                )
                raise PluginError(f"local dynamodb {why} (log {run.shown(log)})")
    _announce(run.endpoint)
    return 0


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


@contextlib.contextmanager
def _closed_once(fd: int) -> Iterator[Callable[[], None]]:
    """A function that closes ``fd``, and closes it on leaving if it was not called: never
    twice (a second close could hit another file that was given the same number)."""
    open_ = [fd]

    def close() -> None:
        while open_:
            _close(open_.pop())

    try:
        yield close
    finally:
        close()


def _signalled(ready: int, child: subprocess.Popen[bytes], timeout: float, endpoint: str) -> float:
    """Wait until the server says on its ``ready`` pipe that it answers, or exits (the pipe
    closes), within ``timeout``; the seconds left then, for the probe that follows (which
    proves the server is ours and answers ``ListTables``). Waiting on the pipe instead of
    polling: ``start`` returns the moment the server is ready, and costs nothing meanwhile."""
    import select

    shown = sys.stderr.isatty()
    start = time.monotonic()
    deadline = start + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return 0.0
            readable, _, _ = select.select([ready], [], [], min(left, 0.1) if shown else left)
            if readable:
                said = os.read(ready, 64)
                if not said:  # it exited (or is exiting): the probe's alive() tells
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        child.wait(timeout=max(0.0, min(1.0, deadline - time.monotonic())))
                return max(0.0, deadline - time.monotonic())
            if shown:
                sys.stderr.write(
                    f"\rlocal dynamodb: waiting for {endpoint} ({time.monotonic() - start:.1f}s)"
                )
                sys.stderr.flush()
    finally:
        if shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


@contextlib.contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold a SIGINT that arrives inside the block and deliver it to the previous handler
    on leaving (a ``KeyboardInterrupt`` then rises after the block, not inside it). Only the
    main thread can handle signals; elsewhere the block runs as is."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[FrameType | None] = []
    previous = signal.signal(signal.SIGINT, lambda _signum, frame: held.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held and callable(previous):
            previous(signal.SIGINT, held[0])


def _interrupted(run: Local, folder: Path, child: subprocess.Popen[bytes]) -> PluginError:
    """Ctrl-C while the server was starting: stop it (it has saved nothing yet), else say
    that it is left running and recorded."""
    import contextlib

    with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C must not strand it
        if child.poll() is None and not _terminate(child.pid, 5):
            _say(f"local dynamodb: the server (pid {child.pid}) did not stop on SIGTERM; killed it")
        if child.poll() is None and state.alive(child.pid):
            return PluginError(
                f"local dynamodb: interrupted; the server it was starting (pid {child.pid}) is "
                "left running and recorded: `local stop` stops it",
                exit_code=130,
            )
        state.remove(folder, pid=child.pid)
    return PluginError(
        "local dynamodb: interrupted; stopped the server it was starting (nothing was saved)",
        exit_code=130,
    )


def _ask_to_stop(port: int, timeout: float, secret: str | None) -> tuple[bool, str] | None:
    """Ask the built-in server to save and stop: ``(saved, error)``, or ``None`` when it does
    not answer the request (an older or hung server: SIGTERM then). The secret goes only to
    a server that proved it holds it."""
    import urllib.error
    import urllib.request

    from dynamodb_plugin.local.probe import SECRET_HEADER, hello

    if secret is None or hello("127.0.0.1", port, secret, timeout) != "ours":
        return None
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{CONTROL_PATH}", method="POST", headers={SECRET_HEADER: secret}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            json.loads(response.read() or b"{}")
            return True, ""
    except urllib.error.HTTPError as exc:
        try:
            answer = json.loads(exc.read() or b"{}")
        except ValueError:
            return None
        if isinstance(answer, dict) and "error" in answer:
            return False, str(answer["error"])
        return None
    except (OSError, ValueError):
        return None


def stop(context: HostContext, *, timeout: float, force: bool) -> int:
    run = load(context)
    which = backends.mode(run.config)
    if which == "none":
        _guidance(run)
        return 0
    folder, shown = _folder(run)
    if which == "config":
        with state.locked(folder, "local stop", say=_say):
            record = state.read(folder, shown)
            if not run.config.get("stop"):
                if record is None:
                    _say(
                        "local dynamodb: nothing recorded as running, nothing to stop "
                        "(plugins.dynamodb.local.stop is not set)"
                    )
                    return 0
                raise PluginError(
                    "plugins.dynamodb.local.stop is not set; set it to stop your local "
                    f"DynamoDB (started by local.start at {record.started_at})"
                )
            if record is None and not _answers(run):
                _say("local dynamodb: not running (nothing recorded, nothing answers); not stopped")
                return 0
            _run_required(run, "stop", "set it to stop your local DynamoDB")
            state.remove(folder)
        _say("local dynamodb: stopped (plugins.dynamodb.local.stop ran)")
        return 0
    with state.locked(folder, "local stop", timeout=timeout, say=_say):
        record = state.read(folder, shown)
        if record is None:
            _say("local dynamodb: not running")
            return 0
        if not state.is_ours(record) or record.pid is None:
            state.remove(folder)
            gone = (
                "is gone"
                if record.pid is None or not state.alive(record.pid)
                else "now runs another program, left alone"
            )
            _say(f"local dynamodb: not running; pid {record.pid} {gone}; removed its record")
            return 0
        answer = (
            _ask_to_stop(record.port, timeout, record.secret) if record.backend == "moto" else None
        )
        if answer is not None and not answer[0] and not force:
            raise PluginError(
                f"local dynamodb: could not save {record.data} ({answer[1]}); the server still "
                f"runs (pid {record.pid}) and holds the data: fix the cause and run stop again, "
                "or stop --force to stop it and lose what changed since the last save"
            )
        saved = answer is not None and answer[0]
        clean = _gone(record.pid, timeout) if saved else False
        if not clean:
            clean = _terminate(record.pid, timeout)
        # Its main thread can be reaped before its last thread closes the listening socket:
        # the port is given back before the record goes, so a start right after finds it free.
        _released(record.port)
        state.remove(folder)
    if not clean:
        _say(
            f"local dynamodb: pid {record.pid} did not stop within {timeout:g}s and was killed; "
            "changes since its last snapshot are lost"
        )
    elif answer is not None and not answer[0]:
        _say(f"local dynamodb: stopped (pid {record.pid}) without saving (--force)")
    else:
        written = bool(record.persist and record.data) and (
            os.path.isfile(str(record.data))
            or (os.path.isdir(str(record.data)) and any(os.scandir(str(record.data))))
        )
        kept = f"; data kept in {record.data}" if written else ""
        _say(f"local dynamodb: stopped (pid {record.pid}){kept}")
    return 0


def _config_status(run: Local, timeout: float, *, quiet: bool) -> dict[str, Any]:
    """The state of a local DynamoDB run by config commands, in the built-in's JSON shape: by
    the user's ``status`` (bounded by ``timeout``), else a ListTables probe."""
    from dynamodb_plugin.local.probe import list_tables

    report: dict[str, Any] = {"running": False, "backend": "config", "endpoint": run.endpoint}
    if run.config.get("status"):
        code = _run_bounded(run, "status", timeout, quiet=quiet)
        report["running"] = code == 0
        report["status_exit_code"] = code
        if code is None:
            _say(
                f"local dynamodb: plugins.dynamodb.local.status did not finish within "
                f"{timeout:g}s; killed it"
            )
    else:
        report["running"] = list_tables(run.endpoint, run.region, timeout=min(timeout, 2.0))
    folder, shown = _folder(run)
    record = state.read(folder, shown)
    report["port"] = run.port
    if record is not None and record.backend == "config":
        report["started_at"] = record.started_at
    return report


def status(context: HostContext, *, port: int | None, as_json: bool, timeout: float = 5.0) -> int:
    run = load(context, port)
    which = backends.mode(run.config)
    if which == "none":
        _guidance(run)
        return NOT_CONFIGURED
    if which == "config":
        report = _config_status(run, timeout, quiet=as_json)
        running = bool(report["running"])
    else:
        folder, shown = _folder(run)
        record = state.read(folder, shown)
        running = record is not None and record.pid is not None and state.is_ours(record)
        squatted = state.not_ours(record) if running and record is not None else None
        running = running and squatted is None
        report = {"running": running, "backend": which, "endpoint": run.endpoint}
        if squatted is not None:
            report["not_ours"] = squatted
        if record is not None and record.pid is not None:
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
            if not running and squatted is None:
                report["stale_record"] = shown
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    elif running:
        pid = f", pid {report['pid']}" if "pid" in report else ""
        since = f", since {report['started_at']}" if "started_at" in report else ""
        typer.echo(
            f"local dynamodb: running ({report['backend']}{pid}) at {report['endpoint']}{since}"
        )
    elif "not_ours" in report:
        typer.echo(f"local dynamodb: pid {report['pid']} runs, but {report['not_ours']}: not used")
    else:
        stale = (
            f" (stale record {report['stale_record']}; `stop` removes it)"
            if "stale_record" in report
            else ""
        )
        typer.echo(f"local dynamodb: not running{stale}")
    return 0 if running else 1


def ready(context: HostContext, *, port: int | None, timeout: float) -> int:
    run = load(context, port)
    which = backends.mode(run.config)
    if which == "none":
        _guidance(run)
        return NOT_CONFIGURED
    if which == "config" and run.config.get("ready"):
        return _ready_command(run, timeout)
    record = state.read(*_folder(run)) if which == "moto" else None
    if record is None or record.secret is None or not state.is_ours(record):
        record = None  # nothing of ours to prove: any DynamoDB answer will do
    if _wait(run, timeout, ours=(record.port, record.secret) if record and record.secret else None):
        typer.echo(f"local dynamodb: ready at {run.endpoint} (region {run.region})")
        return 0
    why = state.not_ours(record) if record is not None else None
    if why is not None and record is not None:
        _say(f"local dynamodb: {why}, not by this project's server (pid {record.pid}): not used")
        return 1
    _say(f"local dynamodb: {run.endpoint} did not answer ListTables within {timeout:g}s")
    return 1
