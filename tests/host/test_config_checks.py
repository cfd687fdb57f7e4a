"""Config checks without holes: the schema and the tool agree on literal values, an unknown
plugin slice is a warning naming the nearest name (an error with --strict), init refuses a
second config format."""

from __future__ import annotations

import json
import warnings

import jsonschema
import pytest
from pydantic import BaseModel

import host_cli
from dynamodb_plugin import plugin as dynamodb
from host_cli.cli.builtin.schema import build
from host_cli.plugins import host as loader
from host_cli.support.errors import GetDotenvError, GetDotenvWarning


@pytest.fixture(scope="module")
def schema():
    from host_cli.cli import builtin

    host = loader.load(
        builtins=[("getdotenv", builtin)],
        extra=[dynamodb],
        entry_points=False,
        environ={},
        warn=lambda m: None,
    )
    built = build(host)
    jsonschema.Draft202012Validator.check_schema(built)
    return built


INTEGERS = [
    8000,
    8000.0,
    "8000",
    " 8000 ",
    "8_000",
    "8.0",
    "+80",
    "1",
    True,
    False,
    0,
    -1,
    70000,
    8.5,
    "8.5",
    "abc",
    "",
    " ",
    "0x10",
    "1e3",
    None,
    "${PORT}",
    "$PORT",
    [8000],
    {},
]
NUMBERS = [
    5,
    0.5,
    "0.5",
    " 2 ",
    "1e3",
    ".5",
    "5.",
    "inf",
    "1_0",
    True,
    False,
    0,
    -1,
    "x",
    "",
    None,
    "${WAIT}",
    [1],
]
BOOLEANS = [
    True,
    False,
    "true",
    "False",
    "YES",
    "no",
    "on",
    "off",
    "t",
    "f",
    "y",
    "n",
    "1",
    "0",
    1,
    0,
    1.0,
    2,
    " true",
    "2",
    "",
    "maybe",
    None,
    "${FLAG}",
    [True],
]
STRINGS = ["java -jar x", "", "${CMD}", 5, True, None, ["a"]]
ENVIRON = {"PORT": "8000", "WAIT": "2.5", "FLAG": "true", "CMD": "echo hi", "A": "1"}
# Checks a plugin's model makes in its own validator code, which no JSON Schema it generates
# can carry (the dynamodb plugin refuses a blank command string).
KNOWN_GAPS = {("plugins.dynamodb.local.start", repr(""))}

CASES = (
    [("plugins.dynamodb.local.port", v) for v in INTEGERS]
    + [("plugins.dynamodb.local.timeout", v) for v in NUMBERS]
    + [("plugins.dynamodb.local.persist", v) for v in BOOLEANS]
    + [("plugins.dynamodb.local.start", v) for v in STRINGS]
    + [("plugins.cmd.expand", v) for v in BOOLEANS]
    + [("plugins.batch.pkgCwd", v) for v in BOOLEANS]
    + [("rootOptionDefaults.excludePrivate", v) for v in BOOLEANS]
    + [("rootOptionDefaults.dialect", v) for v in ["get-dotenv", "python-dotenv", "node", 1, None]]
    + [("rootOptionDefaults.format", v) for v in ["json", "export", "xml", None]]
    + [("rootOptionDefaults.env", v) for v in ["dev", 1, None, True]]
    + [("vars.A", v) for v in ["x", 1, None, True]]
    + [("vars", v) for v in [None, {}, [], "x"]]
    + [("requiredKeys", v) for v in [["A"], [], None, "A", [1]]]
    + [("dynamic", v) for v in ["dyn.py", "", " ", None, 1]]
    + [("$schema", v) for v in ["./getdotenv.schema.json", None, 1, True]]
    + [("plugins", v) for v in [None, {}, {"aws": {"x": 1}}, {"init": {}}, {"aws/secrets": {}}]]
)


def _nest(dotted: str, value):
    keys = dotted.split(".")
    doc = value
    for key in reversed(keys):
        doc = {key: doc}
    return doc


def _tool_accepts(root, doc) -> tuple[bool, str]:
    (root / "getdotenv.config.json").write_text(json.dumps(doc))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", GetDotenvWarning)
            host_cli.compose(cwd=root, environ=ENVIRON, plugins=[dynamodb])
    except (GetDotenvError, GetDotenvWarning) as exc:
        return False, str(exc)
    return True, ""


