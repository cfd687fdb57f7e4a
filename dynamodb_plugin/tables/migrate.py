"""Migrating items from one table version to another, through each step's transform.

The source is only ever read. Items pass through the ``transform(item)`` of every version
after the source up to the target, in order, and are written with BatchWriteItem by a bounded
pool of writers that retry unprocessed items with backoff. Writes are plain puts, so a rerun
after a failure completes the target.

The transform contract: a transform returns a dict, a list of dicts or ``None``, whose values
DynamoDB can store. A float, an empty set, ``None`` in a set, a map key that is not a string,
or a key attribute that is missing, empty or of the wrong type is an error naming the version,
the source item's key and the attribute path, before anything of that item is written. When
two outputs of one run have the same key, the first is written and the others are counted.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import GetDotenvError, PluginError, load_python_file

Transform = Callable[[dict[str, Any]], Any]
BATCH = 25
MAX_ATTEMPTS = 10


class Step(NamedTuple):
    name: str  # the version folder, e.g. "002"
    transform: Transform | None
    shown: str  # the transform file as shown in messages


class Summary(NamedTuple):
    read: int
    written: int  # items stored (distinct keys)
    dropped: int
    duplicates: int = 0  # outputs whose key an earlier output of this run had
    first_duplicate: str | None = None


def load_transform(path: Path, shown: str, version: str) -> Transform | None:
    """``transform`` from a version's ``transform.py``, or ``None`` when there is no file."""
    if not os.path.lexists(path):
        return None
    try:
        module = load_python_file(path, shown, f"getdotenv_tables_transform_{version}")
    except GetDotenvError as exc:
        raise PluginError(str(exc)) from None
    except SyntaxError as exc:
        raise PluginError(f"{shown}:{exc.lineno}: syntax error: {exc.msg}") from None
    except Exception as exc:
        raise PluginError(f"{shown}: failed while loading: {type(exc).__name__}: {exc}") from None
    function = getattr(module, "transform", None)
    if not callable(function):
        raise PluginError(f"{shown}: defines no transform(item) function")
    return function  # type: ignore[no-any-return]


def _describe_key(item: dict[str, Any], keys: Iterable[str]) -> str:
    return "{" + ", ".join(f"{k}: {item.get(k)!r}" for k in keys) + "}"


_STORABLE = (str, bool, int, bytes, bytearray, type(None))
_FLOAT_HINT = "DynamoDB numbers are decimal.Decimal: use Decimal(str(x))"


def _set_problem(value: set[Any] | frozenset[Any], path: str) -> str | None:
    if not value:
        return f"{path} is an empty set, which DynamoDB rejects (leave the attribute out)"
    from decimal import Decimal

    kinds = set()
    for element in value:
        if element is None:
            return f"{path} is a set holding None, which DynamoDB rejects"
        if isinstance(element, float):
            return f"{path} is a set holding a float ({element!r}); {_FLOAT_HINT}"
        if isinstance(element, str):
            kinds.add("string")
        elif isinstance(element, int | Decimal) and not isinstance(element, bool):
            kinds.add("number")
        elif isinstance(element, bytes | bytearray) or type(element).__name__ == "Binary":
            kinds.add("binary")
        else:
            return f"{path} is a set holding a {type(element).__name__}, which DynamoDB rejects"
    if len(kinds) > 1:
        return (
            f"{path} is a set mixing {' and '.join(sorted(kinds))} values, which DynamoDB rejects"
        )
    return None


