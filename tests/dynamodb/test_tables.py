"""``dynamodb tables``: every command against a real built-in server, AWS through moto's mock."""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest

from dynamodb_plugin import plugin

TEMPLATE = """\
# tooling keeps this comment
Type: AWS::DynamoDB::Table
Properties:
  TableName: placeholder
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions:
    - AttributeName: pk
      AttributeType: S
  KeySchema:
    - AttributeName: pk
      KeyType: HASH
  TimeToLiveSpecification:
    AttributeName: expiresAt
    Enabled: true
  PointInTimeRecoverySpecification:
    PointInTimeRecoveryEnabled: true
  StreamSpecification:
    StreamViewType: NEW_AND_OLD_IMAGES
  Tags:
    - Key: stage
      Value: ${param:STAGE_NAME}
"""


class Project(NamedTuple):
    root: Path
    service: str

    def __truediv__(self, other: str) -> Path:
        return self.root / other


@pytest.fixture
def tables(project, monkeypatch, server):
    """A project with a table template, its own SERVICE_NAME, pointed at the server."""
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", server)
    service = f"svc{uuid.uuid4().hex[:8]}"
    root = project(
        {
            ".env": f"SERVICE_NAME={service}\nSTAGE=test\nTABLE_VERSION=002\n",
            ".env.local": "TABLE_VERSION_DEPLOYED=000\n",
            "tables/table.template.yml": TEMPLATE,
        }
    )
    return Project(root, service)


def run_json(dcli, *args):
    out = dcli("dynamodb", "tables", *args)
    assert out.code == 0, out
    return json.loads(out.out)


def test_names_are_derived_and_never_override(project, env_of):
    project(
        {".env": "SERVICE_NAME=orders\nSTAGE=dev\nTABLE_VERSION=001\nTABLE_VERSION_DEPLOYED=000\n"}
    )
    keys = ["STAGE_NAME", "TABLE_NAME", "TABLE_NAME_DEPLOYED"]
    assert env_of(keys=keys, plugins=[plugin]) == {
        "STAGE_NAME": "orders-dev",
        "TABLE_NAME": "orders-dev-001",
        "TABLE_NAME_DEPLOYED": "orders-dev-000",
    }
    assert env_of("--vars", "STAGE_NAME=custom TABLE_NAME=mine", keys=keys, plugins=[plugin]) == {
        "STAGE_NAME": "custom",
        "TABLE_NAME": "mine",
        "TABLE_NAME_DEPLOYED": "custom-000",
    }
    project(
        {
            ".env": "SERVICE_NAME=orders\nSTAGE=dev\nTABLE_VERSION=001\nTABLE_VERSION_DEPLOYED=000\n"
            "STAGE=\n"
        }
    )
    assert env_of(keys=keys, plugins=[plugin]) == dict.fromkeys(keys, None)


def test_generate_from_template_then_from_latest(tables, dcli):
    first = dcli("dynamodb", "tables", "generate", "--version", "0")
    assert (first.code, first.out) == (0, "tables/000/table.yml\n")
    text = (tables / "tables/000/table.yml").read_text()
    assert (
        text.startswith("# tooling keeps this comment\n")
        and "  TableName: ${param:STAGE_NAME}-000\n" in text
    )
    (tables / "tables/table.template.yml").unlink()
    assert dcli("dynamodb", "tables", "generate", "--version", "1").code == 0
    assert "TableName: ${param:STAGE_NAME}-001" in (tables / "tables/001/table.yml").read_text()
    again = dcli("dynamodb", "tables", "generate", "--version", "001")
    assert (again.code, again.err) == (
        1,
        "getdotenv: error: tables/001/table.yml exists; pass --force to overwrite it\n",
    )
    assert dcli("dynamodb", "tables", "generate", "--version", "001", "--force").code == 0


