"""Commands built on first use: ``deferred``/``deferred_app`` stand for a command or group by
its import path (the module loads only when the command runs or ``--help`` lists it), and
``LazyCommand`` stands in for a registered command until it is invoked.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer
from typer.core import TyperCommand
from typer.models import CommandInfo, TyperInfo

from host_cli.plugins.host import command_names


def _text(*candidates: object) -> str:
    return next((c for c in candidates if isinstance(c, str) and c), "")


_TARGET = "__getdotenv_target__"
_CLICK = "__getdotenv_click__"


def deferred(target: str, *, click: str | None = None) -> Callable[..., Any]:
    """A command callback standing for ``"module:function"``, imported only when the command
    runs or ``--help`` lists it: register it with ``app.command(name)(deferred(...))`` so that a
    start that runs another command never imports the module.

    ``click``: ``"module:function"`` that builds, from the command's ``CommandInfo``, the very
    click command typer would build for ``target``, without importing typer's package (the
    host's ``cmd``: host_cli.cli.hotpath); that command is then built that way."""

    def stand_in() -> None:
        raise RuntimeError(f"{target} was not loaded")

    setattr(stand_in, _TARGET, target)
    if click is not None:
        setattr(stand_in, _CLICK, click)
    return stand_in


class DeferredApp:
    """What ``deferred_app`` returns: an empty ``typer.Typer(help=...)`` as far as typer and
    the host read one (``info``, no commands, no callback), marked with its target."""

    def __init__(self, target: str, help: str) -> None:
        from typer.models import TyperInfo

        self.info = TyperInfo(help=help)
        self.registered_commands: list[Any] = []
        self.registered_groups: list[Any] = []
        self.registered_callback: Any = None
        setattr(self, _TARGET, target)

    def __repr__(self) -> str:
        return f"deferred_app({getattr(self, _TARGET)!r})"


def deferred_app(target: str, *, help: str) -> typer.Typer:
    """A command group standing for the typer app at ``"module:attribute"``, imported only when
    one of its commands runs or its help is shown: ``app.add_typer(deferred_app(...),
    name="mine")``. ``help`` is what ``--help`` lists for the group until then."""
    stand_in: Any = DeferredApp(target, help)  # typer's own app class costs typer's import
    return stand_in  # type: ignore[no-any-return]


def _import(target: str) -> Any:
    import importlib

    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def _resolved(value: Any) -> Any:
    """The command function or typer app a ``deferred`` stand-in is for (else ``value``)."""
    target = getattr(value, _TARGET, None)
    return value if target is None else _import(target)


def resolve_groups(app: typer.Typer) -> None:
    """Put the real apps in place of ``deferred_app`` stand-ins (to build every command)."""
    for info in app.registered_groups:
        info.typer_instance = _resolved(info.typer_instance)


class LazyCommand(TyperCommand):
    """Stands in for a command or command group until it is invoked.

    Building typer's click commands costs about half a millisecond per command, paid on every
    start for every command of every plugin; a stand-in costs nothing and is listed by
    ``--help`` with the command's short help. Invoking it builds the real command, which
    parses and runs.
    """

    def __init__(
        self,
        name: str,
        info: TyperInfo | CommandInfo,
        path: str | None = None,
        mounted: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        """``path``: where the command sits (``aws/dynamodb``); ``mounted``: the children the
        host mounted under each group path (``host_cli.cli.mounts.Tree.children``)."""
        self._path = path or name
        self._mounted = mounted or {}
        if isinstance(info, TyperInfo):
            hidden = bool(info.hidden) if isinstance(info.hidden, bool) else False
        else:
            hidden = info.hidden
        self._info = info
        self._real: Any = None
        super().__init__(name=name, help=None, hidden=hidden)

    @property
    def help(self) -> str:
        """The short help, read only when ``--help`` lists the commands (a ``deferred``
        callback is imported for it then, and only then)."""
        info = self._info
        if isinstance(info, TyperInfo):
            instance = info.typer_instance
            return _text(info.help, instance.info.help if instance is not None else None)
        callback = _resolved(info.callback)
        return _text(info.help, inspect.getdoc(callback) if callback else None)

    @help.setter
    def help(self, _value: str | None) -> None:
        pass  # click's __init__ sets it; the property above is the answer

    @property
    def real(self) -> Any:
        if self._real is None and isinstance(self._info, CommandInfo):
            from host_cli.cli import hotpath

            builder = getattr(self._info.callback, _CLICK, None)
            if builder is not None and hotpath.ENABLED:  # built without typer's package
                self._real = _import(builder)(self._info)
        if self._real is None:
            holder = typer.Typer(rich_markup_mode=None, add_completion=False)
            if isinstance(self._info, CommandInfo):
                self._info.callback = _resolved(self._info.callback)
                holder.registered_commands.append(self._info)
                self._real = typer.main.get_group(holder).commands[self.name or ""]
            else:
                self._real = self._group(holder)
        return self._real

    def _group(self, holder: typer.Typer) -> Any:
        """The group, built without its commands, which are stand-ins in turn: running
        ``dynamodb local start`` builds ``start``, not every command of ``dynamodb``."""
        import copy

        assert isinstance(self._info, TyperInfo)
        instance = self._info.typer_instance = _resolved(self._info.typer_instance)
        if instance is None:
            holder.registered_groups.append(self._info)
            return typer.main.get_group(holder).commands[self.name or ""]
        children = [*instance.registered_commands, *instance.registered_groups]
        names = command_names(instance)
        bare = copy.copy(instance)
        bare.registered_commands, bare.registered_groups = [], []
        info = copy.copy(self._info)
        info.typer_instance = bare
        holder.registered_groups.append(info)
        group: Any = typer.main.get_group(holder).commands[self.name or ""]
        for name, child in zip(names, children, strict=True):
            if name:
                group.commands[name] = LazyCommand(
                    name, child, f"{self._path}/{name}", self._mounted
                )
        for name, child in self._mounted.get(self._path, {}).items():
            if name in group.commands:
                from host_cli.support.errors import PluginError

                raise PluginError(
                    f"duplicate command {name!r} under {self._path!r}: mounted there by the "
                    f"host and also a command of {self._path!r}; mount it under another name"
                )
            group.commands[name] = LazyCommand(name, child, f"{self._path}/{name}", self._mounted)
        return group

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        return self.real.make_context(info_name, args, parent=parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        real = self.real
        import gc

        gc.enable()  # the console script starts without it (host_cli.__main__.main)
        return real.invoke(ctx)
