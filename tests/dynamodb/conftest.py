"""Fixtures for the dynamodb plugin: the CLI with the plugin loaded, free ports, clients, a
shared built-in server per module."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from dynamodb_plugin import plugin
from dynamodb_plugin.local.state import free_port


@pytest.fixture
def dcli(cli):
    """The host in-process with the dynamodb plugin registered."""

    def invoke(*args: str, **kw: object):
        return cli(*args, plugins=[plugin], **kw)

    return invoke


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def client():
    """``client(endpoint)``: a boto3 DynamoDB client for a local endpoint."""
    import boto3

    def make(endpoint: str):
        return boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="local",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    return make


@pytest.fixture(autouse=True)
def _no_aws_settings_of_the_developer(tmp_path, monkeypatch):
    """The tests see no AWS settings but their own: no variables, no ~/.aws files, no IMDS."""
    import os

    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "aws-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def builtin(project, dcli, port):
    """A project whose built-in local DynamoDB runs (on a free port); yields its endpoint."""
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"})
    out = dcli("dynamodb", "local", "start")
    assert out.code == 0, out
    try:
        yield f"http://localhost:{port}"
    finally:
        dcli("dynamodb", "local", "stop")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One built-in server for the module; its endpoint comes through DYNAMODB_LOCAL_ENDPOINT."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    record = tmp_path_factory.mktemp("server") / "dynamodb-local.json"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dynamodb_plugin.local.server",
            "--port",
            str(port),
            "--record",
            str(record),
            "--endpoint",
            f"http://localhost:{port}",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    from dynamodb_plugin.local.probe import wait_ready

    try:
        assert wait_ready(
            f"http://localhost:{port}", "local", 30, alive=lambda: proc.poll() is None
        )
        yield f"http://localhost:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def ddb(server):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture
def server_app(monkeypatch):
    """moto's server app in this process, as the server builds it, with its API caller."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    from dynamodb_plugin.local import server

    monkeypatch.setenv("MOTO_ACCOUNT_ID", server.SHARED_ACCOUNT)
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "True")
    backend = dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION]
    backend.reset()
    yield server.api_caller(DomainDispatcherApplication(create_backend_app))
    backend.reset()


def create_keyed_table(ddb, name: str, hash_type: str = "S", range_type: str = "N") -> None:
    """A pay-per-request table keyed by ``pk`` (hash) and ``sk`` (range)."""
    ddb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": hash_type},
            {"AttributeName": "sk", "AttributeType": range_type},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
