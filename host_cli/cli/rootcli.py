"""The root flags, in get-dotenv's spelling, each with a ``GETDOTENV_*`` variable.

The callback only parses: it expands the flags get-dotenv expands (against the process
environment), stores them in a ``Session`` and reads no file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

# Not typer's package (host_cli.cli.hotpath): typer.echo and typer.Exit are these.
from typer._click.utils import echo
from typer.core import TyperOption
from typer.exceptions import Exit

from host_cli.cli.session import Session, Settings
from host_cli.engine.expand import expand, lookup_in
from host_cli.support.errors import OptionError

if TYPE_CHECKING:
    from typer import Context

_E = " Expanded against the process environment."


def _option(  # noqa: PLR0913 - the attributes a root option can set
    name: str,
    decls: str,
    *,
    help: str,
    env: str | None = None,
    metavar: str | None = None,
    flag: bool = False,
    multiple: bool = False,
    default: Any = None,
    callback: Callable[..., Any] | None = None,
    eager: bool = False,
) -> TyperOption:
    """One root option, with the attributes typer gives an annotated parameter: the ``name``
    its value is stored under, the space-separated ``decls`` (``--on/--off`` for a flag),
    ``GETDOTENV_<env>`` as its variable. An ``eager`` option acts in its callback and
    passes no value."""
    return TyperOption(
        param_decls=[name, *decls.split()],
        type=bool if flag else str,
        is_flag=True if flag else None,
        multiple=multiple,
        default=default,
        envvar=f"GETDOTENV_{env}" if env else None,
        metavar=metavar,
        help=help,
        callback=callback,
        is_eager=eager,
        expose_value=not eager,
        show_default=True,
        show_envvar=True,
    )


def _version(ctx: Context, _param: Any, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import platform

    from host_cli.support import __version__

    prog = ctx.find_root().info_name or "getdotenv"
    name = (
        f"getdotenv {__version__}" if prog == "getdotenv" else f"{prog} (getdotenv {__version__})"
    )
    echo(f"{name}, Python {platform.python_version()}")
    raise Exit(0)


def _completion(action: str) -> Any:
    """``--show-completion``/``--install-completion``: typer's own, loaded only when asked."""

    def callback(ctx: Context, param: Any, value: str | None) -> None:
        if value is None or ctx.resilient_parsing:
            return
        from typer._completion_classes import completion_init
        from typer.completion import install_callback, show_callback

        completion_init()
        shell = value if value not in ("", "auto") else True
        (show_callback if action == "show" else install_callback)(ctx, param, shell)

    return callback


def _from_process_env(value: str) -> str:
    return expand(value, lookup_in({}, os.environ))


# Kinds of root option whose flag's value is stored as it is (expanded where it expands).
_PLAIN = ("str", "bool", "paths")


def option_name(flag: str) -> str:
    """The name a root option's value is passed under: ``--default-env`` -> ``default_env``."""
    return flag[2:].replace("-", "_")


