"""``tables migrate`` at scale: a parallel scan, throttling, a write-rate cap, and a checkpoint
that an interrupted (even killed) run resumes from.

Throttling is injected with botocore's own event hooks into the CLI's client, against moto's
in-process AWS mock (AWS itself is out of reach); the kill is a real SIGKILL of a real CLI
process migrating on the built-in local server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from dynamodb_plugin import aws
from dynamodb_plugin.tables import migrate

TEMPLATE = """\
Type: AWS::DynamoDB::Table
Properties:
  TableName: placeholder
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions:
    - { AttributeName: pk, AttributeType: S }
  KeySchema:
    - { AttributeName: pk, KeyType: HASH }
"""
RESHAPE = "def transform(item):\n    return {**item, 'v': 2, 'was': item['pk']}\n"


def _project(project, env: str) -> Path:
    return project({".env": env, "tables/table.template.yml": TEMPLATE})


def _versions(dcli, root: Path, transform: str = RESHAPE) -> None:
    for version in ("0", "1"):
        assert dcli("dynamodb", "tables", "generate", "--version", version).code == 0
    (root / "tables/001/transform.py").write_text(transform)
    assert dcli("dynamodb", "tables", "create", "--version", "0", "--allow-non-latest").code == 0
    assert dcli("dynamodb", "tables", "create", "--version", "1").code == 0


def _fill(client, table: str, count: int) -> None:
    for start in range(0, count, 25):
        client.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": f"k{i:05d}"}, "n": {"N": str(i)}}}}
                    for i in range(start, min(count, start + 25))
                ]
            }
        )


def _all(client, table: str) -> dict[str, dict]:
    items = {}
    for page in client.get_paginator("scan").paginate(TableName=table):
        items.update({item["pk"]["S"]: item for item in page["Items"]})
    return items


def _summary(out) -> dict:
    assert out.code == 0, out
    return json.loads(out.out)


class Throttler:
    """botocore ``before-call`` hooks: every third Scan and every third BatchWriteItem is
    refused with ProvisionedThroughputExceededException, and another third stores only half
    of its items and hands the rest back as unprocessed (as DynamoDB does under load)."""

    def __init__(self, plain) -> None:
        self.plain = plain  # a client without the hooks, for the half that is stored
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    @staticmethod
    def _answer(status: int, parsed: dict):
        from botocore.awsrequest import AWSResponse

        return AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", status, {}, None), {
            **parsed,
            "ResponseMetadata": {"HTTPStatusCode": status},
        }

    def before_call(self, model, params, **_):
        with self.lock:
            self.calls[model.name] += 1
            n = self.calls[model.name]
        if model.name not in ("Scan", "BatchWriteItem") or n % 3 == 1:
            return None
        if n % 3 == 0:
            with self.lock:
                self.refused[model.name] += 1
            return self._answer(
                400,
                {
                    "Error": {
                        "Code": "ProvisionedThroughputExceededException",
                        "Message": "injected: the level of configured provisioned throughput "
                        "for the table was exceeded",
                    }
                },
            )
        if model.name != "BatchWriteItem":
            return None
        request = json.loads(params["body"])["RequestItems"]  # S and N only: wire == input
        ((table, requests),) = request.items()
        half = len(requests) // 2
        if half:
            self.plain.batch_write_item(RequestItems={table: requests[:half]})
        with self.lock:
            self.refused["unprocessed"] += len(requests) - half
        return self._answer(200, {"UnprocessedItems": {table: requests[half:]}})


@pytest.fixture
def on_aws(project, dcli):
    """Two table versions on "AWS" (moto's in-process mock, entered for the test): yields the
    project folder and a plain client (no hooks) of the same mock."""
    import boto3
    from moto import mock_aws

    root = _project(
        project,
        "SERVICE_NAME=orders\nSTAGE=prod\nDYNAMODB_LOCAL_ENDPOINT=\nAWS_REGION=us-east-1\n",
    )
    with mock_aws():
        _versions(dcli, root)
        yield root, boto3.client("dynamodb", region_name="us-east-1")


def test_a_parallel_migration_under_throttling_loses_nothing(on_aws, dcli, monkeypatch):
    root, plain = on_aws
    _fill(plain, "orders-prod-000", 600)
    throttler = Throttler(plain)
    made = aws.client

    def client_with_hooks(env, where):
        client = made(env, where)
        client.meta.events.register("before-call.dynamodb.*", throttler.before_call)
        return client

    monkeypatch.setattr(aws, "client", client_with_hooks)
    summary = _summary(
        dcli(
            "dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force",
            "--segments", "4", "--page-size", "40", "--concurrency", "4",
        )
    )  # fmt: skip
    assert throttler.refused["Scan"] > 0 and throttler.refused["BatchWriteItem"] > 0
    assert throttler.refused["unprocessed"] > 0
    assert (summary["read"], summary["written"], summary["segments"]) == (600, 600, 4)
    assert summary["throttled"] >= throttler.refused["Scan"] + throttler.refused["BatchWriteItem"]
    target = _all(plain, "orders-prod-001")
    assert sorted(target) == [f"k{i:05d}" for i in range(600)]
    assert all(item["v"] == {"N": "2"} and item["was"] == item["pk"] for item in target.values())
    assert len(_all(plain, "orders-prod-000")) == 600  # the source is only read
    assert not list((root / ".getdotenv" / "migrate").glob("*.json"))  # done: no checkpoint


def test_a_batch_refused_again_and_again_stops_the_run_and_keeps_its_place(
    on_aws, dcli, monkeypatch
):
    _root, plain = on_aws
    monkeypatch.setattr(migrate, "MAX_THROTTLED", 3)
    monkeypatch.setattr(migrate, "_backoff", lambda attempt: 0.001)
    _fill(plain, "orders-prod-000", 60)
    made = aws.client
    writes = Counter()

    def refuse_after_two_batches(model, **_):
        if model.name == "BatchWriteItem":
            writes["n"] += 1
            if writes["n"] > 2:
                return Throttler._answer(
                    400, {"Error": {"Code": "ThrottlingException", "Message": "injected"}}
                )
        return None

    def client_with_hooks(env, where):
        client = made(env, where)
        client.meta.events.register("before-call.dynamodb.*", refuse_after_two_batches)
        return client

    monkeypatch.setattr(aws, "client", client_with_hooks)
    args = ("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
    out = dcli(*args, "--page-size", "25", "--concurrency", "1")
    assert out.code == 1
    assert out.err.splitlines()[-1].startswith(
        "getdotenv: error: writing orders-prod-001: DynamoDB refused a batch of 10 items 3 "
        "times in a row (ThrottlingException); nothing was dropped: resume with --resume "
        "once the table has capacity (or lower --max-rate / --concurrency); migrate stopped "
        "with 50 items written for good; the same command with --resume continues from "
        ".getdotenv/migrate/"
    ), out.err
    monkeypatch.setattr(aws, "client", made)
    done = _summary(dcli(*args, "--resume"))
    assert done["resumed"]["read"] == 50 and done["read"] == 10
    assert len(_all(plain, "orders-prod-001")) == 60


def test_max_rate_caps_the_write_capacity_spent(on_aws, dcli):
    _root, plain = on_aws
    _fill(plain, "orders-prod-000", 150)
    started = time.monotonic()
    args = ("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")
    summary = _summary(dcli(*args, "--max-rate", "100"))
    took = time.monotonic() - started
    # 150 puts of one unit each at 100 a second: the first batch goes at once, the rest wait
    assert summary["max_rate"] == 100 and summary["written"] == 150
    assert took >= 1.2, took


def test_a_killed_migration_resumes_from_its_checkpoint_reading_less(
    project, dcli, server, monkeypatch
):
    import boto3

    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", server)
    service = f"svc{uuid.uuid4().hex[:8]}"
    root = _project(project, f"SERVICE_NAME={service}\nSTAGE=test\n")
    slow = (
        "import time\n\ndef transform(item):\n    time.sleep(0.004)\n    return {**item, 'v': 2}\n"
    )
    _versions(dcli, root, slow)
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    source, target = f"{service}-test-000", f"{service}-test-001"
    _fill(ddb, source, 500)
    args = ["dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force"]
    args += ["--page-size", "20", "--segments", "3", "--concurrency", "2"]
    child = subprocess.Popen(
        [sys.executable, "-m", "host_cli", *args],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    folder = root / ".getdotenv" / "migrate"

    def committed() -> dict:
        for path in folder.glob("*.json") if folder.exists() else []:
            return json.loads(path.read_text())["counts"]
        return {"read": 0}

    try:
        deadline = time.monotonic() + 60
        while committed()["read"] < 100:
            assert child.poll() is None, child.stderr.read() if child.stderr else ""
            assert time.monotonic() < deadline, "no checkpoint"
            time.sleep(0.01)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    place = committed()
    assert 100 <= place["read"] < 500
    assert 0 < len(_all(ddb, target)) < 500

    done = _summary(dcli(*args, "--resume"))
    assert done["resumed"] == place
    assert done["read"] == 500 - place["read"]  # fewer than the first time: only what was left
    items = _all(ddb, target)
    assert len(items) == 500 and all(item["v"] == {"N": "2"} for item in items.values())
    assert len(_all(ddb, source)) == 500
    assert not list(folder.glob("*.json"))


@pytest.fixture
def local_versions(project, dcli, server, monkeypatch):
    import boto3

    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", server)
    service = f"svc{uuid.uuid4().hex[:8]}"
    root = _project(project, f"SERVICE_NAME={service}\nSTAGE=test\n")
    _versions(dcli, root)
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=server,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    _fill(ddb, f"{service}-test-000", 30)
    return root


ARGS = ("dynamodb", "tables", "migrate", "--from", "0", "--to", "1", "--force")


def _fail_at_k00020(root: Path) -> None:
    """A transform that fails on item k00020 (so a migration stops part-way, its checkpoint
    kept) while ``stop.flag`` exists in the project."""
    flag = root / "stop.flag"
    flag.write_text("")
    (root / "tables/001/transform.py").write_text(
        "import os\n\ndef transform(item):\n"
        f"    if item['pk'] == 'k00020' and os.path.exists({str(flag)!r}):\n"
        "        raise RuntimeError('stop here')\n"
        "    return item\n"
    )


def test_resume_without_a_checkpoint_is_one_line(local_versions, dcli):
    out = dcli(*ARGS, "--resume")
    last = out.err.splitlines()[-1]
    assert out.code == 1 and "Traceback" not in out.err
    assert last.startswith("getdotenv: error: --resume: no checkpoint of a migration of ")
    assert last.endswith("; run without --resume")
    assert dcli(*ARGS, "--dry-run", "--resume").err == (
        "getdotenv: error: --resume continues a migration that writes; it cannot go with --dry-run\n"
    )


def test_resume_refuses_another_segmentation_and_changed_transforms(local_versions, dcli):
    root = local_versions
    _fail_at_k00020(root)
    failed = dcli(*ARGS, "--segments", "2", "--page-size", "5", "--concurrency", "1")
    assert failed.code == 1 and "--resume continues from .getdotenv/migrate/" in failed.err
    again = dcli(*ARGS, "--resume", "--segments", "3")
    assert again.err.splitlines()[-1] + "\n" == (
        "getdotenv: error: --segments 3: the interrupted run scanned in 2 segments, and its "
        "positions hold only for those; leave --segments out\n"
    )
    (root / "tables/001/transform.py").write_text("def transform(item):\n    return item\n")
    changed = dcli(*ARGS, "--resume")
    assert changed.code == 1 and "it is for another migration (steps was " in changed.err
    assert changed.err.endswith("run without --resume to start over\n")
    fresh = dcli(*ARGS)
    assert "held the place of an interrupted run; starting over" in fresh.err
    assert _summary(fresh)["read"] == 30


def test_default_segments_follow_the_table_size():
    assert migrate.default_segments(None) == 1
    assert migrate.default_segments(0) == 1
    assert migrate.default_segments(3 * 1024**3) == 2
    assert migrate.default_segments(10**15) == migrate.MAX_SEGMENTS


def test_progress_on_a_terminal_shows_items_per_second_and_an_eta(local_versions):
    from tests.conftest import pty_run

    code, seen = pty_run(
        [sys.executable, "-m", "host_cli", *ARGS, "--page-size", "5"], local_versions
    )
    text = seen.decode(errors="replace")
    assert code == 0, text
    assert "migrate: read " in text and " of ~30 (" in text and " items/s, ETA " in text
    assert "migrate: read 30 items from " in text and "wrote 30 to " in text  # not JSON


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"segments": 0, "positions": [], "done": []}, "segments is 0"),
        ({"done": ["false", False]}, "done holds something other than true or false"),
        ({"positions": [{"pk": {"S": 1}}, None]}, "the position of 'pk' is {'S': 1}"),
        (
            {"counts": {"read": -1, "written": 0, "dropped": 0, "duplicates": 0}},
            "counts.read is -1",
        ),
    ],
    ids=["no segments", "done as text", "a position of the wrong type", "a negative count"],
)
def test_a_tampered_checkpoint_is_refused(local_versions, dcli, change, reason):
    root = local_versions
    _fail_at_k00020(root)
    assert dcli(*ARGS, "--segments", "2", "--page-size", "5", "--concurrency", "1").code == 1
    [path] = (root / ".getdotenv" / "migrate").glob("*.json")
    path.write_text(json.dumps({**json.loads(path.read_text()), **change}))
    out = dcli(*ARGS, "--resume")
    assert out.code == 1
    assert out.err.splitlines()[-1] == (
        f"getdotenv: error: .getdotenv/migrate/{path.name}: cannot resume from it ({reason}); "
        "remove it to start over"
    )
