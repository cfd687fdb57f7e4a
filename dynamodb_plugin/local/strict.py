"""Strict where DynamoDB is strict: the built-in server checks each DynamoDB request as DynamoDB
does before moto sees it, and answers in DynamoDB's words.

moto accepts much that DynamoDB refuses (39-digit numbers, ``1E+126``, 300 levels of nesting,
``SS ["a", "a"]``, a key of the wrong type) and fails with an HTTP 500 on more (a malformed or
undefined expression, ``Limit: 0``, bad base64, a short ``ExclusiveStartKey``). ``check`` reads
the request once, in one pass over its members as the DynamoDB API model describes them
(botocore's, compiled once per operation) and over its attribute values, copying nothing:

1. the JSON itself and each member's type: ``SerializationException`` (as DynamoDB's
   ``com.amazon.coral.service#SerializationException``, with its messages);
2. the model's constraints (required members, ranges, lengths, enums): DynamoDB's
   ``N validation error(s) detected: Value '0' at 'limit' failed to satisfy constraint: ...``;
3. every attribute value: one type, numbers of at most 38 significant digits within
   1E-130 .. 9.9999999999999999999999999999999999999E+125, no empty or duplicate sets, base64
   that decodes, NULL true, at most 32 levels of nesting;
4. expressions: ``Condition``/``KeyCondition``/``Filter`` expressions parsed (syntax errors as
   DynamoDB words them, ``token: "...", near: "..."``), every ``#name`` and ``:value`` they use
   defined, the placeholders' keys well-formed;
5. keys against the table's key schema (``Key``, batch and transaction keys,
   ``ExclusiveStartKey``).

What passes goes to moto unchanged. ``Strict`` is the WSGI middleware that runs it, and the
last line of defence: an exception moto raises anyway is logged and answered as a
DynamoDB-shaped 400, never an HTTP 500.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

log = logging.getLogger("dynamodb_plugin.local.strict")

DYNAMODB = "com.amazonaws.dynamodb.v20120810#"
CORAL_VALIDATE = "com.amazon.coral.validate#"
CORAL_SERVICE = "com.amazon.coral.service#"
TARGET = "DynamoDB_20120810."
STREAMS_TARGET = "DynamoDBStreams_20120810."
MAX_DEPTH = 32  # levels of nested M and L (DynamoDB's limit)
_EXPRESSIONS = ("ConditionExpression", "KeyConditionExpression", "FilterExpression")


class Refusal(Exception):
    """A request DynamoDB refuses: its error type and message, answered with HTTP 400."""

    def __init__(
        self, message: str, kind: str = "ValidationException", prefix: str = DYNAMODB
    ) -> None:
        super().__init__(message)
        self.message, self.kind, self.prefix = message, kind, prefix

    def body(self) -> dict[str, str]:
        key = "Message" if self.prefix == CORAL_SERVICE else "message"
        return {"__type": self.prefix + self.kind, key: self.message}


def _serialization(message: str) -> Refusal:
    return Refusal(message, "SerializationException", CORAL_SERVICE)


class _Bad(Exception):
    """An invalid attribute value: DynamoDB's message, before the context's prefix."""


# --- the request model, compiled once per operation from botocore's -------------------------

_STRING, _INT, _BOOL, _BLOB, _LIST, _MAP, _STRUCT, _VALUE, _OTHER = range(9)
_KINDS = {
    "string": _STRING,
    "integer": _INT,
    "long": _INT,
    "boolean": _BOOL,
    "blob": _BLOB,
    "list": _LIST,
    "map": _MAP,
    "structure": _STRUCT,
}
_JAVA = {_STRING: "String", _INT: "Integer", _BOOL: "Boolean"}


class _Node:
    """One shape of the model: its kind, constraints and children."""

    __slots__ = (
        "kind",
        "name",
        "java",
        "low",
        "high",
        "enum",
        "enum_text",
        "members",
        "required",
        "item",
    )

    def __init__(self, kind: int, name: str) -> None:
        self.kind, self.name = kind, name
        self.java = _JAVA.get(kind, name)
        self.low: int | None = None
        self.high: int | None = None
        self.enum: frozenset[str] | None = None
        self.enum_text = ""  # the enum's values in the model's order, for the message
        self.members: dict[str, _Node] = {}
        self.required: tuple[str, ...] = ()
        self.item: _Node | None = None  # a list's member, a map's value


def _compile(shape: Any, seen: dict[str, _Node]) -> _Node:
    if shape.name in seen:
        return seen[shape.name]
    if shape.name == "AttributeValue":
        node = seen[shape.name] = _Node(_VALUE, shape.name)
        return node
    kind = _KINDS.get(shape.type_name, _OTHER)
    if shape.type_name == "long":
        node = _Node(kind, shape.name)
        node.java = "Long"
    else:
        node = _Node(kind, shape.name)
    seen[shape.name] = node
    meta = shape.metadata
    node.low, node.high = meta.get("min"), meta.get("max")
    if "enum" in meta:
        node.enum = frozenset(meta["enum"])
        node.enum_text = _ENUM_TEXT.get(shape.name) or ", ".join(meta["enum"])
    if kind == _STRUCT:
        node.members = {name: _compile(member, seen) for name, member in shape.members.items()}
        node.required = tuple(shape.required_members)
    elif kind == _LIST:
        node.item = _compile(shape.member, seen)
    elif kind == _MAP:
        node.item = _compile(shape.value, seen)
    return node


# where DynamoDB names an enum's values in another order than the model's
_ENUM_TEXT = {"Select": "SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES"}

_MODELS: dict[tuple[str, str], _Node | None] = {}


def _model(operation: str, service: str = "dynamodb") -> _Node | None:
    """The compiled input shape of ``operation`` (of ``service``: dynamodb, dynamodbstreams)."""
    if (service, operation) in _MODELS:
        return _MODELS[service, operation]
    from moto.core.utils import get_service_model

    try:
        shape = get_service_model(service).operation_model(operation).input_shape
    except Exception:  # not an operation of the model: moto answers
        node = None
    else:
        node = None if shape is None else _compile(shape, {})
    _MODELS[service, operation] = node
    return node


# --- the check --------------------------------------------------------------------------------


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def _wrong_type(value: Any, node: _Node) -> Refusal:
    """DynamoDB's SerializationException for ``value`` where ``node``'s type belongs."""
    kind = node.kind
    if isinstance(value, bool):
        scalar = "TRUE_VALUE" if value else "FALSE_VALUE"
    elif isinstance(value, int | float):
        scalar = "NUMBER_VALUE" if isinstance(value, int) or value.is_integer() else "DECIMAL_VALUE"
    elif isinstance(value, str):
        scalar = "STRING_VALUE"
    else:
        scalar = ""
    if kind in (_STRING, _INT, _BOOL):
        if isinstance(value, list):
            return _serialization(f"Unrecognized collection type class java.lang.{node.java}")
        if isinstance(value, dict):
            return _serialization("Start of structure or map found where not expected")
        if kind == _BOOL and isinstance(value, str):
            return _serialization("Unexpected token received from parser")
        return _serialization(f"{scalar} cannot be converted to {node.java}")
    if kind == _BLOB:
        if isinstance(value, list):
            return _serialization("Unrecognized collection type class java.nio.ByteBuffer")
        if isinstance(value, dict):
            return _serialization("Start of structure or map found where not expected")
        return _serialization("only base-64-encoded strings are convertible to bytes")
    if kind == _MAP and isinstance(value, list):
        return _serialization(
            "Unrecognized collection type java.util.Map<java.lang.String, "
            f"com.amazonaws.dynamodb.v20120810.{node.item.name if node.item else 'Object'}>"
        )
    if kind in (_STRUCT, _VALUE) and isinstance(value, list):
        return _serialization(
            f"Unrecognized collection type class com.amazonaws.dynamodb.v20120810.{node.name}"
        )
    if kind == _LIST and isinstance(value, dict):
        return _serialization("Start of structure or map found where not expected")
    if kind == _VALUE:
        return _serialization("Unexpected value type in payload")
    return _serialization("Unexpected field type")


def _blob(text: Any) -> None:
    if not isinstance(text, str):
        if isinstance(text, list):
            raise _serialization("Unrecognized collection type class java.nio.ByteBuffer")
        if isinstance(text, dict):
            raise _serialization("Start of structure or map found where not expected")
        raise _serialization("only base-64-encoded strings are convertible to bytes")
    if len(text) % 4 or not text.isascii():
        size = len(text.encode("utf-16-le", "surrogatepass")) // 2  # as Java counts
        if size % 4:
            raise _serialization(
                f"Base64 encoded length is expected a multiple of 4 bytes but found: {size}"
            )
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _serialization("Invalid last non-pad Base64 character dectected") from None


# A plain decimal of at most 38 characters always has at most 38 digits, well within range.
_PLAIN = re.compile(r"-?[0-9]+(?:\.[0-9]+)?\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\Z")


def _number(text: str) -> Decimal:
    """A DynamoDB number, normalised; ``_Bad`` as DynamoDB words it."""
    if not text:
        raise _Bad("The parameter cannot be converted to a numeric value")
    if _NUMBER.match(text) is None:
        raise _Bad(f"The parameter cannot be converted to a numeric value: {text}")
    number = Decimal(text)  # exact: no context, no rounding
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    end = len(digits)
    while end > 1 and digits[end - 1] == 0:
        end -= 1
    start = 0
    while start < end - 1 and digits[start] == 0:
        start += 1
    if end - start == 1 and digits[start] == 0:
        return number  # zero
    significant = end - start
    magnitude = exponent + len(digits) - start - 1  # the power of ten of the first digit
    if magnitude > 125:
        raise _Bad(
            "Number overflow. Attempting to store a number with magnitude larger than "
            "supported range"
        )
    if magnitude < -130:
        raise _Bad(
            "Number underflow. Attempting to store a number with magnitude smaller than "
            "supported range"
        )
    if significant > 38:
        raise _Bad("Attempting to store more than 38 significant digits in a Number")
    return number


_AV_TYPES = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def _value(value: Any, depth: int) -> None:
    """One attribute value, checked as DynamoDB does (``_Bad`` or a SerializationException)."""
    if type(value) is dict and len(value) == 1:  # the common case, first: a plain scalar
        ((kind, inner),) = value.items()
        if type(inner) is str and (
            kind == "S" or (kind == "N" and len(inner) <= 38 and _PLAIN.match(inner))
        ):
            return
    if not isinstance(value, dict):
        if isinstance(value, list):
            raise _serialization(
                "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"
            )
        raise _serialization("Unexpected value type in payload")
    count = 0
    for kind, inner in value.items():
        if inner is None or kind not in _AV_TYPES:
            continue  # DynamoDB ignores these
        count += 1
        if kind == "S" or kind == "N":
            if not isinstance(inner, str):
                raise _wrong_type(inner, _SCALAR_STRING)
            if kind == "N":
                _number(inner)
        elif kind == "B":
            _blob(inner)
        elif kind == "BOOL" or kind == "NULL":
            if not isinstance(inner, bool | str):
                raise _wrong_type(inner, _SCALAR_BOOL)
            if isinstance(inner, str) and inner.upper() not in _BOOL_WORDS:
                raise _serialization("Unexpected token received from parser")
            if kind == "NULL" and (inner is False or str(inner).upper() in _FALSE_WORDS):
                raise _Bad(
                    "One or more parameter values were invalid: Null attribute value types "
                    "must have the value of true"
                )
        elif kind in ("SS", "NS", "BS"):
            _set(kind, inner)
        elif kind == "M":
            if not isinstance(inner, dict):
                raise _wrong_type(inner, _VALUE_MAP)
            if depth >= MAX_DEPTH:
                raise _Bad("Nesting Levels have exceeded supported limits")
            for member in inner.values():
                _value(member, depth + 1)
        else:  # L
            if not isinstance(inner, list):
                raise _wrong_type(inner, _VALUE_LIST)
            if depth >= MAX_DEPTH:
                raise _Bad("Nesting Levels have exceeded supported limits")
            for member in inner:
                _value(member, depth + 1)
    if count == 0:
        raise _Bad(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if count > 1:
        raise _Bad(
            "Supplied AttributeValue has more than one datatypes set, must contain exactly one "
            "of the supported datatypes"
        )


def _set(kind: str, members: Any) -> None:
    if not isinstance(members, list):
        raise _wrong_type(members, _VALUE_LIST)
    for member in members:
        if kind == "BS":
            _blob(member)
        elif not isinstance(member, str):
            raise _wrong_type(member, _SCALAR_STRING)
    if not members:
        raise _Bad(
            {
                "SS": _EMPTY_SET.format("string"),
                "NS": _EMPTY_SET.format("number"),
                "BS": "One or more parameter values were invalid: Binary sets should not be empty",
            }[kind]
        )
    if kind == "NS":
        numbers = {_number(member) for member in members}
        if len(numbers) != len(members):
            raise _Bad("Input collection contains duplicates")
    elif len(set(members)) != len(members):
        if kind == "SS":
            raise _Bad(
                "One or more parameter values were invalid: Input collection "
                f"{_show(members)} contains duplicates."
            )
        raise _Bad(
            "One or more parameter values were invalid: Input collection "
            f"{_show(members)}of type BS contains duplicates."
        )


# DynamoDB's words, prefix included, wherever the empty set is (an item, a key, a placeholder)
_EMPTY_SET = (
    "1 validation error detected: One or more parameter values were invalid: An {} set  may not "
    "be empty"
)
_BOOL_WORDS = frozenset({"TRUE", "FALSE", "1", "0", "YES", "NO"})
_FALSE_WORDS = frozenset({"FALSE", "0", "NO"})
_SCALAR_STRING = _Node(_STRING, "String")
_SCALAR_BOOL = _Node(_BOOL, "Boolean")
_VALUE_MAP = _Node(_MAP, "Map")
_VALUE_MAP.item = _Node(_VALUE, "AttributeValue")
_VALUE_LIST = _Node(_LIST, "List")


_HIDDEN = object()  # a value DynamoDB does not show in its message


class _Walk:
    """One pass over a request: type errors raised at once, constraint errors collected (as
    DynamoDB reports up to ten), the first invalid attribute value kept with its context."""

    __slots__ = ("errors", "bad")

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.bad: str | None = None

    def constraint(self, value: Any, path: str, message: str) -> None:
        if len(self.errors) < 10:
            shown = (
                "Value"
                if value is _HIDDEN
                else "Value null"
                if value is None
                else f"Value '{_show(value)}'"
            )
            self.errors.append(f"{shown} at '{path}' failed to satisfy constraint: {message}")

    def structure(self, data: dict[str, Any], node: _Node, path: str) -> None:
        members = node.members
        for name in node.required:
            if data.get(name) is None:
                self.constraint(None, path + _lower_first(name), "Member must not be null")
        for name, value in data.items():
            child = members.get(name)
            if child is None or value is None:
                continue  # DynamoDB ignores members it does not know, and nulls
            self.member(value, child, path + _lower_first(name), name)

    def member(self, value: Any, node: _Node, path: str, name: str) -> None:
        kind = node.kind
        if kind == _VALUE:
            self.value(value, name)
            return
        if kind == _STRING:
            if not isinstance(value, str):
                raise _wrong_type(value, node)
            if node.enum is not None and value not in node.enum:
                self.constraint(
                    value, path, f"Member must satisfy enum value set: [{node.enum_text}]"
                )
                return
            self.length(value, len(value), node, path)
        elif kind == _INT:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise _wrong_type(value, node)
            if node.low is not None and value < node.low:
                self.constraint(
                    value, path, f"Member must have value greater than or equal to {node.low}"
                )
            elif node.high is not None and value > node.high:
                self.constraint(
                    value, path, f"Member must have value less than or equal to {node.high}"
                )
        elif kind == _BOOL:
            if not isinstance(value, bool) and (
                not isinstance(value, str) or value.upper() not in _BOOL_WORDS
            ):
                raise _wrong_type(value, node)
        elif kind == _BLOB:
            _blob(value)
        elif kind == _STRUCT:
            if not isinstance(value, dict):
                raise _wrong_type(value, node)
            self.structure(value, node, path + ".")
        elif kind == _LIST:
            if not isinstance(value, list):
                raise _wrong_type(value, node)
            self.length(value, len(value), node, path)
            item = node.item
            assert item is not None
            for i, member in enumerate(value, 1):
                if member is not None:
                    self.member(member, item, f"{path}.{i}.member", name)
        elif kind == _MAP:
            if not isinstance(value, dict):
                raise _wrong_type(value, node)
            self.length(value, len(value), node, path)
            item = node.item
            assert item is not None
            if item.kind == _VALUE:
                plain = _PLAIN.match
                key = ""
                try:
                    for key, member in value.items():  # noqa: B007 (the except reads key)
                        if type(member) is dict and len(member) == 1:  # inlined _value's start
                            ((av, inner),) = member.items()
                            if type(inner) is str and (
                                av == "S" or (av == "N" and len(inner) <= 38 and plain(inner))
                            ):
                                continue
                        _value(member, 0)
                except _Bad as exc:
                    if self.bad is None:
                        self.bad = _in_context(str(exc), name, key)
            else:
                for key, member in value.items():
                    if member is not None:
                        self.member(member, item, f"{path}.{key}.member", name)

    def length(self, value: Any, size: int, node: _Node, path: str) -> None:
        if node.low is not None and size < node.low:
            self.constraint(
                value, path, f"Member must have length greater than or equal to {node.low}"
            )
        elif node.high is not None and size > node.high:
            if path == "transactItems":  # DynamoDB's words for this one
                raise Refusal(
                    "1 validation error detected at 'transactItems' failed to satisfy constraint: "
                    f"Member must have length less than or equal to {node.high}.",
                    prefix=CORAL_VALIDATE,
                )
            shown = _HIDDEN if path.endswith(".member.keys") else value  # not the keys
            self.constraint(
                shown, path, f"Member must have length less than or equal to {node.high}"
            )

    def value(self, value: Any, name: str, key: str = "") -> None:
        try:
            _value(value, 0)
        except _Bad as exc:
            if self.bad is None:
                self.bad = _in_context(str(exc), name, key)


def _in_context(message: str, member: str, key: str) -> str:
    """DynamoDB's message for an invalid value in ``member`` (the placeholder ``key``)."""
    if member == "ExpressionAttributeValues":
        if message.startswith("1 validation error detected: "):
            return message  # an empty set: as in an item
        return f"ExpressionAttributeValues contains invalid value: {message} for key {key}"
    if member == "ExclusiveStartKey" and not re.search(
        "contains duplicates|number set|numeric value|significant digits|number with magnitude",
        message,
    ):
        return f"The provided starting key is invalid: {message}"
    return message