def options() -> list[TyperOption]:
    """The root options, in ``--help`` order (a fresh list: click keeps state on them).

    Declared as a table, not as an annotated callback signature: typer derives the same
    options from a signature, but that cost about 2 ms on every start (benchmarks/README.md).
    """
    return [
        _option(
            "env",
            "--env -e",
            env="ENV",
            metavar="ENV",
            help="Target environment: also reads <token>.<ENV> and <token>.<ENV>.<private>." + _E,
        ),
        _option(
            "default_env",
            "--default-env",
            env="DEFAULT_ENV",
            metavar="ENV",
            help=(
                "Environment to use when neither --env nor the DEFAULT_ENV key of the global "
                "files selects one."
            )
            + _E,
        ),
        _option(
            "default_env_key",
            "--default-env-key",
            env="DEFAULT_ENV_KEY",
            metavar="KEY",
            help=(
                "Key read from the global dotenv files to pick the environment [default: "
                "DEFAULT_ENV]."
            )
            + _E,
        ),
        _option(
            "paths",
            "--paths",
            env="PATHS",
            metavar="PATHS",
            help="Folders to read dotenv files from, in order; later folders win [default: ./]."
            + _E,
        ),
        _option(
            "paths_delimiter",
            "--paths-delimiter",
            env="PATHS_DELIMITER",
            metavar="TEXT",
            help="Separator of --paths [default: a space].",
        ),
        _option(
            "paths_delimiter_pattern",
            "--paths-delimiter-pattern",
            env="PATHS_DELIMITER_PATTERN",
            metavar="REGEX",
            help="Regular expression that separates --paths (wins over --paths-delimiter).",
        ),
        _option(
            "dotenv_token",
            "--dotenv-token",
            env="DOTENV_TOKEN",
            metavar="NAME",
            help="Base file name of the cascade [default: .env]." + _E,
        ),
        _option(
            "private_token",
            "--private-token",
            env="PRIVATE_TOKEN",
            metavar="NAME",
            help="Suffix of private (git-ignored) files [default: local]." + _E,
        ),
        _option(
            "vars",
            "--vars -v",
            env="VARS",
            metavar="'K=V K2=V2'",
            help=(
                "Extra variables, laid over the files and config; each pair splits on its "
                "first assignor."
            )
            + _E,
        ),
        _option(
            "vars_delimiter",
            "--vars-delimiter",
            env="VARS_DELIMITER",
            metavar="TEXT",
            help="Separator between --vars pairs [default: a space].",
        ),
        _option(
            "vars_delimiter_pattern",
            "--vars-delimiter-pattern",
            env="VARS_DELIMITER_PATTERN",
            metavar="REGEX",
            help="Regular expression between --vars pairs (wins over --vars-delimiter).",
        ),
        _option(
            "vars_assignor",
            "--vars-assignor",
            env="VARS_ASSIGNOR",
            metavar="TEXT",
            help="Separator between a --vars key and value [default: =].",
        ),
        _option(
            "vars_assignor_pattern",
            "--vars-assignor-pattern",
            env="VARS_ASSIGNOR_PATTERN",
            metavar="REGEX",
            help="Regular expression between a --vars key and value (wins over --vars-assignor).",
        ),
        _option(
            "exclude_all",
            "--exclude-all/--exclude-all-off -a/-A",
            env="EXCLUDE_ALL",
            flag=True,
            help="Skip every dotenv file (a specific -off flag keeps its files).",
        ),
        _option(
            "exclude_env",
            "--exclude-env/--exclude-env-off -n/-N",
            env="EXCLUDE_ENV",
            flag=True,
            help="Skip the env-specific files (<token>.<env>*).",
        ),
        _option(
            "exclude_global",
            "--exclude-global/--exclude-global-off -g/-G",
            env="EXCLUDE_GLOBAL",
            flag=True,
            help="Skip the global files (<token>, <token>.<private>).",
        ),
        _option(
            "exclude_private",
            "--exclude-private/--exclude-private-off -r/-R",
            env="EXCLUDE_PRIVATE",
            flag=True,
            help="Skip the private files (*.<private>).",
        ),
        _option(
            "exclude_public",
            "--exclude-public/--exclude-public-off -u/-U",
            env="EXCLUDE_PUBLIC",
            flag=True,
            help="Skip the public files (those without .<private>).",
        ),
        _option(
            "shell",
            "--shell -s",
            env="SHELL",
            metavar="[SHELL]",
            help=(
                "Shell for command strings: a path or name; alone, /bin/bash (or /bin/sh) "
                "[default: on]."
            ),
        ),
        _option(
            "shell_off",
            "--shell-off -S",
            flag=True,
            default=False,
            help="Run command strings without a shell (split like a POSIX shell would).",
        ),
        _option(
            "debug",
            "--debug/--debug-off",
            env="DEBUG",
            flag=True,
            help="Show tracebacks for errors.",
        ),
        _option(
            "exclude_dynamic",
            "--exclude-dynamic/--exclude-dynamic-off -z/-Z",
            env="EXCLUDE_DYNAMIC",
            flag=True,
            help="Skip dynamic values (config dynamic, --dynamic-path).",
        ),
        _option(
            "dynamic_path",
            "--dynamic-path",
            env="DYNAMIC_PATH",
            metavar="FILE.py",
            help="Python module whose DYNAMIC mapping computes variables, applied last." + _E,
        ),
        _option(
            "log",
            "--log/--log-off -l/-L",
            env="LOG",
            flag=True,
            help="Print the composed environment on stdout (as --format says; dotenv by default).",
        ),
        _option(
            "output_path",
            "--output-path -o",
            env="OUTPUT_PATH",
            metavar="FILE",
            help=(
                "Write the composed environment to FILE (atomically; as --format says, a dotenv "
                "file by default; never masked)."
            )
            + _E,
        ),
        _option(
            "format",
            "--format",
            env="FORMAT",
            metavar="FORMAT",
            help=(
                "Form of --log and --output-path: dotenv, json, shell (KEY='value') or export "
                "(export KEY='value') [default: dotenv]."
            ),
        ),
        _option(
            "trace",
            "--trace/--trace-off",
            env="TRACE",
            flag=True,
            help="Say on stderr where each variable came from and what it overrode.",
        ),
        _option(
            "trace_key",
            "--trace-key",
            metavar="KEY",
            multiple=True,
            help="Trace only KEY (repeatable); implies --trace.",
        ),
        _option(
            "redact",
            "--redact/--redact-off",
            env="REDACT",
            flag=True,
            help=(
                "Mask secret-looking values in --trace and --log [default: on when the output "
                "is not a terminal]."
            ),
        ),
        _option(
            "redact_pattern",
            "--redact-pattern",
            metavar="REGEX",
            multiple=True,
            help="Key pattern to mask (repeatable); replaces the default patterns.",
        ),
        _option(
            "dialect",
            "--dialect",
            env="DIALECT",
            metavar="NAME",
            help=(
                "How dotenv files are read: get-dotenv (Node dotenv's rules, get-dotenv's "
                "expansion) or python-dotenv (as python-dotenv's dotenv_values reads each "
                "file) [default: get-dotenv]."
            ),
        ),
        _option(
            "strict",
            "--strict/--strict-off",
            env="STRICT",
            flag=True,
            help="Make missing requiredKeys an error (exit 1) instead of a warning.",
        ),
        _option(
            "_version_flag",
            "--version -V",
            flag=True,
            default=False,
            callback=_version,
            eager=True,
            help="Print the version and exit.",
        ),
        _option(
            "_show_completion",
            "--show-completion",
            metavar="[SHELL]",
            callback=_completion("show"),
            eager=True,
            help=(
                "Print the shell completion script (bash, zsh, fish, powershell; 'auto': this "
                "shell)."
            ),
        ),
        _option(
            "_install_completion",
            "--install-completion",
            metavar="[SHELL]",
            callback=_completion("install"),
            eager=True,
            help="Install shell completion ('auto': for this shell).",
        ),
        _option(
            "command",
            "--cmd -c",
            metavar="'COMMAND'",
            help=(
                "Run COMMAND (a script name or a shell string) like the cmd command; it is "
                "first expanded against the composed environment unless config "
                "plugins.cmd.expand is false."
            ),
        ),
    ]


