"""DynamoDB's documented limits on expressions (Constraints, "Expression parameters"), PartiQL
numbers and strings that are not Unicode, through boto3 and raw HTTP against a real server
process (review3: F6, F7, F8): each refused in DynamoDB's words with HTTP 400, or answered as
DynamoDB answers it; never an HTTP 500 or moto's exception."""

from __future__ import annotations

import pytest
from botocore.config import Config

from tests.dynamodb.conftest import create_keyed_table
from tests.dynamodb.test_strict import raw, refused

TABLE = "limits"


@pytest.fixture(scope="module")
def table(server):
    import boto3

    ddb = boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    create_keyed_table(ddb, TABLE)
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"N": "5"}, "x": {"N": "1"}})
    return TABLE


@pytest.fixture
def loose(server):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


KEY = {"pk": {"S": "a"}, "sk": {"N": "5"}}


# --- F6: the limits on expression parameters ----------------------------------------------------


def test_in_takes_at_most_100_operands(ddb, table):
    def scan(count: int):
        values = {f":v{i}": {"N": str(i)} for i in range(count)}
        return dict(
            TableName=table,
            FilterExpression=f"x IN ({', '.join(values)})",
            ExpressionAttributeValues=values,
        )

    assert ddb.scan(**scan(100))["Count"] == 1  # x = 1 is among them
    code, message, status = refused(ddb.scan, **scan(101))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid FilterExpression: The IN operator is provided with too many operands; "
        "number of operands: 101"
    )


def test_an_expression_has_at_most_300_operators(ddb, table):
    # "x = :v OR ..." : n comparisons and n - 1 ORs
    def condition(comparisons: int) -> str:
        return " OR ".join(["x = :v"] * comparisons)

    values = {":v": {"N": "1"}}
    assert (
        ddb.scan(
            TableName=table, FilterExpression=condition(150), ExpressionAttributeValues=values
        )["Count"]
        == 1
    )  # 299 operators
    code, message, status = refused(
        ddb.scan, TableName=table, FilterExpression=condition(151), ExpressionAttributeValues=values
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid FilterExpression: The expression contains too many operators; operator count: 301"
    )
    code, message, _ = refused(
        ddb.put_item,
        TableName=table,
        Item={**KEY, "x": {"N": "1"}},
        ConditionExpression="NOT " * 301 + "attribute_exists(pk)",
    )
    assert message == (
        "Invalid ConditionExpression: The expression contains too many operators; "
        "operator count: 301"
    )


def test_an_update_expression_has_at_most_300_operators(ddb, table):
    def update(pluses: int) -> dict:
        return dict(
            TableName=table,
            Key=KEY,
            UpdateExpression="SET y = :v" + " + :v" * pluses,
            ExpressionAttributeValues={":v": {"N": "0"}},
        )

    ddb.update_item(**update(300))
    code, message, status = refused(ddb.update_item, **update(301))
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid UpdateExpression: The expression contains too many operators; operator count: 301"
    )


def test_a_placeholder_key_has_at_most_255_bytes(loose, table):
    name = "#" + "n" * 254
    assert loose.get_item(
        TableName=table, Key=KEY, ProjectionExpression=name, ExpressionAttributeNames={name: "x"}
    )["Item"] == {"x": {"N": "1"}}
    name += "n"
    code, message, status = refused(
        loose.get_item,
        TableName=table,
        Key=KEY,
        ProjectionExpression=name,
        ExpressionAttributeNames={name: "x"},
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "ExpressionAttributeNames contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )
    value = ":" + "v" * 255
    code, message, _ = refused(
        loose.scan,
        TableName=table,
        FilterExpression=f"x = {value}",
        ExpressionAttributeValues={value: {"N": "1"}},
    )
    assert message == (
        "ExpressionAttributeValues contains invalid key: The expression attribute map contains a "
        "key that is too long; size of key: 256"
    )


def test_all_substitutions_of_an_expression_are_at_most_2_mb(ddb, table):
    limit = 2 * 1024 * 1024

    def scan(size: int) -> dict:  # ":v" and a string: size bytes in all
        return dict(
            TableName=table,
            FilterExpression="x = :v",
            ExpressionAttributeValues={":v": {"S": "é" * ((size - 2) // 2)}},
        )

    assert ddb.scan(**scan(limit))["Count"] == 0
    code, message, status = refused(ddb.scan, **scan(limit + 2))
    assert (code, status) == ("ValidationException", 400)
    assert message == "ExpressionAttributeValues exceeds max size"


# --- F8: strings that are not Unicode -----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"TableName": "%s", "Item": {"pk": {"S": "\\ud800"}, "sk": {"N": "1"}}}',
        '{"TableName": "%s", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "\\udc00": {"S": "x"}}}',
        '{"TableName": "%s", "Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "l": {"L": [{"S": "x\\udbff"}]}}}',
    ],
    ids=["a value", "an attribute name", "in a list"],
)
def test_a_lone_surrogate_is_a_serialization_error(server, table, body):
    """JSON can escape half of a UTF-16 pair alone (botocore sends one as ``\\ud800``); that is not
    Unicode: answered as a body that is not UTF-8 (moto failed with a UnicodeEncodeError)."""
    status, answer = raw(server, "PutItem", (body % table).encode())
    assert (status, answer) == (
        400,
        {
            "__type": "com.amazon.coral.service#SerializationException",
            "Message": "Start of structure or map found where not expected",
        },
    )


def test_lone_surrogates_through_boto3_and_pairs_kept(ddb, table):
    code, _, status = refused(
        ddb.put_item, TableName=table, Item={"pk": {"S": "\ud800"}, "sk": {"N": "1"}}
    )
    assert (code, status) == ("SerializationException", 400)
    # a pair (a character beyond U+FFFF, which json.dumps escapes as two) and a backslash are text
    ddb.put_item(TableName=table, Item={"pk": {"S": "\U0001f600 \\ud800"}, "sk": {"N": "1"}})
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "\U0001f600 \\ud800"}, "sk": {"N": "1"}})
    assert got["Item"]["pk"] == {"S": "\U0001f600 \\ud800"}
