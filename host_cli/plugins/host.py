"""Loading plugins into a pluggy manager, and the typed facade the host calls hooks through.

Built-in plugins register first, then entry points of ``getdotenv.plugins`` sorted by
name. ``GETDOTENV_DISABLE_PLUGINS`` skips the named plugins; ``GETDOTENV_LOAD_PLUGINS``,
when set, loads only the named ones (empty: none). A plugin that fails to import or
register gives one warning naming it and its distribution, and the host carries on.
"""

import importlib
import sys
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import pluggy

from host_cli.plugins import hookspecs
from host_cli.plugins.entrypoints import EntryPoint, scan_cached
from host_cli.support.errors import PluginError

if typing.TYPE_CHECKING:
    from pathlib import Path

    import typer

    from host_cli.plugins.configs import ModelRef, PluginConfigs

GROUP = "getdotenv.plugins"


class PluginInfo(NamedTuple):
    """A loaded plugin: its name, where it came from, and what it registered."""

    name: str
    module: str
    origin: str  # "built-in", "entry point" or "explicit"
    distribution: str | None = None
    version: str | None = None


class LoadFailure(NamedTuple):
    """A plugin that could not be loaded, and why."""

    name: str
    distribution: str | None
    version: str | None
    error: str


def _names(value: str) -> set[str]:
    return {n for n in value.replace(",", " ").split() if n}


def _failure(name: str, dist: str | None, version: str | None, exc: Exception) -> LoadFailure:
    reason = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
    return LoadFailure(name, dist, version, reason)


def _failure_warning(failure: LoadFailure, doing: str) -> str:
    source = f" from distribution {failure.distribution} {failure.version or ''}".rstrip()
    return (
        f"plugin {failure.name!r}{source if failure.distribution else ''} failed to {doing} "
        f"({failure.error}); skip it with GETDOTENV_DISABLE_PLUGINS={failure.name}"
    )