def parse(body: bytes) -> dict[str, Any]:
    """The request's JSON object; a SerializationException as DynamoDB's otherwise."""
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except RecursionError:
        raise Refusal("Nesting Levels have exceeded supported limits") from None
    except ValueError:  # includes UnicodeDecodeError
        raise _serialization("Start of structure or map found where not expected") from None
    if not isinstance(data, dict):
        raise _serialization("Start of structure or map found where not expected")
    if (
        b"\\" in body  # one byte: memchr
        and _SURROGATE_ESCAPE.search(body)
        and (_SURROGATE_ESCAPE.search(_PAIR.sub(b"", body)) or b"\\\\" in body)
    ):
        # "\ud800" alone: JSON escapes a string that is not Unicode (moto failed on it with a
        # UnicodeEncodeError); answered as a body that is not UTF-8
        try:
            unicode = _unicode(data)
        except RecursionError:
            raise Refusal("Nesting Levels have exceeded supported limits") from None
        if not unicode:
            raise _serialization("Start of structure or map found where not expected")
    return data


# An escaped UTF-16 surrogate: a pair (a character beyond U+FFFF, as json.dumps writes an emoji)
# or a lone one. The strings are walked only when one is left once the pairs are taken out (exact
# unless an escaped backslash stands before a "u": then walked too).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_PAIR = re.compile(rb"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _unicode(value: Any) -> bool:
    """Whether every string in ``value`` (keys included) is Unicode: no lone surrogate."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, dict):
        return all(_unicode(k) and _unicode(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_unicode(v) for v in value)
    return True


def check(
    operation: str,
    data: dict[str, Any],
    tables: Callable[[str], Any] | None = None,
    service: str = "dynamodb",
    size: int | None = None,
) -> None:
    """Refuse ``data``, a request for ``operation`` of ``service``, where DynamoDB would
    (``Refusal``); ``tables`` looks a table's key schema up by name (``None``: keys are not
    checked); ``size``: the request's bytes, if known (a request of at most 2 MB cannot have
    2 MB of placeholders: they are not counted)."""
    node = _model(operation, service)
    if node is None:
        return
    walk = _Walk()
    try:
        walk.structure(data, node, "")
    except RecursionError:
        raise Refusal("Nesting Levels have exceeded supported limits") from None
    if walk.errors:
        count = len(walk.errors)
        raise Refusal(
            f"{count} validation error{'s' if count > 1 else ''} detected: "
            + "; ".join(walk.errors),
            prefix=CORAL_VALIDATE,
        )
    if walk.bad is not None:
        raise Refusal(walk.bad)
    if service != "dynamodb":
        return
    large = size is None or size > MAX_SUBSTITUTIONS
    for part in _parts(operation, data):
        _expressions(part, operation, large)
    if tables is not None:
        _keys(operation, data, tables)


def _parts(operation: str, data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    """The parts of a request that carry their own expressions."""
    # (a member that is not an object is the model's to refuse, or moto's: a check that
    # raised here let the whole request through unchecked, the expression limit included)
    if operation in ("TransactWriteItems", "TransactGetItems"):
        items = data.get("TransactItems")
        for item in items if isinstance(items, list) else ():
            for part in item.values() if isinstance(item, dict) else ():
                if isinstance(part, dict):
                    yield part
    elif operation == "BatchGetItem":
        tables = data.get("RequestItems")
        for part in tables.values() if isinstance(tables, dict) else ():
            if isinstance(part, dict):
                yield part
    else:
        yield data


# --- expressions ------------------------------------------------------------------------------

_PLACEHOLDER_NAME = re.compile(r"#[0-9a-zA-Z_]+\Z")
_PLACEHOLDER_VALUE = re.compile(r":[0-9a-zA-Z_]+\Z")
_TOKEN = re.compile(
    r"(?P<ws>\s+)|(?P<cmp><>|<=|>=|=|<|>)|(?P<punct>[(),.\[\]])"
    r"|(?P<name>#[0-9A-Za-z_]+)|(?P<value>:[0-9A-Za-z_]+)|(?P<num>[0-9]+)"
    r"|(?P<ident>[A-Za-z_][0-9A-Za-z_]*)|(?P<bad>.)",
    re.S,
)
_CONDITIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
_FUNCTIONS = _CONDITIONS | {"size"}
_ARITY = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
    "size": 1,
}


_ALL_EXPRESSIONS = (*_EXPRESSIONS, "UpdateExpression", "ProjectionExpression")
_RESERVED: frozenset[str] | None = None


def _reserved() -> frozenset[str]:
    global _RESERVED
    if _RESERVED is None:
        from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

        _RESERVED = frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())
    return _RESERVED


# "1 validation error detected: " before some messages in some operations only, as DynamoDB
# words them (moto's aws_verified tests)
_PREFIXED_UNUSED = frozenset({"PutItem", "DeleteItem", "UpdateItem"})
_PREFIXED_EMPTY = frozenset({"UpdateItem"})
_PREFIX = "1 validation error detected: "


MAX_EXPRESSION = 4096  # bytes of one expression as sent (DynamoDB's limit)
# DynamoDB's documented limits on expression parameters (Constraints, "Expression parameters"),
# in its words as its answers record them (moto has none of them)
MAX_OPERATORS = 300  # operators and functions in one expression
MAX_IN_OPERANDS = 100  # operands of one IN
MAX_PLACEHOLDER = 255  # bytes of one "#name" or ":value" key
MAX_SUBSTITUTIONS = 2 * 1024 * 1024  # bytes of all names and values of one part of a request
_CALL = re.compile(r"[A-Za-z_][0-9A-Za-z_]*[ \t\r\n]*\(")


def _expressions(part: dict[str, Any], operation: str = "", large: bool = True) -> None:
    """``part``'s expressions and placeholders as DynamoDB checks them; ``large``: whether the
    request is large enough (over ``MAX_SUBSTITUTIONS`` bytes) for its placeholders to be."""
    names = part.get("ExpressionAttributeNames")
    values = part.get("ExpressionAttributeValues")
    texts = [t for t in (part.get(f) for f in _ALL_EXPRESSIONS) if isinstance(t, str)]
    for field in _ALL_EXPRESSIONS:
        # first, as DynamoDB: moto's parsers are quadratic in an expression's length (64 KB
        # of blanks inside an UpdateExpression held the server half a minute; 1 MB, hours)
        text = part.get(field)
        if isinstance(text, str) and len(text) > MAX_EXPRESSION // 4:
            size = len(text.encode("utf-8", "surrogatepass"))
            if size > MAX_EXPRESSION:
                raise Refusal(
                    f"Invalid {field}: Expression size has exceeded the maximum allowed size; "
                    f"expression size: {size}"
                )
    if names is not None and not texts:
        raise Refusal("ExpressionAttributeNames can only be specified when using expressions")
    if large and (names or values):
        _substitutions(names, values)
    if names is not None:
        if not names:
            raise Refusal("ExpressionAttributeNames must not be empty")
        for key in names if isinstance(names, dict) else ():  # (else: not this operation's)
            if len(key) > MAX_PLACEHOLDER // 4:
                _placeholder_size("ExpressionAttributeNames", key)
            if not _PLACEHOLDER_NAME.match(key):
                raise Refusal(
                    f'ExpressionAttributeNames contains invalid key: Syntax error; key: "{key}"'
                )
    if values is not None:
        if not values:
            prefix = _PREFIX if operation in _PREFIXED_EMPTY else ""
            raise Refusal(f"{prefix}ExpressionAttributeValues must not be empty")
        for key in values if isinstance(values, dict) else ():
            if len(key) > MAX_PLACEHOLDER // 4:
                _placeholder_size("ExpressionAttributeValues", key)
            if not _PLACEHOLDER_VALUE.match(key):
                raise Refusal(
                    f'ExpressionAttributeValues contains invalid key: Syntax error; key: "{key}"'
                )
    projection = part.get("ProjectionExpression")
    if isinstance(projection, str) and projection:
        # DynamoDB reads the projection before the conditions; a path that is one reserved
        # word only (as moto checks: "a.Name" is left to moto)
        for element in projection.split(","):
            word = element.strip()
            if word.upper() in _reserved():
                raise Refusal(
                    "Invalid ProjectionExpression: Attribute name is a reserved keyword; "
                    f"reserved keyword: {word}"
                )
    for field in _EXPRESSIONS:
        text = part.get(field)
        if text is None or not isinstance(text, str):
            continue
        if not text:
            raise Refusal(f"Invalid {field}: The expression can not be empty;")
        used, error = _read_condition(text)
        for placeholder in used:
            if placeholder[0] == ":":
                if placeholder not in (values or ()):
                    raise Refusal(
                        f"Invalid {field}: An expression attribute value used in expression is "
                        f"not defined; attribute value: {placeholder}"
                    )
            elif placeholder not in (names or ()):
                raise Refusal(
                    f"Invalid {field}: An expression attribute name used in the document path "
                    f"is not defined; attribute name: {placeholder}"
                )
        if error is not None:
            raise Refusal(f"Invalid {field}: {error}")
    update = part.get("UpdateExpression")
    if isinstance(update, str) and len(update) > 2 * MAX_OPERATORS:  # shorter: fewer operators
        # "+", "-" and function calls (an update expression has no literals for a "-" to be in)
        count = update.count("+") + update.count("-") + len(_CALL.findall(update))
        if count > MAX_OPERATORS:
            raise Refusal(
                "Invalid UpdateExpression: The expression contains too many operators; "
                f"operator count: {count}"
            )
    for field in ("UpdateExpression", "ProjectionExpression"):
        # moto reads their syntax and values; a name it does not find is a KeyError there
        text = part.get(field)
        if isinstance(text, str) and "#" in text:
            for match in _TOKEN.finditer(text):
                if match.lastgroup == "name" and match.group() not in (names or {}):
                    raise Refusal(
                        f"Invalid {field}: An expression attribute name used in the document "
                        f"path is not defined; attribute name: {match.group()}"
                    )
    if (names or values) and all(texts):  # an empty expression is told first (moto does)
        mentioned = {
            match.group()
            for text in texts
            for match in _TOKEN.finditer(text)
            if match.lastgroup in ("name", "value")
        }
        for given, kind in ((names, "Names"), (values, "Values")):
            unused = [key for key in given or () if key not in mentioned]
            if unused:
                prefix = _PREFIX if operation in _PREFIXED_UNUSED else ""
                raise Refusal(
                    f"{prefix}Value provided in ExpressionAttribute{kind} unused in expressions: "
                    f"keys: {{{', '.join(unused)}}}"
                )


def _placeholder_size(member: str, key: str) -> None:
    size = _utf8(key)
    if size > MAX_PLACEHOLDER:
        raise Refusal(
            f"{member} contains invalid key: The expression attribute map contains a key that is "
            f"too long; size of key: {size}"
        )


def _substitutions(names: Any, values: Any) -> None:
    """DynamoDB's 2 MB: the sum of the lengths of all ExpressionAttributeNames and
    ExpressionAttributeValues (keys and what they stand for, in UTF-8 bytes; binary decoded)."""
    total = 0
    if isinstance(names, dict):
        for key, name in names.items():
            total += _utf8(key) + (_utf8(name) if isinstance(name, str) else 0)
        if total > MAX_SUBSTITUTIONS:
            raise Refusal("ExpressionAttributeNames exceeds max size")
    if isinstance(values, dict):
        for key, value in values.items():
            total += _utf8(key) + _size(value)
            if total > MAX_SUBSTITUTIONS:
                raise Refusal("ExpressionAttributeValues exceeds max size")


def _utf8(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _size(value: Any) -> int:
    """The bytes of an attribute value (checked already: one type, valid base64)."""
    if not isinstance(value, dict):
        return 0
    total = 0
    for kind, inner in value.items():
        if kind in ("S", "N") and isinstance(inner, str):
            total += _utf8(inner)
        elif kind == "B" and isinstance(inner, str):
            total += len(inner) * 3 // 4 - inner[-2:].count("=")
        elif kind in ("BOOL", "NULL"):
            total += 1
        elif kind in ("SS", "NS", "BS") and isinstance(inner, list):
            total += sum(_size({kind[0]: member}) for member in inner)
        elif kind == "L" and isinstance(inner, list):
            total += sum(_size(member) for member in inner)
        elif kind == "M" and isinstance(inner, dict):
            total += sum(_utf8(k) + _size(member) for k, member in inner.items())
    return total


_READ: dict[str, tuple[tuple[str, ...], str | None]] = {}


def _read_condition(text: str) -> tuple[tuple[str, ...], str | None]:
    """The placeholders a condition expression uses, in order, up to its first error, and that
    error (``None``); kept for the last expressions read (a workload repeats its own)."""
    known = _READ.get(text)
    if known is None:
        condition = _Condition(text)
        error = None
        try:
            condition.parse()
        except _Bad as exc:
            error = str(exc)
        if len(_READ) >= 512:
            _READ.clear()
        known = _READ[text] = (tuple(condition.used), error)
    return known


class _Condition:
    """A recursive-descent reading of a condition expression, for its syntax and placeholders
    only (moto evaluates it)."""

    def __init__(self, text: str) -> None:
        self.tokens = [(m.lastgroup or "bad", m.group()) for m in _TOKEN.finditer(text)]
        self.pos = 0
        self.used: list[str] = []  # the placeholders, in order
        self.operators = 0  # AND, OR, NOT, comparators, BETWEEN, IN and function calls
        self.skip()

    # tokens
    def skip(self) -> None:
        while self.pos < len(self.tokens) and self.tokens[self.pos][0] == "ws":
            self.pos += 1

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("eof", "")

    def word(self) -> str:
        kind, text = self.peek()
        return text.upper() if kind == "ident" else ""

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        self.skip()
        return token

    def expect(self, text: str) -> None:
        if self.peek()[1] != text:
            self.fail()
        self.take()

    def fail(self) -> None:
        """DynamoDB's syntax error: the token, and the text near it (the tokens either side,
        with the whitespace between)."""
        tokens, pos = self.tokens, self.pos
        at_end = pos >= len(tokens)
        token = "<EOF>" if at_end else tokens[pos][1]

        def text(i: int) -> str:
            return tokens[i][1] if 0 <= i < len(tokens) else ""

        near = ""
        if pos - 1 >= 0 and tokens[pos - 1][0] == "ws":
            near += text(pos - 2)
        near += text(pos - 1)
        if not at_end:
            near += token + text(pos + 1)
            if pos + 1 < len(tokens) and tokens[pos + 1][0] == "ws":
                near += text(pos + 2)
        raise _Bad(f'Syntax error; token: "{token}", near: "{near}"')

    def operator(self) -> None:
        """One more operator or function; DynamoDB refuses the 301st."""
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise _Bad(
                f"The expression contains too many operators; operator count: {self.operators}"
            )

    # grammar
    def parse(self) -> None:
        self.disjunction()
        if self.pos < len(self.tokens):
            self.fail()

    def disjunction(self) -> None:
        self.conjunction()
        while self.word() == "OR":
            self.take()
            self.operator()
            self.conjunction()

    def conjunction(self) -> None:
        self.negation()
        while self.word() == "AND":
            self.take()
            self.operator()
            self.negation()

    def negation(self) -> None:
        if self.word() == "NOT":
            self.take()
            self.operator()
            self.negation()
        else:
            self.primary()

    def primary(self) -> None:
        kind, text = self.peek()
        if text == "(":
            self.take()
            self.disjunction()
            self.expect(")")
            return
        function = self.operand()
        if function in _CONDITIONS:
            return
        kind, text = self.peek()
        word = self.word()
        if kind == "cmp":
            self.take()
            self.operator()
            self.comparand()
        elif word == "BETWEEN":
            self.take()
            self.operator()
            self.comparand()
            if self.word() != "AND":
                self.fail()
            self.take()
            self.comparand()
        elif word == "IN":
            self.take()
            self.operator()
            self.expect("(")
            self.comparand()
            count = 1
            while self.peek()[1] == ",":
                self.take()
                self.comparand()
                count += 1
            self.expect(")")
            if count > MAX_IN_OPERANDS:
                raise _Bad(
                    "The IN operator is provided with too many operands; number of operands: "
                    f"{count}"
                )
        elif function is not None:
            raise _Bad(
                "The function is not allowed to be used this way in an expression; "
                f"function: {function}"
            )
        else:
            self.fail()

    def comparand(self) -> None:
        function = self.operand()
        if function in _CONDITIONS:
            raise _Bad(
                "The function is not allowed to be used this way in an expression; "
                f"function: {function}"
            )

    def operand(self) -> str | None:
        """A path, a value or a function call; the function's name for a call."""
        kind, text = self.peek()
        if kind == "value":
            self.take()
            self.used.append(text)
            return None
        after = self.pos + 1
        if after < len(self.tokens) and self.tokens[after][0] == "ws":
            after += 1  # "attribute_exists (#a)" is a call too
        if kind == "ident" and after < len(self.tokens) and self.tokens[after][1] == "(":
            self.take()
            self.take()
            count = 0
            if self.peek()[1] != ")":
                self.comparand()
                count = 1
                while self.peek()[1] == ",":
                    self.take()
                    self.comparand()
                    count += 1
            self.expect(")")
            self.operator()
            if text not in _FUNCTIONS:
                raise _Bad(f"Invalid function name; function: {text}")
            if count != _ARITY[text]:
                raise _Bad(
                    "Incorrect number of operands for operator or function; operator or "
                    f"function: {text}, number of operands: {count}"
                )
            return text
        self.path()
        return None

    def path(self) -> None:
        self.element()
        while True:
            text = self.peek()[1]
            if text == ".":
                self.take()
                self.element()
            elif text == "[":
                self.take()
                if self.peek()[0] != "num":
                    self.fail()
                self.take()
                self.expect("]")
            else:
                return

    def element(self) -> None:
        kind, text = self.peek()
        if kind == "name":
            self.used.append(text)
        elif kind != "ident" or text.upper() in ("AND", "OR", "NOT", "BETWEEN", "IN"):
            self.fail()
        self.take()


