"""The start path without typer's package: the root command built from typer's own classes.

typer 0.28 vendors click (``typer._click``) and keeps the classes a typer app is built from
in ``typer.core`` (``TyperGroup``, ``TyperCommand``, ``TyperOption``, ``TyperArgument``);
``import typer`` also runs ``typer.main`` (the ``Typer`` class, signature analysis, completion,
shellingham, ``platform``, ``uuid``, ...), which costs about as much as click itself. A start
that dispatches to a command whose click object the host can build directly (the root group,
``cmd``) needs none of it:

- ``defer_typer()`` (called by the console script before anything imports typer) puts a
  stand-in for the ``typer`` package in ``sys.modules``: ``import typer.core`` and
  ``import typer._click`` then load just those modules, and the first use of any attribute of
  ``typer`` itself (``typer.Typer``, ``from typer import Option``, ...) runs typer's
  ``__init__`` in that same module object, so code that uses typer gets all of typer.
- ``Registry`` takes the plugins' ``register_commands`` calls as the root ``typer.Typer``
  would (the same ``CommandInfo``/``TyperInfo`` records); anything else a plugin asks of it
  is answered by a real ``typer.Typer`` holding the same records.
- ``root_group`` builds the root ``TyperGroup`` with the arguments typer's ``get_command``
  passes for ``create_app``'s app, and ``command_from_info`` a ``TyperCommand`` for a
  registered command as typer's ``get_command_from_info`` does.

tests/host/test_hotpath.py checks that both ways build the same objects and print the same
``--help`` and errors, and tests/host/test_startup.py that ``cmd`` does not import typer's
package.
"""

from __future__ import annotations

import _thread
import sys
import types
from collections.abc import Callable
from typing import Any

# False: every command is built by typer (``create_app``, typer's ``get_command``), as
# tests/host/test_hotpath.py does to compare both ways.
ENABLED = True

_DEFERRED_DOC = "typer, deferred by host_cli.cli.hotpath until an attribute is used"


_LOCK = _thread.RLock()


class _DeferredPackage(types.ModuleType):
    """``typer`` before its ``__init__`` ran: a submodule's name is that submodule (as
    ``from . import _click`` in typer's own modules asks), any other missing attribute runs
    the package's ``__init__`` first (then answers as typer would)."""

    def __getattr__(self, name: str) -> Any:
        if not name.startswith("__") and _is_submodule(self, name):
            import importlib

            return importlib.import_module(f"{self.__name__}.{name}")
        with _LOCK:
            if isinstance(self, _DeferredPackage):
                _load(self)
        return getattr(self, name)


def _is_submodule(package: types.ModuleType, name: str) -> bool:
    import os

    for folder in getattr(package, "__path__", ()):
        base = os.path.join(folder, name)
        if os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py")):
            return True
    return False


def _load(module: types.ModuleType) -> None:
    # A plain module again before typer's __init__ runs in it: its own `from . import x`
    # looks attributes up while they are still missing.
    module.__class__ = types.ModuleType
    spec = module.__spec__
    assert spec is not None and spec.loader is not None
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module.__name__, None)  # as a failed import leaves it
        raise


def defer_typer() -> None:
    """Let ``typer``'s submodules load without its ``__init__`` until typer itself is used.

    Does nothing when typer is imported already or cannot be found."""
    if "typer" in sys.modules:
        return
    import importlib.util

    spec = importlib.util.find_spec("typer")
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return
    module = importlib.util.module_from_spec(spec)
    module.__doc__ = _DEFERRED_DOC
    module.__class__ = _DeferredPackage
    sys.modules["typer"] = module


def typer_loaded() -> bool:
    """Whether typer's package ``__init__`` has run (``typer.main`` is imported)."""
    module = sys.modules.get("typer")
    return module is not None and not isinstance(module, _DeferredPackage)


# What `typer.Typer.command`/`add_typer` default to (typer.models.Default placeholders where
# typer uses them), so that the records are the ones the root typer app would make.
def _default(value: Any) -> Any:
    from typer.models import DefaultPlaceholder

    return DefaultPlaceholder(value)


_OPTIONS_METAVAR = "[OPTIONS]"  # a typer.Typer()'s info.options_metavar
_UNSET: Any = object()


