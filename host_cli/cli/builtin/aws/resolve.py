"""Profile, region and credentials of the ``aws`` group, through botocore (no AWS CLI).

Order (flags beat config; "env" is what a child would see: the inherited environment with
the composed one over it):

- profile: ``--profile`` > ``plugins.aws.profile`` > ``$<profileKey>`` (``AWS_LOCAL_PROFILE``)
  > ``$<profileFallbackKey>`` (``AWS_PROFILE``);
- region: ``--region`` > ``plugins.aws.region`` > ``$<regionKey>`` (``AWS_REGION``) >
  ``$AWS_DEFAULT_REGION`` > the profile's ``region`` in ``~/.aws/config`` >
  ``--default-region`` > ``plugins.aws.defaultRegion``;
- credentials (``strategy: cli-export``, what ``aws configure export-credentials`` gives):
  with a profile, the profile's, as botocore finds them (static keys, ``credential_process``,
  ``role_arn`` assume-role, SSO with a cached token); without one, the environment's
  ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, else botocore's default chain.
  ``strategy: none`` resolves none.

botocore reads ``os.environ``; every call here runs with ``os.environ`` set to the child's
environment for its duration (``environ``), so the composed ``.env`` values (``HOME``,
``AWS_CONFIG_FILE``, ``AWS_ENDPOINT_URL``) count as they will for the child.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from host_cli.support.errors import GetDotenvError

if TYPE_CHECKING:
    from host_cli.cli.builtin.aws.settings import Settings
    from host_cli.engine.context import HostContext

# The AwsContext (host_cli.cli.builtin.aws.context imports this module, not the other way).
AwsContext = Any

INSTALL_HINT = (
    "install the AWS CLI v2: https://docs.aws.amazon.com/cli/latest/userguide/"
    "getting-started-install.html"
)
PROFILE_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SDK_LOAD_CONFIG")
KEY_VARIABLES = (
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SECURITY_TOKEN",  # the legacy name of the session token, which botocore still reads
)


class Credentials(NamedTuple):
    access_key: str
    secret_key: str
    token: str | None
    expiry: str | None  # ISO 8601, for temporary credentials
    method: str  # botocore's name of where they came from: "shared-credentials-file", "sso", ...

    def __repr__(self) -> str:  # never show a secret
        return f"Credentials(access_key={self.access_key[:4]}..., method={self.method!r})"


class Resolved(NamedTuple):
    profile: str | None
    profile_source: str
    region: str | None
    region_source: str
    credentials: Credentials | None
    strategy: str


@contextlib.contextmanager
def environ(env: Mapping[str, str]) -> Iterator[None]:
    """Run the block with ``os.environ`` holding exactly ``env`` (botocore reads it).

    botocore fixes the folder of its SSO token cache (``~/.aws/sso/cache``) when it is
    imported; for the block, it is the one of ``env``'s ``HOME``."""
    from botocore.credentials import SSOProvider
    from botocore.tokens import SSOTokenProvider

    saved = dict(os.environ)
    folders = (SSOProvider._SSO_TOKEN_CACHE_DIR, SSOTokenProvider._SSO_TOKEN_CACHE_DIR)
    os.environ.clear()
    os.environ.update(env)
    folder = os.path.expanduser(os.path.join("~", ".aws", "sso", "cache"))
    SSOProvider._SSO_TOKEN_CACHE_DIR = SSOTokenProvider._SSO_TOKEN_CACHE_DIR = folder
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        SSOProvider._SSO_TOKEN_CACHE_DIR, SSOTokenProvider._SSO_TOKEN_CACHE_DIR = folders


def _where(key: str, host: HostContext | None) -> str:
    """``$AWS_PROFILE (.env.local)``: a variable and where its value came from."""
    origins = host.origins.get(key) if host is not None else None
    return f"${key} ({origins[-1]})" if origins else f"${key} (environment)"


def find_profile(
    settings: Settings, env: Mapping[str, str], host: HostContext | None = None
) -> tuple[str | None, str]:
    """The profile and where it came from (no botocore)."""
    if settings.profile:
        return settings.profile, settings.source("profile")
    for key in (settings.profile_key, settings.profile_fallback_key):
        if env.get(key):
            return env[key], _where(key, host)
    return None, "not set"


def _profile_region(core: Any) -> str | None:
    try:
        value = core.get_scoped_config().get("region")
    except Exception:  # a profile that does not exist is reported by the credentials
        return None
    return str(value) if value else None


