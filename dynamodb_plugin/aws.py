"""AWS settings as boto3 reads them, and the DynamoDB client of the plugin's commands.

Everything is read from the environment a child would see (the process environment with
the composed one over it), never from ``os.environ`` alone:

- endpoint: ``AWS_ENDPOINT_URL_DYNAMODB`` > ``AWS_ENDPOINT_URL`` (botocore's order, unless
  ``AWS_IGNORE_CONFIGURED_ENDPOINT_URLS``) > ``DYNAMODB_ENDPOINT`` (the TypeScript plugin's) >
  the project's local DynamoDB; AWS itself only when asked (``--aws``, or
  ``DYNAMODB_LOCAL_ENDPOINT`` set empty);
- region: ``AWS_REGION`` > ``AWS_DEFAULT_REGION`` > the profile's ``region`` in the config
  file > ``us-east-1`` for an endpoint that is not AWS (every local server accepts it);
- profile: ``AWS_DEFAULT_PROFILE`` > ``AWS_PROFILE`` (botocore's order);
- credentials: the user's, found as boto3 finds them; dummy ones only for an endpoint that is
  not AWS and only when the user has none.

The reading functions are light (no boto3): the readiness probe and ``derive_env`` use them.
"""

from __future__ import annotations

import configparser
import contextlib
import os
import re
import time
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from host_cli import PluginError

LOCAL_REGION = "us-east-1"
LOCAL_DEFAULT = "default for a local endpoint"
LOCAL_RULE = "the endpoint rule"
DUMMY_KEY = "local"
_TRUE = ("1", "true", "yes", "on")
_AWS_HOST_SUFFIXES = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws", ".on.aws")
_CREDENTIAL_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)
_CREDENTIAL_SETTINGS = (
    "aws_access_key_id",
    "credential_process",
    "sso_session",
    "sso_start_url",
    "role_arn",
    "web_identity_token_file",
    "credential_source",
    "login_session",
)


def is_aws(endpoint: str) -> bool:
    """Whether ``endpoint`` is one of AWS's own hosts (as opposed to a local server)."""
    host = (urlsplit(endpoint).hostname or "").lower()
    return host.endswith(_AWS_HOST_SUFFIXES) or host in ("amazonaws.com", "api.aws")


def _is_local(endpoint: str | None) -> bool:
    """Whether ``endpoint`` is a server of the user's rather than AWS (``None``)."""
    return endpoint is not None and not is_aws(endpoint)


def profile(env: Mapping[str, str]) -> str | None:
    return env.get("AWS_DEFAULT_PROFILE") or env.get("AWS_PROFILE") or None


def _home_file(env: Mapping[str, str], variable: str, name: str) -> str:
    given = env.get(variable)
    if given:
        return os.path.expanduser(given)
    home = env.get("HOME") or os.path.expanduser("~")
    return os.path.join(home, ".aws", name)


def _ini(path: str) -> configparser.RawConfigParser | None:
    parser = configparser.RawConfigParser()
    try:
        with open(path, encoding="utf-8") as f:
            parser.read_file(f)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    return parser


def _config_section(env: Mapping[str, str]) -> Mapping[str, str]:
    """The profile's section of the shared config file (``~/.aws/config``), or nothing."""
    parser = _ini(_home_file(env, "AWS_CONFIG_FILE", "config"))
    if parser is None:
        return {}
    name = profile(env) or "default"
    for section in (f"profile {name}", name) if name != "default" else ("default",):
        if parser.has_section(section):
            return dict(parser.items(section))
    return {}


def has_credentials(env: Mapping[str, str], config: Mapping[str, str]) -> bool:
    """Whether the user has credentials boto3 would find (variables, profile, shared files;
    ``config``: the profile's section of the shared config file).

    Instance metadata is not asked: that is a network call, and a laptop has none.
    """
    if any(env.get(v) for v in _CREDENTIAL_VARIABLES) or profile(env):
        return True
    creds = _ini(_home_file(env, "AWS_SHARED_CREDENTIALS_FILE", "credentials"))
    if creds is not None and any(creds.has_option("default", key) for key in _CREDENTIAL_SETTINGS):
        return True
    return any(key in config for key in _CREDENTIAL_SETTINGS)


class Region(NamedTuple):
    name: str | None
    source: str


