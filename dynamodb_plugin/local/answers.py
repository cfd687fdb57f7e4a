"""Query, Scan, GetItem and BatchGetItem answers written from moto's stored items directly.

moto answers a Query or Scan page by copying every item it selected (``copy.deepcopy``), then
filtering and projecting the copies, turning each attribute into a plain dict
(``dynamo_to_dict``) and serialising that: about 45 µs per small item, where dynalite spends
about 17. Here the items moto's ``Table.query``/``Table.scan`` select (``fast.bucket_queries``,
``fast.sorted_scans``: the same items, counts and keys) are filtered where they are stored
(a filter only reads), and each one becomes the text of its answer (``Fragment``) once: kept
with the item, with its size, until the item changes, and spliced into the answer's JSON as
it is. A projection is worked out as moto's ``Item.project`` works it out (the same moto and
boto3 functions, given only the attributes it names), without copying the item first.

When an item changes. moto replaces an item on PutItem (and a transaction's rollback puts a
copy back), removes it on DeleteItem and TTL, and changes it in place only in
``DynamoDBBackend.update_item`` (UpdateItem, a transaction's Update). The text is kept on the
item object itself, so a replaced or removed item takes its text with it; ``update_item``
runs holding ``fast.ITEMS_LOCK`` here (the lock every read holds while it reads) and forgets
the item's text when it is done, so no read sees an item half updated, nor text from before.

Only answers that go straight to JSON use this: the handler's ``query``/``scan``/
``get_item``/``batch_get_item`` set a per-thread mark while they run (holding
``ITEMS_LOCK``), and ``DynamoResult.execute_result`` writes the answer. Everything else (an
index, legacy ``ScanFilter``/``QueryFilter``/``AttributesToGet``, segments of a binary-keyed
table, an item whose values are not plain DynamoDB JSON, a moto whose classes differ) goes
through moto's own path as before.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable
from typing import Any

KEY = "_answer"  # the entry kept in a stored item's __dict__: [size, Fragment | None]
OPERATIONS = frozenset({"Query", "Scan", "GetItem", "BatchGetItem"})


class _Mode(threading.local):
    mode: str | None = None  # per thread: see ``mode``


_local = _Mode()


class Unanswerable(Exception):
    """An item this module does not write as moto would: moto's path for the whole page."""


class Fragment:
    """One item of an answer as its DynamoDB JSON text. moto's handler reads ``.attrs`` of
    each result item: a fragment is its own."""

    __slots__ = ("text", "source")

    def __init__(self, text: str, source: Any) -> None:
        self.text = text
        self.source = source  # what moto would have answered, for moto's serialiser

    @property
    def attrs(self) -> Fragment:
        return self


def mode() -> str | None:
    """``"items"`` or ``"count"`` while a handler that answers through here runs (this
    thread), else ``None``."""
    return _local.mode


# --- the text of an item -------------------------------------------------------------------


def _b64(value: object) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError  # not plain DynamoDB JSON


_encode = json.JSONEncoder(separators=(",", ":"), default=_b64).encode
_original_to_dict: Any = None
_dynamo_type: Any = None
_plain_types = (str, int, bool, type(None))


def to_plain(obj: Any) -> Any:
    """moto's ``dynamo_to_dict`` for the common types (``dict`` and moto's item dict,
    ``list``, ``str``, ``DynamoType``), anything else left to moto's function."""
    kind = type(obj)
    if kind in _plain_types:
        return obj
    if kind is _dynamo_type:
        inner = obj.value
        if obj.type == "B":
            return {"B": inner if isinstance(inner, bytes) else base64.b64decode(inner)}
        if obj.type == "BS":
            return {"BS": [v if isinstance(v, bytes) else base64.b64decode(v) for v in inner]}
        return {obj.type: to_plain(inner)}
    if kind is dict or kind is _attrs_type:
        return {k: to_plain(v) for k, v in obj.items()}
    if kind is list:
        return [to_plain(v) for v in obj]
    return _original_to_dict(obj)


_attrs_type: Any = None


