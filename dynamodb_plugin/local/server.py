"""The built-in local DynamoDB: moto's DynamoDB on loopback, one database, kept across restarts.

Run by ``getdotenv dynamodb local start`` as ``python -m dynamodb_plugin.local.server --port N
--record FILE --endpoint URL --log FILE [--snapshot FILE] [--autosave SECONDS]``, detached, with
its output in the log file. In order:

1. it writes its own record (so no server of ours ever runs without one) and removes it when it
   ends;
2. it restores the snapshot, if any, before it serves; one it cannot read is an error that
   names the file and how to recover, and the file is left as it was;
3. it serves one database, whatever region or access key a client signs with (as DynamoDB
   Local's ``-sharedDb``), so the CLI and the user's code always see the same tables;
4. with ``--autosave`` it writes the snapshot that often when something changed; a failed
   autosave is logged and retried, never fatal;
5. ``POST /_getdotenv/stop`` (what ``local stop`` sends) saves the snapshot while holding every
   write back, and stops only if that worked: otherwise it answers the error and keeps serving,
   so the data is never lost. SIGTERM or SIGINT saves and stops as well.

Safe by default (see ``Gate``): it listens on both loopback families (127.0.0.1 and ::1) of
one port, answers the DynamoDB and DynamoDB Streams APIs and nothing else (no moto admin API,
no other service), refuses a ``Host`` that is not a loopback name and any ``Origin`` not listed
with ``--cors``, and obeys the control requests (stop, save, reset) only with the secret of
this start (read from stdin with ``--secret-stdin``, else made here; kept in the 0600 record).

Error lines start with ``[dynamodb-local] error:``; ``local start`` reports the last one.
"""

from __future__ import annotations

import argparse
import hmac
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from dynamodb_plugin.local.probe import CONTROL_PATH, CONTROL_PREFIX, ERROR, HELLO_PATH

SHARED_REGION = "us-east-1"
SHARED_ACCOUNT = "123456789012"  # moto's default account
SHARED_KEY = "getdotenvlocal"

# Requests that cannot change data; anything else marks the snapshot out of date.
_READ_ONLY = frozenset(
    [
        "ListTables",
        "DescribeTable",
        "DescribeTimeToLive",
        "DescribeContinuousBackups",
        "GetItem",
        "BatchGetItem",
        "Query",
        "Scan",
        "ListTagsOfResource",
        "DescribeLimits",
        "DescribeEndpoints",
        "ListBackups",
        "ListGlobalTables",
        "DescribeGlobalTable",
        "ListStreams",
        "DescribeStream",
        "GetShardIterator",
        "GetRecords",
        "TransactGetItems",
        "DescribeKinesisStreamingDestination",
    ]
)
# The credential scope of a SigV4 Authorization header: key/date/region/service.
_SCOPE = re.compile(r"(Credential=)[^/,\s]*/(\d{8})/[^/,\s]+/")
_AGENT_REGION = re.compile(r"region/[a-z]{2}-[a-z]+-\d")


def say(text: str) -> None:
    print(f"[dynamodb-local] {text}", flush=True)


def _json(status: str, body: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", "application/x-amz-json-1.0"), ("Content-Length", str(len(data)))],
    )
    return [data]


