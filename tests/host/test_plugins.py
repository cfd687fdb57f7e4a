"""The plugin host: hooks, config slices, derived variables, conflicts, discovery, embedding."""

from __future__ import annotations

import importlib.metadata
import json
import sys
import textwrap

import pytest
import typer
from pydantic import BaseModel, ConfigDict

from host_cli import get_context, hookimpl
from host_cli.plugins.entrypoints import scan
from host_cli.plugins.host import load


class DemoNested(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    x: int = 0
    y: int = 0


class DemoConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    greeting: str = "hello"
    count: int = 1
    nested: DemoNested = DemoNested()
    port_text: str = ""


class Demo:
    """A plugin with a command, a config slice and a derived variable."""

    @hookimpl
    def register_commands(self, app: typer.Typer) -> None:
        demo = typer.Typer(help="Demo commands.")

        @demo.command()
        def show(ctx: typer.Context) -> None:
            context = get_context(ctx)
            typed = context.configs.get(DemoConfig)
            typer.echo(
                json.dumps(
                    {
                        "data": dict(context.configs.data("demo")),
                        "count": typed.count,
                        "derived": context.env.get("DEMO_DERIVED"),
                    }
                )
            )

        app.add_typer(demo, name="demo")

    @hookimpl
    def register_config_models(self, register):
        register("demo", DemoConfig)

    @hookimpl
    def derive_env(self, env, configs):
        data = configs.data("demo")
        if "DEMO_DERIVED" in env:  # never override what the user set
            return None
        return {"DEMO_DERIVED": f"{data['greeting']}-{data['count']}"}


def test_command_config_and_derived_env(project, cli):
    project(
        {
            ".env": "NAME=world\n",
            "getdotenv.config.json": json.dumps(
                {
                    "plugins": {
                        "demo": {"greeting": "hi $NAME", "count": "3", "nested": {"x": 1, "y": 1}}
                    }
                }
            ),
            "getdotenv.config.local.json": json.dumps({"plugins": {"demo": {"nested": {"y": 2}}}}),
        }
    )
    out = cli("demo", "show", plugins=[Demo()])
    assert out.code == 0, out
    assert json.loads(out.out) == {
        "data": {"greeting": "hi world", "count": 3, "nested": {"x": 1, "y": 2}, "port_text": ""},
        "count": 3,
        "derived": "hi world-3",
    }


def test_derived_variables_reach_cmd_children_but_not_over_the_users(project, env_of):
    project({})
    assert env_of(keys=["DEMO_DERIVED"], plugins=[Demo()]) == {"DEMO_DERIVED": "hello-1"}
    assert env_of("--vars", "DEMO_DERIVED=mine", keys=["DEMO_DERIVED"], plugins=[Demo()]) == {
        "DEMO_DERIVED": "mine"
    }


def test_slice_strings_see_derived_variables(project, cli):
    project(
        {
            "getdotenv.config.json": json.dumps(
                {"plugins": {"demo": {"port_text": "at ${DEMO_DERIVED}"}}}
            )
        }
    )
    out = cli("demo", "show", plugins=[Demo()])
    assert json.loads(out.out)["data"]["port_text"] == "at hello-1"


def test_slice_string_that_expands_to_nothing_keeps_its_text(project, cli):
    project(
        {"getdotenv.config.json": json.dumps({"plugins": {"demo": {"greeting": "$UNSET_THING"}}})}
    )
    assert (
        json.loads(cli("demo", "show", plugins=[Demo()]).out)["data"]["greeting"] == "$UNSET_THING"
    )


@pytest.mark.parametrize(
    "slice_, message",
    [
        ({"bogus": 1}, "getdotenv.config.json: plugins.demo.bogus: unknown key"),
        (
            {"nested": {"x": "many"}},
            "getdotenv.config.json: plugins.demo.nested.x: Input should be a valid "
            "integer, unable to parse string as an integer, got 'many'",
        ),
        (
            {"count": "x", "bogus": 1},
            "getdotenv.config.json: plugins.demo.count: Input should be a valid integer, "
            "unable to parse string as an integer, got 'x' (and 1 more problem)",
        ),
    ],
)
def test_bad_slice_is_one_line_naming_file_and_key(project, cli, slice_, message):
    project({"getdotenv.config.json": json.dumps({"plugins": {"demo": slice_}})})
    out = cli("cmd", "true", plugins=[Demo()])
    assert (out.code, out.err) == (1, f"getdotenv: error: {message}\n")


def test_bad_slice_in_the_local_file_names_it(project, cli):
    project(
        {
            "getdotenv.config.json": json.dumps({"plugins": {"demo": {"count": 2}}}),
            "getdotenv.config.local.json": json.dumps({"plugins": {"demo": {"count": "two"}}}),
        }
    )
    out = cli("cmd", "true", plugins=[Demo()])
    assert out.err.startswith("getdotenv: error: getdotenv.config.local.json: plugins.demo.count: ")


class Clash:
    @hookimpl
    def register_commands(self, app):
        app.add_typer(typer.Typer(), name="demo")


class ClaimsDemo:
    @hookimpl
    def register_config_models(self, register):
        register("demo", "tests.host.test_plugins:DemoConfig")


class DerivesOther:
    @hookimpl
    def derive_env(self, env):
        return {"DEMO_DERIVED": "other"}


def test_duplicate_command_names_both_plugins(project, cli):
    project({})
    out = cli("--help", plugins=[Demo(), Clash()])
    assert out.code == 1
    assert out.err == (
        "getdotenv: error: command 'demo' is registered by both plugin 'Demo' and plugin "
        "'Clash'; disable one with GETDOTENV_DISABLE_PLUGINS\n"
    )


def test_a_plugin_may_not_take_a_builtin_command(project, cli):
    class TakesCmd:
        @hookimpl
        def register_commands(self, app):
            app.command("cmd")(lambda: None)

    out = cli("--help", plugins=[TakesCmd()])
    assert "command 'cmd' is registered by both plugin 'getdotenv' and plugin 'TakesCmd'" in out.err


def test_duplicate_config_key_names_both_plugins(project, cli):
    project({})
    out = cli("cmd", "true", plugins=[Demo(), ClaimsDemo()])
    assert (
        out.err
        == "getdotenv: error: config key plugins.demo is claimed by both plugin 'Demo' and plugin 'ClaimsDemo'\n"
    )


def test_conflicting_derived_values_name_both_plugins(project, cli):
    project({})
    out = cli("cmd", "true", plugins=[Demo(), DerivesOther()])
    assert out.err == (
        "getdotenv: error: DEMO_DERIVED is derived as 'hello-1' by plugin 'Demo' and as 'other' "
        "by plugin 'DerivesOther'\n"
    )


def test_plugin_failing_to_register_commands_only_warns(project, cli):
    class Broken:
        @hookimpl
        def register_commands(self, app):
            app.add_typer(typer.Typer(), name="half")
            raise RuntimeError("boom")

    project({".env": "A=1\n"})
    out = cli("cmd", "echo $A", plugins=[Broken()])
    assert (out.code, out.out) == (0, "1\n")
    assert out.err == (
        "getdotenv: warning: plugin 'Broken' failed to register its commands (RuntimeError: boom); "
        "skip it with GETDOTENV_DISABLE_PLUGINS=Broken\n"
    )
    assert "half" not in cli("--help", plugins=[Broken()]).out


def test_lazy_model_reference_validates_the_same(project, cli):
    class Lazy(Demo):
        @hookimpl
        def register_config_models(self, register):
            register("demo", "tests.host.test_plugins:DemoConfig")

    project({"getdotenv.config.json": json.dumps({"plugins": {"demo": {"count": "5", "oops": 1}}})})
    assert (
        cli("cmd", "true", plugins=[Lazy()]).err
        == "getdotenv: error: getdotenv.config.json: plugins.demo.oops: unknown key\n"
    )


def test_plugins_command_lists_what_loaded(project, cli):
    project({".env": "BROKEN\n"})
    out = cli("plugins", "--json", plugins=[Demo()])
    data = json.loads(out.out)
    assert [p["name"] for p in data["plugins"]] == ["getdotenv", "Demo"]
    assert data["plugins"][0]["commands"] == [
        *("cmd", "batch", "init", "check", "plugins", "schema", "get", "export", "set", "unset"),
        "aws",
    ]
    assert data["plugins"][1] == {
        "name": "Demo",
        "origin": "explicit",
        "module": "Demo",
        "distribution": None,
        "version": None,
        "commands": ["demo"],
        "config_keys": ["plugins.demo"],
    }
    assert data["failures"] == []
    assert "demo" in cli("plugins", plugins=[Demo()]).out


def test_embedded_under_another_name(project, cli):
    project({".env": "A=1\n", "getdotenv.config.json": "{"})
    assert cli("--help", prog_name="smoz").out.startswith("Usage: smoz [OPTIONS] COMMAND [ARGS]...")
    assert cli("cmd", "true", prog_name="smoz").err.startswith(
        "smoz: error: getdotenv.config.json: invalid JSON"
    )


def _dist(tmp_path, name, entry_points, module=None, source=None, version="1.0"):
    info = tmp_path / f"{name}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\n")
    (info / "entry_points.txt").write_text(entry_points)
    if module:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source or ""))