def _text(attrs: Any) -> str:
    try:
        return _encode(to_plain(attrs))
    except (TypeError, ValueError, RecursionError):
        raise Unanswerable from None


def size(item: Any) -> int:
    """``item.size()``, kept with the item (answer mode only: under ``ITEMS_LOCK``)."""
    entry = item.__dict__.get(KEY)
    if entry is None:
        entry = item.__dict__[KEY] = [item.size(), None]
    return entry[0]  # type: ignore[no-any-return]


def fragment(item: Any) -> Fragment:
    """The answer text of a stored item, kept with it until it changes."""
    entry = item.__dict__.get(KEY)
    if entry is None:
        entry = item.__dict__[KEY] = [item.size(), None]
    kept = entry[1]
    if kept is None:
        kept = entry[1] = Fragment(_text(item.attrs), item.attrs)
    return kept  # type: ignore[no-any-return]


def forget(item: Any) -> None:
    if item is not None:
        item.__dict__.pop(KEY, None)


# --- projections, as moto's Item.project -----------------------------------------------------

_projection: dict[str, Any] = {}


def _regular(value: Any) -> Any:
    """``deserializer.deserialize(value.to_regular_json())`` without the copies."""
    kind = value.type
    inner = value.value
    if kind == "S" or kind == "BOOL":
        return inner
    if kind == "N":
        return _projection["create_decimal"](inner)
    if kind == "M":
        return {
            k: _regular(v if type(v) is _dynamo_type else _dynamo_type(v)) for k, v in inner.items()
        }
    if kind == "L":
        return [_regular(v if type(v) is _dynamo_type else _dynamo_type(v)) for v in inner]
    if kind == "NULL":
        return None
    binary = _projection["Binary"]
    if kind == "B":
        return binary(inner if isinstance(inner, bytes) else base64.b64decode(inner))
    if kind == "SS":
        return set(inner)
    if kind == "NS":
        return set(map(_projection["create_decimal"], inner))
    if kind == "BS":
        return {binary(v) for v in inner}
    raise Unanswerable


def projected(item: Any, expressions: list[list[str]]) -> Fragment:
    """``item.project(expressions)`` as its answer text: moto's ``find_nested_key`` and
    ``merge_dicts`` over the attributes the expressions name (all they read), then boto3's
    serialiser, as ``Item.project`` does."""
    find, merge, serialize, pattern = (
        _projection["find_nested_key"],
        _projection["merge_dicts"],
        _projection["serialize"],
        _projection["pattern"],
    )
    attrs = item.attrs
    result: dict[str, Any] = {}
    for expression in expressions:
        first = expression[0]
        names = [first]
        listed = pattern.match(first)
        if listed:
            names.append(listed.group(1))
        regular = {name: _regular(attrs[name]) for name in names if name in attrs}
        merge(result, find(expression, regular))
    plain = serialize(result)["M"]
    try:
        return Fragment(_encode(plain), plain)
    except (TypeError, ValueError, RecursionError):
        raise Unanswerable from None


# --- a page --------------------------------------------------------------------------------


def finish(items: list[Any], filter_expression: Any, projection: Any) -> list[Any]:
    """What a Query or Scan page answers in answer mode: the items the filter keeps, as
    fragments (or, for ``Select: COUNT``, as they are: only counted). Raises
    ``Unanswerable`` for an item written otherwise."""
    if filter_expression is not None:
        items = [item for item in items if filter_expression.expr(item)]
    if _local.mode == "count":
        return items
    if projection:
        return [projected(item, projection) for item in items]
    return [fragment(item) for item in items]


class Answered:
    """A stored item as moto's GetItem/BatchGetItem handlers read it (``size``,
    ``describe_attrs``), its attributes as a fragment."""

    __slots__ = ("item",)

    def __init__(self, item: Any) -> None:
        self.item = item

    def size(self) -> int:
        return size(self.item)

    def describe_attrs(self, attributes: Any = None) -> dict[str, Any]:
        if attributes:
            return self.item.describe_attrs(attributes)  # type: ignore[no-any-return]
        try:
            return {"Item": fragment(self.item)}
        except Unanswerable:
            return self.item.describe_attrs(None)  # type: ignore[no-any-return]