def _region(
    settings: Settings, env: Mapping[str, str], core: Any, host: HostContext | None
) -> tuple[str | None, str]:
    if settings.region:
        return settings.region, settings.source("region")
    for key in (settings.region_key, "AWS_DEFAULT_REGION"):
        if env.get(key):
            return env[key], _where(key, host)
    found = _profile_region(core)
    if found:
        name = core.get_config_variable("profile") or "default"
        return found, f"profile {name} in the AWS config file"
    if settings.default_region:
        return settings.default_region, settings.source("default_region")
    return None, "not set"


def _session(profile: str | None) -> Any:
    import botocore.session

    core = botocore.session.Session(profile=profile)
    return core


def _looks_sso(core: Any) -> bool:
    try:
        scoped = core.get_scoped_config()
    except Exception:
        return False
    return bool(scoped.get("sso_session") or scoped.get("sso_start_url"))


class _SsoLogin(Exception):
    """The profile's SSO token is missing or expired."""


def _credentials(core: Any, profile: str | None, env: Mapping[str, str]) -> Credentials | None:
    from botocore.exceptions import (
        SSOError,
        TokenRetrievalError,
    )

    if profile is None and env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        return Credentials(
            env["AWS_ACCESS_KEY_ID"],
            env["AWS_SECRET_ACCESS_KEY"],
            # botocore's order: the legacy AWS_SECURITY_TOKEN where AWS_SESSION_TOKEN is unset
            env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN") or None,
            env.get("AWS_CREDENTIAL_EXPIRATION") or None,
            "env",
        )
    try:
        found = core.get_credentials()
        if found is None:
            return None
        frozen = found.get_frozen_credentials()
    except (SSOError, TokenRetrievalError) as exc:
        raise _SsoLogin(str(exc)) from None
    expiry = getattr(found, "_expiry_time", None)
    return Credentials(
        frozen.access_key,
        frozen.secret_key,
        frozen.token or None,
        expiry.isoformat() if expiry is not None else None,
        str(getattr(found, "method", "") or "botocore"),
    )


def _aws_cli(env: Mapping[str, str]) -> str:
    found = shutil.which("aws", path=env.get("PATH"))
    if found is None:
        raise GetDotenvError(f"the AWS CLI (`aws`) is not on PATH; {INSTALL_HINT}", exit_code=127)
    return found


def _login(profile: str, env: Mapping[str, str]) -> None:
    """``aws sso login --profile=P``, once, in the foreground (no deadline: the user may take
    as long as the browser flow takes). Needs the AWS CLI v2."""
    from host_cli.support import proc

    program = _aws_cli(env)
    try:
        version = subprocess.run(
            [program, "--version"], env=dict(env), capture_output=True, text=True, timeout=60
        )
        text = (version.stdout + version.stderr).strip()
    except (OSError, subprocess.TimeoutExpired):
        text = ""
    if text.startswith("aws-cli/1."):
        raise GetDotenvError(
            f"loginOnDemand needs the AWS CLI v2 (`aws sso login`); {program} is "
            f"{text.split()[0]}: {INSTALL_HINT}"
        )
    # --profile=P, one word: a profile named like a flag stays the profile's name
    code = proc.run([program, "sso", "login", f"--profile={profile}"], env)
    if code != 0:
        raise GetDotenvError(
            f"`aws sso login --profile={profile}` failed (exit {code})", exit_code=code
        )


def _sso_message(profile: str | None, detail: str) -> str:
    name = profile or "default"
    return (
        f"the SSO session of AWS profile {name} is missing or expired ({detail.rstrip('.')}); "
        f"run `aws sso login --profile={name}` (or set plugins.aws.loginOnDemand / "
        "--login-on-demand)"
    )


def resolve(aws: AwsContext) -> Resolved:
    """Resolve profile, region and credentials for ``aws`` (see the module's docstring)."""
    from botocore.exceptions import BotoCoreError, ProfileNotFound

    settings = aws.settings
    host = aws.host
    env = host.child_env()
    profile, profile_source = aws.profile, aws.profile_source
    with environ(env):
        core = _session(profile)
        try:
            region, region_source = _region(settings, env, core, host)
            credentials = None
            if settings.strategy != "none":
                try:
                    credentials = _credentials(core, profile, env)
                except _SsoLogin as sso:
                    if not (settings.login_on_demand and profile and _looks_sso(core)):
                        raise GetDotenvError(_sso_message(profile, str(sso))) from None
                    _login(profile, env)
                    try:
                        credentials = _credentials(_session(profile), profile, env)
                    except _SsoLogin as again:
                        raise GetDotenvError(_sso_message(profile, str(again))) from None
        except ProfileNotFound:
            raise GetDotenvError(
                f"AWS profile {profile!r} (from {profile_source}) is not in the AWS config or "
                "credentials file (~/.aws/config, ~/.aws/credentials, or $AWS_CONFIG_FILE / "
                "$AWS_SHARED_CREDENTIALS_FILE)"
            ) from None
        except BotoCoreError as exc:
            raise GetDotenvError(
                f"cannot get credentials of AWS profile {profile or 'default'}: {exc}"
            ) from None
    if credentials is None and settings.strategy != "none" and profile:
        host.warn(f"AWS profile {profile} gives no credentials; passing AWS_PROFILE on instead")
    return Resolved(profile, profile_source, region, region_source, credentials, settings.strategy)


