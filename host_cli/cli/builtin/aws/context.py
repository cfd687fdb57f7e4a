"""``AwsContext``: what the ``aws`` group hands the commands below it, resolved on first use.

The group's callback builds one from its flags and publishes it (``host_cli.cli.mounts``); a
child reads it with ``aws_context(ctx)``. Nothing is read, no file and no AWS service, until a
child asks: ``aws dynamodb local start`` never resolves a profile or starts an SSO login.

Light to import (no botocore): ``resolve`` and botocore load when credentials, a region from
the profile, a session or a client are first asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from host_cli.cli.builtin.aws.settings import Settings, settings_from

if TYPE_CHECKING:
    from host_cli.cli.builtin.aws.resolve import Credentials, Resolved
    from host_cli.engine.context import HostContext


class AwsContext:
    """The aws group's resolved context, for the commands below it. Every attribute resolves
    on first use and is then kept for the run.

    - ``settings``: config slice + flags (reads the files: the host context);
    - ``profile`` / ``profile_source``: no botocore;
    - ``region`` / ``region_source``, ``credentials``, ``resolved``: botocore (credentials may
      run ``aws sso login`` once, with ``loginOnDemand``);
    - ``overlay()``: the variables aws sets and removes in a child's environment;
    - ``env()``: a child's environment (the host's, with the overlay applied);
    - ``session()`` / ``client(service)``: botocore with the resolved credentials and region,
      honouring ``AWS_ENDPOINT_URL*`` of the composed environment; ``boto3_session()``.
    """

    def __init__(self, click_ctx: Any, flags: Mapping[str, Any], path: str = "aws") -> None:
        self._ctx = click_ctx
        self.flags = {k: v for k, v in flags.items() if v is not None}
        self.path = path
        self._settings: Settings | None = None
        self._resolved: Resolved | None = None
        self._profile: tuple[str | None, str] | None = None

    @property
    def host(self) -> HostContext:
        """The host's resolved context (the composed environment); read on first use."""
        from host_cli.cli.session import get_context

        return get_context(self._ctx)

    @property
    def slice_name(self) -> str:
        """The config key of the aws slice: ``aws``, or where an embedding tool mounted it."""
        from host_cli.cli.session import session_of

        plugin_host = session_of(self._ctx).settings.plugin_host
        return plugin_host.realized_slice("aws", plugin_host.commands.get("aws", ""), {})

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            name = self.slice_name
            configs = self.host.configs
            config = configs.data(name) if name in configs.names() else {}
            self._settings = settings_from(config, self.flags, name)
        return self._settings

    def lookup_env(self) -> dict[str, str]:
        """What a child would see before aws writes anything: the inherited environment with
        the composed one over it."""
        host = self.host
        return {**host.process_env, **host.env}

    def _profile_pair(self) -> tuple[str | None, str]:
        if self._profile is None:
            from host_cli.cli.builtin.aws.resolve import find_profile

            self._profile = find_profile(self.settings, self.lookup_env(), self.host)
        return self._profile

    @property
    def profile(self) -> str | None:
        """The profile: ``--profile`` > ``plugins.aws.profile`` > ``$AWS_LOCAL_PROFILE`` >
        ``$AWS_PROFILE`` (key names from ``profileKey``/``profileFallbackKey``)."""
        return self._profile_pair()[0]

    @property
    def profile_source(self) -> str:
        return self._profile_pair()[1]

    @property
    def resolved(self) -> Resolved:
        """Profile, region and credentials, resolved through botocore (once per run)."""
        if self._resolved is None:
            from host_cli.cli.builtin.aws import resolve

            self._resolved = resolve.resolve(self)
        return self._resolved

    @property
    def region(self) -> str | None:
        return self.resolved.region

    @property
    def region_source(self) -> str:
        return self.resolved.region_source

    @property
    def credentials(self) -> Credentials | None:
        return self.resolved.credentials

    def overlay(self) -> tuple[dict[str, str], tuple[str, ...]]:
        """``(set, removed)``: the variables aws writes into a child's environment."""
        from host_cli.cli.builtin.aws.resolve import overlay

        return overlay(self.resolved)

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """A child's environment: the host's (``HostContext.child_env``) with what aws
        resolved over it (it wins over the ``.env`` files), then ``extra``."""
        values, removed = self.overlay()
        env = self.host.child_env()
        for key in removed:
            env.pop(key, None)
        env.update(values)
        env.update(extra or {})
        return env

    def session(self) -> Any:
        """A ``botocore.session.Session`` with the resolved credentials and region."""
        from host_cli.cli.builtin.aws import resolve

        return resolve.session_for(self)

    def client(self, service: str, **kwargs: Any) -> Any:
        """A botocore client for ``service`` (``"sts"``, ``"secretsmanager"``) with the resolved
        credentials and region; ``AWS_ENDPOINT_URL``/``AWS_ENDPOINT_URL_<SERVICE>`` of the
        composed environment are honoured. ``kwargs`` go to ``create_client``."""
        from host_cli.cli.builtin.aws import resolve

        return resolve.client_for(self, service, **kwargs)

    def boto3_session(self) -> Any:
        """A ``boto3.Session`` over ``session()`` (imports boto3: ~200 ms)."""
        import boto3

        return boto3.session.Session(botocore_session=self.session())

    def errors(self, doing: str) -> Any:
        """A context manager turning botocore's exceptions into one ``GetDotenvError`` line:
        ``with aws.errors("aws whoami"): ...``."""
        from host_cli.cli.builtin.aws import resolve

        return resolve.errors(self, doing)


def aws_context(ctx: Any) -> AwsContext | None:
    """The context of the ``aws`` group the running command is mounted under, or ``None``
    when it does not run under ``aws`` (``getdotenv dynamodb ...``)."""
    from host_cli.cli.mounts import published

    return published(ctx, AwsContext)
