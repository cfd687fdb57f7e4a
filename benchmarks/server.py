"""Local DynamoDB servers side by side: the built-in one, a plain moto_server, and dynalite.

One run, every answer checked, in ``--rounds`` rounds: in each, every server is started afresh
(fresh tables), all are up at once and each operation runs on each server in turn (the order
rotating, and each round starting it elsewhere), so that the machine's drift falls on all of
them alike. Per operation it prints each server's median ops/s over the rounds, the median of
the per-round ratios against the other servers (ours / other: above 1 means ours is faster)
with their min..max, and the median CPU microseconds per operation of each server process (its
CPU-time clock: every thread, the server's own cost, which a busy machine disturbs less than
wall time) and of the clients (this process); plus launch-to-ready: ours is `getdotenv
dynamodb local start --in-memory` (returns once a signed ListTables answers, as a user feels
it); moto_server and dynalite are spawned and polled with ListTables every 20 ms.

Workload (issue 18): PutItem x3000, GetItem x3000, Query x300 (100 items each), ten full
Scans in pages of 250 (ops: the pages with items), BatchWriteItem x100 of 25, UpdateItem x500
with expressions, TransactWriteItems on a 5,500-item table, and a mixed read/write workload
from several client threads (each its own client, built before the clock starts). `--scale 0.1`
shrinks every count for a quick look; `--raw FILE` writes every round's figures as JSON.

dynalite is used when Node and npm are on PATH: `npm install dynalite` into
~/.cache/getdotenv-bench (once; the benchmark's own cache, not the product's). Without
Node, or when the install fails (no network), it is skipped with a note.

    python benchmarks/server.py [--rounds 3] [--scale 1.0] [--threads 4] [--launches 7]
        [--only ours,moto,dynalite] [--raw FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env  # noqa: E402

BIN = Path(sys.executable).parent
CACHE = Path.home() / ".cache" / "getdotenv-bench"


class Cost(NamedTuple):
    """One measured operation: its count and the wall, server CPU and client CPU seconds."""

    count: int
    wall: float
    server: float
    client: float


Step = Cost | None
Mark = tuple[float, float, float]


def cpu_clock(pid: int) -> Callable[[], float]:
    """CPU seconds (user + system, every thread, those ended too) process ``pid`` has used so
    far: its CPU-time clock (``clock_getcpuclockid``'s, nanoseconds), else /proc/<pid>/stat's
    utime + stime (clock ticks)."""
    clock = ((~pid) << 3) | 2  # MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED), as glibc builds it
    try:
        time.clock_gettime(clock)
        return lambda: time.clock_gettime(clock)
    except OSError:
        pass
    tick = os.sysconf("SC_CLK_TCK")

    def from_stat() -> float:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14, 15)

    from_stat()  # fails here, not mid-run, where there is no /proc
    return from_stat


class Meter:
    """Wall time, the server's CPU time and this process's (the clients') CPU time."""

    def __init__(self, pid: int) -> None:
        self.server = cpu_clock(pid)

    def mark(self) -> Mark:
        return time.perf_counter(), self.server(), time.process_time()

    def since(self, count: int, mark: Mark) -> Cost:
        wall, server, client = self.mark()
        return Cost(count, wall - mark[0], server - mark[1], client - mark[2])


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
    pid = 0  # the serving process, once started

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
        status = subprocess.run(
            [str(BIN / "getdotenv"), "dynamodb", "local", "status", "--json"],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
        )
        self.pid = int(json.loads(status.stdout)["pid"])  # the server `local start` spawned
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
        self.pid = self.proc.pid
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


def workload(c, scale: float, threads: int, port: int, meter: Meter) -> Iterator[tuple[str, Step]]:
    """(operation, its ``Cost`` or None where unsupported), one operation at a time, so that
    the servers can take turns; every answer is checked."""
    n = lambda k: max(1, int(k * scale))  # noqa: E731
    unsupported = False
    create(c, "bench")

    count = n(3000)
    t = meter.mark()
    for i in range(count):
        c.put_item(TableName="bench", Item=item(i))
    yield f"PutItem x{count}", meter.since(count, t)

    t = meter.mark()
    for i in range(count):
        got = c.get_item(TableName="bench", Key={"pk": {"S": f"g{i % 30}"}, "sk": {"N": str(i)}})
        check(got["Item"]["n"]["N"] == str(i * 3), f"GetItem {i}")
    yield f"GetItem x{count}", meter.since(count, t)

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
    t = meter.mark()
    for i in range(queries):
        got = c.query(
            TableName="query",
            KeyConditionExpression="pk = :p AND sk >= :s",
            ExpressionAttributeValues={":p": {"S": f"p{i % parts}"}, ":s": {"N": "0"}},
        )
        check(got["Count"] == per and "LastEvaluatedKey" not in got, f"Query {i}: {got['Count']}")
    yield f"Query x{queries} (100 items)", meter.since(queries, t)

    # Full scans of "bench" in pages of 250 (one is 12 pages, under 0.1 s: repeated, so that
    # a scheduler hiccup is not a tenth of the figure). The operations counted are the pages
    # with items: dynalite also answers a LastEvaluatedKey when the table ends exactly at a
    # page's limit (DynamoDB may: "not empty does not necessarily mean more data"), then an
    # empty page, whose time is included; ours and moto answer none there.
    scans = n(10)
    pages = 0
    t = meter.mark()
    for _ in range(scans):
        start_key = None
        seen = 0
        while True:
            kw = {"TableName": "bench", "Limit": 250}
            if start_key:
                kw["ExclusiveStartKey"] = start_key
            got = c.scan(**kw)
            pages += got["Count"] > 0
            seen += got["Count"]
            start_key = got.get("LastEvaluatedKey")
            if not start_key:
                break
        check(seen == count, f"Scan saw {seen} of {count}")
    yield f"Scan x{scans} full, pages of 250 (page)", meter.since(pages, t)

    batches = n(100)
    t = meter.mark()
    for b in range(batches):
        reqs = [{"PutRequest": {"Item": item(100000 + b * 25 + j)}} for j in range(25)]
        got = c.batch_write_item(RequestItems={"bench": reqs})
        check(not got.get("UnprocessedItems"), f"BatchWriteItem {b}")
    yield f"BatchWriteItem x{batches} of 25", meter.since(batches, t)

    updates = n(500)
    t = meter.mark()
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
    yield f"UpdateItem x{updates}", meter.since(updates, t)

    # TransactWriteItems against a 5,500-item table.
    create(c, "txn", range_key=False)
    size = n(5500)
    reqs = [{"PutRequest": {"Item": {"pk": {"S": f"t{j}"}, "v": {"N": "0"}}}} for j in range(size)]
    for k in range(0, size, 25):
        c.batch_write_item(RequestItems={"txn": reqs[k : k + 25]})
    txs = n(50)
    t = meter.mark()
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
        yield tx_label, meter.since(txs, t)

    # Mixed: several threads, each its own client (built before the clock starts: a boto3
    # client costs tens of milliseconds to make), 2 reads per write.
    per_thread = n(600)
    errors: list[str] = []
    clients = [client(port) for _ in range(threads)]
    go = threading.Barrier(threads + 1)

    def worker(w: int) -> None:
        mine = clients[w]
        go.wait()
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
    for th in pool:
        th.start()
    t = meter.mark()
    go.wait()
    for th in pool:
        th.join()
    check(not errors, "; ".join(errors[:3]))
    yield f"Mixed 2:1 get/put, {threads} threads", meter.since(per_thread * threads, t)


def run_round(
    servers: list[Server], order: list[str], args: argparse.Namespace
) -> dict[str, dict[str, Step]]:
    """One round: every server started afresh, then each operation run on each server in turn
    (the order rotating from ``order``), so that the machine's drift falls on all alike."""
    results: dict[str, dict[str, Step]] = {s.name: {} for s in servers}
    started: list[Server] = []
    try:
        for s in servers:
            s.start()
            started.append(s)
        steps = {
            s.name: workload(client(s.port), args.scale, args.threads, s.port, Meter(s.pid))
            for s in servers
        }
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
    return results


def median(values: list[float]) -> float:
    return statistics.median(values)


def report(
    rounds: list[dict[str, dict[str, Step]]], names: list[str], launch: dict[str, list[float]]
) -> None:
    """The table: per operation the median ops/s of each server over the rounds, the median of
    the per-round ratios ours/other (min..max when more than one round) and the median CPU
    microseconds per operation of each server and of the client (this process)."""
    others = [x for x in names if x != "ours"]
    many = len(rounds) > 1
    head = ["operation", *[f"{x} ops/s" for x in names]]
    if "ours" in names:
        head += [f"ours/{x}" + (" (min..max)" if many else "") for x in others]
    head += ["server CPU µs/op " + "/".join(names), "client CPU µs/op " + "/".join(names)]
    print("\n| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for op in rounds[0][names[0]]:
        costs = {x: [r[x].get(op) for r in rounds] for x in names}
        if any(c is None for x in names for c in costs[x]):  # unsupported (in some round)
            supported = [x for x in names if all(c is not None for c in costs[x])]
        else:
            supported = names
        got = {x: [c for c in costs[x] if c is not None] for x in supported}
        row = [op]
        for x in names:
            if x in supported:
                row.append(f"{median([c.count / c.wall for c in got[x]]):,.1f}")
            else:
                row.append("unsupported")
        if "ours" in names:
            for x in others:
                if "ours" not in supported or x not in supported:
                    row.append("–")
                    continue
                ratios = [
                    (a.count / a.wall) / (b.count / b.wall)
                    for a, b in zip(got["ours"], got[x], strict=True)
                ]
                cell = f"{median(ratios):.2f}x"
                if many:
                    cell += f" ({min(ratios):.2f}..{max(ratios):.2f})"
                row.append(cell)
        for side in ("server", "client"):
            cells = []
            for x in names:
                if x in supported:
                    cells.append(
                        f"{median([getattr(c, side) / c.count * 1e6 for c in got[x]]):,.0f}"
                    )
                else:
                    cells.append("–")
            row.append(" / ".join(cells))
        print("| " + " | ".join(row) + " |")
    row = ["launch to ready (s, median; min..max)"]
    row += [f"{median(launch[x]):.2f}; {min(launch[x]):.2f}..{max(launch[x]):.2f}" for x in names]
    if "ours" in names:
        for x in others:  # the median of the per-round ratios, as for the operations
            pairs = [a / b for a, b in zip(launch["ours"], launch[x], strict=True)]
            row.append(f"{median(pairs):.2f}x time ({min(pairs):.2f}..{max(pairs):.2f})")
    row += ["", ""]
    print("| " + " | ".join(row) + " |")
    print(
        "\nratios ours/other: ops/s above 1 = ours faster; launch is a time ratio (below 1 = ours"
        " faster)"
    )
    if many:
        print(
            f"{len(rounds)} rounds: ops/s and CPU are medians over the rounds, a ratio the median"
            " of the per-round ratios (min..max); client CPU is this process's (all clients)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the whole workload, each on fresh servers; medians are reported",
    )
    parser.add_argument("--launches", type=int, default=7, help="launch-to-ready rounds")
    parser.add_argument("--only", default="ours,moto,dynalite")
    parser.add_argument(
        "--raw", type=Path, help="also write every round's figures to this file (JSON)"
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
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
        for number in range(args.launches):  # alternating rounds, each in another order
            k = number % len(servers)
            for s in servers[k:] + servers[:k]:
                launch[s.name].append(s.start())
                s.stop()
        names = [s.name for s in servers]
        rounds = []
        for number in range(args.rounds):
            print(f"round {number + 1} of {args.rounds}", file=sys.stderr, flush=True)
            k = number % len(names)  # each round starts its rotation elsewhere
            rounds.append(run_round(servers, names[k:] + names[:k], args))
    report(rounds, names, launch)
    if args.raw:
        raw = {
            "launch": launch,
            "rounds": [
                {x: {op: c._asdict() if c else None for op, c in r[x].items()} for x in names}
                for r in rounds
            ],
        }
        args.raw.write_text(json.dumps(raw, indent=1) + "\n")


if __name__ == "__main__":
    main()
