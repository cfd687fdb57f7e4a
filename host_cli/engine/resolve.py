"""The pipeline, and the only module that knows the order of its stages.

options (defaults < config < command line) -> env selection -> file cascade -> expansion
-> overlays (config ``vars``/``envVars``, ``--vars``) -> plugin slices (expanded,
validated) -> ``derive_env`` -> the context a command runs with.
"""

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from host_cli.engine import cascade, options
from host_cli.engine.cascade import Origin
from host_cli.engine.config import (
    Script,
    Source,
    find_project_root,
    load_sources,
    unclaimed_slices,
)
from host_cli.engine.context import HostContext
from host_cli.engine.expand import expand, expand_all, expand_shell, lookup_in
from host_cli.plugins.configs import PluginConfigs
from host_cli.plugins.host import PluginHost


def _copy(value: Any) -> Any:
    """A deep copy of plain config data (mappings, lists, scalars)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def merge_slices(
    sources: tuple[Source, ...], name: str
) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """Deep-merge ``plugins.<name>`` over the sources, and which file set each key path."""
    merged: dict[str, Any] = {}
    where: dict[tuple[str, ...], str] = {}

    def into(
        target: dict[str, Any], value: Mapping[str, Any], path: tuple[str, ...], shown: str
    ) -> None:
        for key, item in value.items():
            sub = (*path, str(key))
            if isinstance(item, dict) and isinstance(target.get(key), dict):
                into(target[key], item, sub, shown)
            else:
                target[key] = _copy(item)
            where[sub] = shown

    for source in sources:
        value = source.plugins.get(name)
        if isinstance(value, dict):
            where[()] = source.shown
            into(merged, value, (), source.shown)
    return merged, where


def expand_strings(
    value: Any, expand: Callable[[str, tuple[str, ...]], str], at: tuple[str, ...] = ()
) -> Any:
    """Expand every string leaf once with ``expand(text, path)`` (``path``: the keys down to
    the leaf, ``"*"`` for a list item); a string that expands to empty keeps its raw text."""
    if isinstance(value, str):
        result = expand(value, at)
        return result if result else value
    if isinstance(value, dict):
        return {k: expand_strings(v, expand, (*at, str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_strings(v, expand, (*at, "*")) for v in value]
    return value


def _matches(pattern: tuple[str, ...], at: tuple[str, ...]) -> bool:
    return len(pattern) == len(at) and all(p in ("*", a) for p, a in zip(pattern, at, strict=True))


class Inputs(NamedTuple):
    """Everything a resolution depends on besides the files on disk."""

    cli: Mapping[str, Any]
    cwd: Path
    process_env: Mapping[str, str]
    plugin_host: PluginHost
    prog_name: str = "getdotenv"
    host_defaults: Mapping[str, Any] = MappingProxyType({})
    config_overrides: Mapping[str, Mapping[str, Any]] = MappingProxyType({})


def _overlay(
    env: dict[str, str],
    origins: dict[str, list[Origin]],
    values: Mapping[str, str],
    origin: Mapping[str, Origin],
) -> dict[str, str]:
    """Lay ``values`` over ``env``, expanded progressively against it (not the process env)."""
    if not values:
        return env
    expanded = expand_all(values, env, base_empty_is_unset=True, describe=lambda k: str(origin[k]))
    for key in expanded:
        origins.setdefault(key, []).append(origin[key])
    return {**env, **expanded}


def _dynamic(
    env: dict[str, str],
    origins: dict[str, list[Origin]],
    unset: set[str],
    sources: tuple[Source, ...],
    opts: options.Options,
    root: Path,
    cwd: Path,
) -> dict[str, str]:
    """Apply config ``dynamic`` modules (lowest source first), then ``--dynamic-path``."""
    modules = [(s.dynamic, root, f"{s.shown}: dynamic") for s in sources if s.dynamic]
    if opts.dynamic_path:
        modules.append((opts.dynamic_path, cwd, "--dynamic-path"))
    if not modules:
        return env
    from host_cli.engine import dynamic

    for reference, base, shown in modules:
        table, where = dynamic.load(reference, base, shown)
        env, set_keys, deleted = dynamic.apply(env, table, where)
        for key in set_keys:
            origins.setdefault(key, []).append(Origin("dynamic", where))
            unset.discard(key)
        for key in deleted:
            origins.setdefault(key, []).append(Origin("deleted", where))
            unset.add(key)
    return env


def _plugin_configs(
    inputs: Inputs,
    sources: tuple[Source, ...],
    models: Mapping[str, tuple[Any, str]],
    env: Mapping[str, str],
    root_shell: str | None,
    reuse: PluginConfigs | None = None,
) -> tuple[PluginConfigs, bool, dict[str, str]]:
    """The validated slices, whether any of their strings holds a reference (``$``), and the
    carrier variables of the values in shell-string fields (``expand_shell``)."""
    # The composed value wins over the inherited one; an empty composed value counts as
    # unset, as everywhere in get-dotenv's expansion.
    lookup = lookup_in(env, inputs.process_env)
    referenced = False
    carriers: dict[str, str] = {}

    def expander(
        name: str, model_ref: Any, merged: Mapping[str, Any]
    ) -> Callable[[str, tuple[str, ...]], str]:
        """Expand one string of this slice: a shell-string field (``ShellCommand``) for the
        shell that runs it, any other with get-dotenv's interpolation. The model's shell
        fields are looked up only once a string holds a reference."""
        shell_paths: list[Sequence[tuple[str, ...]]] = []

        def expand_one(text: str, at: tuple[str, ...]) -> str:
            nonlocal referenced, carriers
            if "$" not in text:
                return text
            referenced = True
            if not shell_paths:
                from host_cli.plugins.configs import shell_paths as of_model

                shell_paths.append(of_model(model_ref))
            if any(_matches(p, at) for p in shell_paths[0]):
                shell = _field_shell(root_shell, name, merged, at)
                done = expand_shell(
                    text,
                    lookup,
                    shell=shell,
                    key=".".join(("plugins", name, *at)),
                    carriers=carriers,
                    taken=env,
                )
                carriers = dict(done.carriers)
                return done.command
            return expand(text, lookup)

        return expand_one

    slices = {}
    for name in models:
        merged, where = merge_slices(sources, name)
        override = inputs.config_overrides.get(name)
        if override:
            extra = Source(Path("."), "command line", plugins={name: dict(override)})
            merged, where = merge_slices((*sources, extra), name)
        slices[name] = (expand_strings(merged, expander(name, models[name][0], merged)), where)
    configs = PluginConfigs(models, slices, reuse)
    configs.validate_all()
    return configs, referenced, carriers


def _field_shell(
    root_shell: str | None, slice_name: str, merged: Mapping[str, Any], at: tuple[str, ...]
) -> str | None:
    """The shell that runs the shell-string field at ``at`` of ``plugins.<slice_name>``: the
    one a ``shell`` key beside it names (``true``: the default shell, ``false``: none, as
    batch scripts), else the root ``--shell``. Plugins run their fields in a shell even
    under ``--shell-off`` (the default shell); ``batch`` follows ``cmd``: no shell."""
    from host_cli.support.proc import default_shell

    parent: Any = merged
    for part in at[:-1]:
        parent = parent.get(part) if isinstance(parent, Mapping) else None
    own = parent.get("shell") if isinstance(parent, Mapping) and len(at) > 1 else None
    if own is True:
        return default_shell()
    if own is False or own == "":
        return None
    if isinstance(own, str):
        return own
    if root_shell is None and slice_name != "batch":
        return default_shell()
    return root_shell


def _unmatched_env(
    opts: options.Options, env_name: str, folders: list[Path], sources: tuple[Source, ...]
) -> tuple[str, ...] | None:
    """The environments that exist, when ``env_name`` selects no file in any folder (whatever
    the exclusion flags) and no config ``envVars`` entry; else ``None``."""
    token, private = opts.dotenv_token, opts.private_token
    names = (f"{token}.{env_name}", f"{token}.{env_name}.{private}")
    if any(os.path.lexists(folder / name) for folder in folders for name in names):
        return None
    if any(env_name in source.env_vars for source in sources):
        return None
    found = set(cascade.environments(folders, token, private))
    found.update(name for source in sources for name in source.env_vars)
    return tuple(sorted(found))


def resolve(inputs: Inputs) -> HostContext:
    """Compose the environment and everything a command needs, from ``inputs`` and the files."""
    cwd = inputs.cwd
    root = find_project_root(cwd)
    sources = load_sources(root, cwd)
    layers = [
        options.Layer("built-in", options.BUILTIN_DEFAULTS),
        options.Layer(inputs.prog_name, inputs.host_defaults),
        *(options.Layer(s.shown, s.root_option_defaults, "config") for s in sources),
        options.Layer(
            options.PARENT_VARIABLE,
            options.parent_values(inputs.process_env.get(options.PARENT_VARIABLE)),
            "parent",
        ),
        options.Layer("command line", inputs.cli, "cli"),
    ]
    opts = options.resolve(layers)

    def base(key: str) -> Path:
        """Paths in config (and defaults) are relative to the project root; typed ones to cwd."""
        layer = options.pick(layers, key)[1]
        typed = layer is not None and layer.kind in ("cli", "parent")
        return cwd if typed or root is None else root

    paths_layer = options.pick(layers, "paths")[1]
    paths_where = paths_layer.where("paths") if paths_layer is not None else "--paths"
    folders = cascade.directories(opts, base("paths"), paths_where)
    if opts.output_path and base("outputPath") != cwd:
        opts = opts._replace(output_path=os.path.join(base("outputPath"), opts.output_path))
    read = cascade.make_reader(opts.dialect, inputs.process_env)
    env_name = cascade.select_env(opts, folders, cwd, read, inputs.process_env)
    values, origins = cascade.merge(cascade.files(opts, env_name, folders, cwd), read)
    if opts.dialect == "get-dotenv":
        env = expand_all(values, inputs.process_env, describe=cascade.describe(origins))
    else:  # python-dotenv resolved each file as it read it
        env = values
    env_layer = options.pick(layers, "env")[1]
    unknown_env = None
    if env_name and env_layer is not None and env_layer.kind == "cli":
        unknown_env = _unmatched_env(opts, env_name, folders, sources)

    for source in sources:
        env = _overlay(
            env,
            origins,
            source.vars,
            {k: Origin("config", f"{source.shown}: vars.{k}") for k in source.vars},
        )
        scoped = source.env_vars.get(env_name or "", {}) if env_name else {}
        env = _overlay(
            env,
            origins,
            scoped,
            {k: Origin("config", f"{source.shown}: envVars.{env_name}.{k}") for k in scoped},
        )
    cli_vars = dict(opts.vars)
    env = _overlay(env, origins, cli_vars, {k: Origin("vars", "--vars") for k in cli_vars})
    unset: set[str] = set()
    if not opts.exclude_dynamic:
        env = _dynamic(env, origins, unset, sources, opts, root or cwd, base("dynamicPath"))

    models = inputs.plugin_host.config_models()
    configs, referenced, carriers = _plugin_configs(inputs, sources, models, env, opts.shell)
    # Plugins see what a child would: the inherited environment with the composed one over it.
    inherited = {k: v for k, v in inputs.process_env.items() if k not in unset}
    # What a parent composition derived is derived again here, not kept as the user's value:
    # compose() in a `cmd` child or a pytest session equals the CLI's composition.
    upstream = options.derived_upstream(inherited)
    seen = MappingProxyType(
        {**{k: v for k, v in inherited.items() if k not in upstream}, **env}
        if upstream
        else {**inherited, **env}
    )
    derived, by = inputs.plugin_host.derive_env(seen, configs, root or cwd)
    if derived:
        for key in derived:
            origins.setdefault(key, []).append(Origin("derived", f"plugin {by[key]}"))
        env = {**env, **derived}
        if referenced:
            # Slice strings may reference derived variables ($DYNAMODB_LOCAL_PORT in a command).
            configs, _, carriers = _plugin_configs(
                inputs, sources, models, env, opts.shell, reuse=configs
            )

    scripts: dict[str, Script] = {}
    for source in sources:
        scripts.update(source.scripts)
    return HostContext(
        env_name=env_name,
        options=opts,
        env=MappingProxyType(env),
        origins=MappingProxyType({k: tuple(v) for k, v in origins.items()}),
        configs=configs,
        scripts=MappingProxyType(scripts),
        sources=sources,
        project_root=root,
        process_env=MappingProxyType(inherited),
        prog_name=inputs.prog_name,
        cwd=cwd,
        folders=tuple(folders),
        unknown_env=unknown_env,
        unclaimed=tuple(unclaimed_slices(sources, models)) if sources else (),
        carriers=MappingProxyType(carriers),
    )
