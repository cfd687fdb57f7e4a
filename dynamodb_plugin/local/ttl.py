"""Time to Live for the built-in server: the sweeper that deletes expired items.

Off by default, as in Amazon's DynamoDB Local (which never deletes expired items): with
``plugins.dynamodb.local.ttl: expire`` (``local start --ttl expire``) the server runs
``python -m dynamodb_plugin.local.server ... --ttl expire --ttl-interval SECONDS`` and this
module's thread sweeps every ``SECONDS`` (``local.ttlInterval``, default ``DEFAULT_INTERVAL``).
The server itself does it: no client, CLI or test polls anything.

What is expired, as DynamoDB documents it (developer guide, "Using DynamoDB Time to Live"):
a table whose TTL is ``ENABLED``; an item whose TTL attribute is a top-level Number holding
epoch seconds less than now and no more than five years in the past. Items without the
attribute, with a value of another type (a String, a Map), or a date more than five years
ago (``1171734022`` stays), are never deleted; a value in milliseconds is far in the future,
so it stays too.

The bound. DynamoDB deletes within about two days; this server within ``interval`` seconds
of the expiry, plus the time one sweep takes: a pass over the items of the tables whose TTL
is enabled, read without holding writes back (about 0.1 s per 100,000 items here), then the
deletes, 100 per hold of the write lock. The pause between sweeps is never shorter than the
last sweep took. Expired items not yet deleted are still read, as in DynamoDB.

Each delete is made only if the item still holds the TTL value seen (a client that extended
it meanwhile wins), while holding the server's write lock and marking the database changed,
exactly as a client's write: the snapshot saves it, and once ``stop`` has saved nothing is
deleted any more. It goes through moto's own ``Table.delete_item`` (what moto's DeleteItem
ends in); where moto's model is not the one known (``snapshot.item_model_known``), items are
found with ``Scan`` and deleted with a conditional ``DeleteItem`` on the server's own app
instead: slower, the same result. Its stream record is the ``REMOVE`` that moto writes for any
delete (the old image per the stream's view type), with the ``userIdentity`` DynamoDB sets on
a TTL delete:
``{"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}`` in the DynamoDB Streams API's
spelling (what boto3 reads from ``GetRecords``; a Lambda event spells it ``principalId`` and
``type``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, Protocol

MODES = ("off", "expire")
DEFAULT_INTERVAL = 5.0  # seconds between sweeps
MIN_INTERVAL = 0.05
MAX_INTERVAL = 3600.0
FIVE_YEARS = 5 * 365 * 86400  # seconds: older expiry dates are left alone, as DynamoDB does
IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
BATCH = 100  # deletes per hold of the write lock; client writes go between batches

Call = Callable[[str, dict[str, Any]], Any]


class Writes(Protocol):
    """What the sweeper needs of the server's ``Tracker``: its write lock, its changed mark,
    and whether it stopped taking writes."""

    lock: Any
    dirty: bool
    closed: bool


class Candidate:
    """An item seen expired: its table, key (DynamoDB JSON), TTL attribute and raw value, and
    where moto's model was read, its table and item."""

    __slots__ = ("attribute", "item", "key", "moto_table", "table", "value")

    def __init__(
        self,
        table: str,
        key: dict[str, Any],
        attribute: str,
        value: str,
        moto_table: Any = None,
        item: Any = None,
    ) -> None:
        self.table, self.key, self.attribute, self.value = table, key, attribute, value
        self.moto_table, self.item = moto_table, item


def expired(number: str, now: float) -> bool:
    """Whether a Number's text is epoch seconds before ``now``, at most five years before.
    (A float is exact enough: DynamoDB's numbers are at most 38 digits, the TTL works in
    seconds.)"""
    try:
        value = float(number)
    except (TypeError, ValueError):
        return False
    return now - FIVE_YEARS <= value < now


def _wire_key(item: Any, hash_name: str, range_name: str | None) -> dict[str, Any]:
    from dynamodb_plugin.local.snapshot import _wire

    key = {hash_name: _wire(item.hash_key)}
    if range_name is not None:
        key[range_name] = _wire(item.range_key)
    return key


