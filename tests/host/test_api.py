"""The library API: compose() and load() give what the CLI gives, in-process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import host_cli
from host_cli.engine.options import SPECS
from tests.conftest import printer

CASES = sorted((Path(__file__).parents[1] / "conformance" / "cases").iterdir())


def kwargs_of(args: list[str]) -> dict[str, object]:
    """The root flags of a case as the library's keyword options."""
    flags = {s.flag: s for s in SPECS} | {
        "-e": SPECS[0],
        "-v": next(s for s in SPECS if s.key == "vars"),
    }
    out: dict[str, object] = {}
    tokens = iter(args)
    for token in tokens:
        spec, value = flags.get(token), None
        if spec is None and token.endswith("-off"):
            spec, value = flags[token.removesuffix("-off")], False
        assert spec is not None, token
        value = (True if value is None else value) if spec.kind == "bool" else next(tokens)
        snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in spec.key)
        out[snake] = value
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_compose_gives_what_the_cli_gives_on_the_conformance_cases(case, tmp_path):
    """Cases recorded from get-dotenv 7.0.11; where get-dotenv has a bug we do not copy (a
    "quirk"), only the CLI and the library must agree."""
    data = json.loads((case / "case.json").read_text())
    work = tmp_path / "work"
    shutil.copytree(case, work, ignore=shutil.ignore_patterns("case.json"))
    keys = data["keys"]
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in keys and not k.startswith(("ORACLE_", "GETDOTENV_")) and k != "DEFAULT_ENV"
    }
    environ.update(data.get("env", {}))
    environ["GETDOTENV_CACHE_DIR"] = os.environ["GETDOTENV_CACHE_DIR"]
    environ["GETDOTENV_TEST_SESSION"] = os.environ["GETDOTENV_TEST_SESSION"]
    ran = subprocess.run(
        [sys.executable, "-m", "host_cli", *data["args"], "cmd", *printer(tmp_path), *keys],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    by_cli = json.loads(ran.stdout.strip().splitlines()[-1])
    composed = host_cli.compose(cwd=work, environ=environ, **kwargs_of(data["args"]))
    by_library = {k: composed.get(k, environ.get(k)) for k in keys}
    assert by_library == by_cli
    if not data.get("quirk"):
        assert by_library == data["expected"]


def test_import_host_cli_is_cheap():
    code = (
        "import sys, host_cli\n"
        "heavy = ('yaml', 'pydantic', 'boto3', 'botocore', 'moto', 'typer', 'rich', 'dotenv')\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == "[]\n"


def test_compose_options_and_errors(project):
    root = project(
        {
            ".env": "A=1\nHOME_DIR=${HOME}\n",
            ".env.local": "SECRET=s\n",
            ".env.dev": "A=dev\n",
            "getdotenv.config.json": '{"requiredKeys": ["NEEDED"]}',
        }
    )
    environ = {"HOME": "/home/ada", "NEEDED": "yes", "WHERE": "dev"}
    env = host_cli.compose(cwd=root, environ=environ, env="$WHERE", plugins=False)
    assert dict(env) == {"A": "dev", "HOME_DIR": "/home/ada", "SECRET": "s"}
    with pytest.raises(TypeError):
        env["A"] = "x"  # read-only
    assert "SECRET" not in host_cli.compose(cwd=root, environ=environ, exclude_private=True)
    assert host_cli.compose(cwd=root, environ=environ, vars={"V": "a b=c"})["V"] == "a b=c"
    with pytest.raises(TypeError, match="unknown option 'nope'"):
        host_cli.compose(cwd=root, nope=1)
    with pytest.raises(TypeError, match="exclude_private: expected true or false"):
        host_cli.compose(cwd=root, exclude_private="yes")
    with pytest.raises(host_cli.OptionError, match="--paths: 'missing' does not exist"):
        host_cli.compose(cwd=root, paths="missing")
    with pytest.warns(host_cli.GetDotenvWarning, match="required keys missing: NEEDED"):
        host_cli.compose(cwd=root, environ={})
    with pytest.raises(host_cli.GetDotenvError, match="required keys missing: NEEDED"):
        host_cli.compose(cwd=root, environ={}, strict=True)


def test_load_lays_over_os_environ_like_load_dotenv(project, monkeypatch):
    root = project({".env": "FROM_FILE=file\nKEPT=file\n"})
    monkeypatch.setenv("KEPT", "shell")
    monkeypatch.delenv("FROM_FILE", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert host_cli.load(cwd=root) == {"FROM_FILE": "file"}
    assert (os.environ["FROM_FILE"], os.environ["KEPT"]) == ("file", "shell")
    assert host_cli.load(cwd=root, override=True) == {"FROM_FILE": "file", "KEPT": "file"}
    assert os.environ["KEPT"] == "file"
    del os.environ["FROM_FILE"]  # as it was: the leak guard checks


def test_plugins_derive_in_the_library_too(project):
    from dynamodb_plugin import plugin

    root = project({".env": "SERVICE_NAME=orders\nSTAGE=dev\n"})
    assert host_cli.compose(cwd=root, plugins=[plugin])["STAGE_NAME"] == "orders-dev"
    assert "STAGE_NAME" not in host_cli.compose(cwd=root, plugins=False)