@pytest.mark.parametrize("dotted, value", CASES, ids=[f"{d}={v!r}" for d, v in CASES])
def test_the_schema_and_the_tool_agree_on_each_literal(project, schema, dotted, value):
    if (dotted, repr(value)) in KNOWN_GAPS:
        pytest.xfail("a check in the plugin's validator code, not in its schema")
    root = project({"dyn.py": "DYNAMIC = {}\n"})
    doc = _nest(dotted, value)
    accepted, why = _tool_accepts(root, doc)
    valid = jsonschema.Draft202012Validator(schema).is_valid(doc)
    assert accepted == valid, f"tool {'accepts' if accepted else 'refuses'} ({why}); schema " + (
        "validates" if valid else "refuses"
    )


def test_every_literal_example_of_the_schema_loads(project, schema):
    """Each default and example the schema carries for a plugin slice is a value the tool loads."""
    root = project({})
    slices = schema["properties"]["plugins"]["properties"]
    for name in ("dynamodb", "cmd", "batch"):
        props = slices[name].get("properties", {})
        for key, entry in props.items():
            if "default" in entry and not isinstance(entry["default"], dict | list):
                doc = {"plugins": {name: {key: entry["default"]}}}
                assert jsonschema.Draft202012Validator(schema).is_valid(doc), doc
                assert _tool_accepts(root, doc)[0], doc


def test_a_misspelled_plugin_slice_warns_naming_the_nearest_and_strict_fails(project, cli):
    project({"getdotenv.config.json": json.dumps({"plugins": {"dynamdb": {"local": {}}}})})
    out = cli("get", "HOME", plugins=[dynamodb])
    assert out.code == 1  # HOME is only inherited
    assert (
        "getdotenv: warning: getdotenv.config.json: plugins.dynamdb: no loaded plugin claims "
        "this slice (did you mean plugins.dynamodb?)"
    ) in out.err
    out = cli("--strict", "cmd", "true", plugins=[dynamodb])
    assert out.code == 1
    assert out.err.startswith(
        "getdotenv: error: getdotenv.config.json: plugins.dynamdb: no loaded plugin claims"
    )
    with pytest.warns(GetDotenvWarning, match="did you mean plugins.dynamodb"):
        host_cli.compose(plugins=[dynamodb])


def test_get_dotenvs_smozs_and_an_embedding_apps_slices_never_warn(project, cli):
    from host_cli import hookimpl

    class Embedding:
        @hookimpl
        def register_config_models(self, register):
            register("smoz", "tests.host.test_config_checks:SmozConfig")

    slices = {name: {} for name in ("aws", "aws/secrets", "aws/dynamodb", "cmd", "batch", "init")}
    project({"getdotenv.config.json": json.dumps({"plugins": {**slices, "smoz": {}}})})
    out = cli("cmd", "true", plugins=[dynamodb, Embedding()])
    assert out.code == 0 and out.err == "", out


class SmozConfig(BaseModel):
    """The slice an embedding app (SMOZ, say) claims."""


def test_unknown_top_level_key_lists_every_accepted_key(project, cli):
    project({"getdotenv.config.json": json.dumps({"plugin": {}})})
    out = cli("cmd", "true")
    assert out.err == (
        "getdotenv: error: getdotenv.config.json: plugin: unknown key (did you mean plugins? "
        "expected one of $schema, rootOptionDefaults, scripts, vars, envVars, requiredKeys, "
        "plugins, dynamic, rootOptionVisibility)\n"
    )
    for key in ("$schema", "rootOptionVisibility"):
        project({"getdotenv.config.json": json.dumps({key: {} if key[0] == "r" else "x.json"})})
        assert cli("cmd", "true").code == 0


def test_init_writes_no_second_config_format_beside_an_existing_one(project, cli):
    root = project({"getdotenv.config.json": '{"vars": {"A": "1"}}\n'})
    out = cli("init")
    assert out.code == 0, out
    assert not (root / "getdotenv.config.yaml").exists()
    assert "kept getdotenv.config.json: init writes no getdotenv.config.yaml beside it" in out.err
    assert json.loads((root / "getdotenv.config.json").read_text()) == {"vars": {"A": "1"}}
    assert cli("init", "--force").code == 0
    assert "requiredKeys" in json.loads((root / "getdotenv.config.json").read_text())
    assert not (root / "getdotenv.config.yaml").exists()


def test_check_never_calls_a_line_python_dotenv_skips_the_same(project, cli):
    project({".env": 'A=1\nB="unterminated\nC=3\n'})
    out = cli("check")
    last = out.err.strip().splitlines()[-1]
    assert "python-dotenv cannot parse the line of B" in last and "unterminated" not in last
    assert last.endswith("the other keys read the same in both (B not compared)")
    assert "read these files the same" not in out.err
    project({".env": 'A=1\nB="unterminated\nC=$A\n'})
    last = cli("check").err.strip().splitlines()[-1]
    assert "read C (.env:3) differently" in last and "B (.env" not in last
