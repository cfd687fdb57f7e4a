"""The start path builds the same CLI as typer does (host_cli.cli.hotpath).

Every invocation below runs twice in fresh processes, as the console script runs it: once on
the start path (the root group and ``cmd`` built from typer's classes, typer's package not
imported) and once with ``hotpath.ENABLED = False`` (every command built by typer from
``create_app``'s app). Output, errors and exit codes must be byte-identical.
"""

from __future__ import annotations

import inspect
import json
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from host_cli import hookimpl

ROOT = Path(__file__).resolve().parents[2]

# Forks one child per invocation (fresh imports each, nothing shared but the interpreter).
DRIVER = r"""
import json, os, sys, tempfile

def one(argv, typer_path):
    out, err, mods = (tempfile.TemporaryFile() for _ in range(3))
    pid = os.fork()
    if pid == 0:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        import atexit

        def report():
            names = [m for m in ("typer.main", "typer.params", "rich", "shellingham")
                     if m in sys.modules]
            os.write(mods.fileno(), json.dumps(names).encode())

        atexit.register(report)
        if typer_path:
            from host_cli.cli import hotpath
            hotpath.ENABLED = False
        sys.argv = ["getdotenv", *argv]
        from host_cli.__main__ import main
        main()
        os._exit(99)  # not reached: main() exits
    _, status = os.waitpid(pid, 0)
    texts = []
    for f in (out, err, mods):
        f.seek(0)
        texts.append(f.read().decode())
    return {"argv": argv, "code": os.waitstatus_to_exitcode(status), "out": texts[0],
            "err": texts[1], "imported": json.loads(texts[2] or "null")}

cases = json.loads(sys.argv[1])
print(json.dumps([one(argv, typer_path) for argv, typer_path in cases]))
"""

PROJECT = {
    ".env": "APP_NAME=demo\nSTAGE=base\nSERVICE_NAME=svc\n",
    ".env.dev": "STAGE=dev\nTABLE_VERSION=001\n",
    "getdotenv.config.yaml": (
        "scripts:\n  hello: echo hello from a script\n"
        "plugins:\n  cmd:\n    expand: true\n  dynamodb:\n    local:\n      port: 8000\n"
    ),
}

ERRORS = [
    ["--bogus"],
    ["-e"],
    ["--env"],
    ["cmd"],
    ["-e", "dev", "cmd"],
    ["cmd", "--", ""],
    ["--cmd", "true", "cmd", "true"],
    ["no-such-program-here"],
    ["-e", "dev", "--bogus", "cmd", "true"],
    ["--format", "bogus", "--log"],
    ["dynamodb", "bogus"],
    ["dynamodb", "--bogus"],
    ["aws", "secrets", "bogus"],
    ["get"],
    ["--paths"],
    ["--trace-key"],
]
RUNS = [
    ["--version"],
    ["-V"],
    [],
    ["cmd", "true"],
    ["-e", "dev", "cmd", "true"],
    ["-e", "dev", "cmd", "--", "sh", "-c", "echo $STAGE $TABLE_NAME; exit 3"],
    ["-e", "dev", "sh", "-c", "echo default $STAGE_NAME"],
    ["cmd", "hello"],
    ["-e", "dev", "--log", "--format", "json"],
    ["-e", "dev", "get", "STAGE", "TABLE_NAME"],
    ["--shell-off", "cmd", "echo a b"],
    ["--shell", "cmd", "echo $0"],
    ["--cmd", "echo via --cmd"],
    ["-e", "dev", "--trace-key", "STAGE", "cmd", "true"],
]


def help_pages() -> list[list[str]]:
    pages = runpy.run_path(str(ROOT / "docs" / "gen_cli.py"))["PAGES"]
    extra = [["aws"], ["aws", "dynamodb"], ["aws", "dynamodb", "local"], ["aws", "secrets"]]
    return [[*page, "--help"] for page in [*pages, *extra]] + [["-h"], ["cmd", "-h"]]


