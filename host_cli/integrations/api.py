"""The library API: the composed environment in-process, as ``getdotenv cmd`` would give it.

``compose(env="dev")`` returns the composed environment as a read-only mapping;
``load(env="dev")`` lays it over ``os.environ`` as python-dotenv's ``load_dotenv()`` does;
``context(...)`` returns the whole resolved ``HostContext`` (origins, plugin configs, ...). The
options are the root flags, by keyword in snake_case (``exclude_private=True``,
``paths=["./", "./env"]``, ``vars={"A": "1"}``); values the CLI expands against the process
environment are expanded here too. Errors are the host's own exception classes; warnings
(``requiredKeys``, an ``--env`` that selects nothing) are ``GetDotenvWarning``s, errors with
``strict=True``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from host_cli.support.errors import GetDotenvWarning

if TYPE_CHECKING:
    from host_cli.engine.context import HostContext

# Root flags that only print or write: the library composes, it does not do those.
_OUTPUT_ONLY = frozenset(
    {"log", "outputPath", "format", "trace", "redact", "redactPatterns", "debug", "shell"}
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _options(given: Mapping[str, Any], environ: Mapping[str, str]) -> dict[str, Any]:
    """Keyword options as the root callback would store them (camelCase, expanded)."""
    from host_cli.engine.expand import expand, lookup_in
    from host_cli.engine.options import BY_KEY, check_value, expected

    cli: dict[str, Any] = {}
    for name, value in given.items():
        key = _camel(name)
        spec = BY_KEY.get(key)
        if spec is None or not spec.used or key in _OUTPUT_ONLY:
            known = sorted(s.key for s in BY_KEY.values() if s.used and s.key not in _OUTPUT_ONLY)
            raise TypeError(
                f"unknown option {name!r}; expected one of: " + ", ".join(_snake(k) for k in known)
            )
        if value is None:
            continue
        if key == "vars" and isinstance(value, Mapping):
            cli["varsDelimiter"], cli["varsAssignor"] = "\0", "="
            value = "\0".join(f"{k}={v}" for k, v in value.items())
        if key == "paths" and isinstance(value, Path):
            value = [str(value)]
        if key == "paths" and isinstance(value, Iterable) and not isinstance(value, str):
            value = [str(p) for p in value]
        if not check_value(spec, value):
            raise TypeError(f"{name}: expected {expected(spec)}, got {value!r}")
        if spec.expands and isinstance(value, str):
            value = expand(value, lookup_in({}, environ))
        cli[key] = value
    return cli


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def context(
    *,
    cwd: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    plugins: bool | Iterable[object] = True,
    prog_name: str = "getdotenv",
    root_option_defaults: Mapping[str, Any] | None = None,
    **options: Any,
) -> HostContext:
    """The resolved context for these options, as a command of the CLI would get it.

    ``cwd``: the folder to compose from (default: the current one). ``environ``: the process
    environment to compose against (default: ``os.environ``). ``plugins``: ``True`` loads the
    installed plugins (entry points) and runs their ``derive_env``; ``False`` only the
    built-ins; a list of plugin objects loads those instead of the entry points.
    """
    from host_cli.cli import builtin
    from host_cli.engine import effects
    from host_cli.engine.resolve import Inputs, resolve
    from host_cli.plugins import host as loader

    process_env = dict(os.environ if environ is None else environ)
    extra = [] if isinstance(plugins, bool) else list(plugins)

    def warn(message: str) -> None:
        warnings.warn(message, GetDotenvWarning, stacklevel=4)

    host = loader.load(
        builtins=[("getdotenv", builtin)],
        extra=extra,
        entry_points=plugins is True,
        environ=process_env,
        warn=warn,
    )
    resolved = resolve(
        Inputs(
            cli=_options(options, process_env),
            cwd=Path(cwd).resolve() if cwd is not None else Path.cwd(),
            process_env=process_env,
            plugin_host=host,
            prog_name=prog_name,
            host_defaults=dict(root_option_defaults or {}),
        )
    )
    effects.unclaimed(resolved, warn)
    effects.unknown_env(resolved, warn)
    effects.required(resolved, warn)
    return resolved


def compose(**kwargs: Any) -> Mapping[str, str]:
    """The composed environment (only what the files, config, flags and plugins give, not the
    inherited variables), read-only. Takes the arguments of ``context``."""
    return MappingProxyType(dict(context(**kwargs).env))


def load(*, override: bool = False, **kwargs: Any) -> dict[str, str]:
    """Lay the composed environment over ``os.environ``, like ``load_dotenv()``: variables
    already set are kept unless ``override``. Returns what it set."""
    composed = compose(**kwargs)
    changed = {k: v for k, v in composed.items() if override or k not in os.environ}
    os.environ.update(changed)
    return changed
