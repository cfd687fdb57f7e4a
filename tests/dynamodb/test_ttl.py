"""Time to Live on the built-in server: opt-in expiry run by the server itself (real server
processes started through the CLI, with a short sweep interval), the stream record of a TTL
delete, and TTL settings kept exactly across restarts."""

from __future__ import annotations

import json
import threading
import time

import pytest

from dynamodb_plugin.local import snapshot, ttl

INTERVAL = 0.2
TABLE = {
    "TableName": "sessions",
    "KeySchema": [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "pk", "AttributeType": "S"},
        {"AttributeName": "sk", "AttributeType": "N"},
    ],
    "BillingMode": "PAY_PER_REQUEST",
    "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
}


def config(port: int, extra: str = "") -> dict[str, str]:
    return {
        "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n{extra}"
    }


def record(root):
    return json.loads((root / ".getdotenv" / "dynamodb-local.json").read_text())


def keys(c, table="sessions"):
    return sorted(
        (i["pk"]["S"], i["sk"]["N"]) for i in c.scan(TableName=table, ConsistentRead=True)["Items"]
    )


def stream_records(endpoint, c, table="sessions"):
    import boto3

    streams = boto3.client(
        "dynamodbstreams",
        endpoint_url=endpoint,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = c.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    return streams.get_records(ShardIterator=it["ShardIterator"])["Records"]


def item(name: str, sk: int, **attrs):
    return {"pk": {"S": name}, "sk": {"N": str(sk)}, **attrs}


def until(done, timeout: float) -> float | None:
    """Seconds until ``done()`` held, or ``None`` past ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if done():
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_expired_items_are_deleted_within_the_interval_and_streamed_as_ttl_deletes(
    project, dcli, port, client
):
    root = project(config(port, f"      ttl: expire\n      ttlInterval: {INTERVAL}\n"))
    endpoint = f"http://localhost:{port}"
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        assert record(root)["argv"][-5:] == [
            "--ttl",
            "expire",
            "--ttl-interval",
            f"{INTERVAL:g}",
            "--secret-stdin",
        ]
        c = client(endpoint)
        c.create_table(**TABLE)
        c.update_time_to_live(
            TableName="sessions",
            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
        )
        now = int(time.time())
        stays = [
            item("future", 1, expires={"N": str(now + 3600)}),
            item("string", 1, expires={"S": str(now - 60)}),  # not a Number: ignored
            item("nested", 1, doc={"M": {"expires": {"N": str(now - 60)}}}),  # not top-level
            item("ancient", 1, expires={"N": "1171734022"}),  # more than five years ago
            item("millis", 1, expires={"N": str(now * 1000)}),  # milliseconds: the far future
            item("none", 1),
        ]
        for each in stays:
            c.put_item(TableName="sessions", Item=each)
        c.put_item(TableName="sessions", Item=item("mine", 1, expires={"N": str(now + 3600)}))
        c.delete_item(TableName="sessions", Key={"pk": {"S": "mine"}, "sk": {"N": "1"}})
        gone = item("expired", 7, expires={"N": str(now - 60)}, v={"S": "old"})
        c.put_item(TableName="sessions", Item=gone)
        kept = sorted((i["pk"]["S"], i["sk"]["N"]) for i in stays)

        took = until(lambda: keys(c) == kept, 10)
        assert took is not None, keys(c)
        # the bound is one interval plus a sweep; a loaded machine adds its scheduling delay
        assert took < INTERVAL + 3.0, took
        again = dcli("dynamodb", "local", "start", "--ttl", "off")
        assert again.code == 0 and (
            "it runs with ttl expire, not off: stop and start it to change that" in again.err
        )
        assert "runs with ttl" not in dcli("dynamodb", "local", "start").err

        # an item that expires while the server runs goes once its time has passed
        soon = item("soon", 1, expires={"N": str(int(time.time()) + 1)})
        c.put_item(TableName="sessions", Item=soon)
        assert ("soon", "1") in keys(c)
        assert until(lambda: ("soon", "1") not in keys(c), 10) is not None
        time.sleep(INTERVAL * 3)
        assert keys(c) == kept  # sweeps since then left the others alone

        removes = [r for r in stream_records(endpoint, c) if r["eventName"] == "REMOVE"]
        by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removes}
        assert set(by_key) == {"mine", "expired", "soon"}
        identity = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
        assert by_key["expired"]["userIdentity"] == identity
        assert by_key["soon"]["userIdentity"] == identity
        assert "userIdentity" not in by_key["mine"]  # a client's delete is not the service's
        assert by_key["expired"]["dynamodb"]["OldImage"] == gone
        assert "NewImage" not in by_key["expired"]["dynamodb"]
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    log = (root / ".getdotenv" / "dynamodb-local.log").read_text()
    assert "ttl: expire is on" in log and "ttl: deleted 1 expired items" in log
    # the deletes were writes like any other: the snapshot saved on stop holds none of them
    saved = (root / ".getdotenv" / "dynamodb-local" / snapshot.FILE).read_text()
    assert '"expired"' not in saved and '"soon"' not in saved and '"future"' in saved


def test_off_by_default_and_with_ttl_off_expired_items_stay(project, dcli, port, client):
    root = project(config(port, "      ttlInterval: 0.05\n"))  # an interval alone enables nothing
    endpoint = f"http://localhost:{port}"
    for flags in ([], ["--ttl", "off"]):
        if flags:  # the flag beats the config key
            project(config(port, "      ttl: expire\n      ttlInterval: 0.05\n"))
        assert dcli("dynamodb", "local", "start", "--in-memory", *flags).code == 0
        try:
            assert "--ttl" not in record(root)["argv"]
            c = client(endpoint)
            c.create_table(**TABLE)
            c.update_time_to_live(
                TableName="sessions",
                TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"},
            )
            c.put_item(
                TableName="sessions", Item=item("expired", 1, expires={"N": str(int(time.time()))})
            )
            time.sleep(1.0)  # twenty intervals
            assert keys(c) == [("expired", "1")]
        finally:
            assert dcli("dynamodb", "local", "stop").code == 0
        log = (root / ".getdotenv" / "dynamodb-local.log").read_text()
        assert "ttl:" not in log


def test_ttl_settings_survive_a_restart_exactly(project, dcli, port, client):
    project(config(port))
    endpoint = f"http://localhost:{port}"
    names = ["enabled", "disabled", "never"]
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(endpoint)
        for name in names:
            c.create_table(**{**TABLE, "TableName": name})
        for name in ("enabled", "disabled"):
            spec = {"Enabled": True, "AttributeName": f"{name}_at"}
            c.update_time_to_live(TableName=name, TimeToLiveSpecification=spec)
        spec = {"Enabled": False, "AttributeName": "disabled_at"}
        c.update_time_to_live(TableName="disabled", TimeToLiveSpecification=spec)
        before = {n: c.describe_time_to_live(TableName=n)["TimeToLiveDescription"] for n in names}
        assert before == {
            "enabled": {"TimeToLiveStatus": "ENABLED", "AttributeName": "enabled_at"},
            "disabled": {"TimeToLiveStatus": "DISABLED", "AttributeName": "disabled_at"},
            "never": {"TimeToLiveStatus": "DISABLED"},
        }
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    for _restart in range(2):  # and again from the snapshot the restored server saved
        assert dcli("dynamodb", "local", "start").code == 0
        try:
            c = client(endpoint)
            c.put_item(TableName="never", Item=item("x", 1))  # a change: the stop saves anew
            after = {
                n: c.describe_time_to_live(TableName=n)["TimeToLiveDescription"] for n in names
            }
            assert after == before
        finally:
            assert dcli("dynamodb", "local", "stop").code == 0


def test_a_ttl_enabled_while_expiry_was_off_expires_after_a_restart_with_it_on(
    project, dcli, port, client
):
    project(config(port, f"      ttlInterval: {INTERVAL}\n"))
    endpoint = f"http://localhost:{port}"
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(endpoint)
        c.create_table(**TABLE)
        spec = {"Enabled": True, "AttributeName": "expires"}
        c.update_time_to_live(TableName="sessions", TimeToLiveSpecification=spec)
        c.put_item(TableName="sessions", Item=item("old", 1, expires={"N": str(int(time.time()))}))
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert dcli("dynamodb", "local", "start", "--ttl", "expire").code == 0
    try:
        c = client(endpoint)
        assert until(lambda: keys(c) == [], 10) is not None
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0


@pytest.mark.parametrize(
    ("extra", "flags", "message"),
    [
        (
            "      ttl: expire\n      start: 'true'\n",
            [],
            "getdotenv: error: plugins.dynamodb.local.ttl: expire is honoured by the built-in "
            "server only; your local.start command runs the server, so it decides (LocalStack, "
            "for one: DYNAMODB_REMOVE_EXPIRED_ITEMS=1): set it to off or remove it\n",
        ),
        (
            "      jar: amazon\n",
            ["--ttl", "expire"],
            "getdotenv: error: --ttl: expire is honoured by the built-in server only; Amazon's "
            "DynamoDB Local (local.jar) never deletes expired items: leave the flag out\n",
        ),
        (
            "      ttl: sometimes\n",
            [],
            "getdotenv: error: getdotenv.config.yaml: plugins.dynamodb.local.ttl: Input should "
            "be 'expire' or 'off', got 'sometimes'\n",
        ),
        (
            "      ttlInterval: 0\n",
            [],
            "getdotenv: error: getdotenv.config.yaml: plugins.dynamodb.local.ttlInterval: Input "
            "should be greater than or equal to 0.05, got 0\n",
        ),
    ],
)
def test_expiry_that_cannot_be_honoured_or_a_bad_value_is_one_line(
    project, dcli, port, extra, flags, message
):
    root = project(config(port, extra))
    (root / "amazon").mkdir()
    out = dcli("dynamodb", "local", "start", *flags)
    assert (out.code, out.err) == (1, message)
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists()


def test_with_the_jar_or_config_commands_ttl_off_is_fine(project, dcli, port):
    project(config(port, "      ttl: expire\n      start: 'true'\n      status: 'true'\n"))
    out = dcli("dynamodb", "local", "start", "--ttl", "off")
    assert out.code == 0 and "already running" in out.err


# -- the sweeper in-process, on moto's own backend ------------------------------------------


class Writes:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.dirty = False
        self.closed = False


def _sweeper(call, writes):
    from dynamodb_plugin.local import server

    return ttl.Sweeper(
        writes,
        call,
        INTERVAL,
        account=server.SHARED_ACCOUNT,
        region=server.SHARED_REGION,
        say=lambda _text: None,
    )


@pytest.fixture
def expiring(server_app):
    call = server_app
    call("CreateTable", {**TABLE, "TableName": "t"})
    spec = {"Enabled": True, "AttributeName": "expires"}
    call("UpdateTimeToLive", {"TableName": "t", "TimeToLiveSpecification": spec})
    for sk in range(3):
        call("PutItem", {"TableName": "t", "Item": item("a", sk, expires={"N": "1000"})})
    return call


def _left(call):
    return sorted(int(i["sk"]["N"]) for i in call("Scan", {"TableName": "t"})["Items"])


@pytest.mark.parametrize("model", [True, False])
def test_a_sweep_deletes_marks_the_change_and_spares_an_item_changed_meanwhile(expiring, model):
    call, writes = expiring, Writes()
    sweeper = _sweeper(call, writes)
    sweeper.model = model  # moto's model read directly, or through the API: the same answer
    found = sweeper.candidates(2000.0)
    assert sorted(int(c.key["sk"]["N"]) for c in found) == [0, 1, 2]
    # a client extends one item after the sweep saw it: its delete no longer applies
    extended = item("a", 1, expires={"N": "5000"})
    call("PutItem", {"TableName": "t", "Item": extended})
    assert sum(sweeper.delete(c) for c in found) == 2
    assert _left(call) == [1]
    assert sweeper.sweep(2000.0) == 0 and not writes.dirty
    call("PutItem", {"TableName": "t", "Item": item("a", 9, expires={"N": "1500"})})
    assert sweeper.sweep(2000.0) == 1 and writes.dirty
    assert _left(call) == [1]
    removes = [r for r in _stream(call) if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"]["sk"]["N"] for r in removes] == ["0", "2", "9"]
    assert all(r["userIdentity"] == ttl.IDENTITY for r in removes)


def _stream(call):
    """The stream's records, through the DynamoDB Streams API as a client reads them."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    from dynamodb_plugin.local import server

    arn = call("DescribeTable", {"TableName": "t"})["Table"]["LatestStreamArn"]
    streams = dynamodbstreams_backends[server.SHARED_ACCOUNT][server.SHARED_REGION]
    shard = streams.describe_stream(arn)["Shards"][0]["ShardId"]
    it = streams.get_shard_iterator(arn, shard, "TRIM_HORIZON", None)
    return streams.get_records(it.arn, 100)["Records"]


def test_once_writes_are_closed_a_sweep_deletes_nothing(expiring):
    writes = Writes()
    writes.closed = True  # `stop` saved the snapshot: it must stay the last word
    assert _sweeper(expiring, writes).sweep(2000.0) == 0
    assert _left(expiring) == [0, 1, 2] and not writes.dirty


def test_a_sweep_waits_for_the_write_lock(expiring):
    writes = Writes()
    sweeper = _sweeper(expiring, writes)
    done = threading.Event()
    with writes.lock:
        worker = threading.Thread(target=lambda: (sweeper.sweep(2000.0), done.set()))
        worker.start()
        assert not done.wait(0.3)  # held back, as a client's write would be
        assert _left(expiring) == [0, 1, 2]
    worker.join(10)
    assert done.is_set() and _left(expiring) == []


@pytest.mark.parametrize(
    ("number", "now", "expected"),
    [
        ("99", 100.0, True),
        ("100", 100.0, False),  # not less than now
        ("99.5", 100.0, True),
        (str(100 - ttl.FIVE_YEARS), 100.0, True),
        (str(99 - ttl.FIVE_YEARS), 100.0, False),  # more than five years ago
        ("1E+2", 101.0, True),
        ("-5", 1_700_000_000.0, False),  # before 1970: long ago
        ("NaN", 101.0, False),
        ("x", 101.0, False),
    ],
)
def test_what_counts_as_expired(number, now, expected):
    assert ttl.expired(number, now) is expected


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ({"ttl": None}, {}),
        ({"ttl": "exp"}, {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"}),
        (
            {
                "ttl": None,
                "ttl_description": {"TimeToLiveStatus": "DISABLED", "AttributeName": "e"},
            },
            {"TimeToLiveStatus": "DISABLED", "AttributeName": "e"},
        ),
        ({"ttl_description": {"TimeToLiveStatus": "SOMETIMES"}}, snapshot.SnapshotError),
        ({"ttl_description": {"TimeToLiveStatus": "ENABLED", "Extra": 1}}, snapshot.SnapshotError),
        ({"ttl": 5}, snapshot.SnapshotError),
    ],
)
def test_the_ttl_a_snapshot_holds(table, expected):
    table = {"create": {"TableName": "t"}, **table}
    if expected is snapshot.SnapshotError:
        with pytest.raises(snapshot.SnapshotError, match="table 't': ttl"):
            snapshot.ttl_of(table)
    else:
        assert snapshot.ttl_of(table) == expected
