"""``dynamodb_plugin.local.answers`` answers Query, Scan, GetItem and BatchGetItem as moto's own
path does: the same requests (hypothesis-generated) on the same data answered with moto's
methods and with ours; the kept answer text forgotten whenever moto changes an item; no
half-updated item and no error while writes run during reads on a real server."""

from __future__ import annotations

import base64
import json
import threading
import time

import pytest

from dynamodb_plugin.local import answers, fast, server
from tests.dynamodb.conftest import create_keyed_table
from tests.dynamodb.test_fast import EXAMPLES, _caller, _create, _ours, _use, moto_methods  # noqa: F401


def _unwrapped(function):
    while getattr(function, "_answers", False):
        function = function.__wrapped__
    return function


@pytest.fixture
def motos(moto_methods, monkeypatch):  # noqa: F811 - the fixture, imported
    """``moto_methods`` and the places ``answers`` wraps, moto's own (put back after)."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    places = [
        (DynamoHandler, "query"),
        (DynamoHandler, "scan"),
        (DynamoHandler, "get_item"),
        (DynamoHandler, "batch_get_item"),
        (DynamoDBBackend, "get_item"),
        (DynamoDBBackend, "update_item"),
        (DynamoResult, "execute_result"),
    ]
    methods = dict(moto_methods)
    for owner, name in places:
        methods[(owner, name)] = _unwrapped(vars(owner).get(name, getattr(owner, name)))
        monkeypatch.setattr(owner, name, methods[(owner, name)])
    # answers are serialised as the server serialises them (moto's serialiser drops a map's
    # empty key, for one): moto's path as the server had it
    monkeypatch.setattr(DynamoResult, "execute_result", DynamoResult.execute_result)
    assert server.fast_answers()
    methods[(DynamoResult, "execute_result")] = DynamoResult.execute_result
    return methods


def _caller_and_use():
    """``test_fast._caller`` (a fresh backend, the server's ``fast.Direct``) and a ``_use`` that
    also points the direct dispatcher at the handler methods in place (it keeps the ones in
    place when it was built, as the server builds it after ``fast.install``)."""
    from moto.dynamodb.responses import DynamoHandler
    from moto.moto_server.werkzeug_app import create_backend_app

    from dynamodb_plugin.local import dispatch

    _caller()  # a fresh backend
    direct = fast.Direct(create_backend_app("dynamodb"))
    call = server.api_caller(direct)

    def answer(operation: str, request: dict) -> object:
        try:
            return call(operation, request)
        except ValueError as exc:
            return ("error", str(exc))

    def use(methods: dict) -> None:
        _use(methods)
        if direct.direct is not None:
            for name, operation in direct.direct.operations.items():
                operation.method = getattr(DynamoHandler, dispatch.OPERATIONS[name])

    return answer, use, direct


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _key_value(kind: str, number: int) -> dict:
    if kind == "N":
        return {"N": str(number) if number % 4 else f"{number}.0"}
    if kind == "B":
        return {"B": _b64(bytes([number % 256, 7]) if number >= 0 else b"\xff" + bytes([-number]))}
    return {"S": f"k{number:02d}" if number >= 0 else f"k-{-number}"}


def _sorted_sets(value):
    """An answer with every set's members in one order (moto's projection answers a set in
    its Python ``set``'s order)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "NS", "BS") and isinstance(v, list):
                out[k] = sorted(v)
            else:
                out[k] = _sorted_sets(v)
        return out
    if isinstance(value, list):
        return [_sorted_sets(v) for v in value]
    return value


PROJECTIONS = [
    ("a", {}),
    ("pk, a, b", {}),
    ("#n, m.x", {"#n": "c"}),
    ("m.y[0], a", {}),
    ("m.y[1].z, m.x", {}),
    ("l[0], l[2]", {}),
    ("m, m.x", {}),
    ("#m.#x, b", {"#m": "m", "#x": "x"}),
    ("nothing, m.nothing", {}),
]
FILTERS = [
    ("attribute_exists(a)", {}, {}),
    ("a = :v", {}, {":v": {"N": "1"}}),
    ("attribute_type(b, :t)", {}, {":t": {"S": "S"}}),
    ("contains(#c, :s) OR begins_with(a, :s)", {"#c": "c"}, {":s": {"S": "a"}}),
    ("NOT attribute_exists(m.x)", {}, {}),
    ("size(l) > :one", {}, {":one": {"N": "1"}}),
]


def _strategies():
    from hypothesis import strategies as st

    from tests.dynamodb.test_server_app import _attribute_values

    kinds = st.sampled_from(["S", "N", "B"])
    values = _attribute_values()

    @st.composite
    def table(draw):
        hash_kind = draw(kinds)
        range_kind = draw(st.one_of(st.none(), kinds))
        keys = draw(st.sets(st.tuples(st.integers(0, 3), st.integers(-2, 9)), max_size=20))
        items = {}
        for h, r in sorted(keys):
            item = {"pk": _key_value(hash_kind, h)}
            if range_kind:
                item["sk"] = _key_value(range_kind, r)
            for name in draw(st.sets(st.sampled_from(["a", "b", "c", "l"]))):
                item[name] = draw(values)
            if draw(st.booleans()):
                inner = {"x": draw(values), "y": {"L": [draw(values), {"M": {"z": draw(values)}}]}}
                item["m"] = {"M": inner}
            if draw(st.booleans()):
                item["a"] = {"N": str(draw(st.integers(0, 2)))}
            unique = json.dumps([item["pk"], item.get("sk")])
            items[unique] = item
        return hash_kind, range_kind, list(items.values())

    request = st.fixed_dictionaries(
        {},
        optional={
            "Limit": st.integers(1, 7),
            "ScanIndexForward": st.booleans(),
            "ConsistentRead": st.booleans(),
            "ReturnConsumedCapacity": st.sampled_from(["TOTAL", "INDEXES", "NONE"]),
            "Select": st.sampled_from(["COUNT", "ALL_ATTRIBUTES"]),
            "projection": st.sampled_from(PROJECTIONS),
            "filter": st.sampled_from(FILTERS),
            "start": st.tuples(st.integers(0, 3), st.integers(-2, 9)),
            "hash": st.integers(0, 3),
            "range": st.tuples(st.sampled_from(["<", ">=", "BETWEEN"]), st.integers(-2, 9)),
        },
    )
    return st, table, request


def _requests(spec: dict, hash_kind: str, range_kind: str | None) -> list[tuple[str, dict]]:
    """The Query and Scan ``spec`` asks for."""
    base: dict = {"TableName": "t"}
    for name in ("Limit", "ConsistentRead", "ReturnConsumedCapacity", "Select"):
        if name in spec:
            base[name] = spec[name]
    names: dict = {}
    values: dict = {}
    if "projection" in spec and spec.get("Select") != "COUNT":
        base["ProjectionExpression"], more = spec["projection"]
        names.update(more)
    if "filter" in spec:
        base["FilterExpression"], more_names, more_values = spec["filter"]
        names.update(more_names)
        values.update(more_values)
    if "start" in spec:
        h, r = spec["start"]
        base["ExclusiveStartKey"] = {"pk": _key_value(hash_kind, h)}
        if range_kind:
            base["ExclusiveStartKey"]["sk"] = _key_value(range_kind, r)
    scan = dict(base)
    query = dict(base)
    query["ScanIndexForward"] = spec.get("ScanIndexForward", True)
    query_values = dict(values)
    query_values[":h"] = _key_value(hash_kind, spec.get("hash", 0))
    query["KeyConditionExpression"] = "pk = :h"
    if range_kind and "range" in spec:
        op, r = spec["range"]
        query_values[":r"] = _key_value(range_kind, r)
        if op == "BETWEEN":
            query_values[":r2"] = _key_value(range_kind, r + 3)
            query["KeyConditionExpression"] += " AND sk BETWEEN :r AND :r2"
        else:
            query["KeyConditionExpression"] += f" AND sk {op} :r"
    for request, vals in ((scan, values), (query, query_values)):
        if names:
            request["ExpressionAttributeNames"] = dict(names)
        if vals:
            request["ExpressionAttributeValues"] = dict(vals)
    return [("Scan", scan), ("Query", query)]


def _reads(items: list[dict], range_kind: str | None, spec: dict) -> list[tuple[str, dict]]:
    """GetItem and BatchGetItem of some of ``items`` (and of a key no item has)."""
    keys = [{k: v for k, v in i.items() if k in ("pk", "sk")} for i in items[:4]]
    missing = {"pk": {"S": "none"}} if not items else None
    reads = []
    projection = spec.get("projection")
    for key in keys:
        request = {"TableName": "t", "Key": key}
        if projection:
            request["ProjectionExpression"], names = projection
            if names:
                request["ExpressionAttributeNames"] = names
        if "ReturnConsumedCapacity" in spec:
            request["ReturnConsumedCapacity"] = spec["ReturnConsumedCapacity"]
        reads.append(("GetItem", request))
    if keys:
        batch: dict = {"Keys": keys}
        if projection:
            batch["ProjectionExpression"], names = projection
            if names:
                batch["ExpressionAttributeNames"] = names
        reads.append(("BatchGetItem", {"RequestItems": {"t": batch}}))
    if missing is not None and range_kind is None:
        reads.append(("GetItem", {"TableName": "t", "Key": missing}))
    return reads


def _normal(operation: str, answer):
    if isinstance(answer, dict) and operation == "BatchGetItem":
        answer = dict(answer)
        responses = answer.get("Responses", {})
        answer["Responses"] = {
            t: sorted(json.dumps(_sorted_sets(i), sort_keys=True) for i in got)
            for t, got in responses.items()
        }
    return _sorted_sets(answer)


def test_answers_are_motos(motos, monkeypatch):
    """Query, Scan, GetItem, BatchGetItem: tables with string/number/binary keys, with and
    without a range key, nested maps and lists, sets and binary values; requests with Limit,
    ExclusiveStartKey, filters, projections with names and nested paths, ScanIndexForward,
    ConsistentRead, ReturnConsumedCapacity and Select COUNT: moto's answers, every page."""
    from hypothesis import given, settings

    st, table, request = _strategies()
    ours = _ours(motos)
    call, _use, _direct = _caller_and_use()
    written = {"fragment": 0, "projected": 0}

    def counting(name: str, original):
        def counted(*args):
            written[name] += 1
            return original(*args)

        return counted

    for name in written:
        counted = counting(name, getattr(answers, name))
        monkeypatch.setattr(answers, name, counted)

    @settings(max_examples=EXAMPLES, deadline=None)
    @given(table(), st.lists(request, min_size=1, max_size=3))
    def check(setup, specs):
        hash_kind, range_kind, items = setup
        _create(call, hash_kind, range_kind, items)
        for spec in specs:
            asked = _requests(spec, hash_kind, range_kind) + _reads(items, range_kind, spec)
            for operation, body in asked:
                for _page in range(4):  # and the pages after it
                    _use(motos)
                    theirs = call(operation, body)
                    _use(ours)
                    mine = call(operation, body)
                    mine_again = call(operation, body)  # kept text answered
                    _use(motos)
                    assert _normal(operation, mine) == _normal(operation, theirs), (
                        operation,
                        body,
                    )
                    assert mine_again == mine
                    following = isinstance(theirs, dict) and theirs.get("LastEvaluatedKey")
                    if not following:
                        break
                    body = {**body, "ExclusiveStartKey": following}

    check()
    # and one page projected for certain: numbers as moto's projection writes them
    item = {"pk": {"S": "k"}, "a": {"N": "1.50"}, "b": {"N": "1e2"}, "m": {"M": {"x": {"N": "-0"}}}}
    _create(call, "S", None, [item])
    body = {"TableName": "t", "ProjectionExpression": "a, b, m.x"}
    _use(ours)
    mine = call("Scan", body)
    _use(motos)
    assert mine == call("Scan", body)
    assert mine["Items"] == [
        {"a": {"N": "1.50"}, "b": {"N": "1E+2"}, "m": {"M": {"x": {"N": "-0"}}}}
    ]
    assert written["fragment"] > EXAMPLES and written["projected"] > 0, written  # ours answered


def test_kept_answers_are_forgotten_whenever_moto_changes_an_item(motos, monkeypatch):
    """UpdateItem (in place, nested too), PutItem, DeleteItem, a transaction cancelled after
    its update, and a TTL sweep: every read afterwards answers what moto answers."""
    from tests.dynamodb.test_ttl import Writes, _sweeper

    ours = _ours(motos)
    call, _use, _direct = _caller_and_use()
    _use(ours)
    _create(call, "S", "N", [])
    call(
        "UpdateTimeToLive",
        {
            "TableName": "t",
            "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"},
        },
    )
    for n in range(6):
        item = {
            "pk": {"S": "p"},
            "sk": {"N": str(n)},
            "a": {"S": f"a{n}"},
            "m": {"M": {"x": {"N": "1"}, "bin": {"B": _b64(b"\0\1")}}},
        }
        call("PutItem", {"TableName": "t", "Item": item})
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    reads = [
        ("Scan", {"TableName": "t"}),
        (
            "Query",
            {
                "TableName": "t",
                "KeyConditionExpression": "pk = :p",
                "ExpressionAttributeValues": {":p": {"S": "p"}},
            },
        ),
        ("GetItem", {"TableName": "t", "Key": key}),
        ("BatchGetItem", {"RequestItems": {"t": {"Keys": [key]}}}),
    ]

    def same() -> list:
        _use(ours)
        mine = [call(operation, body) for operation, body in reads]
        _use(motos)
        theirs = [call(operation, body) for operation, body in reads]
        _use(ours)
        assert mine == theirs
        return mine

    def item_one() -> dict:
        return same()[2].get("Item")

    assert item_one()["a"] == {"S": "a1"}
    assert fast._moto_table() is not None
    call(
        "UpdateItem",
        {
            "TableName": "t",
            "Key": key,
            "UpdateExpression": "SET a = :v, m.x = :n",
            "ExpressionAttributeValues": {":v": {"S": "new"}, ":n": {"N": "2"}},
        },
    )
    assert item_one()["a"] == {"S": "new"} and item_one()["m"]["M"]["x"] == {"N": "2"}
    call("UpdateItem", {"TableName": "t", "Key": key, "UpdateExpression": "REMOVE m.bin"})
    assert "bin" not in item_one()["m"]["M"]
    call("PutItem", {"TableName": "t", "Item": {**key, "a": {"S": "put"}}})
    assert item_one() == {**key, "a": {"S": "put"}}
    # a transaction that updates the item, then is cancelled: the item as it was
    cancelled = call(
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": key,
                        "UpdateExpression": "SET a = :t",
                        "ExpressionAttributeValues": {":t": {"S": "in transaction"}},
                    }
                },
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "p"}, "sk": {"N": "2"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        },
    )
    assert cancelled[0] == "error"
    assert item_one()["a"] == {"S": "put"}
    call(
        "TransactWriteItems",
        {
            "TransactItems": [
                {
                    "Update": {
                        "TableName": "t",
                        "Key": key,
                        "UpdateExpression": "SET a = :t",
                        "ExpressionAttributeValues": {":t": {"S": "committed"}},
                    }
                },
            ]
        },
    )
    assert item_one()["a"] == {"S": "committed"}
    call("DeleteItem", {"TableName": "t", "Key": key})
    assert item_one() is None and same()[0]["Count"] == 5
    # the TTL sweeper deletes an expired item the reads have answered (and kept)
    call(
        "UpdateItem",
        {
            "TableName": "t",
            "Key": {"pk": {"S": "p"}, "sk": {"N": "3"}},
            "UpdateExpression": "SET expires = :e",
            "ExpressionAttributeValues": {":e": {"N": "1000"}},
        },
    )
    before = same()[0]
    assert any("expires" in i for i in before["Items"])
    assert _sweeper(call, Writes()).sweep(2000.0) == 1
    after = same()[0]
    assert after["Count"] == 4 and not any("expires" in i for i in after["Items"])


