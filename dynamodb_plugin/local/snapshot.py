"""Saving and restoring the built-in server's tables and items (moto keeps them in memory only).

Format 2, ``snapshot.jsonl``: JSON Lines, so that neither side holds the whole database twice.

    {"format": "getdotenv-dynamodb-snapshot", "version": 2, "moto": ..., "written_at": ...}
    {"table": {"account", "region", "create": CreateTable parameters, "ttl", "ttl_description",
               "pitr"}, "items": N}
    ... N lines, one item each in DynamoDB's JSON (binary values base64, as on the wire) ...
    {"end": true, "tables": T, "items": I}

``ttl_description`` is the table's TimeToLiveDescription as DescribeTimeToLive answers it (a
disabled TTL keeps its attribute name); ``ttl`` (the name of an enabled TTL, else ``null``) is
still written for the getdotenv versions before it, and read where ``ttl_description`` is
missing. The last line proves the file whole; a file without it, or whose counts differ, is refused
as truncated. A version above ``VERSION`` is refused with a message to upgrade. Format 1 (one
JSON document, ``snapshot.json``, written before this format) is still read; the first save
after restoring one replaces it.

Writing is atomic (a temporary file, fsync, rename, fsync of the folder): a crash or a full
disk while saving leaves the previous snapshot whole. Mode 0600.

Speed. Tables are created through the server's own WSGI app with DynamoDB's API (public, the
same calls a client makes); items are read from and put into moto's tables directly, as
moto's own backup restore does, skipping the per-attribute item-size check of its ``PutItem``
(a quadratic cost, and these items passed it when they were written). Where moto's model is
not the one this was written for (checked on each save and restore), items go through
``Scan`` and ``BatchWriteItem`` instead: slower, never wrong. Runs inside the server process only.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import itertools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

FORMAT = "getdotenv-dynamodb-snapshot"
VERSION = 2
FILE = "snapshot.jsonl"
LEGACY_FILE = "snapshot.json"  # format 1
DEFAULT_ACCOUNT = "123456789012"
_BYTES = "__base64__"  # format 1's wrapper for binary values
_TTL_KEYS = ("TimeToLiveStatus", "AttributeName")
_TTL_STATUSES = ("ENABLED", "DISABLED", "ENABLING", "DISABLING")

# One DynamoDB API call on the server being restored: (operation, request) -> response.
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


class SnapshotError(ValueError):
    """A snapshot that cannot be restored: the message names the line and what is wrong."""


# -- moto's item model -------------------------------------------------------------------


def item_model_known() -> bool:
    """Whether moto's item model is the one the direct paths assume: an ``Item`` with
    ``hash_key``, ``range_key`` and ``attrs`` (a dict of ``DynamoType``), a ``DynamoType``
    with ``type`` and ``value`` only, binary values held as bytes."""
    try:
        from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

        item = Item(DynamoType({"S": "k"}), None, {"k": {"S": "k"}, "b": {"B": b"\0"}})
        return (
            set(vars(item)) == {"hash_key", "range_key", "attrs"}
            and isinstance(item.attrs, LimitedSizeDict)
            and set(vars(item.attrs["b"])) == {"type", "value"}
            and item.attrs["b"].value == b"\0"
        )
    except Exception:
        return False


def _wire(value: Any) -> dict[str, Any]:
    """A moto ``DynamoType`` as DynamoDB JSON (binary base64-encoded)."""
    kind, inner = value.type, value.value
    if kind == "M":
        return {"M": {k: _wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_wire(v) for v in inner]}
    if kind == "B":
        return {"B": _b64(inner)}
    if kind == "BS":
        return {"BS": [_b64(v) for v in inner]}
    return {kind: inner}


def _b64(value: bytes | str) -> str:
    return base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value


def _typed(value: dict[str, Any], new: Callable[[], Any]) -> Any:
    """DynamoDB JSON as a moto ``DynamoType`` (binary decoded), built without its checks."""
    ((kind, inner),) = value.items()
    if kind == "M":
        inner = {k: _typed(v, new) for k, v in inner.items()}
    elif kind == "L":
        inner = [_typed(v, new) for v in inner]
    elif kind == "B":
        inner = base64.b64decode(inner)
    elif kind == "BS":
        inner = [base64.b64decode(v) for v in inner]
    typed = new()
    typed.type, typed.value = kind, inner
    return typed


# -- writing -----------------------------------------------------------------------------


def _create_params(description: dict[str, Any], tags: list[dict[str, str]]) -> dict[str, Any]:
    billing = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    provisioned = billing == "PROVISIONED"

    def throughput(source: dict[str, Any]) -> dict[str, int]:
        given = source.get("ProvisionedThroughput") or {}
        return {
            "ReadCapacityUnits": int(given.get("ReadCapacityUnits") or 1),
            "WriteCapacityUnits": int(given.get("WriteCapacityUnits") or 1),
        }

    params: dict[str, Any] = {
        "TableName": description["TableName"],
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": description["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if provisioned:
        params["ProvisionedThroughput"] = throughput(description)
    gsis = []
    for index in description.get("GlobalSecondaryIndexes") or []:
        gsi = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        if provisioned:
            gsi["ProvisionedThroughput"] = throughput(index)
        gsis.append(gsi)
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        for index in description.get("LocalSecondaryIndexes") or []
    ]
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    stream = description.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        params["StreamSpecification"] = stream
    sse = description.get("SSEDescription")
    if sse and sse.get("Status") == "ENABLED":
        params["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}
        if sse.get("KMSMasterKeyArn"):
            params["SSESpecification"]["KMSMasterKeyId"] = sse["KMSMasterKeyArn"]
    if description.get("DeletionProtectionEnabled"):
        params["DeletionProtectionEnabled"] = True
    if tags:
        params["Tags"] = tags
    return params


def _backends() -> Iterator[tuple[str, str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    for account, regions in list(dynamodb_backends.items()):
        for region, backend in list(regions.items()):
            if backend.tables:
                yield account, region, backend


def _table_header(account: str, region: str, backend: Any, table: Any) -> dict[str, Any]:
    description = table.describe(base_key="Table")["Table"]
    ttl = getattr(table, "ttl", None) or {}
    backups = getattr(table, "continuous_backups", None) or {}
    pitr = backups.get("PointInTimeRecoveryDescription", {})
    return {
        "account": account,
        "region": region,
        "create": _create_params(description, backend.list_tags_of_resource(table.table_arn)),
        "ttl": ttl.get("AttributeName") if ttl.get("TimeToLiveStatus") == "ENABLED" else None,
        "ttl_description": {k: ttl[k] for k in _TTL_KEYS if isinstance(ttl.get(k), str)},
        "pitr": pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
    }


def _item_lines(table: Any, fast: bool, call: Call) -> list[str]:
    encode = json.JSONEncoder(separators=(",", ":")).encode
    if fast:
        return [encode({k: _wire(v) for k, v in item.attrs.items()}) for item in table.all_items()]
    rows: list[str] = []
    request: dict[str, Any] = {"TableName": table.name}
    while True:
        page = call("Scan", request)
        rows += [encode(item) for item in page.get("Items") or []]
        if not page.get("LastEvaluatedKey"):
            return rows
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def lines(call: Call) -> Iterator[str]:
    """The snapshot of everything the DynamoDB backend holds, line by line (no newlines).
    ``call`` makes a DynamoDB API call on the server (used where moto's model is unknown)."""
    import moto

    fast = item_model_known()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "moto": getattr(moto, "__version__", "?"),
        "written_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    yield json.dumps(header)
    tables = items = 0
    for account, region, backend in _backends():
        for table in list(backend.tables.values()):
            rows = _item_lines(table, fast, call)
            yield json.dumps(
                {"table": _table_header(account, region, backend, table), "items": len(rows)}
            )
            yield from rows
            tables += 1
            items += len(rows)
    yield json.dumps({"end": True, "tables": tables, "items": items})


def save(path: Path, call: Call) -> int:
    """Write the snapshot atomically; returns the number of items saved. A format-1 file
    beside it is removed once the new one is in place.

    On any failure (a full disk, a read-only folder) the previous snapshot is left whole and
    the error is raised.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    last = ""
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()  # left by a process of the same pid that was killed while saving
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with open(fd, "w", encoding="ascii", newline="\n") as f:
            batch: list[str] = []
            for line in lines(call):
                batch.append(line)
                last = line
                if len(batch) >= 4096:
                    f.write("\n".join(batch) + "\n")
                    batch.clear()
            f.write("\n".join(batch) + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _sync_folder(path.parent)
    legacy = path.with_name(LEGACY_FILE)
    if legacy != path:
        with contextlib.suppress(FileNotFoundError):
            legacy.unlink()
    return int(json.loads(last)["items"])


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX: fsync the folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- reading -----------------------------------------------------------------------------


def source(path: Path) -> Path | None:
    """The snapshot to restore: ``path``, else a format-1 file beside it, else none."""
    if path.exists():
        return path
    legacy = path.with_name(LEGACY_FILE)
    return legacy if legacy.exists() else None


def read(path: Path) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """``(table, items)`` of each table of a snapshot, either format, read as a stream: at
    most one table's items are held at a time. Errors name the line."""
    from host_cli import open_file

    stream = open_file(path, str(path), what="a snapshot file", nofollow=True)
    if stream is None:
        raise SnapshotError("the file is gone")
    with stream:
        first = stream.readline()
        try:
            head = json.loads(first)
        except ValueError as exc:
            raise SnapshotError(str(exc)) from None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise SnapshotError("not a getdotenv DynamoDB snapshot")
        version = head.get("version", 1)
        if not isinstance(version, int) or version > VERSION:
            raise SnapshotError(
                f"written in format {version!r} by a newer getdotenv (this one reads up to "
                f"{VERSION}); upgrade getdotenv"
            )
        if version == 1:
            yield from _read_v1(head)
        else:
            yield from _read_v2(stream)


def _read_v1(data: dict[str, Any]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    for table in data.get("tables") or []:
        yield table, [_decode_v1(item) for item in table.get("items") or []]


def _decode_v1(value: Any) -> Any:
    """Format 1 wrapped binary values as ``{"__base64__": ...}``: back to base64 strings."""
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES in value:
            return value[_BYTES]
        return {k: _decode_v1(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_v1(v) for v in value]
    return value


def _read_v2(stream: IO[bytes]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    line, tables, items = 1, 0, 0  # the number of the last line read
    while True:
        raw = stream.readline()
        line += 1
        if not raw.strip():
            raise SnapshotError(
                f"truncated after line {line - 1}: the end line is missing (the file was cut short)"
            )
        try:
            entry = json.loads(raw.rstrip(b"\n"))
        except ValueError as exc:
            raise SnapshotError(f"line {line}: {exc}") from None
        if not isinstance(entry, dict):
            raise SnapshotError(f"line {line}: expected a table or the end line")
        if entry.get("end") is True:
            if entry.get("tables") != tables or entry.get("items") != items:
                raise SnapshotError(
                    f"line {line}: the end line counts {entry.get('tables')} tables and "
                    f"{entry.get('items')} items, the file holds {tables} and {items}"
                )
            return
        table, count = entry.get("table"), entry.get("items")
        if not isinstance(table, dict) or not isinstance(count, int) or count < 0:
            raise SnapshotError(f"line {line}: expected a table or the end line")
        announced = line
        body = list(itertools.islice(stream, count))
        if len(body) < count or (body and not body[-1].endswith(b"\n")):
            name = table.get("create", {}).get("TableName")
            raise SnapshotError(
                f"truncated in table {name!r}: {count} items announced at line {announced}"
            )
        try:
            parsed = json.loads(b"[" + b",".join(body) + b"]")
        except ValueError:
            parsed = None
        if not isinstance(parsed, list) or len(parsed) != count:
            for offset, text in enumerate(body, start=1):
                try:
                    one = json.loads(text.rstrip(b"\n"))
                except ValueError as exc:
                    raise SnapshotError(f"line {announced + offset}: {exc}") from None
                if not isinstance(one, dict):
                    raise SnapshotError(f"line {announced + offset}: expected one item")
            raise SnapshotError(
                f"lines {announced + 1}-{announced + count}: expected one item each"
            )
        yield table, parsed
        line += count
        tables += 1
        items += count


# -- restoring ---------------------------------------------------------------------------


def restore(path: Path, region: str, call: Call) -> tuple[int, int]:
    """Recreate the tables and items of the snapshot at ``path`` (see ``source``) in the
    (empty) server, all in ``region`` of its one account: (tables, items). ``call`` makes a
    DynamoDB API call on that server. A snapshot from before the shared database may hold one
    table name in several regions; the first is kept, and the others are named."""
    from moto.dynamodb.models import dynamodb_backends

    fast = item_model_known()
    backend = dynamodb_backends[os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT)][region]
    created: set[str] = set()
    items = 0
    for table, rows in read(path):
        create = table.get("create")
        if not isinstance(create, dict) or not isinstance(create.get("TableName"), str):
            raise SnapshotError("a table without its CreateTable parameters")
        name = create["TableName"]
        if name in created:
            print(
                f"[dynamodb-local] {path}: table {name} of region {table.get('region')} "
                "has the name of one already restored; skipped",
                flush=True,
            )
            continue
        call("CreateTable", create)
        created.add(name)
        _restore_ttl(call, backend.tables.get(name) if fast else None, name, ttl_of(table))
        if table.get("pitr"):
            spec = {"PointInTimeRecoveryEnabled": True}
            call(
                "UpdateContinuousBackups",
                {"TableName": name, "PointInTimeRecoverySpecification": spec},
            )
        if fast:
            _put_direct(backend.tables[name], rows)
        else:
            _put_batches(call, name, rows)
        items += len(rows)
    return len(created), items


def ttl_of(table: dict[str, Any]) -> dict[str, str]:
    """A table's TTL as DescribeTimeToLive answered it when saved: ``ttl_description``
    (written since TTL settings are kept exactly), else the older ``ttl`` (the attribute name
    of an enabled TTL, or ``null``)."""
    name = table.get("create", {}).get("TableName")
    if "ttl_description" not in table:
        legacy = table.get("ttl")
        if legacy is None:
            return {}
        if not isinstance(legacy, str) or not legacy:
            raise SnapshotError(f"table {name!r}: ttl is not an attribute name")
        return {"TimeToLiveStatus": "ENABLED", "AttributeName": legacy}
    description = table["ttl_description"]
    if (
        not isinstance(description, dict)
        or not set(description) <= set(_TTL_KEYS)
        or description.get("TimeToLiveStatus", "DISABLED") not in _TTL_STATUSES
        or not isinstance(description.get("AttributeName", "-"), str)
        or description.get("AttributeName") == ""
    ):
        raise SnapshotError(
            f"table {name!r}: ttl_description is not a TimeToLiveDescription "
            f"(TimeToLiveStatus one of {', '.join(_TTL_STATUSES)}, AttributeName)"
        )
    return dict(description)


def _restore_ttl(call: Call, moto_table: Any, name: str, description: dict[str, str]) -> None:
    """Give the new table the TTL settings it had, exactly as DescribeTimeToLive answered
    them: enabled through UpdateTimeToLive, as a client would; a status UpdateTimeToLive
    cannot set (disabled but with its attribute name, ENABLING, DISABLING) directly in moto's
    table where its model is the one known, else the nearest UpdateTimeToLive."""
    status = description.get("TimeToLiveStatus", "DISABLED")
    attribute = description.get("AttributeName")
    if not description or (status == "DISABLED" and attribute is None):
        return  # a new table's TTL
    if attribute is not None and status in ("ENABLED", "ENABLING"):
        spec = {"Enabled": True, "AttributeName": attribute}
        call("UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec})
    if isinstance(getattr(moto_table, "ttl", None), dict):
        moto_table.ttl = dict(description)
    elif attribute is not None and status in ("DISABLED", "DISABLING"):
        spec = {"Enabled": False, "AttributeName": attribute}
        call("UpdateTimeToLive", {"TableName": name, "TimeToLiveSpecification": spec})


def _put_direct(table: Any, rows: list[dict[str, Any]]) -> None:
    """Into moto's table as its own backup restore does: no per-attribute size check."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    def new_type() -> Any:
        return DynamoType.__new__(DynamoType)

    hash_name, range_name = table.hash_key_attr, table.range_key_attr
    hash_type, range_type = table.hash_key_type, table.range_key_type
    store = table.items
    for row in rows:
        try:
            attrs = {k: _typed(v, new_type) for k, v in row.items()}
            hash_key = attrs[hash_name]
            range_key = attrs[range_name] if range_name is not None else None
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise SnapshotError(
                f"table {table.name}: an item that is not DynamoDB JSON with its key "
                f"({type(exc).__name__}: {exc})"
            ) from None
        if hash_key.type != hash_type or (range_key is not None and range_key.type != range_type):
            raise SnapshotError(f"table {table.name}: an item whose key has the wrong type")
        item: Any = Item.__new__(Item)
        item.hash_key, item.range_key = hash_key, range_key
        item.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.update(item.attrs, attrs)
        if range_key is None:
            store[hash_key] = item
        else:
            store[hash_key][range_key] = item


def _put_batches(call: Call, name: str, rows: list[dict[str, Any]]) -> None:
    """Through DynamoDB's API, 25 items a request (for a moto whose model is unknown)."""
    for start in range(0, len(rows), 25):
        batch = [{"PutRequest": {"Item": row}} for row in rows[start : start + 25]]
        pending: dict[str, Any] = {name: batch}
        while pending:
            answer = call("BatchWriteItem", {"RequestItems": pending})
            pending = answer.get("UnprocessedItems") or {}