def region(env: Mapping[str, str], *, local: bool) -> Region:
    """The region, and where it came from."""
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        if env.get(variable):
            return Region(env[variable], variable)
    configured = _config_section(env).get("region")
    if configured:
        return Region(configured, f"profile {profile(env) or 'default'}")
    if local:
        return Region(LOCAL_REGION, LOCAL_DEFAULT)
    return Region(None, "not set")


def explicit_endpoint(env: Mapping[str, str]) -> tuple[str, str] | None:
    """An endpoint the user configured for DynamoDB, and the variable that set it."""
    names = ["DYNAMODB_ENDPOINT"]
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() not in _TRUE:
        names = ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL", *names]
    for name in names:
        if env.get(name):
            return env[name].rstrip("/"), name
    return None


def app_env(env: Mapping[str, str], endpoint: str) -> dict[str, str]:
    """What an unmodified boto3 app needs to reach the local DynamoDB at ``endpoint``
    (``local.exportAwsEnv``): the endpoint, a region where boto3 would find none, dummy
    credentials where the user has none. Never over a value the user set.

    boto3 reads ``AWS_DEFAULT_REGION`` and the profile's region, not ``AWS_REGION`` (the JS SDK's
    and Lambda's variable), so ``AWS_DEFAULT_REGION`` follows ``AWS_REGION`` where only that is set.
    """
    out: dict[str, str] = {}
    config = _config_section(env)
    if not env.get("AWS_ENDPOINT_URL_DYNAMODB"):
        out["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    if not env.get("AWS_DEFAULT_REGION") and not config.get("region"):
        out["AWS_DEFAULT_REGION"] = env.get("AWS_REGION") or LOCAL_REGION
        if not env.get("AWS_REGION"):
            out["AWS_REGION"] = LOCAL_REGION
    if not has_credentials(env, config):
        for variable in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            if not env.get(variable):
                out[variable] = DUMMY_KEY
    return out


class Target(NamedTuple):
    """Where the ``tables`` commands send their calls, and with which settings."""

    endpoint: str | None  # None: AWS itself
    endpoint_source: str
    region: str | None
    region_source: str
    profile: str | None

    @property
    def local(self) -> bool:
        return _is_local(self.endpoint)

    def describe(self) -> str:
        """Where the calls go, in words: ``local DynamoDB at URL, region R`` or ``AWS, profile
        P, region R (from AWS_REGION)``."""
        region = f"region {self.region or 'not set'}"
        if self.region_source not in (LOCAL_DEFAULT, "not set"):
            region += f" (from {self.region_source})"
        if self.endpoint is None:
            profile = f"profile {self.profile}, " if self.profile else ""
            return f"AWS, {profile}{region}"
        kind = "local DynamoDB" if self.local else "DynamoDB"
        via = f" (from {self.endpoint_source})" if self.endpoint_source != LOCAL_RULE else ""
        return f"{kind} at {self.endpoint}{via}, {region}"


def target(env: Mapping[str, str], local_endpoint: str | None, *, use_aws: bool = False) -> Target:
    """The target of a ``tables`` command: an explicit endpoint, else the local DynamoDB
    (``local_endpoint``, by the endpoint rule) unless ``use_aws``, else AWS."""
    found = explicit_endpoint(env)
    if found is not None and (not use_aws or found[1] != "DYNAMODB_ENDPOINT"):
        endpoint, source = found
    elif not use_aws and local_endpoint:
        endpoint, source = local_endpoint, LOCAL_RULE
    else:
        endpoint, source = None, "AWS"
    where = region(env, local=_is_local(endpoint))
    return Target(endpoint, source, where.name, where.source, profile(env))


def client(env: Mapping[str, str], where: Target) -> Any:
    """A boto3 DynamoDB client for ``where``, with the user's settings from ``env``."""
    return session(env, where).client(
        "dynamodb", endpoint_url=where.endpoint, config=_client_config()
    )


def _client_config() -> Any:
    from botocore.config import Config

    return Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5)


