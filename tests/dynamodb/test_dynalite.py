"""validate knows the target: dynalite (npm) lacks UpdateTimeToLive; validate says so, and
create refuses before it creates anything. Skipped cleanly without Node/npm."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

CACHE = Path(os.environ.get("GETDOTENV_TEST_NPM_CACHE", "/tmp/getdotenv-test-npm"))


@pytest.fixture
def dynalite(port):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js/npm not available")
    binary = CACHE / "node_modules" / ".bin" / "dynalite"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run(
                ["npm", "install", "--prefix", str(CACHE), "dynalite"],
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.TimeoutExpired):
            pytest.skip("npm install dynalite did not finish here")
        if done.returncode != 0 or not binary.exists():
            pytest.skip("npm install dynalite failed here")
    proc = subprocess.Popen([str(binary), "--port", str(port)], stdout=subprocess.DEVNULL)
    from dynamodb_plugin.local.probe import list_tables

    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 20
    while not list_tables(url, "us-east-1", timeout=0.5):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


TTL_TABLE = """Type: AWS::DynamoDB::Table
Properties:
  TableName: ttl-000
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
  KeySchema: [{AttributeName: id, KeyType: HASH}]
  TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
"""


def test_dynalite_ttl_reported_at_validate_and_create_refuses_first(
    project, dcli, dynalite, monkeypatch, client
):
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", dynalite)
    project({"tables/000/table.yml": TTL_TABLE})
    out = dcli("dynamodb", "tables", "validate")
    assert out.code == 1, out
    assert "Properties.TimeToLiveSpecification:" in out.out
    assert "does not implement UpdateTimeToLive" in out.out
    created = dcli("dynamodb", "tables", "create")
    assert created.code == 1 and "UpdateTimeToLive" in created.err
    assert client(dynalite).list_tables()["TableNames"] == []  # checked before creating
    skipped = dcli("dynamodb", "tables", "create", "--skip-unsupported")
    assert skipped.code == 0, skipped
    assert "skipped UpdateTimeToLive" in skipped.err
