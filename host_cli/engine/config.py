"""Config files: finding the project root, reading each source, and checking the host's keys.

Sources, lowest precedence first: ``[tool.getdotenv]`` in ``pyproject.toml``, the first of
``getdotenv.config.json|yaml|yml``, then its ``.local`` twin. Keys are spelled as
get-dotenv spells them. The host's own keys are checked here by hand (no pydantic on
the start path); ``plugins.<name>`` slices are kept raw for their plugins to validate.
"""

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from host_cli.engine.options import BY_KEY, check_value, expected
from host_cli.support import cache, files
from host_cli.support.errors import ConfigError

PUBLIC_NAMES = ("getdotenv.config.json", "getdotenv.config.yaml", "getdotenv.config.yml")
LOCAL_NAMES = (
    "getdotenv.config.local.json",
    "getdotenv.config.local.yaml",
    "getdotenv.config.local.yml",
)
ROOT_MARKERS = ("pyproject.toml", "package.json", *PUBLIC_NAMES, *LOCAL_NAMES)
# get-dotenv keys this host accepts without acting on them (help visibility, JS schemas).
_IGNORED_KEYS = ("rootOptionVisibility",)
_KNOWN_KEYS = (
    "rootOptionDefaults",
    "scripts",
    "vars",
    "envVars",
    "requiredKeys",
    "plugins",
    "dynamic",
    *_IGNORED_KEYS,
)


# Slices of get-dotenv's own plugins and of SMOZ's: a config shared with those tools holds
# them, and no plugin of this host needs to claim them for the file to be right.
FOREIGN_SLICES = ("aws", "aws/secrets", "aws/dynamodb", "cmd", "batch", "init")


def unclaimed_slices(sources: tuple["Source", ...], claimed: "Iterable[str]") -> list[str]:
    """One message per ``plugins.<name>`` that no loaded plugin claims and that is no slice of
    get-dotenv's or SMOZ's plugins: most likely a typo (``plugins.dynamdb``)."""
    known = set(claimed)
    messages = []
    seen: set[str] = set()
    for source in sources:
        for name in source.plugins:
            if name in known or name in FOREIGN_SLICES or name in seen:
                continue
            seen.add(name)
            import difflib

            near = difflib.get_close_matches(name, sorted(known | set(FOREIGN_SLICES)), n=1)
            hint = f" (did you mean plugins.{near[0]}?)" if near else ""
            loaded = ", ".join(sorted(known)) or "none"
            messages.append(
                f"{source.shown}: plugins.{name}: no loaded plugin claims this slice{hint} "
                f"(slices claimed: {loaded})"
            )
    return messages


class Script(NamedTuple):
    """A ``scripts`` entry: the command, and its own shell (``None``: the root ``--shell``)."""

    cmd: str
    shell: bool | str | None = None


class Source(NamedTuple):
    """One config file, checked: everything the host reads from it."""

    path: Path
    shown: str
    root_option_defaults: Mapping[str, Any] = MappingProxyType({})
    scripts: Mapping[str, Script] = MappingProxyType({})
    vars: Mapping[str, str] = MappingProxyType({})
    env_vars: Mapping[str, Mapping[str, str]] = MappingProxyType({})
    required_keys: tuple[str, ...] | None = None
    plugins: Mapping[str, Any] = MappingProxyType({})
    dynamic: str | None = None


def find_project_root(start: Path) -> Path | None:
    """The nearest ancestor of ``start`` (itself included) holding a project marker."""
    for folder in (start, *start.parents):
        for marker in ROOT_MARKERS:
            if files.is_file(folder / marker):
                return folder
    return None


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    # YAML's own types (!!binary, !!timestamp, !!set, ...)
    names = {"bytes": "binary data", "date": "a date", "datetime": "a timestamp", "set": "a set"}
    return names.get(type(value).__name__, f"a YAML {type(value).__name__}")


