"""Migrating items from one table version to another, through each step's transform.

The source is only ever read, with a parallel scan: ``segments`` readers, each paging through
its own segment. Items pass through the ``transform(item)`` of every version after the source
up to the target, in order, and are written with BatchWriteItem by a bounded pool of writers.
A throttled write (``ProvisionedThroughputExceededException`` and its kin, or unprocessed
items) is retried with exponential backoff and jitter, and every writer pauses with it; an
item is never dropped: a batch still refused after ``MAX_THROTTLED`` attempts in a row stops
the run with an error, its checkpoint in place. ``max_rate`` caps the write capacity units
spent a second (estimated from item sizes, corrected by what DynamoDB reports consumed).

The checkpoint (``Checkpoint``) holds, per segment, the scan position up to which every item
is written; an interrupted run resumes from it and re-reads only what came after. Writes are
plain puts, so re-writing what a cut-off page had already written is harmless.

The transform contract: a transform returns a dict, a list of dicts or ``None``, whose values
DynamoDB can store. A float, an empty set, ``None`` in a set, a map key that is not a string,
or a key attribute that is missing, empty or of the wrong type is an error naming the version,
the source item's key and the attribute path, before anything of that item is written. When
two outputs of one run have the same key, the first is written and the others are counted.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import math
import os
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import GetDotenvError, PluginError, load_python_file, write_atomically

Transform = Callable[[dict[str, Any]], Any]
BATCH = 25
MAX_THROTTLED = 25  # attempts in a row of one request that DynamoDB throttles (backoff <= 5 s)
MAX_SEGMENTS = 64  # the default's ceiling
MAX_RESUMED_SEGMENTS = 1000  # what --segments accepts
SEGMENT_BYTES = 2 * 1024**3  # AWS's rule of thumb for a parallel scan: a segment per 2 GB
THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
    }
)


class Step(NamedTuple):
    name: str  # the version folder, e.g. "002"
    transform: Transform | None
    shown: str  # the transform file as shown in messages


class Summary(NamedTuple):
    read: int  # by this run
    written: int  # items stored by this run (distinct keys)
    dropped: int
    duplicates: int = 0  # outputs whose key an earlier output of this run had
    first_duplicate: str | None = None
    segments: int = 1
    seconds: float = 0.0
    throttled: int = 0  # requests DynamoDB throttled (each retried)
    resumed: dict[str, int] | None = None  # what earlier runs had read and written


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
    """A digest of an item's key; numbers as DynamoDB compares them (``1`` is ``1.0``)."""
    from decimal import Decimal, InvalidOperation

    parts = []
    for k in keys:
        value = serialised[k]
        if "N" in value:
            with contextlib.suppress(InvalidOperation, TypeError):
                value = {"N": str(Decimal(value["N"]).normalize())}
        parts.append(value)
    text = repr(parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def default_segments(table_size_bytes: int | None) -> int:
    """Segments for a table of this size: one per 2 GB (AWS's advice), 1 to ``MAX_SEGMENTS``;
    1 where the endpoint reports no size."""
    if not table_size_bytes or table_size_bytes <= 0:
        return 1
    return max(1, min(MAX_SEGMENTS, math.ceil(table_size_bytes / SEGMENT_BYTES)))


def _backoff(attempt: int) -> float:
    """Exponential backoff with full jitter (0.05 s doubling, at most 5 s)."""
    return random.uniform(0, min(5.0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not secrets


def _error_code(exc: BaseException) -> str | None:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "") or None
    return None


def _units(item: dict[str, Any]) -> int:
    """Write capacity units of one put: a unit per started KB of the item (an estimate from
    its DynamoDB JSON, a little above the real size)."""
    return max(1, math.ceil(len(json.dumps(item, default=len)) / 1024))


def _request_units(request: dict[str, Any]) -> int:
    put = request.get("PutRequest")
    return _units(put["Item"]) if put else 1  # a delete costs a unit (up to 1 KB items)


class Pace:
    """What every writer honours: ``max_rate`` (write capacity units a second, ``None``: no
    cap) and the pause after a throttle, shared so that the whole pool backs off."""

    def __init__(self, max_rate: float | None) -> None:
        self.max_rate = max_rate
        self.lock = threading.Lock()
        self.next_free = time.monotonic()
        self.paused_until = 0.0
        self.throttled = 0

    def spend(self, units: float) -> None:
        """Wait until ``units`` may be spent, then book them."""
        with self.lock:
            now = time.monotonic()
            start = max(now, self.paused_until, self.next_free if self.max_rate else now)
            if self.max_rate:
                self.next_free = start + units / self.max_rate
        if start > now:
            time.sleep(start - now)

    def correct(self, estimated: float, consumed: float | None) -> None:
        """Book what DynamoDB reports consumed where that is more than the estimate (a cap
        holds by either measure; moto, for one, reports a unit per request)."""
        with self.lock:
            spent = max(estimated, consumed or 0.0)
            if self.max_rate:
                self.next_free += (spent - estimated) / self.max_rate

    def pause(self, seconds: float) -> None:
        with self.lock:
            self.throttled += 1
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)

    def count(self) -> None:
        """A throttled read: counted; reads back off on their own (writers go on)."""
        with self.lock:
            self.throttled += 1


class Stopped(Exception):
    """The run is stopping (Ctrl-C, or a failure elsewhere): give up quietly, commit nothing."""


class Writer:
    """Bounded concurrent BatchWriteItem: unprocessed items and throttled requests are retried
    with backoff until stored; ``done`` runs once a whole batch is stored. Once ``stop`` is set,
    retries and waits for a free writer end (those batches are not committed)."""

    def __init__(
        self,
        dynamodb: Any,
        table: str,
        concurrency: int,
        pace: Pace,
        stop: threading.Event | None = None,
    ) -> None:
        self.dynamodb = dynamodb
        self.table = table
        self.pace = pace
        self.stop = stop or threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="migrate-write")
        self.slots = threading.Semaphore(concurrency * 2)
        self.lock = threading.Lock()
        self.written = 0
        self.failure: BaseException | None = None

    def _write(self, requests: list[dict[str, Any]]) -> None:
        pending = requests
        refused = 0  # attempts in a row that stored nothing
        while pending:
            if self.stop.is_set():
                raise Stopped
            estimated = sum(map(_request_units, pending)) if self.pace.max_rate else 0
            self.pace.spend(estimated)
            try:
                answer = self.dynamodb.batch_write_item(
                    RequestItems={self.table: pending},
                    ReturnConsumedCapacity="TOTAL" if self.pace.max_rate else "NONE",
                )
            except Exception as exc:
                if _error_code(exc) not in THROTTLED:
                    raise
                refused += 1
                self._check(refused, pending, _error_code(exc))
                self.pace.pause(_backoff(refused))
                continue
            consumed = sum(
                float(c.get("CapacityUnits") or 0) for c in answer.get("ConsumedCapacity") or []
            )
            self.pace.correct(estimated, consumed if answer.get("ConsumedCapacity") else None)
            left = (answer.get("UnprocessedItems") or {}).get(self.table) or []
            with self.lock:
                self.written += len(pending) - len(left)
            if left:
                refused = refused + 1 if len(left) == len(pending) else 0
                self._check(refused, left, "unprocessed items")
                self.pace.pause(_backoff(max(refused, 1)))
            pending = left

    def _check(self, refused: int, pending: list[dict[str, Any]], why: str | None) -> None:
        if refused >= MAX_THROTTLED:
            raise PluginError(
                f"writing {self.table}: DynamoDB refused a batch of {len(pending)} items "
                f"{refused} times in a row ({why}); nothing was dropped: resume with --resume "
                "once the table has capacity (or lower --max-rate / --concurrency)"
            )

    def submit(
        self, requests: list[dict[str, Any]], done: Callable[[], None] | None = None
    ) -> None:
        if self.failure is not None:
            raise self.failure
        while not self.slots.acquire(timeout=0.1):
            if self.stop.is_set():
                raise Stopped

        def finished(future: Future[None]) -> None:
            self.slots.release()
            error = future.exception()
            if error is None:
                if done is not None:
                    done()
            elif self.failure is None and not isinstance(error, Stopped):
                self.failure = error

        self.pool.submit(self._write, requests).add_done_callback(finished)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        if self.failure is not None:
            raise self.failure


