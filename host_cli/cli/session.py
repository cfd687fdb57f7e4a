"""One invocation of the CLI: what ``create_app`` fixed (``Settings``) and the lazily resolved
context of the running command (``Session``, ``get_context``).

The root callback only stores the parsed flags in a ``Session``; files are read the
first time a command calls ``get_context(ctx)``, so ``--help`` works in a folder whose
``.env`` or config is broken.
"""

import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import typer

    from host_cli.engine.context import HostContext
    from host_cli.plugins.host import PluginHost
else:
    # For mypy only: a string annotation would be compiled into a ForwardRef on every start,
    # and the context's module is imported only when a command resolves one.
    HostContext = PluginHost = Any


class Settings(NamedTuple):
    """What ``create_app`` fixed for every run of the app."""

    prog_name: str
    plugin_host: PluginHost
    host_defaults: Mapping[str, Any] = MappingProxyType({})


class Session:
    """One invocation: the settings, the parsed root flags, and the context once resolved."""

    def __init__(self, settings: Settings, cli: Mapping[str, Any]) -> None:
        self.settings = settings
        self.cli = cli
        self._resolved: dict[str, HostContext] = {}

    @property
    def debug(self) -> bool:
        if self.cli.get("debug") is not None:
            return bool(self.cli["debug"])
        return os.environ.get("GETDOTENV_DEBUG", "") not in ("", "0", "false")

    def context(
        self, config_overrides: Mapping[str, Mapping[str, Any]] | None = None
    ) -> HostContext:
        """Resolve (once per distinct set of overrides) and return the context."""
        from host_cli.engine.resolve import Inputs, resolve

        key = repr(sorted((config_overrides or {}).items()))
        if key not in self._resolved:
            first = not self._resolved
            self._resolved[key] = resolve(
                Inputs(
                    cli=self.cli,
                    cwd=Path.cwd(),
                    process_env=dict(os.environ),
                    plugin_host=self.settings.plugin_host,
                    prog_name=self.settings.prog_name,
                    host_defaults=self.settings.host_defaults,
                    config_overrides=config_overrides or {},
                )
            )
            resolved = self._resolved[key]
            opts = resolved.options
            wanted = (
                opts.trace
                or opts.log
                or opts.output_path
                or resolved.unknown_env is not None
                or resolved.unclaimed
            )
            if first and (wanted or any(s.required_keys for s in resolved.sources)):
                # requiredKeys, --trace, --log, --output-path: once per invocation
                from host_cli.engine import effects

                effects.apply(resolved, self.settings.plugin_host.warn)
        return self._resolved[key]

    def scrub(self, message: str) -> str:
        """An error message with secrets masked: the composed values of secret keys and
        secret-shaped text (``--redact-off`` given explicitly shows them)."""
        from host_cli.support.redact import Redactor

        env: dict[str, str] = {}
        patterns = None
        for resolved in self._resolved.values():
            env.update(resolved.env)
            patterns = resolved.options.redact_patterns
            if resolved.options.redact is False:
                return message
        return Redactor(True, patterns).scrub(message, env)


def session_of(ctx: "typer.Context") -> Session:
    """The ``Session`` the root callback stored on the root context."""
    obj = ctx.find_root().obj
    if not isinstance(obj, Session):
        raise RuntimeError("this command is not running under a getdotenv host app")
    return obj


def get_context(
    ctx: "typer.Context", *, config_overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> HostContext:
    """The resolved context for the running command; files are read on the first call.

    ``config_overrides`` lays values from the command's own flags over a plugin's config
    slice (``{"dynamodb": {"local": {"port": 9000}}}``) before it is validated, so flags
    beat config and derived variables follow them.
    """
    return session_of(ctx).context(config_overrides)
