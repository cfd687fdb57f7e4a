"""Building the CLI: ``create_app`` assembles the root command, the plugins and their commands.

A factory, not a global: every call builds a fresh plugin manager and app, so tests and
tools that embed the host (``create_app(prog_name="smoz")``) never reload modules.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

# typer.core and typer.models only: typer's package is loaded where a typer app is built
# (create_app; the start path builds the root group without it, host_cli.cli.hotpath).
import typer
from typer._click.utils import echo
from typer.core import TyperGroup
from typer.models import CommandInfo, TyperInfo

from host_cli.cli.lazy import LazyCommand, resolve_groups
from host_cli.cli.session import Session, Settings
from host_cli.plugins.host import command_names
from host_cli.support.errors import GetDotenvError, warner
from host_cli.support.proc import looks_like_shell

DEFAULT_COMMAND = "cmd"
# Options whose value is optional: given alone, they mean this.
_WITHOUT_VALUE = {
    "--shell": "--shell=true",
    "-s": "--shell=true",
    "--show-completion": "--show-completion=auto",
    "--install-completion": "--install-completion=auto",
}
DESCRIPTION = """Compose layered .env files and config into one environment and run commands in it.

Files, per folder of --paths: .env < .env.<env> < .env.local < .env.<env>.local.
Options come from built-in defaults < getdotenv.config.* (rootOptionDefaults) < these flags
and their GETDOTENV_* variables. A first word that is no command runs through `cmd`.
"""


def _debug_wanted(obj: object) -> bool:
    if isinstance(obj, Session):
        return obj.debug
    return os.environ.get("GETDOTENV_DEBUG", "") not in ("", "0", "false")


class HostGroup(TyperGroup):
    """The root group: a default command, ``--shell`` with an optional value, plugin groups
    built on first use, and errors printed as one line."""

    prog: str = "getdotenv"
    lazy: dict[str, TyperInfo | CommandInfo] = {}  # each app's subclass gets its own
    mounted: dict[str, dict[str, Any]] = {}  # group path -> children the host mounted there

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from host_cli.cli import rootcli

        super().__init__(*args, **kwargs)
        self.params.extend(rootcli.options())
        self.callback = self._root

    def _root(self, **given: Any) -> None:
        # click invokes a callback inside its context (typer finds its callbacks' the same way)
        from typer._click.globals import get_current_context

        from host_cli.cli import rootcli

        rootcli.root(get_current_context(), given)  # type: ignore[arg-type]

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.commands, *(name for name in self.lazy if name not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = self.commands.get(cmd_name)
        if found is None and cmd_name in self.lazy:
            found = self.commands[cmd_name] = LazyCommand(
                cmd_name, self.lazy[cmd_name], cmd_name, self.mounted
            )
        return found

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        # `--shell` takes an optional value; only a token that names a shell is its value,
        # so `getdotenv --shell cmd ...` and `getdotenv --shell ls` mean the default shell.
        # The same for the completion options, whose default is this shell ("auto").
        args = list(args)
        for i, token in enumerate(args):
            if token == "--":
                break
            if token in _WITHOUT_VALUE:
                nxt = args[i + 1] if i + 1 < len(args) else None
                if nxt is None or nxt.startswith("-") or not looks_like_shell(nxt):
                    args[i] = _WITHOUT_VALUE[token]
            elif not token.startswith("-") and (token in self.commands or token in self.lazy):
                break
        return super().parse_args(ctx, args)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        # Like get-dotenv, a first word that is no command runs through `cmd`.
        default = self.get_command(ctx, DEFAULT_COMMAND)
        if args and default is not None and self.get_command(ctx, args[0]) is None:
            return DEFAULT_COMMAND, default, list(args)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GetDotenvError as exc:
            if _debug_wanted(ctx.obj):
                import traceback

                traceback.print_exc()
            message = str(exc)
            if isinstance(ctx.obj, Session):
                message = ctx.obj.scrub(message)
            else:
                from host_cli.support.redact import Redactor

                message = Redactor(True).scrub(message)
            echo(f"{self.prog}: error: {message}", err=True)
            ctx.exit(exc.exit_code)


def completion_requested(prog_name: str) -> bool:
    """Whether the shell asks for completions (``_GETDOTENV_COMPLETE`` is set)."""
    return f"_{prog_name.replace('-', '_').upper()}_COMPLETE" in os.environ


def _no_options() -> None:
    """Stands in for the root callback until HostGroup replaces it."""


def create_app(
    prog_name: str = "getdotenv",
    *,
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    root_option_defaults: Mapping[str, Any] | None = None,
    help: str | None = None,
    mounts: Mapping[str, str | None] | None = None,
    groups: Mapping[str, str] | None = None,
) -> typer.Typer:
    """Build the host CLI as a typer app named ``prog_name``.

    ``plugins`` are registered after the built-ins and before entry-point plugins (found
    through the ``getdotenv.plugins`` group unless ``entry_points`` is false).
    ``root_option_defaults`` (camelCase keys, as in config) sit between the built-in
    defaults and the config files. Errors print as ``<prog_name>: error: ...``.

    ``mounts`` places commands in the tree, over what plugins asked for: a path -> the
    command mounted there (``{"aws/dynamodb": "dynamodb"}``), or ``None`` to leave a path
    empty (``{"dynamodb": None}`` keeps dynamodb only under aws). ``groups`` adds
    namespace-only groups (path -> help text) that mounts can use: ``groups={"tools":
    "Team tools"}, mounts={"tools/dynamodb": "dynamodb"}``. See docs/plugins.md.
    """
    settings, group = _host(prog_name, plugins, entry_points, root_option_defaults)
    app = _typer_app(prog_name, group, settings, help)
    registered, tree = _register(settings, group, app, mounts, groups)
    if completion_requested(prog_name):
        # Shell completion walks every command's options: build them all, typer's way.
        from typer._completion_classes import completion_init

        completion_init()
        if tree is not None:
            from host_cli.cli import mounts as placing

            placing.materialize(app, tree)
        resolve_groups(app)
        return app
    _defer_commands(app, group, registered)
    return app


def _host(
    prog_name: str,
    plugins: Iterable[object],
    entry_points: bool,
    root_option_defaults: Mapping[str, Any] | None,
) -> tuple[Settings, type[HostGroup]]:
    """Load the plugins; the settings of every run and the app's own root group class."""
    from host_cli.cli import builtin
    from host_cli.plugins import host as plugin_loader

    warn = warner(prog_name)
    host = plugin_loader.load(
        builtins=[("getdotenv", builtin)],
        extra=plugins,
        entry_points=entry_points,
        environ=os.environ,
        warn=warn,
    )
    settings = Settings(prog_name, host, dict(root_option_defaults or {}))
    lazy: dict[str, TyperInfo | CommandInfo] = {}
    mounted: dict[str, dict[str, Any]] = {}
    group = type("HostGroup", (HostGroup,), {"prog": prog_name, "lazy": lazy, "mounted": mounted})
    return settings, group


