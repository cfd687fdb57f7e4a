"""`dynamodb tables migrate` of 20,000 items on the built-in local server, against a plain loop.

Baseline, in the same run and against the same server: a boto3 loop that scans the source page
by page and writes each item with `put_item`, one request per item (client built beforehand).
Ours: the whole `getdotenv dynamodb tables migrate --force` process (start-up included). Target:
at least 10x faster.

    python benchmarks/migrate.py [--items 20000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env  # noqa: E402

TABLE = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: placeholder
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions:
    - { AttributeName: pk, AttributeType: S }
  KeySchema:
    - { AttributeName: pk, KeyType: HASH }
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20_000)
    ns = parser.parse_args()
    gd = str(Path(sys.executable).parent / "getdotenv")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "package.json").write_text("{}")
        (root / ".env").write_text("SERVICE_NAME=bench\nSTAGE=local\n")
        (root / "tables").mkdir()
        (root / "tables" / "table.template.yml").write_text(TABLE)
        env = {**bench_env(), "GETDOTENV_CACHE_DIR": str(root / "cache")}

        def run(*args: str) -> str:
            return subprocess.run(
                [gd, *args], cwd=root, env=env, capture_output=True, text=True, check=True
            ).stdout

        run("dynamodb", "local", "start", "--port", "0", "--in-memory")
        try:
            endpoint = run("cmd", "printf %s $DYNAMODB_LOCAL_ENDPOINT")
            for version in ("0", "1"):
                run("dynamodb", "tables", "generate", "--version", version)
            run("dynamodb", "tables", "create", "--version", "0", "--allow-non-latest")
            run("dynamodb", "tables", "create", "--version", "1")
            import boto3

            client = boto3.client(
                "dynamodb",
                endpoint_url=endpoint,
                region_name="local",
                aws_access_key_id="local",
                aws_secret_access_key="local",
            )
            client.create_table(
                TableName="bench-baseline",
                BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            )
            for start in range(0, ns.items, 25):
                client.batch_write_item(
                    RequestItems={
                        "bench-local-000": [
                            {
                                "PutRequest": {
                                    "Item": {
                                        "pk": {"S": f"item-{i:06d}"},
                                        "n": {"N": str(i)},
                                        "body": {"S": "x" * 100},
                                    }
                                }
                            }
                            for i in range(start, min(start + 25, ns.items))
                        ]
                    }
                )

            t0 = time.perf_counter()
            copied = 0
            for page in client.get_paginator("scan").paginate(TableName="bench-local-000"):
                for item in page["Items"]:
                    client.put_item(TableName="bench-baseline", Item=item)
                    copied += 1
            baseline = time.perf_counter() - t0

            t0 = time.perf_counter()
            summary = json.loads(
                run("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
            )
            ours = time.perf_counter() - t0
        finally:
            run("dynamodb", "local", "stop")
    assert copied == ns.items and summary["written"] == ns.items, (copied, summary)
    speedup = baseline / ours
    print(
        f"migrate {ns.items:,} items: getdotenv {ours:.2f} s ({summary['segments']} segment(s), "
        f"{summary['items_per_second']:,} items/s inside), put_item loop {baseline:.2f} s: "
        f"{speedup:.1f}x faster (target >= 10x: {'met' if speedup >= 10 else 'MISSED'})"
    )
    return 0 if speedup >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