def api_caller(app: Callable[..., Iterable[bytes]]) -> Callable[[str, dict[str, Any]], Any]:
    """A DynamoDB API call made on ``app`` in-process, as a client would over HTTP; an error
    answer raises ``ValueError`` with DynamoDB's message."""
    from werkzeug.test import Client

    client = Client(app)
    scope = f"{SHARED_KEY}/20000101/{SHARED_REGION}/dynamodb/aws4_request"
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0",
        "Host": "localhost",
    }

    def call(operation: str, request: dict[str, Any]) -> Any:
        target = {"X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        response = client.post("/", data=json.dumps(request), headers={**headers, **target})
        answer = json.loads(response.get_data() or b"{}")
        if response.status_code != 200:
            message = answer.get("message") or answer.get("Message") or answer
            raise ValueError(f"{operation}: {message}")
        return answer

    return call


# Operations whose answers are serialised here (see ``fast_answers``).
FAST_ANSWERS = frozenset(
    {
        "Scan",
        "Query",
        "GetItem",
        "BatchGetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "BatchWriteItem",
    }
)


def fast_answers() -> bool:
    """Answer item operations with ``json`` directly. moto serialises every answer by walking
    botocore's model of it, attribute value by attribute value: 80% of a Scan's time (4.4 s for
    20,000 small items; 0.8 s this way). These answers are plain DynamoDB JSON (items, counts,
    keys, consumed capacity, unprocessed requests), binary values base64-encoded, so nothing is
    lost; any other value leaves the answer to moto. ``False`` where moto's classes are not the
    ones expected."""
    import base64
    import secrets

    try:
        from moto.dynamodb.responses import DynamoResult

        original = DynamoResult.execute_result
    except (ImportError, AttributeError):
        return False

    def default(value: object) -> str:
        if isinstance(value, bytes | bytearray):
            return base64.b64encode(value).decode("ascii")
        raise TypeError  # not plain DynamoDB JSON: moto's serialiser answers

    def execute_result(self: Any, context: Any) -> Any:
        result = self.result
        if isinstance(result, dict) and context.operation_model.name in FAST_ANSWERS:
            # only what the API's answer has, as moto's serialiser (moto adds old fields)
            members = context.operation_model.output_shape.members
            try:
                body = json.dumps(
                    {k: v for k, v in result.items() if k in members},
                    default=default,
                    separators=(",", ":"),
                )
            except (TypeError, ValueError):
                return original(self, context)
            headers = {
                "Content-Type": "application/x-amz-json-1.0",
                "server": "amazon.com",
                "x-amzn-requestid": secrets.token_hex(26),
            }
            return 200, headers, body
        return original(self, context)

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
    return True


_AV_KINDS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _attribute_value(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is one attribute value in DynamoDB JSON; binary values are decoded in
    place, as moto's parser does."""
    import base64

    if not isinstance(value, dict) or len(value) != 1 or depth > 64:
        return False
    ((kind, inner),) = value.items()
    if kind not in _AV_KINDS:
        return False
    if kind in ("S", "N"):
        return isinstance(inner, str)
    if kind in ("NULL", "BOOL"):
        return isinstance(inner, bool)
    if kind in ("SS", "NS", "BS"):
        if not isinstance(inner, list) or not all(isinstance(v, str) for v in inner):
            return False
        if kind == "BS":
            value[kind] = [base64.b64decode(v) for v in inner]
        return True
    if kind == "B":
        if not isinstance(inner, str):
            return False
        value[kind] = base64.b64decode(inner)
        return True
    if kind == "M":
        return isinstance(inner, dict) and all(
            _attribute_value(v, depth + 1) for v in inner.values()
        )
    return isinstance(inner, list) and all(_attribute_value(v, depth + 1) for v in inner)


def batch_write_request(data: bytes) -> dict[str, Any] | None:
    """A BatchWriteItem request as moto's model-driven parser reads it (binary decoded), read
    with ``json`` instead; ``None`` for anything but the plain shape (moto's parser then)."""
    try:
        body = json.loads(data)
        if not isinstance(body, dict) or not set(body) <= {
            "RequestItems",
            "ReturnConsumedCapacity",
            "ReturnItemCollectionMetrics",
        }:
            return None
        if not all(
            isinstance(body.get(k, ""), str)
            for k in ("ReturnConsumedCapacity", "ReturnItemCollectionMetrics")
        ):
            return None
        tables = body.get("RequestItems")
        if not isinstance(tables, dict):
            return None
        for requests in tables.values():
            if not isinstance(requests, list):
                return None
            for request in requests:
                if not isinstance(request, dict) or len(request) != 1:
                    return None
                ((kind, inner),) = request.items()
                field = {"PutRequest": "Item", "DeleteRequest": "Key"}.get(kind)
                if field is None or not isinstance(inner, dict) or set(inner) != {field}:
                    return None
                attrs = inner[field]
                if not isinstance(attrs, dict) or not all(
                    _attribute_value(v) for v in attrs.values()
                ):
                    return None
    except (ValueError, TypeError, RecursionError):  # binascii.Error is a ValueError
        return None
    return body


def fast_batch_writes() -> bool:
    """Read BatchWriteItem requests with ``json``: moto parses every request by walking
    botocore's model of it, a sixth of a batch write's time. ``False`` where moto's classes are
    not the ones expected."""
    try:
        from moto.dynamodb.responses import DynamoHandler

        original = DynamoHandler.parse_parameters
    except (ImportError, AttributeError):
        return False

    def parse_parameters(self: Any, request: Any) -> None:
        if self._get_action() == "BatchWriteItem":
            parsed = batch_write_request(request.data)
            if parsed is not None:
                self.params = parsed
                return
        original(self, request)

    DynamoHandler.parse_parameters = parse_parameters  # type: ignore[method-assign]
    return True


def linear_item_size_check() -> bool:
    """Check a new item's size once. moto's item dict sums the size of every attribute it
    already holds each time one is added (quadratic in the attributes); sizes only add up, so
    the total passes 405,000 bytes at some step exactly when it does at the end: one sum at the
    end raises the same error for the same items. ``False`` where moto's classes differ."""
    from dynamodb_plugin.local.snapshot import item_model_known

    if not item_model_known():  # the Item, DynamoType and item dict this replaces, as assumed
        return False
    try:
        from moto.dynamodb.exceptions import ItemSizeTooLarge
        from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
        from moto.dynamodb.models.utilities import bytesize
    except ImportError:
        return False

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        typed = {key: DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in typed.items()) > 405000:
            raise ItemSizeTooLarge
        self.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        dict.update(self.attrs, typed)

    Item.__init__ = __init__  # type: ignore[method-assign]
    return True


def binary_key_segments() -> bool:
    """A parallel scan (``Segment``/``TotalSegments``) of a table whose hash key is binary:
    moto hashes the key's text and fails on bytes (AttributeError, an HTTP 500); hash the bytes
    instead, as it does the text's UTF-8. ``False`` where moto's classes are not as expected."""
    import hashlib

    try:
        from moto.dynamodb.models.dynamo_type import Item

        original = Item.is_within_segment
    except (ImportError, AttributeError):
        return False

    def is_within_segment(self: Any, segments: Any) -> bool:
        value = self.hash_key.value
        if segments != (None, None) and isinstance(value, bytes | bytearray):
            segment, total = segments
            return bool(segment == hashlib.md5(value, usedforsecurity=False).digest()[0] % total)
        return bool(original(self, segments))

    Item.is_within_segment = is_within_segment  # type: ignore[method-assign]
    return True


def fast_app(app: Callable[..., Any]) -> Callable[..., Any]:
    """moto's DynamoDB app with the hot paths of ``fast`` in place (each one falls back to
    moto's own where moto is not as expected)."""
    from dynamodb_plugin.local import fast

    fast.install()
    return fast.Direct(app)


def strict_requests(app: Callable[..., Any]) -> Callable[..., Any]:
    """``app`` behind DynamoDB's own validation (``strict``): a request DynamoDB refuses is
    answered in its words and never reaches moto, and no request is answered with an HTTP 500."""
    from dynamodb_plugin.local import strict

    return strict.install(app, SHARED_ACCOUNT, SHARED_REGION)


class _ThenStop:
    """A response body that sets ``event`` once the server has sent it."""

    def __init__(self, body: list[bytes], event: threading.Event) -> None:
        self.body, self.event = body, event

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.body)

    def close(self) -> None:
        self.event.set()


class Tracker:
    """WSGI middleware: one shared database, writes serialised against snapshots (and marked),
    and the stop request that saves first."""

    def __init__(
        self,
        app: Callable[..., Iterable[bytes]],
        save: Callable[[], int | None],
        stopping: threading.Event,
    ) -> None:
        self.app = app
        self.save = save
        self.stopping = stopping
        self.lock = threading.RLock()
        self.dirty = False
        self.closed = False
        self.routes: dict[tuple[str, str], Callable[..., Iterable[bytes]]] = {}

    def route(self, environ: dict[str, Any]) -> Callable[..., Iterable[bytes]]:
        """The moto app for a request. moto's dispatcher works it out for every request from
        the host and the signature, listing its service modules each time (about 0.5 ms); an
        API call (``X-Amz-Target`` at ``/``) goes where the first of its API and signing
        service went."""
        target = environ.get("HTTP_X_AMZ_TARGET")
        find = getattr(self.app, "get_application", None)
        if not target or find is None or environ.get("PATH_INFO", "/") != "/":
            return self.app
        scope = environ.get("HTTP_AUTHORIZATION", "").partition("Credential=")[2]
        parts = scope.split(",", 1)[0].strip().split("/")
        if len(parts) != 5:  # a scope moto would not read the same: let it decide, uncached
            return find(environ)  # type: ignore[no-any-return]
        key = (target.partition(".")[0], parts[3])
        app = self.routes.get(key)
        if app is None:
            app = self.routes[key] = find(environ)
        return app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        auth = environ.get("HTTP_AUTHORIZATION")
        if auth:
            environ["HTTP_AUTHORIZATION"] = _SCOPE.sub(
                rf"\g<1>{SHARED_KEY}/\g<2>/{SHARED_REGION}/", auth, count=1
            )
        agent = environ.get("HTTP_USER_AGENT")
        if agent:
            environ["HTTP_USER_AGENT"] = _AGENT_REGION.sub("", agent)
        operation = environ.get("HTTP_X_AMZ_TARGET", "").rpartition(".")[2]
        if environ.get("REQUEST_METHOD") == "POST" and operation not in _READ_ONLY:
            with self.lock:
                if self.closed:
                    return _json(
                        "503 Service Unavailable",
                        {
                            "__type": "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
                            "message": "the local DynamoDB is stopping",
                        },
                        start_response,
                    )
                self.dirty = True
                answer = self.route(environ)(environ, start_response)
                try:
                    return list(answer)  # all of it, while writes are held
                finally:
                    close = getattr(answer, "close", None)
                    if close is not None:
                        close()
        return self.route(environ)(environ, start_response)

    def _stop(self, start_response: Callable[..., Any]) -> Any:
        with self.lock:
            try:
                saved = self.save()
            except Exception as exc:  # full disk, read-only folder, ...: keep serving
                message = f"{type(exc).__name__}: {exc}"
                say(
                    f"error: could not save the snapshot before stopping ({message}); still serving"
                )
                return _json("500 Internal Server Error", {"error": message}, start_response)
            self.closed = True
        return _ThenStop(_json("200 OK", {"saved": saved}, start_response), self.stopping)


# --- the request gate: DynamoDB only, loopback names only, listed origins only, owner-only
# control. Cheap on purpose: a few dict and set lookups per request, nothing copied (~0.3 µs).

DYNAMODB_TARGET = "DynamoDB_20120810."
STREAMS_TARGET = "DynamoDBStreams_20120810."
_TYPE = "com.amazonaws.dynamodb.v20120810#"
# What a browser app may read from an answer (the AWS SDK for JavaScript reads these).
_EXPOSED = "x-amzn-RequestId, x-amzn-ErrorType, x-amz-crc32, Date"


def _refuse(status: str, kind: str, message: str, start_response: Callable[..., Any]) -> Any:
    return _json(status, {"__type": _TYPE + kind, "message": message}, start_response)


def api_targets() -> frozenset[str]:
    """Every ``X-Amz-Target`` of the DynamoDB and DynamoDB Streams APIs (from the models moto
    serves them by, loaded once): a request for anything else never reaches moto."""
    from moto.core.utils import get_service_model

    return frozenset(
        prefix + operation
        for prefix, service in ((DYNAMODB_TARGET, "dynamodb"), (STREAMS_TARGET, "dynamodbstreams"))
        for operation in get_service_model(service).operation_names
    )


def loopback_hosts(port: int) -> frozenset[str]:
    """The ``Host`` values a client of this server sends: a loopback name with the port (bare
    too on port 80). Any other name is DNS rebinding, or not meant for us."""
    names = ("localhost", "127.0.0.1", "[::1]")
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts.update(names)
    return frozenset(hosts)


class DynamoOnly:
    """moto's DynamoDB and DynamoDB Streams apps, and nothing else of moto: no dispatcher that
    would route by the signing service to S3, IAM, Lambda or the admin API."""

    def __init__(self, dynamodb: Callable[..., Any], streams: Callable[..., Any]) -> None:
        self.dynamodb, self.streams = dynamodb, streams

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("HTTP_X_AMZ_TARGET", "").startswith(STREAMS_TARGET):
            return self.streams(environ, start_response)
        return self.dynamodb(environ, start_response)


class Gate:
    """WSGI middleware in front of everything; a request it refuses changes nothing.

    In order: a ``Host`` that is not a loopback name of this port → 403; an ``Origin`` not in
    the allow list → 403 (a preflight too; a listed one gets its preflight answered here and
    CORS headers on the answer, nobody else gets any); control requests (``/_getdotenv/...``)
    → ``hello`` for anyone, the others only with the secret; then only ``POST /`` with an
    ``X-Amz-Target`` in ``targets`` (the DynamoDB and DynamoDB Streams operations) reaches
    ``app``: anything else is a DynamoDB-shaped 400 or 404.
    """

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        port: int,
        secret: str,
        targets: frozenset[str],
        cors: Iterable[str] = (),
        control: dict[str, Callable[[Callable[..., Any]], Any]] | None = None,
    ) -> None:
        self.app = app
        self.hosts = loopback_hosts(port)
        self.targets = targets
        self.secret = secret.encode()
        self.cors = frozenset(cors)
        self.control = control or {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST")
        if host not in self.hosts and (host is None or host.lower() not in self.hosts):
            return _refuse(
                "403 Forbidden",
                "AccessDeniedException",
                f"Host {host!r} is not a loopback name of this local DynamoDB",
                start_response,
            )
        origin = environ.get("HTTP_ORIGIN")
        if origin is not None:
            return self._from_browser(origin, environ, start_response)
        path = environ.get("PATH_INFO")
        if path != "/":
            return self._other_path(path, environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _refuse(
                "400 Bad Request",
                "UnknownOperationException",
                "the DynamoDB API is POST / only",
                start_response,
            )
        if environ.get("HTTP_X_AMZ_TARGET") not in self.targets:
            target = environ.get("HTTP_X_AMZ_TARGET")
            return _refuse(
                "400 Bad Request",
                "UnknownOperationException",
                f"X-Amz-Target {target!r}: this local DynamoDB serves the DynamoDB and "
                "DynamoDB Streams APIs only",
                start_response,
            )
        return self.app(environ, start_response)

    def _from_browser(
        self, origin: str, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        """A request a web page made: only from a listed origin, and never a control request."""
        if origin not in self.cors or environ.get("PATH_INFO") != "/":
            return _refuse(
                "403 Forbidden",
                "AccessDeniedException",
                f"Origin {origin!r} is not allowed (plugins.dynamodb.local.cors)",
                start_response,
            )
        if environ.get("REQUEST_METHOD") == "OPTIONS":  # the preflight, answered here
            headers = [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Methods", "POST"),
                ("Access-Control-Max-Age", "600"),
                ("Vary", "Origin"),
                ("Content-Length", "0"),
            ]
            asked = environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS")
            if asked:
                headers.append(("Access-Control-Allow-Headers", asked))
            start_response("204 No Content", headers)
            return []

        def with_cors(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            headers += [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Expose-Headers", _EXPOSED),
                ("Vary", "Origin"),
            ]
            return start_response(status, headers, *rest)

        del environ["HTTP_ORIGIN"]  # checked: the rest of the gate as for any client
        return self(environ, with_cors)

    def _other_path(
        self, path: str | None, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        if path is None or not path.startswith(CONTROL_PREFIX):
            return _refuse(
                "404 Not Found",
                "UnknownOperationException",
                f"{path!r}: this local DynamoDB serves the DynamoDB API at / only",
                start_response,
            )
        if environ.get("REQUEST_METHOD") != "POST":
            return _refuse(
                "400 Bad Request", "UnknownOperationException", "POST only", start_response
            )
        if path == HELLO_PATH:
            from dynamodb_plugin.local.probe import proof

            nonce = environ.get("HTTP_X_GETDOTENV_NONCE", "")
            if not 16 <= len(nonce) <= 128:
                return _refuse(
                    "400 Bad Request", "ValidationException", "a nonce is needed", start_response
                )
            address = str(environ.get("SERVER_NAME", ""))
            answer = {"proof": proof(self.secret.decode(), nonce, address)}
            return _json("200 OK", answer, start_response)
        action = self.control.get(path)
        if action is None:
            return _refuse(
                "404 Not Found",
                "UnknownOperationException",
                f"{path!r}: no such control request",
                start_response,
            )
        given = environ.get("HTTP_X_GETDOTENV_SECRET", "").encode()
        if not hmac.compare_digest(given, self.secret):
            return _refuse(
                "403 Forbidden",
                "AccessDeniedException",
                "a control request needs the secret of this start (in the record file)",
                start_response,
            )
        return action(start_response)


def listen(port: int, app: Callable[..., Any]) -> tuple[list[Any], str]:
    """Servers (``wire.Server``) for ``app`` on 127.0.0.1 and ::1 of ``port``, and a note;
    ``OSError`` when either is taken (a port whose ::1 side someone else holds is a port in
    use). A machine without an IPv6 loopback gets 127.0.0.1 alone, and the note says so."""
    import errno
    import socket

    from dynamodb_plugin.local import wire

    sockets: list[socket.socket] = []
    note = ""
    try:
        for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            try:
                sock = socket.socket(family, socket.SOCK_STREAM)
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno == errno.EAFNOSUPPORT:
                    note = "no IPv6 on this machine: 127.0.0.1 only"
                    break
                raise
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            try:
                sock.bind((address, port))
            except OSError as exc:
                if family == socket.AF_INET6 and exc.errno in (
                    errno.EADDRNOTAVAIL,
                    errno.EAFNOSUPPORT,
                ):
                    note = "no IPv6 loopback on this machine: 127.0.0.1 only"
                    sockets.pop().close()
                    break
                exc.filename = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
                raise
            sock.listen(128)
            port = sock.getsockname()[1]  # --port 0: the same port on ::1
    except BaseException:
        for sock in sockets:
            sock.close()
        raise
    slots = wire.Slots()  # one limit on connections for both families
    return [wire.Server(sock, app, slots=slots) for sock in sockets], note


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamodb_plugin.local.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", type=Path, required=True, help="the record file to write")
    parser.add_argument("--endpoint", required=True, help="the endpoint clients use")
    parser.add_argument("--log", default="", help="the log file (for the record)")
    parser.add_argument("--snapshot", type=Path, help="snapshot file to restore and save")
    parser.add_argument("--autosave", type=float, default=0.0, help="seconds; 0: only on stop")
    parser.add_argument(
        "--cors", action="append", default=[], help="an origin a browser app may call from"
    )
    parser.add_argument(
        "--secret-stdin", action="store_true", help="read the control secret from stdin"
    )
    parser.add_argument(
        "--ready-fd", type=int, help="an inherited pipe to write a line to once serving"
    )
    _ttl_arguments(parser)
    args = parser.parse_args(argv)
    args.secret = _secret(args.secret_stdin)
    if args.secret is None:
        print(f"{ERROR} no control secret on stdin", flush=True)
        return 1

    from dynamodb_plugin.local import state

    record = state.own_record(
        port=args.port,
        endpoint=args.endpoint,
        backend="moto",
        persist=args.snapshot is not None,
        log=args.log,
        data=str(args.snapshot) if args.snapshot else None,
        secret=args.secret,
    )
    folder = args.record.parent
    try:
        state.write(folder, record)
    except Exception as exc:
        print(f"{ERROR} {exc}", flush=True)
        return 1
    try:
        return _serve(args)
    finally:
        state.remove(folder, pid=os.getpid())


def _ttl_arguments(parser: argparse.ArgumentParser) -> None:
    """``--ttl expire`` runs the sweeper that deletes expired items (see ``ttl``)."""
    from dynamodb_plugin.local import ttl

    def interval(text: str) -> float:
        value = float(text)
        if not ttl.MIN_INTERVAL <= value <= ttl.MAX_INTERVAL:
            raise argparse.ArgumentTypeError(
                f"expected seconds {ttl.MIN_INTERVAL:g}-{ttl.MAX_INTERVAL:g}"
            )
        return value

    parser.add_argument("--ttl", choices=ttl.MODES, default="off", help="delete expired items")
    parser.add_argument("--ttl-interval", type=interval, default=ttl.DEFAULT_INTERVAL)


def _start_ttl(args: argparse.Namespace, tracker: Tracker, stopping: threading.Event) -> None:
    if args.ttl != "expire":
        return
    from dynamodb_plugin.local import ttl

    call = api_caller(tracker.app)  # its own client: the sweeper's thread only
    ttl.start(
        tracker,
        call,
        args.ttl_interval,
        stopping,
        account=SHARED_ACCOUNT,
        region=SHARED_REGION,
        say=say,
    )


def _secret(from_stdin: bool) -> str | None:
    """The control secret: the first line of stdin (``local start`` writes it there, never
    in the command line or environment), else a fresh one; ``None`` for an empty line."""
    if not from_stdin:
        import secrets

        return secrets.token_urlsafe(32)
    line = sys.stdin.readline().strip()
    return line or None


def _control(
    tracker: Tracker, save: Callable[[], int | None]
) -> dict[str, Callable[[Callable[..., Any]], Any]]:
    """The control requests the secret opens: stop (save, then stop), save, and reset (every
    table gone, as moto's ``/moto-api/reset`` for a test harness; the next save keeps that)."""

    def saved(start_response: Callable[..., Any]) -> Any:
        try:
            count = save()
        except Exception as exc:
            return _json("500 Internal Server Error", {"error": str(exc)}, start_response)
        return _json("200 OK", {"saved": count}, start_response)

    def reset(start_response: Callable[..., Any]) -> Any:
        from moto.core.base_backend import BackendDict

        with tracker.lock:
            BackendDict.reset()
            tracker.dirty = True
        say("reset: every table removed (control request)")
        return _json("200 OK", {"reset": True}, start_response)

    return {
        CONTROL_PATH: tracker._stop,
        CONTROL_PREFIX + "save": saved,
        CONTROL_PREFIX + "reset": reset,
    }


def _serve(args: argparse.Namespace) -> int:
    import gc

    # Importing moto and building its DynamoDB app allocate a great deal and free nothing:
    # without the collector meanwhile, ready is about 5% sooner (benchmarks/local.py).
    gc.disable()
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopping.set())
    # One account for every key (moto reads this first), and one region (see Tracker).
    os.environ["MOTO_ACCOUNT_ID"] = SHARED_ACCOUNT
    os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "True")
    # No CORS from moto (the gate decides), and no recorder of requests.
    os.environ["MOTO_DISABLE_GLOBAL_CORS"] = "true"
    os.environ.pop("MOTO_ENABLE_RECORDING", None)

    from dynamodb_plugin.local import startup

    imported = startup.deferred()  # what moto imports and a server never uses
    from dynamodb_plugin.local import apps, snapshot

    imported()
    if startup.one_model_loader():  # before any model is loaded
        startup.light_regions()  # (reads the models through that loader)
    startup.no_iam_until_needed()  # before the first request
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    fast_answers()
    fast_batch_writes()
    linear_item_size_check()
    binary_key_segments()
    from dynamodb_plugin.local import strict

    strict.deep_enough()  # 300 update operators (DynamoDB's limit) in moto's recursion
    backend_app = DynamoOnly(fast_app(apps.dynamodb()), apps.streams())  # no Flask
    call = api_caller(backend_app)
    restore_from = snapshot.source(args.snapshot) if args.snapshot is not None else None
    if restore_from is not None:
        started = time.monotonic()
        try:
            tables, items = snapshot.restore(restore_from, SHARED_REGION, call)
        except Exception as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            say(
                f"error: {restore_from}: cannot restore the saved data ({reason}); the file is "
                f"left as it was: move it away to start without it "
                f"(mv {restore_from} {restore_from}.bad), or start with --in-memory"
            )
            return 3
        say(f"restored {tables} tables, {items} items in {time.monotonic() - started:.2f}s")

    def save() -> int | None:
        nonlocal restore_from
        if args.snapshot is None:
            return None
        with tracker.lock:
            if not tracker.dirty and restore_from in (None, args.snapshot):
                return 0
            count = snapshot.save(args.snapshot, call)
            tracker.dirty = False
            restore_from = args.snapshot  # a format-1 file is replaced now
        say(f"saved {count} items to {args.snapshot}")
        return count

    tracker = Tracker(backend_app, save, stopping)
    call("ListTables", {"Limit": 1})  # builds moto's DynamoDB app now, not on the first request
    gc.freeze()  # what start-up built lives as long as the server: never scan it again
    gc.enable()
    gate = Gate(
        strict_requests(tracker),
        port=args.port,
        secret=args.secret,
        targets=api_targets(),
        cors=args.cors,
        control=_control(tracker, save),
    )
    try:
        servers, note = listen(args.port, gate)
    except OSError as exc:
        import errno

        taken = (
            f": port {args.port} is in use by another program"
            if exc.errno == errno.EADDRINUSE
            else ""
        )
        say(f"error: cannot listen on {exc.filename or args.port} ({exc.strerror}){taken}")
        return 1
    for server in servers:
        # A short poll: `stop` waits for this loop to notice the shutdown.
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    if note:
        say(note)
    say(f"serving on http://localhost:{args.port} (127.0.0.1{', ::1' if len(servers) > 1 else ''})")
    startup.signal_ready(args.ready_fd)  # `local start` waits for this, not polling
    _start_ttl(args, tracker, stopping)

    interval = args.autosave if args.autosave > 0 else None
    while not stopping.wait(interval):
        try:
            save()
        except Exception as exc:
            say(f"error: autosave failed ({type(exc).__name__}: {exc}); retrying in {interval:g}s")
    if tracker.closed:
        # `local stop` asked: saved already, every write since refused, the answer sent.
        say("stopped")
        return 0
    with tracker.lock:  # a signal: writes waiting for the lock are refused from here on
        tracker.closed = True
    for server in servers:
        server.shutdown()
    try:
        save()
    except Exception as exc:
        say(f"error: could not save the snapshot ({type(exc).__name__}: {exc}); stopped anyway")
        return 1
    say("stopped")
    return 0


if __name__ == "__main__":
    code = main()
    # Everything is saved and the record removed: skip tearing down moto's modules, which
    # `stop` would otherwise wait for.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
