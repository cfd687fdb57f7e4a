"""``getdotenv aws dynamodb ...`` as SMOZ wires it, beside ``getdotenv dynamodb ...``."""

from __future__ import annotations

import json
import socket

import pytest

from dynamodb_plugin import plugin

# Several tests use an SSO profile without a token, with loginOnDemand: any AWS resolution would
# log in (the stand-in records it) or fail. Commands that need no AWS must do neither.


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def dcli(cli):
    def invoke(*args: str, **kw: object):
        return cli(*args, plugins=[plugin], **kw)

    return invoke


def test_local_start_status_stop_under_aws_with_the_port_of_its_slice(aws_world, dcli, project):
    port = free_port()
    project(
        {
            ".env": "AWS_PROFILE=sso\n",
            "getdotenv.config.json": json.dumps(
                {
                    "plugins": {
                        "aws": {"loginOnDemand": True},
                        "aws/dynamodb": {"local": {"port": port}},
                    }
                }
            ),
        }
    )
    start = dcli("aws", "dynamodb", "local", "start")
    try:
        assert start.code == 0, start
        assert f"http://localhost:{port}" in start.out + start.err
        status = dcli("aws", "dynamodb", "local", "status")
        assert status.code == 0, status
        # the same server, through the plain mount
        assert dcli("dynamodb", "local", "status").code == 0
    finally:
        stop = dcli("aws", "dynamodb", "local", "stop")
    assert stop.code == 0, stop
    assert dcli("aws", "dynamodb", "local", "status").code != 0
    assert aws_world.calls() == []  # no AWS resolution, no login
    assert not (aws_world.home / ".aws" / "sso").exists()


@pytest.mark.parametrize("mount", [["dynamodb"], ["aws", "dynamodb"]])
def test_plugins_dynamodb_wins_key_by_key_under_either_mount(aws_world, dcli, project, mount):
    ours, theirs = free_port(), free_port()
    project(
        {
            "getdotenv.config.json": json.dumps(
                {
                    "plugins": {
                        "dynamodb": {"local": {"port": ours}},
                        "aws/dynamodb": {"local": {"port": theirs}, "tablesPath": "tbl"},
                    }
                }
            ),
        }
    )
    out = dcli(*mount, "local", "start")
    try:
        assert out.code == 0, out
        assert f"endpoint http://localhost:{ours}" in out.out + out.err, out
        assert "disagree on local.port; plugins.dynamodb wins" in out.err
    finally:
        assert dcli(*mount, "local", "stop").code == 0
    generated = dcli(*mount, "tables", "generate", "--version", "000")
    assert generated.code == 0, generated
    assert (project({}) / "tbl" / "000" / "table.yml").exists()  # tablesPath of aws/dynamodb


def test_aws_target_uses_the_aws_groups_profile_and_region(aws_world, dcli, project):
    project({".env": "AWS_PROFILE=static\nAWS_REGION=us-west-1\nSTAGE_NAME=svc-dev\n"})
    assert dcli("dynamodb", "tables", "generate", "--version", "000").code == 0
    out = dcli("aws", "--region", "eu-west-3", "dynamodb", "tables", "list", "--aws")
    assert out.code == 0, out
    assert "region eu-west-3" in out.err
    plain = dcli("dynamodb", "tables", "list", "--aws")
    assert plain.code == 0, plain
    assert "region us-west-1" in plain.err


def test_aws_target_without_the_aws_group_needs_no_resolution(
    aws_world, dcli, project, monkeypatch
):
    # Under aws but without --aws: the local target, nothing resolved (the trap stays shut).
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    port = free_port()
    project(
        {
            ".env": "AWS_PROFILE=sso\nSTAGE_NAME=svc-dev\n",
            "getdotenv.config.json": json.dumps(
                {"plugins": {"aws": {"loginOnDemand": True}, "dynamodb": {"local": {"port": port}}}}
            ),
        }
    )
    assert dcli("dynamodb", "tables", "generate", "--version", "000").code == 0
    out = dcli("aws", "dynamodb", "tables", "list")
    assert f"local DynamoDB at http://localhost:{port}" in out.err, out
    assert aws_world.calls() == []
    assert not (aws_world.home / ".aws" / "sso").exists()


def test_smoz_mounts_dynamodb_only_under_aws(aws_world, cli, project):
    project({})
    smoz = dict(prog_name="smoz", plugins=[plugin], mounts={"dynamodb": None})
    out = cli("aws", "--help", **smoz)
    assert out.code == 0 and "dynamodb" in out.out
    assert "Usage: smoz aws" in out.out
    status = cli("aws", "dynamodb", "local", "status", **smoz)
    assert "local dynamodb: not running" in status.out + status.err, status
    top = cli("--help", **smoz)
    commands = top.out.split("Commands:")[1]
    assert "aws" in commands and "dynamodb" not in commands
