"""The endpoint rule: whether a project has a local DynamoDB, and its port and URL.

The ``DYNAMODB_LOCAL_*`` variables enter a command's environment only where the project uses
a local DynamoDB: config sets something under ``plugins.dynamodb.local``, the user's files or
environment set one of them, or this project's local DynamoDB was started and not stopped.
Then: the project's running local DynamoDB (its record: where it really is, ``--port 0``
included) > ``local.endpoint`` > ``local.port`` (``http://localhost:{port}``) >
``DYNAMODB_LOCAL_ENDPOINT`` > ``DYNAMODB_LOCAL_PORT`` > port 8000. Config wins over a variable
the user set, so the commands, ``cmd`` children and the plugin all agree.
``DYNAMODB_LOCAL_ENDPOINT`` set to the empty string (say in ``.env.prod``) means "no local
DynamoDB here". Light: imported on every start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from host_cli import PluginError

DEFAULT_PORT = 8000
VARIABLES = ("DYNAMODB_LOCAL_PORT", "DYNAMODB_LOCAL_ENDPOINT")


def parse_endpoint(url: str) -> tuple[str, int] | None:
    """``(normalised URL, port)`` of an http(s) URL with a host, else ``None``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return url.strip().rstrip("/"), port


def local_url(port: int) -> str:
    return f"http://localhost:{port}"


def parse_port(text: str, where: str) -> int:
    """A port from text: ASCII digits only (``²`` is a digit to ``str.isdigit``), 1-65535."""
    if not (text.isascii() and text.isdigit()) or len(text) > 5 or not 1 <= int(text) <= 65535:
        raise PluginError(f"{where}: expected a port number 1-65535, got {text!r}")
    return int(text)


def _configured(local: Mapping[str, Any], env: Mapping[str, str]) -> tuple[str, int]:
    if local.get("endpoint"):
        return parse_endpoint(local["endpoint"]) or (local["endpoint"], DEFAULT_PORT)
    if local.get("port"):
        return local_url(int(local["port"])), int(local["port"])
    if env.get("DYNAMODB_LOCAL_ENDPOINT"):
        parsed = parse_endpoint(env["DYNAMODB_LOCAL_ENDPOINT"])
        if parsed is None:
            raise PluginError(
                f"DYNAMODB_LOCAL_ENDPOINT: expected an http(s) URL such as "
                f"http://localhost:8000, got {env['DYNAMODB_LOCAL_ENDPOINT']!r}"
            )
        return parsed
    if env.get("DYNAMODB_LOCAL_PORT"):
        port = parse_port(env["DYNAMODB_LOCAL_PORT"], "DYNAMODB_LOCAL_PORT")
        return local_url(port), port
    return local_url(DEFAULT_PORT), DEFAULT_PORT


def resolve(
    local: Mapping[str, Any],
    env: Mapping[str, str],
    project_root: Path | None,
    *,
    verify: bool = False,
) -> tuple[str, int] | None:
    """The local endpoint and port by the rule, whether or not the project uses one;
    ``None`` where ``DYNAMODB_LOCAL_ENDPOINT`` is set empty (no local DynamoDB here).
    ``verify``: the project's running built-in server must prove it is what answers on its
    endpoint (a ``PluginError`` otherwise), before a command sends it anything."""
    if env.get("DYNAMODB_LOCAL_ENDPOINT") == "":
        return None
    found = running(project_root)
    if found is not None and verify and project_root is not None:
        _verify(project_root)
    return found or _configured(local, env)


def _verify(project_root: Path) -> None:
    from dynamodb_plugin.local import state

    try:
        record = state.read(project_root / ".getdotenv", state.RECORD)
    except PluginError:
        return  # gone meanwhile: nothing of ours to prove
    why = state.not_ours(record) if record is not None else None
    if why is not None and record is not None:
        raise PluginError(
            f"local dynamodb: {why}, not by this project's server (pid {record.pid}); "
            "nothing was sent to it. Stop that program, or `dynamodb local stop` and start "
            "on another port"
        )


def running(project_root: Path | None) -> tuple[str, int] | None:
    """The endpoint of this project's local DynamoDB, started and not stopped, if any."""
    if project_root is None:
        return None
    import os

    if not os.path.lexists(project_root / ".getdotenv" / "dynamodb-local.json"):
        return None  # the usual case, without importing the record's module
    from dynamodb_plugin.local.state import running_endpoint

    return running_endpoint(project_root)


def derive(
    local: Mapping[str, Any],
    env: Mapping[str, str],
    project_root: Path | None,
    *,
    configured: bool,
) -> dict[str, str]:
    """``DYNAMODB_LOCAL_PORT`` and ``DYNAMODB_LOCAL_ENDPOINT``, where the project uses a local
    DynamoDB (``configured``: config sets something under ``local``)."""
    if env.get("DYNAMODB_LOCAL_ENDPOINT") == "":
        return {}
    found = running(project_root)
    if found is None:
        if not configured and not any(name in env for name in VARIABLES):
            return {}
        found = _configured(local, env)
    url, port = found
    return {"DYNAMODB_LOCAL_PORT": str(port), "DYNAMODB_LOCAL_ENDPOINT": url}
