"""``dynamodb_plugin.local.updates`` answers as moto's own code does: hypothesis-generated
update and condition expressions applied to generated items with moto's methods and with ours
(twice: the second time every expression is already parsed), the answers (items, every kind of
ReturnValues, errors with their type and message, ConditionalCheckFailed) and the table after
compared; and end to end through a real server with boto3."""

from __future__ import annotations

import copy
import json
import re

import pytest

from dynamodb_plugin.local import fast, server, updates
from tests.dynamodb import test_fast
from tests.dynamodb.conftest import create_keyed_table
from tests.dynamodb.test_fast import EXAMPLES, _ours, _use

moto_methods = test_fast.moto_methods  # the fixture: moto's methods back after each test

NAMES = {"#a": "a", "#n": "n", "#m": "m", "#l": "l", "#t": "tags", "#k": "pk", "#r": "name"}
VALUES = {
    ":one": {"N": "1"},
    ":half": {"N": "2.5"},
    ":neg": {"N": "-3"},
    ":str": {"S": "ab"},
    ":pre": {"S": "a"},
    ":empty": {"S": ""},
    ":ss": {"SS": ["u", "a"]},
    ":ns": {"NS": ["1", "3"]},
    ":list": {"L": [{"N": "2"}, {"S": "x"}]},
    ":nolist": {"L": []},
    ":map": {"M": {"x": {"N": "1"}, "l": {"L": [{"S": "q"}]}}},
    ":yes": {"BOOL": True},
    ":null": {"NULL": True},
    ":typ": {"S": "SS"},
}
PLACEHOLDER = re.compile(r"[:#][A-Za-z0-9_]+")


def _typed_caller():
    """A DynamoDB call on moto's app (through ``fast.Direct``), answered as the status and the
    JSON body (an error's ``__type`` and message included), or the exception moto raised."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.moto_server.werkzeug_app import create_backend_app
    from werkzeug.test import Client

    dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].reset()
    client = Client(fast.Direct(create_backend_app("dynamodb")))
    scope = f"{server.SHARED_KEY}/20000101/{server.SHARED_REGION}/dynamodb/aws4_request"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
    }

    def call(operation: str, request: dict) -> object:
        target = {"X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        try:
            response = client.post("/", data=json.dumps(request), headers={**headers, **target})
        except Exception as exc:  # noqa: BLE001 - moto's own failure, compared as it is
            return ("raised", type(exc).__name__, str(exc))
        return (response.status_code, json.loads(response.get_data() or b"{}"))

    return call


def _table(call, items: list[dict], streamed: bool = False) -> None:
    table: dict = {
        "TableName": "u",
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if streamed:
        table["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        }
    assert call("CreateTable", table)[0] == 200
    for item in items:
        assert call("PutItem", {"TableName": "u", "Item": item})[0] == 200


def _with_placeholders(request: dict, texts: list[str], extra: bool) -> dict:
    used = {m.group() for text in texts for m in PLACEHOLDER.finditer(text)}
    names = {k: v for k, v in NAMES.items() if k in used}
    values = {k: v for k, v in VALUES.items() if k in used}
    if extra:  # one unused (moto refuses it) or undefined (a KeyError / message in moto)
        values[":unused"] = {"N": "0"}
    if names:
        request["ExpressionAttributeNames"] = names
    if values:
        request["ExpressionAttributeValues"] = values
    return request


def _root(action: str) -> str:
    """The attribute an action's path starts at."""
    first = re.split(r"[.\[ =]", action, maxsplit=1)[0]
    return NAMES.get(first, first)


