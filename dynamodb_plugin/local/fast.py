"""Hot paths of the built-in local DynamoDB, in place of moto's where moto is slow.

moto stays the engine of record: each function here replaces one method of moto's with one
that answers the same (tests/dynamodb/test_fast*.py check that against moto's own method,
with hypothesis-generated requests), and leaves every case it was not written for to moto.
Each returns ``False`` and changes nothing where moto's classes are not the ones expected.

- ``bucket_queries``: a Query of a table (not an index) reads the one partition it names.
  moto sorts every item of the table and compares each one's hash key to pick that
  partition: a 100-item Query of a 1,000-item table spent 60% of its time there.
- ``sorted_scans``: a Scan page sorts the table with keys worked out once per item (moto
  compares ``DynamoType`` objects, building a ``Decimal`` per comparison) and finds where the
  previous page ended by bisection instead of comparing every item before it.
"""

from __future__ import annotations

import bisect
import copy
import threading
from typing import Any

from dynamodb_plugin.local import answers

# The key types whose values moto compares as they are stored (S, B) or as a Decimal (N).
_KEY_TYPES = frozenset({"S", "N", "B"})


def _cast(value: Any) -> Any:
    """A key attribute's value as moto's ``DynamoType.cast_value`` orders it."""
    from decimal import Decimal

    return Decimal(value.value) if value.type == "N" else value.value


def _moto_table() -> Any:
    try:
        from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, Table  # noqa: F401
    except ImportError:
        return None
    needed = ("query", "scan", "all_items", "_get_last_evaluated_key", "_item_comes_before_dct")
    return Table if all(hasattr(Table, name) for name in needed) else None


def _sorted_items(table: Any) -> tuple[list[Any], list[Any]] | None:
    """The table's items in moto's ``all_items`` order and their sort keys, kept until the
    table's items change (``_counted_writes``); ``None`` where a key is not of a type ordered
    here (moto orders those itself)."""
    stamp = (table.__dict__.get("_fast_writes", 0), id(table.items))
    kept = table.__dict__.get("_fast_sorted")
    if kept is not None and kept[0] == stamp:
        return kept[1]  # type: ignore[no-any-return]
    ordered = _sort_items(table)
    table.__dict__["_fast_sorted"] = (stamp, ordered)
    return ordered


def _sort_items(table: Any) -> tuple[list[Any], list[Any]] | None:
    items: list[Any] = []
    if table.range_key_attr:
        for bucket in list(table.items.values()):  # a write may add a partition meanwhile
            items.extend(bucket.values())
    else:
        items.extend(table.items.values())
    keyed = []
    for item in items:
        hash_key, range_key = item.hash_key, item.range_key
        if hash_key.type not in _KEY_TYPES:
            return None
        if range_key:
            if range_key.type not in _KEY_TYPES:
                return None
            keyed.append(((_cast(hash_key), _cast(range_key)), item))
        else:
            keyed.append((_cast(hash_key), item))
    keyed.sort(key=lambda pair: pair[0])  # stable, as moto's sorted()
    return [pair[1] for pair in keyed], [pair[0] for pair in keyed]