def _context_settings(settings: Settings) -> dict[str, Any]:
    return {"obj": settings, "help_option_names": ["-h", "--help"]}


def _typer_app(
    prog_name: str, group: type[HostGroup], settings: Settings, help: str | None
) -> typer.Typer:
    app = typer.Typer(
        name=prog_name,
        cls=group,
        invoke_without_command=True,
        no_args_is_help=False,
        add_completion=False,
        rich_markup_mode=None,
        pretty_exceptions_enable=False,
        context_settings=_context_settings(settings),
        help=help or DESCRIPTION,
    )
    # typer makes a group only of an app with a callback or commands; HostGroup puts the root
    # options and their callback in place of this one.
    app.callback()(_no_options)
    return app


def _register(
    settings: Settings,
    group: type[HostGroup],
    app: Any,
    mounts: Mapping[str, str | None] | None,
    groups: Mapping[str, str] | None,
) -> tuple[dict[str, Any], Any]:
    """Let the plugins register their commands on ``app`` (a ``typer.Typer`` or the start
    path's ``Registry``) and place them: the commands at the root (name -> registration) and
    the placed tree, if a mount or group asked for one."""
    from host_cli.plugins import host as plugin_loader

    host = settings.plugin_host
    host.register_commands(app)
    infos: list[TyperInfo | CommandInfo] = [*app.registered_commands, *app.registered_groups]
    registered = {n: i for n, i in zip(command_names(app), infos, strict=True) if n}
    tree = None
    if host.mount_requests or mounts or groups:
        requests: dict[str, str | None] = {p: n for p, (n, _) in host.mount_requests.items()}
        requests.update(mounts or {})
        wished = set(host.mount_requests) - set(mounts or {})
        tree = plugin_loader.place(registered, requests, groups, optional=wished)
        registered = tree.root
        group.mounted.update(tree.children)
        host.paths = tree.paths
    return registered, tree


def _defer_commands(app: Any, group: type[HostGroup], registered: Mapping[str, Any]) -> None:
    """Every command is built when first used (see LazyCommand); names were checked above."""
    group.lazy.update(registered)
    app.registered_commands.clear()
    app.registered_groups.clear()


def root_command(
    prog_name: str = "getdotenv",
    *,
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    root_option_defaults: Mapping[str, Any] | None = None,
    help: str | None = None,
    mounts: Mapping[str, str | None] | None = None,
    groups: Mapping[str, str] | None = None,
) -> Any:
    """The root click command of ``create_app(...)`` (same arguments), as ``run`` runs it.

    Built without typer's package (host_cli.cli.hotpath) unless shell completion is asked
    for or a plugin used more of the app than ``command()`` and ``add_typer()``; then it is
    ``typer.main.get_command(create_app(...))``."""
    from host_cli.cli import hotpath

    if not hotpath.ENABLED or completion_requested(prog_name):
        app = create_app(
            prog_name,
            plugins=plugins,
            entry_points=entry_points,
            root_option_defaults=root_option_defaults,
            help=help,
            mounts=mounts,
            groups=groups,
        )
        return typer.main.get_command(app)
    settings, group = _host(prog_name, plugins, entry_points, root_option_defaults)
    registry = hotpath.Registry(lambda: _typer_app(prog_name, group, settings, help))
    registered, _ = _register(settings, group, registry, mounts, groups)
    if registry.typer is not None:  # a plugin used the app beyond command()/add_typer()
        _defer_commands(registry.typer, group, registered)
        return typer.main.get_command(registry.typer)
    _defer_commands(registry, group, registered)
    context_settings = _context_settings(settings)
    return hotpath.root_group(
        group, name=prog_name, help=help or DESCRIPTION, context_settings=context_settings
    )


def run(argv: Sequence[str] | None = None, *, prog_name: str = "getdotenv", **kwargs: Any) -> int:
    """Build the app and run it with ``argv``; returns the exit code (never raises SystemExit)."""
    try:
        command = root_command(prog_name, **kwargs)
        command.main(
            args=list(sys.argv[1:] if argv is None else argv),
            prog_name=prog_name,
            standalone_mode=True,
        )
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except GetDotenvError as exc:
        if _debug_wanted(None):
            import traceback

            traceback.print_exc()
        from host_cli.support.redact import Redactor

        print(f"{prog_name}: error: {Redactor(True).scrub(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    return 0