def _strategies():
    from hypothesis import strategies as st

    # mostly what makes a valid request; now and then a key, a reserved word, an undefined
    # placeholder, a path into nothing (each an error of moto's)
    plain = st.sampled_from(["a", "n", "m", "l", "tags", "body", "s"] * 4 + ["pk", "name"])
    placeholder = st.sampled_from(["#a", "#n", "#m", "#l", "#t"] * 3 + ["#k", "#r", "#undefined"])
    element = st.one_of(plain, plain, placeholder)
    step = st.one_of(
        st.sampled_from([".x", ".l", ".#a", ".y"]), st.integers(0, 2).map(lambda i: f"[{i}]")
    )
    path = st.one_of(
        element,
        element,
        st.tuples(element, st.lists(step, min_size=1, max_size=2)).map(
            lambda p: p[0] + "".join(p[1])
        ),
    )
    value = st.sampled_from([*VALUES] * 2 + [":undefined"])
    operand = st.one_of(
        value,
        path,
        st.tuples(path, value).map(lambda p: f"if_not_exists({p[0]}, {p[1]})"),
        st.tuples(st.one_of(path, value), st.one_of(path, value)).map(
            lambda p: f"list_append({p[0]}, {p[1]})"
        ),
    )
    set_value = st.one_of(
        operand,
        st.tuples(operand, st.sampled_from(["+", "-", " + ", " - "]), operand).map("".join),
    )
    set_action = st.tuples(path, set_value).map(lambda p: f"{p[0]} = {p[1]}")
    set_member = st.sampled_from([":ss", ":ns", ":one", ":half"] * 3 + [*VALUES])
    add_action = st.tuples(path, set_member).map(" ".join)

    def actions(action: object, most: int) -> object:
        # mostly one path per attribute (else moto's "Two document paths overlap")
        return st.one_of(
            st.lists(action, min_size=1, max_size=most, unique_by=_root),
            st.lists(action, min_size=1, max_size=most),
        )

    clause = st.one_of(
        actions(set_action, 3).map(lambda a: "SET " + ", ".join(a)),
        actions(path, 2).map(lambda a: "REMOVE " + ", ".join(a)),
        actions(add_action, 2).map(lambda a: "ADD " + ", ".join(a)),
        actions(add_action, 2).map(lambda a: "DELETE " + ", ".join(a)),
    )
    update = st.one_of(
        st.lists(clause, min_size=1, max_size=3, unique_by=lambda c: c.split()[0]),
        st.lists(clause, min_size=1, max_size=3),
    ).map(" ".join)

    c_operand = st.one_of(path, value, path.map(lambda p: f"size({p})"))
    comparison = st.tuples(
        c_operand, st.sampled_from(["=", "<>", "<", "<=", ">", ">="]), c_operand
    ).map(" ".join)
    function = st.one_of(
        path.map(lambda p: f"attribute_exists({p})"),
        path.map(lambda p: f"attribute_not_exists({p})"),
        st.tuples(path, value).map(lambda p: f"begins_with({p[0]}, {p[1]})"),
        st.tuples(path, value).map(lambda p: f"contains({p[0]}, {p[1]})"),
        path.map(lambda p: f"attribute_type({p}, :typ)"),
    )
    between = st.tuples(c_operand, value, value).map(lambda p: f"{p[0]} BETWEEN {p[1]} AND {p[2]}")
    member = st.tuples(c_operand, st.lists(value, min_size=1, max_size=3)).map(
        lambda p: f"{p[0]} IN ({', '.join(p[1])})"
    )
    condition = st.recursive(
        st.one_of(comparison, function, between, member),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
            inner.map(lambda c: f"NOT {c}"),
            inner.map(lambda c: f"({c})"),
        ),
        max_leaves=4,
    )
    scalar = st.one_of(
        st.integers(-5, 5).map(lambda n: {"N": str(n)}),
        st.sampled_from(["", "a", "ab", "b"]).map(lambda s: {"S": s}),
    )
    attributes = st.fixed_dictionaries(
        {},
        optional={
            "n": st.integers(-3, 9).map(lambda n: {"N": str(n)}),
            "a": st.sampled_from(["a", "abc", "z"]).map(lambda s: {"S": s}),
            "body": st.just({"S": "x" * 12}),
            "tags": st.sets(st.sampled_from("abu"), min_size=1).map(lambda s: {"SS": sorted(s)}),
            "s": st.sets(st.sampled_from(["1", "2", "3"]), min_size=1).map(
                lambda s: {"NS": sorted(s)}
            ),
            "l": st.lists(scalar, max_size=3).map(lambda v: {"L": v}),
            "m": st.fixed_dictionaries(
                {},
                optional={"x": scalar, "l": st.lists(scalar, max_size=2).map(lambda v: {"L": v})},
            ).map(lambda v: {"M": v}),
        },
    )
    keys = st.integers(0, 3).map(lambda k: {"pk": {"S": f"k{k}"}})
    return st, update, condition, attributes, keys


def _items(draw_items: dict[int, dict]) -> list[dict]:
    return [{"pk": {"S": f"k{k}"}, **attrs} for k, attrs in sorted(draw_items.items())]


def _agree(moto_methods: dict, ours: dict, items: dict, requests: list) -> None:
    """``requests`` on ``items`` answer and leave the table alike through moto's code and ours,
    ours twice (the second time with everything already parsed)."""
    outcomes = _outcomes((moto_methods, ours, ours), _items(items), requests)
    _use(moto_methods)
    assert outcomes[1] == outcomes[0], requests
    assert outcomes[2] == outcomes[0], requests


def _outcomes(methods_in_turn, items, requests) -> list:
    outcomes = []
    for methods in methods_in_turn:
        _use(methods)
        call = _typed_caller()
        _table(call, items)
        answers = [call(operation, request) for operation, request in requests]
        outcomes.append((answers, call("Scan", {"TableName": "u"})))
    return outcomes


def _update_requests(st, update, condition, keys):
    """Generated UpdateItem requests: every kind of ReturnValues, now and then a condition
    (and ReturnValuesOnConditionCheckFailure), an unused or undefined placeholder."""

    @st.composite
    def update_request(draw):
        expression = draw(update)
        request: dict = {
            "TableName": "u",
            "Key": draw(keys),
            "UpdateExpression": expression,
            "ReturnValues": draw(
                st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
            ),
        }
        texts = [expression]
        if draw(st.booleans()):
            request["ConditionExpression"] = draw(condition)
            texts.append(request["ConditionExpression"])
            if draw(st.booleans()):
                request["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        return ("UpdateItem", _with_placeholders(request, texts, draw(st.integers(0, 9)) == 0))

    return update_request()


def test_updates_and_conditions_answer_as_motos(moto_methods, monkeypatch):
    """... and ours takes most of the updates moto answers through the plan (moto's own
    validator is called for a few: else the plan would be idle and this test no test)."""
    from hypothesis import given, settings
    from moto.dynamodb import models
    from moto.dynamodb.parsing import validators

    st, update, condition, attributes, keys = _strategies()
    ours = _ours(moto_methods)
    moto_validator = moto_methods[(models, "UpdateExpressionValidator")]
    moto_validate = moto_validator.validate
    calls = {"validated by ours": 0, "of them by moto's validator": 0}
    planned_validate = ours[(models, "UpdateExpressionValidator")].validate

    def counted_planned(self):
        tree = planned_validate(self)  # a refusal (moto's) is not counted
        calls["validated by ours"] += 1
        return tree

    def counted_moto(self):
        tree = moto_validate(self)
        if type(self) is not moto_validator:  # handed back, and answered
            calls["of them by moto's validator"] += 1
        return tree

    monkeypatch.setattr(ours[(models, "UpdateExpressionValidator")], "validate", counted_planned)
    monkeypatch.setattr(validators.UpdateExpressionValidator, "validate", counted_moto)

    @settings(max_examples=EXAMPLES * 3, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 3), attributes, max_size=4),
        st.lists(_update_requests(st, update, condition, keys), min_size=1, max_size=5),
    )
    def check(items, requests):
        _agree(moto_methods, ours, items, requests)

    check()
    assert calls["validated by ours"] > 0
    assert calls["of them by moto's validator"] <= calls["validated by ours"] * 0.2, calls