def _start_key(table: Any, start: dict[str, Any], keys: list[Any]) -> Any:
    """``start`` (an ExclusiveStartKey) as a sort key comparable with ``keys``; ``None`` for
    anything moto would read otherwise (a missing or differently typed key attribute)."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    names = [table.hash_key_attr] + ([table.range_key_attr] if table.range_key_attr else [])
    parts = []
    for name in names:
        raw = start.get(name)
        if not isinstance(raw, dict) or len(raw) != 1:
            return None
        value = DynamoType(raw)
        if value.type not in _KEY_TYPES or not isinstance(value.value, str | bytes):
            return None
        try:
            parts.append(_cast(value))
        except ArithmeticError:  # not a number: moto's own error
            return None
    if keys and isinstance(keys[0], tuple) != (len(parts) == 2):
        return None
    key = tuple(parts) if len(parts) == 2 else parts[0]
    try:
        for other in keys[:1]:
            _ = other < key  # comparable with the stored keys (same types)
    except TypeError:
        return None
    return key


def _counted_writes(table_class: Any) -> bool:
    """Count the writes to each table's items (moto adds and removes items only in
    ``Table.put_item`` and ``Table.delete_item``; a restore replaces ``Table.items``)."""
    if getattr(table_class, "_fast_counted", False):
        return True
    put, delete = table_class.put_item, table_class.delete_item

    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return put(self, *args, **kwargs)
        finally:
            self.__dict__["_fast_writes"] = self.__dict__.get("_fast_writes", 0) + 1

    def delete_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return delete(self, *args, **kwargs)
        finally:
            self.__dict__["_fast_writes"] = self.__dict__.get("_fast_writes", 0) + 1

    table_class.put_item, table_class.delete_item = put_item, delete_item
    table_class._fast_counted = True
    return True


def sorted_scans() -> bool:
    """Scan pages of a table (no index, no legacy ``ScanFilter``) as moto's ``Table.scan``
    reads them, without moto's per-comparison and per-item costs (see the module's text)."""
    table_class = _moto_table()
    if table_class is None:
        return False
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    original = table_class.scan
    _counted_writes(table_class)

    def scan(
        self: Any,
        filters: dict[str, Any],
        limit: int,
        exclusive_start_key: dict[str, Any],
        filter_expression: Any = None,
        index_name: str | None = None,
        consistent_read: bool = False,
        projection_expression: list[list[str]] | None = None,
        segments: Any = (None, None),
    ) -> Any:
        def moto() -> Any:
            return original(
                self,
                filters,
                limit,
                exclusive_start_key,
                filter_expression,
                index_name,
                consistent_read,
                projection_expression,
                segments=segments,
            )

        if index_name or filters:
            return moto()
        ordered = _sorted_items(self)
        if ordered is None:
            return moto()
        items, keys = ordered
        first = 0
        if exclusive_start_key is not None:
            start = _start_key(self, exclusive_start_key, keys)
            if start is None:
                return moto()
            first = bisect.bisect_right(keys, start)  # moto skips every item up to the key
        results: list[Any] = []
        result_size = 0
        scanned_count = 0
        last_evaluated_key = None
        sized = answers.size if answers.mode() else _size
        whole = segments == (None, None)  # moto's is_within_segment: every item then
        for item in items[first:]:
            if not whole and not item.is_within_segment(segments):
                continue
            size = sized(item)
            if len(results) == limit or result_size + size > RESULT_SIZE_LIMIT:
                last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)
                break
            results.append(item)
            result_size += size
            scanned_count += 1
        results = finished(results, filter_expression, projection_expression)
        return results, scanned_count, last_evaluated_key

    table_class.scan = scan
    return True


def bucket_queries() -> bool:
    """A Query of a table (not an index) as moto's ``Table.query`` answers it, reading only the
    partition of its hash key (see the module's text). Everything else goes to moto."""
    table_class = _moto_table()
    if table_class is None:
        return False
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import RESULT_SIZE_LIMIT

    original = table_class.query

    def query(
        self: Any,
        hash_key: Any,
        range_comparison: str | None,
        range_objs: list[Any],
        limit: int,
        exclusive_start_key: dict[str, Any],
        scan_index_forward: bool,
        projection_expressions: list[list[str]] | None,
        index_name: str | None = None,
        consistent_read: bool = False,
        filter_expression: Any = None,
        hash_key_conditions: Any = None,
        range_key_conditions: Any = None,
        **filter_kwargs: Any,
    ) -> Any:
        if index_name or hash_key is None:
            return original(
                self,
                hash_key,
                range_comparison,
                range_objs,
                limit,
                exclusive_start_key,
                scan_index_forward,
                projection_expressions,
                index_name,
                consistent_read,
                filter_expression,
                hash_key_conditions=hash_key_conditions,
                range_key_conditions=range_key_conditions,
                **filter_kwargs,
            )
        # moto: every item whose hash key equals ``hash_key`` (equal values hash alike:
        # DynamoType hashes its type and cast value), then sorted by the range key.
        bucket = self.items.get(hash_key)
        if bucket is None:
            possible = []
        elif self.range_key_attr:
            possible = list(bucket.values())
        else:
            possible = [bucket]
        if len(possible) > 1:
            if any(item.range_key.type not in _KEY_TYPES for item in possible):
                possible.sort(key=lambda item: item.range_key)
            else:
                possible.sort(key=lambda item: _cast(item.range_key))
        if scan_index_forward is False:
            possible.reverse()
        hash_attrs = [self.hash_key_attr]
        range_attrs = [self.range_key_attr]
        last_range_key_name = range_key_conditions[-1][0] if range_key_conditions else None
        # moto's loop from here on, the item sizes worked out once
        sized = answers.size if answers.mode() else _size
        results: list[Any] = []
        result_size = 0
        scanned_count = 0
        last_evaluated_key = None
        processing_previous_page = exclusive_start_key is not None
        for result in possible:
            if processing_previous_page:
                if self._item_comes_before_dct(
                    result, exclusive_start_key, hash_attrs, range_attrs, scan_index_forward
                ):
                    continue
                processing_previous_page = False
            size = sized(result)
            if len(results) == limit or (result_size + size) > RESULT_SIZE_LIMIT:
                last_evaluated_key = self._get_last_evaluated_key(results[-1], index_name)
                break
            if not range_comparison and not filter_kwargs:
                results.append(result)
                result_size += size
                scanned_count += 1
            if range_comparison:
                attr = result.attrs.get(last_range_key_name) if last_range_key_name else None
                if attr is not None:
                    if attr.compare(range_comparison, range_objs):
                        results.append(result)
                        result_size += size
                        scanned_count += 1
                elif result.range_key.compare(range_comparison, range_objs):
                    results.append(result)
                    result_size += size
                    scanned_count += 1
            if filter_kwargs:
                for field, value in filter_kwargs.items():
                    dynamo_types = [DynamoType(ele) for ele in value["AttributeValueList"]]
                    if result.attrs.get(field).compare(value["ComparisonOperator"], dynamo_types):
                        results.append(result)
                        result_size += size
                scanned_count += 1
        results = finished(results, filter_expression, projection_expressions)
        return results, scanned_count, last_evaluated_key

    table_class.query = query
    return True


def _bytesize(value: Any) -> int:
    return len(value if isinstance(value, bytes) else value.encode("utf-8"))


def _scalar_size(kind: str, value: Any) -> int:
    if kind == "N":
        return len(str(value))
    if isinstance(value, bool):
        return 1
    return _bytesize(value)


def direct_sizes() -> bool:
    """Item and attribute sizes as moto's ``DynamoType.size`` and ``Item.size`` work them out,
    without building a ``DynamoType`` for each set member and map value: every write checks
    its item's size, and every Query and Scan result twice."""
    try:
        from moto.dynamodb.models.dynamo_type import DynamoType, Item
    except ImportError:
        return False
    if not (hasattr(DynamoType, "size") and hasattr(Item, "size")):
        return False
    dynamo_type = DynamoType

    def size(self: Any) -> int:
        kind, value = self.type, self.value
        if kind in ("SS", "NS", "BS"):
            sub = kind[0]
            return sum(_scalar_size(sub, v) for v in value)
        if kind == "L":
            return sum(v.size() for v in value)
        if kind == "M":
            return sum(
                _bytesize(k) + (v if type(v) is dynamo_type else dynamo_type(v)).size()
                for k, v in value.items()
            )
        return _scalar_size(kind, value)

    def item_size(self: Any) -> int:
        return sum(_bytesize(key) + value.size() for key, value in self.attrs.items())

    DynamoType.size = size  # type: ignore[method-assign]
    Item.size = item_size  # type: ignore[method-assign]
    return True


def cached_method_names() -> bool:
    """moto lists its handler's methods (``inspect.getmembers``) on every request to see
    whether the operation is one; a class's functions are the same every time: list them
    once per class. A tenth of a PutItem's time."""
    try:
        from moto.core import responses
    except ImportError:
        return False
    original = getattr(responses, "method_names_from_class", None)
    if original is None or getattr(original, "_fast", False):
        return original is not None
    known: dict[type, list[str]] = {}

    def method_names_from_class(clazz: Any) -> list[str]:
        names = known.get(clazz)
        if names is None:
            names = known[clazz] = original(clazz)
        return list(names)

    method_names_from_class._fast = True  # type: ignore[attr-defined]
    responses.method_names_from_class = method_names_from_class  # type: ignore[attr-defined]
    return True


class Direct:
    """WSGI: a DynamoDB API call handed to moto's handler as moto's Flask app hands it (the
    same request class, the same call, the same answer object), without Flask's routing and
    request context around it; anything but ``POST /`` with a DynamoDB ``X-Amz-Target`` goes
    to ``app`` (moto's Flask app). Flask's part was about a fifth of a GetItem's time.

    The item operations (``dispatch.OPERATIONS``) go further: straight to the handler's action
    method, without moto's per-request set-up and Flask's answer object (``dispatch``), on
    ``account`` and ``region`` (the server's one database), where ``dispatch`` can; with
    ``direct=False`` (or a moto ``dispatch`` was not written for) every call is moto's."""

    def __init__(
        self,
        app: Any,
        *,
        direct: bool = True,
        account: str | None = None,
        region: str | None = None,
    ) -> None:
        from botocore.exceptions import ClientError
        from moto.dynamodb.responses import DynamoHandler

        from dynamodb_plugin.local import dispatch, server
        from dynamodb_plugin.local.apps import Answer, ServedRequest

        self.app = app
        # Flask's hooks (moto's CORS, unless MOTO_DISABLE_GLOBAL_CORS) run only through Flask
        hooks = (getattr(app, name, {}) for name in ("before_request_funcs", "after_request_funcs"))
        self.bypass = not any(any(funcs.values()) for funcs in hooks)
        self.client_error = ClientError
        self.request_class = ServedRequest  # as moto's Flask app's (apps.HandlerApp)
        self.response_class = Answer
        self.dispatch = DynamoHandler.dispatch
        self.direct = (
            dispatch.dispatcher(account or server.SHARED_ACCOUNT, region or server.SHARED_REGION)
            if direct
            else None
        )

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if (
            not self.bypass
            or environ.get("PATH_INFO") != "/"
            or environ.get("REQUEST_METHOD") != "POST"
            or not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_20120810.")
        ):
            return self.app(environ, start_response)
        operation = environ["HTTP_X_AMZ_TARGET"][18:]
        direct = self.direct
        if direct is not None:
            prepared = direct.prepare(environ, operation)
            if prepared is not None:
                with ITEMS_LOCK:  # every call: moto's loops over a table's items race writes
                    answer = direct.run(prepared)
                return direct.respond(answer, start_response)
        request = self.request_class(environ)
        try:
            with ITEMS_LOCK:
                result = self.dispatch(request, request.raw_url, dict(request.headers))
        except self.client_error as exc:  # as moto's view does
            result = 400, {}, exc.response["Error"]["Message"]
        if len(result) == 3:
            status, headers, content = result
        else:
            status, headers, content = 200, {}, result
        response = self.response_class(response=content, status=status, headers=headers)
        return response(environ, start_response)


# Held by every DynamoDB call while moto runs it (``Direct``) and by a transaction while it
# writes, so that no read sees part of a write: moto's own loops over a table's items (an
# index's Query or Scan, DescribeTable's count) fail with "dictionary changed size during
# iteration" when a PutItem adds an item meanwhile.
ITEMS_LOCK = threading.RLock()


class _Journal:
    """What a transaction changed, item by item, to put back if it is cancelled: the item as
    it was (a copy, or ``None``) and how long each table's stream was."""

    def __init__(self) -> None:
        self.items: list[tuple[Any, Any, Any, Any]] = []
        self.streams: dict[int, tuple[Any, int]] = {}

    def before(self, table: Any, key: dict[str, Any]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        hash_value = DynamoType(key[table.hash_key_attr])
        range_value = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        if table.range_key_attr:
            current = table.items.get(hash_value, {}).get(range_value)
        else:
            current = table.items.get(hash_value)
        self.items.append((table, hash_value, range_value, copy.deepcopy(current)))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.streams:
            self.streams[id(shard)] = (shard, len(shard.items))

    def undo(self) -> None:
        for table, hash_value, range_value, old in reversed(self.items):
            if table.range_key_attr:
                if old is None:
                    table.items.get(hash_value, {}).pop(range_value, None)
                else:
                    table.items[hash_value][range_value] = old
            elif old is None:
                table.items.pop(hash_value, None)
            else:
                table.items[hash_value] = old
            table.__dict__["_fast_writes"] = table.__dict__.get("_fast_writes", 0) + 1
        for shard, length in self.streams.values():
            del shard.items[length:]


def transactions_in_place() -> bool:
    """TransactWriteItems as moto's answers it, without copying every table it names first
    (moto deep-copies each whole table to roll back from, per transaction: 0.8 transactions a
    second on a 5,500-item table): the items it changes are put back one by one instead, and
    no read runs while it writes (``ITEMS_LOCK``)."""
    try:
        from moto.dynamodb import models
        from moto.dynamodb.comparisons import get_filter_expression
        from moto.dynamodb.exceptions import (
            ConditionalCheckFailed,
            MockValidationException,
            MultipleTransactionsException,
            TooManyTransactionsException,
            TransactionCanceledException,
            TransactWriteSingleOpException,
        )
        from moto.dynamodb.models.table import Table

        backend_class = models.DynamoDBBackend
    except (ImportError, AttributeError):
        return False
    if not hasattr(backend_class, "transact_write_items"):
        return False
    _counted_writes(Table)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with ITEMS_LOCK:
            _transact(self, transact_items)

    def _transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
        # moto's DynamoDBBackend.transact_write_items, with a journal for the table copies
        if len(transact_items) > 100:
            raise TooManyTransactionsException()
        journal = _Journal()
        target_items: set[tuple[str, str]] = set()

        def check_unicity(table_name: str, key: dict[str, Any]) -> None:
            item = (str(table_name), str(dict(sorted(key.items()))))
            if item in target_items:
                raise MultipleTransactionsException()
            target_items.add(item)

        errors: list[Any] = []
        for item in transact_items:
            original_item: dict[str, Any] | None = None
            if len(list(item.keys())) > 1:
                journal.undo()
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                condition_expression = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                on_failure = op.get("ReturnValuesOnConditionCheckFailure")
                if op_type == "Put":
                    attrs = op["Item"]
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                check_unicity(table_name, key)
                current = self.get_item(table_name, key)
                if condition_expression is not None:
                    condition_op = get_filter_expression(condition_expression, names, values)
                    if not condition_op.expr(current):
                        if on_failure == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                if op_type in ("Put", "Delete", "Update"):
                    journal.before(self.get_table(table_name), key)
                if op_type == "Put":
                    self.put_item(
                        table_name,
                        op["Item"],
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Delete":
                    self.delete_item(
                        table_name,
                        key,
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Update":
                    self.update_item(
                        table_name,
                        key,
                        update_expression=op["UpdateExpression"],
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                journal.undo()
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # noqa: BLE001 - moto's: every other failure is reported
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            journal.undo()
            raise TransactionCanceledException(errors)

    backend_class.transact_write_items = transact_write_items  # type: ignore[method-assign]
    return True


def _size(item: Any) -> int:
    return item.size()  # type: ignore[no-any-return]


def finished(items: list[Any], filter_expression: Any, projection: Any) -> list[Any]:
    """What a Query or Scan page answers: written from the stored items where the answer goes
    straight to JSON (``answers``), else as moto's copies."""
    if answers.mode():
        try:
            return answers.finish(items, filter_expression, projection)
        except answers.Unanswerable:
            pass
    return filtered_copies(items, filter_expression, projection)


def filtered_copies(items: list[Any], filter_expression: Any, projection: Any) -> list[Any]:
    """What a Query or Scan page answers: copies of ``items`` (moto's answers are copies),
    those the filter keeps, projected."""
    items = copy_items(items)
    if filter_expression is not None:
        items = [item for item in items if filter_expression.expr(item)]
    if projection:
        items = [item.project(projection) for item in items]
    return items


_ITEM_FIELDS = {"hash_key", "range_key", "attrs"}


def copy_items(items: list[Any]) -> list[Any]:
    """``copy.deepcopy(items)`` for moto's items, as their own ``__deepcopy__`` methods copy
    them (hash key, range key, attributes; sets as new lists, lists and maps member by
    member), without ``deepcopy``'s memo and dispatch per value: half of a 100-item Query's
    time went to the copy."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    new = object.__new__

    def value(v: Any) -> Any:
        if v is None:
            return None
        if type(v) is not DynamoType:
            return copy.deepcopy(v)
        result = new(DynamoType)
        kind = result.type = v.type
        inner = v.value
        if kind == "L":
            result.value = [value(x) for x in inner]
        elif kind == "M":
            result.value = {k: value(x) for k, x in inner.items()}
        elif kind in ("SS", "NS", "BS"):
            result.value = list(inner)
        else:
            result.value = inner
        return result

    copied = []
    for item in items:
        if type(item) is not Item or set(vars(item)) - {answers.KEY} != _ITEM_FIELDS:
            copied.append(copy.deepcopy(item))
            continue
        twin = new(Item)
        twin.hash_key = value(item.hash_key)
        twin.range_key = value(item.range_key)
        attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        for key, v in item.attrs.items():
            dict.__setitem__(attrs, key, value(v))
        twin.attrs = attrs
        copied.append(twin)
    return copied


def plain_answers() -> bool:
    """moto's ``dynamo_to_dict`` (every answer's items, attribute by attribute, before they
    are serialised) with the common types (exact ``dict``, ``list``, ``str``, ``DynamoType``)
    converted directly and anything else left to moto's function: the same values, without
    its ``isinstance``/``hasattr`` chain per value. About a third of a Query's time."""
    try:
        from moto.dynamodb import responses
        from moto.dynamodb.models.dynamo_type import DynamoType
    except ImportError:
        return False
    original = getattr(responses, "dynamo_to_dict", None)
    if original is None:
        return False
    if getattr(original, "_fast", False):
        return True
    import base64

    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    plain = (str, int, bool, type(None), answers.Fragment)  # a fragment is answered as it is

    def dynamo_to_dict(obj: Any) -> Any:
        kind = type(obj)
        if kind in plain:
            return obj
        if kind is dict or kind is LimitedSizeDict:
            return {k: dynamo_to_dict(v) for k, v in obj.items()}
        if kind is list:
            return [dynamo_to_dict(v) for v in obj]
        if kind is DynamoType:
            if obj.type == "B":
                value = obj.value
                return {"B": value if isinstance(value, bytes) else base64.b64decode(value)}
            if obj.type == "BS":
                return {
                    "BS": [v if isinstance(v, bytes) else base64.b64decode(v) for v in obj.value]
                }
            return {obj.type: dynamo_to_dict(obj.value)}
        return original(obj)

    dynamo_to_dict._fast = True  # type: ignore[attr-defined]
    responses.dynamo_to_dict = dynamo_to_dict  # type: ignore[attr-defined]
    return True


PARSED_LIMIT = 512  # update expressions kept parsed
# ... and their text, in all: a parsed tree holds ~100 bytes per character (a 4 KB expression,
# 0.4 MB), so 512 of DynamoDB's longest kept 200 MB (and the plans of updates.py as much again)
PARSED_TEXT = 128 * 1024


def parsed_update_expressions() -> bool:
    """Parse each UpdateExpression once: moto parses it twice per UpdateItem (a fifth of the
    call). The tree is only read (``find_clauses``) or deep-copied before it is filled in
    (``UpdateExpressionValidator``), so one tree serves every call with the same text; an
    expression that does not parse raises, as before, every time."""
    try:
        from moto.dynamodb.parsing.expressions import (  # type: ignore[attr-defined]
            UpdateExpressionParser,
        )
        from moto.dynamodb.parsing.validators import Validator
    except ImportError:
        return False
    from dynamodb_plugin.local import startup

    if "deepcopy(expression)" not in startup.source(Validator.__init__):
        return False  # a moto whose validator fills in the tree it is given
    original = UpdateExpressionParser.make.__func__
    if getattr(original, "_fast", False):
        return True
    parsed: dict[str, Any] = {}
    kept = [0]  # characters of the expressions in ``parsed``

    def make(cls: Any, expression_str: str) -> Any:
        tree = parsed.get(expression_str)
        if tree is None:
            tree = original(cls, expression_str)
            size = len(expression_str) if type(expression_str) is str else 0
            if len(parsed) >= PARSED_LIMIT or kept[0] + size > PARSED_TEXT:
                parsed.clear()
                kept[0] = 0
            parsed[expression_str] = tree
            kept[0] += size
        return tree

    make._fast = True  # type: ignore[attr-defined]
    UpdateExpressionParser.make = classmethod(make)
    return True


def install() -> dict[str, bool]:
    """Every hot path of this module, in place; which of them took (``False``: moto's own)."""
    from dynamodb_plugin.local import updates
    from dynamodb_plugin.local.dispatch import json_stream_members, target_actions

    return {
        patch.__name__: patch()
        for patch in (
            bucket_queries,
            sorted_scans,
            direct_sizes,
            cached_method_names,
            transactions_in_place,
            parsed_update_expressions,
            plain_answers,
            target_actions,
            json_stream_members,
            *updates.PATCHES,
            answers.item_answers,  # last: it wraps what the others left in place
        )
    }