def test_validate_reports_every_problem(tables, dcli):
    (tables / "tables/003").mkdir(parents=True)
    (tables / "tables/003/table.yml").write_text("""\
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${param:STAGE_NAME}-002
  BillingMode: PAY_PER_REQUEST
  ProvisionedThroughput: {ReadCapacityUnits: 1, WriteCapacityUnits: 1}
  ImportSourceSpecification: {InputFormat: CSV}
  AttributeDefinitions:
    - {AttributeName: pk, AttributeType: S}
    - {AttributeName: unused, AttributeType: S}
  KeySchema:
    - {AttributeName: pk, KeyType: HASH}
    - {AttributeName: sk, KeyType: RANGE}
  Tags:
    - {Key: owner, Value: !Ref Owner}
""")
    out = dcli("dynamodb", "tables", "validate", "--version", "3")
    assert out.code == 1
    assert out.out.splitlines() == [
        "tables/003/table.yml: Properties.ImportSourceSpecification: an import creates the table from S3 data, which create cannot do; remove it and load the data after create",
        "tables/003/table.yml: Properties.ProvisionedThroughput: not allowed with BillingMode PAY_PER_REQUEST",
        "tables/003/table.yml: Properties.KeySchema[1].AttributeName: 'sk' is not defined in AttributeDefinitions",
        "tables/003/table.yml: Properties.AttributeDefinitions[1]: 'unused' is not used by any key schema (DynamoDB rejects that)",
    ]
    # Once the shape is right, what create would refuse next: values it cannot resolve, and
    # features the local server does not implement.
    (tables / "tables/003/table.yml").write_text("""\
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${param:STAGE_NAME}-002
  BillingMode: PAY_PER_REQUEST
  KinesisStreamSpecification: {StreamArn: arn:aws:kinesis:us-east-1:1:stream/x}
  ContributorInsightsSpecification: {Enabled: true}
  AttributeDefinitions:
    - {AttributeName: pk, AttributeType: S}
  KeySchema:
    - {AttributeName: pk, KeyType: HASH}
  Tags:
    - {Key: owner, Value: !Ref Owner}
    - {Key: team, Value: "${self:custom.team}"}
""")
    out = dcli("dynamodb", "tables", "validate", "--version", "3")
    assert out.code == 1
    target = f"local DynamoDB at {os.environ['DYNAMODB_LOCAL_ENDPOINT']}, region us-east-1"
    assert out.out.splitlines() == [
        "tables/003/table.yml: Properties.Tags[0].Value: CloudFormation function Ref cannot be resolved outside CloudFormation; resolve it or set it in the file (or use ${param:NAME})",
        "tables/003/table.yml: Properties.Tags[1].Value: ${self:custom.team} cannot be resolved outside Serverless (this host resolves ${param:NAME}, ${env:NAME}, ${sls:stage}, ${opt:stage}, ${self:service})",
        f"tables/003/table.yml: Properties.ContributorInsightsSpecification: {target} does not implement UpdateContributorInsights; remove it for local use, or pass --skip-unsupported to create without it",
        f"tables/003/table.yml: Properties.KinesisStreamSpecification: {target} does not implement EnableKinesisStreamingDestination; remove it for local use, or pass --skip-unsupported to create without it",
    ]
    assert dcli("dynamodb", "tables", "generate", "--version", "0").code == 0
    good = dcli("dynamodb", "tables", "validate", "--version", "000")
    assert (good.code, good.out) == (0, "tables/000/table.yml: ok\n")


def test_version_folders(tables, dcli):
    (tables / "tables/1").mkdir(parents=True)
    (tables / "tables/001").mkdir()
    out = dcli("dynamodb", "tables", "validate")
    assert out.err == "getdotenv: error: tables/001 and tables/1 are the same version 1; keep one\n"
    (tables / "tables/1").rmdir()
    missing = dcli("dynamodb", "tables", "create", "--version", "7")
    assert missing.err == "getdotenv: error: tables/007: no such version (have: 001)\n"