# -- the checkpoint ----------------------------------------------------------------------

CHECKPOINT_FORMAT = "getdotenv-migrate-checkpoint"


def _key_to_json(key: dict[str, Any] | None) -> Any:
    if key is None:
        return None
    return {
        name: {"B64": base64.b64encode(bytes(value["B"])).decode()} if "B" in value else value
        for name, value in key.items()
    }


def _position(key: Any) -> Any:
    """A scan position as a checkpoint holds it: ``None``, or names mapped to one key value
    (``S``, ``N`` or ``B64``, a string each); anything else is refused."""
    if key is None:
        return None
    if not isinstance(key, dict) or not key:
        raise ValueError(f"a position is {key!r}")
    for name, value in key.items():
        if (
            not isinstance(value, dict)
            or len(value) != 1
            or not set(value) <= {"S", "N", "B64"}
            or not isinstance(next(iter(value.values())), str)
        ):
            raise ValueError(f"the position of {name!r} is {value!r}")
    return key


def _key_from_json(key: Any) -> dict[str, Any] | None:
    if key is None:
        return None
    return {
        name: {"B": base64.b64decode(value["B64"])} if "B64" in value else value
        for name, value in key.items()
    }


def fingerprint(steps: Iterable[Step], paths: Iterable[Path | None]) -> list[list[str | None]]:
    """Each step's version and a digest of its transform file: a resumed run must transform
    as the interrupted one did."""
    out: list[list[str | None]] = []
    for step, path in zip(steps, paths, strict=True):
        digest = None
        if path is not None and step.transform is not None:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        out.append([step.name, digest])
    return out


