"""Findings of the attacker's pass on the built-in server (review3), each one through a real
server process: what a hostile or merely busy client could do, and that it no longer can."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import boto3
import pytest

from dynamodb_plugin.local.probe import wait_ready
from dynamodb_plugin.local.state import free_port


def _client(endpoint: str):
    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


@pytest.fixture(scope="module")
def switching(tmp_path_factory):
    """A built-in server process whose threads switch every 10 µs (``sys.setswitchinterval``):
    a race between two requests shows within a second instead of now and then."""
    port = free_port()
    record = tmp_path_factory.mktemp("switching") / "dynamodb-local.json"
    argv = ["--port", str(port), "--record", str(record), "--endpoint", f"http://localhost:{port}"]
    code = (
        "import runpy, sys; sys.setswitchinterval(1e-5); "
        f"sys.argv = ['server'] + {argv!r}; "
        "runpy.run_module('dynamodb_plugin.local.server', run_name='__main__')"
    )
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    proc = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://localhost:{port}"
    try:
        assert wait_ready(endpoint, "local", 60, alive=lambda: proc.poll() is None)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_index_reads_and_describe_table_never_fail_while_items_are_written(switching):
    """moto's own loops over a table's items (an index's Scan, DescribeTable's count) ran
    while a PutItem added an item: "dictionary changed size during iteration", a valid read
    refused. Every call now holds the items lock."""
    server = switching
    ddb = _client(server)
    name = "review3-index-race"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for batch in range(40):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"{batch}-{i}"}, "g": {"S": "x"}}}}
                    for i in range(25)
                ]
            }
        )
    errors: list[str] = []
    stop = threading.Event()

    def write(n: int) -> None:
        client = _client(server)
        i = 0
        while not stop.is_set():
            i += 1
            try:
                client.put_item(TableName=name, Item={"pk": {"S": f"w{n}-{i}"}, "g": {"S": "y"}})
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"PutItem: {exc}")

    def read(kind: str) -> None:
        client = _client(server)
        deadline = time.monotonic() + 4
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                if kind == "scan":
                    client.scan(TableName=name, IndexName="by-g", Limit=1)
                else:
                    client.describe_table(TableName=name)
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                errors.append(f"{kind}: {exc}")
                stop.set()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(2)]
    threads += [threading.Thread(target=read, args=(kind,)) for kind in ("scan", "describe")]
    for thread in threads:
        thread.start()
    for thread in threads[2:]:
        thread.join()
    stop.set()
    for thread in threads[:2]:
        thread.join()
    assert errors == []