class Registry:
    """The root app as plugins see it in ``register_commands`` on the start path.

    ``command()`` and ``add_typer()`` append the records ``typer.Typer``'s methods append (to
    ``registered_commands`` and ``registered_groups``); any other attribute is the real
    ``typer.Typer`` that ``make_typer()`` builds (``create_app``'s), holding the same lists,
    and the root command is then built by typer (``typer`` below is not ``None``).
    """

    def __init__(self, make_typer: Callable[[], Any]) -> None:
        self.registered_commands: list[Any] = []
        self.registered_groups: list[Any] = []
        self.typer: Any = None
        self._make_typer = make_typer

    def command(  # noqa: PLR0913 - typer.Typer.command's parameters
        self,
        name: str | None = None,
        *,
        cls: Any = None,
        context_settings: dict[Any, Any] | None = None,
        help: str | None = None,
        epilog: str | None = None,
        short_help: str | None = None,
        options_metavar: str | None = None,
        add_help_option: bool = True,
        no_args_is_help: bool = False,
        hidden: bool = False,
        deprecated: bool = False,
        rich_help_panel: Any = _UNSET,
    ) -> Callable[[Any], Any]:
        """As ``typer.Typer.command``."""
        from typer.core import TyperCommand
        from typer.models import CommandInfo

        if rich_help_panel is _UNSET:
            rich_help_panel = _default(None)

        def decorator(f: Any) -> Any:
            self.registered_commands.append(
                CommandInfo(
                    name=name,
                    cls=cls or TyperCommand,
                    context_settings=context_settings,
                    callback=f,
                    help=help,
                    epilog=epilog,
                    short_help=short_help,
                    options_metavar=options_metavar or _OPTIONS_METAVAR,
                    add_help_option=add_help_option,
                    no_args_is_help=no_args_is_help,
                    hidden=hidden,
                    deprecated=deprecated,
                    rich_help_panel=rich_help_panel,
                )
            )
            return f

        return decorator

    def add_typer(self, typer_instance: Any, **given: Any) -> None:
        """As ``typer.Typer.add_typer`` (every keyword typer takes, typer's defaults)."""
        from typer.models import TyperInfo

        unknown = set(given) - set(_ADD_TYPER_DEFAULTS)
        if unknown:
            raise TypeError(
                f"add_typer() got an unexpected keyword argument {sorted(unknown)[0]!r}"
            )
        values = {k: given.get(k, _default(v)) for k, v in _ADD_TYPER_DEFAULTS.items()}
        if "deprecated" not in given:
            values["deprecated"] = False  # typer's only plain default here
        if not values["options_metavar"]:
            values["options_metavar"] = _OPTIONS_METAVAR
        self.registered_groups.append(TyperInfo(typer_instance, **values))

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if self.typer is None:
            app = self._make_typer()
            app.registered_commands = self.registered_commands
            app.registered_groups = self.registered_groups
            self.typer = app
        return getattr(self.typer, name)


_ADD_TYPER_DEFAULTS: dict[str, Any] = {
    "name": None,
    "cls": None,
    "invoke_without_command": False,
    "no_args_is_help": False,
    "subcommand_metavar": None,
    "chain": False,
    "result_callback": None,
    "context_settings": None,
    "callback": None,
    "help": None,
    "epilog": None,
    "short_help": None,
    "options_metavar": None,
    "add_help_option": True,
    "hidden": False,
    "deprecated": False,
    "rich_help_panel": None,
}


def root_group(cls: type[Any], *, name: str, help: str, context_settings: dict[str, Any]) -> Any:
    """The root group as typer's ``get_command`` builds it for ``create_app``'s app (a
    ``TyperGroup`` subclass ``cls``, no commands yet: they are ``cls.lazy``)."""
    import inspect

    return cls(
        name=name,
        commands={},
        invoke_without_command=True,
        no_args_is_help=False,
        subcommand_metavar=None,
        result_callback=None,
        context_settings=context_settings,
        callback=None,  # HostGroup sets its own
        params=[],
        help=inspect.cleandoc(help),
        epilog=None,
        short_help=None,
        options_metavar=_OPTIONS_METAVAR,
        add_help_option=True,
        hidden=False,
        deprecated=False,
        rich_markup_mode=None,
        rich_help_panel=None,
        suggest_commands=True,
    )


def command_from_info(
    info: Any, *, params: list[Any], callback: Callable[..., Any], help: str
) -> Any:
    """The ``TyperCommand`` typer's ``get_command_from_info`` builds for the registered
    ``info`` (a ``CommandInfo``) of a function with this docstring (``help``), given the
    click parameters and the callback that typer would derive from its signature."""
    import inspect

    from typer.core import TyperCommand

    command_help = info.help
    command_help = inspect.cleandoc(help if command_help is None else command_help)
    return (info.cls or TyperCommand)(
        name=info.name or callback.__name__.lower().replace("_", "-"),
        context_settings=info.context_settings,
        callback=callback,
        params=params,
        help=command_help,
        epilog=info.epilog,
        short_help=info.short_help,
        options_metavar=info.options_metavar,
        add_help_option=info.add_help_option,
        no_args_is_help=info.no_args_is_help,
        hidden=info.hidden,
        deprecated=info.deprecated,
        rich_markup_mode=None,
        rich_help_panel=info.rich_help_panel,
    )
