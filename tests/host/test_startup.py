"""Start-up stays light: heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("boto3", "botocore", "moto", "rich", "pydantic", "yaml", "importlib.metadata")

PROBE = """
import json, sys
from host_cli.cli.app import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


def probe(cwd, *args):
    env = {**os.environ, "GETDOTENV_CACHE_DIR": str(cwd.parent / "cache")}  # a cold cache per test
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_imports_nothing_heavy(project):
    root = project({"getdotenv.config.yaml": "vars:\n  A: b\n"})
    assert probe(root, "--help") == {"code": 0, "loaded": []}


def test_cmd_with_unchanged_yaml_config_and_plugin_slice_imports_nothing_heavy(project):
    root = project(
        {
            ".env": "A=1\n",
            "getdotenv.config.yaml": "vars:\n  B: ${A}\nplugins:\n  cmd:\n    expand: true\n",
        }
    )
    first = probe(root, "cmd", "true")
    # plain block YAML is read without PyYAML (host_cli.engine.yaml_lite)
    assert first["code"] == 0 and "yaml" not in first["loaded"] and "pydantic" in first["loaded"]
    assert probe(root, "cmd", "true") == {
        "code": 0,
        "loaded": [],
    }  # both answers now come from the cache


def test_changed_slice_is_validated_again(project):
    root = project({"getdotenv.config.json": '{"plugins": {"cmd": {"expand": true}}}'})
    assert probe(root, "cmd", "true")["code"] == 0
    (root / "getdotenv.config.json").write_text('{"plugins": {"cmd": {"expand": "maybe"}}}')
    # validated again, from the core schema the first run stored: still no pydantic
    assert probe(root, "cmd", "true") == {"code": 1, "loaded": []}


def test_cache_files_are_private(project):
    root = project({"getdotenv.config.json": '{"plugins": {"cmd": {"expand": true}}}'})
    assert probe(root, "cmd", "true")["code"] == 0
    (cache,) = (root.parent / "cache").iterdir()  # v2-py3NN: one folder per Python version
    files = list(cache.iterdir())
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files)
    assert cache.stat().st_mode & 0o077 == 0


# The console script as it starts (host_cli.__main__.main: typer's package deferred, gc off,
# os._exit); an atexit handler reports what was imported.
SCRIPT_PROBE = """
import atexit, json, os, sys

def report():
    loaded = [m for m in %r if m in sys.modules]
    os.write(int(os.environ["PROBE_FD"]), json.dumps({"loaded": loaded, "typer": type(sys.modules.get("typer")).__name__}).encode())

atexit.register(report)
sys.argv = ["getdotenv", *sys.argv[1:]]
from host_cli.__main__ import main
main()
"""
TYPER_EXTRAS = ("typer.main", "typer.params", "typer.completion", "shellingham", "annotated_doc")


def script_probe(cwd, *args, env=None):
    read, write = os.pipe()
    try:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT_PROBE % ((*HEAVY, *TYPER_EXTRAS),), *args],
            cwd=cwd,
            env={
                **os.environ,
                "GETDOTENV_CACHE_DIR": str(cwd.parent / "cache"),
                "PROBE_FD": str(write),
                **(env or {}),
            },
            capture_output=True,
            text=True,
            pass_fds=(write,),
        )
    finally:
        os.close(write)
    with os.fdopen(read) as f:
        report = json.loads(f.read())
    return done, report


PLUGIN_PROJECT = {
    ".env": "SERVICE_NAME=svc\nSTAGE=base\n",
    ".env.dev": "STAGE=dev\nTABLE_VERSION=001\n",
    "getdotenv.config.yaml": (
        "plugins:\n  cmd:\n    expand: true\n  dynamodb:\n    local:\n      port: 8000\n"
    ),
}


def test_cmd_with_the_dynamodb_plugin_does_not_import_typers_package(project):
    root = project(PLUGIN_PROJECT)
    env = {"GETDOTENV_LOAD_PLUGINS": "dynamodb"}
    script_probe(root, "-e", "dev", "cmd", "true", env=env)  # fills the cache
    for args in (["-e", "dev", "cmd", "true"], ["-e", "dev", "true"], ["--version"]):
        done, report = script_probe(root, *args, env=env)
        assert done.returncode == 0, done.stderr
        assert report == {"loaded": [], "typer": "_DeferredPackage"}, args
    done, report = script_probe(root, "-e", "dev", "cmd", "--", "sh", "-c", "echo $TABLE_NAME")
    assert (done.stdout, report["typer"]) == ("svc-dev-001\n", "_DeferredPackage")


def test_a_command_defined_with_typer_loads_typer_on_first_use(project):
    root = project(PLUGIN_PROJECT)
    done, report = script_probe(root, "dynamodb", "--help")
    assert done.returncode == 0 and "local" in done.stdout
    assert report["typer"] == "module" and "typer.main" in report["loaded"]
    assert "rich" not in report["loaded"]  # typer's rich help stays off


DEFERRED = """
import sys
from host_cli.cli.hotpath import defer_typer, typer_loaded
defer_typer()
import typer.core
assert not typer_loaded() and "typer.main" not in sys.modules
import typer
assert not typer_loaded()
from typer import Option
assert typer_loaded() and typer.Option is Option and typer.core.TyperGroup is typer.main.TyperGroup
app = typer.Typer()
@app.command()
def hello(name: str = typer.Option("x")) -> None:
    typer.echo(f"hi {name}")
app(["--name", "there"])
"""


def test_typer_deferred_is_all_of_typer_once_used():
    done = subprocess.run(
        [sys.executable, "-c", DEFERRED], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "hi there\n", "")
