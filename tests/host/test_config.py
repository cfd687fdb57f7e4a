"""Config files: discovery, precedence, overlays, YAML 1.2 scalars, and one-line errors."""

from __future__ import annotations

import pytest

ENV_DIRS = {
    ".env": "APP=cwd\n",
    "env/.env": "APP=env-dir\n",
    "env/.env.dev": "STAGE=dev\n",
    "env/.env.test": "STAGE=test\n",
    "other/.env": "APP=other-dir\n",
    "other/.env.test": "STAGE=other-test\n",
}
DEFAULTS_JSON = '{"rootOptionDefaults": {"paths": "./env", "defaultEnv": "dev"}}'


def test_root_option_defaults_from_config(project, env_of):
    project({**ENV_DIRS, "getdotenv.config.json": DEFAULTS_JSON})
    assert env_of(keys=["APP", "STAGE"]) == {"APP": "env-dir", "STAGE": "dev"}


def test_flags_beat_config(project, env_of):
    project({**ENV_DIRS, "getdotenv.config.json": DEFAULTS_JSON})
    assert env_of("--env", "test", "--paths", "./other", keys=["APP", "STAGE"]) == {
        "APP": "other-dir",
        "STAGE": "other-test",
    }


def test_yaml_config(project, env_of):
    project(
        {
            **ENV_DIRS,
            "getdotenv.config.yaml": "rootOptionDefaults:\n  paths: ./env\n  defaultEnv: dev\nvars:\n  FROM_YAML: yes-yaml\n",
        }
    )
    assert env_of(keys=["APP", "STAGE", "FROM_YAML"]) == {
        "APP": "env-dir",
        "STAGE": "dev",
        "FROM_YAML": "yes-yaml",
    }


def test_yml_and_paths_as_a_list(project, env_of):
    project(
        {**ENV_DIRS, "getdotenv.config.yml": "rootOptionDefaults:\n  paths: [./env, ./other]\n"}
    )
    assert env_of(keys=["APP"]) == {"APP": "other-dir"}


def test_json_is_read_before_yaml(project, env_of):
    project(
        {
            "getdotenv.config.json": '{"vars": {"WHO": "json"}}',
            "getdotenv.config.yaml": "vars:\n  WHO: yaml\n",
        }
    )
    assert env_of(keys=["WHO"]) == {"WHO": "json"}


def test_yaml_is_read_as_yaml_1_2(project, env_of):
    project(
        {
            "getdotenv.config.yaml": "vars:\n  FLAG: yes\n  SWITCH: off\n  DATE: 2024-01-01\n  OCT: '010'\n"
        }
    )
    assert env_of(keys=["FLAG", "SWITCH", "DATE"]) == {
        "FLAG": "yes",
        "SWITCH": "off",
        "DATE": "2024-01-01",
    }


def test_config_vars_and_env_vars_overlay_the_files(project, env_of):
    project(
        {
            ".env": "APP=file\nFILE_ONLY=f\n",
            "getdotenv.config.json": """{
        "vars": {"APP": "config", "CFG_REF": "${FILE_ONLY}-c", "GLOBAL_ONLY": "g"},
        "envVars": {"dev": {"APP": "config-dev", "DEV_ONLY": "d"}}}""",
        }
    )
    keys = ["APP", "FILE_ONLY", "CFG_REF", "GLOBAL_ONLY", "DEV_ONLY"]
    assert env_of("--env", "dev", keys=keys) == {
        "APP": "config-dev",
        "FILE_ONLY": "f",
        "CFG_REF": "f-c",
        "GLOBAL_ONLY": "g",
        "DEV_ONLY": "d",
    }
    assert env_of(keys=["APP", "DEV_ONLY"]) == {"APP": "config", "DEV_ONLY": None}


