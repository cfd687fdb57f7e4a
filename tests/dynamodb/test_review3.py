"""Findings of the attacker's pass on the built-in server (review3), each one through a real
server process: what a hostile or merely busy client could do, and that it no longer can."""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import socket
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


class Served:
    def __init__(self, endpoint: str, port: int, pid: int) -> None:
        self.endpoint, self.port, self.pid = endpoint, port, pid

    def peak_reset(self) -> None:
        """Start counting the process's peak memory (``VmHWM``) from now."""
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as out:
                out.write("5")
        except OSError:
            pytest.skip("cannot reset a process's peak memory here (/proc/PID/clear_refs)")

    def peak_kb(self) -> int:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
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
        yield Served(endpoint, port, proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_index_reads_and_describe_table_never_fail_while_items_are_written(served):
    """moto's own loops over a table's items (an index's Scan, DescribeTable's count) ran
    while a PutItem added an item: "dictionary changed size during iteration", a valid read
    refused. Every call now holds the items lock."""
    server = served.endpoint
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


SIGNED = (
    "AWS4-HMAC-SHA256 Credential=k/20250101/us-east-1/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0"
)


def _head(port: int, target: str, extra: str = "") -> bytes:
    return (
        f"POST / HTTP/1.1\r\nHost: localhost:{port}\r\n"
        "Content-Type: application/x-amz-json-1.0\r\n"
        f"X-Amz-Target: DynamoDB_20120810.{target}\r\nAuthorization: {SIGNED}\r\n{extra}\r\n"
    ).encode()


def _answer(sock: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        got = sock.recv(65536)
        assert got, data
        data += got
    head, _, rest = data.partition(b"\r\n\r\n")
    length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
    while len(rest) < length:
        rest += sock.recv(65536)
    return head + b"\r\n\r\n" + rest


def test_a_body_of_one_byte_chunks_costs_no_more_memory_than_its_size(served):
    """wire kept each chunk as a bytes object of its own (~50 bytes of memory per body byte:
    1 MB of one-byte chunks took ~90 MB, a 17 MB body gigabytes, per connection) and sliced
    the buffer at every line. Now: one bytearray, read through an offset."""
    ddb = _client(served.endpoint)
    ddb.create_table(
        TableName="review3-chunks",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    value = "".join(chr(97 + i % 26) for i in range(300_000))
    body = json.dumps(
        {"TableName": "review3-chunks", "Item": {"pk": {"S": "k"}, "v": {"S": value}}}
    ).encode()
    chunks = b"".join(b"1\r\n" + body[i : i + 1] + b"\r\n" for i in range(len(body)))
    served.peak_reset()
    before = served.peak_kb()
    with socket.create_connection(("127.0.0.1", served.port), timeout=120) as sock:
        sock.sendall(_head(served.port, "PutItem", "Transfer-Encoding: chunked\r\n"))
        sock.sendall(chunks + b"0\r\n\r\n")
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:300]
    grown = served.peak_kb() - before
    assert grown < 12_000, f"peak memory grew by {grown} kB for a {len(body)}-byte body"
    item = ddb.get_item(TableName="review3-chunks", Key={"pk": {"S": "k"}})["Item"]
    assert item["v"]["S"] == value


@pytest.mark.parametrize(
    ("operation", "field", "request_"),
    [
        (
            "UpdateItem",
            "UpdateExpression",
            {"Key": {"pk": {"S": "k"}}, "ExpressionAttributeValues": {":v": {"S": "1"}}},
        ),
        ("PutItem", "ConditionExpression", {"Item": {"pk": {"S": "k"}}}),
        ("Scan", "FilterExpression", {}),
        ("GetItem", "ProjectionExpression", {"Key": {"pk": {"S": "k"}}}),
    ],
)
def test_an_expression_over_4_kb_is_refused_as_dynamodb_refuses_it(
    served, operation, field, request_
):
    """DynamoDB refuses an expression over 4,096 bytes; moto parsed it, in time quadratic in
    its length: an UpdateExpression with 64 KB of blanks inside held the server's CPU for
    half a minute, 1 MB for hours (SIGTERM did not stop it)."""
    ddb = _client(served.endpoint)
    name = "review3-expressions"
    with contextlib.suppress(ddb.exceptions.ResourceInUseException):
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    texts = {
        "UpdateExpression": ("SET a = :v", ", b = :v"),
        "ConditionExpression": ("attribute_not_exists(y)", " OR attribute_not_exists(z)"),
        "FilterExpression": ("attribute_not_exists(a)", " OR attribute_not_exists(b)"),
        "ProjectionExpression": ("a", ", b"),
    }
    start, end = texts[field]
    at_limit = start + " " * (4096 - len(start) - len(end)) + end
    call = getattr(ddb, re.sub(r"(?<!^)([A-Z])", r"_\1", operation).lower())
    call(TableName=name, **request_, **{field: at_limit})  # 4,096 bytes: served
    over = start + " " * (4097 - len(start) - len(end)) + end  # 4,097 bytes
    with pytest.raises(ddb.exceptions.ClientError) as refused:
        call(TableName=name, **request_, **{field: over})
    error = refused.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"] == (
        f"Invalid {field}: Expression size has exceeded the maximum allowed size; "
        f"expression size: {len(over)}"
    )
    assert ddb.list_tables()["TableNames"]  # and the server answers at once


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_condition_parses_holding_large_values_are_not_kept(served):
    """updates.cached_conditions kept up to 512 parses with the values they embed: a test suite
    sending conditions against distinct 1 MB values kept every one of them (512 of DynamoDB's
    2 MB values: gigabytes). A parse whose values are large is not kept now."""
    ddb = _client(served.endpoint)
    name = "review3-kept-values"
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def put(i: int) -> None:
        ddb.put_item(
            TableName=name,
            Item={"pk": {"S": "k"}},
            ConditionExpression="attribute_not_exists(q) OR q <> :v",
            ExpressionAttributeValues={":v": {"S": str(i).rjust(1_000_000, "x")}},
        )

    for i in range(3):  # the allocator's pools, once
        put(i)
    before = _rss_kb(served.pid)
    for i in range(3, 43):
        put(i)
    grown = _rss_kb(served.pid) - before
    assert grown < 30_000, f"40 conditions with 1 MB values left {grown} kB more memory in use"


@pytest.mark.parametrize("framing", ["Content-Length: 100", "Transfer-Encoding: chunked"])
def test_a_body_dribbled_slowly_is_refused_in_bounded_time(framing):
    """A body had no deadline, only the idle timeout of each read: a client sending a byte a
    minute held its connection's thread (and buffer) for as long as it liked. Now the body
    must be here within head_seconds plus its length at BODY_RATE (wire.Server over real
    sockets, with short limits)."""
    from dynamodb_plugin.local import wire

    def app(environ: dict, start_response) -> list[bytes]:  # noqa: ANN001
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"served"]

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(4)
    srv = wire.Server(sock, app, idle_seconds=5, head_seconds=0.3, body_limit=1000)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        with socket.create_connection(srv.server_address, timeout=10) as client:
            client.sendall(f"POST / HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n".encode())
            started = time.monotonic()
            answer = b""
            while time.monotonic() - started < 4 and not answer:
                with contextlib.suppress(OSError):  # once refused, a send may be reset
                    client.sendall(b"1\r\nx\r\n" if "chunked" in framing else b"x")
                ready, _, _ = select.select([client], [], [], 0.1)
                if ready:
                    answer = client.recv(65536)
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"request body not complete in time" in answer
    finally:
        srv.shutdown()
        thread.join(5)