def test_an_answer_holding_a_value_json_cannot_write_is_moto_serialisers():
    """``body`` writes fragments as they are; where the rest of an answer is not plain JSON,
    the answer goes back to moto's serialiser with each fragment as moto's value."""

    class Attrs(dict):
        pass

    fragment = answers.Fragment('{"a":{"S":"x"}}', {"a": {"S": "x"}})
    result = {
        "Items": [fragment, fragment],
        "Count": 2,
        "Other": 1,
        "LastEvaluatedKey": {"pk": {"B": b"\x00"}},
    }
    text = answers.body(result, {"Items", "Count", "LastEvaluatedKey"})
    assert json.loads(text) == {
        "Items": [{"a": {"S": "x"}}] * 2,
        "Count": 2,
        "LastEvaluatedKey": {"pk": {"B": "AA=="}},
    }
    assert answers.body({"Items": [], "Count": 0}, {"Items", "Count"}) is None
    with pytest.raises(TypeError):
        answers.body({"Item": fragment, "x": object()}, {"Item", "x"})
    assert answers._unwritten({"Item": fragment, "n": [fragment]}) == {
        "Item": {"a": {"S": "x"}},
        "n": [{"a": {"S": "x"}}],
    }


# --- a real server: boto3, and writes during reads ----------------------------------------


