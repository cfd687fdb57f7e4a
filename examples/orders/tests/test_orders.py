"""The orders service's tests: the composed environment, a local DynamoDB, tables of their own."""

import os

import boto3
import pytest


def orders_table(dynamodb_local):
    """What the application does: the table named by TABLE_NAME, at the local endpoint."""
    resource = boto3.resource(
        "dynamodb",
        endpoint_url=os.environ["DYNAMODB_LOCAL_ENDPOINT"],
        region_name=dynamodb_local.region,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    return resource.Table(os.environ["TABLE_NAME"])


def test_the_session_sees_the_composed_environment(getdotenv_env):
    assert getdotenv_env["STAGE_NAME"] == "orders-dev"
    assert os.environ["DATABASE_URL"] == "postgres://localhost/orders"


def test_the_local_dynamodb_answers(dynamodb_local):
    assert os.environ["DYNAMODB_LOCAL_ENDPOINT"] == dynamodb_local.endpoint
    assert "TableNames" in dynamodb_local.client().list_tables()


@pytest.mark.parametrize("order", ["order-1", "order-2", "order-3"])
def test_each_test_gets_a_table_of_its_own(dynamodb_local, dynamodb_tables, order):
    table = orders_table(dynamodb_local)
    assert table.name == dynamodb_tables.name and table.item_count == 0
    table.put_item(Item={"pk": order, "total": 42})
    assert table.get_item(Key={"pk": order})["Item"]["total"] == 42


@pytest.mark.dynamodb_tables("000")
def test_versions_by_marker(dynamodb_tables):
    assert list(dynamodb_tables) == ["000"]