def _got(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        import json

        shown = json.dumps(value) if value is not None else "null"
        return f"{_type_name(value)} ({shown if len(shown) <= 60 else shown[:57] + '...'})"
    return _type_name(value)


MAX_DEPTH = 64


def _plain(doc: Any, shown: str) -> None:
    """Refuse what JSON cannot hold (YAML's own types, non-string keys) and nesting deeper
    than ``MAX_DEPTH``, naming the dotted key. Iterative: no recursion on hostile input."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            where = where if len(where) <= 40 else where[:37] + "..."
            raise ConfigError(f"{shown}: {where}: nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str):
                    raise ConfigError(
                        f"{shown}: {where + '.' if where else ''}{k}: expected a string key, "
                        f"got {_type_name(k)}"
                    )
                stack.append((v, f"{where}.{k}" if where else k, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
        elif not (isinstance(value, str | int | float | bool) or value is None):
            raise ConfigError(
                f"{shown}: {where or 'the document'}: expected a JSON value (string, number, "
                f"boolean, null, list or mapping), got {_type_name(value)}"
            )


def _load_yaml(text: str, shown: str) -> Any:
    hit = cache.load("yaml", text)
    if hit is not None:
        return hit
    from host_cli.engine import yaml_lite

    try:
        data = yaml_lite.loads(text)  # plain block YAML, without importing PyYAML
    except yaml_lite.NotSimple:
        data = _load_pyyaml(text, shown)
    if data is not None and cache.json_safe(data):
        cache.store("yaml", text, data)
    return data


def _load_pyyaml(text: str, shown: str) -> Any:
    from host_cli.engine import yaml12

    try:
        data = yaml12.loads(text)
    except yaml12.Refused as exc:
        raise ConfigError(f"{shown}: not read: {exc}") from None
    except Exception as exc:  # PyYAML raises many error types; all mean "not YAML"
        raise ConfigError(f"{shown}: invalid YAML: {yaml12.describe_error(exc)}") from None
    return data


def _parse(path: Path, shown: str) -> Any:
    text = files.read_text(path, shown, error=ConfigError, what="a config file") or ""
    if path.suffix == ".json":
        import json

        try:
            return json.loads(text) if text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{shown}: invalid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}"
            ) from None
        except RecursionError:
            raise ConfigError(
                f"{shown}: not read: nested more than {MAX_DEPTH} levels deep"
            ) from None
    if path.suffix == ".toml":
        import tomllib

        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{shown}: invalid TOML: {exc}") from None
        except RecursionError:
            raise ConfigError(
                f"{shown}: not read: nested more than {MAX_DEPTH} levels deep"
            ) from None
        tool = doc.get("tool", {})
        return tool.get("getdotenv") if isinstance(tool, dict) else None
    return _load_yaml(text, shown)


def _string_map(value: Any, shown: str, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{shown}: {where}: expected a mapping of names to strings, got {_got(value)}"
        )
    out = {}
    for k, v in value.items():
        if not isinstance(v, str):
            raise ConfigError(f"{shown}: {where}.{k}: expected a string (quote it), got {_got(v)}")
        out[str(k)] = v
    return out


def _scripts(value: Any, shown: str, where: str) -> dict[str, Script]:
    if not isinstance(value, dict):
        raise ConfigError(
            f"{shown}: {where}: expected a mapping of script names, got {_got(value)}"
        )
    out = {}
    for name, entry in value.items():
        if isinstance(entry, str):
            out[str(name)] = Script(entry)
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("cmd"), str):
            raise ConfigError(
                f"{shown}: {where}.{name}: expected a command string or "
                f"{{cmd: string, shell: bool|string}}, got {_got(entry)}"
            )
        extra = sorted(set(entry) - {"cmd", "shell"})
        if extra:
            raise ConfigError(
                f"{shown}: {where}.{name}.{extra[0]}: unknown key (expected cmd, shell)"
            )
        shell = entry.get("shell")
        if shell is not None and not isinstance(shell, bool | str):
            raise ConfigError(
                f"{shown}: {where}.{name}.shell: expected true, false or a shell path, "
                f"got {_got(shell)}"
            )
        out[str(name)] = Script(entry["cmd"], shell)
    return out


def check(doc: Any, path: Path, shown: str) -> Source:
    """Check one parsed config document; every problem is an error naming file and key."""
    if doc is None:
        return Source(path, shown)
    if not isinstance(doc, dict):
        raise ConfigError(f"{shown}: expected a mapping at the top level, got {_got(doc)}")
    # An empty YAML block (`vars:` with nothing under it) reads as null: treat it as empty.
    doc = {
        k: ({} if v is None and k not in ("requiredKeys", "dynamic") else v) for k, v in doc.items()
    }
    pointer = doc.get("$schema")
    if pointer is not None and pointer != {} and not isinstance(pointer, str):
        raise ConfigError(
            f"{shown}: $schema: expected a string (a schema URL), got {_got(pointer)}"
        )
    doc = {k: v for k, v in doc.items() if k != "$schema"}  # JSON Schema pointer for editors
    for key in doc:
        if key not in _KNOWN_KEYS:
            known = ", ".join(("$schema", *_KNOWN_KEYS))
            import difflib

            near = difflib.get_close_matches(key, _KNOWN_KEYS, n=1)
            guess = f"did you mean {near[0]}? " if near else ""
            hint = (
                " (JavaScript-only in get-dotenv; use requiredKeys here)"
                if key == "schema"
                else f" ({guess}expected one of {known})"
            )
            raise ConfigError(f"{shown}: {key}: unknown key{hint}")

    defaults: dict[str, Any] = {}
    scripts: dict[str, Script] = {}
    raw_defaults = doc.get("rootOptionDefaults", {})
    if not isinstance(raw_defaults, dict):
        raise ConfigError(
            f"{shown}: rootOptionDefaults: expected a mapping, got {_got(raw_defaults)}"
        )
    for key, value in raw_defaults.items():
        if key == "scripts":
            scripts.update(_scripts(value, shown, "rootOptionDefaults.scripts"))
            continue
        spec = BY_KEY.get(key)
        if spec is None:
            raise ConfigError(f"{shown}: rootOptionDefaults.{key}: unknown root option")
        if value is None:
            continue
        if not check_value(spec, value):
            raise ConfigError(
                f"{shown}: rootOptionDefaults.{key}: expected {expected(spec)}, got {_got(value)}"
            )
        defaults[key] = value
    if "scripts" in doc:
        scripts.update(_scripts(doc["scripts"], shown, "scripts"))

    env_vars: dict[str, dict[str, str]] = {}
    raw_env_vars = doc.get("envVars", {})
    if not isinstance(raw_env_vars, dict):
        raise ConfigError(
            f"{shown}: envVars: expected a mapping of env names, got {_got(raw_env_vars)}"
        )
    for env, mapping in raw_env_vars.items():
        env_vars[str(env)] = _string_map(mapping, shown, f"envVars.{env}")

    required: tuple[str, ...] | None = None
    if "requiredKeys" in doc:
        raw = doc["requiredKeys"]
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise ConfigError(f"{shown}: requiredKeys: expected a list of strings, got {_got(raw)}")
        required = tuple(raw)

    dynamic = doc.get("dynamic")
    if dynamic is not None and (not isinstance(dynamic, str) or not dynamic.strip()):
        raise ConfigError(
            f"{shown}: dynamic: expected a Python file path or module name, got {_got(dynamic)}"
        )

    plugins = doc.get("plugins", {})
    if not isinstance(plugins, dict):
        raise ConfigError(
            f"{shown}: plugins: expected a mapping of plugin names, got {_got(plugins)}"
        )
    for name, slice_ in plugins.items():
        if not isinstance(slice_, dict):
            raise ConfigError(f"{shown}: plugins.{name}: expected a mapping, got {_got(slice_)}")
    vars_ = _string_map(doc.get("vars", {}), shown, "vars")
    _plain(doc, shown)  # what no specific check above looked at: plugin slices, ...

    return Source(
        path=path,
        shown=shown,
        root_option_defaults=defaults,
        scripts=scripts,
        vars=vars_,
        env_vars=env_vars,
        required_keys=required,
        plugins={str(k): v for k, v in plugins.items()},
        dynamic=dynamic,
    )


def load_sources(project_root: Path | None, cwd: Path) -> tuple[Source, ...]:
    """Read and check every config source of the project, lowest precedence first."""
    if project_root is None:
        return ()
    found: list[Path] = []
    pyproject = project_root / "pyproject.toml"
    if files.is_file(pyproject):
        shown = files.shown_path(pyproject, cwd)
        if b"getdotenv" in (files.read_bytes(pyproject, shown, error=ConfigError) or b""):
            found.append(pyproject)
    for names in (PUBLIC_NAMES, LOCAL_NAMES):
        for name in names:
            if os.path.lexists(project_root / name):
                found.append(project_root / name)  # a FIFO or a folder: an error, not absent
                break
    sources = []
    for path in found:
        shown = files.shown_path(path, cwd)
        doc = _parse(path, shown)
        if path.suffix == ".toml":
            if doc is None:
                continue
            shown = f"{shown} [tool.getdotenv]"
        sources.append(check(doc, path, shown))
    return tuple(sources)
