"""The project, an example plugin, a broken plugin and a downstream tool, installed for real.

One virtual environment per module: pip installs this project and the packages under
``tests/e2e/packages`` from their folders, so entry points are found the way users get them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ROOT / "tests" / "e2e" / "packages"
BROKEN_WARNING = (
    "getdotenv: warning: plugin 'broken' from distribution getdotenv-broken 0.0.1 failed to load "
    "(ModuleNotFoundError: No module named 'getdotenv_missing_dependency'); "
    "skip it with GETDOTENV_DISABLE_PLUGINS=broken\n"
)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    subprocess.run(
        [
            str(where / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(ROOT),
            str(PACKAGES / "getdotenv-hello"),
            str(PACKAGES / "getdotenv-broken"),
            str(PACKAGES / "smoz-cli"),
        ],
        check=True,
    )
    return where


@pytest.fixture
def run(venv, project):
    def invoke(program: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(venv / "bin" / program), *args],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
        )

    return invoke


HELLO_CONFIG = "plugins:\n  hello:\n    greeting: Hi $TEAM\n    times: 2\n"


def test_plugin_command_appears_and_broken_plugin_only_warns(run, project):
    project({})
    out = run("getdotenv", "--help")
    assert out.returncode == 0
    assert "\n  hello     Greet from the composed environment.\n" in out.stdout
    assert out.stderr == BROKEN_WARNING
    quiet = run("getdotenv", "--help", GETDOTENV_DISABLE_PLUGINS="broken")
    assert (quiet.returncode, quiet.stderr) == (0, "")


def test_config_slice_arrives_expanded_and_validated(run, project):
    project({".env": "TEAM=platform\n", "getdotenv.config.yaml": HELLO_CONFIG})
    out = run("getdotenv", "hello", "greet", "--name", "Ada", GETDOTENV_DISABLE_PLUGINS="broken")
    assert (out.returncode, out.stderr) == (0, "")
    assert out.stdout == "Hi platform, Ada!\nHi platform, Ada!\nHELLO_LINE=Hi platform, Ada\n"
    child = run("getdotenv", "cmd", "echo $HELLO_LINE", GETDOTENV_DISABLE_PLUGINS="broken")
    assert child.stdout == "Hi platform, world\n"


def test_invalid_slice_is_one_line(run, project):
    project({"getdotenv.config.yaml": "plugins:\n  hello:\n    times: 11\n    colour: red\n"})
    out = run("getdotenv", "hello", "greet", GETDOTENV_DISABLE_PLUGINS="broken")
    assert out.returncode == 1
    assert out.stderr == (
        "getdotenv: error: getdotenv.config.yaml: plugins.hello.times: Input should be less than "
        "or equal to 10, got 11 (and 1 more problem)\n"
    )


def test_plugins_command_names_distributions_and_failures(run, project):
    project({})
    data = json.loads(run("getdotenv", "plugins", "--json").stdout)
    hello = next(p for p in data["plugins"] if p["name"] == "hello")
    assert (hello["distribution"], hello["version"], hello["commands"], hello["config_keys"]) == (
        "getdotenv-hello",
        "1.2.0",
        ["hello"],
        ["plugins.hello"],
    )
    assert [(f["name"], f["distribution"]) for f in data["failures"]] == [
        ("broken", "getdotenv-broken")
    ]


def test_downstream_console_script(run, project):
    project(
        {"env/.env": "WHERE=env-folder\n", ".env": "TOP=1\n", "getdotenv.config.yaml": HELLO_CONFIG}
    )
    helped = run("smoz", "--help", GETDOTENV_DISABLE_PLUGINS="broken")
    assert helped.returncode == 0 and helped.stdout.startswith(
        "Usage: smoz [OPTIONS] COMMAND [ARGS]..."
    )
    out = run("smoz", "cmd", "echo $TOP $WHERE", GETDOTENV_DISABLE_PLUGINS="broken")
    assert (out.returncode, out.stdout) == (0, "1 env-folder\n")
    assert run("smoz", "hello", "greet", GETDOTENV_DISABLE_PLUGINS="broken").stdout.startswith(
        "Hi , world!"
    )
    failed = run("smoz", "--paths", "./missing", "cmd", "true", GETDOTENV_DISABLE_PLUGINS="broken")
    assert (failed.returncode, failed.stderr) == (
        2,
        "smoz: error: --paths: './missing' does not exist\n",
    )


def test_dynamodb_without_the_local_extra_gives_guidance(run, project):
    project({})
    status = run("getdotenv", "dynamodb", "local", "status", GETDOTENV_DISABLE_PLUGINS="broken")
    assert status.returncode == 3
    assert status.stderr.startswith("local dynamodb: no local DynamoDB is configured.")
    assert "pip install 'moto[dynamodb]>=5.1' 'flask>=3' 'flask-cors>=4'" in status.stderr
    start = run("getdotenv", "dynamodb", "local", "start", GETDOTENV_DISABLE_PLUGINS="broken")
    assert (start.returncode, start.stdout) == (0, "")
