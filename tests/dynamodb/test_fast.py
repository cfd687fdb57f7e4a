"""The hot paths of ``dynamodb_plugin.local.fast`` answer as moto's own code does: the same
requests (hypothesis-generated) answered with moto's methods and with ours, on the same data."""

from __future__ import annotations

import json
import os
import threading

import pytest

from dynamodb_plugin.local import fast, server

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))


@pytest.fixture
def moto_methods(monkeypatch):
    """Every method ``fast`` replaces, put back after the test; yields moto's own."""
    from moto.core import responses
    from moto.dynamodb import models
    from moto.dynamodb import responses as dynamodb_responses
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.models.table import Table
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    monkeypatch.setenv("MOTO_ACCOUNT_ID", server.SHARED_ACCOUNT)
    monkeypatch.setenv("MOTO_ALLOW_NONEXISTENT_REGION", "True")
    from moto.moto_server import werkzeug_app

    monkeypatch.setattr(werkzeug_app, "DISABLE_GLOBAL_CORS", True)  # as the server runs moto
    places = [
        (Table, "query"),
        (Table, "scan"),
        (Table, "put_item"),
        (Table, "delete_item"),
        (DynamoType, "size"),
        (Item, "size"),
        (DynamoDBBackend, "transact_write_items"),
        (responses, "method_names_from_class"),
        (UpdateExpressionParser, "make"),
        (dynamodb_responses, "dynamo_to_dict"),
        # dynamodb_plugin.local.updates
        (ConditionExpressionParser, "parse"),
        (DepthFirstTraverser, "traverse"),
        (Node, "find_clauses"),
        (validators, "deepcopy"),
        (ReservedKeywords, "KEYWORDS"),
        (models, "UpdateExpressionValidator"),
        (Item, "__deepcopy__"),
    ]
    # the attribute as stored (a classmethod stays one when put back)
    moto = {
        (owner, name): vars(owner)[name] if isinstance(owner, type) else getattr(owner, name)
        for owner, name in places
    }
    for owner, name in places:
        monkeypatch.setattr(owner, name, moto[(owner, name)])
    monkeypatch.setattr(Table, "_fast_counted", False, raising=False)
    yield moto


def _use(methods: dict) -> None:
    for (owner, name), method in methods.items():
        setattr(owner, name, method)


def _ours(moto: dict) -> dict:
    """Install fast's patches and return them, leaving moto's in place."""
    _use(moto)
    from moto.dynamodb.models.table import Table

    Table._fast_counted = False
    assert all(fast.install().values())
    ours = {
        (owner, name): vars(owner)[name] if isinstance(owner, type) else getattr(owner, name)
        for owner, name in moto
    }
    _use(moto)
    Table._fast_counted = False
    return ours


def _caller(direct: bool = True):
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import create_backend_app

    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
    app = create_backend_app("dynamodb")
    assert fast.Direct(app).bypass
    call = server.api_caller(fast.Direct(app) if direct else app)

    def answer(operation: str, request: dict) -> object:
        try:
            return call(operation, request)
        except ValueError as exc:
            return ("error", str(exc))

    return answer


