"""The plugin's effective config: ``plugins.dynamodb`` laid over the TypeScript plugin's
``plugins["aws/dynamodb"]`` key by key, then the defaults.

A repository run by both hosts keeps one config. SMOZ mounts the TypeScript plugin under
``aws``, so its slice is ``plugins["aws/dynamodb"]``; the keys that mean the same here (the
tables folder, the local settings, per-command defaults) are read from it, and the others are
named in one warning. Where both slices set a key, ``plugins.dynamodb`` wins and one warning
names the keys that disagree. Light: no pydantic (both slices come validated from the host).
"""

from collections.abc import Mapping
from typing import Any, NamedTuple

TS_KEY = "aws/dynamodb"

DEFAULTS: dict[str, Any] = {
    "local": {
        "persist": True,
        "timeout": 30.0,
        "snapshot_interval": 60.0,
        "export_aws_env": False,
        "ttl": "off",
        "ttl_interval": 5.0,
    },
    "tables": {
        "path": "tables",
        "width": 3,
        "tokens": {"table": "table", "transform": "transform"},
    },
    "create": {"waiter": {"max_seconds": 60.0}},
    "delete": {"waiter": {"max_seconds": 60.0}},
}

# TypeScript key path -> our key path (field names, as the validated slices hold them).
_FROM_TS: dict[tuple[str, ...], tuple[str, ...]] = {
    ("tablesPath",): ("tables", "path"),
    ("minTableVersionWidth",): ("tables", "width"),
    ("tokens", "table"): ("tables", "tokens", "table"),
    ("tokens", "transform"): ("tables", "tokens", "transform"),
    **{("local", k): ("local", k) for k in ("port", "endpoint", "start", "stop", "status")},
    ("generate", "version"): ("generate", "version"),
    ("validate_", "version"): ("validate_", "version"),
    ("create", "version"): ("create", "version"),
    ("create", "tableNameOverride"): ("create", "table_name_override"),
    ("create", "waiter", "maxSeconds"): ("create", "waiter", "max_seconds"),
    ("delete", "tableName"): ("delete", "table_name"),
    ("delete", "waiter", "maxSeconds"): ("delete", "waiter", "max_seconds"),
    ("purge", "tableName"): ("purge", "table_name"),
    ("migrate", "sourceTable"): ("migrate", "source_table"),
    ("migrate", "targetTable"): ("migrate", "target_table"),
    ("migrate", "fromVersion"): ("migrate", "from_version"),
    ("migrate", "toVersion"): ("migrate", "to_version"),
    ("migrate", "pageSize"): ("migrate", "page_size"),
}


class Effective(NamedTuple):
    """The merged config (defaults filled in), and what to warn about."""

    config: dict[str, Any]
    given: dict[str, Any]  # only the keys some slice set
    unsupported: list[str]  # TypeScript keys with no meaning here
    disagree: list[str]  # keys both slices set to different values

    def warnings(self) -> list[str]:
        out = []
        if self.unsupported:
            out.append(
                f'plugins["{TS_KEY}"]: not supported by this host, ignored: '
                + ", ".join(self.unsupported)
            )
        if self.disagree:
            out.append(
                f'plugins.dynamodb and plugins["{TS_KEY}"] disagree on '
                + ", ".join(self.disagree)
                + "; plugins.dynamodb wins"
            )
        return out

    def local_given(self) -> bool:
        """Whether config sets anything under ``local`` (the project uses a local DynamoDB)."""
        return bool(self.given.get("local"))


def _leaves(data: Mapping[str, Any], path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    out: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_leaves(value, (*path, key)))
        elif value is not None:
            out[(*path, key)] = value
    return out


def _put(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        tree = tree.setdefault(key, {})
    tree[path[-1]] = value


def _shown(path: tuple[str, ...]) -> str:
    def camel(name: str) -> str:
        head, *rest = name.rstrip("_").split("_")
        return head + "".join(part.title() for part in rest)

    return ".".join(camel(p) for p in path)


def effective(ours: Mapping[str, Any], ts: Mapping[str, Any] | None) -> Effective:
    """Merge the validated ``plugins.dynamodb`` (``ours``) over ``plugins["aws/dynamodb"]``."""
    given: dict[str, Any] = {}
    mine = _leaves(ours)
    unsupported: list[str] = []
    disagree: list[str] = []
    for ts_path, value in _leaves(ts or {}).items():
        target = _FROM_TS.get(ts_path)
        if target is None:
            unsupported.append(".".join(p.rstrip("_") for p in ts_path))
            continue
        _put(given, target, value)
        if target in mine and mine[target] != value:
            disagree.append(_shown(target))
    for path, value in mine.items():
        _put(given, path, value)
    config: dict[str, Any] = {}
    for path, value in {**_leaves(DEFAULTS), **_leaves(given)}.items():
        _put(config, path, value)
    for section in ("local", "tables", "generate", "validate_", "create", "delete", "purge"):
        config.setdefault(section, {})
    config["tables"].setdefault("tokens", {})
    config.setdefault("migrate", {})
    return Effective(config, given, sorted(unsupported), sorted(disagree))


def load(configs: Any) -> Effective:
    """The effective config from the host's validated slices (``HostContext.configs``)."""
    names = configs.names()
    ts = configs.data(TS_KEY) if TS_KEY in names else None
    return effective(configs.data("dynamodb"), ts)