def _items(table: Any) -> list[Any]:
    """The table's items, copied without holding writes back (``list`` of a dict's values is
    one step under the GIL; a change in the middle raises ``RuntimeError``)."""
    outer = list(table.items.values())
    if table.range_key_attr is None:
        return outer
    items: list[Any] = []
    for inner in outer:
        items.extend(list(inner.values()))
    return items


def model_candidates(backend: Any, now: float) -> Iterator[Candidate]:
    """Expired items read from moto's tables directly (its item model, see
    ``snapshot.item_model_known``)."""
    for table in list(backend.tables.values()):
        spec = getattr(table, "ttl", None) or {}
        attribute = spec.get("AttributeName")
        if spec.get("TimeToLiveStatus") != "ENABLED" or not attribute:
            continue
        hash_name, range_name = table.hash_key_attr, table.range_key_attr
        for item in _items(table):
            value = item.attrs.get(attribute)
            if value is not None and value.type == "N" and expired(value.value, now):
                key = _wire_key(item, hash_name, range_name)
                yield Candidate(table.name, key, attribute, value.value, table, item)


def api_candidates(call: Call, now: float) -> Iterator[Candidate]:
    """Expired items found through DynamoDB's API (for a moto whose model is not the one
    assumed): slower, the same answer."""
    request: dict[str, Any] = {}
    names: list[str] = []
    while True:
        page = call("ListTables", request)
        names += page.get("TableNames") or []
        if not page.get("LastEvaluatedTableName"):
            break
        request = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    for name in names:
        try:
            spec = call("DescribeTimeToLive", {"TableName": name})["TimeToLiveDescription"]
            schema = call("DescribeTable", {"TableName": name})["Table"]["KeySchema"]
        except (ValueError, KeyError):  # deleted meanwhile
            continue
        attribute = spec.get("AttributeName")
        if spec.get("TimeToLiveStatus") != "ENABLED" or not attribute:
            continue
        keys = [k["AttributeName"] for k in schema]
        aliases = {f"#k{i}": k for i, k in enumerate(keys)} | {"#ttl": attribute}
        scan: dict[str, Any] = {
            "TableName": name,
            "ProjectionExpression": ", ".join(aliases),
            "ExpressionAttributeNames": aliases,
        }
        while True:
            try:
                page = call("Scan", scan)
            except ValueError:
                break
            for item in page.get("Items") or []:
                value = item.get(attribute)
                number = value.get("N") if isinstance(value, dict) else None
                if isinstance(number, str) and expired(number, now):
                    yield Candidate(name, {k: item[k] for k in keys}, attribute, number)
            if not page.get("LastEvaluatedKey"):
                break
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class Sweeper:
    """Deletes the expired items of the server's one database every ``interval`` seconds."""

    def __init__(
        self,
        writes: Writes,
        call: Call,
        interval: float,
        *,
        account: str,
        region: str,
        say: Callable[[str], None],
    ) -> None:
        from dynamodb_plugin.local.snapshot import item_model_known

        self.writes, self.call, self.interval = writes, call, interval
        self.account, self.region, self.say = account, region, say
        self.model = item_model_known()
        self.deleted = 0  # in all, for the log

    def _backend(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        return dynamodb_backends[self.account][self.region]  # anew: a reset replaces it

    def candidates(self, now: float) -> list[Candidate]:
        if self.model:
            for _attempt in range(3):
                try:
                    return list(model_candidates(self._backend(), now))
                except RuntimeError:  # a table or item added in the middle: look again
                    continue
                except (AttributeError, KeyError, TypeError):  # not the model assumed
                    self.model = False
                    break
            else:
                return []  # busy: the next sweep
        return list(api_candidates(self.call, now))

    def _stream(self, table: str) -> Any:
        """moto's stream shard of ``table`` (``None``: no stream, or not moto's model)."""
        try:
            return getattr(self._backend().tables.get(table), "stream_shard", None)
        except (AttributeError, KeyError, TypeError):
            return None

    def delete(self, candidate: Candidate) -> bool:
        """Delete one expired item if it is still as seen; its stream record is marked as
        DynamoDB's own. Called holding the write lock."""
        if candidate.moto_table is not None:
            try:
                return self._delete_direct(candidate)
            except (AttributeError, KeyError, TypeError):  # not the model assumed: the API
                self.model = False
        shard = self._stream(candidate.table)
        records = getattr(shard, "items", None)
        before = len(records) if isinstance(records, list) else None
        try:
            self.call(
                "DeleteItem",
                {
                    "TableName": candidate.table,
                    "Key": candidate.key,
                    "ConditionExpression": "#ttl = :expiry",
                    "ExpressionAttributeNames": {"#ttl": candidate.attribute},
                    "ExpressionAttributeValues": {":expiry": {"N": candidate.value}},
                },
            )
        except ValueError:  # changed or deleted since it was seen, or its table is gone
            return False
        if before is not None and isinstance(records, list) and len(records) == before + 1:
            record = getattr(records[-1], "record", None)
            if isinstance(record, dict) and record.get("eventName") == "REMOVE":
                record["userIdentity"] = dict(IDENTITY)
        return True

    def _delete_direct(self, candidate: Candidate) -> bool:
        """Through moto's own ``Table.delete_item`` (what its DeleteItem ends in, stream
        record included), once the item is found still there with the value seen: about a
        thousandth of an in-process DeleteItem's cost, so writes are held back for less."""
        table, seen = candidate.moto_table, candidate.item
        backend = self._backend()
        if backend.tables.get(candidate.table) is not table:  # deleted, or a reset
            return False
        current = table.get_item(seen.hash_key, seen.range_key)
        value = current.attrs.get(candidate.attribute) if current is not None else None
        if value is None or value.type != "N" or value.value != candidate.value:
            return False  # changed since it was seen (a client extended it): left alone
        shard = table.stream_shard
        before = len(shard.items) if shard is not None else None
        table.delete_item(seen.hash_key, seen.range_key)
        if shard is not None and before is not None and len(shard.items) == before + 1:
            record = getattr(shard.items[-1], "record", None)
            if isinstance(record, dict) and record.get("eventName") == "REMOVE":
                record["userIdentity"] = dict(IDENTITY)
        return True

    def sweep(self, now: float | None = None) -> int:
        """One pass: the number of items deleted."""
        found = self.candidates(time.time() if now is None else now)
        deleted = 0
        for start in range(0, len(found), BATCH):
            with self.writes.lock:
                if self.writes.closed:  # stopping: saved already, nothing changes any more
                    return deleted
                done = sum(self.delete(c) for c in found[start : start + BATCH])
                if done:
                    self.writes.dirty = True
                deleted += done
        if deleted:
            self.deleted += deleted
            self.say(f"ttl: deleted {deleted} expired items")
        return deleted

    def run(self, stopping: threading.Event) -> None:
        """Sweep every ``interval`` seconds until ``stopping``; the pause is never shorter
        than the last sweep took, so that a huge database never keeps the server busy."""
        pause = self.interval
        while not stopping.wait(pause):
            started = time.monotonic()
            try:
                self.sweep()
            except Exception as exc:  # logged and retried, never fatal
                self.say(
                    f"error: ttl sweep failed ({type(exc).__name__}: {exc}); "
                    f"retrying in {self.interval:g}s"
                )
            pause = max(self.interval, time.monotonic() - started)


def start(
    writes: Writes,
    call: Call,
    interval: float,
    stopping: threading.Event,
    *,
    account: str,
    region: str,
    say: Callable[[str], None],
) -> Sweeper:
    """Start the sweeper thread (a daemon: it ends with the server)."""
    sweeper = Sweeper(writes, call, interval, account=account, region=region, say=say)
    threading.Thread(target=sweeper.run, args=(stopping,), name="ttl", daemon=True).start()
    say(
        f"ttl: expire is on: expired items are deleted within {interval:g}s of expiring "
        "(plus one sweep's time)"
    )
    return sweeper
