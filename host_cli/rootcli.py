"""The root flags, in get-dotenv's spelling, each with a ``GETDOTENV_*`` variable.

The callback only parses: it expands the flags get-dotenv expands (against the process
environment), stores them in a ``Session`` and reads no file.
"""

# No `from __future__ import annotations` here: typer would evaluate every string annotation
# again on each start (about 3 ms for the root flags).

import os
from typing import Annotated, Any

import typer

from host_cli.context import Session, Settings
from host_cli.errors import OptionError
from host_cli.expand import expand, lookup_in

_E = " Expanded against the process environment."


def _opt(*names: str, env: str, help: str, metavar: str | None = None) -> Any:
    return typer.Option(*names, envvar=f"GETDOTENV_{env}", help=help, metavar=metavar)


def _flag(on: str, off: str, short: str | None, env: str, help: str) -> Any:
    names = [f"{on}/{off}"] + ([short] if short else [])
    return typer.Option(*names, envvar=f"GETDOTENV_{env}", help=help)


def _version(ctx: typer.Context, _param: Any, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    import platform

    from host_cli import __version__

    prog = ctx.find_root().info_name or "getdotenv"
    name = (
        f"getdotenv {__version__}" if prog == "getdotenv" else f"{prog} (getdotenv {__version__})"
    )
    typer.echo(f"{name}, Python {platform.python_version()}")
    raise typer.Exit(0)


def _completion(action: str) -> Any:
    """``--show-completion``/``--install-completion``: typer's own, loaded only when asked."""

    def callback(ctx: typer.Context, param: Any, value: str | None) -> None:
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


def root(  # noqa: PLR0913 - one parameter per root flag is how typer declares them
    ctx: typer.Context,
    env: Annotated[
        str | None,
        _opt(
            "--env",
            "-e",
            env="ENV",
            metavar="ENV",
            help="Target environment: also reads <token>.<ENV> and <token>.<ENV>.<private>." + _E,
        ),
    ] = None,
    default_env: Annotated[
        str | None,
        _opt(
            "--default-env",
            env="DEFAULT_ENV",
            metavar="ENV",
            help="Environment to use when neither --env nor the DEFAULT_ENV key of the global "
            "files selects one." + _E,
        ),
    ] = None,
    default_env_key: Annotated[
        str | None,
        _opt(
            "--default-env-key",
            env="DEFAULT_ENV_KEY",
            metavar="KEY",
            help="Key read from the global dotenv files to pick the environment "
            "[default: DEFAULT_ENV]." + _E,
        ),
    ] = None,
    paths: Annotated[
        str | None,
        _opt(
            "--paths",
            env="PATHS",
            metavar="PATHS",
            help="Folders to read dotenv files from, in order; later folders win "
            "[default: ./]." + _E,
        ),
    ] = None,
    paths_delimiter: Annotated[
        str | None,
        _opt(
            "--paths-delimiter",
            env="PATHS_DELIMITER",
            metavar="TEXT",
            help="Separator of --paths [default: a space].",
        ),
    ] = None,
    paths_delimiter_pattern: Annotated[
        str | None,
        _opt(
            "--paths-delimiter-pattern",
            env="PATHS_DELIMITER_PATTERN",
            metavar="REGEX",
            help="Regular expression that separates --paths (wins over --paths-delimiter).",
        ),
    ] = None,
    dotenv_token: Annotated[
        str | None,
        _opt(
            "--dotenv-token",
            env="DOTENV_TOKEN",
            metavar="NAME",
            help="Base file name of the cascade [default: .env]." + _E,
        ),
    ] = None,
    private_token: Annotated[
        str | None,
        _opt(
            "--private-token",
            env="PRIVATE_TOKEN",
            metavar="NAME",
            help="Suffix of private (git-ignored) files [default: local]." + _E,
        ),
    ] = None,
    vars: Annotated[
        str | None,
        _opt(
            "--vars",
            "-v",
            env="VARS",
            metavar="'K=V K2=V2'",
            help="Extra variables, laid over the files and config; each pair splits on its first "
            "assignor." + _E,
        ),
    ] = None,
    vars_delimiter: Annotated[
        str | None,
        _opt(
            "--vars-delimiter",
            env="VARS_DELIMITER",
            metavar="TEXT",
            help="Separator between --vars pairs [default: a space].",
        ),
    ] = None,
    vars_delimiter_pattern: Annotated[
        str | None,
        _opt(
            "--vars-delimiter-pattern",
            env="VARS_DELIMITER_PATTERN",
            metavar="REGEX",
            help="Regular expression between --vars pairs (wins over --vars-delimiter).",
        ),
    ] = None,
    vars_assignor: Annotated[
        str | None,
        _opt(
            "--vars-assignor",
            env="VARS_ASSIGNOR",
            metavar="TEXT",
            help="Separator between a --vars key and value [default: =].",
        ),
    ] = None,
    vars_assignor_pattern: Annotated[
        str | None,
        _opt(
            "--vars-assignor-pattern",
            env="VARS_ASSIGNOR_PATTERN",
            metavar="REGEX",
            help="Regular expression between a --vars key and value (wins over --vars-assignor).",
        ),
    ] = None,
    exclude_all: Annotated[
        bool | None,
        _flag(
            "--exclude-all",
            "--exclude-all-off",
            "-a/-A",
            "EXCLUDE_ALL",
            "Skip every dotenv file (a specific -off flag keeps its files).",
        ),
    ] = None,
    exclude_env: Annotated[
        bool | None,
        _flag(
            "--exclude-env",
            "--exclude-env-off",
            "-n/-N",
            "EXCLUDE_ENV",
            "Skip the env-specific files (<token>.<env>*).",
        ),
    ] = None,
    exclude_global: Annotated[
        bool | None,
        _flag(
            "--exclude-global",
            "--exclude-global-off",
            "-g/-G",
            "EXCLUDE_GLOBAL",
            "Skip the global files (<token>, <token>.<private>).",
        ),
    ] = None,
    exclude_private: Annotated[
        bool | None,
        _flag(
            "--exclude-private",
            "--exclude-private-off",
            "-r/-R",
            "EXCLUDE_PRIVATE",
            "Skip the private files (*.<private>).",
        ),
    ] = None,
    exclude_public: Annotated[
        bool | None,
        _flag(
            "--exclude-public",
            "--exclude-public-off",
            "-u/-U",
            "EXCLUDE_PUBLIC",
            "Skip the public files (those without .<private>).",
        ),
    ] = None,
    shell: Annotated[
        str | None,
        typer.Option(
            "--shell",
            "-s",
            envvar="GETDOTENV_SHELL",
            metavar="[SHELL]",
            help="Shell for command strings: a path or name; alone, /bin/bash (or /bin/sh) "
            "[default: on].",
        ),
    ] = None,
    shell_off: Annotated[
        bool,
        typer.Option(
            "--shell-off",
            "-S",
            help="Run command strings without a shell (split like a POSIX shell would).",
        ),
    ] = False,
    debug: Annotated[
        bool | None, _flag("--debug", "--debug-off", None, "DEBUG", "Show tracebacks for errors.")
    ] = None,
    exclude_dynamic: Annotated[
        bool | None,
        _flag(
            "--exclude-dynamic",
            "--exclude-dynamic-off",
            "-z/-Z",
            "EXCLUDE_DYNAMIC",
            "Skip dynamic values (config dynamic, --dynamic-path).",
        ),
    ] = None,
    dynamic_path: Annotated[
        str | None,
        _opt(
            "--dynamic-path",
            env="DYNAMIC_PATH",
            metavar="FILE.py",
            help="Python module whose DYNAMIC mapping computes variables, applied last." + _E,
        ),
    ] = None,
    log: Annotated[
        bool | None,
        _flag(
            "--log",
            "--log-off",
            "-l/-L",
            "LOG",
            "Print the composed environment in dotenv form on stdout.",
        ),
    ] = None,
    output_path: Annotated[
        str | None,
        _opt(
            "--output-path",
            "-o",
            env="OUTPUT_PATH",
            metavar="FILE",
            help="Write the composed environment to FILE as a dotenv file (atomically)." + _E,
        ),
    ] = None,
    trace: Annotated[
        bool | None,
        _flag(
            "--trace",
            "--trace-off",
            None,
            "TRACE",
            "Say on stderr where each variable came from and what it overrode.",
        ),
    ] = None,
    trace_key: Annotated[
        list[str] | None,
        typer.Option(
            "--trace-key", metavar="KEY", help="Trace only KEY (repeatable); implies --trace."
        ),
    ] = None,
    redact: Annotated[
        bool | None,
        _flag(
            "--redact",
            "--redact-off",
            None,
            "REDACT",
            "Mask secret-looking values in --trace and --log [default: on when the output "
            "is not a terminal].",
        ),
    ] = None,
    redact_pattern: Annotated[
        list[str] | None,
        typer.Option(
            "--redact-pattern",
            metavar="REGEX",
            help="Key pattern to mask (repeatable); replaces the default patterns.",
        ),
    ] = None,
    dialect: Annotated[
        str | None,
        _opt(
            "--dialect",
            env="DIALECT",
            metavar="NAME",
            help="How dotenv files are read: get-dotenv (Node dotenv's rules, get-dotenv's "
            "expansion) or python-dotenv (as python-dotenv's dotenv_values reads each file) "
            "[default: get-dotenv].",
        ),
    ] = None,
    strict: Annotated[
        bool | None,
        _flag(
            "--strict",
            "--strict-off",
            None,
            "STRICT",
            "Make missing requiredKeys an error (exit 1) instead of a warning.",
        ),
    ] = None,
    _version_flag: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            expose_value=False,
            help="Print the version and exit.",
        ),
    ] = False,
    _show_completion: Annotated[
        str | None,
        typer.Option(
            "--show-completion",
            metavar="[SHELL]",
            callback=_completion("show"),
            is_eager=True,
            expose_value=False,
            help="Print the shell completion script (bash, zsh, fish, powershell; 'auto': "
            "this shell).",
        ),
    ] = None,
    _install_completion: Annotated[
        str | None,
        typer.Option(
            "--install-completion",
            metavar="[SHELL]",
            callback=_completion("install"),
            is_eager=True,
            expose_value=False,
            help="Install shell completion ('auto': for this shell).",
        ),
    ] = None,
    command: Annotated[
        str | None,
        typer.Option(
            "--cmd",
            "-c",
            metavar="'COMMAND'",
            help="Run COMMAND (a script name or a shell string) like the cmd command; it is "
            "first expanded against the composed environment unless config "
            "plugins.cmd.expand is false.",
        ),
    ] = None,
) -> None:
    """Compose layered .env files and config into one environment and run commands in it."""
    settings = ctx.obj
    if not isinstance(settings, Settings):
        raise RuntimeError("create_app() builds the root command; call it instead")
    given: dict[str, str | bool | None] = {
        "env": env,
        "defaultEnv": default_env,
        "defaultEnvKey": default_env_key,
        "paths": paths,
        "pathsDelimiter": paths_delimiter,
        "pathsDelimiterPattern": paths_delimiter_pattern,
        "dotenvToken": dotenv_token,
        "privateToken": private_token,
        "vars": vars,
        "varsDelimiter": vars_delimiter,
        "varsDelimiterPattern": vars_delimiter_pattern,
        "varsAssignor": vars_assignor,
        "varsAssignorPattern": vars_assignor_pattern,
        "excludeAll": exclude_all,
        "excludeEnv": exclude_env,
        "excludeGlobal": exclude_global,
        "excludePrivate": exclude_private,
        "excludePublic": exclude_public,
        "debug": debug,
        "excludeDynamic": exclude_dynamic,
        "dynamicPath": dynamic_path,
        "log": log,
        "outputPath": output_path,
        "redact": redact,
        "strict": strict,
        "dialect": dialect,
    }
    from host_cli.options import BY_KEY

    cli: dict[str, Any] = {}
    for key, value in given.items():
        if value is None:
            continue
        cli[key] = (
            _from_process_env(value) if isinstance(value, str) and BY_KEY[key].expands else value
        )
    if trace_key:
        cli["trace"] = list(trace_key)
    elif trace is not None:
        cli["trace"] = trace
    if redact_pattern:
        cli["redactPatterns"] = list(redact_pattern)
    if shell_off:
        cli["shell"] = False
    elif shell is not None:
        cli["shell"] = {"true": True, "false": False}.get(shell.lower(), shell)
    ctx.obj = session = Session(settings, cli)

    if command is not None:
        if ctx.invoked_subcommand is not None:
            raise OptionError(
                f"--cmd runs a command itself; it cannot be combined with the "
                f"{ctx.invoked_subcommand!r} command"
            )
        from host_cli.builtin.cmd import run_command

        raise typer.Exit(run_command(session.context(), [command], alias=True))
    if ctx.invoked_subcommand is None:
        if cli.get("log") or cli.get("outputPath") or cli.get("trace"):
            session.context()  # composing runs the requested effects; there is nothing to run
            raise typer.Exit(0)
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
