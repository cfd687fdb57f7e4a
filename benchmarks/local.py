"""The built-in local DynamoDB: start-until-ready, status, and restart with data.

In one run, as ratios:
(1) `getdotenv dynamodb local start` (returns once a signed ListTables answers) against
    spawning moto's own server and polling ListTables with a ready-made boto3 client every
    20 ms; target at most 1.5x;
(2) `getdotenv dynamodb local status` against `getdotenv cmd true`, server running; target
    at most 1.3x;
(3) `stop` then `start` with 10,000 items (snapshot written, then restored) against a cold
    `start` with no data; reported.

    python benchmarks/local.py [--rounds 8]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env, paired, table, time_once  # noqa: E402

BIN = Path(sys.executable).parent


def gd(*args: str) -> list[str]:
    return [str(BIN / "getdotenv"), *args]


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


def fill(port: int, count: int) -> None:
    c = local_client(port)
    c.create_table(
        TableName="bench",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(0, count, 25):
        c.batch_write_item(
            RequestItems={
                "bench": [
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"item-{j}"},
                                "n": {"N": str(j)},
                                "body": {"S": "x" * 100},
                            }
                        }
                    }
                    for j in range(i, min(i + 25, count))
                ]
            }
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    ns = parser.parse_args()
    env = bench_env()
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "package.json").write_text("{}")
        env["GETDOTENV_CACHE_DIR"] = str(folder / "cache")
        cwd = str(folder)

        ours, theirs = [], []
        for _ in range(ns.rounds):
            port = free_port()
            ours.append(
                time_once(
                    gd("dynamodb", "local", "start", "--port", str(port), "--in-memory"),
                    cwd=cwd,
                    env=env,
                )
            )
            subprocess.run(
                gd("dynamodb", "local", "stop"), cwd=cwd, env=env, capture_output=True, check=True
            )
            theirs.append(raw_start(free_port(), env))
        ratio = statistics.median(a / b for a, b in zip(ours, theirs, strict=True))
        print(
            f"(1) start until ready: getdotenv {statistics.median(ours) * 1000:.0f} ms, raw moto server + "
            f"polling {statistics.median(theirs) * 1000:.0f} ms: {ratio:.2f}x (target <= 1.5x: "
            f"{'met' if ratio <= 1.5 else 'MISSED'})"
        )
        ok &= ratio <= 1.5

        port = free_port()
        subprocess.run(
            gd("dynamodb", "local", "start", "--port", str(port)),
            cwd=cwd,
            env=env,
            capture_output=True,
            check=True,
        )
        try:
            results = paired(
                {
                    "getdotenv cmd true": gd("cmd", "true"),
                    "getdotenv dynamodb local status": gd(
                        "dynamodb", "local", "status", "--port", str(port)
                    ),
                },
                baselines=["getdotenv cmd true"],
                cwd=cwd,
                env=env,
                runs=20,
            )
            print("\n(2) status")
            print(table(results, ["getdotenv cmd true"]))
            status_ratio = results[1].ratios["getdotenv cmd true"]
            print(
                f"target status <= 1.3x cmd true: {status_ratio:.2f}x {'met' if status_ratio <= 1.3 else 'MISSED'}"
            )
            ok &= status_ratio <= 1.3
            fill(port, 10_000)
        finally:
            t0 = time.perf_counter()
            subprocess.run(
                gd("dynamodb", "local", "stop"), cwd=cwd, env=env, capture_output=True, check=True
            )
            stop_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            gd("dynamodb", "local", "start", "--port", str(port)),
            cwd=cwd,
            env=env,
            capture_output=True,
            check=True,
        )
        warm_s = time.perf_counter() - t0
        subprocess.run(
            gd("dynamodb", "local", "stop"), cwd=cwd, env=env, capture_output=True, check=True
        )
        cold = []
        for _ in range(3):
            cold.append(
                time_once(
                    gd("dynamodb", "local", "start", "--port", str(free_port()), "--in-memory"),
                    cwd=cwd,
                    env=env,
                )
            )
            subprocess.run(
                gd("dynamodb", "local", "stop"), cwd=cwd, env=env, capture_output=True, check=True
            )
        cold_s = statistics.median(cold)
        print(
            f"\n(3) 10,000 items: stop (snapshot) {stop_s:.2f} s + start (restore) {warm_s:.2f} s = "
            f"{stop_s + warm_s:.2f} s, against a cold start {cold_s:.2f} s: {(stop_s + warm_s) / cold_s:.1f}x"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