# --- keys against the table's schema ----------------------------------------------------------


def _schema(table: Any) -> dict[str, str]:
    """A moto table's key: attribute name -> type."""
    key = {table.hash_key_attr: table.hash_key_type}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = table.range_key_type
    return key


def _matches(key: Any, schema: dict[str, str]) -> bool:
    return (
        isinstance(key, dict)
        and len(key) == len(schema)
        and all(
            isinstance(key.get(name), dict) and kind in key[name] for name, kind in schema.items()
        )
    )


_NO_MATCH = "The provided key element does not match the schema"


def _keys(operation: str, data: dict[str, Any], tables: Callable[[str], Any]) -> None:
    def table(name: Any) -> Any:
        return tables(name) if isinstance(name, str) else None

    if operation in ("GetItem", "DeleteItem", "UpdateItem"):
        found = table(data.get("TableName"))
        if found is not None and not _matches(data.get("Key"), _schema(found)):
            raise Refusal(_NO_MATCH)
    elif operation == "BatchGetItem":
        for name, part in (data.get("RequestItems") or {}).items():
            found = table(name)
            if found is not None and isinstance(part, dict):
                schema = _schema(found)
                _unique(part.get("Keys") or (), schema)
                if not all(_matches(key, schema) for key in part.get("Keys") or ()):
                    raise Refusal(_NO_MATCH)
    elif operation == "BatchWriteItem":
        for name, requests in (data.get("RequestItems") or {}).items():
            found = table(name)
            if found is None:
                continue
            schema = _schema(found)
            keys: list[Any] = []
            for request in requests or ():
                if not isinstance(request, dict):
                    continue
                put, delete = request.get("PutRequest"), request.get("DeleteRequest")
                if isinstance(put, dict) and isinstance(put.get("Item"), dict):
                    keys.append({name: put["Item"].get(name) for name in schema})
                elif isinstance(delete, dict):
                    keys.append(delete.get("Key"))
            _unique(keys, schema)  # DynamoDB tells duplicates before a key that does not match
            for request in requests or ():
                delete = request.get("DeleteRequest") if isinstance(request, dict) else None
                if isinstance(delete, dict) and not _matches(delete.get("Key"), schema):
                    raise Refusal(_NO_MATCH)
    elif operation in ("TransactGetItems", "TransactWriteItems"):
        for item in data.get("TransactItems") or ():
            for kind, part in item.items() if isinstance(item, dict) else ():
                if kind == "Put" or not isinstance(part, dict):
                    continue
                found = table(part.get("TableName"))
                if found is not None and not _matches(part.get("Key"), _schema(found)):
                    raise Refusal(_NO_MATCH)
    elif operation in ("DescribeTimeToLive", "UpdateTimeToLive"):
        # moto answers a missing table here as "ResourceNotFound", a type no client knows
        name = data.get("TableName")
        if isinstance(name, str) and tables(name) is None:
            raise Refusal(
                f"Requested resource not found: Table: {name} not found",
                "ResourceNotFoundException",
            )
    elif operation in ("Query", "Scan") and data.get("ExclusiveStartKey") is not None:
        found = table(data.get("TableName"))
        if found is not None:
            _start_key(operation, data, found)