class Checkpoint:
    """Where an interrupted migration stands: per segment, the scan position up to which every
    item is written (``None``: not started) or done. A JSON file, mode 0600, replaced
    atomically; removed when the migration completes."""

    def __init__(
        self, path: Path, identity: dict[str, Any], segments: int, shown: str | None = None
    ) -> None:
        self.path = path
        self.shown = shown or str(path)
        self.identity = identity  # source, target, where, steps: a resume must match them
        self.segments = segments
        self.positions: list[dict[str, Any] | None] = [None] * segments
        self.done = [False] * segments
        self.counts = {"read": 0, "written": 0, "dropped": 0, "duplicates": 0}
        self.saved = False  # whether the file holds this migration's place

    @classmethod
    def load(cls, path: Path, identity: dict[str, Any], shown: str) -> Checkpoint:
        from host_cli import read_text

        try:
            data = json.loads(read_text(path, shown, what="a migrate checkpoint") or "")
            if data.get("format") != CHECKPOINT_FORMAT or data.get("version") != 1:
                raise ValueError("not a getdotenv migrate checkpoint")
            segments = data["segments"]
            if type(segments) is not int or not 1 <= segments <= MAX_RESUMED_SEGMENTS:
                raise ValueError(f"segments is {segments!r}")
            found = cls(path, identity, segments, shown)
            if len(data["positions"]) != segments or len(data["done"]) != segments:
                raise ValueError("positions and segments disagree")
            found.positions = [_key_from_json(_position(p)) for p in data["positions"]]
            if not all(type(d) is bool for d in data["done"]):
                raise ValueError("done holds something other than true or false")
            found.done = list(data["done"])
            for name in found.counts:
                value = data["counts"][name]
                if type(value) is not int or value < 0:
                    raise ValueError(f"counts.{name} is {value!r}")
                found.counts[name] = value
            found.saved = True
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PluginError(
                f"{shown}: cannot resume from it ({exc}); remove it to start over"
            ) from None
        for key, value in identity.items():
            if data.get(key) != value:
                raise PluginError(
                    f"{shown}: it is for another migration ({key} was {data.get(key)!r}, now "
                    f"{value!r}); run without --resume to start over"
                )
        return found

    def state(self) -> dict[str, Any]:
        """What the file holds, as of now (take it under the run's lock, write it outside)."""
        return {
            "format": CHECKPOINT_FORMAT,
            "version": 1,
            **self.identity,
            "segments": self.segments,
            "positions": [_key_to_json(p) for p in self.positions],
            "done": list(self.done),
            "counts": dict(self.counts),
            "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def save(self, state: dict[str, Any] | None = None) -> None:
        """Write ``state`` (default: now's) atomically, mode 0600 in a 0700 folder; a failure
        is an error naming the file (the previous checkpoint stays whole)."""
        data = state if state is not None else self.state()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError as exc:
            raise PluginError(
                f"migrate checkpoint: cannot create {self.path.parent} ({exc.strerror or exc})"
            ) from None
        write_atomically(self.path, json.dumps(data), shown="migrate checkpoint", error=PluginError)
        self.saved = True

    def remove(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


# -- the run -----------------------------------------------------------------------------


class _Page:
    """One scanned page on its way to the target: committed once all its batches are."""

    __slots__ = ("counts", "next_key", "pending")

    def __init__(
        self, pending: int, next_key: dict[str, Any] | None, counts: dict[str, int]
    ) -> None:
        self.pending, self.next_key, self.counts = pending, next_key, counts


class Progress(NamedTuple):
    read: int  # by this run
    written: int  # by this run
    total: int | None  # items in the source, as DynamoDB last counted them (None: unknown)
    before: int  # read by the runs this one resumes
    seconds: float


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
    segments: int = 1,
    max_rate: float | None = None,
    checkpoint: Checkpoint | None = None,
    total: int | None = None,
    progress: Callable[[Progress], None] | None = None,
    interval: float = 0.5,
) -> Summary:
    """Scan ``source`` in ``segments`` (from ``checkpoint``'s positions when it has any),
    transform, and write to ``target`` (unless ``dry_run``), committing progress to
    ``checkpoint``. ``target_keys``: the target's key attributes and their types."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    load, dump = TypeDeserializer().deserialize, TypeSerializer().serialize
    plain = all(step.transform is None for step in steps)
    made_by = next((s.shown for s in reversed(steps) if s.transform is not None), None)
    if checkpoint is not None:
        segments = checkpoint.segments
    resumed = (
        dict(checkpoint.counts) if checkpoint is not None and checkpoint.counts["read"] else None
    )
    started = time.monotonic()

    def load_key(raw: dict[str, Any]) -> dict[str, Any]:
        return {k: load(raw[k]) for k in source_keys if k in raw}

    pace = Pace(max_rate)
    stop = threading.Event()
    writer = None if dry_run else Writer(dynamodb, target, concurrency, pace, stop)
    lock = threading.Lock()
    failures: list[BaseException] = []
    seen: set[int] = set()
    totals = {"read": 0, "produced": 0, "dropped": 0, "duplicates": 0}
    first_duplicate: list[str] = []
    queues: list[deque[_Page]] = [deque() for _ in range(segments)]
    changed = threading.Event()

    def commit(segment: int) -> None:
        # under ``lock``: move the segment's position past every page fully written
        queue = queues[segment]
        while queue and queue[0].pending == 0:
            page = queue.popleft()
            if checkpoint is not None:
                checkpoint.positions[segment] = page.next_key
                checkpoint.done[segment] = page.next_key is None
                for name, value in page.counts.items():
                    checkpoint.counts[name] += value
                changed.set()

    def convert(raw: dict[str, Any]) -> list[dict[str, Any]]:
        if plain:  # no transforms: items pass unchanged, no conversion needed
            return [raw]
        item = {k: load(v) for k, v in raw.items()}
        return [{k: dump(v) for k, v in r.items()} for r in apply(steps, item, source_keys)]

    def page_items(raw_items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        out: list[dict[str, Any]] = []
        counts = {"read": len(raw_items), "written": 0, "dropped": 0, "duplicates": 0}
        for raw in raw_items:
            outputs = convert(raw)
            if not outputs:
                counts["dropped"] += 1
            for serialised in outputs:
                problem = _key_problem(serialised, target_keys)
                if problem:
                    origin = f"{made_by}: the item made from" if made_by else "the item"
                    raise PluginError(
                        f"{origin} {_describe_key(load_key(raw), source_keys)} {problem} "
                        f"(table {target})"
                    )
                digest = _digest(serialised, target_keys)
                with lock:
                    if digest in seen:
                        counts["duplicates"] += 1
                        if not first_duplicate:
                            shown = {k: load(serialised[k]) for k in target_keys}
                            first_duplicate.append(_describe_key(shown, target_keys))
                        continue
                    seen.add(digest)
                out.append(serialised)
        counts["written"] = len(out)
        return out, counts

    def scan(segment: int, start_key: dict[str, Any] | None) -> dict[str, Any]:
        request: dict[str, Any] = {"TableName": source}
        if segments > 1:
            request.update(Segment=segment, TotalSegments=segments)
        if page_size:
            request["Limit"] = page_size
        if start_key is not None:
            request["ExclusiveStartKey"] = start_key
        refused = 0
        while True:
            try:
                return dynamodb.scan(**request)  # type: ignore[no-any-return]
            except Exception as exc:
                if _error_code(exc) not in THROTTLED or stop.is_set():
                    raise
                refused += 1
                if refused >= MAX_THROTTLED:
                    raise PluginError(
                        f"reading {source}: DynamoDB throttled a scan {refused} times in a row "
                        f"({_error_code(exc)}); resume with --resume once it has capacity"
                    ) from None
                pace.count()
                time.sleep(_backoff(refused))

    def reader(segment: int) -> None:
        start_key = checkpoint.positions[segment] if checkpoint is not None else None
        try:
            while not stop.is_set():
                answer = scan(segment, start_key)
                raw_items = answer.get("Items") or []
                items, counts = page_items(raw_items)
                next_key = answer.get("LastEvaluatedKey") or None
                batches = [items[i : i + BATCH] for i in range(0, len(items), BATCH)]
                page = _Page(len(batches) if writer is not None else 0, next_key, counts)
                with lock:
                    totals["read"] += counts["read"]
                    totals["produced"] += counts["written"]
                    totals["dropped"] += counts["dropped"]
                    totals["duplicates"] += counts["duplicates"]
                    queues[segment].append(page)
                    commit(segment)
                if writer is not None:
                    for batch in batches:

                        def done(page: _Page = page) -> None:
                            with lock:
                                page.pending -= 1
                                commit(segment)

                        writer.submit([{"PutRequest": {"Item": item}} for item in batch], done)
                if next_key is None:
                    return
                start_key = next_key
        except Stopped:
            pass
        except BaseException as exc:
            failures.append(exc)
            stop.set()

    todo = [s for s in range(segments) if checkpoint is None or not checkpoint.done[s]]
    threads = [
        threading.Thread(target=reader, args=(s,), name=f"migrate-scan-{s}", daemon=True)
        for s in todo
    ]
    for thread in threads:
        thread.start()

    def report() -> None:
        if progress is not None:
            progress(
                Progress(
                    totals["read"],
                    writer.written if writer is not None else totals["produced"],
                    total,
                    resumed["read"] if resumed else 0,
                    time.monotonic() - started,
                )
            )

    def save() -> None:
        if checkpoint is not None and changed.is_set():
            with lock:
                changed.clear()
                state = checkpoint.state()
            checkpoint.save(state)  # fsync outside the lock: writers and readers go on

    try:
        while True:
            alive = [thread for thread in threads if thread.is_alive()]
            if not alive:
                break
            alive[0].join(timeout=interval)
            report()
            save()
    except BaseException:  # Ctrl-C: stop reading and retrying; what landed is committed
        stop.set()
        for thread in threads:
            thread.join()
        raise
    finally:
        if writer is not None:
            with contextlib.suppress(BaseException):
                writer.pool.shutdown(wait=True)
        save()
    if failures:
        raise failures[0]
    if writer is not None:
        writer.close()
    report()
    written = writer.written if writer is not None else totals["produced"]
    return Summary(
        read=totals["read"],
        written=written,
        dropped=totals["dropped"],
        duplicates=totals["duplicates"],
        first_duplicate=first_duplicate[0] if first_duplicate else None,
        segments=segments,
        seconds=time.monotonic() - started,
        throttled=pace.throttled,
        resumed=resumed,
    )