def _table(ddb, name: str, count: int) -> None:
    create_keyed_table(ddb, name)
    for start in range(0, count, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"g{i % 3}"},
                                "sk": {"N": str(i)},
                                "a": {"N": "0"},
                                "b": {"N": "0"},
                                "m": {"M": {"c": {"N": "0"}, "bin": {"B": bytes([i % 256])}}},
                                "tags": {"SS": ["x", str(i)]},
                            }
                        }
                    }
                    for i in range(start, min(count, start + 25))
                ]
            }
        )


def test_a_real_server_answers_through_boto3(ddb):
    _table(ddb, "e2e", 60)
    page = ddb.scan(TableName="e2e", Limit=25, ReturnConsumedCapacity="TOTAL")
    assert page["Count"] == page["ScannedCount"] == 25 and "LastEvaluatedKey" in page
    assert page["ConsumedCapacity"] == {"TableName": "e2e", "CapacityUnits": 1.0}
    seen = page["Items"]
    while "LastEvaluatedKey" in page:
        page = ddb.scan(TableName="e2e", Limit=25, ExclusiveStartKey=page["LastEvaluatedKey"])
        seen += page["Items"]
    assert sorted(int(i["sk"]["N"]) for i in seen) == list(range(60))
    one = next(i for i in seen if i["sk"]["N"] == "7")
    assert one["m"]["M"]["bin"] == {"B": b"\x07"} and sorted(one["tags"]["SS"]) == ["7", "x"]
    query = ddb.query(
        TableName="e2e",
        KeyConditionExpression="pk = :p AND sk > :s",
        FilterExpression="attribute_exists(m.bin)",
        ProjectionExpression="sk, #m.bin",
        ExpressionAttributeNames={"#m": "m"},
        ExpressionAttributeValues={":p": {"S": "g1"}, ":s": {"N": "30"}},
        ScanIndexForward=False,
    )
    assert [i["sk"]["N"] for i in query["Items"]] == [str(n) for n in range(58, 30, -3)]
    assert query["Items"][0] == {"sk": {"N": "58"}, "m": {"M": {"bin": {"B": bytes([58])}}}}
    key = {"pk": {"S": "g1"}, "sk": {"N": "7"}}
    assert ddb.get_item(TableName="e2e", Key=key)["Item"] == one
    ddb.update_item(
        TableName="e2e",
        Key=key,
        UpdateExpression="SET m.c = :n",
        ExpressionAttributeValues={":n": {"N": "5"}},
    )
    assert ddb.get_item(TableName="e2e", Key=key)["Item"]["m"]["M"]["c"] == {"N": "5"}
    got = ddb.batch_get_item(RequestItems={"e2e": {"Keys": [key]}})["Responses"]["e2e"]
    assert got[0]["m"]["M"]["c"] == {"N": "5"}
    counted = ddb.query(
        TableName="e2e",
        KeyConditionExpression="pk = :p",
        Select="COUNT",
        ExpressionAttributeValues={":p": {"S": "g1"}},
    )
    assert counted["Count"] == 20 and "Items" not in counted
    ddb.delete_table(TableName="e2e")