def _unique(keys: Iterable[Any], schema: dict[str, str]) -> None:
    seen = set()
    for key in keys:
        text = json.dumps(key, sort_keys=True)
        if text in seen:
            raise Refusal("Provided list of item keys contains duplicates")
        seen.add(text)


def _start_key(operation: str, data: dict[str, Any], table: Any) -> None:
    start = data["ExclusiveStartKey"]
    schema = _schema(table)
    names = dict(schema)
    index_name = data.get("IndexName")
    if index_name is not None:
        index = next(
            (i for i in [*table.indexes, *table.global_indexes] if i.name == index_name), None
        )
        if index is None:
            return  # moto: the table does not have the specified index
        types = {a["AttributeName"]: a["AttributeType"] for a in table.attr}
        for element in index.schema:
            names.setdefault(element["AttributeName"], types.get(element["AttributeName"], "S"))
    invalid = "The provided starting key is invalid"
    if len(start) != len(names) or not all(name in start for name in names):
        if operation == "Scan" and index_name is None:
            raise Refusal(f"{invalid}: {_NO_MATCH}")
        raise Refusal(invalid)
    if not all(isinstance(start[n], dict) and kind in start[n] for n, kind in names.items()):
        raise Refusal(f"{invalid}: {_NO_MATCH}")