WELL_FORMED = [
    "SET #n = if_not_exists(#n, :one) + :one, body = :str ADD tags :ss REMOVE #a",
    "SET #l = list_append(if_not_exists(#l, :nolist), :list)",
    "SET m = if_not_exists(m, :map) REMOVE body",
    "DELETE tags :ss SET a = :pre",
    "ADD s :ns SET #r = :yes",
    "REMOVE l, m, tags",
    "SET body = :str",
]


def stream_records(name: str = "u") -> list:
    """The stream records of table ``name`` on the shared backend, as plain data, without what
    differs from run to run (event id, creation time, and the size, which counts its digits)."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends[server.SHARED_ACCOUNT][server.SHARED_REGION].tables[name]
    found = []
    for record in table.stream_shard.items:
        shown = copy.deepcopy(record.to_json())
        shown.pop("eventID")
        shown["dynamodb"].pop("ApproximateCreationDateTime")
        shown["dynamodb"].pop("SizeBytes")  # moto's measure counts the time's digits
        found.append(json.loads(json.dumps(shown, default=str)))
    return found


def test_updates_write_the_stream_records_motos_write(moto_methods):
    """With a stream (NEW_AND_OLD_IMAGES), the records of generated updates (old image, new
    image, keys, event name) are moto's, new items and failed conditions included."""
    from hypothesis import given, settings

    st, update, condition, attributes, keys = _strategies()
    ours = _ours(moto_methods)

    # generated expressions are mostly refused: these mostly succeed, on items that exist
    well_formed = st.tuples(
        st.sampled_from(WELL_FORMED),
        st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]),
        st.one_of(st.none(), condition),
        keys,
    ).map(
        lambda p: (
            "UpdateItem",
            _with_placeholders(
                {
                    "TableName": "u",
                    "Key": p[3],
                    "UpdateExpression": p[0],
                    "ReturnValues": p[1],
                    **({} if p[2] is None else {"ConditionExpression": p[2]}),
                },
                [p[0]] if p[2] is None else [p[0], p[2]],
                False,
            ),
        )
    )

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 3), attributes, min_size=2, max_size=4),
        st.lists(
            st.one_of(well_formed, well_formed, _update_requests(st, update, condition, keys)),
            min_size=1,
            max_size=5,
        ),
    )
    def check(items, requests):
        outcomes = []
        for methods in (moto_methods, ours):
            _use(methods)
            call = _typed_caller()
            _table(call, _items(items), streamed=True)
            answers = [call(operation, request) for operation, request in requests]
            outcomes.append((answers, stream_records()))
        _use(moto_methods)
        assert outcomes[1] == outcomes[0], requests
        assert len(outcomes[0][1]) >= len(items)  # the puts, at least, were recorded
        modified[0] += sum("OldImage" in r["dynamodb"] for r in outcomes[0][1])

    modified = [0]
    check()
    assert modified[0] > 0  # old images were compared


def test_puts_deletes_and_transactions_with_conditions_answer_as_motos(moto_methods):
    from hypothesis import given, settings

    st, update, condition, attributes, keys = _strategies()
    ours = _ours(moto_methods)

    @st.composite
    def conditional(draw):
        kind = draw(st.sampled_from(["PutItem", "DeleteItem", "TransactWriteItems"]))
        on_failure = draw(st.sampled_from([None, "ALL_OLD", "NONE"]))

        def part(kind: str) -> dict:
            cond = draw(condition)
            op: dict = {"TableName": "u", "ConditionExpression": cond}
            texts = [cond]
            if kind in ("Put", "PutItem"):
                op["Item"] = {**draw(keys), **draw(attributes)}
            else:
                op["Key"] = draw(keys)
            if kind == "Update":
                op["UpdateExpression"] = draw(update)
                texts.append(op["UpdateExpression"])
            if on_failure:
                op["ReturnValuesOnConditionCheckFailure"] = on_failure
            if kind in ("PutItem", "DeleteItem"):
                op["ReturnValues"] = draw(st.sampled_from(["NONE", "ALL_OLD"]))
            return _with_placeholders(op, texts, draw(st.integers(0, 9)) == 0)

        if kind != "TransactWriteItems":
            return (kind, part(kind))
        kinds = draw(
            st.lists(st.sampled_from(["Put", "Update", "Delete", "ConditionCheck"]), max_size=3)
        )
        return (kind, {"TransactItems": [{k: part(k)} for k in kinds or ["ConditionCheck"]]})

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 3), attributes, max_size=4),
        st.lists(conditional(), min_size=1, max_size=5),
    )
    def check(items, requests):
        _agree(moto_methods, ours, items, requests)

    check()


