"""The snapshot: format 2 (JSON Lines) round-trips every type, format 1 still restores, and a
damaged or newer file is refused with a message naming what is wrong.

End to end through the CLI and a real server where the user meets it; the two item paths
(moto's model directly, and DynamoDB's API where the model is unknown) compared in-process.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from dynamodb_plugin.local import snapshot

DATA = Path(__file__).parent / "data"
V1 = DATA / "snapshot-v1.json"  # written by the release before format 2 (commit 49ab81a)

ORDERS_ITEM = {
    "pk": {"S": "c#1"},
    "sk": {"N": "1"},
    "status": {"S": "open"},
    "blob": {"B": b"\x00\xffbin"},
    "blobs": {"BS": [b"a", b"\x01"]},
    "doc": {
        "M": {
            "nested": {"B": b"nb"},
            "list": {
                "L": [
                    {"N": "1.50"},
                    {"BOOL": True},
                    {"NULL": True},
                    {"SS": ["x", "y"]},
                    {"NS": ["2", "3"]},
                ]
            },
        }
    },
    "expires": {"N": "4102444800"},
    "uni": {"S": "héllo \u2028 ✓"},
}


def _config(port: int) -> dict[str, str]:
    return {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}


def _sorted(items):
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=repr))


def test_a_format_1_snapshot_restores_and_the_next_stop_replaces_it(project, dcli, port, client):
    root = project(_config(port))
    folder = root / ".getdotenv" / "dynamodb-local"
    folder.mkdir(parents=True)
    shutil.copy(V1, folder / "snapshot.json")
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(f"http://localhost:{port}")
        assert sorted(c.list_tables()["TableNames"]) == ["orders", "plain"]
        orders = c.query(
            TableName="orders",
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "c#1"}},
        )["Items"]
        assert orders == [
            ORDERS_ITEM,
            {"pk": {"S": "c#1"}, "sk": {"N": "2"}, "status": {"S": "shipped"}},
        ]
        by_status = c.query(
            TableName="orders",
            IndexName="by-status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "shipped"}},
        )["Items"]
        assert [item["sk"] for item in by_status] == [{"N": "2"}]
        assert c.scan(TableName="plain")["Items"] == [{"id": {"B": b"\x10\x20"}, "v": {"S": "one"}}]
        ttl = c.describe_time_to_live(TableName="orders")["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
        backups = c.describe_continuous_backups(TableName="orders")["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
        described = c.describe_table(TableName="plain")["Table"]["ProvisionedThroughput"]
        assert (described["ReadCapacityUnits"], described["WriteCapacityUnits"]) == (3, 4)
        assert c.list_tags_of_resource(
            ResourceArn=c.describe_table(TableName="orders")["Table"]["TableArn"]
        )["Tags"] == [{"Key": "team", "Value": "orders"}]
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    # Nothing changed, but the old format is replaced, and the old file goes.
    assert not (folder / "snapshot.json").exists()
    lines = (folder / snapshot.FILE).read_text().splitlines()
    assert json.loads(lines[0])["version"] == 2
    assert json.loads(lines[-1]) == {"end": True, "tables": 2, "items": 3}
    assert oct((folder / snapshot.FILE).stat().st_mode & 0o777) == "0o600"

    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(f"http://localhost:{port}")
        items = c.scan(TableName="orders")["Items"]
        assert _sorted(items) == _sorted(
            [ORDERS_ITEM, {"pk": {"S": "c#1"}, "sk": {"N": "2"}, "status": {"S": "shipped"}}]
        )
    finally:
        dcli("dynamodb", "local", "stop")


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (
            lambda lines: lines[:-1],
            "truncated after line 6: the end line is missing (the file was cut short)",
        ),
        (lambda lines: lines[:3], "truncated in table 'orders': 2 items announced at line 2"),
        (
            lambda lines: [*lines[:2], '{"pk": {"S": ', *lines[3:]],
            "line 3: Expecting value: line 1 column 14 (char 13)",
        ),
        (
            lambda lines: [*lines[:-1], '{"end": true, "tables": 2, "items": 9}'],
            "line 7: the end line counts 2 tables and 9 items, the file holds 2 and 3",
        ),
        (
            lambda lines: [lines[0].replace('"version": 2', '"version": 3'), *lines[1:]],
            "written in format 3 by a newer getdotenv (this one reads up to 2); upgrade getdotenv",
        ),
    ],
    ids=["no end line", "cut in a table", "a broken item", "counts differ", "newer format"],
)
def test_a_damaged_snapshot_is_refused_naming_what_is_wrong(project, dcli, port, damage, reason):
    root = project(_config(port))
    folder = root / ".getdotenv" / "dynamodb-local"
    folder.mkdir(parents=True)
    shutil.copy(V1, folder / "snapshot.json")
    assert dcli("dynamodb", "local", "start").code == 0
    assert dcli("dynamodb", "local", "stop").code == 0
    target = folder / snapshot.FILE
    damaged = "\n".join(damage(target.read_text().splitlines())) + "\n"
    target.write_text(damaged)
    out = dcli("dynamodb", "local", "start")
    assert out.code == 1
    assert out.err.startswith(
        f"getdotenv: error: local dynamodb: {target}: cannot restore the saved data ({reason})"
    ), out.err
    assert target.read_text() == damaged  # left as it was


def test_both_item_paths_write_and_restore_the_same(server_app, tmp_path, monkeypatch):
    call = server_app
    assert snapshot.item_model_known()  # the moto this project installs has the model it assumes
    restored = snapshot.restore(V1, "us-east-1", call)
    assert restored == (2, 3)
    fast = tmp_path / "fast.jsonl"
    snapshot.save(fast, call)
    monkeypatch.setattr(snapshot, "item_model_known", lambda: False)
    slow = tmp_path / "slow.jsonl"
    snapshot.save(slow, call)

    def body(path: Path) -> list[dict]:
        rows = [json.loads(line) for line in path.read_text().splitlines()[1:]]
        return [r if "table" in r or "end" in r else json.dumps(r, sort_keys=True) for r in rows]

    assert _sorted(body(fast)) == _sorted(body(slow))

    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[os.environ["MOTO_ACCOUNT_ID"]]["us-east-1"]
    expected = _sorted(call("Scan", {"TableName": "orders"})["Items"])
    for path, fast_model in ((fast, True), (slow, False)):
        backend.reset()
        monkeypatch.setattr(snapshot, "item_model_known", lambda value=fast_model: value)
        assert snapshot.restore(path, "us-east-1", call) == (2, 3)
        assert _sorted(call("Scan", {"TableName": "orders"})["Items"]) == expected
        key = {"pk": {"S": "c#1"}, "sk": {"N": "1"}}
        got = call("GetItem", {"TableName": "orders", "Key": key})["Item"]
        assert got["blob"] == {"B": "AP9iaW4="} and got["doc"]["M"]["nested"] == {"B": "bmI="}


def test_a_snapshot_item_whose_key_has_the_wrong_type_is_refused(server_app, tmp_path):
    lines = [
        json.dumps({"format": snapshot.FORMAT, "version": 2}),
        json.dumps(
            {
                "table": {
                    "create": {
                        "TableName": "t",
                        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                        "BillingMode": "PAY_PER_REQUEST",
                    }
                },
                "items": 1,
            }
        ),
        json.dumps({"pk": {"N": "1"}}),
        json.dumps({"end": True, "tables": 1, "items": 1}),
    ]
    path = tmp_path / snapshot.FILE
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        snapshot.SnapshotError, match="table t: an item whose key has the wrong type"
    ):
        snapshot.restore(path, "us-east-1", server_app)
