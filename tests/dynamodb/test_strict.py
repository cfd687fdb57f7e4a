"""The built-in server is strict where DynamoDB is strict (issue 18, point 3): each case answers
DynamoDB's error type and message with HTTP 400, never a 500, through boto3 against a real
server process; and no request at all, however malformed, gets an HTTP 500."""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.dynamodb.conftest import create_keyed_table

TABLE = "strict"


def _create_table(server, name):
    """A table keyed (pk: S, sk: N) on the server; its client."""
    import boto3

    ddb = boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    create_keyed_table(ddb, name)
    return ddb


@pytest.fixture(scope="module")
def table(server):
    ddb = _create_table(server, TABLE)
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
    return TABLE


@pytest.fixture
def loose(server):
    """A boto3 client that leaves validation to the server, as the SDKs for other languages
    do (the JavaScript SDK v3 sends ``Limit: 0``)."""
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(parameter_validation=False, retries={"max_attempts": 1}),
    )


def refused(call, *args, **kw) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call(*args, **kw)
    error = info.value.response
    return (
        error["Error"]["Code"],
        error["Error"]["Message"],
        error["ResponseMetadata"]["HTTPStatusCode"],
    )


def raw(server: str, operation: str, body: bytes, target: str | None = None) -> tuple[int, dict]:
    """A request as any HTTP client sends it (botocore cannot send bad base64)."""
    request = urllib.request.Request(
        server + "/",
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": target or f"DynamoDB_20120810.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=local/20000101/local/dynamodb/"
            "aws4_request, SignedHeaders=host, Signature=0",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, data = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    try:
        return status, json.loads(data or b"{}")
    except ValueError:
        return status, {"not json": data[:200].decode("latin-1")}


def item(sk: str, **attrs: dict) -> dict:
    return {"pk": {"S": "a"}, "sk": {"N": sk}, **attrs}


def nested(levels: int) -> dict:
    value: dict = {"S": "leaf"}
    for _ in range(levels):
        value = {"M": {"a": value}}
    return value


# --- today an HTTP 500 -------------------------------------------------------------------------


def test_a_malformed_condition_expression_is_a_syntax_error(ddb, table):
    code, message, status = refused(
        ddb.put_item, TableName=table, Item=item("2"), ConditionExpression="attribute_exists(pk"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "pk"'
    code, message, _ = refused(
        ddb.put_item,
        TableName=table,
        Item=item("2"),
        ConditionExpression="pk = = :v",
        ExpressionAttributeValues={":v": {"S": "a"}},
    )
    assert message == 'Invalid ConditionExpression: Syntax error; token: "=", near: "= = :v"'


def test_an_undefined_value_in_an_expression(ddb, table):
    code, message, status = refused(
        ddb.put_item, TableName=table, Item=item("2"), ConditionExpression="pk = :nope"
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid ConditionExpression: An expression attribute value used in expression is not "
        "defined; attribute value: :nope"
    )
    code, message, _ = refused(ddb.scan, TableName=table, FilterExpression="#n = :v")
    assert message == (
        "Invalid FilterExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #n"
    )


def test_limit_zero(loose, table):
    for call, extra in (
        (loose.scan, {}),
        (
            loose.query,
            {
                "KeyConditionExpression": "pk = :v",
                "ExpressionAttributeValues": {":v": {"S": "a"}},
            },
        ),
    ):
        code, message, status = refused(call, TableName=table, Limit=0, **extra)
        assert (code, status) == ("ValidationException", 400)
        assert message == (
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1"
        )


def test_an_exclusive_start_key_without_the_range_key(ddb, table):
    code, message, status = refused(ddb.scan, TableName=table, ExclusiveStartKey={"pk": {"S": "a"}})
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "The provided starting key is invalid: The provided key element does not match the schema"
    )
    code, message, _ = refused(
        ddb.query,
        TableName=table,
        KeyConditionExpression="pk = :v",
        ExpressionAttributeValues={":v": {"S": "a"}},
        ExclusiveStartKey={"pk": {"S": "a"}},
    )
    assert message == "The provided starting key is invalid"
    # the whole key still pages on
    page = ddb.scan(TableName=table, ExclusiveStartKey={"pk": {"S": "a"}, "sk": {"N": "0"}})
    assert page["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_base64_with_bad_padding(server, table):
    for text in ("abc", "ab=", "YWJjZA="):
        status, body = raw(
            server,
            "PutItem",
            json.dumps({"TableName": table, "Item": item("3", b={"B": text})}).encode(),
        )
        assert status == 400
        assert body == {
            "__type": "com.amazon.coral.service#SerializationException",
            "Message": f"Base64 encoded length is expected a multiple of 4 bytes but found: "
            f"{len(text)}",
        }
    status, body = raw(
        server,
        "PutItem",
        json.dumps({"TableName": table, "Item": item("3", b={"B": "ab=c"})}).encode(),
    )
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
    good = base64.b64encode(b"abcd").decode()
    status, _ = raw(
        server,
        "PutItem",
        json.dumps({"TableName": table, "Item": item("3", b={"B": good})}).encode(),
    )
    assert status == 200


def test_nesting_beyond_32_levels(ddb, server, table):
    expected = ("ValidationException", "Nesting Levels have exceeded supported limits", 400)
    assert refused(ddb.put_item, TableName=table, Item=item("4", d=nested(33))) == expected
    # 300 levels: more than botocore serialises, so as any HTTP client sends them
    body = {"TableName": table, "Item": item("4", d=nested(300))}
    status, answer = raw(server, "PutItem", json.dumps(body).encode())
    assert (status, answer) == (
        400,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
            "message": expected[1],
        },
    )
    ddb.put_item(TableName=table, Item=item("4", d=nested(32)))
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "4"}})["Item"]
    assert got["d"] == nested(32)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range",
        ),
    ],
)
def test_a_filter_against_an_out_of_range_number(ddb, table, number, message):
    code, text, status = refused(
        ddb.scan,
        TableName=table,
        FilterExpression="sk = :v",
        ExpressionAttributeValues={":v": {"N": number}},
    )
    assert (code, status) == ("ValidationException", 400)
    assert text == f"ExpressionAttributeValues contains invalid value: {message} for key :v"


