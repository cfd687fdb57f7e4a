"""Nested mounts: where each command sits in the command tree, and what a parent hands down.

Plugins register their commands on the root app; the host then places them. By default a
command sits at its own name; a plugin may ask for more places (``mount("aws/dynamodb",
"dynamodb")`` in ``register_commands``), and an embedding tool decides last with
``create_app(mounts={"aws/dynamodb": "dynamodb", "dynamodb": None}, groups={"tools": "…"})``
(get-dotenv's ``.use()`` and ``groupPlugins``). The realized path (``aws/dynamodb``) names the
mount in messages and, for a command mounted at one place, its plugin's config slice.

The tree is placed by ``host_cli.plugins.host.place`` (cheap, on every start); nothing is built
before a command runs: ``host_cli.cli.lazy.LazyCommand`` builds a group's mounted children as
stand-ins when the group itself is built. This module is imported only by commands that
publish or read a parent's context, and for shell completion.

A parent group hands its children a value by ``publish(ctx, value)`` in its callback; a child
finds the nearest one of a kind with ``published(ctx, Kind)``. The value should resolve what
it holds lazily, so that a child that never asks costs nothing.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from host_cli.plugins.host import Tree

T = TypeVar("T")
_PUBLISHED = "_getdotenv_published"


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