def moto_tables(account: str, region: str) -> Callable[[str], Any]:
    """A lookup of moto's tables by name (or ARN) in one account and region."""
    from moto.dynamodb.models import dynamodb_backends

    def lookup(name: str) -> Any:
        if name.startswith("arn:"):
            name = name.rpartition("table/")[2]
        return dynamodb_backends[account][region].tables.get(name)

    return lookup


# --- the WSGI middleware ----------------------------------------------------------------------


def _answer(status: str, body: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))],
    )
    return [data]


_PARTIQL = frozenset({"ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"})


def _statements(operation: str, data: dict[str, Any]) -> dict[str, Any] | None:
    """PartiQL statements as moto's parser can read them (``partiql.rewrite``), or a Refusal."""
    from dynamodb_plugin.local import partiql

    try:
        return partiql.rewrite(operation, data)
    except partiql.Unanswerable as exc:
        raise Refusal(str(exc), prefix=CORAL_VALIDATE if exc.validate else DYNAMODB) from None


def _deletion(data: dict[str, Any], tables: Callable[[str], Any]) -> dict[str, Any] | None:
    """An UPDATE's or a DELETE's WHERE clause of equalities (``partiql.where``) against the
    table's key: the whole key or DynamoDB's refusal (moto updated or deleted every item that
    matched). The DeleteItem request a DELETE stands for when moto cannot answer it itself (it
    needs a number or a parameter): the key from the key attributes' equalities, a condition
    from the others; ``None`` otherwise."""
    from dynamodb_plugin.local import partiql

    statement, parameters = data.get("Statement"), data.get("Parameters")
    if not isinstance(statement, str):
        return None
    try:
        found = partiql.where(statement, parameters)
    except partiql.Unanswerable as exc:
        raise Refusal(str(exc)) from None
    if found is None:
        return None
    table = tables(found.table)
    if table is None:
        if found.verb == "DELETE" and found.needs:
            raise Refusal("Requested resource not found", "ResourceNotFoundException")
        return None  # moto answers
    schema = _schema(table)
    given = dict(found.equalities)
    if not all(key in given for key in schema):
        raise Refusal("Where clause does not contain a mandatory equality on all key attributes")
    if found.verb != "DELETE" or not found.needs or found.returning:
        return None
    request: dict[str, Any] = {
        "TableName": found.table,
        "Key": {key: given[key] for key in schema},
    }
    others = [(k, v) for k, v in found.equalities if k not in schema]
    if others:
        request["ConditionExpression"] = " AND ".join(f"#c{i} = :c{i}" for i in range(len(others)))
        request["ExpressionAttributeNames"] = {f"#c{i}": k for i, (k, _) in enumerate(others)}
        request["ExpressionAttributeValues"] = {f":c{i}": v for i, (_, v) in enumerate(others)}
    if data.get("ReturnValuesOnConditionCheckFailure") is not None:
        request["ReturnValuesOnConditionCheckFailure"] = data["ReturnValuesOnConditionCheckFailure"]
    check("DeleteItem", request, tables)
    return request