# --- today accepted although DynamoDB refuses them ---------------------------------------------


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("1" * 39, "Attempting to store more than 38 significant digits in a Number"),
        (
            "-1.00000000000000000000000000000000000001",
            "Attempting to store more than 38 significant digits in a Number",
        ),
        (
            "1E+126",
            "Number overflow. Attempting to store a number with magnitude larger than supported "
            "range",
        ),
        (
            "1E-131",
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range",
        ),
    ],
)
def test_numbers_outside_dynamodbs_range_are_refused(ddb, table, number, message):
    assert refused(ddb.put_item, TableName=table, Item=item("6", n={"N": number})) == (
        "ValidationException",
        message,
        400,
    )
    assert refused(ddb.put_item, TableName=table, Item=item("6", n={"NS": ["1", number]}))[1] == (
        message
    )
    assert (
        refused(
            ddb.put_item, TableName=table, Item=item("6", n={"L": [{"M": {"x": {"N": number}}}]})
        )[1]
        == message
    )


def test_numbers_at_dynamodbs_limits_are_kept(ddb, table):
    edges = [
        "1" * 38,
        "1" * 38 + "000",  # trailing zeros are not significant
        "9.9999999999999999999999999999999999999E+125",
        "-9.9999999999999999999999999999999999999E+125",
        "1E-130",
        "0.0",
    ]
    ddb.put_item(
        TableName=table, Item=item("7", **{f"n{i}": {"N": n} for i, n in enumerate(edges)})
    )
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "7"}})["Item"]
    assert len([k for k in got if k.startswith("n")]) == len(edges)