class PluginHost:
    """The plugin manager plus what the host knows about each plugin.

    Hook calls go through the methods below, one plugin at a time in load order, so
    every conflict can name the plugins involved.
    """

    def __init__(self, pm: pluggy.PluginManager, warn: Callable[[str], None]) -> None:
        self.pm = pm
        self.warn = warn
        self.plugins: list[PluginInfo] = []
        self.failures: list[LoadFailure] = []
        self.commands: dict[str, str] = {}  # command name -> plugin name
        # Mounts plugins asked for: path ("aws/dynamodb") -> (command name, plugin name).
        self.mount_requests: dict[str, tuple[str, str]] = {}
        # Where the app mounted each command (set by create_app): name -> realized paths.
        self.paths: dict[str, list[str]] = {}

    def _impls(self, hook_name: str) -> list[tuple[str, Callable[..., Any], list[str]]]:
        hook = getattr(self.pm.hook, hook_name)
        impls = {impl.plugin_name: impl for impl in hook.get_hookimpls()}
        return [
            (info.name, impls[info.name].function, list(impls[info.name].argnames))
            for info in self.plugins
            if info.name in impls
        ]

    def _drop(self, plugin: str, exc: Exception, doing: str) -> None:
        info = next(p for p in self.plugins if p.name == plugin)
        if info.origin == "built-in":
            raise exc
        failure = _failure(plugin, info.distribution, info.version, exc)
        self.failures.append(failure)
        self.plugins.remove(info)
        self.pm.unregister(name=plugin)
        self.warn(_failure_warning(failure, doing))

    @staticmethod
    def _call(function: Callable[..., Any], argnames: list[str], **kwargs: Any) -> Any:
        return function(**{name: kwargs[name] for name in argnames})

    def register_commands(self, app: "typer.Typer") -> None:
        """Let every plugin mount its commands; a name taken twice is an error naming both."""
        for plugin, function, argnames in self._impls("register_commands"):
            before = command_names(app)
            saved = (list(app.registered_commands), list(app.registered_groups))
            asked: dict[str, tuple[str, str]] = {}

            def mount(
                path: str, name: str, _plugin: str = plugin, _asked: dict[str, Any] = asked
            ) -> None:
                _asked[path.strip("/")] = (name, _plugin)

            try:
                self._call(function, argnames, app=app, mount=mount)
            except Exception as exc:  # one broken plugin must not take the CLI down
                app.registered_commands[:], app.registered_groups[:] = saved
                self._drop(plugin, exc, "register its commands")
                continue
            self.mount_requests.update(asked)
            after = command_names(app)
            added = list(after)
            for name in before:
                added.remove(name)
            for name in added:
                if name in self.commands or added.count(name) > 1:
                    other = self.commands.get(name, plugin)
                    raise PluginError(
                        f"command {name!r} is registered by both plugin {other!r} and "
                        f"plugin {plugin!r}; disable one with GETDOTENV_DISABLE_PLUGINS"
                    )
                self.commands[name] = plugin

    def config_models(self) -> "dict[str, tuple[ModelRef, str]]":
        """Every claimed config key, with its model and the plugin that claimed it."""
        claimed: dict[str, tuple[ModelRef, str]] = {}
        for plugin, function, argnames in self._impls("register_config_models"):
            asked: dict[str, ModelRef] = {}

            def register(name: str, model: "ModelRef", _asked: dict[str, Any] = asked) -> None:
                _asked[name] = model

            self._call(function, argnames, register=register)
            for name, model in asked.items():
                key = self.realized_slice(name, plugin, asked)
                if key in claimed:
                    raise PluginError(
                        f"config key {slice_key(key)} is claimed by both plugin "
                        f"{claimed[key][1]!r} and plugin {plugin!r}"
                    )
                claimed[key] = (model, plugin)
        return claimed

    def realized_slice(self, name: str, plugin: str, claimed: "Mapping[str, Any]") -> str:
        """The config key of the slice a plugin registered as ``name``: a slice named after one
        of the plugin's commands follows the command when it is mounted at exactly one other
        path (``plugins["tools/mine"]``), unless the plugin claims that key itself."""
        paths = self.paths.get(name)
        if self.commands.get(name) != plugin or not paths or len(paths) != 1:
            return name
        return name if paths[0] in claimed else paths[0]

    def derive_env(
        self, env: Mapping[str, str], configs: "PluginConfigs", project_root: "Path"
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Variables derived by plugins, and which plugin derived each."""
        derived: dict[str, str] = {}
        by: dict[str, str] = {}
        for plugin, function, argnames in self._impls("derive_env"):
            result = self._call(
                function, argnames, env=env, configs=configs, project_root=project_root
            )
            for key, value in (result or {}).items():
                if not isinstance(value, str):
                    raise PluginError(
                        f"plugin {plugin!r} derived {key}={value!r}: expected a string value"
                    )
                if key in derived and derived[key] != value:
                    raise PluginError(
                        f"{key} is derived as {derived[key]!r} by plugin {by[key]!r} and as "
                        f"{value!r} by plugin {plugin!r}"
                    )
                derived[key], by[key] = value, plugin
        return derived, by


# --- placing commands in the tree (nested mounts; see host_cli.cli.mounts) ---


class Tree:
    """The placed commands: ``root`` (name -> registration record) and, for each group path,
    its mounted children (``children["aws"]["dynamodb"]``). ``paths``: command -> paths."""

    def __init__(self) -> None:
        self.root: dict[str, Any] = {}
        self.children: dict[str, dict[str, Any]] = {}
        self.paths: dict[str, list[str]] = {}


def _renamed(info: Any, name: str) -> Any:
    if getattr(info, "name", None) == name:
        return info
    import copy

    info = copy.copy(info)
    info.name = name
    return info


def _namespace(help_text: str) -> Any:
    """The registration record of a namespace-only group (``groupPlugins``)."""
    import typer
    from typer.models import TyperInfo

    return TyperInfo(typer.Typer(help=help_text, add_completion=False), help=help_text)


def _is_group(info: Any) -> bool:
    return hasattr(info, "typer_instance")  # a typer TyperInfo (typer is not imported here)


def place(
    registered: Mapping[str, Any],
    requests: Mapping[str, str | None],
    groups: Mapping[str, str] | None = None,
    optional: frozenset[str] | set[str] = frozenset(),
) -> Tree:
    """Place the ``registered`` commands (name -> record, as plugins registered them) at the
    ``requests`` (path -> command name, or ``None`` to leave the path empty) and their own
    names, with the namespace-only ``groups`` (path -> help). A path whose parent is neither
    a group nor a command group, or a command that does not exist, is an error naming both;
    an ``optional`` path (a plugin's wish) whose parent is missing is left out instead."""
    placed: dict[str, tuple[Any, str | None]] = {
        name: (info, name) for name, info in registered.items()
    }
    for path, help_text in (groups or {}).items():
        placed[path.strip("/")] = (_namespace(help_text), None)
    for path, name in requests.items():
        path = path.strip("/")
        if name is None:
            placed.pop(path, None)
            continue
        if name not in registered:
            known = ", ".join(sorted(registered)) or "none"
            raise PluginError(
                f"cannot mount {name!r} at {path!r}: no command {name!r} (have: {known})"
            )
        placed[path] = (registered[name], name)
    tree = Tree()
    for path in sorted(placed, key=lambda p: p.count("/")):
        info, name = placed[path]
        parent, _, last = path.rpartition("/")
        if not last:
            raise PluginError(f"cannot mount {name!r} at {path!r}: not a command path")
        if parent:
            above = placed.get(parent)
            if above is None or parent not in _all_paths(tree):
                if path in optional:
                    continue
                raise PluginError(
                    f"cannot mount {name or last!r} at {path!r}: there is no command group "
                    f"{parent!r}"
                )
            if not _is_group(above[0]):
                raise PluginError(
                    f"cannot mount {name or last!r} at {path!r}: {parent!r} is a command, "
                    "not a group"
                )
            tree.children.setdefault(parent, {})[last] = _renamed(info, last)
        else:
            tree.root[last] = _renamed(info, last)
        if name is not None:
            tree.paths.setdefault(name, []).append(path)
    return tree


def _all_paths(tree: Tree) -> set[str]:
    found = set(tree.root)
    for parent, children in tree.children.items():
        found.update(f"{parent}/{name}" for name in children)
    return found


def slice_key(name: str) -> str:
    """How messages show a config key: ``plugins.aws``, ``plugins["aws/secrets"]``."""
    return f"plugins.{name}" if name.isidentifier() else f'plugins["{name}"]'


def command_names(app: "typer.Typer") -> list[str]:
    """The names of the commands and groups registered on ``app``, in order."""
    names = []
    for info in app.registered_commands:
        callback = info.callback
        name = info.name or (callback.__name__.replace("_", "-") if callback else "")
        names.append(name.lower() if not info.name else name)
    for group in app.registered_groups:
        sub = group.typer_instance
        names.append(group.name or (sub.info.name if sub is not None and sub.info.name else ""))
    return names


def _load(ep: EntryPoint) -> object:
    module = importlib.import_module(ep.module)
    return getattr(module, ep.attr) if ep.attr else module


def load(
    *,
    builtins: Sequence[tuple[str, object]],
    extra: Iterable[object] = (),
    entry_points: bool = True,
    environ: Mapping[str, str],
    warn: Callable[[str], None],
    path: Sequence[str] | None = None,
) -> PluginHost:
    """Build the plugin manager: built-ins, then ``extra`` plugins, then entry points."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    host = PluginHost(pm, warn=warn)

    def register(plugin: object, name: str) -> None:
        pm.register(plugin, name=name)
        try:
            pm.check_pending()
        except pluggy.PluginValidationError:
            pm.unregister(plugin)
            raise

    for name, plugin in builtins:
        register(plugin, name)
        host.plugins.append(PluginInfo(name, getattr(plugin, "__name__", name), "built-in"))
    for plugin in extra:
        name = getattr(plugin, "__name__", None) or type(plugin).__name__
        register(plugin, name)
        host.plugins.append(PluginInfo(name, str(name), "explicit"))

    if not entry_points:
        return host
    disabled = _names(environ.get("GETDOTENV_DISABLE_PLUGINS", ""))
    allow = environ.get("GETDOTENV_LOAD_PLUGINS")
    allowed = _names(allow) if allow is not None else None
    providers: dict[str, EntryPoint] = {}
    for ep in scan_cached(GROUP, sys.path if path is None else path):
        if ep.name in disabled or (allowed is not None and ep.name not in allowed):
            continue
        if ep.name in providers:
            first = providers[ep.name]
            raise PluginError(
                f"plugin {ep.name!r} is provided by both distribution {first.distribution} "
                f"and distribution {ep.distribution}; uninstall one of them"
            )
        providers[ep.name] = ep
        if pm.get_plugin(ep.name) is not None:
            raise PluginError(
                f"plugin {ep.name!r} from distribution {ep.distribution} has the name of a "
                "built-in plugin; rename its entry point"
            )
        try:
            register(_load(ep), ep.name)
        except Exception as exc:  # a broken plugin must not take the host down
            failure = _failure(ep.name, ep.distribution, ep.version, exc)
            host.failures.append(failure)
            warn(_failure_warning(failure, "load"))
            continue
        host.plugins.append(
            PluginInfo(ep.name, ep.value, "entry point", ep.distribution, ep.version)
        )
    return host
