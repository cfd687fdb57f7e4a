"""Table files as users write them: bare resources with Serverless variables, CloudFormation
templates (SMOZ's own), Serverless ``resources:`` fragments, names that cannot be resolved."""

from __future__ import annotations

import json
import uuid

import pytest

BARE_WITH_VARIABLES = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${self:service}-${sls:stage}-orders
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions:
    - {AttributeName: pk, AttributeType: S}
    - {AttributeName: sk, AttributeType: S}
    - {AttributeName: gsi1pk, AttributeType: S}
  KeySchema:
    - {AttributeName: pk, KeyType: HASH}
    - {AttributeName: sk, KeyType: RANGE}
  GlobalSecondaryIndexes:
    - IndexName: gsi1
      KeySchema: [{AttributeName: gsi1pk, KeyType: HASH}]
      Projection: {ProjectionType: ALL}
  Tags:
    - {Key: service, Value: "${self:service}"}
    - {Key: stage, Value: "${opt:stage, 'dev'}"}
"""
# SMOZ's app/tables/000/table.yml (feature branches), verbatim.
SMOZ_TEMPLATE = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: DynamoDB table (v000) for the /app fixture
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${param:STAGE_NAME}-000
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: hashKey
          AttributeType: S
        - AttributeName: rangeKey
          AttributeType: S
      KeySchema:
        - AttributeName: hashKey
          KeyType: HASH
        - AttributeName: rangeKey
          KeyType: RANGE
"""
SERVERLESS_FRAGMENT = """\
resources:
  Resources:
    UploadsBucket:
      Type: AWS::S3::Bucket
    OrdersTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: ${self:service}-${opt:stage, 'dev'}-orders
        BillingMode: PROVISIONED
        ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
        AttributeDefinitions: [{AttributeName: id, AttributeType: N}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
TWO_TABLES = """\
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${param:STAGE_NAME}-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Audit:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${param:STAGE_NAME}-audit
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: at, AttributeType: S}]
      KeySchema: [{AttributeName: at, KeyType: HASH}]
"""
STACK_NAME = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: !Sub "${AWS::StackName}-orders"
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
  KeySchema: [{AttributeName: pk, KeyType: HASH}]
"""
INSIGHTS = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${param:STAGE_NAME}-000
  BillingMode: PAY_PER_REQUEST
  ContributorInsightsSpecification: {Enabled: true, Mode: THROTTLED_KEYS}
  KinesisStreamSpecification:
    StreamArn: arn:aws:kinesis:us-east-1:123456789012:stream/orders
    ApproximateCreationDateTimePrecision: MICROSECOND
  AttributeDefinitions:
    - {AttributeName: pk, AttributeType: S}
    - {AttributeName: g, AttributeType: S}
  KeySchema: [{AttributeName: pk, KeyType: HASH}]
  GlobalSecondaryIndexes:
    - IndexName: byG
      KeySchema: [{AttributeName: g, KeyType: HASH}]
      Projection: {ProjectionType: KEYS_ONLY}
      ContributorInsightsSpecification: {Enabled: true}