def test_duplicates_in_a_set(ddb, table):
    assert refused(ddb.put_item, TableName=table, Item=item("8", s={"SS": ["a", "a"]})) == (
        "ValidationException",
        "One or more parameter values were invalid: Input collection [a, a] contains duplicates.",
        400,
    )
    assert refused(ddb.put_item, TableName=table, Item=item("8", s={"NS": ["1", "1.0"]})) == (
        "ValidationException",
        "Input collection contains duplicates",
        400,
    )
    code, message, _ = refused(
        ddb.put_item, TableName=table, Item=item("8", s={"BS": [b"x", b"x"]})
    )
    assert message == (
        "One or more parameter values were invalid: Input collection [eA==, eA==]of type BS "
        "contains duplicates."
    )
    ddb.put_item(TableName=table, Item=item("8", s={"NS": ["1", "1.5"]}))


def test_a_key_of_the_wrong_type(ddb, table):
    wrong = {"pk": {"N": "1"}, "sk": {"N": "1"}}
    expected = ("ValidationException", "The provided key element does not match the schema", 400)
    assert refused(ddb.get_item, TableName=table, Key=wrong) == expected
    assert refused(ddb.delete_item, TableName=table, Key=wrong) == expected
    assert refused(ddb.get_item, TableName=table, Key={"pk": {"S": "a"}}) == expected
    assert refused(ddb.batch_get_item, RequestItems={table: {"Keys": [wrong]}}) == expected
    answer = ddb.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
    assert answer["Item"]["pk"] == {"S": "a"}


# --- the rest of the request -------------------------------------------------------------------


def test_wrong_types_and_bad_json_are_serialization_errors(server, table):
    status, body = raw(server, "GetItem", b"{not json")
    assert (status, body["__type"]) == (400, "com.amazon.coral.service#SerializationException")
    status, body = raw(server, "Scan", json.dumps({"TableName": table, "Limit": "x"}).encode())
    assert (status, body) == (
        400,
        {
            "__type": "com.amazon.coral.service#SerializationException",
            "Message": "STRING_VALUE cannot be converted to Integer",
        },
    )
    status, body = raw(server, "PutItem", json.dumps({"TableName": table, "Item": []}).encode())
    assert status == 400 and body["Message"].startswith("Unrecognized collection type")


def test_a_missing_required_member(loose):
    code, message, status = refused(loose.get_item, Key={"pk": {"S": "a"}})
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
        "Member must not be null"
    )


def test_what_moto_fails_on_is_a_dynamodb_shaped_400_and_logged(caplog):
    """The last line of defence, in-process: an exception from the app behind, or an HTTP 500
    it answers, becomes a DynamoDB-shaped 400 and a log record."""
    from werkzeug.test import Client

    from dynamodb_plugin.local import strict

    def failing(environ, start_response):
        raise KeyError("boom")

    def five_hundred(environ, start_response):
        start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html")])
        return [b"<html>"]

    for app in (failing, five_hundred):
        client = Client(strict.Strict(app, lambda name: None))
        answer = client.post(
            "/",
            data=b"{}",
            headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"},
        )
        assert answer.status_code == 400
        body = json.loads(answer.get_data())
        assert body["__type"] == "com.amazonaws.dynamodb.v20120810#ValidationException"
        assert "could not process this request" in body["message"]
    assert any("moto failed" in r.getMessage() for r in caplog.records)


# --- no request makes the server answer 500 ----------------------------------------------------

_OPERATIONS = [
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchWriteItem",
    "BatchGetItem",
    "TransactWriteItems",
    "TransactGetItems",
    "DescribeTable",
    "ListTables",
    "DescribeTimeToLive",
    "ExecuteStatement",
]