GOOD = """
import typer
from host_cli import hookimpl

@hookimpl
def register_commands(app):
    app.command("good")(lambda: typer.echo("good plugin"))
"""


def test_entry_points_load_and_a_broken_one_only_warns(tmp_path, monkeypatch):
    _dist(tmp_path, "good_dist", "[getdotenv.plugins]\ngood = good_mod\n", "good_mod", GOOD)
    _dist(
        tmp_path,
        "broken_dist",
        "[getdotenv.plugins]\nbroken = broken_mod:plugin\n",
        "broken_mod",
        "import no_such_module_xyz\n",
    )
    _dist(tmp_path, "other_dist", "[console_scripts]\nx = y:z\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    warnings = []
    host = load(builtins=[], environ={}, warn=warnings.append, path=[str(tmp_path)])
    assert [(p.name, p.distribution, p.version) for p in host.plugins] == [
        ("good", "good_dist", "1.0")
    ]
    assert [(f.name, f.error) for f in host.failures] == [
        ("broken", "ModuleNotFoundError: No module named 'no_such_module_xyz'")
    ]
    assert warnings == [
        "plugin 'broken' from distribution broken_dist 1.0 failed to load (ModuleNotFoundError: No module "
        "named 'no_such_module_xyz'); skip it with GETDOTENV_DISABLE_PLUGINS=broken"
    ]
    quiet = load(
        builtins=[],
        environ={"GETDOTENV_DISABLE_PLUGINS": "broken"},
        warn=warnings.append,
        path=[str(tmp_path)],
    )
    assert [p.name for p in quiet.plugins] == ["good"] and quiet.failures == []
    only = load(
        builtins=[],
        environ={"GETDOTENV_LOAD_PLUGINS": "broken,nothing"},
        warn=lambda m: None,
        path=[str(tmp_path)],
    )
    assert only.plugins == [] and [f.name for f in only.failures] == ["broken"]
    none = load(
        builtins=[],
        environ={"GETDOTENV_LOAD_PLUGINS": ""},
        warn=lambda m: None,
        path=[str(tmp_path)],
    )
    assert none.plugins == [] and none.failures == []
    for name in ("good_mod", "broken_mod"):
        sys.modules.pop(name, None)


def test_same_plugin_name_from_two_distributions_is_an_error(tmp_path):
    from host_cli.support.errors import PluginError

    _dist(tmp_path, "first_dist", "[getdotenv.plugins]\nsame = a\n")
    _dist(tmp_path, "second_dist", "[getdotenv.plugins]\nsame = b\n")
    with pytest.raises(
        PluginError,
        match="plugin 'same' is provided by both distribution first_dist and distribution second_dist",
    ):
        load(builtins=[], environ={}, warn=lambda m: None, path=[str(tmp_path)])


def test_scanner_agrees_with_importlib_metadata():
    ours = sorted((ep.name, ep.value) for ep in scan("console_scripts", sys.path))
    theirs = sorted(
        (ep.name, ep.value) for ep in importlib.metadata.entry_points(group="console_scripts")
    )
    assert ours == theirs and ours


@pytest.mark.parametrize(
    "options",
    [{}, {"tryfirst": True}, {"trylast": True, "specname": "derive_env"}, {"optionalhook": True}],
)
def test_the_light_marker_sets_what_pluggys_sets(options):
    import pluggy

    from host_cli import hookimpl

    def ours():
        pass

    def theirs():
        pass

    (hookimpl(**options) if options else hookimpl)(ours)
    (
        pluggy.HookimplMarker("getdotenv")(**options)
        if options
        else pluggy.HookimplMarker("getdotenv")
    )(theirs)
    assert ours.getdotenv_impl == theirs.getdotenv_impl


class Nested:
    """A group holding a group: only the command that runs is built."""

    @hookimpl
    def register_commands(self, app):
        outer, inner = typer.Typer(), typer.Typer()

        @inner.command()
        def good() -> None:
            typer.echo("good ran")

        @inner.command()
        def unbuildable(value: set) -> None:  # typer cannot build a parameter of this type
            """Never built unless it runs."""

        outer.add_typer(inner, name="inner")
        app.add_typer(outer, name="outer")


def test_running_one_command_of_a_nested_group_builds_only_that_one(project, cli):
    project({})
    assert cli("outer", "inner", "good", plugins=[Nested()]).out == "good ran\n"
    listed = cli("outer", "inner", "--help", plugins=[Nested()])
    assert listed.code == 0 and "unbuildable  Never built unless it runs." in listed.out
    with pytest.raises(RuntimeError, match="Type not yet supported"):
        cli("outer", "inner", "unbuildable", "--help", plugins=[Nested()])
