"""Which local DynamoDB a project gets, and the command line that runs the built-in ones.

Per project: shell commands from config, else a user-installed Amazon DynamoDB Local jar
(``local.jar``), else moto's server when the ``local`` extra is installed, else guidance.
We never download, bundle or depend on Amazon's jar: it is used only where the user put it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import PluginError

COMMAND_KEYS = ("start", "stop", "status", "ready")
NO_BUILTIN = "GETDOTENV_DYNAMODB_NO_BUILTIN"

GUIDANCE = """\
local dynamodb: <head>. Either
- install the built-in server (moto, the [local] extra):
    pip install 'moto[dynamodb]>=5.1' 'flask>=3' 'flask-cors>=4'
- or say how to run yours in <where>; the commands run in your shell with
  the composed environment, so $DYNAMODB_LOCAL_PORT works in them:
    plugins:
      dynamodb:
        local:
          port: 8000
          start: docker run -d --rm --name ddb -p ${DYNAMODB_LOCAL_PORT}:8000 amazon/dynamodb-local
          stop: docker stop ddb
          status: docker inspect -f '{{.State.Running}}' ddb | grep -q true
- or point at Amazon's DynamoDB Local that you downloaded yourself (needs java on PATH):
    plugins:
      dynamodb:
        local:
          jar: /opt/dynamodb-local      # the folder holding DynamoDBLocal.jar
