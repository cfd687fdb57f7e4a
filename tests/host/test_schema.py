"""`getdotenv schema`: the JSON Schema of the config file, checked against the docs' examples."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from dynamodb_plugin import plugin

DOCS = Path(__file__).resolve().parents[2] / "docs"
CONFIG_KEYS = {
    "$schema",
    "rootOptionDefaults",
    "rootOptionVisibility",
    "scripts",
    "vars",
    "envVars",
    "requiredKeys",
    "plugins",
    "dynamic",
}


def doc_configs() -> list[tuple[str, object]]:
    """Every YAML or JSON block in the docs that is a whole getdotenv config file."""
    found = []
    for page in sorted(DOCS.glob("*.md")):
        for lang, body in re.findall(r"```(yaml|json)\n(.*?)```", page.read_text(), re.S):
            try:
                data = yaml.safe_load(body) if lang == "yaml" else json.loads(body)
            except (yaml.YAMLError, ValueError):
                continue
            if isinstance(data, dict) and data and set(data) <= CONFIG_KEYS:
                found.append((f"{page.name}: {body.splitlines()[0][:40]}", data))
    return found


@pytest.fixture(scope="module")
def schema():

    import subprocess
    import sys

    # The docs' example plugin (getdotenv-hello) is loaded too: its slice is in the examples.
    hello = Path(__file__).parents[1] / "e2e" / "packages" / "getdotenv-hello"
    code = (
        "import sys; from getdotenv_hello import plugin; from host_cli.cli.app import run; "
        "sys.exit(run(['schema'], plugins=[plugin]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(hello)},
    )
    parsed = json.loads(out.stdout)
    jsonschema.Draft202012Validator.check_schema(parsed)
    return parsed


CONFIGS = doc_configs()


def test_the_docs_have_config_examples():
    assert len(CONFIGS) >= 5


@pytest.mark.parametrize("where, config", CONFIGS, ids=[w for w, _ in CONFIGS])
def test_every_config_in_the_docs_is_valid(schema, where, config):
    jsonschema.validate(config, schema, cls=jsonschema.Draft202012Validator)


WRONG = {
    "root option of the wrong type": {"rootOptionDefaults": {"excludePrivate": "yes"}},
    "unknown top-level key": {"variables": {}},
    "a var that is not a string": {"vars": {"PORT": 8000}},
    "plugin slice of the wrong type": {"plugins": {"dynamodb": {"local": {"port": "eighty"}}}},
    "unknown key in a plugin slice": {"plugins": {"dynamodb": {"local": {"prot": 8000}}}},
    "dialect out of its set": {"rootOptionDefaults": {"dialect": "node"}},
    "a plugin slice no plugin claims": {"plugins": {"dynamdb": {}}},
    "format out of its set": {"rootOptionDefaults": {"format": "xml"}},
}


@pytest.mark.parametrize("config", WRONG.values(), ids=WRONG.keys())
def test_a_wrong_config_fails_the_schema(schema, config):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(config, schema, cls=jsonschema.Draft202012Validator)


def test_the_schema_has_every_loaded_plugin_and_the_help_of_each_flag(cli):
    out = cli("schema", plugins=[plugin])
    schema = json.loads(out.out)
    assert set(schema["properties"]["plugins"]["properties"]) == {
        *("cmd", "batch", "dynamodb", "aws/dynamodb"),
        *("aws", "aws/secrets", "init"),  # get-dotenv's and SMOZ's slices: no warning
    }
    defaults = schema["properties"]["rootOptionDefaults"]["anyOf"][0]["properties"]
    assert defaults["env"]["anyOf"][0]["description"].startswith("Target environment")


def test_root_options_match_the_config_keys_they_set():
    # The root flags are a table (rootcli.options), their config keys another (options.SPECS):
    # every key this host uses has its flag, its value is passed under the flag's name, and
    # its variable is GETDOTENV_<NAME>.
    from host_cli.cli import rootcli
    from host_cli.engine.options import SPECS

    by_flag = {opt: option for option in rootcli.options() for opt in option.opts}
    for spec in SPECS:
        assert (spec.flag in by_flag) == spec.used, spec.key
        if spec.used and spec.kind in ("str", "bool", "paths"):  # root() reads these by name
            name = rootcli.option_name(spec.flag)
            option = by_flag[spec.flag]
            assert option.name == name and option.envvar == f"GETDOTENV_{name.upper()}", name
            assert option.is_flag == (spec.kind == "bool"), name