def test_no_read_sees_an_item_half_updated_while_writes_run(ddb):
    """Writers update two attributes of an item together (in place, nested too) and replace
    items, while readers scan, query and get: every answered item has both equal, and no
    request fails."""
    import boto3

    _table(ddb, "busy", 90)
    stop = threading.Event()
    failures: list = []
    endpoint = ddb.meta.endpoint_url

    def client():
        return boto3.client(
            "dynamodb",
            endpoint_url=endpoint,
            region_name="local",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )

    def check(item: dict) -> None:
        if not (item["a"] == item["b"] == item["m"]["M"]["c"]):
            failures.append(item)

    def writer(seed: int) -> None:
        c = client()
        n = seed
        try:
            while not stop.is_set():
                n += 1
                key = {"pk": {"S": f"g{n % 3}"}, "sk": {"N": str(n % 90)}}
                value = {"N": str(n)}
                if n % 4:
                    c.update_item(
                        TableName="busy",
                        Key=key,
                        UpdateExpression="SET a = :v, m.c = :v, b = :v",
                        ExpressionAttributeValues={":v": value},
                    )
                else:
                    c.put_item(
                        TableName="busy",
                        Item={**key, "a": value, "b": value, "m": {"M": {"c": value}}},
                    )
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    def reader() -> None:
        c = client()
        try:
            while not stop.is_set():
                for item in c.scan(TableName="busy")["Items"]:
                    check(item)
                query = c.query(
                    TableName="busy",
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "g2"}},
                )
                for item in query["Items"]:
                    check(item)
                got = c.get_item(TableName="busy", Key={"pk": {"S": "g1"}, "sk": {"N": "4"}})
                check(got["Item"])
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(2)]
    threads += [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert failures == []
    final = ddb.scan(TableName="busy")
    assert final["Count"] == 90
    ddb.delete_table(TableName="busy")


def test_no_read_sees_an_item_half_updated_with_threads_switching_often(motos):
    """The same in this process, the interpreter switching threads every microsecond (so an
    update is interrupted half-way often): reads and writes through the server's app."""
    import sys

    _answer, use, app = _caller_and_use()
    use(_ours(motos))
    call = server.api_caller(app)
    call(
        "CreateTable",
        {
            "TableName": "t",
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            "BillingMode": "PAY_PER_REQUEST",
        },
    )
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    zero = {"N": "0"}
    call("PutItem", {"TableName": "t", "Item": {**key, "a": zero, "b": zero, "c": zero}})
    stop = threading.Event()
    failures: list = []
    reads = [0]

    def writer() -> None:
        caller = server.api_caller(app)
        n = 0
        while not stop.is_set() and not failures:
            n += 1
            caller(
                "UpdateItem",
                {
                    "TableName": "t",
                    "Key": key,
                    "UpdateExpression": "SET a = :v, b = :v, c = :v",
                    "ExpressionAttributeValues": {":v": {"N": str(n)}},
                },
            )

    def reader() -> None:
        caller = server.api_caller(app)
        while not stop.is_set() and not failures:
            for operation, body in (
                ("Scan", {"TableName": "t"}),
                ("GetItem", {"TableName": "t", "Key": key}),
            ):
                got = caller(operation, body)
                for item in got["Items"] if "Items" in got else [got["Item"]]:
                    reads[0] += 1
                    if not item["a"] == item["b"] == item["c"]:
                        failures.append(item)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    try:
        for thread in threads:
            thread.start()
        time.sleep(2)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
        sys.setswitchinterval(interval)
    assert failures == [] and reads[0] > 20
    last = call("GetItem", {"TableName": "t", "Key": key})["Item"]
    assert last == call("Scan", {"TableName": "t"})["Items"][0]
