"""Local DynamoDB servers side by side: the built-in one, a plain moto_server, and dynalite.

One run, fresh servers, every answer checked, all servers up at once and each operation run on
each server in turn (the order rotating), so that the machine's drift falls on all of them
alike; prints ops/s per operation and ratios against the other servers (ours / other: above 1 means ours is faster), plus launch-to-ready:
ours is `getdotenv dynamodb local start --in-memory` (returns once a signed ListTables
answers, as a user feels it); moto_server and dynalite are spawned and polled with
ListTables every 20 ms.

Workload (issue 18): PutItem x3000, GetItem x3000, Query x300 (100 items each), a full
Scan in pages of 250, BatchWriteItem x100 of 25, UpdateItem x500 with expressions,
TransactWriteItems on a 5,500-item table, and a mixed read/write workload from several
client threads. `--scale 0.1` shrinks every count for a quick look.

dynalite is used when Node and npm are on PATH: `npm install dynalite` into
~/.cache/getdotenv-bench (once; the benchmark's own cache, not the product's). Without
Node, or when the install fails (no network), it is skipped with a note.

    python benchmarks/server.py [--scale 1.0] [--threads 4] [--only ours,moto,dynalite]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env  # noqa: E402

BIN = Path(sys.executable).parent
Step = tuple[int, float] | None
CACHE = Path.home() / ".cache" / "getdotenv-bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def client(port: int):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=32),
    )


def wait_ready(c, proc: subprocess.Popen[bytes], start: float) -> float:
    """Seconds from ``start`` to the first ListTables ``c`` gets answered (tried every 20 ms)."""
    while True:
        if proc.poll() is not None:
            raise SystemExit(
                f"server at {c.meta.endpoint_url} exited ({proc.returncode}) before answering"
            )
        try:
            c.list_tables(Limit=1)
            return time.perf_counter() - start
        except Exception:
            time.sleep(0.02)


class Server:
    name = ""
    port = 0

    def start(self) -> float:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class Ours(Server):
    name = "ours"

    def __init__(self, env: dict[str, str], tmp: Path) -> None:
        self.env, self.tmp, self.count = env, tmp, 0

    def start(self) -> float:
        self.count += 1
        self.port = free_port()
        self.folder = self.tmp / f"ours-{self.count}"
        self.folder.mkdir()
        (self.folder / "package.json").write_text("{}")
        (self.folder / "getdotenv.config.yaml").write_text(
            f"plugins:\n  dynamodb:\n    local:\n      port: {self.port}\n      snapshotInterval: 0\n"
        )
        argv = [str(BIN / "getdotenv"), "dynamodb", "local", "start", "--in-memory"]
        begin = time.perf_counter()
        done = subprocess.run(argv, cwd=self.folder, env=self.env, capture_output=True, text=True)
        took = time.perf_counter() - begin
        if done.returncode != 0:
            raise SystemExit(f"getdotenv dynamodb local start failed: {done.stderr.strip()}")
        return took

    def stop(self) -> None:
        subprocess.run(
            [str(BIN / "getdotenv"), "dynamodb", "local", "stop"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
        )


class Spawned(Server):
    def __init__(self, name: str, argv: Callable[[int], list[str]], env: dict[str, str]) -> None:
        self.name, self.argv, self.env = name, argv, env

    def start(self) -> float:
        self.port = free_port()
        c = client(self.port)  # built before the clock starts: only the server's time counts
        begin = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv(self.port),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return wait_ready(c, self.proc, begin)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def dynalite_argv() -> tuple[Callable[[int], list[str]] | None, str]:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, "dynalite skipped: node/npm not on PATH"
    cli = CACHE / "node_modules" / "dynalite" / "cli.js"
    if not cli.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "dynalite"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if done.returncode != 0 or not cli.exists():
            tail = (done.stderr.strip().splitlines() or ["?"])[-1]
            return None, f"dynalite skipped: npm install dynalite failed ({tail})"
    return (lambda port: [node, str(cli), "--port", str(port)]), "dynalite from " + str(cli)


# --- the workload -----------------------------------------------------------------------


def check(cond: bool, what: str) -> None:
    if not cond:
        raise SystemExit(f"wrong answer: {what}")


def create(c, name: str, range_key: bool = True) -> None:
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
    c.create_table(
        TableName=name,
        KeySchema=keys,
        AttributeDefinitions=attrs,
        BillingMode="PAY_PER_REQUEST",
    )
    for _ in range(200):
        if c.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.05)


def item(i: int, groups: int = 30) -> dict:
    return {
        "pk": {"S": f"g{i % groups}"},
        "sk": {"N": str(i)},
        "body": {"S": "x" * 100},
        "n": {"N": str(i * 3)},
        "tags": {"SS": ["a", "b", str(i)]},
    }


def workload(c, scale: float, threads: int, port: int) -> Iterator[tuple[str, Step]]:
    """(operation, (count, seconds) or None where unsupported), one operation at a time, so
    that the servers can take turns; every answer is checked."""
    n = lambda k: max(1, int(k * scale))  # noqa: E731
    unsupported = False
    create(c, "bench")

    count = n(3000)
    t = time.perf_counter()
    for i in range(count):
        c.put_item(TableName="bench", Item=item(i))
    yield f"PutItem x{count}", (count, time.perf_counter() - t)

    t = time.perf_counter()
    for i in range(count):
        got = c.get_item(TableName="bench", Key={"pk": {"S": f"g{i % 30}"}, "sk": {"N": str(i)}})
        check(got["Item"]["n"]["N"] == str(i * 3), f"GetItem {i}")
    yield f"GetItem x{count}", (count, time.perf_counter() - t)

    # Query: 100 items each from a table whose partitions hold 100 items (plus the others).
    create(c, "query")
    per = 100
    parts = 10
    with_items = [
        {"PutRequest": {"Item": {**item(j), "pk": {"S": f"p{j % parts}"}}}}
        for j in range(per * parts)
    ]
    for k in range(0, len(with_items), 25):
        c.batch_write_item(RequestItems={"query": with_items[k : k + 25]})
    queries = n(300)
    t = time.perf_counter()
    for i in range(queries):
        got = c.query(
            TableName="query",
            KeyConditionExpression="pk = :p AND sk >= :s",
            ExpressionAttributeValues={":p": {"S": f"p{i % parts}"}, ":s": {"N": "0"}},
        )
        check(got["Count"] == per and "LastEvaluatedKey" not in got, f"Query {i}: {got['Count']}")
    yield f"Query x{queries} (100 items)", (queries, time.perf_counter() - t)

    # Full scan of "bench" in pages of 250.
    pages = 0
    t = time.perf_counter()
    start_key = None
    seen = 0
    while True:
        kw = {"TableName": "bench", "Limit": 250}
        if start_key:
            kw["ExclusiveStartKey"] = start_key
        got = c.scan(**kw)
        pages += 1
        seen += got["Count"]
        start_key = got.get("LastEvaluatedKey")
        if not start_key:
            break
    check(seen == count, f"Scan saw {seen} of {count}")
    yield "Scan, pages of 250 (page)", (pages, time.perf_counter() - t)

    batches = n(100)
    t = time.perf_counter()
    for b in range(batches):
        reqs = [{"PutRequest": {"Item": item(100000 + b * 25 + j)}} for j in range(25)]
        got = c.batch_write_item(RequestItems={"bench": reqs})
        check(not got.get("UnprocessedItems"), f"BatchWriteItem {b}")
    yield f"BatchWriteItem x{batches} of 25", (batches, time.perf_counter() - t)

    updates = n(500)
    t = time.perf_counter()
    for i in range(updates):
        got = c.update_item(
            TableName="bench",
            Key={"pk": {"S": f"g{i % 30}"}, "sk": {"N": str(i)}},
            UpdateExpression="SET #n = #n + :one, body = :b ADD tags :t REMOVE #gone",
            ConditionExpression="attribute_exists(pk) AND #n >= :zero",
            ExpressionAttributeNames={"#n": "n", "#gone": "gone_attr"},
            ExpressionAttributeValues={
                ":one": {"N": "1"},
                ":b": {"S": "y" * 50},
                ":t": {"SS": ["u"]},
                ":zero": {"N": "0"},
            },
            ReturnValues="ALL_NEW",
        )
        check(got["Attributes"]["n"]["N"] == str(i * 3 + 1), f"UpdateItem {i}")
    yield f"UpdateItem x{updates}", (updates, time.perf_counter() - t)

    # TransactWriteItems against a 5,500-item table.
    create(c, "txn", range_key=False)
    size = n(5500)
    reqs = [{"PutRequest": {"Item": {"pk": {"S": f"t{j}"}, "v": {"N": "0"}}}} for j in range(size)]
    for k in range(0, size, 25):
        c.batch_write_item(RequestItems={"txn": reqs[k : k + 25]})
    txs = n(50)
    t = time.perf_counter()
    tx_label = f"TransactWriteItems x{txs} (4 updates, {size}-item table)"
    for i in range(txs):
        try:
            c.transact_write_items(
                TransactItems=[
                    {
                        "Update": {
                            "TableName": "txn",
                            "Key": {"pk": {"S": f"t{(i * 4 + j) % size}"}},
                            "UpdateExpression": "SET v = v + :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    }
                    for j in range(4)
                ]
            )
        except c.exceptions.ClientError as exc:  # dynalite has no transactions
            if exc.response["Error"]["Code"] != "UnknownOperationException":
                raise
            unsupported = True
            yield tx_label, None
            break
    if not unsupported:
        got = c.get_item(TableName="txn", Key={"pk": {"S": "t0"}})
        check(int(got["Item"]["v"]["N"]) >= 1, "TransactWriteItems applied")
        yield tx_label, (txs, time.perf_counter() - t)

    # Mixed: several threads, each its own client, 2 reads per write.
    per_thread = n(600)
    errors: list[str] = []

    def worker(w: int) -> None:
        mine = client(port)
        try:
            for i in range(per_thread):
                key = {"pk": {"S": f"g{i % 30}"}, "sk": {"N": str(i % count)}}
                if i % 3 == 2:
                    mine.put_item(TableName="bench", Item={**item(i % count), "w": {"N": str(w)}})
                else:
                    got = mine.get_item(TableName="bench", Key=key)
                    if "Item" not in got:
                        errors.append(f"mixed {w}/{i}: missing item")
        except Exception as exc:  # a failed answer is a wrong answer
            errors.append(f"mixed {w}: {exc}")

    pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    t = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    check(not errors, "; ".join(errors[:3]))
    yield f"Mixed 2:1 get/put, {threads} threads", (per_thread * threads, time.perf_counter() - t)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--launches", type=int, default=3, help="launch-to-ready rounds")
    parser.add_argument("--only", default="ours,moto,dynalite")
    args = parser.parse_args()
    env = bench_env()
    env.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "True")
    wanted = args.only.split(",")
    with tempfile.TemporaryDirectory() as tmpname:
        tmp = Path(tmpname)
        home = tmp / "home"
        home.mkdir()
        env = {**env, "HOME": str(home)} if "HOME" in os.environ else env
        servers: list[Server] = []
        if "ours" in wanted:
            servers.append(Ours(env, tmp))
        if "moto" in wanted:
            moto = str(BIN / "moto_server")
            servers.append(Spawned("moto", lambda p: [moto, "-H", "127.0.0.1", "-p", str(p)], env))
        if "dynalite" in wanted:
            argv, note = dynalite_argv()
            print(note)
            if argv:
                servers.append(Spawned("dynalite", argv, env))
        launch: dict[str, list[float]] = {s.name: [] for s in servers}
        for _ in range(args.launches):  # alternating rounds
            for s in servers:
                launch[s.name].append(s.start())
                s.stop()
        # Every server up at once; each operation runs on each server in turn (the order
        # rotating), so the machine's drift falls on all of them alike.
        results: dict[str, dict[str, Step]] = {s.name: {} for s in servers}
        started: list[Server] = []
        try:
            for s in servers:
                s.start()
                started.append(s)
            steps = {
                s.name: workload(client(s.port), args.scale, args.threads, s.port) for s in servers
            }
            order = [s.name for s in servers]
            while True:
                done = False
                for name in order:
                    step = next(steps[name], None)
                    if step is None:
                        done = True
                        continue
                    results[name][step[0]] = step[1]
                    print(f"{step[0]} on {name}", file=sys.stderr, flush=True)
                if done:
                    break
                order = order[1:] + order[:1]
        finally:
            for s in started:
                s.stop()
    names = [s.name for s in servers]
    others = [x for x in names if x != "ours"]
    head = ["operation", *[f"{x} ops/s" for x in names]]
    if "ours" in names:
        head += [f"ours/{x}" for x in others]
    print("\n| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for op in next(iter(results.values())):
        rate: dict[str, float | None] = {}
        for x in names:
            got = results[x].get(op)
            rate[x] = got[0] / got[1] if got else None
        row = [op, *["unsupported" if rate[x] is None else f"{rate[x]:,.1f}" for x in names]]
        if "ours" in names:
            mine = rate["ours"]
            for x in others:
                theirs = rate[x]
                row.append(f"{mine / theirs:.2f}x" if mine and theirs else "–")
        print("| " + " | ".join(row) + " |")
    row = ["launch to ready (s, min..max)"]
    row += [f"{min(launch[x]):.2f}..{max(launch[x]):.2f}" for x in names]
    if "ours" in names:
        mid = {x: sorted(launch[x])[len(launch[x]) // 2] for x in names}
        row += [f"{mid['ours'] / mid[x]:.2f}x time" for x in others]
    print("| " + " | ".join(row) + " |")
    print(
        "\nratios ours/other: ops/s above 1 = ours faster; launch is a time ratio (below 1 = ours faster)"
    )


if __name__ == "__main__":
    main()