class Strict:
    """WSGI middleware: a DynamoDB request ``check`` refuses is answered here, in DynamoDB's
    words, and never reaches ``app``; an exception ``app`` raises or an HTTP 500 it answers is
    logged and answered as a DynamoDB ``ValidationException`` (HTTP 400).

    The parsed request is left in ``environ["getdotenv.request"]`` for whoever reads it next."""

    def __init__(self, app: Callable[..., Iterable[bytes]], tables: Callable[[str], Any]) -> None:
        self.app, self.tables = app, tables

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET") or ""
        service = (
            "dynamodb"
            if target.startswith(TARGET)
            else "dynamodbstreams"
            if target.startswith(STREAMS_TARGET)
            else None
        )
        if service is not None:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            stream = environ["wsgi.input"]
            if length > 0:
                body = stream.read(length)
            else:  # chunked: the server ends the stream; otherwise there is no body
                body = stream.read() if environ.get("wsgi.input_terminated") else b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            try:
                data = parse(body)
                operation = target.partition(".")[2]
                check(operation, data, self.tables, service, len(body))
                if operation == "ExecuteStatement" and service == "dynamodb":
                    deleting = _deletion(data, self.tables)
                    if deleting is not None:
                        return self.delete_item(environ, start_response, deleting)
                if operation in _PARTIQL and service == "dynamodb":
                    rewritten = _statements(operation, data)
                    if rewritten is not None:  # its numbers checked as parameters are
                        check(operation, rewritten, self.tables, service, len(body))
                        data, body = rewritten, json.dumps(rewritten).encode()
                        environ["wsgi.input"] = io.BytesIO(body)
                        environ["CONTENT_LENGTH"] = str(len(body))
            except Refusal as refusal:
                return _answer("400 Bad Request", refusal.body(), start_response)
            except Exception:  # a gap in the check itself: moto decides
                log.exception("the strict check failed on a %s request", target)
            else:
                environ["getdotenv.request"] = data
        return self.guarded(environ, start_response, target)

    def delete_item(
        self, environ: dict[str, Any], start_response: Callable[..., Any], request: dict[str, Any]
    ) -> Any:
        """A PartiQL DELETE answered through DeleteItem (``_deletion``): ``{"Items": []}`` as
        DynamoDB answers a DELETE, or DeleteItem's error as it is."""
        body = json.dumps(request).encode()
        inner = dict(environ)
        inner["HTTP_X_AMZ_TARGET"] = TARGET + "DeleteItem"
        inner["wsgi.input"] = io.BytesIO(body)
        inner["CONTENT_LENGTH"] = str(len(body))
        inner["getdotenv.request"] = request
        started: list[Any] = []
        written: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = (status, headers)
            return written.append

        answer = self.guarded(inner, capture, TARGET + "DeleteItem")
        try:
            data = b"".join(written) + b"".join(answer)
        finally:
            close = getattr(answer, "close", None)
            if close is not None:
                close()
        status, headers = started
        if status.startswith("200"):
            return _answer("200 OK", {"Items": []}, start_response)
        start_response(status, headers)
        return [data]

    def guarded(
        self, environ: dict[str, Any], start_response: Callable[..., Any], target: str
    ) -> Any:
        failed: list[str] = []

        def starting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if status.startswith("500"):
                failed.append(status)
                return lambda _data: None
            return start_response(status, headers, exc_info)

        try:
            answer = self.app(environ, starting)
            if not failed:
                return answer
            close = getattr(answer, "close", None)
            if close is not None:
                close()
            reason = "an HTTP 500"
        except NotImplementedError:
            # what moto lacks: answered as a local DynamoDB answers what it lacks (dynalite,
            # DynamoDB Local), so a client can tell it from an error in its request
            operation = target.rpartition(".")[2] or "this operation"
            return _answer(
                "400 Bad Request",
                {
                    "__type": CORAL_SERVICE + "UnknownOperationException",
                    "Message": f"the local DynamoDB (moto) does not implement {operation}",
                },
                start_response,
            )
        except Exception as exc:
            log.exception("moto failed on a %s request", target or "DynamoDB")
            reason = f"{type(exc).__name__}: {exc}"[:300]
        message = (
            f"The local DynamoDB (moto) could not process this request ({reason}); "
            "the server's log has the details"
        )
        return _answer(
            "400 Bad Request",
            {"__type": DYNAMODB + "ValidationException", "message": message},
            start_response,
        )