def test_a_kept_condition_holds_its_own_values(moto_methods):
    """A kept parse does not share the values of the request it was parsed for: moto's item
    takes a set from a request's values as it is (``SET s = :ss``) and a later ``ADD`` grows it
    in place; the same condition with the same values must still compare with ``["u", "a"]``."""
    ours = _ours(moto_methods)
    answers = []
    for methods in (moto_methods, ours):
        _use(methods)
        call = _typed_caller()
        _table(call, [{"pk": {"S": "k0"}}])
        guarded = {
            "TableName": "u",
            "Key": {"pk": {"S": "k0"}},
            "UpdateExpression": "SET tags = :ss",
            "ConditionExpression": "attribute_not_exists(tags) OR tags = :ss",
            "ExpressionAttributeValues": {":ss": {"SS": ["u", "a"]}},
            "ReturnValues": "ALL_NEW",
        }
        grow = {
            "TableName": "u",
            "Key": {"pk": {"S": "k0"}},
            "UpdateExpression": "ADD tags :more",
            "ExpressionAttributeValues": {":more": {"SS": ["z"]}},
        }
        answers.append([call("UpdateItem", r) for r in (guarded, grow, guarded)])
    _use(moto_methods)
    assert answers[1] == answers[0]
    assert answers[0][2][0] == 400 and "ConditionalCheckFailed" in answers[0][2][1]["__type"]


def test_each_condition_is_parsed_once_per_expression_names_and_values(moto_methods, monkeypatch):
    from moto.dynamodb.comparisons import ConditionExpressionParser

    ours = _ours(moto_methods)
    _use(ours)
    lexed = []
    lex = ConditionExpressionParser._lex_condition_expression

    def counting(self):
        lexed.append(self.condition_expression)
        return lex(self)

    monkeypatch.setattr(ConditionExpressionParser, "_lex_condition_expression", counting)
    call = _typed_caller()
    _table(call, [{"pk": {"S": "k0"}, "n": {"N": "1"}}])

    def update(zero: str, body: str, name: str = "n") -> object:
        return call(
            "UpdateItem",
            {
                "TableName": "u",
                "Key": {"pk": {"S": "k0"}},
                "UpdateExpression": "SET #n = #n + :one, body = :b",
                "ConditionExpression": "attribute_exists(pk) AND #n >= :zero",
                "ExpressionAttributeNames": {"#n": name},
                "ExpressionAttributeValues": {
                    ":one": {"N": "1"},
                    ":zero": {"N": zero},
                    ":b": {"S": body},
                },
                "ReturnValues": "UPDATED_NEW",
            },
        )

    try:
        text = "attribute_exists(pk) AND #n >= :zero"
        for i in range(5):  # :b is not in the condition: the same parse for every body
            assert update("0", f"body {i}")[0] == 200
        assert lexed.count(text) == 1
        assert update("9", "x")[1]["__type"].endswith("ConditionalCheckFailedException")
        assert lexed.count(text) == 2  # another :zero, another parse
        refused = update("0", "y", name="m")  # another name: no m, the condition fails
        assert refused[1]["__type"].endswith("ConditionalCheckFailedException")
        assert lexed.count(text) == 3
        assert update("0", "z")[1]["Attributes"]["n"] == {"N": "7"}
        assert lexed.count(text) == 3
    finally:
        _use(moto_methods)


def _shape(tree: object) -> object:
    """A parsed tree as nested tuples, with each node's parent as the number of the node it
    is (in the order first met), to tell copies apart that link their nodes differently."""
    numbers: dict[int, int] = {}

    def number(node: object) -> int:
        return numbers.setdefault(id(node), len(numbers))

    def shape(node: object) -> object:
        if not hasattr(node, "children"):
            return (type(node).__name__, node)
        parent = getattr(node, "parent", None)
        return (
            type(node).__name__,
            number(node),
            None if parent is None else number(parent),
            sorted(k for k in vars(node) if k not in ("children", "parent")),
            [shape(child) for child in node.children or []],
        )

    return shape(tree)


def test_parsed_trees_are_copied_as_deepcopy_copies_them(moto_methods):
    from hypothesis import given, settings
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    st, update, *_ = _strategies()
    _ours(moto_methods)  # leaves moto's in place
    assert updates.node_copies()
    fast_copy = validators.deepcopy
    _use(moto_methods)
    assert validators.deepcopy is copy.deepcopy and fast_copy is not copy.deepcopy

    @settings(max_examples=EXAMPLES * 2, deadline=None)
    @given(update)
    def check(expression):
        try:
            tree = UpdateExpressionParser.make(expression)
        except Exception:  # noqa: BLE001 - not an expression moto parses
            return
        ours, theirs = fast_copy(tree), copy.deepcopy(tree)
        assert _shape(ours) == _shape(theirs) == _shape(tree)
        assert ours is not tree and ours.children is not tree.children

    check()


def test_install_takes_and_is_idempotent(moto_methods):
    ours = _ours(moto_methods)
    _use(ours)
    try:
        assert all(patch() for patch in updates.PATCHES)  # again: already in place
        from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

        words = ReservedKeywords.get_reserved_keywords()
        assert isinstance(words, list) and "NAME" in words and "name" not in words
    finally:
        _use(moto_methods)