# --- the answer's JSON ---------------------------------------------------------------------

_dumps = json.JSONEncoder(separators=(",", ":"), default=_b64).encode


def _has(value: Any) -> bool:
    kind = type(value)
    if kind is Fragment:
        return True
    if kind is dict:
        return any(_has(v) for v in value.values())
    if kind is list:
        return bool(value) and (type(value[0]) is Fragment or any(_has(v) for v in value))
    return False


def _write(value: Any) -> str:
    kind = type(value)
    if kind is Fragment:
        return value.text  # type: ignore[no-any-return]
    if kind is list:
        if all(type(v) is Fragment for v in value):
            return "[" + ",".join([v.text for v in value]) + "]"
        return "[" + ",".join([_write(v) for v in value]) + "]"
    if kind is dict and _has(value):
        return "{" + ",".join([_dumps(k) + ":" + _write(v) for k, v in value.items()]) + "}"
    return _dumps(value)


def _unwritten(value: Any) -> Any:
    """``value`` with each fragment as moto would have had it (for moto's serialiser)."""
    kind = type(value)
    if kind is Fragment:
        return to_plain(value.source)
    if kind is list:
        return [_unwritten(v) for v in value]
    if kind is dict:
        return {k: _unwritten(v) for k, v in value.items()}
    return value


def body(result: Any, members: Any) -> str | None:
    """The JSON of an answer holding fragments (the members of the API's answer only, as
    moto's serialiser writes them); ``None`` when it holds none."""
    if type(result) is not dict or not _has(result):
        return None
    return (
        "{"
        + ",".join([_dumps(k) + ":" + _write(v) for k, v in result.items() if k in members])
        + "}"
    )


# --- installing ----------------------------------------------------------------------------


def _moto() -> dict[str, Any] | None:
    try:
        import re

        from boto3.dynamodb.types import DYNAMODB_CONTEXT, Binary, TypeSerializer
        from botocore.utils import merge_dicts
        from moto.dynamodb.models import DynamoDBBackend, utilities
        from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
        from moto.dynamodb.responses import DynamoHandler, DynamoResult
    except ImportError:
        return None
    from dynamodb_plugin.local.snapshot import item_model_known

    needed = (
        hasattr(utilities, "find_nested_key")
        and hasattr(utilities, "dynamo_to_dict")
        and all(hasattr(DynamoHandler, n) for n in ("query", "scan", "get_item", "batch_get_item"))
        and all(hasattr(DynamoDBBackend, n) for n in ("get_item", "update_item"))
        and hasattr(DynamoResult, "execute_result")
        and item_model_known()
    )
    if not needed:
        return None
    return {
        "re": re,
        "DYNAMODB_CONTEXT": DYNAMODB_CONTEXT,
        "Binary": Binary,
        "serialize": TypeSerializer().serialize,
        "merge_dicts": merge_dicts,
        "utilities": utilities,
        "DynamoType": DynamoType,
        "Item": Item,
        "LimitedSizeDict": LimitedSizeDict,
        "DynamoHandler": DynamoHandler,
        "DynamoDBBackend": DynamoDBBackend,
        "DynamoResult": DynamoResult,
    }


def _answering(original: Callable[[Any], Any], operation: str) -> Callable[[Any], Any]:
    from dynamodb_plugin.local.fast import ITEMS_LOCK

    def method(self: Any) -> Any:
        request = getattr(self, "body", None)
        if type(request) is not dict or _local.mode is not None:
            return original(self)
        kind = "count" if request.get("Select") == "COUNT" else "items"
        with ITEMS_LOCK:
            _local.mode = kind
            try:
                return original(self)
            finally:
                _local.mode = None

    method.__name__ = getattr(original, "__name__", operation)
    method.__wrapped__ = original  # type: ignore[attr-defined]
    method._answers = True  # type: ignore[attr-defined]
    return method


