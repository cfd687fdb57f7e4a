"""What a command runs with: the resolved context, and the lazy per-invocation session.

The root callback only stores the parsed flags in a ``Session``; files are read the
first time a command calls ``get_context(ctx)``, so ``--help`` works in a folder whose
``.env`` or config is broken.
"""

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import typer

    from host_cli.engine.cascade import Origin
    from host_cli.engine.config import Script, Source
    from host_cli.engine.options import Options
    from host_cli.plugins.configs import PluginConfigs
    from host_cli.plugins.host import PluginHost
else:
    # For mypy only; at run time the NamedTuples below would otherwise compile each string
    # annotation into a ForwardRef on every start (see benchmarks/README.md).
    Origin = Script = Source = Options = PluginConfigs = PluginHost = Any


def warner(prog_name: str) -> Callable[[str], None]:
    """A function that prints ``<prog_name>: warning: message`` on stderr: the host's
    warnings, and the plugins' through ``HostContext.warn``."""

    def warn(message: str) -> None:
        import sys

        print(f"{prog_name}: warning: {message}", file=sys.stderr)

    return warn


def spawn_env(base: Mapping[str, str], overlay: Mapping[str, str]) -> dict[str, str]:
    """The environment of a child: ``overlay`` over ``base``, with ``TMPDIR`` filled in.

    As get-dotenv's ``buildSpawnEnv`` on POSIX: ``TMPDIR`` is set from ``TMP`` or ``TEMP``
    when it is missing and either is present.
    """
    env = {**base, **overlay}
    tmpdir = env.get("TMPDIR") or env.get("TMP") or env.get("TEMP")
    if tmpdir:
        env["TMPDIR"] = tmpdir
    return env


class HostContext(NamedTuple):
    """The resolved run: options, the composed environment, where each key came from,
    validated plugin configs and the config it all came from. Read-only."""

    env_name: str | None
    options: Options
    env: Mapping[str, str]
    origins: Mapping[str, tuple[Origin, ...]]
    configs: PluginConfigs
    scripts: Mapping[str, Script]
    sources: tuple[Source, ...]
    project_root: Path | None
    process_env: Mapping[str, str]
    prog_name: str
    cwd: Path
    folders: tuple[Path, ...] = ()  # the --paths folders, resolved
    unknown_env: tuple[str, ...] | None = None  # --env selected nothing: the envs that exist

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: relative to the working folder where inside it."""
        from host_cli.support.files import shown_path

        return shown_path(path, self.cwd)

    def child_env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The environment for a child process: the process env, the composed env over it,
        and the root options a nested getdotenv inherits. One the kernel would refuse (a NUL
        byte, a bad name, too large) is an error naming the key and where it came from."""
        from host_cli.engine.options import PARENT_VARIABLE, to_json, to_parent
        from host_cli.support.proc import check_env

        handed_down = to_parent(self.options, self.env_name, str(self.cwd))
        overlay = {**self.env, PARENT_VARIABLE: to_json(handed_down), **(extra or {})}
        env = spawn_env(self.process_env, overlay)

        def where(key: str) -> str:
            found = self.origins.get(key)
            return f" ({found[-1]})" if found else ""

        check_env(env, where)
        return env

    def warn(self, message: str) -> None:
        """Print ``<prog>: warning: message`` on stderr, as the host's own warnings."""
        warner(self.prog_name)(message)


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
            wanted = opts.trace or opts.log or opts.output_path or resolved.unknown_env is not None
            if first and (wanted or any(s.required_keys for s in resolved.sources)):
                # requiredKeys, --trace, --log, --output-path: once per invocation
                from host_cli.engine import effects

                effects.apply(resolved, self.settings.plugin_host.warn)
        return self._resolved[key]


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
