"""Fixtures for the dynamodb plugin: the CLI with the plugin loaded, free ports, a client."""

from __future__ import annotations

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
