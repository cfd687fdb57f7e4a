"""The user's AWS world: shell settings, their own boto3 code, servers we did not start."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from dynamodb_plugin import aws

TABLE_FILE = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${param:STAGE_NAME}-000
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
  KeySchema: [{AttributeName: pk, KeyType: HASH}]
"""

# The lines docs/dynamodb.md shows for application code (a test checks they are the same).
APP = """\
import os

import boto3

session = boto3.session.Session()
options = {}
endpoint = os.environ.get("DYNAMODB_LOCAL_ENDPOINT")  # set by getdotenv where one is used
if endpoint:
    options["endpoint_url"] = endpoint
    options["region_name"] = session.region_name or "us-east-1"
    if session.get_credentials() is None:  # a local DynamoDB takes any key
        options.update(aws_access_key_id="local", aws_secret_access_key="local")
dynamodb = session.client("dynamodb", **options)
"""
# An application that knows nothing of getdotenv: it only reads what boto3 reads.
PLAIN_APP = "import boto3\n\ndynamodb = boto3.client('dynamodb')\n"
PRINT_TABLES = "print(','.join(dynamodb.list_tables()['TableNames']))\n"


def write(root: Path, name: str, text: str) -> str:
    (root / name).write_text(text)
    return str(root / name)


def test_docs_show_the_app_lines_the_tests_run():
    docs = (Path(__file__).parents[2] / "docs" / "dynamodb.md").read_text()
    assert f"```python\n{APP}```" in docs


def test_app_child_signing_with_another_region_sees_the_tables_of_the_cli(
    builtin, dcli, monkeypatch
):
    """One database in the built-in server, whatever region or key a client signs with."""
    root = Path.cwd()
    (root / ".env").write_text("SERVICE_NAME=orders\nSTAGE=dev\n")
    (root / "tables/000").mkdir(parents=True)
    (root / "tables/000/table.yml").write_text(TABLE_FILE)
    monkeypatch.setenv("AWS_REGION", "eu-west-2")  # exported in the user's shell
    created = dcli("dynamodb", "tables", "create")
    assert created.code == 0, created
    assert f"dynamodb: local DynamoDB at {builtin}, region eu-west-2 (from AWS_REGION)" in (
        created.err
    )
    app = write(root, "app.py", APP + PRINT_TABLES)
    for region, key in (("ap-south-1", "AKIAOTHER"), ("local", "x")):
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key)
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
        out = dcli("cmd", sys.executable, app)
        assert (out.code, out.out) == (0, "orders-dev-000\n"), out


def test_unmodified_app_reaches_the_builtin_server_with_export_aws_env(project, dcli, port):
    root = project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"
            "      exportAwsEnv: true\n",
            ".env": "SERVICE_NAME=orders\nSTAGE=dev\n",
            "tables/000/table.yml": TABLE_FILE,
        }
    )
    app = write(root, "plain.py", PLAIN_APP + PRINT_TABLES)
    without = dcli("cmd", sys.executable, app)  # not running yet: boto3 gets the variables
    assert without.code == 1 and "EndpointConnectionError" in without.err
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        assert dcli("dynamodb", "tables", "create").code == 0
        out = dcli("cmd", sys.executable, app)
        assert (out.code, out.out) == (0, "orders-dev-000\n"), out
    finally:
        dcli("dynamodb", "local", "stop")


