"""The built-in local DynamoDB: start-until-ready, status, and restart with data.

In one run, as ratios:
(1) `getdotenv dynamodb local start --port N --in-memory` (returns once a signed ListTables
    answers) against spawning moto's own server and polling ListTables with a ready-made
    boto3 client every 20 ms, rounds alternating; target at most 1.2x;
(2) `getdotenv dynamodb local status` against `getdotenv cmd true`, server running; target
    at most 1.3x;
(3) restart: `stop` (which saves the snapshot) then `start` (which restores it) with 0,
    10,000 and 100,000 items, against a cold `start` with no data; target: with 10,000 items
    at most 1.5x. The cost per item is (restart with N items - restart with none) / N.
    With `--against OTHER_VENV/bin`, that install (say the previous release) is timed the
    same way in the same run, in the same rounds (1, 2 and 3), and the per-item cost at the
    largest size is compared: target at most half of the other's.

The data is loaded through a format-1 snapshot (one JSON document, which every release
reads), so both installs start from the same file; each then saves in its own format.

    python benchmarks/local.py [--rounds 8] [--sizes 10000,100000] [--against OTHER_VENV/bin]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env, paired, table, time_once  # noqa: E402

BIN = Path(sys.executable).parent


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def local_client(port: int):
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://localhost:{port}",
        region_name="local",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def raw_start(port: int, env: dict[str, str]) -> float:
    client = local_client(port)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env={**env, "MOTO_ALLOW_NONEXISTENT_REGION": "True"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                client.list_tables(Limit=1)
                return time.perf_counter() - start
            except Exception:
                time.sleep(0.02)
    finally:
        proc.terminate()
        proc.wait()


def v1_snapshot(count: int) -> str:
    """A format-1 snapshot of one table with ``count`` items of about 130 bytes."""
    table = {
        "account": "123456789012",
        "region": "us-east-1",
        "create": {
            "TableName": "bench",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        },
        "ttl": None,
        "pitr": False,
        "items": [
            {"pk": {"S": f"item-{j}"}, "n": {"N": str(j)}, "body": {"S": "x" * 100}}
            for j in range(count)
        ],
    }
    head = {"format": "getdotenv-dynamodb-snapshot", "version": 1, "moto": "?", "written_at": ""}
    return json.dumps({**head, "tables": [table]}, separators=(",", ":"))


class Install:
    """One getdotenv install, run in project folders of its own."""

    def __init__(self, name: str, bindir: Path, env: dict[str, str], tmp: Path) -> None:
        self.name, self.exe, self.env, self.tmp = name, str(bindir / "getdotenv"), env, tmp
        self.count = 0

    def project(self, port: int) -> Path:
        self.count += 1
        folder = self.tmp / f"{self.name}-{self.count}"
        folder.mkdir()
        (folder / "package.json").write_text("{}")
        (folder / "getdotenv.config.yaml").write_text(
            f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      snapshotInterval: 0\n"
        )
        return folder

    def argv(self, *args: str) -> list[str]:
        return [self.exe, *args]

    def run(self, folder: Path, *args: str) -> float:
        return time_once(self.argv("dynamodb", "local", *args), cwd=str(folder), env=self.env)

    def restart(self, count: int, rounds: int) -> float:
        """Median seconds of `stop` + `start` with ``count`` items."""
        folder = self.project(free_port())
        data = folder / ".getdotenv" / "dynamodb-local"
        data.mkdir(parents=True, mode=0o700)
        (data / "snapshot.json").write_text(v1_snapshot(count))
        self.run(folder, "start", "--timeout", "600")
        times = []
        try:
            for _ in range(rounds):
                stop = self.run(folder, "stop", "--timeout", "600")
                times.append(stop + self.run(folder, "start", "--timeout", "600"))
        finally:
            self.run(folder, "stop", "--timeout", "600")
            shutil.rmtree(folder, ignore_errors=True)
        return statistics.median(times)

    def cold(self, rounds: int) -> float:
        """Median seconds of `start --in-memory` (the project's config cached, as usual)."""
        folder = self.project(free_port())
        self.run(folder, "start", "--in-memory")
        self.run(folder, "stop")
        times = []
        for _ in range(rounds):
            times.append(self.run(folder, "start", "--in-memory"))
            self.run(folder, "stop")
        return statistics.median(times)


def start_until_ready(installs: list[Install], rounds: int) -> bool:
    """Each round: every install's `start --in-memory` (then `stop`), then a raw moto server;
    ratios are medians of the per-round ratios."""
    mine: dict[str, list[float]] = {i.name: [] for i in installs}
    theirs: list[float] = []
    folders = {i.name: i.project(free_port()) for i in installs}
    for round_no in range(rounds + 1):  # the first round warms caches up, untimed
        for install in installs:
            folder = folders[install.name]
            took = install.run(folder, "start", "--port", str(free_port()), "--in-memory")
            install.run(folder, "stop")
            if round_no:
                mine[install.name].append(took)
        took = raw_start(free_port(), installs[0].env)
        if round_no:
            theirs.append(took)
    ours = installs[0].name
    ratio = statistics.median(a / b for a, b in zip(mine[ours], theirs, strict=True))
    met = ratio <= 1.2
    print(
        f"(1) start until ready: getdotenv {statistics.median(mine[ours]) * 1000:.0f} ms "
        f"({min(mine[ours]) * 1000:.0f}-{max(mine[ours]) * 1000:.0f}), raw moto server + "
        f"polling {statistics.median(theirs) * 1000:.0f} ms "
        f"({min(theirs) * 1000:.0f}-{max(theirs) * 1000:.0f}): {ratio:.2f}x "
        f"(target <= 1.2x: {'met' if met else 'MISSED'})"
    )
    for other in installs[1:]:
        times = mine[other.name]
        print(
            f"    {other.name}: {statistics.median(times) * 1000:.0f} ms "
            f"({min(times) * 1000:.0f}-{max(times) * 1000:.0f}), "
            f"{statistics.median(a / b for a, b in zip(times, theirs, strict=True)):.2f}x the raw "
            f"moto server; {ours} / {other.name}: "
            f"{statistics.median(a / b for a, b in zip(mine[ours], times, strict=True)):.2f}x"
        )
    return met


def status(installs: list[Install]) -> bool:
    ours = installs[0]
    commands = {"getdotenv cmd true": ours.argv("cmd", "true")}
    cwds: dict[str, str] = {}
    envs: dict[str, dict[str, str]] = {}
    folders = []
    for install in installs:
        folder = install.project(free_port())
        install.run(folder, "start")
        folders.append((install, folder))
        name = f"getdotenv dynamodb local status ({install.name})"
        commands[name] = install.argv("dynamodb", "local", "status")
        cwds[name] = str(folder)
        envs[name] = install.env
    try:
        results = paired(
            commands,
            baselines=["getdotenv cmd true"],
            cwd=str(folders[0][1]),
            env=ours.env,
            runs=20,
            cwds=cwds,
            envs=envs,
        )
    finally:
        for install, folder in folders:
            install.run(folder, "stop")
    print("\n(2) status")
    print(table(results, ["getdotenv cmd true"]))
    ratio = results[1].ratios["getdotenv cmd true"]
    met = ratio <= 1.3
    print(f"target status <= 1.3x cmd true: {ratio:.2f}x {'met' if met else 'MISSED'}")
    return met


def restarts(installs: list[Install], sizes: list[int], rounds: int) -> bool:
    print("\n(3) restart (stop + start) with data, medians")
    per_item: dict[str, float] = {}
    ok = True
    for install in installs:
        cold = install.cold(rounds)
        empty = install.restart(0, rounds)
        line = [f"{install.name}: cold start {cold:.2f} s, restart with no items {empty:.2f} s"]
        for size in sizes:
            took = install.restart(size, max(2, rounds // 2) if size > 10_000 else rounds)
            cost = (took - empty) / size * 1e6
            per_item[install.name] = cost
            line.append(
                f"  {size:,} items: {took:.2f} s = {took / cold:.2f}x the cold start, "
                f"{cost:.1f} us per item"
            )
            if size == 10_000 and install is installs[0]:
                met = took / cold <= 1.5
                ok &= met
                line[-1] += f" (target <= 1.5x: {'met' if met else 'MISSED'})"
        print("\n".join(line))
    if len(installs) > 1:
        ours, other = per_item[installs[0].name], per_item[installs[1].name]
        met = ours <= other / 2
        ok &= met
        print(
            f"cost per item at {sizes[-1]:,} items: {ours:.1f} us against {other:.1f} us "
            f"({installs[1].name}): {ours / other:.2f}x (target <= 0.5x: "
            f"{'met' if met else 'MISSED'})"
        )
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument(
        "--against", type=Path, metavar="BINDIR", help="bin folder of another getdotenv install"
    )
    ns = parser.parse_args()
    sizes = [int(s) for s in ns.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**bench_env(), "GETDOTENV_CACHE_DIR": str(Path(tmp, "cache"))}
        ours = Install("this", BIN, env, Path(tmp))
        installs = [ours]
        if ns.against:
            other_env = {**env, "GETDOTENV_CACHE_DIR": str(Path(tmp, "cache-other"))}
            installs.append(Install("against", ns.against, other_env, Path(tmp)))
        ok = start_until_ready(installs, ns.rounds)
        ok &= status(installs)
        ok &= restarts(installs, sizes, max(3, ns.rounds // 2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
