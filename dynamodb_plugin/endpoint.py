"""The endpoint rule: which port and URL the local DynamoDB has, from config and environment.

``local.endpoint`` > ``local.port`` (``http://localhost:{port}``) > ``DYNAMODB_LOCAL_ENDPOINT`` >
``DYNAMODB_LOCAL_PORT`` > the built-in server this project runs (so ``start --port 0`` is
found) > port 8000. Config wins over a variable the user set, so the
commands, ``cmd`` children and the plugin all agree. One exception: ``DYNAMODB_LOCAL_ENDPOINT``
set to the empty string (say in ``.env.prod``) means "no local DynamoDB here", so code and the
``tables`` commands talk to AWS. Light: imported on every start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from host_cli import PluginError

DEFAULT_PORT = 8000


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


def derive(
    local: Mapping[str, Any], env: Mapping[str, str], project_root: Path | None = None
) -> dict[str, str]:
    """``DYNAMODB_LOCAL_PORT`` and ``DYNAMODB_LOCAL_ENDPOINT`` by the endpoint rule."""
    if env.get("DYNAMODB_LOCAL_ENDPOINT") == "":
        return {}
    if local.get("endpoint"):
        url, port = parse_endpoint(local["endpoint"]) or (local["endpoint"], DEFAULT_PORT)
    elif local.get("port"):
        port = int(local["port"])
        url = local_url(port)
    elif env.get("DYNAMODB_LOCAL_ENDPOINT"):
        parsed = parse_endpoint(env["DYNAMODB_LOCAL_ENDPOINT"])
        if parsed is None:
            raise PluginError(
                f"DYNAMODB_LOCAL_ENDPOINT: expected an http(s) URL such as "
                f"http://localhost:8000, got {env['DYNAMODB_LOCAL_ENDPOINT']!r}"
            )
        url, port = parsed
    elif env.get("DYNAMODB_LOCAL_PORT"):
        text = env["DYNAMODB_LOCAL_PORT"]
        if not text.isdigit() or not 1 <= int(text) <= 65535:
            raise PluginError(f"DYNAMODB_LOCAL_PORT: expected a port number 1-65535, got {text!r}")
        port = int(text)
        url = local_url(port)
    else:
        port, url = DEFAULT_PORT, local_url(DEFAULT_PORT)
        if project_root is not None:
            from dynamodb_plugin.local.state import running_endpoint

            found = running_endpoint(project_root)
            if found is not None:
                url, port = found
    return {"DYNAMODB_LOCAL_PORT": str(port), "DYNAMODB_LOCAL_ENDPOINT": url}


def region(env: Mapping[str, str]) -> str:
    """The region for a local endpoint: ``AWS_REGION``, ``AWS_DEFAULT_REGION``, else ``local``."""
    return env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "local"