def test_config_vars_expand_against_the_composed_map_only(project, env_of, monkeypatch):
    # get-dotenv 7 expands config vars against the composed dotenv map, not the process env.
    monkeypatch.setenv("OUTSIDE", "o")
    project(
        {
            ".env": "IN=i\n",
            "getdotenv.config.json": '{"vars": {"A": "${IN}-${OUTSIDE}", "B": "${A}!"}}',
        }
    )
    assert env_of(keys=["A", "B"]) == {"A": "i-", "B": "i-!"}


def test_cli_vars_beat_config_vars(project, env_of):
    project({"getdotenv.config.json": '{"vars": {"V": "config"}}'})
    assert env_of("--vars", "V=cli", keys=["V"]) == {"V": "cli"}


def test_local_twin_overrides_public(project, env_of):
    project(
        {
            **ENV_DIRS,
            "getdotenv.config.json": DEFAULTS_JSON + "\n",
            "getdotenv.config.local.yaml": "rootOptionDefaults:\n  defaultEnv: test\nvars:\n  WHERE: local\n",
        }
    )
    assert env_of(keys=["STAGE", "WHERE"]) == {"STAGE": "test", "WHERE": "local"}


def test_pyproject_is_the_lowest_source(project, env_of):
    project(
        {
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.getdotenv.vars]\nA = "pyproject"\nB = "pyproject"\n',
            "getdotenv.config.json": '{"vars": {"B": "json"}}',
        }
    )
    assert env_of(keys=["A", "B"]) == {"A": "pyproject", "B": "json"}


def test_from_a_subfolder_the_same_environment_as_from_the_root(project, env_of, cli, monkeypatch):
    """Config paths and the default ./ are the project root's; typed --paths are cwd's."""
    root = project(
        {
            "getdotenv.config.json": '{"vars": {"CFG": "root"}, '
            '"rootOptionDefaults": {"paths": "./ ./env"}}',
            "sub/.env": "SUB=1\n",
            ".env": "TOP=1\n",
            "env/.env": "DEEP=1\n",
        }
    )
    keys = ["CFG", "SUB", "TOP", "DEEP"]
    at_root = env_of(keys=keys)
    monkeypatch.chdir(root / "sub")
    assert env_of(keys=keys) == at_root == {"CFG": "root", "SUB": None, "TOP": "1", "DEEP": "1"}
    assert env_of("--paths", ".", keys=keys) == {
        "CFG": "root",
        "SUB": "1",
        "TOP": None,
        "DEEP": None,
    }
    traced = cli("--trace-key", "TOP", "cmd", "true")
    assert traced.err == '[trace] TOP = "1" from ../.env:1\n'
    checked = cli("check")
    assert (
        checked.err
        == "check: 0 findings in 2 files\ncheck: get-dotenv and python-dotenv read these files the same (either --dialect works)\n"
    )


def test_explicit_off_flag_beats_a_config_default(project, env_of):
    project(
        {
            ".env.local": "P=private\n",
            "getdotenv.config.json": '{"rootOptionDefaults": {"excludePrivate": true}}',
        }
    )
    assert env_of(keys=["P"]) == {"P": None}
    assert env_of("--exclude-private-off", keys=["P"]) == {"P": "private"}


def test_embedding_defaults_sit_below_config(project, env_of):
    project({".env": "A=1\n", ".env.local": "P=1\n"})
    assert env_of(keys=["P"], root_option_defaults={"excludePrivate": True}) == {"P": None}
    project({"getdotenv.config.json": '{"rootOptionDefaults": {"excludePrivate": false}}'})
    assert env_of(keys=["P"], root_option_defaults={"excludePrivate": True}) == {"P": "1"}


def test_schema_pointer_and_get_dotenv_only_options_are_accepted(project, env_of):
    project(
        {
            "getdotenv.config.json": '{"$schema": "./schema.json", "rootOptionVisibility": {"env": false},'
            ' "rootOptionDefaults": {"loadProcess": true, "entropyThreshold": 3.5}, "vars": {"OK": "1"}}'
        }
    )
    assert env_of(keys=["OK"]) == {"OK": "1"}