def overlay(resolved: Resolved) -> tuple[dict[str, str], tuple[str, ...]]:
    """What a child's environment gets: credentials (and no profile variables) or, without
    credentials, the profile (and no static keys); both region variables."""
    values: dict[str, str] = {}
    removed: list[str] = []
    creds = resolved.credentials
    if creds is not None:
        # AWS_SECURITY_TOKEN too: botocore would pair a stale one with the resolved keys
        removed += (*PROFILE_VARIABLES, "AWS_SECURITY_TOKEN")
        values["AWS_ACCESS_KEY_ID"] = creds.access_key
        values["AWS_SECRET_ACCESS_KEY"] = creds.secret_key
        for key, value in (
            ("AWS_SESSION_TOKEN", creds.token),
            ("AWS_CREDENTIAL_EXPIRATION", creds.expiry),
        ):
            if value:
                values[key] = value
            else:
                removed.append(key)
    elif resolved.profile:
        removed += KEY_VARIABLES
        values.update(
            AWS_PROFILE=resolved.profile,
            AWS_DEFAULT_PROFILE=resolved.profile,
            AWS_SDK_LOAD_CONFIG="1",
        )
    if resolved.region:
        values["AWS_REGION"] = values["AWS_DEFAULT_REGION"] = resolved.region
    return values, tuple(removed)


def session_for(aws: AwsContext) -> Any:
    """A botocore session holding the resolved credentials and region."""
    resolved = aws.resolved
    env = aws.env()
    with environ(env):
        core = _session(None if resolved.credentials else resolved.profile)
        creds = resolved.credentials
        if creds is not None:
            core.set_credentials(creds.access_key, creds.secret_key, creds.token)
        if resolved.region:
            core.set_config_variable("region", resolved.region)
    return core


def client_for(aws: AwsContext, service: str, **kwargs: Any) -> Any:
    """A botocore client; created with ``os.environ`` as the child's, so the composed
    ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_<SERVICE>`` are honoured."""
    from botocore.exceptions import BotoCoreError

    core = session_for(aws)
    with environ(aws.env()):
        try:
            return core.create_client(service, **kwargs)
        except BotoCoreError as exc:
            raise GetDotenvError(_client_problem(aws, service, exc)) from None


def _client_problem(aws: AwsContext, service: str, exc: Exception) -> str:
    from botocore.exceptions import NoRegionError

    if isinstance(exc, NoRegionError):
        return (
            f"no AWS region for {service}: give --region, set plugins.aws.region or "
            f"${aws.settings.region_key}, or a region in the profile"
        )
    return f"cannot make an AWS {service} client: {exc}"


@contextlib.contextmanager
def errors(aws: AwsContext, doing: str) -> Iterator[None]:
    """botocore's exceptions as one line: ``<doing>: <what>``."""
    from botocore.exceptions import (
        BotoCoreError,
        ClientError,
        NoCredentialsError,
        NoRegionError,
    )
    from botocore.parsers import ResponseParserError

    try:
        with environ(aws.env()):
            yield
    except GetDotenvError as exc:
        raise GetDotenvError(f"{doing}: {exc}", exit_code=exc.exit_code) from None
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise GetDotenvError(
            f"{doing}: {error.get('Code', 'Error')}: {error.get('Message') or exc}"
        ) from None
    except NoCredentialsError:
        raise GetDotenvError(
            f"{doing}: no AWS credentials: give --profile, set $"
            f"{aws.settings.profile_key} or ${aws.settings.profile_fallback_key}, or "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
        ) from None
    except NoRegionError:
        raise GetDotenvError(
            f"{doing}: no AWS region: give --region, set plugins.aws.region or "
            f"${aws.settings.region_key}, or a region in the profile"
        ) from None
    except BotoCoreError as exc:
        raise GetDotenvError(f"{doing}: {exc}") from None
    except ResponseParserError as exc:
        first = str(exc).splitlines()[0].split(":")[0] if str(exc) else "unreadable"
        raise GetDotenvError(f"{doing}: not an AWS answer ({first})") from None