def item_answers() -> bool:
    """Answer Query, Scan, GetItem and BatchGetItem through here (the page itself is
    finished by ``fast``'s query and scan, which call ``finish``); ``False`` where moto's
    classes are not the ones expected."""
    global _original_to_dict, _dynamo_type, _attrs_type
    moto = _moto()
    if moto is None:
        return False
    handler, backend, result_class = (
        moto["DynamoHandler"],
        moto["DynamoDBBackend"],
        moto["DynamoResult"],
    )
    _original_to_dict = moto["utilities"].dynamo_to_dict
    _dynamo_type = moto["DynamoType"]
    _attrs_type = moto["LimitedSizeDict"]
    _projection.update(
        find_nested_key=moto["utilities"].find_nested_key,
        merge_dicts=moto["merge_dicts"],
        serialize=moto["serialize"],
        pattern=moto["re"].compile(r"(.+)\[(\d+)\]$"),
        create_decimal=moto["DYNAMODB_CONTEXT"].create_decimal,
        Binary=moto["Binary"],
    )
    if getattr(handler.query, "_answers", False):
        return True
    from dynamodb_plugin.local.fast import ITEMS_LOCK

    for name, operation in (
        ("query", "Query"),
        ("scan", "Scan"),
        ("get_item", "GetItem"),
        ("batch_get_item", "BatchGetItem"),
    ):
        setattr(handler, name, _answering(getattr(handler, name), operation))

    item_class = moto["Item"]
    get_item = backend.get_item

    def backend_get_item(
        self: Any, table_name: str, keys: dict[str, Any], projection_expressions: Any = None
    ) -> Any:
        item = get_item(self, table_name, keys, projection_expressions)
        if (
            _local.mode is None
            or item is None
            or projection_expressions
            or type(item) is not item_class
        ):
            return item
        return Answered(item)

    update_item = backend.update_item

    def backend_update_item(self: Any, table_name: str, key: Any, *args: Any, **kwargs: Any) -> Any:
        with ITEMS_LOCK:
            try:
                return update_item(self, table_name, key, *args, **kwargs)
            finally:
                _forget_key(self, table_name, key)

    pairs: list[tuple[Any, Any]] = [
        (backend_get_item, get_item),
        (backend_update_item, update_item),
    ]
    for function, wrapped in pairs:
        function.__wrapped__ = wrapped
        function._answers = True
    backend.get_item = backend_get_item
    backend.update_item = backend_update_item

    execute_result = result_class.execute_result

    def answer(self: Any, context: Any) -> Any:
        result = self.result
        operation = context.operation_model.name
        if operation in OPERATIONS and type(result) is dict:
            try:
                text = body(result, context.operation_model.output_shape.members)
            except (TypeError, ValueError, RecursionError):
                self._result = _unwritten(result)
                return execute_result(self, context)
            if text is not None:
                headers = {
                    "Content-Type": "application/x-amz-json-1.0",
                    "server": "amazon.com",
                    "x-amzn-requestid": secrets.token_hex(26),
                }
                return 200, headers, text
        return execute_result(self, context)

    answer.__wrapped__ = execute_result  # type: ignore[attr-defined]
    answer._answers = True  # type: ignore[attr-defined]
    result_class.execute_result = answer
    return True


def _forget_key(backend: Any, table_name: str, key: Any) -> None:
    """Forget the kept text of the item ``update_item`` was given the key of (every item of
    the table where the key is not one moto reads)."""
    try:
        table = backend.get_table(table_name)
    except Exception:  # noqa: BLE001 - no such table: nothing kept
        return
    try:
        if table.hash_key_attr in key:
            hash_value = _dynamo_type(key[table.hash_key_attr])
            if table.range_key_attr and table.range_key_attr in key:
                range_value = _dynamo_type(key[table.range_key_attr])
                forget(table.items.get(hash_value, {}).get(range_value))
                return
            if not table.range_key_attr:
                item = table.items.get(hash_value)
                forget(item)
                return
    except Exception:  # noqa: BLE001 - a key moto reads otherwise: forget them all
        pass
    for bucket in list(table.items.values()):
        if table.range_key_attr:
            for item in list(bucket.values()):
                forget(item)
        else:
            forget(bucket)
