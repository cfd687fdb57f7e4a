"""``dispatch``: the item operations handed straight to moto's handler methods answer exactly as
moto's own path (its Flask app: ``setup_class``, its model-driven parser, ``call_action``,
Flask's ``Response``) answers them — status, headers (the request id aside) and body, request by
request, for hypothesis-generated requests valid and not — and through a real server with boto3.
"""

from __future__ import annotations

import base64
import json
import os
import re

import pytest

from dynamodb_plugin.local import dispatch, fast, server, strict
from tests.dynamodb.conftest import create_keyed_table
from tests.dynamodb.test_fast import _raw_caller, moto_methods  # noqa: F401 - the fixture
from tests.dynamodb.test_server_app import _attribute_values

EXAMPLES = int(os.environ.get("PROPERTY_EXAMPLES", "40"))


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


# --- the request as moto's parser reads it ---------------------------------------------------


def _motos_parse(operation: str, data: bytes) -> dict:
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler

    model = get_service_model("dynamodb").operation_model(operation)
    parser = PROTOCOL_PARSERS["json"](model, map_type=DynamoHandler.PROTOCOL_PARSER_MAP_TYPE)
    request = {"method": "POST", "values": {}, "headers": {}, "body": data, "url_path": "/"}
    return parser.parse({**request, "url_params": {}})  # type: ignore[typeddict-item]


def _junk():
    from hypothesis import strategies as st

    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.floats(allow_nan=False, allow_infinity=False, width=16),
        st.text(max_size=3),
        st.just([]),
        st.just({}),
        st.just({"S": None}),
        st.just({"S": "x", "N": "1"}),
        st.just({"Unknown": "x"}),
        st.just({"B": "not base64!"}),
        st.just({"BS": [None]}),
        st.just({"M": {"a": None}}),
        st.just({"L": [None, {"B": "AAEC"}]}),
    )


def _from_shape(shape, junk: bool, depth: int = 0):
    """Requests of ``shape`` (botocore's): well-typed, or (``junk``) with members of the wrong
    type, null or unknown here and there."""
    from hypothesis import strategies as st

    def maybe(strategy):
        return st.one_of(strategy, _junk()) if junk else strategy

    if shape.name == "AttributeValue":
        return maybe(_attribute_values())
    kind = shape.type_name
    if kind == "string":
        enum = shape.metadata.get("enum")
        return st.sampled_from(enum) if enum else st.text(max_size=6)
    if kind in ("integer", "long"):
        return st.integers(-2, 300)
    if kind == "boolean":
        return st.booleans()
    if kind in ("float", "double"):
        return st.floats(-10, 10)
    if kind == "blob":
        return st.binary(max_size=6).map(b64)
    if depth > 5:
        return st.nothing()
    if kind == "list":
        return st.lists(_from_shape(shape.member, junk, depth + 1), max_size=3)
    if kind == "map":
        inner = _from_shape(shape.value, junk, depth + 1)
        return st.dictionaries(st.text(max_size=4), inner, max_size=3)
    if kind == "structure":
        optional = {
            name: maybe(_from_shape(member, junk, depth + 1))
            for name, member in shape.members.items()
        }
        if junk:
            optional["Unknown"] = _junk()
        return st.fixed_dictionaries({}, optional=optional)
    return st.nothing()