"""


@pytest.fixture
def files(project, monkeypatch, server):
    """``files(table_yml, config="")``: a project with tables/000/table.yml, at the server."""
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", server)
    service = f"svc{uuid.uuid4().hex[:8]}"

    def make(table: str, config: str = ""):
        return project(
            {
                ".env": f"SERVICE_NAME={service}\nSTAGE=test\n",
                "tables/000/table.yml": table,
                "getdotenv.config.yaml": config,
            }
        ), service

    return make


def create(dcli, *args):
    out = dcli("dynamodb", "tables", "create", *args)
    assert out.code == 0, out
    return json.loads(out.out)["table"], out.err


def keys_of(description):
    return (
        sorted((k["AttributeName"], k["KeyType"]) for k in description["KeySchema"]),
        sorted(
            (a["AttributeName"], a["AttributeType"]) for a in description["AttributeDefinitions"]
        ),
    )


def test_bare_resource_with_serverless_variables(files, dcli, ddb):
    _, service = files(BARE_WITH_VARIABLES)
    assert dcli("dynamodb", "tables", "validate").out == "tables/000/table.yml: ok\n"
    name, _ = create(dcli)
    assert name == f"{service}-test-orders"
    table = ddb.describe_table(TableName=name)["Table"]
    assert keys_of(table) == (
        [("pk", "HASH"), ("sk", "RANGE")],
        [("gsi1pk", "S"), ("pk", "S"), ("sk", "S")],
    )
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["gsi1"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    tags = ddb.list_tags_of_resource(ResourceArn=table["TableArn"])["Tags"]
    assert tags == [{"Key": "service", "Value": service}, {"Key": "stage", "Value": "test"}]


def test_smoz_cloudformation_template(files, dcli, ddb):
    _, service = files(SMOZ_TEMPLATE)
    assert dcli("dynamodb", "tables", "validate").out == "tables/000/table.yml: ok\n"
    name, _ = create(dcli)
    assert name == f"{service}-test-000"
    assert keys_of(ddb.describe_table(TableName=name)["Table"]) == (
        [("hashKey", "HASH"), ("rangeKey", "RANGE")],
        [("hashKey", "S"), ("rangeKey", "S")],
    )
    listed = dcli("dynamodb", "tables", "list")
    assert listed.out.startswith(f"000  {name}") and "exists" in listed.out


def test_serverless_fragment_picks_its_one_table(files, dcli, ddb):
    _, service = files(SERVERLESS_FRAGMENT)
    assert dcli("dynamodb", "tables", "validate").out == "tables/000/table.yml: ok\n"
    name, _ = create(dcli)
    assert name == f"{service}-test-orders"
    table = ddb.describe_table(TableName=name)["Table"]
    assert keys_of(table) == ([("id", "HASH")], [("id", "N")])
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3


def test_several_tables_need_a_logical_id(files, dcli, ddb):
    root, service = files(TWO_TABLES)
    out = dcli("dynamodb", "tables", "validate")
    assert out.out == (
        "tables/000/table.yml: holds 2 tables (Orders, Audit); say which with --resource ID or "
        "plugins.dynamodb.tables.resource\n"
    )
    name, _ = create(dcli, "--resource", "Audit")
    assert name == f"{service}-test-audit"
    (root / "getdotenv.config.yaml").write_text(
        "plugins:\n  dynamodb:\n    tables:\n      resource: Orders\n"
    )
    name, _ = create(dcli)
    assert name == f"{service}-test-orders"
    wrong = dcli("dynamodb", "tables", "create", "--resource", "Nope")
    assert wrong.err.endswith(
        "getdotenv: error: tables/000/table.yml: no resource 'Nope' (have: Orders, Audit)\n"
    )


def test_a_name_that_cannot_be_resolved_falls_back_and_says_so(files, dcli, ddb):
    _, service = files(STACK_NAME)
    out = dcli("dynamodb", "tables", "validate")
    assert (out.code, out.out) == (0, "tables/000/table.yml: ok\n")
    note = (
        "note: tables/000/table.yml: Properties.TableName: CloudFormation function Fn::Sub cannot "
        "be resolved outside CloudFormation; resolve it or set it in the file (or use ${param:NAME}); using the version's derived name "
        f"{service}-test-000 (${{STAGE_NAME}}-NNN; --table-name overrides)\n"
    )
    assert out.err == note
    name, err = create(dcli)
    assert name == f"{service}-test-000" and note in err
    overridden, _ = create(dcli, "--table-name", "chosen-by-hand")
    assert overridden == "chosen-by-hand"
    assert {name, overridden} <= set(ddb.list_tables()["TableNames"])


def test_a_missing_table_name_falls_back(files, dcli):
    _, service = files(STACK_NAME.replace('  TableName: !Sub "${AWS::StackName}-orders"\n', ""))
    name, err = create(dcli)
    assert name == f"{service}-test-000"
    assert "Properties.TableName: no TableName (CloudFormation would make one up)" in err


def test_generate_from_a_template_form_sets_the_tables_name(files, dcli):
    root, _ = files(SERVERLESS_FRAGMENT)
    assert dcli("dynamodb", "tables", "generate", "--version", "1").code == 0
    text = (root / "tables/001/table.yml").read_text()
    assert text == SERVERLESS_FRAGMENT.replace(
        "${self:service}-${opt:stage, 'dev'}-orders", "${param:STAGE_NAME}-001"
    )


def test_generate_in_an_empty_project_writes_a_starter_that_creates(files, dcli, ddb):
    root, service = files(SMOZ_TEMPLATE)
    (root / "tables/000/table.yml").unlink()
    (root / "tables/000").rmdir()
    listed = dcli("dynamodb", "tables", "list")
    assert "`dynamodb tables generate --version 000`" in listed.err
    out = dcli("dynamodb", "tables", "generate", "--version", "000")
    assert out.code == 0 and "generated from a starter table" in out.err
    name, _ = create(dcli)
    assert name == f"{service}-test-000"


def test_insights_and_kinesis_locally_refused_or_skipped(files, dcli, ddb):
    _, service = files(INSIGHTS)
    refused = dcli("dynamodb", "tables", "create")
    assert refused.code == 1 and "does not implement UpdateContributorInsights" in refused.err
    assert f"{service}-test-000" not in ddb.list_tables()["TableNames"]  # refused before creating
    name, err = create(dcli, "--skip-unsupported")
    assert "dynamodb: skipped UpdateContributorInsights (--skip-unsupported)" in err
    assert "dynamodb: skipped EnableKinesisStreamingDestination (--skip-unsupported)" in err
    assert "ContributorInsightsSpecification" not in str(ddb.describe_table(TableName=name))


def test_insights_and_kinesis_on_aws_become_follow_up_calls(project, dcli, monkeypatch):
    """On AWS (moto's mock; it lacks these two operations, so they are answered by a hook)."""
    import botocore.handlers
    from moto import mock_aws

    calls = []

    def answer(params, model, **_):
        from botocore.awsrequest import AWSResponse

        calls.append((model.name, params["body"]))
        return AWSResponse("https://aws", 200, {}, None), {}

    monkeypatch.setattr(
        botocore.handlers,
        "BUILTIN_HANDLERS",
        [
            *botocore.handlers.BUILTIN_HANDLERS,
            ("before-call.dynamodb.UpdateContributorInsights", answer),
            ("before-call.dynamodb.EnableKinesisStreamingDestination", answer),
        ],
    )
    project(
        {
            ".env": "STAGE_NAME=orders-prod\nDYNAMODB_LOCAL_ENDPOINT=\nAWS_REGION=us-east-1\n",
            "tables/000/table.yml": INSIGHTS,
        }
    )
    with mock_aws():
        name, _ = create(dcli)
    assert name == "orders-prod-000"
    assert [c[0] for c in calls] == [
        "UpdateContributorInsights",
        "UpdateContributorInsights",
        "EnableKinesisStreamingDestination",
    ]
    bodies = [json.loads(c[1]) for c in calls]
    assert bodies == [
        {
            "TableName": name,
            "ContributorInsightsAction": "ENABLE",
            "ContributorInsightsMode": "THROTTLED_KEYS",
        },
        {"TableName": name, "IndexName": "byG", "ContributorInsightsAction": "ENABLE"},
        {
            "TableName": name,
            "StreamArn": "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
            "EnableKinesisStreamingConfiguration": {
                "ApproximateCreationDateTimePrecision": "MICROSECOND"
            },
        },
    ]