@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_OLD"])
def test_updates_through_a_real_server(ddb, return_values):
    """The benchmark's UpdateItem and its failures, with boto3 against the built-in server
    (strict in front, every patch in place)."""
    from botocore.exceptions import ClientError

    table = f"updates-{return_values.lower()}"
    create_keyed_table(ddb, table)
    key = {"pk": {"S": "g0"}, "sk": {"N": "0"}}
    ddb.put_item(
        TableName=table,
        Item={**key, "n": {"N": "0"}, "tags": {"SS": ["a"]}, "gone_attr": {"S": "x"}},
    )
    request = {
        "TableName": table,
        "Key": key,
        "UpdateExpression": "SET #n = #n + :one, body = :b ADD tags :t REMOVE #gone",
        "ConditionExpression": "attribute_exists(pk) AND #n >= :zero",
        "ExpressionAttributeNames": {"#n": "n", "#gone": "gone_attr"},
        "ExpressionAttributeValues": {
            ":one": {"N": "1"},
            ":b": {"S": "y" * 50},
            ":t": {"SS": ["u"]},
            ":zero": {"N": "0"},
        },
        "ReturnValues": return_values,
    }
    for i in range(1, 4):
        got = ddb.update_item(**request)["Attributes"]
        if return_values == "ALL_NEW":
            assert got["n"] == {"N": str(i)} and sorted(got["tags"]["SS"]) == ["a", "u"]
            assert "gone_attr" not in got
        else:
            assert got["n"] == {"N": str(i - 1)}
    with pytest.raises(ClientError) as failed:
        ddb.update_item(
            **{
                **request,
                "ExpressionAttributeValues": {
                    **request["ExpressionAttributeValues"],
                    ":zero": {"N": "10"},
                },
            }
        )
    assert failed.value.response["Error"]["Code"] == "ConditionalCheckFailedException"
    with pytest.raises(ClientError) as undefined:
        ddb.update_item(**{**request, "ConditionExpression": "#n >= :nothing"})
    assert undefined.value.response["Error"]["Code"] == "ValidationException"
    assert ":nothing" in undefined.value.response["Error"]["Message"]
    item = ddb.get_item(TableName=table, Key=key)["Item"]
    assert item["n"] == {"N": "3"} and item["body"] == {"S": "y" * 50}


