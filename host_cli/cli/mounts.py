"""Nested mounts: where each command sits in the command tree, and what a parent hands down.

Plugins register their commands on the root app; the host then places them. By default a
command sits at its own name; a plugin may ask for more places (``mount("aws/dynamodb",
"dynamodb")`` in ``register_commands``), and an embedding tool decides last with
``create_app(mounts={"aws/dynamodb": "dynamodb", "dynamodb": None}, groups={"tools": "…"})``
(get-dotenv's ``.use()`` and ``groupPlugins``). The realized path (``aws/dynamodb``) names the
mount in messages and, for a command mounted at one place, its plugin's config slice.

Nothing here is built before a command runs: the tree holds typer's registration records, and
``host_cli.cli.lazy.LazyCommand`` builds a group's mounted children as stand-ins when the
group itself is built.

A parent group hands its children a value by ``publish(ctx, value)`` in its callback; a child
finds the nearest one of a kind with ``published(ctx, Kind)``. The value should resolve what
it holds lazily, so that a child that never asks costs nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar

from host_cli.support.errors import PluginError

T = TypeVar("T")
_PUBLISHED = "_getdotenv_published"


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
    info = copy.copy(info)
    info.name = name
    return info


def _namespace(help_text: str) -> Any:
    """The registration record of a namespace-only group (``groupPlugins``)."""
    import typer
    from typer.models import TyperInfo

    return TyperInfo(typer.Typer(help=help_text, add_completion=False), help=help_text)


def build(
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
    from typer.models import TyperInfo

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
            if not isinstance(above[0], TyperInfo):
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


def materialize(app: Any, tree: Tree) -> None:
    """Build the whole tree into real typer apps (shell completion walks every command)."""
    from typer.models import TyperInfo

    from host_cli.cli.lazy import _resolved

    infos: dict[str, Any] = dict(tree.root)
    for parent in sorted(tree.children, key=lambda p: p.count("/")):
        holder = infos[parent]
        holder.typer_instance = instance = _resolved(holder.typer_instance)
        for name, info in tree.children[parent].items():
            info = copy.copy(info)
            infos[f"{parent}/{name}"] = info
            if isinstance(info, TyperInfo):
                info.typer_instance = _resolved(info.typer_instance)
                instance.registered_groups.append(info)
            else:
                info.callback = _resolved(info.callback)
                instance.registered_commands.append(info)
    app.registered_commands[:] = [i for i in tree.root.values() if not isinstance(i, TyperInfo)]
    app.registered_groups[:] = [i for i in tree.root.values() if isinstance(i, TyperInfo)]


def publish(ctx: Any, value: object) -> None:
    """Hand ``value`` to the commands below the running group (call it in the group's callback)."""
    setattr(ctx, _PUBLISHED, value)


def published(ctx: Any, kind: type[T]) -> T | None:
    """The value of ``kind`` that the nearest enclosing group published, or ``None``."""
    while ctx is not None:
        value = getattr(ctx, _PUBLISHED, None)
        if isinstance(value, kind):
            return value
        ctx = ctx.parent
    return None


def path_of(ctx: Any) -> str:
    """The realized path of the running command (``aws/dynamodb/local/start``)."""
    names = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return "/".join(reversed(names))