def test_export_aws_env_never_shadows_what_the_user_has(project, env_of, monkeypatch, tmp_path):
    from dynamodb_plugin import plugin

    keys = [
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
    ]
    project(
        {
            "getdotenv.config.yaml": "plugins:\n  dynamodb:\n    local:\n      port: 8123\n"
            "      exportAwsEnv: true\n"
        }
    )
    seen = env_of(keys=keys, plugins=[plugin])
    assert seen == {
        "AWS_ENDPOINT_URL_DYNAMODB": "http://localhost:8123",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    # a profile with a region and credentials in the user's files: nothing of theirs is shadowed
    (tmp_path / "aws-config").write_text("[profile dev]\nregion = eu-central-1\n")
    (tmp_path / "aws-credentials").write_text(
        "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "dev")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://elsewhere:1")
    assert env_of(keys=keys, plugins=[plugin]) == {
        "AWS_ENDPOINT_URL_DYNAMODB": "http://elsewhere:1",
        "AWS_DEFAULT_REGION": None,
        "AWS_REGION": None,
        "AWS_ACCESS_KEY_ID": None,
        "AWS_SECRET_ACCESS_KEY": None,
    }
    # AWS_REGION alone (what Lambda and the JS SDK read): boto3 gets it as AWS_DEFAULT_REGION
    monkeypatch.delenv("AWS_PROFILE")
    monkeypatch.setenv("AWS_REGION", "sa-east-1")
    assert env_of(keys=keys, plugins=[plugin])["AWS_DEFAULT_REGION"] == "sa-east-1"


def test_plain_moto_server_from_config_commands_without_any_region(project, dcli, port):
    """A server we did not start: moto_server rejects unknown regions such as `local`."""
    python = sys.executable
    root = project(
        {
            "getdotenv.config.yaml": f"""plugins:
  dynamodb:
    local:
      port: {port}
      start: {python} -m moto.server -H 127.0.0.1 -p $DYNAMODB_LOCAL_PORT > moto.log 2>&1 & echo $! > moto.pid
      stop: kill $(cat moto.pid) && rm moto.pid
""",
            ".env": "SERVICE_NAME=orders\nSTAGE=dev\n",
            "tables/000/table.yml": TABLE_FILE,
        }
    )
    assert dcli("dynamodb", "local", "start", "--timeout", "20").code == 0
    try:
        assert dcli("dynamodb", "local", "ready").code == 0
        assert dcli("dynamodb", "tables", "create").code == 0
        listed = dcli("dynamodb", "tables", "list")
        assert (listed.code, listed.out) == (0, "000  orders-dev-000" + " " * 27 + "exists\n")
        app = write(root, "app.py", APP + PRINT_TABLES)
        out = dcli("cmd", sys.executable, app)
        assert (out.code, out.out) == (0, "orders-dev-000\n"), out
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0


def test_shell_exported_endpoint_wins_over_the_local_one(builtin, dcli, monkeypatch, port):
    root = Path.cwd()
    (root / ".env").write_text("STAGE_NAME=s-dev\n")
    (root / "tables/000").mkdir(parents=True)
    (root / "tables/000/table.yml").write_text(TABLE_FILE)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")  # nothing listens
    out = dcli("dynamodb", "tables", "list")
    assert out.code == 1
    assert out.err.startswith(
        "dynamodb: local DynamoDB at http://127.0.0.1:9 (from AWS_ENDPOINT_URL_DYNAMODB), "
        "region us-east-1\ngetdotenv: error: listing tables at "
    )
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", builtin)
    assert dcli("dynamodb", "tables", "list").code == 0


def test_stage_name_from_the_shell(builtin, dcli, monkeypatch):
    root = Path.cwd()
    (root / "tables/000").mkdir(parents=True)
    (root / "tables/000/table.yml").write_text(TABLE_FILE)
    monkeypatch.setenv("STAGE_NAME", "shell-dev")
    out = dcli("dynamodb", "tables", "create")
    assert out.code == 0, out
    assert json.loads(out.out)["table"] == "shell-dev-000"


def test_a_project_without_dynamodb_sees_no_dynamodb_variables(project, dcli):
    project({".env": "A=1\n"})
    out = dcli("--log", "--redact-off")
    assert out.out == "A=1\n"
    listed = dcli("cmd", "env")
    assert "DYNAMODB_" not in listed.out


def test_a_running_local_dynamodb_gives_the_variables_until_stopped(project, dcli):
    project({})
    assert "DYNAMODB_LOCAL_ENDPOINT" not in dcli("--log").out
    started = dcli("dynamodb", "local", "start", "--port", "0")
    endpoint = started.out.split()[-1]
    try:
        assert f"DYNAMODB_LOCAL_ENDPOINT={endpoint}\n" in dcli("--log").out
    finally:
        dcli("dynamodb", "local", "stop")
    assert "DYNAMODB_LOCAL_ENDPOINT" not in dcli("--log").out


def test_aws_needs_asking(builtin, dcli, monkeypatch):
    """`--aws` reaches AWS itself: with no credentials anywhere, a clear error, no dummy keys."""
    root = Path.cwd()
    (root / ".env").write_text("STAGE_NAME=s-dev\n")
    (root / "tables/000").mkdir(parents=True)
    (root / "tables/000/table.yml").write_text(TABLE_FILE)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    out = dcli("dynamodb", "tables", "list", "--aws")
    assert out.code == 1
    assert out.err == (
        "dynamodb: AWS, region eu-west-1 (from AWS_DEFAULT_REGION)\n"
        "getdotenv: error: listing tables at AWS, region eu-west-1 (from AWS_DEFAULT_REGION): no "
        "AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or "
        "log in with `aws sso login`)\n"
    )


TARGETS = {
    "service endpoint first": (
        {"AWS_ENDPOINT_URL_DYNAMODB": "http://a:1", "AWS_ENDPOINT_URL": "http://b:1"},
        False,
        ("http://a:1", "AWS_ENDPOINT_URL_DYNAMODB"),
    ),
    "global endpoint": (
        {"AWS_ENDPOINT_URL": "http://b:1"},
        False,
        ("http://b:1", "AWS_ENDPOINT_URL"),
    ),
    "ignored configured endpoints": (
        {"AWS_ENDPOINT_URL": "http://b:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"},
        False,
        ("http://local:8000", "the endpoint rule"),
    ),
    "TypeScript's DYNAMODB_ENDPOINT": (
        {"DYNAMODB_ENDPOINT": "http://c:1"},
        False,
        ("http://c:1", "DYNAMODB_ENDPOINT"),
    ),
    "the local DynamoDB by default": ({}, False, ("http://local:8000", "the endpoint rule")),
    "AWS when asked": ({"DYNAMODB_ENDPOINT": "http://c:1"}, True, (None, "AWS")),
}


@pytest.mark.parametrize("env, use_aws, expected", TARGETS.values(), ids=TARGETS.keys())
def test_endpoint_precedence(env, use_aws, expected):
    found = aws.target(env, "http://local:8000", use_aws=use_aws)
    assert (found.endpoint, found.endpoint_source) == expected


def test_region_precedence(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ca-central-1\n[profile p]\nregion = eu-north-1\n")
    base = {"AWS_CONFIG_FILE": str(config)}
    region = aws.region
    assert region({**base, "AWS_REGION": "a", "AWS_DEFAULT_REGION": "b"}, local=False) == (
        "a",
        "AWS_REGION",
    )
    assert region({**base, "AWS_DEFAULT_REGION": "b"}, local=False) == ("b", "AWS_DEFAULT_REGION")
    assert region(base, local=False) == ("ca-central-1", "profile default")
    assert region({**base, "AWS_PROFILE": "p"}, local=False) == ("eu-north-1", "profile p")
    assert region({"AWS_CONFIG_FILE": str(tmp_path / "none")}, local=True) == (
        "us-east-1",
        "default for a local endpoint",
    )
    assert region({"AWS_CONFIG_FILE": str(tmp_path / "none")}, local=False) == (None, "not set")


def test_local_calls_use_the_users_credentials_when_there_are_any(tmp_path):
    creds = tmp_path / "credentials"
    creds.write_text("[default]\naws_access_key_id = AKIAUSER\naws_secret_access_key = s\n")
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(creds), "AWS_CONFIG_FILE": str(tmp_path / "c")}
    where = aws.target(env, "http://localhost:8000")
    assert aws.session(env, where).get_credentials().access_key == "AKIAUSER"
    empty = {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), **env}
    empty["AWS_SHARED_CREDENTIALS_FILE"] = str(tmp_path / "none")
    assert aws.session(empty, where).get_credentials().access_key == "local"
    on_aws = aws.target(empty, None, use_aws=True)
    assert aws.session(empty, on_aws).get_credentials() is None  # never dummy keys for AWS