def _gsi_table():
    """A moto table keyed by ``pk`` with an index on ``a`` (S) and ``n`` (N): SET of a wrong
    type or an empty string to those is refused (moto's TypeMismatch / EmptyString checks)."""
    from moto.dynamodb.models.table import Table

    return Table(
        "u",
        account_id=server.SHARED_ACCOUNT,
        region=server.SHARED_REGION,
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        attr=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "a", "AttributeType": "S"},
            {"AttributeName": "n", "AttributeType": "N"},
        ],
        global_indexes=[
            {
                "IndexName": "by-a",
                "KeySchema": [
                    {"AttributeName": "a", "KeyType": "HASH"},
                    {"AttributeName": "n", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


def _origins(item, request_values: dict) -> dict[int, str]:
    """Where each object a validated tree may share comes from: a ``DynamoType`` of the
    item (or its list or map), or a list or map of the request's values."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    found: dict[int, str] = {}

    def item_part(value, where: str) -> None:
        found[id(value)] = where
        if isinstance(value, DynamoType) and isinstance(value.value, list | dict):
            found[id(value.value)] = where + "/value"
            parts = value.value.items() if isinstance(value.value, dict) else enumerate(value.value)
            for k, v in parts:
                item_part(v, f"{where}/{k}")

    def request_part(value, where: str) -> None:
        if isinstance(value, list | dict):
            found[id(value)] = where
            parts = value.items() if isinstance(value, dict) else enumerate(value)
            for k, v in parts:
                request_part(v, f"{where}/{k}")

    for name, value in item.attrs.items():
        item_part(value, f"item:{name}")
    request_part(request_values, "request")
    return found


def _fingerprint(tree, origins: dict[int, str]) -> list:
    """A validated, normalized tree as its actions: class, path, and the value each one
    applies with what it shares (by identity) with the item or the request."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    numbers: dict[int, int] = {}  # objects met more than once in the tree: shared

    def number(x) -> int:
        return numbers.setdefault(id(x), len(numbers))

    def value(v) -> object:
        if isinstance(v, DynamoType):
            inner = v.value
            if isinstance(inner, dict):
                shown: object = {k: value(x) for k, x in inner.items()}
            elif isinstance(inner, list):
                shown = [value(x) for x in inner]
            else:
                shown = inner
            mutable = isinstance(inner, list | dict)
            return (
                "D",
                v.type,
                origins.get(id(v)),
                origins.get(id(inner)),
                number(v),
                number(inner) if mutable else None,
                shown,
            )
        return ("?", repr(v), origins.get(id(v)))

    actions = []
    for action in tree.children:
        path, *rest = action.children
        actions.append(
            (
                type(action).__name__,
                type(path).__name__,
                path.to_str(),
                [(type(node).__name__, [value(x) for x in node.children or []]) for node in rest],
            )
        )
    return actions


def _validation_twins(moto_methods, monkeypatch):
    """``compare(expression, attrs, new_item, extra)``: the expression validated on an item
    by moto's ``UpdateExpressionValidator`` and by ours (then ``normalize``d), the outcomes
    asserted equal (the trees' actions, paths and values, sharing the same objects of the
    item and of the request; or the same exception) and the item unchanged; answers how ours
    did it: "planned", "handed back" (moto's validator answered) or "raised"."""
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ours = _ours(moto_methods)
    planned = ours[(models, "UpdateExpressionValidator")]
    moto_validator = moto_methods[(models, "UpdateExpressionValidator")]
    assert planned is not moto_validator and issubclass(planned, moto_validator)
    handed_back = []
    moto_validate = validators.UpdateExpressionValidator.validate

    def counted(self):
        handed_back.append(1)
        return moto_validate(self)

    monkeypatch.setattr(validators.UpdateExpressionValidator, "validate", counted)

    def outcome(validator_class, tree, names, values, item, table):
        try:
            validated = validator_class(
                tree,
                expression_attribute_names=names,
                expression_attribute_values=values,
                item=item,
                table=table,
            ).validate()
            validated.normalize()
        except Exception as exc:  # noqa: BLE001 - moto's refusal, compared as it is
            return ("raised", type(exc).__name__, str(exc))
        return _fingerprint(validated, _origins(item, values))

    def compare(expression: str, attrs: dict, new_item: bool = False, extra: bool = False):
        try:
            tree = UpdateExpressionParser.make(expression)
        except Exception:  # noqa: BLE001 - not an expression moto parses
            return "unparsed"
        request = _with_placeholders({}, [expression], extra)
        names = request.get("ExpressionAttributeNames", {})
        values = request.get("ExpressionAttributeValues", {})
        table = _gsi_table()
        item = Item(DynamoType({"S": "k0"}), None, {} if new_item else {"pk": {"S": "k0"}, **attrs})
        before = item.to_json()
        theirs = outcome(moto_validator, tree, names, values, item, table)
        handed_back.clear()
        mine = outcome(planned, tree, names, values, item, table)
        assert mine == theirs, expression
        assert item.to_json() == before  # validation changes nothing
        if theirs[0] == "raised":
            assert handed_back, "a refusal is moto's own"
            return "raised"
        return "handed back" if handed_back else "planned"

    return compare


def test_planned_validation_builds_the_tree_motos_validator_builds(moto_methods, monkeypatch):
    """For generated expressions (nested paths, list indexes, sets, functions, errors) on
    generated items, ours validates as moto's; and the plan answers most of what moto's
    answers itself (else it would only ever hand them back)."""
    from hypothesis import given, settings
    from hypothesis import strategies as hst

    st, update, _condition, attributes, _keys = _strategies()
    compare = _validation_twins(moto_methods, monkeypatch)
    tally = {"planned": 0, "handed back": 0, "raised": 0, "unparsed": 0}

    @settings(max_examples=EXAMPLES * 6, deadline=None)
    @given(update, attributes, hst.integers(0, 9), hst.booleans())
    def check(expression, attrs, extra, new_item):
        tally[compare(expression, attrs, new_item, extra == 0)] += 1

    check()
    assert tally["planned"] >= (tally["planned"] + tally["handed back"]) * 0.8 > 0, tally


ITEM = {
    "a": {"S": "abc"},
    "n": {"N": "4"},
    "tags": {"SS": ["a", "b"]},
    "s": {"NS": ["1", "2"]},
    "l": {"L": [{"N": "1"}, {"S": "x"}, {"N": "3"}]},
    "m": {"M": {"x": {"N": "1"}, "l": {"L": [{"S": "q"}]}}},
    "body": {"S": "xx"},
}


@pytest.mark.parametrize(
    ("expression", "how"),
    [
        ("SET #n = #n + :one, body = :str ADD tags :ss REMOVE #a", "planned"),
        ("SET n = n - :half, body = if_not_exists(nothing, :str)", "planned"),
        ("SET body = if_not_exists(a, :str), l = list_append(l, :list)", "planned"),
        ("SET l = list_append(:list, l), m.x = :one, m.l[0] = :str", "planned"),
        ("SET l[7] = :one, m.y = :map, #m.#l[3] = :null", "planned"),  # appended, created
        ("SET body = a, a = body", "planned"),  # swapped: values read before anything is set
        ("SET body = l, m.z = m ADD s :ns DELETE tags :ss", "planned"),
        ("REMOVE l[0], l[2], m.x, nothing", "planned"),  # removed from the last index down
        ("ADD n :one, new_set :ss, new_n :half DELETE nothing :ns", "planned"),
        ("SET #a = :empty", "planned"),  # moto checks the placeholder, not the name, here
        ("SET a = :empty", "raised"),  # an index key: no empty string
        ("SET a = :one", "raised"),  # an index key of type S
        ("SET n = :str", "raised"),
        ("SET pk = :str", "raised"),
        ("SET body = pk", "raised"),  # moto refuses a key attribute anywhere in the paths
        ("SET body = nothing", "raised"),
        ("SET body = :one + nothing", "raised"),
        ("SET body = if_not_exists(nothing, nothing2)", "raised"),
        ("SET body = list_append(nothing, :list)", "raised"),
        ("SET body = list_append(a, :list)", "raised"),
        ("SET body = a + :one", "raised"),
        ("SET body = :undefined", "raised"),
        ("SET #undefined = :one", "raised"),
        ("SET nothing.x = :one", "raised"),  # a path into nothing
        ("SET a[0] = :one", "raised"),  # an index into a string
        ("SET name = :one", "raised"),  # a reserved word
        ("SET a = :str, a = :pre", "raised"),  # two paths overlap
        ("SET m = :map, m.x = :one", "raised"),
        ("SET a = :str SET body = :str", "raised"),  # two SET clauses
        # refused when moto's executor applies them, not by the validator
        ("ADD tags :one", "planned"),
        ("ADD body :one", "planned"),
        ("DELETE tags :one", "planned"),
        ("DELETE s :ss", "planned"),
    ],
)
def test_planned_validation_of_each_form(moto_methods, monkeypatch, expression, how):
    compare = _validation_twins(moto_methods, monkeypatch)
    assert compare(expression, ITEM) == how
    assert compare(expression, {}, new_item=True) in ("planned", "raised")


def test_the_plan_stands_down_for_another_moto(moto_methods, monkeypatch):
    """``planned_updates`` was written for the source of moto's validator, processors and
    ``update_item`` it digests: with any other (here: another digest) it changes nothing."""
    from moto.dynamodb import models

    _use(moto_methods)
    moto_validator = moto_methods[(models, "UpdateExpressionValidator")]
    assert updates._planned_digest() == updates.PLANNED_FOR  # the moto installed
    monkeypatch.setattr(updates, "PLANNED_FOR", "0" * 64)
    assert updates.planned_updates() is False
    assert models.UpdateExpressionValidator is moto_validator
    sources = updates._planned_sources()
    assert sources is not None and models.DynamoDBBackend.update_item in sources
    monkeypatch.setattr(updates, "PLANNED_FOR", updates._planned_digest())
    monkeypatch.setattr(
        updates, "_planned_sources", lambda: [*sources[:-1], models.DynamoDBBackend.delete_item]
    )
    assert updates.planned_updates() is False  # another update_item: another digest
    assert models.UpdateExpressionValidator is moto_validator
    monkeypatch.undo()
    assert updates.planned_updates() is True
    assert models.UpdateExpressionValidator is not moto_validator
    _use(moto_methods)


def test_planned_updates_through_a_real_server(ddb):
    """Nested paths, list indexes, functions, sets and every kind of ReturnValues with boto3
    against the built-in server; refusals in DynamoDB's words with HTTP 400."""
    from botocore.exceptions import ClientError

    table = "planned"
    create_keyed_table(ddb, table)
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    ddb.put_item(
        TableName=table,
        Item={
            **key,
            "n": {"N": "1"},
            "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
            "m": {"M": {"x": {"S": "a"}}},
            "tags": {"SS": ["a", "b"]},
        },
    )

    def update(expression: str, values: dict | None = None, returns: str = "ALL_NEW", **kw):
        request = {
            "TableName": table,
            "Key": key,
            "UpdateExpression": expression,
            "ReturnValues": returns,
            **kw,
        }
        if values:
            request["ExpressionAttributeValues"] = values
        return ddb.update_item(**request).get("Attributes")

    got = update(
        "SET m.y = if_not_exists(m.y, :z), l = list_append(l, :more), n = n + :one ADD tags :t",
        {
            ":z": {"N": "0"},
            ":more": {"L": [{"S": "x"}]},
            ":one": {"N": "1"},
            ":t": {"SS": ["c"]},
        },
        returns="UPDATED_NEW",
    )
    assert got == {
        "m": {"M": {"y": {"N": "0"}}},  # of a map, only the part updated
        "l": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}, {"S": "x"}]},
        "n": {"N": "2"},
        "tags": {"SS": ["a", "b", "c"]},
    }
    got = update("REMOVE l[0] DELETE tags :gone", {":gone": {"SS": ["a"]}})
    assert got["l"] == {"L": [{"N": "2"}, {"N": "3"}, {"S": "x"}]}
    assert sorted(got["tags"]["SS"]) == ["b", "c"] and got["n"] == {"N": "2"}
    old = update(
        "SET #n = :ten, l[9] = :one",
        {":ten": {"N": "10"}, ":one": {"N": "1"}},
        returns="UPDATED_OLD",
        ExpressionAttributeNames={"#n": "n"},
    )
    assert old == {"n": {"N": "2"}, "l": {"L": [{"N": "2"}, {"N": "3"}, {"S": "x"}]}}
    assert update("SET m.x = :s", {":s": {"S": "b"}}, returns="NONE") is None
    assert update("REMOVE m.x", returns="ALL_OLD")["m"] == {"M": {"x": {"S": "b"}, "y": {"N": "0"}}}
    new = {"pk": {"S": "p"}, "sk": {"N": "2"}}
    made = ddb.update_item(
        TableName=table,
        Key=new,
        UpdateExpression="SET c = if_not_exists(c, :zero) + :one",
        ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )["Attributes"]
    assert made == {**new, "c": {"N": "1"}}
    refusals = [
        (
            "SET nothing.x = :one",
            {":one": {"N": "1"}},
            "document path provided in the update expression is invalid",
        ),
        ("SET q = nothing", None, "attribute that does not exist in the item"),
        ("SET q = n + :s", {":s": {"S": "a"}}, "Incorrect operand type"),
        ("SET sk = :one", {":one": {"N": "1"}}, "sk"),
        ("SET q = list_append(n, :l)", {":l": {"L": []}}, "Incorrect operand type"),
    ]
    for expression, values, words in refusals:
        with pytest.raises(ClientError) as refused:
            update(expression, values)
        error = refused.value.response
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400, expression
        assert error["Error"]["Code"] == "ValidationException", expression
        assert words in error["Error"]["Message"], (expression, error["Error"]["Message"])
    assert ddb.get_item(TableName=table, Key=key)["Item"]["n"] == {"N": "10"}  # unchanged


def _copy_shape(value, numbers: dict[int, int], original_ids: set[int]) -> object:
    """A copied item or value as nested tuples: classes, types, values, which objects it
    holds more than once (numbered in the order met) and which it shares with the original."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    def number(x) -> tuple[int, bool]:
        return numbers.setdefault(id(x), len(numbers)), id(x) in original_ids

    if isinstance(value, Item):
        return (
            "Item",
            type(value).__name__,
            sorted(vars(value)),
            type(value.attrs).__name__,
            _copy_shape(value.hash_key, numbers, original_ids),
            _copy_shape(value.range_key, numbers, original_ids),
            [(k, _copy_shape(v, numbers, original_ids)) for k, v in value.attrs.items()],
        )
    if isinstance(value, DynamoType):
        inner = value.value
        if isinstance(inner, list):
            shown: object = (number(inner), [_copy_shape(v, numbers, original_ids) for v in inner])
        elif isinstance(inner, dict):
            shown = (
                number(inner),
                {k: _copy_shape(v, numbers, original_ids) for k, v in inner.items()},
            )
        else:
            shown = inner
        return ("D", type(value).__name__, value.type, number(value), shown)
    if isinstance(value, list):
        return ("list", number(value), [_copy_shape(v, numbers, original_ids) for v in value])
    if isinstance(value, dict):
        return (
            "dict",
            number(value),
            {k: _copy_shape(v, numbers, original_ids) for k, v in value.items()},
        )
    return ("other", repr(value))


def _all_ids(item) -> set[int]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    found: set[int] = set()

    def walk(v) -> None:
        found.add(id(v))
        if isinstance(v, DynamoType):
            found.add(id(v.value))
            inner = v.value
            for x in (
                inner.values()
                if isinstance(inner, dict)
                else inner
                if isinstance(inner, list)
                else []
            ):
                walk(x)

    for v in [item.hash_key, item.range_key, *item.attrs.values()]:
        walk(v)
    return found


def test_item_copies_are_motos_deep_copies(moto_methods):
    """``item_copies``' copy of generated items (nested lists and maps, sets, a range key or
    none, a value held twice, a kept answer text), alone or inside a list or dict, is the one
    moto's ``Item.__deepcopy__`` makes: same classes, values, sharing, nothing mutable shared
    with the original."""
    from hypothesis import given, settings
    from hypothesis import strategies as hst
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    _st, _update, _condition, attributes, _keys = _strategies()
    _use(moto_methods)
    moto_copy = moto_methods[(Item, "__deepcopy__")]
    assert updates.item_copies()
    ours = vars(Item)["__deepcopy__"]
    assert ours is not moto_copy
    _use(moto_methods)
    assert vars(Item)["__deepcopy__"] is moto_copy

    def fast_copy(thing):
        Item.__deepcopy__ = ours
        try:
            return copy.deepcopy(thing)
        finally:
            Item.__deepcopy__ = moto_copy

    @settings(max_examples=EXAMPLES * 3, deadline=None)
    @given(attributes, hst.booleans(), hst.sampled_from([None, "m", "l", "tags", "n"]))
    def check(attrs, ranged, twice):
        item = Item(
            DynamoType({"S": "k"}),
            DynamoType({"N": "1"}) if ranged else None,
            {"pk": {"S": "k"}, **attrs},
        )
        if twice in item.attrs:  # as moto's SET a = b leaves it: one value under two names
            item.attrs["again"] = item.attrs[twice]
        item._answer = [1, None]  # answers' kept text: not copied, as moto's copy does not
        before = _copy_shape(item, {}, set())
        ours, theirs = fast_copy(item), copy.deepcopy(item)
        ids = _all_ids(item)
        assert _copy_shape(ours, {}, ids) == _copy_shape(theirs, {}, ids)
        assert _copy_shape(item, {}, set()) == before
        assert ours.attrs == item.attrs and ours is not item and "_answer" not in vars(ours)
        for part in ([item, item], {"x": item, "y": [item]}):
            assert _copy_shape(fast_copy(part), {}, ids) == _copy_shape(
                copy.deepcopy(part), {}, ids
            )

    check()


def test_the_expression_checks_are_kept_per_names_they_read(moto_methods):
    """moto's expression-only checks pass or raise alike for the same names: kept per the
    names they look up, a plain path's first name included (moto maps it through the names
    when it looks for a key attribute), so another mapping is checked again, as moto's."""
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType, Item
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    ours = _ours(moto_methods)
    planned = ours[(models, "UpdateExpressionValidator")]
    moto_validator = moto_methods[(models, "UpdateExpressionValidator")]
    tree = UpdateExpressionParser.make("SET a = :v, #b = :v")
    values = {":v": {"S": "x"}}

    def outcome(validator_class, names):
        item = Item(DynamoType({"S": "k0"}), None, {"pk": {"S": "k0"}})
        try:
            validator_class(tree, names, values, item, _gsi_table()).validate()
        except Exception as exc:  # noqa: BLE001 - moto's refusal, compared as it is
            return (type(exc).__name__, str(exc))
        return "validated"

    for names in ({"#b": "b"}, {"#b": "b", "a": "pk"}, {"#b": "pk"}, {"#b": "b"}, {"#b": "a"}):
        theirs = outcome(moto_validator, names)
        assert outcome(planned, names) == theirs, names
    assert outcome(moto_validator, {"#b": "b", "a": "pk"})[0] == "UpdateHashRangeKeyException"
    assert outcome(moto_validator, {"#b": "a"})[0] == "DuplicateUpdateExpression"