ERRORS = {
    "invalid JSON": (
        "getdotenv.config.json",
        '{"vars": {"A": 1,}}',
        "getdotenv.config.json: invalid JSON: line 1, column 18: Expecting property name enclosed in double quotes",
    ),
    "invalid YAML": (
        "getdotenv.config.yaml",
        "vars:\n  A: [1\n",
        "getdotenv.config.yaml: invalid YAML: line 3, column 1: ",
    ),  # libyaml's wording follows
    "invalid TOML": (
        "pyproject.toml",
        "[tool.getdotenv\n",
        "pyproject.toml: invalid TOML: Expected ']' at the end of a table declaration (at line 1, column 16)",
    ),
    "value of the wrong type": (
        "getdotenv.config.yaml",
        "vars:\n  PORT: 8000\n",
        "getdotenv.config.yaml: vars.PORT: expected a string (quote it), got a number (8000)",
    ),
    "root option of the wrong type": (
        "getdotenv.config.json",
        '{"rootOptionDefaults": {"excludeEnv": "yes"}}',
        'getdotenv.config.json: rootOptionDefaults.excludeEnv: expected true or false, got a string ("yes")',
    ),
    "unknown root option": (
        "getdotenv.config.json",
        '{"rootOptionDefaults": {"pahts": "./"}}',
        "getdotenv.config.json: rootOptionDefaults.pahts: unknown root option",
    ),
    "unknown top-level key": (
        "getdotenv.config.json",
        '{"envvars": {}}',
        "getdotenv.config.json: envvars: unknown key (did you mean envVars? expected one of $schema, rootOptionDefaults, scripts, vars, envVars, requiredKeys, plugins, dynamic, rootOptionVisibility)",
    ),
    "envVars not a mapping": (
        "getdotenv.config.json",
        '{"envVars": {"dev": ["A=1"]}}',
        "getdotenv.config.json: envVars.dev: expected a mapping of names to strings, got a list",
    ),
    "bad script": (
        "getdotenv.config.json",
        '{"scripts": {"b": {"command": "x"}}}',
        "getdotenv.config.json: scripts.b: expected a command string or {cmd: string, shell: bool|string}, got a mapping",
    ),
    "JavaScript-only key": (
        "getdotenv.config.yaml",
        "schema: {}\n",
        "getdotenv.config.yaml: schema: unknown key (JavaScript-only in get-dotenv; use requiredKeys here)",
    ),
}


@pytest.mark.parametrize("name, text, message", ERRORS.values(), ids=ERRORS.keys())
def test_bad_config_is_one_line(project, cli, name, text, message):
    project({name: text})
    out = cli("cmd", "true")
    assert out.code == 1
    assert out.err.startswith(f"getdotenv: error: {message}")
    assert out.err.count("\n") == 1 and out.err.endswith("\n")


def test_debug_shows_the_traceback(project, cli):
    project({"getdotenv.config.json": "{"})
    out = cli("--debug", "cmd", "true")
    assert out.code == 1 and "Traceback (most recent call last)" in out.err
    assert out.err.endswith(
        "getdotenv: error: getdotenv.config.json: invalid JSON: line 1, column 2: "
        "Expecting property name enclosed in double quotes\n"
    )


@pytest.mark.parametrize("files", [{".env": "BROKEN LINE\n"}, {"getdotenv.config.json": "{"}])
def test_help_works_with_broken_files(project, cli, files):
    project(files)
    for args in (["--help"], ["cmd", "--help"], ["plugins"]):
        out = cli(*args)
        assert out.code == 0, out
        assert out.err == ""


def test_unparsable_env_line_is_one_line(project, cli):
    project({".env": "A=1\n", ".env.local": "DB_PASSWORD=\n  correct-horse-battery-staple\n"})
    out = cli("cmd", "true")
    # the line is named, never shown: a line that does not parse is often a wrapped secret
    assert (out.code, out.err) == (
        1,
        "getdotenv: error: .env.local:2: cannot parse a line without KEY= (a value wrapped "
        "onto a line of its own?): expected KEY=value, 'KEY: value', a comment or a blank line\n",
    )