"""


def guidance(sources: Any, configured: bool) -> str:
    """The guidance, naming the config file the project has (the one to edit): the public
    getdotenv config file if there is one, else ``getdotenv.config.yaml``. ``configured``:
    config sets something under ``plugins.dynamodb.local`` (a port, an endpoint) but nothing
    that runs a server."""
    files = [s for s in sources if Path(s.path).name.startswith("getdotenv.config.")]
    public = [s for s in files if ".local." not in Path(s.path).name]
    chosen = (public or files or [None])[-1]
    where = chosen.shown if chosen is not None else "getdotenv.config.yaml"
    if where.endswith(".json"):
        where += " (shown here as YAML: the same keys in JSON)"
    head = (
        "plugins.dynamodb.local sets no way to run a server (no local.start, no local.jar) and "
        "the built-in one is not installed"
        if configured
        else "no local DynamoDB is configured"
    )
    return GUIDANCE.replace("<head>", head, 1).replace("<where>", where, 1)


def moto_available() -> bool:
    """Whether the ``local`` extra (moto's server) is installed and not switched off."""
    if os.environ.get(NO_BUILTIN, "") not in ("", "0"):
        return False
    return all(
        importlib.util.find_spec(name) is not None for name in ("moto", "flask", "flask_cors")
    )


def mode(local: Mapping[str, Any]) -> str:
    """``config``, ``jar``, ``moto`` or ``none`` (guidance)."""
    if any(local.get(key) for key in COMMAND_KEYS):
        return "config"
    if local.get("jar"):
        return "jar"
    return "moto" if moto_available() else "none"


class Recording(NamedTuple):
    """What the server's record names besides its process: where it is and where its data is."""

    record: Path
    port: int
    endpoint: str
    log: Path


def python_flags() -> list[str]:
    """The interpreter flags of the server and the jar's launcher: ``-P`` (not the cwd's
    modules) and ``-E`` (no PYTHON* variable of the composed environment), but where this
    package itself was found through the PYTHONPATH getdotenv was started with, which ``-E``
    would lose: then that PYTHONPATH is honoured as before."""
    root = Path(__file__).resolve().parents[2]  # the folder holding dynamodb_plugin/
    for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
        try:
            if entry and Path(entry).resolve() == root:
                return ["-P"]
        except OSError:
            continue
    return ["-E", "-P"]


def moto_argv(
    where: Recording,
    snapshot: Path | None,
    autosave: float,
    cors: Sequence[str] = (),
    *,
    ttl: str = "off",
    ttl_interval: float | None = None,
    ready_fd: int | None = None,
) -> list[str]:
    """The built-in server's command line; it reads its control secret from stdin. With
    ``ttl="expire"`` it deletes expired items every ``ttl_interval`` seconds; with
    ``ready_fd`` it writes a line to that inherited pipe once it answers."""
    # -P: the project's own modules (a json.py, a secrets.py) are never imported by the server;
    # -E: nor through PYTHONPATH (or PYTHONHOME...) from the composed .env, where a
    # sitecustomize.py would run inside it. (-E keeps the venv and user site-packages, where
    # this package is installed; -I would drop user site.)
    argv = [sys.executable, *python_flags(), "-m", "dynamodb_plugin.local.server"]
    argv += ["--port", str(where.port)]
    argv += ["--record", str(where.record), "--endpoint", where.endpoint, "--log", str(where.log)]
    if ready_fd is not None:
        argv += ["--ready-fd", str(ready_fd)]
    if snapshot is not None:
        argv += ["--snapshot", str(snapshot), "--autosave", f"{autosave:g}"]
    for origin in cors:
        argv += ["--cors", origin]
    if ttl == "expire":
        argv += ["--ttl", "expire"]
        if ttl_interval is not None:
            argv += ["--ttl-interval", f"{ttl_interval:g}"]
    return [*argv, "--secret-stdin"]


def ttl_differs(record: Any, wanted: str) -> str | None:
    """A note when the built-in server that runs expires items other than ``wanted`` says
    (the setting takes effect at start); ``None`` when they agree."""
    if record.backend != "moto" or not record.argv:
        return None
    argv = list(record.argv)
    at = argv.index("--ttl") + 1 if "--ttl" in argv else len(argv)
    running = argv[at] if at < len(argv) else "off"
    if running == wanted:
        return None
    return f"it runs with ttl {running}, not {wanted}: stop and start it to change that"


TTL_NOT_HONOURED = {
    "jar": "Amazon's DynamoDB Local (local.jar) never deletes expired items",
    "config": "your local.start command runs the server, so it decides (LocalStack, for one: "
    "DYNAMODB_REMOVE_EXPIRED_ITEMS=1)",
}


def check_ttl(ttl: str, which: str, given: str) -> None:
    """``ttl: expire`` is honoured by the built-in server only: with another backend it is
    refused (``PluginError``) rather than silently never expiring anything. ``given`` names
    where it was set (the config key or the flag)."""
    why = TTL_NOT_HONOURED.get(which)
    if ttl == "expire" and why is not None:
        fix = "leave the flag out" if given.startswith("--") else "set it to off or remove it"
        raise PluginError(f"{given}: expire is honoured by the built-in server only; {why}: {fix}")


def jar_cors(port: int, cors: Sequence[str]) -> str:
    """Amazon's ``-cors``: the listed origins, else the narrowest list it takes (it has no
    "none", and its default is ``*``): its own origin, where no page is ever served."""
    return ",".join(cors) if cors else f"http://localhost:{port}"


def jar_argv(
    folder: Path, where: Recording, data: Path | None, cors: Sequence[str] = ()
) -> list[str]:
    """Amazon's DynamoDB Local from ``folder``, started through the recording launcher."""
    jar = folder / "DynamoDBLocal.jar"
    if not jar.is_file():
        raise PluginError(
            f"plugins.dynamodb.local.jar: no DynamoDBLocal.jar in {folder} (expected the "
            "folder of Amazon's DynamoDB Local that you downloaded)"
        )
    import shutil  # (bz2, lzma...): only for the jar

    java = shutil.which("java")
    if java is None:
        raise PluginError("java is not on PATH; plugins.dynamodb.local.jar needs Java 17 or newer")
    program = [java, f"-Djava.library.path={folder / 'DynamoDBLocal_lib'}", "-jar", str(jar)]
    program += ["-port", str(where.port), "-disableTelemetry", "-cors", jar_cors(where.port, cors)]
    program += (
        ["-sharedDb", "-dbPath", str(data)] if data is not None else ["-sharedDb", "-inMemory"]
    )
    launcher = [sys.executable, *python_flags(), "-m", "dynamodb_plugin.local.launch"]
    launcher += ["--record", str(where.record)]
    launcher += ["--port", str(where.port), "--endpoint", where.endpoint, "--log", str(where.log)]
    if data is not None:
        launcher += ["--data", str(data)]
    return [*launcher, "--", *program]