def value_problem(value: Any, path: str) -> str | None:
    """What DynamoDB cannot store in ``value`` (at attribute ``path``), or ``None``."""
    if isinstance(value, _STORABLE):
        return None
    if isinstance(value, float):
        return f"{path} is a float ({value!r}); {_FLOAT_HINT}"
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                return (
                    f"{path} has the map key {key!r} ({type(key).__name__}); DynamoDB map keys "
                    "are strings"
                )
            found = value_problem(inner, f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        for i, inner in enumerate(value):
            found = value_problem(inner, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(value, set | frozenset):
        return _set_problem(value, path)
    if type(value).__name__ in ("Decimal", "Binary"):
        return None
    return (
        f"{path} is a {type(value).__name__}; DynamoDB stores str, int or Decimal, bytes, bool, "
        "None, lists, dicts and sets"
    )


def item_problem(item: dict[str, Any]) -> str | None:
    for key, value in item.items():
        if not isinstance(key, str):
            return f"the attribute name {key!r} is a {type(key).__name__}, not a string"
        found = value_problem(value, key)
        if found:
            return found
    return None


def apply(steps: Iterable[Step], item: dict[str, Any], keys: list[str]) -> list[dict[str, Any]]:
    """Run ``item`` through every step; an error names the version and the item's key."""
    items = [item]
    for step in steps:
        if step.transform is None:
            continue
        out: list[dict[str, Any]] = []
        for current in items:
            try:
                result = step.transform(dict(current))
            except Exception as exc:
                raise PluginError(
                    f"{step.shown}: transform raised {type(exc).__name__}: {exc} for item "
                    f"{_describe_key(item, keys)}"
                ) from None
            produced = [] if result is None else result if isinstance(result, list) else [result]
            for one in produced:
                if not isinstance(one, dict):
                    raise PluginError(
                        f"{step.shown}: transform returned {type(one).__name__} for item "
                        f"{_describe_key(item, keys)}; expected a dict, a list of dicts or None"
                    )
                problem = item_problem(one)
                if problem:
                    raise PluginError(
                        f"{step.shown}: transform output for item {_describe_key(item, keys)}: "
                        f"{problem}"
                    )
            out.extend(produced)
        items = out
    return items


class Writer:
    """Bounded concurrent BatchWriteItem with retries of unprocessed items."""

    def __init__(self, dynamodb: Any, table: str, concurrency: int) -> None:
        self.dynamodb = dynamodb
        self.table = table
        self.pool = ThreadPoolExecutor(max_workers=concurrency)
        self.slots = threading.Semaphore(concurrency * 2)
        self.lock = threading.Lock()
        self.written = 0
        self.failure: BaseException | None = None

    def _write(self, requests: list[dict[str, Any]]) -> None:
        pending = {self.table: requests}
        for attempt in range(MAX_ATTEMPTS):
            answer = self.dynamodb.batch_write_item(RequestItems=pending)
            left = answer.get("UnprocessedItems") or {}
            done = len(pending[self.table]) - len(left.get(self.table, []))
            with self.lock:
                self.written += done
            if not left.get(self.table):
                return
            pending = left
            time.sleep(min(2.0, 0.05 * 2**attempt))
        raise PluginError(
            f"{len(pending[self.table])} items were still unprocessed after {MAX_ATTEMPTS} "
            f"attempts writing {self.table}; rerun migrate to complete it"
        )

    def _done(self, future: Future[None]) -> None:
        self.slots.release()
        error = future.exception()
        if error is not None and self.failure is None:
            self.failure = error

    def submit(self, requests: list[dict[str, Any]]) -> None:
        if self.failure is not None:
            raise self.failure
        self.slots.acquire()
        self.pool.submit(self._write, requests).add_done_callback(self._done)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        if self.failure is not None:
            raise self.failure


def _key_problem(serialised: dict[str, Any], keys: dict[str, str]) -> str | None:
    """What is wrong with the key attributes of an item in DynamoDB's form, or ``None``."""
    for name, kind in keys.items():
        value = serialised.get(name)
        if value is None:
            return f"lacks the key attribute {name!r}"
        (given,) = value
        if given != kind:
            return f"has the key attribute {name!r} of type {given}; the table's is {kind}"
        if kind in ("S", "B") and not value[kind]:
            return f"has an empty key attribute {name!r}, which DynamoDB rejects"
    return None


def _digest(serialised: dict[str, Any], keys: Iterable[str]) -> int:
    import hashlib

    text = repr([serialised[k] for k in keys]).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def run(
    dynamodb: Any,
    *,
    source: str,
    target: str,
    source_keys: list[str],
    target_keys: dict[str, str],
    steps: list[Step],
    dry_run: bool,
    concurrency: int,
    page_size: int | None,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Scan ``source``, transform, and write to ``target`` (unless ``dry_run``).

    ``target_keys``: the target's key attributes and their types (``S``, ``N`` or ``B``).
    """
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    load, dump = TypeDeserializer().deserialize, TypeSerializer().serialize
    plain = all(step.transform is None for step in steps)
    made_by = next((s.shown for s in reversed(steps) if s.transform is not None), None)

    def load_key(raw: dict[str, Any]) -> dict[str, Any]:
        return {k: load(raw[k]) for k in source_keys if k in raw}

    writer = None if dry_run else Writer(dynamodb, target, concurrency)
    read = produced = dropped = duplicates = 0
    first_duplicate: str | None = None
    seen: set[int] = set()
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch and writer is not None:
            writer.submit([{"PutRequest": {"Item": item}} for item in batch])
        batch.clear()

    try:
        for page in _pages(dynamodb, source, page_size):
            for raw in page:
                read += 1
                if plain:  # no transforms: items pass unchanged, no conversion needed
                    outputs = [raw]
                else:
                    item = {k: load(v) for k, v in raw.items()}
                    outputs = [
                        {k: dump(v) for k, v in r.items()} for r in apply(steps, item, source_keys)
                    ]
                if not outputs:
                    dropped += 1
                for serialised in outputs:
                    problem = _key_problem(serialised, target_keys)
                    if problem:
                        origin = f"{made_by}: the item made from" if made_by else "the item"
                        raise PluginError(
                            f"{origin} {_describe_key(load_key(raw), source_keys)} {problem} "
                            f"(table {target})"
                        )
                    digest = _digest(serialised, target_keys)
                    if digest in seen:
                        duplicates += 1
                        if first_duplicate is None:
                            shown = {k: load(serialised[k]) for k in target_keys}
                            first_duplicate = _describe_key(shown, target_keys)
                        continue
                    seen.add(digest)
                    produced += 1
                    batch.append(serialised)
                    if len(batch) == BATCH:
                        flush()
            if progress is not None:
                progress(read, writer.written if writer else produced)
        flush()
    except BaseException:
        if writer is not None:
            with contextlib.suppress(BaseException):  # drain; the first error is the story
                writer.close()
        raise
    if writer is not None:
        writer.close()
    written = writer.written if writer else produced
    return Summary(read, written, dropped, duplicates, first_duplicate)


def _pages(dynamodb: Any, table: str, page_size: int | None) -> Iterator[list[dict[str, Any]]]:
    # Without a page size DynamoDB returns pages of up to 1 MB: the fewest round trips.
    config = {"PageSize": page_size} if page_size else {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, PaginationConfig=config):
        yield page.get("Items", [])
