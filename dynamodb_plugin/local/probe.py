"""Readiness: a signed DynamoDB ``ListTables`` that must answer, not just an open port."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable


def list_tables(endpoint: str, region: str, timeout: float = 2.0) -> bool:
    """One signed ``ListTables``; ``True`` only for a DynamoDB answer with ``TableNames``."""
    from botocore.auth import SigV4Auth  # ~60 ms: only when a probe is actually made
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    body = b'{"Limit": 1}'
    request = AWSRequest(
        method="POST",
        url=endpoint.rstrip("/") + "/",
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
        },
    )
    # Dummy credentials: a local DynamoDB accepts any; this is a probe, not a client.
    SigV4Auth(Credentials("local", "local"), "dynamodb", region).add_auth(request)
    prepared = urllib.request.Request(
        request.url, data=body, headers=dict(request.headers.items()), method="POST"
    )
    try:
        with urllib.request.urlopen(prepared, timeout=timeout) as response:  # noqa: S310 - http(s) only
            answer = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return False
    return isinstance(answer, dict) and isinstance(answer.get("TableNames"), list)


def wait_ready(
    endpoint: str,
    region: str,
    timeout: float,
    *,
    alive: Callable[[], bool] = lambda: True,
    progress: Callable[[float], None] | None = None,
    interval: float = 0.02,
) -> bool:
    """Probe until ``ListTables`` answers, ``alive()`` turns false, or ``timeout`` passes."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        if list_tables(endpoint, region, timeout=min(2.0, max(0.1, deadline - time.monotonic()))):
            return True
        if not alive() or time.monotonic() >= deadline:
            return False
        if progress is not None:
            progress(time.monotonic() - start)
        time.sleep(interval)