def test_create_list_delete_and_purge(tables, dcli, ddb):
    for version in ("0", "1", "2"):
        assert dcli("dynamodb", "tables", "generate", "--version", version).code == 0
    older = dcli("dynamodb", "tables", "create", "--version", "1")
    assert (
        older.err
        == "getdotenv: error: version 001 is older than the latest (002); pass --allow-non-latest to create it anyway\n"
    )
    name = f"{tables.service}-test-002"
    assert run_json(dcli, "create") == {
        "table": name,
        "version": "002",
        "status": "ACTIVE",
        "target": f"local DynamoDB at {ddb.meta.endpoint_url}, region us-east-1",
        "endpoint": ddb.meta.endpoint_url,
        "region": "us-east-1",
    }
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED",
        "AttributeName": "expiresAt",
    }
    backups = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    description = ddb.describe_table(TableName=name)["Table"]
    assert description["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    arn = description["TableArn"]
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [
        {"Key": "stage", "Value": f"{tables.service}-test"}
    ]
    exists = dcli("dynamodb", "tables", "create")
    target = f"local DynamoDB at {ddb.meta.endpoint_url}, region us-east-1"
    assert (exists.code, exists.err) == (
        1,
        f"dynamodb: {target}\ngetdotenv: error: creating table {name} at {target}: "
        f"ResourceInUseException: Table already exists: {name}\n",
    )

    listed = run_json(dcli, "list", "--json")["versions"]
    assert [(v["version"], v["exists"], v["current"], v["deployed"]) for v in listed] == [
        ("000", False, False, True),
        ("001", False, False, False),
        ("002", True, True, False),
    ]

    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    ddb.put_item(TableName=name, Item={"pk": {"S": "b"}})
    refused = dcli("dynamodb", "tables", "purge")
    assert refused.err == f"getdotenv: error: purging table {name} needs --force\n"
    assert run_json(dcli, "purge", "--force")["deleted_items"] == 2
    assert ddb.scan(TableName=name)["Count"] == 0
    assert dcli("dynamodb", "tables", "delete", "--table-name", name).code == 1
    assert run_json(dcli, "delete", "--table-name", name, "--force")["deleted"] is True
    assert name not in ddb.list_tables()["TableNames"]


CREATE_ERRORS = {
    "unresolvable param": (
        {".env": "SERVICE_NAME=x\n"},
        "tables/000/table.yml: Properties.TableName: ${param:STAGE_NAME} is not set (STAGE_NAME is not in the environment)",
    ),
    "illegal name": (
        {".env": "STAGE_NAME=bad name!\n"},
        "tables/000/table.yml: Properties.TableName: resolves to 'bad name!-000', which is not a valid table name "
        "(3-255 letters, digits, '_', '.' or '-')",
    ),
}


@pytest.mark.parametrize("files, message", CREATE_ERRORS.values(), ids=CREATE_ERRORS.keys())
def test_create_errors_before_any_call(project, dcli, files, message, monkeypatch):
    monkeypatch.setenv(
        "DYNAMODB_LOCAL_ENDPOINT", "http://127.0.0.1:9"
    )  # nothing listens: no call may be made
    root = project(
        {**files, "tables/table.template.yml": TEMPLATE.replace("${param:STAGE_NAME}", "x")}
    )
    assert dcli("dynamodb", "tables", "generate", "--version", "0").code == 0
    assert (root / "tables/000/table.yml").exists()
    out = dcli("dynamodb", "tables", "create")
    assert (out.code, out.err) == (1, f"getdotenv: error: {message}\n")


def test_create_rejects_what_it_cannot_resolve(project, dcli, monkeypatch):
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", "http://127.0.0.1:9")
    project(
        {
            ".env": "STAGE_NAME=s-dev\n",
            "tables/table.template.yml": TEMPLATE.replace(
                "Value: ${param:STAGE_NAME}", "Value: !Sub '${AWS::Region}'"
            ),
        }
    )
    dcli("dynamodb", "tables", "generate", "--version", "0")
    out = dcli("dynamodb", "tables", "create")
    assert out.err == (
        "getdotenv: error: tables/000/table.yml: Properties.Tags[0].Value: CloudFormation function "
        "Fn::Sub cannot be resolved outside CloudFormation; resolve it or set it in the file (or use ${param:NAME})\n"
    )


RESHAPE = '''\
def transform(item):
    """001: split the name; drop archived items."""
    if item.get("archived"):
        return None
    first, _, last = item.pop("name").partition(" ")
    return {**item, "first": first, "last": last}
'''
FAN_OUT = '''\
import os


def transform(item):
    """002: one item per tag; fails on item k33 while the flag file exists (an interruption)."""
    if item["pk"] == "k33" and os.path.exists(os.environ.get("FAIL_FLAG", "")):
        raise RuntimeError("interrupted")
    return [{**item, "pk": f"{item['pk']}#{tag}", "tag": tag} for tag in sorted(item.pop("tags", []))]
'''


def test_two_step_migration_interrupted_then_rerun(tables, dcli, ddb, monkeypatch):
    for version in ("0", "1", "2"):
        assert dcli("dynamodb", "tables", "generate", "--version", version).code == 0
    (tables / "tables/001/transform.py").write_text(RESHAPE)
    (tables / "tables/002/transform.py").write_text(FAN_OUT)
    assert dcli("dynamodb", "tables", "create", "--version", "0", "--allow-non-latest").code == 0
    assert dcli("dynamodb", "tables", "create").code == 0
    source, target = f"{tables.service}-test-000", f"{tables.service}-test-002"
    for i in range(40):
        item = {
            "pk": {"S": f"k{i}"},
            "name": {"S": f"Ada {i}"},
            "tags": {"SS": ["a", "b"]} if i % 2 else {"SS": ["c"]},
        }
        if i % 10 == 9:
            item["archived"] = {"BOOL": True}
        ddb.put_item(TableName=source, Item=item)

    refused = dcli("dynamodb", "tables", "migrate")
    assert (
        refused.err
        == f"getdotenv: error: migrate writes to table {target}; pass --force (or --dry-run to preview)\n"
    )
    preview = run_json(dcli, "migrate", "--dry-run")
    assert (preview["read"], preview["written"], preview["dropped"], preview["steps"]) == (
        40,
        52,
        4,
        ["001", "002"],
    )
    assert ddb.scan(TableName=target)["Count"] == 0

    flag = tables / "fail.flag"
    flag.write_text("1")
    monkeypatch.setenv("FAIL_FLAG", str(flag))
    failed = dcli(
        "dynamodb", "tables", "migrate", "--force", "--page-size", "5", "--concurrency", "2"
    )
    assert failed.code == 1
    checkpoints = list((tables / ".getdotenv" / "migrate").glob("*.json"))
    assert len(checkpoints) == 1 and oct(checkpoints[0].stat().st_mode & 0o777) == "0o600"
    assert oct(checkpoints[0].parent.stat().st_mode & 0o777) == "0o700"
    committed = json.loads(checkpoints[0].read_text())["counts"]
    assert failed.err.splitlines()[-1] == (
        "getdotenv: error: tables/002/transform.py: transform raised RuntimeError: interrupted for "
        f"item {{pk: 'k33'}}; migrate stopped with {committed['written']} items written for good; "
        "the same command with --resume continues from "
        f".getdotenv/migrate/{checkpoints[0].name}"
    )
    assert 0 < committed["read"] < 40
    assert 0 < ddb.scan(TableName=target)["Count"] < 52  # interrupted part-way
    assert ddb.scan(TableName=source)["Count"] == 40  # the source is never written
    flag.unlink()
    done = run_json(dcli, "migrate", "--force", "--page-size", "5", "--resume")
    assert done["resumed"] == committed
    assert done["read"] == 40 - committed["read"]  # only what came after the checkpoint
    assert (
        done["written"] == 52 - committed["written"] and done["dropped"] == 4 - committed["dropped"]
    )
    assert not checkpoints[0].exists()  # completed: the place is no longer kept
    items = {i["pk"]["S"]: i for i in ddb.scan(TableName=target)["Items"]}
    assert len(items) == 52
    assert items["k1#b"] == {
        "pk": {"S": "k1#b"},
        "first": {"S": "Ada"},
        "last": {"S": "1"},
        "tag": {"S": "b"},
    }
    assert "k9#a" not in items and "k9#c" not in items


BAD_TRANSFORMS = {
    "wrong return type": (
        "def transform(item):\n    return 42\n",
        "tables/001/transform.py: transform returned int for item {pk: 'k0'}; expected a dict, a list of dicts or None",
    ),
    "syntax error": (
        "def transform(item)\n    return item\n",
        "tables/001/transform.py:1: syntax error: expected ':'",
    ),
    "no function": ("x = 1\n", "tables/001/transform.py: defines no transform(item) function"),
}


@pytest.mark.parametrize("source, message", BAD_TRANSFORMS.values(), ids=BAD_TRANSFORMS.keys())
def test_bad_transforms_are_one_line(tables, dcli, ddb, source, message):
    for version in ("0", "1"):
        dcli("dynamodb", "tables", "generate", "--version", version)
    (tables / "tables/001/transform.py").write_text(source)
    assert dcli("dynamodb", "tables", "create", "--version", "0", "--allow-non-latest").code == 0
    assert dcli("dynamodb", "tables", "create", "--version", "1").code == 0
    ddb.put_item(TableName=f"{tables.service}-test-000", Item={"pk": {"S": "k0"}})
    out = dcli("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
    assert (out.code, out.err.splitlines()[-1]) == (1, f"getdotenv: error: {message}")


def test_migrate_needs_versions(tables, dcli):
    dcli("dynamodb", "tables", "generate", "--version", "0")
    out = dcli("dynamodb", "tables", "migrate", "--force")
    assert out.err == "getdotenv: error: tables/002: no such version (have: 000)\n"


def test_aws_path_without_an_endpoint(project, dcli, monkeypatch):
    """No endpoint: real AWS, here moto's in-process mock (AWS itself is out of reach)."""
    from moto import mock_aws

    project(
        {
            ".env": "SERVICE_NAME=orders\nSTAGE=prod\nDYNAMODB_LOCAL_ENDPOINT=\nAWS_REGION=us-east-1\n",
            "tables/table.template.yml": TEMPLATE,
        }
    )
    assert dcli("dynamodb", "tables", "generate", "--version", "0").code == 0
    with mock_aws():
        out = run_json(dcli, "create")
        assert out == {
            "table": "orders-prod-000",
            "version": "000",
            "status": "ACTIVE",
            "target": "AWS, region us-east-1 (from AWS_REGION)",
            "endpoint": None,
            "region": "us-east-1",
        }
        import boto3

        assert boto3.client("dynamodb", region_name="us-east-1").list_tables()["TableNames"] == [
            "orders-prod-000"
        ]
        listed = run_json(dcli, "list", "--json")
        assert listed["endpoint"] is None and listed["versions"][0]["exists"] is True
        deleted = dcli("dynamodb", "tables", "delete", "--force")
        assert (
            deleted.code == 0
            and (
                "dynamodb: deleting table orders-prod-000 in AWS account 123456789012, "
                "AWS, region us-east-1 (from AWS_REGION)\n"
            )
            in deleted.err
        )
    local = dcli("dynamodb", "local", "start")
    assert local.err.startswith("getdotenv: error: DYNAMODB_LOCAL_ENDPOINT is set empty")


def test_cloudformation_short_tags_are_read_and_reported(tables, dcli):
    (tables / "tables/000").mkdir(parents=True)
    (tables / "tables/000/table.yml").write_text(
        TEMPLATE.replace("TableName: placeholder", "TableName: ${param:STAGE_NAME}-000").replace(
            "Value: ${param:STAGE_NAME}", "Value: !GetAtt Thing.Arn"
        )
    )
    out = dcli("dynamodb", "tables", "validate")
    assert (out.code, out.out) == (
        1,
        "tables/000/table.yml: Properties.Tags[0].Value: CloudFormation function Fn::GetAtt "
        "cannot be resolved outside CloudFormation; resolve it or set it in the file (or use ${param:NAME})\n",
    )


CONTRACT = {
    "float": (
        'return {**item, "price": 3.5}',
        "tables/001/transform.py: transform output for item {pk: 'k0'}: price is a float (3.5); "
        "DynamoDB numbers are decimal.Decimal: use Decimal(str(x))",
    ),
    "nested float": (
        'return {**item, "l": [1, {"x": 2.5}]}',
        "tables/001/transform.py: transform output for item {pk: 'k0'}: l[1].x is a float (2.5); "
        "DynamoDB numbers are decimal.Decimal: use Decimal(str(x))",
    ),
    "empty set": (
        'return {**item, "tags": set()}',
        "tables/001/transform.py: transform output for item {pk: 'k0'}: tags is an empty set, "
        "which DynamoDB rejects (leave the attribute out)",
    ),
    "None in a set": (
        'return {**item, "tags": {None}}',
        "tables/001/transform.py: transform output for item {pk: 'k0'}: tags is a set holding "
        "None, which DynamoDB rejects",
    ),
    "map key not a string": (
        'return {**item, "m": {1: "x"}}',
        "tables/001/transform.py: transform output for item {pk: 'k0'}: m has the map key 1 "
        "(int); DynamoDB map keys are strings",
    ),
    "key attribute missing": (
        'return {"other": "x"}',
        "tables/001/transform.py: the item made from {pk: 'k0'} lacks the key attribute 'pk' "
        "(table {target})",
    ),
    "key attribute of the wrong type": (
        'return {**item, "pk": 5}',
        "tables/001/transform.py: the item made from {pk: 'k0'} has the key attribute 'pk' of "
        "type N; the table's is S (table {target})",
    ),
    "empty key attribute": (
        'return {**item, "pk": ""}',
        "tables/001/transform.py: the item made from {pk: 'k0'} has an empty key attribute 'pk', "
        "which DynamoDB rejects (table {target})",
    ),
}


@pytest.fixture
def two_versions(tables, dcli, ddb):
    """Tables 000 (one item, k0) and 001 exist; returns their names."""
    for version in ("0", "1"):
        dcli("dynamodb", "tables", "generate", "--version", version)
    assert dcli("dynamodb", "tables", "create", "--version", "0", "--allow-non-latest").code == 0
    assert dcli("dynamodb", "tables", "create", "--version", "1").code == 0
    source, target = f"{tables.service}-test-000", f"{tables.service}-test-001"
    ddb.put_item(TableName=source, Item={"pk": {"S": "k0"}})
    return source, target


@pytest.mark.parametrize("body, message", CONTRACT.values(), ids=CONTRACT.keys())
def test_transform_contract_is_one_line_naming_version_item_and_path(
    tables, two_versions, dcli, ddb, body, message
):
    _, target = two_versions
    (tables / "tables/001/transform.py").write_text(f"def transform(item):\n    {body}\n")
    out = dcli("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
    assert out.code == 1
    assert out.err.splitlines()[-1] == "getdotenv: error: " + message.replace("{target}", target)
    assert "Traceback" not in out.err
    assert ddb.scan(TableName=target)["Count"] == 0  # nothing of a refused item is written


def test_duplicate_keys_are_reported_and_the_summary_counts_what_is_stored(
    tables, two_versions, dcli, ddb
):
    source, target = two_versions
    for i in range(1, 30):
        ddb.put_item(TableName=source, Item={"pk": {"S": f"k{i}"}})
    (tables / "tables/001/transform.py").write_text(
        "def transform(item):\n    return [{**item, 'n': 1}, {'pk': 'shared'}]\n"
    )
    out = dcli("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
    assert out.code == 0, out
    summary = json.loads(out.out)
    assert (summary["read"], summary["written"], summary["duplicates"]) == (30, 31, 29)
    assert ddb.scan(TableName=target, Select="COUNT")["Count"] == 31
    assert (
        "migrate: 29 output(s) repeated a key already written in this run (first: "
        "{pk: 'shared'}); one of each key was kept (with --segments 1, the first)"
    ) in out.err
