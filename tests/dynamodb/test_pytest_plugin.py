"""The pytest plugin, run for real: the sample project's test module, serial and on two
workers, against the built-in server; the kit used by the example plugin's own tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import our_processes

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "orders"


def servers():
    return [p for p in our_processes() if "dynamodb_plugin.local.server" in p[1]]


def pytest_run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
    )


@pytest.fixture
def sample(tmp_path):
    folder = tmp_path / "orders"
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".getdotenv"))
    return folder


def test_docs_show_the_sample_test_module():
    docs = (ROOT / "docs" / "pytest.md").read_text()
    module = (SAMPLE / "tests" / "test_orders.py").read_text()
    assert f"```python\n{module}```" in docs
    assert f"```ini\n{(SAMPLE / 'pytest.ini').read_text()}```" in docs


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["serial", "two workers"])
def test_the_sample_suite_starts_and_stops_its_local_dynamodb(sample, workers):
    out = pytest_run(sample, *workers)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "6 passed" in out.stdout
    assert servers() == []  # the fixture started it, so the fixture stopped it
    assert not (sample / ".getdotenv" / "dynamodb-local.json").exists()
    assert not (sample / ".getdotenv" / "pytest-dynamodb.json").exists()


def test_a_running_local_dynamodb_is_reused_and_left_running_without_tables(sample):
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "host_cli", *args],
            cwd=sample,
            capture_output=True,
            text=True,
            timeout=60,
        )

    started = cli("dynamodb", "local", "start", "--port", "0", "--in-memory")
    assert started.returncode == 0, started.stderr
    try:
        (pid,) = [p for p, _ in servers()]
        out = pytest_run(sample, "-n", "2")
        assert out.returncode == 0, out.stdout + out.stderr
        assert [p for p, _ in servers()] == [pid]  # reused, not stopped
        listed = cli("dynamodb", "tables", "list", "--json")
        assert json.loads(listed.stdout)["versions"][0]["exists"] is False  # none left behind
        import boto3

        endpoint = started.stdout.split()[-1]
        client = boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )
        assert client.list_tables()["TableNames"] == []
    finally:
        cli("dynamodb", "local", "stop")


def test_the_plugin_is_inert_unless_configured(tmp_path):
    """No ini option, no flag: no environment composed, no host module imported."""
    (tmp_path / ".env").write_text("FROM_ENV_FILE=1\n")
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "test_it.py").write_text(
        "import os, sys\n\n"
        "def test_nothing_composed():\n"
        "    assert 'FROM_ENV_FILE' not in os.environ\n"
        "    assert [m for m in ('host_cli.integrations.api', 'yaml', 'pydantic', 'boto3') if m in sys.modules] == []\n"
    )
    out = pytest_run(tmp_path)
    assert out.returncode == 0, out.stdout
    flagged = pytest_run(tmp_path, "--getdotenv-env", "dev")
    assert flagged.returncode == 1 and "assert 'FROM_ENV_FILE' not in" in flagged.stdout


def test_a_configuration_error_stops_the_run_with_one_line(tmp_path):
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "getdotenv.config.json").write_text('{"vars": {"A": 1}}')
    (tmp_path / "test_it.py").write_text("def test_x():\n    pass\n")
    out = pytest_run(tmp_path, "--getdotenv-env", "dev")
    assert out.returncode == 4
    assert (
        "ERROR: getdotenv: getdotenv.config.json: vars.A: expected a string (quote it), got a "
        "number (1)" in out.stderr
    )


def test_the_example_plugins_tests_use_the_kit():
    folder = ROOT / "tests" / "e2e" / "packages" / "getdotenv-hello"
    assert "getdotenv_project" in (folder / "tests" / "test_hello.py").read_text()
    out = pytest_run(folder, "tests")
    assert out.returncode == 0 and "3 passed" in out.stdout, out.stdout + out.stderr
    docs = (ROOT / "docs" / "plugins.md").read_text()
    assert f"```python\n{(folder / 'tests' / 'test_hello.py').read_text()}```" in docs
