"""The moto-suite harness (tests/conformance/moto_suite.py): its reset through our secret, against a
real built-in server, and its verdict. The suite itself runs with `nox -s moto_suite`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

CONFORMANCE = Path(__file__).parents[1] / "conformance"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, CONFORMANCE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def moto_reset(monkeypatch):
    """moto's server-mode reset, put back after the test whatever the plugin did to it."""
    from moto.core.models import ServerModeMockAWS

    monkeypatch.setattr(ServerModeMockAWS, "reset", ServerModeMockAWS.reset)
    return lambda: ServerModeMockAWS.reset(object())


def test_mock_aws_reset_goes_to_our_control_request_with_the_records_secret(
    builtin, client, moto_reset, monkeypatch
):
    ddb = client(builtin)
    for name in ("a", "b"):
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    record = Path.cwd() / ".getdotenv" / "dynamodb-local.json"
    monkeypatch.setenv("MOTO_SUITE_RECORD", str(record))
    plugin = load("moto_suite_plugin")
    plugin.pytest_configure(None)

    monkeypatch.setenv("MOTO_CALL_RESET_API", "false")  # moto's switch for parallel runs
    moto_reset()
    assert ddb.list_tables()["TableNames"] == ["a", "b"]
    monkeypatch.delenv("MOTO_CALL_RESET_API")
    moto_reset()
    assert ddb.list_tables()["TableNames"] == []

    # A reset the server refuses is an error, never a test run on a database left as it was.
    ddb.create_table(
        TableName="kept",
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    secret = json.loads(record.read_text())["secret"]
    plugin._reset_with_secret(f"{builtin}/_getdotenv/reset", secret + "x")
    with pytest.raises(RuntimeError, match="HTTP 403"):
        moto_reset()
    assert ddb.list_tables()["TableNames"] == ["kept"]


def outcome(kind: str, reason: str = "") -> dict[str, str]:
    return {"outcome": kind, "reason": reason}


def test_verdict_fails_only_on_an_unexplained_test_that_passes_on_plain_moto_alone(capsys):
    suite = load("moto_suite")
    arn = "tests/test_dynamodb/test_dynamodb_table_without_range_key.py::test_create_table"
    endpoints = "tests/test_dynamodb/test_dynamodb.py::test_describe_endpoints[ap-south-1]"
    other = "tests/test_dynamodb/test_dynamodb_query.py::test_query_new"
    moto = {arn: outcome("passed"), endpoints: outcome("passed"), other: outcome("passed")}
    ours = {arn: outcome("failed", "arn"), endpoints: outcome("failed"), other: outcome("passed")}
    assert suite.report(moto, ours) == 0
    assert "unexplained: 0" in capsys.readouterr().out

    ours[other] = outcome("failed", "AssertionError: assert 1 == 2")
    assert suite.report(moto, ours) == 1
    out = capsys.readouterr().out
    assert f"UNEXPLAINED {other}" in out and "assert 1 == 2" in out
    del ours[other]  # not run on ours at all: as bad as a failure
    assert suite.report(moto, ours) == 1
    assert "not run on ours" in capsys.readouterr().out

    # A test that fails on both is no difference; one that no longer fails is reported stale.
    moto[other] = outcome("failed")
    ours = {arn: outcome("passed"), endpoints: outcome("failed"), other: outcome("failed")}
    assert suite.report(moto, ours) == 0
    stale = [line for line in capsys.readouterr().out.splitlines() if "no longer fail" in line]
    assert len(stale) == 1 and stale[0].endswith(f": {arn}")


def test_a_test_that_hangs_fails_naming_its_line_and_the_run_goes_on(tmp_path):
    import os
    import subprocess
    import sys

    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_hang.py").write_text(
        "import time\n\ndef test_hangs():\n    time.sleep(30)\n\ndef test_next():\n    pass\n"
    )
    results = tmp_path / "results.json"
    env = {
        **os.environ,
        "PYTHONPATH": str(CONFORMANCE),
        "MOTO_SUITE_TEST_TIMEOUT": "1",
        "MOTO_SUITE_RESULTS": str(results),
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    got = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "moto_suite_plugin", "-p", "no:cacheprovider"]
        + ["-q", "tests"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert got.returncode == 1, got.stdout + got.stderr
    outcomes = json.loads(results.read_text())
    assert outcomes["tests/test_hang.py::test_next"]["outcome"] == "passed"
    hung = outcomes["tests/test_hang.py::test_hangs"]
    assert hung["outcome"] == "failed"
    assert "ran past 1 s at test_hang.py:4" in hung["reason"]
