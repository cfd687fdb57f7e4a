"""The DynamoDB client of the ``tables`` commands: which endpoint, region and credentials.

Endpoint: ``AWS_ENDPOINT_URL_DYNAMODB`` > ``DYNAMODB_ENDPOINT`` > ``DYNAMODB_LOCAL_ENDPOINT`` >
AWS itself. With an endpoint and no region, region ``local``; with an endpoint and no
credentials in the environment, dummy ones. Everything is read from the composed
environment, not from ``os.environ``. boto3 is imported here only, when a command runs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from host_cli import PluginError

_CREDENTIAL_KEYS = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class Target(NamedTuple):
    endpoint: str | None
    region: str | None
    dummy_credentials: bool

    def describe(self) -> str:
        return self.endpoint or f"AWS ({self.region or 'default region'})"


def target(env: Mapping[str, str]) -> Target:
    endpoint = (
        env.get("AWS_ENDPOINT_URL_DYNAMODB")
        or env.get("DYNAMODB_ENDPOINT")
        or env.get("DYNAMODB_LOCAL_ENDPOINT")
        or None
    )
    region = (
        env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or ("local" if endpoint else None)
    )
    dummy = bool(endpoint) and not any(env.get(k) for k in _CREDENTIAL_KEYS)
    return Target(endpoint, region, dummy)


def client(env: Mapping[str, str]) -> tuple[Any, Target]:
    """A boto3 DynamoDB client for the composed environment, and where it points."""
    import boto3  # ~200 ms: only when a tables command actually runs
    from botocore.config import Config

    where = target(env)
    session_args: dict[str, Any] = {}
    if where.dummy_credentials:
        session_args.update(aws_access_key_id="local", aws_secret_access_key="local")
    elif env.get("AWS_ACCESS_KEY_ID"):
        session_args.update(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"),
            aws_session_token=env.get("AWS_SESSION_TOKEN"),
        )
    elif env.get("AWS_PROFILE"):
        session_args["profile_name"] = env["AWS_PROFILE"]
    try:
        session = boto3.session.Session(region_name=where.region, **session_args)
        made = session.client(
            "dynamodb",
            endpoint_url=where.endpoint,
            config=Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5),
        )
    except Exception as exc:  # botocore reports a missing region, profile, ... by exception
        raise PluginError(f"cannot make a DynamoDB client for {where.describe()}: {exc}") from None
    return made, where


@contextlib.contextmanager
def errors(where: Target, doing: str) -> Iterator[None]:
    """Turn boto3's exceptions into one line saying what failed where."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise PluginError(
            f"{doing} at {where.describe()}: "
            f"{error.get('Code', 'Error')}: {error.get('Message', exc)}"
        ) from None
    except BotoCoreError as exc:
        raise PluginError(f"{doing} at {where.describe()}: {exc}") from None


def existing_tables(dynamodb: Any) -> set[str]:
    names: set[str] = set()
    for page in dynamodb.get_paginator("list_tables").paginate():
        names.update(page.get("TableNames", []))
    return names


def wait(dynamodb: Any, name: str, *, until: str, seconds: float) -> None:
    """Poll DescribeTable until the table is ACTIVE (``until="active"``) or gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            status = dynamodb.describe_table(TableName=name)["Table"]["TableStatus"]
        except dynamodb.exceptions.ResourceNotFoundException:
            status = "GONE"
        if (until == "active" and status == "ACTIVE") or (until == "gone" and status == "GONE"):
            return
        if time.monotonic() >= deadline:
            raise PluginError(
                f"table {name} is {status} after {seconds:g}s; expected {until.upper()}"
            )
        time.sleep(0.2)