def root(ctx: Context, given: Mapping[str, Any]) -> None:
    """The root group's callback: ``given`` holds the value of every option of ``options()``
    by name (``None`` where not given)."""
    settings = ctx.obj
    if not isinstance(settings, Settings):
        raise RuntimeError("create_app() builds the root command; call it instead")
    from host_cli.engine.options import SPECS

    cli: dict[str, Any] = {}
    for spec in SPECS:
        if not spec.used or spec.kind not in _PLAIN:
            continue  # shell, trace and redactPatterns are read below; unused keys have no flag
        value = given[option_name(spec.flag)]
        if value is None:
            continue
        cli[spec.key] = (
            _from_process_env(value) if isinstance(value, str) and spec.expands else value
        )
    trace_key, trace = given["trace_key"], given["trace"]
    if trace_key:
        cli["trace"] = list(trace_key)
    elif trace is not None:
        cli["trace"] = trace
    if given["redact_pattern"]:
        cli["redactPatterns"] = list(given["redact_pattern"])
    shell = given["shell"]
    if given["shell_off"]:
        cli["shell"] = False
    elif shell is not None:
        cli["shell"] = {"true": True, "false": False}.get(shell.lower(), shell)
    ctx.obj = session = Session(settings, cli)

    command = given["command"]
    if command is not None:
        if ctx.invoked_subcommand is not None:
            raise OptionError(
                f"--cmd runs a command itself; it cannot be combined with the "
                f"{ctx.invoked_subcommand!r} command"
            )
        from host_cli.cli.builtin.cmd_run import run_command

        raise Exit(run_command(session.context(), [command], alias=True))
    if ctx.invoked_subcommand is None:
        if cli.get("log") or cli.get("outputPath") or cli.get("trace"):
            session.context()  # composing runs the requested effects; there is nothing to run
            raise Exit(0)
        echo(ctx.get_help())
        raise Exit(0)