@pytest.mark.parametrize("operation", sorted(dispatch.OPERATIONS))
def test_requests_read_as_motos_parser_reads_them(operation):
    """What the handler gets is what moto's model-driven parser gives it, binary values decoded
    wherever the model has an AttributeValue, members the model lacks or that are null dropped;
    what the converter does not read as moto would is left to moto (``None``)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from moto.core.utils import get_service_model

    d = dispatch.dispatcher(server.SHARED_ACCOUNT, server.SHARED_REGION)
    assert d is not None
    model = d.operations[operation].model
    shape = get_service_model("dynamodb").operation_model(operation).input_shape
    taken = []

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(st.booleans().flatmap(lambda junk: st.tuples(st.just(junk), _from_shape(shape, junk))))
    def check(given_request):
        junk, data = given_request
        ours = dispatch.request_params(model, data)
        assert junk or ours is not None  # every well-typed request is read here
        try:
            motos = _motos_parse(operation, json.dumps(data).encode())
        except Exception as exc:  # moto's parser fails: so must ours, leaving it to moto
            assert ours is None, exc
            return
        if ours is not None:
            taken.append(1)
            assert ours == motos
            assert list(ours) == list(motos)  # the model's order too

    check()
    assert taken


def test_the_converter_leaves_to_moto_what_it_would_read_otherwise():
    d = dispatch.dispatcher(server.SHARED_ACCOUNT, server.SHARED_REGION)
    assert d is not None
    model = d.operations["PutItem"].model
    for data in (
        {"TableName": "t", "Item": {"a": {"B": "AAE"}}},  # bad padding: binascii.Error in moto
        {"TableName": "t", "Item": {"a": {"BS": [None]}}},  # moto: TypeError
        {"TableName": "t", "Item": []},  # moto: a list's .items()
        {"TableName": "t", "Item": {"a": {"M": "x"}}},
        {"TableName": "t", "Item": {"a": {"L": "abc"}}},  # moto iterates the characters
        {"TableName": "t", "Expected": {"a": {"AttributeValueList": "ab"}}},
    ):
        assert dispatch.request_params(model, data) is None, data
    scan = d.operations["Scan"].model
    assert dispatch.request_params(scan, {"TableName": "t", "Limit": "5"}) is None  # int("5")
    assert dispatch.request_params(scan, {"TableName": "t", "Limit": True}) is None
    request = {"ScanFilter": {}, "Limit": 5, "TableName": "t", "Bogus": 1, "Select": None}
    got = dispatch.request_params(scan, request)
    assert got == {"TableName": "t", "ScanFilter": {}, "Limit": 5}
    motos = _motos_parse("Scan", json.dumps(request).encode())
    assert list(got) == list(motos) != list(request)[:3]  # the model's order, as moto's


# --- answers: the direct path and moto's own, on twin backends ---------------------------------


def _schema():
    from hypothesis import strategies as st

    return st.tuples(st.sampled_from("SNB"), st.sampled_from([None, "S", "N", "B"]))


def _key_value(kind: str, n: int) -> dict:
    if kind == "N":
        return {"N": str(n)}
    if kind == "B":
        # base64's text orders otherwise than the bytes: a value left undecoded shows
        return {"B": b64(bytes([(0x00, 0x7F, 0xF0, 0xFF)[n], n]))}
    return {"S": f"k{n}"}


def _requests(hash_kind: str, range_kind: str | None):
    """Hypothesis requests for one table ``t`` of that key schema: every covered operation,
    valid and invalid (missing table, wrong or partial key, bad expressions and options,
    conditions that fail, binary values, unknown or null members)."""
    from hypothesis import strategies as st

    numbers = st.integers(0, 3)
    wrong = "S" if hash_kind != "S" else "N"

    @st.composite
    def key(draw, allow_bad: bool = True):
        k = {"pk": _key_value(hash_kind, draw(numbers))}
        if range_kind:
            k["sk"] = _key_value(range_kind, draw(numbers))
        if allow_bad:
            bad = draw(st.sampled_from([None] * 6 + ["type", "partial", "extra"]))
            if bad == "type":
                k["pk"] = _key_value(wrong, 1)
            elif bad == "partial" and range_kind:
                del k["sk"]
            elif bad == "extra":
                k["zz"] = {"S": "x"}
        return k

    @st.composite
    def item(draw, allow_bad: bool = True):
        attrs = draw(st.dictionaries(st.sampled_from(["a", "b", "n", "m"]), _attribute_values()))
        if draw(st.booleans()):
            attrs["n"] = {"N": str(draw(st.integers(0, 5)))}
        attrs["bin"] = {"B": b64(draw(st.binary(max_size=4)))}
        return {**attrs, **draw(key(allow_bad=allow_bad))}

    table = st.sampled_from(["t"] * 8 + ["missing"])
    capacity = st.sampled_from([None, "NONE", "TOTAL", "INDEXES", "BAD"])
    on_failure = st.sampled_from([None, "ALL_OLD", "NONE"])
    conditions = st.sampled_from(
        [
            None,
            ("attribute_not_exists(#pk)", {"#pk": "pk"}, None),
            ("attribute_exists(#pk)", {"#pk": "pk"}, None),
            ("#n < :five", {"#n": "n"}, {":five": {"N": "5"}}),
            ("#n = :bin", {"#n": "n"}, {":bin": {"B": b64(b"\x00\x01")}}),
            ("#n <", {"#n": "n"}, None),  # malformed
            ("#n = :nope", {"#n": "n"}, {":five": {"N": "5"}}),  # undefined value
        ]
    )

    def common(body: dict, draw) -> dict:
        body = {k: v for k, v in body.items() if v is not None}
        extra = draw(st.sampled_from([None] * 6 + ["unknown", "null"]))
        if extra == "unknown":
            body["Bogus"] = {"S": "x"}
        elif extra == "null":
            body["ReturnConsumedCapacity"] = None
        return body

    def with_condition(body: dict, condition) -> dict:
        if condition is not None:
            text, names, values = condition
            body["ConditionExpression"] = text
            body["ExpressionAttributeNames"] = {**body.get("ExpressionAttributeNames", {}), **names}
            if values:
                body["ExpressionAttributeValues"] = {
                    **body.get("ExpressionAttributeValues", {}),
                    **values,
                }
        return body

    @st.composite
    def put(draw):
        body = {
            "TableName": draw(table),
            "Item": draw(item()),
            "ReturnValues": draw(st.sampled_from([None, "NONE", "ALL_OLD", "ALL_NEW"])),
            "ReturnConsumedCapacity": draw(capacity),
            "ReturnValuesOnConditionCheckFailure": draw(on_failure),
        }
        return "PutItem", with_condition(common(body, draw), draw(conditions))

    @st.composite
    def get(draw):
        body = {
            "TableName": draw(table),
            "Key": draw(key()),
            "ReturnConsumedCapacity": draw(capacity),
            "ConsistentRead": draw(st.sampled_from([None, True, False])),
        }
        projection = draw(st.sampled_from([None, "#a, bin", "pk", "#a", ""]))
        if projection is not None:
            body["ProjectionExpression"] = projection
            if "#a" in projection:
                body["ExpressionAttributeNames"] = {"#a": "a"}
        return "GetItem", common(body, draw)

    @st.composite
    def delete(draw):
        body = {
            "TableName": draw(table),
            "Key": draw(key()),
            "ReturnValues": draw(st.sampled_from([None, "NONE", "ALL_OLD", "UPDATED_NEW"])),
            "ReturnConsumedCapacity": draw(capacity),
            "ReturnValuesOnConditionCheckFailure": draw(on_failure),
        }
        return "DeleteItem", with_condition(common(body, draw), draw(conditions))

    @st.composite
    def update(draw):
        expression, names, values = draw(
            st.sampled_from(
                [
                    ("SET #a = :v", {"#a": "a"}, {":v": "value"}),
                    ("SET #n = #n + :one", {"#n": "n"}, {":one": {"N": "1"}}),
                    ("ADD #n :one", {"#n": "n"}, {":one": {"N": "1"}}),
                    ("REMOVE #a", {"#a": "a"}, {}),
                    ("SET #a = :v, bin = :b", {"#a": "a"}, {":v": "value", ":b": "bin"}),
                    ("SET #a = :undefined", {"#a": "a"}, {":v": "value"}),
                    ("SET #a = ", {"#a": "a"}, {":v": "value"}),  # malformed
                ]
            )
        )
        values = {
            k: (
                draw(_attribute_values())
                if v == "value"
                else {"B": b64(draw(st.binary(max_size=3)))}
                if v == "bin"
                else v
            )
            for k, v in values.items()
        }
        body = {
            "TableName": draw(table),
            "Key": draw(key()),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values or None,
            "ReturnValues": draw(
                st.sampled_from(
                    [None, "NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW", "BAD"]
                )
            ),
            "ReturnConsumedCapacity": draw(capacity),
            "ReturnValuesOnConditionCheckFailure": draw(on_failure),
        }
        return "UpdateItem", with_condition(common(body, draw), draw(conditions))

    @st.composite
    def query(draw):
        values = {":h": _key_value(hash_kind, draw(numbers))}
        text = "pk = :h"
        if range_kind and draw(st.booleans()):
            text += " AND sk > :r"
            values[":r"] = _key_value(range_kind, draw(numbers))
        body = {
            "TableName": draw(table),
            "KeyConditionExpression": text,
            "ExpressionAttributeValues": values,
            "Limit": draw(st.sampled_from([None, 1, 2, 50])),
            "ScanIndexForward": draw(st.sampled_from([None, True, False])),
            "ReturnConsumedCapacity": draw(capacity),
            "Select": draw(st.sampled_from([None, None, "COUNT", "ALL_ATTRIBUTES"])),
        }
        if draw(st.booleans()):
            body["FilterExpression"] = "attribute_exists(bin)"
        return "Query", common(body, draw)

    @st.composite
    def scan(draw):
        body = {
            "TableName": draw(table),
            "Limit": draw(st.sampled_from([None, 1, 3])),
            "ReturnConsumedCapacity": draw(capacity),
        }
        if draw(st.booleans()):
            body["FilterExpression"] = draw(
                st.sampled_from(["attribute_exists(#a)", "#a = :b", "#a BETWEEN"])
            )
            body["ExpressionAttributeNames"] = {"#a": "a"}
            if ":b" in body["FilterExpression"]:
                body["ExpressionAttributeValues"] = {":b": {"B": b64(b"\x01")}}
        if draw(st.booleans()):
            body["Segment"], body["TotalSegments"] = draw(st.sampled_from([(0, 2), (1, 2), (2, 2)]))
        return "Scan", common(body, draw)

    @st.composite
    def batch_get(draw):
        keys = draw(st.lists(key(allow_bad=False), min_size=1, max_size=4))
        body = {
            "RequestItems": {draw(table): {"Keys": keys}},
            "ReturnConsumedCapacity": draw(capacity),
        }
        return "BatchGetItem", common(body, draw)

    @st.composite
    def batch_write(draw):
        requests = draw(
            st.lists(
                st.one_of(
                    item(allow_bad=False).map(lambda i: {"PutRequest": {"Item": i}}),
                    key(allow_bad=False).map(lambda k: {"DeleteRequest": {"Key": k}}),
                ),
                min_size=1,
                max_size=4,
            )
        )
        body = {"RequestItems": {draw(table): requests}, "ReturnConsumedCapacity": draw(capacity)}
        return "BatchWriteItem", common(body, draw)

    @st.composite
    def transact_write(draw):
        def one(kind: str):
            if kind == "Put":
                return {
                    "Put": with_condition(
                        {"TableName": "t", "Item": draw(item())}, draw(conditions)
                    )
                }
            if kind == "Delete":
                return {
                    "Delete": with_condition(
                        {"TableName": "t", "Key": draw(key())}, draw(conditions)
                    )
                }
            if kind == "Update":
                return {
                    "Update": with_condition(
                        {
                            "TableName": draw(table),
                            "Key": draw(key()),
                            "UpdateExpression": "SET bin = :b",
                            "ExpressionAttributeValues": {":b": {"B": b64(b"\x07")}},
                        },
                        draw(conditions),
                    )
                }
            check = with_condition({"TableName": "t", "Key": draw(key())}, draw(conditions))
            check.setdefault("ConditionExpression", "attribute_exists(pk)")
            return {"ConditionCheck": check}

        kinds = draw(
            st.lists(st.sampled_from(["Put", "Delete", "Update", "Check"]), min_size=1, max_size=3)
        )
        for entry in (items := [one(k) for k in kinds]):
            inner = next(iter(entry.values()))
            if draw(st.booleans()) and "ConditionExpression" in inner:
                inner["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        body = {"TransactItems": items, "ReturnConsumedCapacity": draw(capacity)}
        return "TransactWriteItems", common(body, draw)

    @st.composite
    def transact_get(draw):
        gets = draw(st.lists(key(), min_size=1, max_size=3))
        body = {
            "TransactItems": [{"Get": {"TableName": draw(table), "Key": k}} for k in gets],
            "ReturnConsumedCapacity": draw(capacity),
        }
        return "TransactGetItems", common(body, draw)

    pages = st.sampled_from(["QueryPages", "ScanPages"]).map(lambda p: (p, {}))
    return st.one_of(
        put(),
        put(),
        get(),
        delete(),
        update(),
        query(),
        scan(),
        batch_get(),
        batch_write(),
        transact_write(),
        transact_get(),
        pages,
    )


def _table(hash_kind: str, range_kind: str | None) -> dict:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": hash_kind}]
    if range_kind:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": range_kind})
    return {
        "TableName": "t",
        "KeySchema": keys,
        "AttributeDefinitions": attrs,
        "BillingMode": "PAY_PER_REQUEST",
    }


class _Counted:
    """Which operations the dispatcher ran itself (not moto's path)."""

    def __init__(self, direct: fast.Direct) -> None:
        assert direct.direct is not None
        self.ran: list[str] = []
        run = direct.direct.run

        def counted(prepared):
            self.ran.append(prepared.operation.name)
            return run(prepared)

        direct.direct.run = counted  # type: ignore[method-assign]


def _stack(mode: str, direct: bool):
    """A fresh backend and one API caller of raw HTTP answers: moto's Flask app (``direct``
    False) or ``fast.Direct`` around it; behind ``strict`` (as the server runs) or not."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import create_backend_app

    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
    flask_app = create_backend_app("dynamodb")
    flask_app.config["PROPAGATE_EXCEPTIONS"] = True  # as the server runs it
    app = fast.Direct(flask_app) if direct else flask_app
    counted = _Counted(app) if direct else None
    if mode == "strict":
        app = strict.install(app, server.SHARED_ACCOUNT, server.SHARED_REGION)
    return _raw_caller(app), counted


def _replay(call, table: dict, requests: list) -> list:
    answers = [call("CreateTable", json.dumps(table))[0]]
    for operation, body in requests:
        if operation in ("QueryPages", "ScanPages"):  # every page, each from the last's key
            request: dict = {"TableName": "t", "Limit": 2}
            if operation == "QueryPages":
                request.update(KeyConditionExpression="pk = :h")
                request["ExpressionAttributeValues"] = {
                    ":h": _key_value(table["AttributeDefinitions"][0]["AttributeType"], 1)
                }
            for _ in range(12):
                answer = call(operation[:-5], json.dumps(request))
                answers.append(answer)
                last = json.loads(answer[2]).get("LastEvaluatedKey") if answer[0] == 200 else None
                if not last:
                    break
                request["ExclusiveStartKey"] = last
            continue
        answers.append(call(operation, json.dumps(body)))
    answers.append(call("Scan", json.dumps({"TableName": "t"})))  # what the table holds
    return answers


@pytest.mark.parametrize("mode", ["strict", "raw"])
def test_direct_answers_as_motos_own_path(moto_methods, mode):  # noqa: F811
    """The same generated requests, replayed on twin backends (each fresh, one table): moto's
    own path and the direct one answer each with the same status, headers and body."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    ours = fast.install()
    assert all(ours.values())
    server.fast_answers()
    ran: set[str] = set()

    scenario = _schema().flatmap(
        lambda schema: st.tuples(
            st.just(schema), st.lists(_requests(*schema), min_size=1, max_size=8)
        )
    )

    # derandomized: the last assertion needs every operation among the examples, which a
    # random draw of this size missed now and then (TransactWriteItems)
    @settings(
        max_examples=EXAMPLES * 3,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(scenario)
    def check(given_scenario):
        (hash_kind, range_kind), requests = given_scenario
        table = _table(hash_kind, range_kind)
        moto_call, _ = _stack(mode, direct=False)
        expected = _replay(moto_call, table, requests)
        direct_call, counted = _stack(mode, direct=True)
        got = _replay(direct_call, table, requests)
        assert got == expected
        ran.update(counted.ran)

    check()
    assert ran == set(dispatch.OPERATIONS)  # every operation taken directly, not left to moto


def _environ_call(app, operation: str, body: dict, **environ) -> tuple:
    from werkzeug.test import EnvironBuilder

    builder = EnvironBuilder(
        method="POST",
        path="/",
        data=json.dumps(body),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "Host": "localhost",
            "X-Amz-Target": f"DynamoDB_20120810.{operation}",
            "Authorization": "AWS4-HMAC-SHA256 Credential=k/20000101/us-east-1/dynamodb/aws4_request, Signature=0",
        },
    )
    env = builder.get_environ()
    env.update(environ)
    started = []
    data = b"".join(app(env, lambda status, headers, exc=None: started.append(status)))
    return started[0], data


def test_what_the_direct_path_was_not_written_for_goes_to_moto(moto_methods):  # noqa: F811
    """Another content type, a query string, a compressed body, another region or account,
    an operation not covered: moto's own path, answering as it always did."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import create_backend_app

    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
    app = fast.Direct(create_backend_app("dynamodb"))
    counted = _Counted(app)
    get = {"TableName": "t", "Key": {"pk": {"S": "a"}}}
    other = "AWS4-HMAC-SHA256 Credential=k/20000101/eu-west-1/dynamodb/aws4_request, Signature=0"
    for environ in (
        {"QUERY_STRING": "Action=ListTables"},
        {"HTTP_CONTENT_ENCODING": "identity"},
        {"HTTP_AUTHORIZATION": other},
        {"HTTP_USER_AGENT": "Boto3/1 region/eu-west-1"},
        {"HTTP_HOST": "dynamodb.eu-west-1.amazonaws.com"},
        {"HTTP_ACTION": "ListTables"},
    ):
        status, _ = _environ_call(app, "GetItem", get, **environ)
        assert status.startswith(("200", "400")), environ
    assert counted.ran == []
    status, data = _environ_call(app, "ListTables", {})
    assert status.startswith("200") and counted.ran == []
    status, data = _environ_call(app, "GetItem", get)
    assert counted.ran == ["GetItem"]
    assert status == "400 BAD REQUEST" and b"ResourceNotFoundException" in data


def test_a_moto_it_was_not_written_for_gets_moto_s_path(moto_methods, monkeypatch):  # noqa: F811
    from moto.dynamodb.responses import DynamoHandler
    from moto.moto_server.werkzeug_app import create_backend_app

    def call_action(self):  # not amz_crc32's wrapper: a moto that answers otherwise
        return 200, {}, "{}"

    monkeypatch.setattr(DynamoHandler, "call_action", call_action)
    assert dispatch.dispatcher(server.SHARED_ACCOUNT, server.SHARED_REGION) is None
    assert fast.Direct(create_backend_app("dynamodb")).direct is None
    monkeypatch.undo()
    assert dispatch.dispatcher(server.SHARED_ACCOUNT, server.SHARED_REGION) is not None
    assert fast.Direct(create_backend_app("dynamodb"), direct=False).direct is None


def test_the_operation_is_the_target_s_and_answers_are_not_rewritten(moto_methods):  # noqa: F811
    """Where moto is wrong, the direct path answers as DynamoDB: moto takes an ``Action`` out of
    a JSON body read as a form (this PutItem deleted the table) and rewrites any
    ``<RequestId>...</RequestId>`` in an answer."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import create_backend_app

    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
    call = server.api_caller(fast.Direct(create_backend_app("dynamodb")))
    call("CreateTable", _table("S", None))
    tricky = {
        "pk": {"S": "a"},
        "x": {"S": "&Action=DeleteTable&"},
        "y": {"S": "<RequestId>1</RequestId>"},
    }
    call("PutItem", {"TableName": "t", "Item": tricky})
    assert call("ListTables", {})["TableNames"] == ["t"]
    assert call("GetItem", {"TableName": "t", "Key": {"pk": {"S": "a"}}})["Item"] == tricky


# --- through a real server process, with boto3 -------------------------------------------------


def test_a_real_server_answers_boto3_directly(ddb):
    """Binary keys and values round-trip, errors parse as boto3's exceptions for them (with the
    item of a failed condition), consumed capacity and pages as boto3 reads them."""
    name = "dispatch_binary"
    create_keyed_table(ddb, name, hash_type="B")
    raw = bytes(range(256))
    for n in range(5):
        ddb.put_item(
            TableName=name,
            Item={
                "pk": {"B": raw},
                "sk": {"N": str(n)},
                "v": {"BS": [b"\x00", b"\xff"]},
                "m": {"M": {"l": {"L": [{"B": b"\x01\x02"}]}}},
            },
        )
    key = {"pk": {"B": raw}, "sk": {"N": "1"}}
    got = ddb.get_item(TableName=name, Key=key, ReturnConsumedCapacity="TOTAL")
    assert got["Item"]["pk"]["B"] == raw
    assert sorted(got["Item"]["v"]["BS"]) == [b"\x00", b"\xff"]
    assert got["Item"]["m"]["M"]["l"]["L"][0]["B"] == b"\x01\x02"
    assert got["ConsumedCapacity"] == {"TableName": name, "CapacityUnits": 0.5}
    assert re.fullmatch("[A-Za-z0-9]{52}", got["ResponseMetadata"]["RequestId"])  # as moto's
    # (botocore checks each DynamoDB answer's x-amz-crc32 against its body)

    items, start = [], None
    while True:
        page = ddb.query(
            TableName=name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"B": raw}},
            Limit=2,
            **({"ExclusiveStartKey": start} if start else {}),
        )
        items += page["Items"]
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    assert [i["sk"]["N"] for i in items] == ["0", "1", "2", "3", "4"]

    updated = ddb.update_item(
        TableName=name,
        Key=key,
        UpdateExpression="SET b = :b",
        ExpressionAttributeValues={":b": {"B": b"\x00bin"}},
        ReturnValues="UPDATED_NEW",
    )
    assert updated["Attributes"] == {"b": {"B": b"\x00bin"}}

    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException) as failed:
        ddb.put_item(
            TableName=name,
            Item=key,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    assert failed.value.response["Item"]["b"]["B"] == b"\x00bin"
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="dispatch_missing", Key=key)
    with pytest.raises(ddb.exceptions.ClientError) as invalid:
        ddb.delete_item(TableName=name, Key=key, ReturnValues="ALL_NEW")
    assert invalid.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as cancelled:
        ddb.transact_write_items(
            TransactItems=[
                {
                    "ConditionCheck": {
                        "TableName": name,
                        "Key": key,
                        "ConditionExpression": "attribute_not_exists(b)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                }
            ]
        )
    reasons = cancelled.value.response["CancellationReasons"]
    assert reasons[0]["Code"] == "ConditionalCheckFailed"
    written = ddb.batch_write_item(
        RequestItems={name: [{"DeleteRequest": {"Key": {"pk": {"B": raw}, "sk": {"N": "0"}}}}]}
    )
    assert written["UnprocessedItems"] == {}
    both = ddb.batch_get_item(RequestItems={name: {"Keys": [key]}})
    assert both["Responses"][name][0]["b"]["B"] == b"\x00bin"
    assert (
        ddb.transact_get_items(TransactItems=[{"Get": {"TableName": name, "Key": key}}])[
            "Responses"
        ][0]["Item"]["pk"]["B"]
        == raw
    )
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 4


def test_every_call_runs_the_operation_its_target_names(ddb, server):
    """moto reads a JSON body as a form too and runs the ``Action`` it finds there; every
    operation here, direct or through moto's own path, runs its ``X-Amz-Target``'s."""
    import boto3

    trap = "&Action=DeleteTable&"
    name = "dispatch_action"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "note", "Value": trap}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "again", "Value": trap}])  # moto's path
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "x": {"S": trap}})  # the direct path
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert name in ddb.list_tables()["TableNames"]
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]["x"] == {"S": trap}
    tags = ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
    assert {t["Value"] for t in tags} == {trap}
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    described = streams.describe_stream(
        StreamArn=f"{arn}/stream/x{trap.replace('DeleteTable', 'ListStreams')}"
    )
    assert described["StreamDescription"]["TableName"] == name  # not ListStreams' answer


def test_a_stream_call_reads_its_members_from_its_json_body(ddb, server):
    """moto's Streams handler looked members up in the body read as a form first: a
    ``StreamArn`` holding ``&StreamArn=<the real ARN>&`` described the real stream."""
    import boto3
    from botocore.exceptions import ClientError

    name = "dispatch_stream_members"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    real = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    assert streams.describe_stream(StreamArn=real)["StreamDescription"]["StreamArn"] == real
    # an ARN of a table that does not exist, with the real one inside it
    hidden = real.replace(f"table/{name}/", "table/nothing/") + f"&StreamArn={real}&x="
    with pytest.raises(ClientError) as caught:
        streams.describe_stream(StreamArn=hidden, Limit=10)
    assert caught.value.response["Error"]["Code"] in (
        "ResourceNotFoundException",
        "ValidationException",
    ), caught.value.response
