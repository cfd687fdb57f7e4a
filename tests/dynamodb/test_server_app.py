"""The built-in server's own answers: those serialised by ``fast_answers`` are moto's answers,
and a parallel scan splits a table with a binary hash key."""

from __future__ import annotations

import base64
import os

import pytest

from dynamodb_plugin.local import server


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _binary_key_segments(monkeypatch):
    from moto.dynamodb.models.dynamo_type import Item

    monkeypatch.setattr(Item, "is_within_segment", Item.is_within_segment)
    assert server.binary_key_segments()


def test_a_parallel_scan_of_binary_hash_keys_splits_the_table(server_app, monkeypatch):
    _binary_key_segments(monkeypatch)
    call = server_app
    call(
        "CreateTable",
        {
            "TableName": "bin",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "B"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    for i in range(40):
        call("PutItem", {"TableName": "bin", "Item": {"pk": {"B": b64(bytes([i, 7]))}}})
    parts = [
        {
            item["pk"]["B"]
            for item in call("Scan", {"TableName": "bin", "Segment": s, "TotalSegments": 4})[
                "Items"
            ]
        }
        for s in range(4)
    ]
    assert sum(map(len, parts)) == 40 and len(set().union(*parts)) == 40
    assert sum(1 for part in parts if part) > 1  # really split


def _scenario(call) -> list[dict]:
    """A table with every type, then reads and writes of every kind: their answers."""
    call(
        "CreateTable",
        {
            "TableName": "rich",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "B"},
                {"AttributeName": "sk", "AttributeType": "N"},
                {"AttributeName": "kind", "AttributeType": "S"},
            ],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-kind",
                    "KeySchema": [{"AttributeName": "kind", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )

    def item(i: int) -> dict:
        return {
            "pk": {"B": b64(bytes([i % 3, 0, 255]))},
            "sk": {"N": f"{i}.50"},
            "kind": {"S": "even" if i % 2 == 0 else "odd"},
            "blob": {"B": b64(b"\x00\x01" * i)},
            "doc": {
                "M": {
                    "bs": {"BS": [b64(b"a"), b64(bytes([i]))]},
                    "l": {"L": [{"NULL": True}, {"BOOL": i % 2 == 0}, {"NS": ["1", str(i + 2)]}]},
                    "u": {"S": "héllo \u2028 ✓"},
                }
            },
            "ss": {"SS": ["x", f"y{i}"]},
        }

    answers = [call("PutItem", {"TableName": "rich", "Item": item(i)}) for i in range(30)]
    key = {"pk": {"B": b64(bytes([1, 0, 255]))}, "sk": {"N": "1.50"}}
    operations = [
        ("Scan", {"TableName": "rich", "ReturnConsumedCapacity": "TOTAL"}),
        ("Scan", {"TableName": "rich", "Limit": 7}),
        ("Scan", {"TableName": "rich", "Select": "COUNT"}),
        ("Scan", {"TableName": "rich", "Segment": 1, "TotalSegments": 3}),
        (
            "Scan",
            {
                "TableName": "rich",
                "FilterExpression": "kind = :k",
                "ProjectionExpression": "pk, doc.bs",
                "ExpressionAttributeValues": {":k": {"S": "odd"}},
            },
        ),
        (
            "Query",
            {
                "TableName": "rich",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": key["pk"]},
                "Limit": 4,
                "ScanIndexForward": False,
            },
        ),
        (
            "Query",
            {
                "TableName": "rich",
                "IndexName": "by-kind",
                "KeyConditionExpression": "kind = :k",
                "ExpressionAttributeValues": {":k": {"S": "even"}},
                "ReturnConsumedCapacity": "INDEXES",
            },
        ),
        ("GetItem", {"TableName": "rich", "Key": key, "ReturnConsumedCapacity": "TOTAL"}),
        ("GetItem", {"TableName": "rich", "Key": {**key, "sk": {"N": "99"}}}),
        ("BatchGetItem", {"RequestItems": {"rich": {"Keys": [key, {**key, "sk": {"N": "4.50"}}]}}}),
        (
            "PutItem",
            {
                "TableName": "rich",
                "Item": {**item(1), "extra": {"S": "new"}},
                "ReturnValues": "ALL_OLD",
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        (
            "UpdateItem",
            {
                "TableName": "rich",
                "Key": key,
                "UpdateExpression": "SET #n = :v ADD ss :s",
                "ExpressionAttributeNames": {"#n": "blob"},
                "ExpressionAttributeValues": {":v": {"B": b64(b"\xff")}, ":s": {"SS": ["z"]}},
                "ReturnValues": "ALL_NEW",
                "ReturnConsumedCapacity": "TOTAL",
            },
        ),
        ("DeleteItem", {"TableName": "rich", "Key": key, "ReturnValues": "ALL_OLD"}),
        (
            "BatchWriteItem",
            {
                "RequestItems": {
                    "rich": [
                        {"PutRequest": {"Item": item(40)}},
                        {"DeleteRequest": {"Key": {**key, "sk": {"N": "4.50"}}}},
                    ]
                },
                "ReturnConsumedCapacity": "TOTAL",
                "ReturnItemCollectionMetrics": "SIZE",
            },
        ),
    ]
    answers += [call(operation, request) for operation, request in operations]
    answers.append(
        call("Scan", {**operations[1][1], "ExclusiveStartKey": answers[31]["LastEvaluatedKey"]})
    )
    answers.append(call("Scan", {"TableName": "rich"}))
    return answers


def test_fast_answers_equal_motos_own(server_app, monkeypatch):
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.responses import DynamoResult

    original = DynamoResult.execute_result
    monkeypatch.setattr(DynamoResult, "execute_result", original)  # put back after the test
    _binary_key_segments(monkeypatch)
    theirs = _scenario(server_app)
    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()

    assert server.fast_answers()
    assert DynamoResult.execute_result is not original
    ours = _scenario(server_app)
    assert ours == theirs
    assert len(theirs[30]["Items"]) == 30 and theirs[37]["Item"]["blob"] == {"B": b64(b"\x00\x01")}
    assert theirs[41]["Attributes"]["blob"] == {"B": b64(b"\xff")}  # an update's new image


def test_an_api_call_with_a_scope_moto_reads_otherwise_is_not_cached():
    import threading

    class Dispatcher:
        """Stands in for moto's dispatcher: answers by the signing service, as moto does."""

        def __init__(self):
            self.asked = 0

        def get_application(self, environ):
            self.asked += 1
            scope = environ["HTTP_AUTHORIZATION"].split("Credential=")[1].split(",")[0]
            parts = scope.split("/")
            service = parts[3] if len(parts) == 5 else "s3"  # moto's fallback
            return lambda env, start: [service.encode()]

    dispatcher = Dispatcher()
    tracker = server.Tracker(dispatcher, lambda: None, threading.Event())

    def ask(scope: str) -> bytes:
        environ = {
            "PATH_INFO": "/",
            "REQUEST_METHOD": "GET",
            "HTTP_X_AMZ_TARGET": "DynamoDB_20120810.ListTables",
            "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={scope}, Signature=0",
        }
        return b"".join(tracker(environ, lambda *a: None))

    assert ask("key/20250101/us-east-1/dynamodb/aws4_request/extra") == b"s3"
    assert ask("key/20250101/us-east-1/dynamodb/aws4_request") == b"dynamodb"
    assert ask("key/20250101/us-east-1/dynamodb/aws4_request") == b"dynamodb"
    assert dispatcher.asked == 2  # the malformed one was not cached; the good one once


def _motos_parse(data: bytes) -> dict:
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler

    operation = get_service_model("dynamodb").operation_model("BatchWriteItem")
    parser = PROTOCOL_PARSERS["json"](operation, map_type=DynamoHandler.PROTOCOL_PARSER_MAP_TYPE)
    request = {"method": "POST", "values": {}, "headers": {}, "body": data, "url_path": "/"}
    return parser.parse({**request, "url_params": {}})


def _attribute_values():
    from hypothesis import strategies as st

    text = st.text(max_size=8)
    blob = st.binary(max_size=8).map(b64)
    number = st.integers(-(10**6), 10**6).map(str)
    scalar = st.one_of(
        text.map(lambda v: {"S": v}),
        number.map(lambda v: {"N": v}),
        blob.map(lambda v: {"B": v}),
        st.lists(text, min_size=1, max_size=3).map(lambda v: {"SS": v}),
        st.lists(number, min_size=1, max_size=3).map(lambda v: {"NS": v}),
        st.lists(blob, min_size=1, max_size=3).map(lambda v: {"BS": v}),
        st.booleans().map(lambda v: {"BOOL": v}),
        st.just({"NULL": True}),
    )
    return st.recursive(
        scalar,
        lambda inner: st.one_of(
            st.dictionaries(text, inner, max_size=3).map(lambda v: {"M": v}),
            st.lists(inner, max_size=3).map(lambda v: {"L": v}),
        ),
        max_leaves=10,
    )


def test_batch_write_requests_read_as_motos_parser_reads_them():
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    item = st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), max_size=4)
    request = st.one_of(
        item.map(lambda i: {"PutRequest": {"Item": i}}),
        item.map(lambda k: {"DeleteRequest": {"Key": k}}),
    )
    body = st.fixed_dictionaries(
        {"RequestItems": st.dictionaries(st.text(min_size=1, max_size=6), st.lists(request))},
        optional={
            "ReturnConsumedCapacity": st.sampled_from(["TOTAL", "INDEXES", "NONE"]),
            "ReturnItemCollectionMetrics": st.sampled_from(["SIZE", "NONE"]),
        },
    )

    # PROPERTY_EXAMPLES=5000 searches harder than CI has time for.
    @settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")), deadline=None)
    @given(body)
    def check(given_body):
        data = json.dumps(given_body).encode()
        ours = server.batch_write_request(data)
        assert ours is not None
        assert ours == _motos_parse(data)

    check()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b'{"RequestItems": {"t": [{"PutRequest": {"Item": {"a": {"S": 1}}}}]}}',
        b'{"RequestItems": {"t": [{"PutRequest": {"Item": {"a": {"S": "x", "N": "1"}}}}]}}',
        b'{"RequestItems": {"t": [{"PutRequest": {"Item": {}}, "DeleteRequest": {"Key": {}}}]}}',
        b'{"RequestItems": {"t": [{"UpdateRequest": {"Item": {}}}]}}',
        b'{"RequestItems": [], "Extra": 1}',
    ],
    ids=["not json", "a number as S", "two types", "two requests", "unknown request", "extra"],
)
def test_a_batch_write_request_of_another_shape_is_left_to_moto(body):
    assert server.batch_write_request(body) is None


def test_items_are_built_and_refused_as_moto_builds_and_refuses_them(monkeypatch):
    import copy

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    monkeypatch.setattr(Item, "__init__", Item.__init__)  # put back after the test
    motos = Item.__init__
    assert server.linear_item_size_check()

    def both(attrs: dict) -> tuple:
        def build(init):
            item = Item.__new__(Item)
            try:
                init(item, DynamoType({"S": "k"}), None, copy.deepcopy(attrs))
            except ItemSizeTooLarge:
                return "too large"
            return {k: v.to_json() for k, v in item.attrs.items()}, type(item.attrs)

        return build(motos), build(Item.__init__)

    @settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "60")), deadline=None)
    @given(st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), max_size=5))
    def check(attrs):
        assert all(server._attribute_value(v) for v in attrs.values())  # binary as bytes
        theirs, ours = both(attrs)
        assert ours == theirs

    check()
    for size in (404_990, 404_999, 405_000, 405_010):  # around moto's limit
        theirs, ours = both({"k": {"S": "k"}, "big": {"S": "x" * (size - 5)}})
        assert ours == theirs
    assert both({"big": {"S": "x" * 405_001}})[1] == "too large"
