"""The built-in local DynamoDB: moto's server on 127.0.0.1, with its data kept across restarts.

Run by ``getdotenv dynamodb local start`` as ``python -m dynamodb_plugin.local.server --port N
[--snapshot FILE] [--autosave SECONDS]``, detached, with its output in a log file. On start
it restores the snapshot (if any) before it serves; on SIGTERM or SIGINT it stops serving,
writes the snapshot and exits 0. With ``--autosave`` it also writes the snapshot that often
when something changed, which bounds what a hard kill can lose.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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


class Tracker:
    """WSGI middleware: serialises writes against snapshots and notes that data changed."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.lock = threading.RLock()
        self.dirty = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        operation = target.rpartition(".")[2]
        if environ.get("REQUEST_METHOD") == "POST" and operation not in _READ_ONLY:
            with self.lock:
                self.dirty = True
                return list(self.app(environ, start_response))
        return self.app(environ, start_response)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dynamodb_plugin.local.server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--snapshot", type=Path, help="snapshot file to restore and save")
    parser.add_argument("--autosave", type=float, default=0.0, help="seconds; 0: only on stop")
    args = parser.parse_args(argv)

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from dynamodb_plugin.local import snapshot

    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    def say(text: str) -> None:
        print(f"[dynamodb-local] {text}", flush=True)

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: stopping.set())

    if args.snapshot is not None and args.snapshot.exists():
        started = time.monotonic()
        tables, items = snapshot.restore(args.snapshot)
        say(f"restored {tables} tables, {items} items in {time.monotonic() - started:.2f}s")

    tracker = Tracker(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1", args.port, tracker, threaded=True, request_handler=MotoRequestHandler
    )
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    say(f"serving on http://127.0.0.1:{args.port}")

    def save() -> None:
        if args.snapshot is None:
            return
        with tracker.lock:
            if not tracker.dirty:
                return
            count = snapshot.save(args.snapshot)
            tracker.dirty = False
        say(f"saved {count} items to {args.snapshot}")

    interval = args.autosave if args.autosave > 0 else None
    while not stopping.wait(interval):
        save()
    server.shutdown()
    save()
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