def run_both(cwd: Path, argvs: list[list[str]]) -> list[tuple[dict, dict]]:
    env = {
        **os.environ,
        "COLUMNS": "100",
        "GETDOTENV_LOAD_PLUGINS": "dynamodb",
        "GETDOTENV_CACHE_DIR": str(cwd.parent / "cache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    cases = [[argv, typer_path] for argv in argvs for typer_path in (False, True)]
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(cases)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    results = json.loads(done.stdout)
    return list(zip(results[::2], results[1::2], strict=True))


def _same(pairs: list[tuple[dict, dict]]) -> None:
    for hot, typer_built in pairs:
        assert (hot["code"], hot["out"], hot["err"]) == (
            typer_built["code"],
            typer_built["out"],
            typer_built["err"],
        ), hot["argv"]


def test_every_help_page_is_byte_identical(project):
    root = project(PROJECT)
    pairs = run_both(root, help_pages())
    _same(pairs)
    assert all(hot["code"] == 0 and hot["out"].startswith("Usage: ") for hot, _ in pairs)
    root_help = next(hot for hot, _ in pairs if hot["argv"] == ["--help"])
    assert "dynamodb" in root_help["out"] and "--exclude-dynamic" in root_help["out"]


def test_bad_invocations_fail_the_same_way(project):
    root = project(PROJECT)
    pairs = run_both(root, ERRORS)
    _same(pairs)
    by = {tuple(hot["argv"]): hot for hot, _ in pairs}
    assert all(hot["code"] != 0 and hot["err"] for hot, _ in pairs)
    assert by[("--bogus",)]["code"] == 2 and "No such option: --bogus" in by[("--bogus",)]["err"]
    assert "Option '-e' requires an argument" in by[("-e",)]["err"]
    assert by[("cmd",)]["err"] == (
        "getdotenv: error: nothing to run: give a command, e.g. `cmd -- env` or `-c 'env'`\n"
    )
    assert by[("no-such-program-here",)]["code"] == 127
    # errors of the root and of cmd are found without typer's package
    for argv in (("--bogus",), ("-e",), ("cmd",), ("no-such-program-here",)):
        assert by[argv]["imported"] == [], argv


def test_runs_behave_the_same_and_cmd_never_imports_typer(project):
    root = project(PROJECT)
    pairs = run_both(root, RUNS)
    _same(pairs)
    by = {tuple(hot["argv"]): hot for hot, _ in pairs}
    ran = by[("-e", "dev", "cmd", "--", "sh", "-c", "echo $STAGE $TABLE_NAME; exit 3")]
    assert (ran["code"], ran["out"]) == (3, "dev svc-dev-001\n")
    assert by[("-e", "dev", "sh", "-c", "echo default $STAGE_NAME")]["out"] == "default svc-dev\n"
    assert by[("cmd", "hello")]["out"] == "hello from a script\n"
    assert by[("--version",)]["out"].startswith("getdotenv ")
    for argv in RUNS:
        if argv and ("cmd" in argv or argv[0] in ("-V", "--version", "--cmd")):
            assert by[tuple(argv)]["imported"] == [], argv
    # the typer-built CLI loads typer's package, so the check above can fail
    assert "typer.main" in pairs[0][1]["imported"]


def test_cmd_is_the_command_typer_builds():
    import typer
    from typer.models import CommandInfo

    from host_cli.cli.builtin import _PASS_THROUGH
    from host_cli.cli.builtin.cmd import cmd
    from host_cli.cli.builtin.cmd_run import click_command

    def info() -> CommandInfo:
        return CommandInfo(name="cmd", cls=None, context_settings=dict(_PASS_THROUGH))

    holder = typer.Typer(rich_markup_mode=None, add_completion=False)
    by_typer = info()
    by_typer.callback = cmd
    holder.registered_commands.append(by_typer)
    expected = typer.main.get_group(holder).commands["cmd"]
    ours = click_command(info())
    assert _attributes(ours) == _attributes(expected)
    assert [_attributes(p) for p in ours.params] == [_attributes(p) for p in expected.params]


def test_root_group_is_the_group_typer_builds():
    import typer

    from host_cli.cli import app, hotpath

    ours = app.root_command(entry_points=False)
    hotpath.ENABLED = False
    try:
        expected = app.root_command(entry_points=False)
    finally:
        hotpath.ENABLED = True
    assert type(ours).__mro__[1:] == type(expected).__mro__[1:]
    assert _attributes(ours, skip=("context_settings",)) == _attributes(
        expected, skip=("context_settings",)
    )
    assert ours.context_settings.keys() == expected.context_settings.keys()
    assert [_attributes(p) for p in ours.params] == [_attributes(p) for p in expected.params]
    assert type(ours).lazy.keys() == type(expected).lazy.keys()
    assert isinstance(typer.Typer, type)


def _attributes(obj: object, skip: tuple[str, ...] = ()) -> dict[str, object]:
    """What an object holds, with callables and typer's placeholders reduced to what they say."""
    from typer.models import DefaultPlaceholder

    out: dict[str, object] = {}
    for key, value in vars(obj).items():
        if key in skip or key in ("callback", "params", "commands"):
            continue
        if isinstance(value, DefaultPlaceholder):
            value = ("Default", value.value)
        elif callable(value) and not isinstance(value, type):
            value = "callable"
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            value = (type(value).__name__, repr(sorted(vars(value).items())))
        out[key] = value
    return out


def test_registry_takes_what_typer_takes():
    """Registry.command/add_typer accept typer.Typer's parameters, with typer's defaults, and
    record what typer records."""
    import typer
    from typer.models import DefaultPlaceholder

    from host_cli.cli.hotpath import Registry

    def defaults(function: object) -> dict[str, object]:
        out = {}
        for name, p in inspect.signature(function).parameters.items():
            d = p.default
            out[name] = ("Default", d.value) if isinstance(d, DefaultPlaceholder) else d
        return out

    assert defaults(Registry.command).keys() == defaults(typer.Typer.command).keys()
    made: list[object] = []
    registry = Registry(lambda: made.append(1) or typer.Typer())
    real = typer.Typer()
    sub = typer.Typer(help="sub")

    def f() -> None:
        """Doc."""

    for app in (registry, real):
        app.command()(f)
        app.command("named", hidden=True, context_settings={"a": 1})(f)
        app.add_typer(sub, name="group")
        app.add_typer(sub, name="other", help="h", deprecated=True, options_metavar="[X]")
    pairs = zip(
        [*registry.registered_commands, *registry.registered_groups],
        [*real.registered_commands, *real.registered_groups],
        strict=True,
    )
    for ours, theirs in pairs:
        assert _attributes(ours) == _attributes(theirs)
    assert not made and registry.typer is None
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        registry.add_typer(sub, colour="red")
    # anything else is the real app, holding the same records
    assert registry.registered_callback is None and made == [1]
    assert registry.typer.registered_commands is registry.registered_commands


def test_deferred_app_reads_as_an_empty_typer_app():
    import typer

    from host_cli.cli.lazy import deferred_app

    ours = deferred_app("x.y:app", help="Help text.")
    real = typer.Typer(help="Help text.")
    assert _attributes(ours.info) == _attributes(real.info)
    assert (ours.registered_commands, ours.registered_groups, ours.registered_callback) == (
        [],
        [],
        None,
    )


class _TyperPlugin:
    """A plugin whose command is an annotated typer function; ``escalate`` also reads the
    root app's ``info`` (more than command()/add_typer())."""

    escalate = False

    @hookimpl
    def register_commands(self, app):
        import typer

        def hello(name: str = typer.Option("world", help="Who.")) -> None:
            """Say hello."""
            typer.echo(f"hello {name} ({type(app).__name__})")

        if self.escalate:
            assert app.info.help  # the real typer.Typer's
        app.command("hello")(hello)


class _EscalatingPlugin(_TyperPlugin):
    escalate = True


@pytest.mark.parametrize("plugin", [_TyperPlugin, _EscalatingPlugin])
def test_a_plugins_typer_command_runs_the_same_on_both_ways(plugin, capsys):
    from host_cli.cli import app, hotpath

    outputs = []
    for enabled in (True, False):
        hotpath.ENABLED = enabled
        try:
            for argv in (["hello", "--name", "you"], ["hello", "--help"], ["--help"]):
                code = app.run(argv, plugins=[plugin()], entry_points=False)
                outputs.append((code, capsys.readouterr()))
        finally:
            hotpath.ENABLED = True
    hot, typer_built = outputs[:3], outputs[3:]
    assert hot[0] == (0, ("hello you (Registry)\n", ""))
    assert typer_built[0] == (0, ("hello you (Typer)\n", ""))
    assert hot[1:] == typer_built[1:]
    assert "Say hello." in hot[2][1].out and "--name" in hot[1][1].out


def test_a_plugin_that_uses_more_of_the_app_gets_typers_root(monkeypatch):
    import typer

    from host_cli.cli import app

    built = []
    real = typer.main.get_command
    monkeypatch.setattr(typer.main, "get_command", lambda a: built.append(a) or real(a))
    app.root_command(plugins=[_TyperPlugin()], entry_points=False)
    assert built == []
    root = app.root_command(plugins=[_EscalatingPlugin()], entry_points=False)
    assert len(built) == 1 and isinstance(built[0], typer.Typer)
    assert "hello" in type(root).lazy