def _templates(table: str) -> dict[str, dict]:
    key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
    return {
        "PutItem": {
            "TableName": table,
            "Item": {**key, "x": {"S": "v"}},
            "ConditionExpression": "attribute_not_exists(pk)",
        },
        "GetItem": {
            "TableName": table,
            "Key": key,
            "ProjectionExpression": "pk, #x",
            "ExpressionAttributeNames": {"#x": "x"},
        },
        "UpdateItem": {
            "TableName": table,
            "Key": key,
            "UpdateExpression": "SET #x = :v",
            "ExpressionAttributeNames": {"#x": "x"},
            "ExpressionAttributeValues": {":v": {"N": "1"}},
        },
        "DeleteItem": {"TableName": table, "Key": key},
        "Query": {
            "TableName": table,
            "KeyConditionExpression": "pk = :p AND sk > :s",
            "FilterExpression": "size(x) < :s",
            "ExpressionAttributeValues": {":p": {"S": "a"}, ":s": {"N": "0"}},
            "Limit": 5,
            "ExclusiveStartKey": key,
        },
        "Scan": {"TableName": table, "Limit": 5, "Segment": 0, "TotalSegments": 2},
        "BatchWriteItem": {
            "RequestItems": {
                table: [{"PutRequest": {"Item": key}}, {"DeleteRequest": {"Key": key}}]
            }
        },
        "BatchGetItem": {"RequestItems": {table: {"Keys": [key]}}},
        "TransactWriteItems": {
            "TransactItems": [
                {"Put": {"TableName": table, "Item": key}},
                {
                    "Update": {
                        "TableName": table,
                        "Key": {"pk": {"S": "b"}, "sk": {"N": "1"}},
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        },
        "TransactGetItems": {"TransactItems": [{"Get": {"TableName": table, "Key": key}}]},
        "DescribeTable": {"TableName": table},
        "ListTables": {"Limit": 3},
        "DescribeTimeToLive": {"TableName": table},
        "ExecuteStatement": {"Statement": f'SELECT * FROM "{table}"'},
    }


_numbers = st.one_of(
    st.sampled_from(
        [
            "1" * 39,
            "1E+126",
            "1E-131",
            "-0",
            "1e",
            ".",
            "",
            " 1",
            "+1",
            "NaN",
            "Infinity",
            "0x10",
            "1" * 400,
            "9" * 38 + "E+88",
            "1E+999999999",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.text(max_size=5),
)
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8))
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _deep(levels: int, kind: str) -> dict:
    value: dict = {"N": "1"}
    for _ in range(levels):
        value = {"M": {"k": value}} if kind == "M" else {"L": [value]}
    return value


_attribute_values = st.one_of(
    _numbers.map(lambda n: {"N": n}),
    _numbers.map(lambda n: {"NS": [n, n]}),
    st.lists(st.text(max_size=3), max_size=3).map(lambda s: {"SS": s}),
    st.text(max_size=6).map(lambda s: {"B": s}),
    st.lists(st.text(max_size=6), max_size=3).map(lambda s: {"BS": s}),
    st.tuples(st.integers(0, 400), st.sampled_from("ML")).map(lambda t: _deep(*t)),
    st.dictionaries(
        st.sampled_from(["S", "N", "B", "SS", "M", "L", "NULL", "BOOL", "X"]), _json, max_size=2
    ),
    _json,
)
_expressions = st.one_of(
    st.lists(
        st.sampled_from(
            [
                "pk",
                "sk",
                "#x",
                ":v",
                ":p",
                ":s",
                "=",
                "<>",
                "<",
                "(",
                ")",
                ",",
                ".",
                "[",
                "0",
                "]",
                "AND",
                "OR",
                "NOT",
                "BETWEEN",
                "IN",
                "size",
                "attribute_exists",
                "contains",
                "begins_with",
                "SET",
                "REMOVE",
                "ADD",
                "$",
                " ",
            ]
        ),
        max_size=8,
    ).map(" ".join),
    st.text(max_size=10),
)
_FIELDS = [
    "TableName",
    "Item",
    "Key",
    "Limit",
    "ConditionExpression",
    "FilterExpression",
    "KeyConditionExpression",
    "UpdateExpression",
    "ProjectionExpression",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
    "ExclusiveStartKey",
    "Select",
    "IndexName",
    "Segment",
    "TotalSegments",
    "ReturnValues",
    "ConsistentRead",
    "RequestItems",
    "TransactItems",
    "AttributesToGet",
    "ScanIndexForward",
    "Statement",
]


@st.composite
def _requests(draw, table: str) -> tuple[str, bytes, str | None]:
    kind = draw(st.sampled_from(["template", "template", "template", "json", "bytes", "target"]))
    operation = draw(st.sampled_from(_OPERATIONS))
    if kind == "bytes":
        return operation, draw(st.binary(max_size=40)), None
    if kind == "json":
        return operation, json.dumps(draw(_json)).encode(), None
    if kind == "target":
        target = draw(
            st.sampled_from(
                [
                    "DynamoDB_20120810.Nope",
                    "",
                    "DynamoDBStreams_20120810.GetRecords",
                    "DynamoDBStreams_20120810.DescribeStream",
                    "x.y",
                ]
            )
        )
        return operation, json.dumps(draw(_json)).encode(), target
    body = json.loads(json.dumps(_templates(table)[operation]))
    for _ in range(draw(st.integers(1, 3))):
        field = draw(st.sampled_from(_FIELDS))
        how = draw(st.sampled_from(["drop", "junk", "value", "expression", "map"]))
        if how == "drop":
            body.pop(field, None)
        elif how == "junk":
            body[field] = draw(_json)
        elif how == "expression":
            body[field] = draw(_expressions)
        elif how == "value":
            body[field] = draw(_attribute_values)
        else:
            body[field] = draw(
                st.dictionaries(
                    st.sampled_from(["pk", "sk", "x", ":v", ":p", ":s", "#x", "bad key"]),
                    _attribute_values,
                    max_size=3,
                )
            )
    return operation, json.dumps(body).encode(), None


def _dynamodb_shaped(status: int, body: dict) -> bool:
    if 200 <= status < 300:
        return True
    kind = body.get("__type")
    return (
        400 <= status < 500
        and isinstance(kind, str)
        and "#" in kind
        and isinstance(body.get("message", body.get("Message", "")), str)
    )


@pytest.fixture(scope="module")
def fuzz_table(server, table):
    _create_table(server, "fuzz")
    return "fuzz"


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_request_makes_the_server_answer_500(server, fuzz_table, data):
    operation, body, target = data.draw(_requests(fuzz_table))
    status, answer = raw(server, operation, body, target)
    assert _dynamodb_shaped(status, answer), (operation, target, body[:300], status, answer)


def test_an_undefined_name_in_an_update_expression(ddb, table):
    code, message, status = refused(
        ddb.update_item,
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET #x = :v",
        ExpressionAttributeValues={":v": {"N": "1"}},
    )
    assert (code, status) == ("ValidationException", 400)
    assert message == (
        "Invalid UpdateExpression: An expression attribute name used in the document path is "
        "not defined; attribute name: #x"
    )


def test_pages_follow_on_with_the_keys_the_server_hands_out(ddb):
    """Each LastEvaluatedKey the server answers is an ExclusiveStartKey it accepts: of the
    table, a global and a local index, by Query and by Scan."""
    ddb.create_table(
        TableName="paged",
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "l", "AttributeType": "B"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-l",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(10):
        ddb.put_item(
            TableName="paged",
            Item={
                "pk": {"S": "p"},
                "sk": {"N": str(i)},
                "g": {"S": "x"},
                "l": {"B": bytes([i])},
            },
        )

    def pages(call, **request) -> int:
        count, start = 0, None
        for _ in range(20):
            answer = call(TableName="paged", Limit=3, **request, **(start or {}))
            count += len(answer["Items"])
            if "LastEvaluatedKey" not in answer:
                return count
            start = {"ExclusiveStartKey": answer["LastEvaluatedKey"]}
        raise AssertionError("no last page")

    assert pages(ddb.scan) == 10
    assert pages(ddb.scan, IndexName="by-g") == 10
    for index, key in (("by-g", "g = :v"), ("by-l", "pk = :v"), (None, "pk = :v")):
        values = {":v": {"S": "x" if index == "by-g" else "p"}}
        extra = {"IndexName": index} if index else {}
        assert (
            pages(ddb.query, KeyConditionExpression=key, ExpressionAttributeValues=values, **extra)
            == 10
        )


def test_time_to_live_of_a_missing_table_is_resource_not_found(ddb):
    """moto answers it with the type "ResourceNotFound", which no client maps to its
    ResourceNotFoundException."""
    with pytest.raises(ddb.exceptions.ResourceNotFoundException) as info:
        ddb.describe_time_to_live(TableName="no-such-table")
    assert info.value.response["Error"]["Message"] == (
        "Requested resource not found: Table: no-such-table not found"
    )
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.update_time_to_live(
            TableName="no-such-table",
            TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True},
        )


def test_what_moto_does_not_implement_is_an_unknown_operation():
    """moto raises NotImplementedError for what it lacks: answered as a local DynamoDB answers
    an operation it lacks, so `tables validate` can tell (and no HTTP 500)."""
    from werkzeug.test import Client

    from dynamodb_plugin.local import strict

    def lacking(environ, start_response):
        raise NotImplementedError

    answer = Client(strict.Strict(lacking, lambda name: None)).post(
        "/",
        data=b'{"TableName": "abc"}',
        headers={"X-Amz-Target": "DynamoDB_20120810.DescribeContributorInsights"},
    )
    assert answer.status_code == 400
    assert json.loads(answer.get_data()) == {
        "__type": "com.amazon.coral.service#UnknownOperationException",
        "Message": "the local DynamoDB (moto) does not implement DescribeContributorInsights",
    }


def test_size_of_an_attribute_an_item_lacks_filters_it_out(ddb, table):
    """moto raised ValueError (an HTTP 500) for size() of a missing attribute or a number;
    DynamoDB leaves that item out."""
    ddb.put_item(TableName=table, Item=item("20", tags={"SS": ["a", "b"]}))
    ddb.put_item(TableName=table, Item=item("21", tags={"N": "5"}))
    ddb.put_item(TableName=table, Item=item("22"))
    answer = ddb.query(
        TableName=table,
        KeyConditionExpression="pk = :p AND sk BETWEEN :lo AND :hi",
        FilterExpression="size(tags) > :zero",
        ExpressionAttributeValues={
            ":p": {"S": "a"},
            ":lo": {"N": "20"},
            ":hi": {"N": "22"},
            ":zero": {"N": "0"},
        },
    )
    assert [i["sk"]["N"] for i in answer["Items"]] == ["20"]
    assert answer["ScannedCount"] == 3
    code, _, status = refused(
        ddb.put_item,
        TableName=table,
        Item=item("22"),
        ConditionExpression="size(tags) > :zero",
        ExpressionAttributeValues={":zero": {"N": "0"}},
    )
    assert (code, status) == ("ConditionalCheckFailedException", 400)


# --- DynamoDB's order and words (moto's aws_verified tests) -------------------------------------

V = "ValidationException"
WRONG_KEY = {"pk": {"N": "1"}, "sk": {"N": "1"}}


def test_placeholders_are_told_before_the_key_schema(ddb, table):
    # the key is wrong too: DynamoDB reads the placeholders first
    assert refused(
        ddb.get_item, TableName=table, Key=WRONG_KEY, ExpressionAttributeNames={"#a": "b"}
    ) == (V, "ExpressionAttributeNames can only be specified when using expressions", 400)
    unused = "Value provided in ExpressionAttributeNames unused in expressions: keys: {#count}"
    transact = {
        "Delete": {
            "TableName": table,
            "Key": WRONG_KEY,
            "ConditionExpression": "#i <> foo",
            "ExpressionAttributeNames": {"#i": "pk", "#count": "count"},
        }
    }
    assert refused(ddb.transact_write_items, TransactItems=[transact]) == (V, unused, 400)
    assert refused(
        ddb.get_item,
        TableName=table,
        Key=WRONG_KEY,
        ProjectionExpression="#p",
        ExpressionAttributeNames={"#p": "pk", "#count": "count"},
    ) == (V, unused, 400)
    assert refused(
        ddb.update_item,
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET #l = :l",
        ExpressionAttributeNames={"#l": "l"},
        ExpressionAttributeValues={":l": {"S": "x"}, ":countChange": {"N": "1"}},
    ) == (
        V,
        "1 validation error detected: Value provided in ExpressionAttributeValues unused in "
        "expressions: keys: {:countChange}",
        400,
    )
    assert refused(
        ddb.update_item,
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="SET #l = :l",
        ExpressionAttributeNames={"#l": "l"},
        ExpressionAttributeValues={},
    ) == (V, "1 validation error detected: ExpressionAttributeValues must not be empty", 400)


def test_duplicate_batch_keys_before_the_key_schema(ddb, table):
    duplicates = (V, "Provided list of item keys contains duplicates", 400)
    deletes = [{"DeleteRequest": {"Key": {"x": {"S": "1"}}}}] * 2
    assert refused(ddb.batch_write_item, RequestItems={table: deletes}) == duplicates
    puts = [{"PutRequest": {"Item": item("9", a={"S": str(i)})}} for i in range(2)]
    assert refused(ddb.batch_write_item, RequestItems={table: puts}) == duplicates
    assert (
        refused(ddb.batch_get_item, RequestItems={table: {"Keys": [WRONG_KEY, WRONG_KEY]}})
        == duplicates
    )


def test_empty_sets_and_long_lists_in_dynamodbs_words(ddb, table):
    assert refused(ddb.put_item, TableName=table, Item=item("9", s={"SS": []})) == (
        V,
        "1 validation error detected: One or more parameter values were invalid: An string set  "
        "may not be empty",
        400,
    )
    assert refused(
        ddb.update_item,
        TableName=table,
        Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
        UpdateExpression="ADD s :e",
        ExpressionAttributeValues={":e": {"NS": []}},
    ) == (
        V,
        "1 validation error detected: One or more parameter values were invalid: An number set  "
        "may not be empty",
        400,
    )
    puts = [{"Put": {"TableName": table, "Item": item(str(i))}} for i in range(101)]
    assert refused(ddb.transact_write_items, TransactItems=puts) == (
        V,
        "1 validation error detected at 'transactItems' failed to satisfy constraint: Member "
        "must have length less than or equal to 100.",
        400,
    )
    keys = [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(101)]
    assert refused(ddb.batch_get_item, RequestItems={table: {"Keys": keys}}) == (
        V,
        f"1 validation error detected: Value at 'requestItems.{table}.member.keys' failed to "
        "satisfy constraint: Member must have length less than or equal to 100",
        400,
    )


def test_select_projection_and_a_function_with_a_space(ddb, table):
    _, message, _ = refused(ddb.scan, TableName=table, Select="all_attributes")
    assert message.endswith(
        "Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
        "ALL_PROJECTED_ATTRIBUTES]"
    )
    assert refused(
        ddb.query, TableName=table, KeyConditionExpression="a", ProjectionExpression="name"
    ) == (
        V,
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: "
        "name",
        400,
    )
    ddb.put_item(
        TableName=table,
        Item=item("10"),
        ConditionExpression="attribute_not_exists (#0)",
        ExpressionAttributeNames={"#0": "pk"},
    )