def size_of_nothing() -> bool:
    """``size(path)`` of an attribute an item lacks, or of a number or boolean: DynamoDB
    evaluates the comparison as false for that item (a Scan filters it out, a condition fails);
    moto raises ValueError (an HTTP 500). ``False`` where moto's class is not as expected."""
    try:
        from moto.dynamodb.comparisons import FuncSize

        original = FuncSize.expr
        if getattr(original, "_strict", False):
            return True
    except (ImportError, AttributeError):
        return False

    def expr(self: Any, item: Any) -> Any:
        if self.attr.get_type(item) not in ("S", "SS", "NS", "B", "BS", "L", "M"):
            return None  # <, <=, >, >= and = with None are false in moto's operators
        return original(self, item)

    expr._strict = True  # type: ignore[attr-defined]
    FuncSize.expr = expr  # type: ignore[method-assign]
    return True


RECURSION = 4000


def deep_enough() -> None:
    """moto parses, copies and evaluates an update expression recursively, a few frames per
    operator: 300 of them (DynamoDB's limit, which it accepts) were a RecursionError from 200 on
    with Python's 1,000 frames. Process-wide, so the server's ``main`` calls it. Python 3.11+
    keeps pure-Python calls off the C stack; the JSON decoder's C recursion, bounded by the same
    limit, stops at 4,000 levels within a connection thread's stack (a body nested 100,000 deep
    is answered DynamoDB's nesting error, as before: tested)."""
    if sys.getrecursionlimit() < RECURSION:
        sys.setrecursionlimit(RECURSION)


def install(app: Callable[..., Iterable[bytes]], account: str, region: str) -> Strict:
    """``Strict`` in front of ``app``, whose exceptions reach it (``apps.HandlerApp`` lets them
    through; a Flask app of moto's does with ``PROPAGATE_EXCEPTIONS``), so each is logged once
    and answered as DynamoDB's."""
    size_of_nothing()
    return Strict(app, moto_tables(account, region))