def session(env: Mapping[str, str], where: Target) -> Any:
    """A boto3 session that reads the settings in ``env`` (not only ``os.environ``)."""
    import boto3  # ~200 ms: only when a command actually calls DynamoDB
    import botocore.session
    from botocore.exceptions import BotoCoreError

    core = botocore.session.Session()
    for variable, setting in (
        ("AWS_CONFIG_FILE", "config_file"),
        ("AWS_SHARED_CREDENTIALS_FILE", "credentials_file"),
    ):
        if env.get(variable):
            core.set_config_variable(setting, os.path.expanduser(env[variable]))
    keys: dict[str, Any] = {}
    if env.get("AWS_ACCESS_KEY_ID"):
        keys = {
            "aws_access_key_id": env["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": env.get("AWS_SECRET_ACCESS_KEY"),
            "aws_session_token": env.get("AWS_SESSION_TOKEN") or None,
        }
    try:
        made = boto3.session.Session(
            botocore_session=core,
            region_name=where.region,
            profile_name=None if keys else where.profile,
            **keys,
        )
        if where.local and not keys:
            # The user's credentials if they have any (a DynamoDB Local without -sharedDb keeps
            # one database per key); otherwise dummy ones, which a local server accepts.
            resolver = core.get_component("credential_provider")
            with contextlib.suppress(ValueError):
                resolver.remove("iam-role")  # an instance-metadata call: slow off EC2
            if core.get_credentials() is None:
                made = boto3.session.Session(
                    botocore_session=botocore.session.Session(),
                    region_name=where.region,
                    aws_access_key_id=DUMMY_KEY,
                    aws_secret_access_key=DUMMY_KEY,
                )
    except BotoCoreError as exc:
        raise PluginError(f"cannot use the AWS settings for {where.describe()}: {exc}") from None
    return made


def account(env: Mapping[str, str], where: Target) -> str | None:
    """The AWS account the credentials belong to (STS), or ``None`` when it cannot be told."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        sts = session(env, where).client("sts", config=_client_config())
        return str(sts.get_caller_identity()["Account"])
    except (BotoCoreError, ClientError, PluginError, KeyError):
        return None


@contextlib.contextmanager
def errors(where: Target, doing: str) -> Iterator[None]:
    """Turn boto3's exceptions into one line saying what failed where."""
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    try:
        yield
    except ClientError as exc:
        raise PluginError(f"{doing} at {where.describe()}: {explain(exc, where)}") from None
    except NoCredentialsError:
        raise PluginError(
            f"{doing} at {where.describe()}: no AWS credentials found; set AWS_PROFILE or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or log in with `aws sso login`)"
        ) from None
    except BotoCoreError as exc:
        raise PluginError(f"{doing} at {where.describe()}: {exc}") from None


_REAL_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _not_dynamodb(code: str, message: str) -> bool:
    """Whether an error is no DynamoDB answer: a bare HTTP status, or an HTML page."""
    return code.isdigit() or message.lstrip().startswith("<")


def explain(exc: Any, where: Target) -> str:
    """``Code: message`` of a botocore ``ClientError``; an HTML page (not a DynamoDB answer)
    says what usually causes it."""
    error = exc.response.get("Error", {})
    code = str(error.get("Code", "Error"))
    message = str(error.get("Message") or exc)
    if not _not_dynamodb(code, message):
        return f"{code}: {message}"
    if where.region and not _REAL_REGION.match(where.region):
        cause = (
            f"a server that does not know region {where.region!r} answers so (moto_server does "
            "unless started with MOTO_ALLOW_NONEXISTENT_REGION=True): set AWS_REGION to a real "
            "region such as us-east-1"
        )
    else:
        cause = "the server does not implement this operation (moto answers so for what it lacks)"
    return f"HTTP {code}, not a DynamoDB answer; {cause}"


def missing_operations(dynamodb: Any, operations: list[str]) -> list[str] | None:
    """Which of ``operations`` (UpdateContributorInsights, EnableKinesisStreamingDestination)
    the endpoint does not implement, asked with their harmless Describe twins; ``None`` when
    the endpoint does not answer."""
    from botocore.exceptions import BotoCoreError, ClientError

    probes = {
        "UpdateContributorInsights": dynamodb.describe_contributor_insights,
        "EnableKinesisStreamingDestination": dynamodb.describe_kinesis_streaming_destination,
    }
    missing = []
    for operation in operations:
        try:
            probes[operation](TableName="getdotenv-support-probe")
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = str(error.get("Message", ""))
            if _not_dynamodb(code, message) or "Unknown" in code or "NotImplemented" in code:
                missing.append(operation)
        except BotoCoreError:
            return None
    return missing


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