def _create(call, hash_kind: str, range_kind: str | None, items: list[dict]) -> None:
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    definitions = [{"AttributeName": "pk", "AttributeType": hash_kind}]
    if range_kind:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        definitions.append({"AttributeName": "sk", "AttributeType": range_kind})
    call("DeleteTable", {"TableName": "t"})
    call(
        "CreateTable",
        {
            "TableName": "t",
            "KeySchema": schema,
            "AttributeDefinitions": definitions,
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    for k in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": i}} for i in items[k : k + 25]]
        assert call("BatchWriteItem", {"RequestItems": {"t": batch}}) is not None


def _strategies():
    from hypothesis import strategies as st

    kinds = st.sampled_from(["S", "N"])
    hash_values = st.integers(0, 3)
    range_values = st.integers(-3, 12)

    def value(kind: str, number: int) -> dict:
        if kind == "N":
            return {"N": str(number) if number % 5 else f"{number}.0"}
        return {"S": f"v{number:02d}" if number >= 0 else f"v-{-number}"}

    @st.composite
    def setup(draw):
        hash_kind = draw(kinds)
        range_kind = draw(st.one_of(st.none(), kinds))
        keys = draw(st.sets(st.tuples(hash_values, range_values), max_size=25))
        items = []
        for h, r in sorted(keys):
            attrs = {"pk": value(hash_kind, h), "body": {"S": "x" * draw(st.integers(0, 40))}}
            if range_kind:
                attrs["sk"] = value(range_kind, r)
            attrs["tags"] = {"SS": sorted({f"t{r}", "a"})}
            items.append(attrs)
        unique = {json.dumps({k: v for k, v in i.items() if k in ("pk", "sk")}): i for i in items}
        return hash_kind, range_kind, list(unique.values())

    return st, setup, value, hash_values, range_values


def test_queries_and_scans_answer_as_motos(moto_methods):
    from hypothesis import given, settings

    st, setup, value, hash_values, range_values = _strategies()
    ours = _ours(moto_methods)
    call = _caller()

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(
        setup(),
        st.lists(
            st.tuples(
                hash_values,
                st.sampled_from(["", "=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]),
                range_values,
                range_values,
                st.one_of(st.none(), st.integers(1, 6)),
                st.booleans(),
                st.one_of(st.none(), st.tuples(hash_values, range_values)),
                st.booleans(),
            ),
            min_size=1,
            max_size=4,
        ),
    )
    def check(table, requests):
        hash_kind, range_kind, items = table
        _create(call, hash_kind, range_kind, items)
        for h, op, low, high, limit, forward, start, project in requests:
            query: dict = {
                "TableName": "t",
                "KeyConditionExpression": "pk = :h",
                "ExpressionAttributeValues": {":h": value(hash_kind, h)},
                "ScanIndexForward": forward,
            }
            scan: dict = {"TableName": "t"}
            if range_kind and op:
                values = query["ExpressionAttributeValues"]
                values[":a"] = value(range_kind, min(low, high))
                if op == "BETWEEN":
                    values[":b"] = value(range_kind, max(low, high))
                    query["KeyConditionExpression"] += " AND sk BETWEEN :a AND :b"
                elif op == "begins_with":
                    if range_kind == "N":
                        del values[":a"]
                    else:
                        values[":a"] = {"S": values[":a"]["S"][:2]}
                        query["KeyConditionExpression"] += " AND begins_with(sk, :a)"
                else:
                    query["KeyConditionExpression"] += f" AND sk {op} :a"
            if limit:
                query["Limit"] = scan["Limit"] = limit
            if start is not None:
                key = {"pk": value(hash_kind, start[0])}
                if range_kind:
                    key["sk"] = value(range_kind, start[1])
                query["ExclusiveStartKey"] = scan["ExclusiveStartKey"] = key
            if project:
                query["ProjectionExpression"] = scan["ProjectionExpression"] = "pk, body"
                scan["FilterExpression"] = "size(body) > :n"
                scan["ExpressionAttributeValues"] = {":n": {"N": "10"}}
            for operation, request in (("Query", query), ("Scan", scan)):
                _use(moto_methods)
                theirs = call(operation, request)
                _use(ours)
                mine = call(operation, request)
                _use(moto_methods)
                assert mine == theirs, (operation, request)
        # every page of a full scan, and a write in between (the kept order must change)
        _use(ours)
        first = call("Scan", {"TableName": "t", "Limit": 7})
        extra = {"pk": value(hash_kind, 9), "body": {"S": ""}}
        if range_kind:
            extra["sk"] = value(range_kind, 0)
        call("PutItem", {"TableName": "t", "Item": extra})
        again = call("Scan", {"TableName": "t"})
        _use(moto_methods)
        assert call("Scan", {"TableName": "t"}) == again
        assert isinstance(first, dict) and again["Count"] == len(items) + 1

    check()


def test_sizes_are_motos(moto_methods):
    import copy

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    from tests.dynamodb.test_server_app import _attribute_values

    ours = _ours(moto_methods)

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), max_size=5))
    def check(attrs):
        assert all(server._attribute_value(v) for v in attrs.values())  # binary as bytes
        _use(moto_methods)
        item = Item(DynamoType({"S": "k"}), None, copy.deepcopy(attrs))
        theirs = (item.size(), [v.size() for v in item.attrs.values()])
        _use(ours)
        assert (item.size(), [v.size() for v in item.attrs.values()]) == theirs
        _use(moto_methods)

    check()


def test_items_are_copied_and_answered_as_moto_copies_and_answers_them(moto_methods):
    import copy
    import datetime

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    from tests.dynamodb.test_server_app import _attribute_values

    motos = moto_methods
    ours = _ours(motos)
    from moto.dynamodb import responses as dynamodb_responses

    def answer(result):
        _use(motos)
        theirs = dynamodb_responses.dynamo_to_dict(result)
        _use(ours)
        mine = dynamodb_responses.dynamo_to_dict(result)
        _use(motos)
        return theirs, mine

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(
        st.lists(
            st.dictionaries(st.text(min_size=1, max_size=6), _attribute_values(), max_size=5),
            max_size=4,
        ),
        st.booleans(),
    )
    def check(attr_sets, ranged):
        items = []
        for attrs in attr_sets:
            assert all(server._attribute_value(v) for v in attrs.values())  # binary as bytes
            range_key = DynamoType({"N": "1"}) if ranged else None
            items.append(Item(DynamoType({"S": "k"}), range_key, copy.deepcopy(attrs)))
        theirs, mine = copy.deepcopy(items), fast.copy_items(items)
        assert [vars(i) == vars(j) for i, j in zip(mine, theirs, strict=True)] == [True] * len(
            items
        )
        for original, twin in zip(items, mine, strict=True):
            assert all(twin.attrs[k] is not v for k, v in original.attrs.items())
            assert type(twin.attrs) is type(original.attrs)
        result = {"Count": len(items), "Items": [i.attrs for i in mine], "ScannedCount": 3}
        if items:
            result["LastEvaluatedKey"] = {"pk": items[-1].hash_key}
        got = answer(result)
        assert got[1] == got[0]

    check()
    when = datetime.datetime(2020, 1, 1)
    assert answer({"When": when, "D": 1.5}) == ({"When": when, "D": 1.5},) * 2


def _raw_caller(app):
    from werkzeug.test import Client

    client = Client(app)
    scope = f"key/20000101/{server.SHARED_REGION}/dynamodb/aws4_request"

    def call(operation: str, body: bytes | str) -> tuple:
        try:
            return answer(operation, body)
        except Exception as exc:  # moto's 500s: raised the same way on both paths
            return ("raised", type(exc).__name__)

    def answer(operation: str, body: bytes | str) -> tuple:
        response = client.post(
            "/",
            data=body,
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, Signature=0",
                "Host": "localhost",
                "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            },
        )
        headers = sorted(
            (k.lower(), v) for k, v in response.headers.items() if k.lower() != "x-amzn-requestid"
        )
        return response.status_code, headers, response.get_data()

    return call


# a creation time's digits change the body's checksum and length
_TIMED = ("x-amz-crc32", "content-length")


def test_direct_answers_as_motos_flask_app(moto_methods, monkeypatch):
    """``fast.Direct`` hands requests to moto's handler as moto's Flask app does: the same
    status, headers (the request id aside) and body, errors included."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server import werkzeug_app
    from moto.moto_server.werkzeug_app import create_backend_app

    assert fast.Direct(create_backend_app("dynamodb")).bypass
    monkeypatch.setattr(werkzeug_app, "DISABLE_GLOBAL_CORS", False)
    assert not fast.Direct(create_backend_app("dynamodb")).bypass  # moto's CORS: Flask's
    monkeypatch.setattr(werkzeug_app, "DISABLE_GLOBAL_CORS", True)

    table = {
        "TableName": "d",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    key = {"pk": {"S": "a"}}
    scenario = [
        ("CreateTable", json.dumps(table)),
        ("PutItem", json.dumps({"TableName": "d", "Item": {**key, "n": {"N": "1"}}})),
        ("GetItem", json.dumps({"TableName": "d", "Key": key})),
        ("GetItem", json.dumps({"TableName": "nope", "Key": key})),
        ("GetItem", json.dumps({"TableName": "d", "Key": {"pk": {"N": "1"}}})),
        (
            "UpdateItem",
            json.dumps(
                {
                    "TableName": "d",
                    "Key": key,
                    "UpdateExpression": "SET n = n + :one",
                    "ConditionExpression": "n > :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            ),
        ),
        ("PutItem", "not json"),
        ("PutItem", json.dumps({"TableName": "d"})),
        ("Query", json.dumps({"TableName": "d", "KeyConditionExpression": "pk = :x"})),
        ("Scan", json.dumps({"TableName": "d"})),
        ("DeleteItem", json.dumps({"TableName": "d", "Key": key, "ReturnValues": "ALL_OLD"})),
        ("DescribeTable", json.dumps({"TableName": "d"})),
        ("NoSuchOperation", "{}"),
    ]
    answers = []
    for direct in (False, True):
        dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
        app = create_backend_app("dynamodb")
        call = _raw_caller(fast.Direct(app) if direct else app)
        got = [call(operation, body) for operation, body in scenario]
        for i, one in enumerate(got):  # DescribeTable has a creation time
            if scenario[i][0] in ("CreateTable", "DescribeTable"):
                got[i] = (one[0], [h for h in one[1] if h[0] not in _TIMED], b"")
        answers.append(got)
    assert answers[1] == answers[0]
    assert answers[0][2][0] == 200 and answers[0][3][0] == 400


def _transaction_table(call, size: int = 30) -> None:
    call(
        "CreateTable",
        {
            "TableName": "x",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        },
    )
    for k in range(0, size, 25):
        batch = [
            {"PutRequest": {"Item": {"pk": {"S": f"k{j}"}, "v": {"N": "0"}}}}
            for j in range(k, min(size, k + 25))
        ]
        call("BatchWriteItem", {"RequestItems": {"x": batch}})


def _everything(call) -> object:
    from moto.dynamodb.models import dynamodb_backends

    items = call("Scan", {"TableName": "x"})
    table = dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].tables["x"]
    stream = [
        (
            r.record["eventName"],
            r.record["dynamodb"]["Keys"],
            r.record["dynamodb"]["SequenceNumber"],
        )
        for r in table.stream_shard.items
    ]
    return items, stream


def test_transactions_answer_and_cancel_as_motos(moto_methods):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ours = _ours(moto_methods)
    key = st.integers(0, 34).map(lambda n: {"pk": {"S": f"k{n}"}})
    condition = st.sampled_from([None, "attribute_exists(pk)", "v < :big", "v > :big"])

    @st.composite
    def transact_item(draw):
        kind = draw(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]))
        op: dict = {"TableName": draw(st.sampled_from(["x", "x", "x", "missing"]))}
        k = draw(key)
        if kind == "Put":
            op["Item"] = {**k, "v": {"N": "7"}}
        else:
            op["Key"] = k
        if kind == "Update":
            op["UpdateExpression"] = "SET v = v + :one"
            op["ExpressionAttributeValues"] = {":one": {"N": "1"}}
        cond = draw(condition)
        if cond or kind == "ConditionCheck":
            op["ConditionExpression"] = cond or "attribute_exists(pk)"
            values = op.setdefault("ExpressionAttributeValues", {})
            if ":big" in op["ConditionExpression"]:
                values[":big"] = {"N": "5"}
        if draw(st.booleans()):
            op["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return {kind: op}

    @settings(max_examples=EXAMPLES // 2, deadline=None)
    @given(st.lists(st.lists(transact_item(), min_size=1, max_size=5), min_size=1, max_size=4))
    def check(transactions):
        outcomes = []
        for methods in (moto_methods, ours):
            _use(methods)
            call = _caller()
            _transaction_table(call)
            answers = [call("TransactWriteItems", {"TransactItems": t}) for t in transactions]
            outcomes.append((answers, _everything(call)))
            _use(moto_methods)
        assert outcomes[1] == outcomes[0]

    check()


def test_a_cancelled_transaction_writes_nothing_and_copies_no_table(moto_methods, monkeypatch):
    from moto.dynamodb import models
    from moto.dynamodb.models.table import Table

    copied: list[str] = []
    deepcopy = models.copy.deepcopy

    class Copy:
        @staticmethod
        def deepcopy(thing, *args):
            if isinstance(thing, Table):
                copied.append(thing.name)
            return deepcopy(thing, *args)

    monkeypatch.setattr(models, "copy", Copy)
    update = {
        "TableName": "x",
        "UpdateExpression": "SET v = :new",
        "ExpressionAttributeValues": {":new": {"N": "9"}},
    }
    transaction = {
        "TransactItems": [
            {"Update": {**update, "Key": {"pk": {"S": "k1"}}}},
            {"Put": {"TableName": "x", "Item": {"pk": {"S": "new"}, "v": {"N": "1"}}}},
            {"Delete": {"TableName": "x", "Key": {"pk": {"S": "k2"}}}},
            {
                "ConditionCheck": {
                    "TableName": "x",
                    "Key": {"pk": {"S": "absent"}},
                    **{"ConditionExpression": "attribute_exists(pk)"},
                }
            },
        ]
    }
    call = _caller()
    _transaction_table(call, size=300)
    before = _everything(call)
    answer = call("TransactWriteItems", transaction)
    assert answer[0] == "error" and "ConditionalCheckFailed" in answer[1]
    assert copied == ["x", "x", "x", "x"]  # moto copies the whole table per item...
    copied.clear()
    assert all(fast.install().values())
    call = _caller()
    _transaction_table(call, size=300)
    assert call("TransactWriteItems", transaction) == answer
    assert _everything(call) == before  # nothing written, not even a stream record
    assert copied == []  # ...ours none
    transaction["TransactItems"].pop()
    assert "error" not in call("TransactWriteItems", transaction)
    items = {i["pk"]["S"]: i["v"]["N"] for i in call("Scan", {"TableName": "x"})["Items"]}
    assert items["k1"] == "9" and items["new"] == "1" and "k2" not in items
    assert copied == []


def test_no_read_sees_half_a_transaction(moto_methods):
    assert all(fast.install().values())
    call = _caller()
    _transaction_table(call, size=4)
    keys = [{"pk": {"S": f"k{j}"}} for j in range(4)]
    stop = threading.Event()
    torn: list[object] = []

    def read() -> None:
        while not stop.is_set():
            for operation, request in (
                ("Scan", {"TableName": "x"}),
                ("BatchGetItem", {"RequestItems": {"x": {"Keys": keys}}}),
            ):
                got = call(operation, request)
                found = got["Items"] if "Items" in got else got["Responses"]["x"]
                values = {i["v"]["N"] for i in found}
                if len(values) != 1:
                    torn.append(values)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for n in range(1, 60):
            items = [
                {
                    "Update": {
                        "TableName": "x",
                        "Key": k,
                        "UpdateExpression": "SET v = :n",
                        "ExpressionAttributeValues": {":n": {"N": str(n)}},
                    }
                }
                for k in keys
            ]
            assert "error" not in call("TransactWriteItems", {"TransactItems": items})
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert torn == []


def test_updates_answer_as_motos_with_each_expression_parsed_once(moto_methods):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    ours = _ours(moto_methods)
    actions = st.sampled_from(
        [
            "SET n = n + :one",
            "SET n = :one",
            "SET body = :b, #x = if_not_exists(#x, :one)",
            "SET l = list_append(if_not_exists(l, :empty), :l)",
            "ADD tags :t",
            "DELETE tags :t",
            "REMOVE body",
            "REMOVE l[0]",
            "SET n = n + :missing",
            "SET = broken",
            "SET m.a = :one",
        ]
    )
    names = {"#x": "x"}
    values = {
        ":one": {"N": "1"},
        ":b": {"S": "y"},
        ":empty": {"L": []},
        ":l": {"L": [{"N": "2"}]},
        ":t": {"SS": ["u"]},
    }

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(
        st.lists(
            st.tuples(st.lists(actions, min_size=1, max_size=3), st.integers(0, 3)),
            min_size=1,
            max_size=6,
        )
    )
    def check(updates):
        outcomes = []
        for methods in (moto_methods, ours, ours):  # ours twice: the second time all parsed
            _use(methods)
            call = _caller()
            _transaction_table(call, size=3)
            answers = []
            for parts, k in updates:
                expression = " ".join(parts)
                request = {
                    "TableName": "x",
                    "Key": {"pk": {"S": f"k{k}"}},
                    "UpdateExpression": expression,
                    "ExpressionAttributeValues": {
                        k: v for k, v in values.items() if k in expression
                    },
                    "ReturnValues": "ALL_NEW",
                }
                if "#x" in expression:
                    request["ExpressionAttributeNames"] = names
                answers.append(call("UpdateItem", request))
            outcomes.append((answers, call("Scan", {"TableName": "x"})))
            _use(moto_methods)
        assert outcomes[1] == outcomes[0] and outcomes[2] == outcomes[0]

    check()
