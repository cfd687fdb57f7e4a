"""Findings of review4 (an attacker's and a correctness auditor's pass over planned updates,
item copies, the start-up shortcuts, the socket probe and review3's limits), each one through
real processes and sockets, or against moto's own code on a twin backend: what went wrong,
and that it no longer does."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from dynamodb_plugin.local import probe
from dynamodb_plugin.local.state import free_port
from tests.dynamodb import test_fast

moto_methods = test_fast.moto_methods  # the fixture: moto's methods back after each test

# -- the probe against a hostile listener ----------------------------------------------------


def _dribble(conn: socket.socket) -> None:
    """An HTTP answer a byte every 0.3 s: each ``recv`` is answered well within any timeout."""
    conn.recv(65536)
    for byte in b"HTTP/1.1 200 OK\r\n" + b"X" * 100_000:
        conn.sendall(bytes([byte]))
        time.sleep(0.3)


def _deep(conn: socket.socket) -> None:
    """A 200 answer whose body is 5,000 ``[``: ``json.loads`` raises ``RecursionError``."""
    conn.recv(65536)
    body = b"[" * 5000
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)


@contextlib.contextmanager
def _listener(port: int, answer: Callable[[socket.socket], None]) -> Iterator[None]:
    """Another program's listener on both loopback addresses of ``port``."""
    socks = []
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            sock.close()
            continue  # no IPv6 loopback here
        sock.listen(16)
        socks.append(sock)

    def serve(sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return

            def one(conn: socket.socket = conn) -> None:
                with contextlib.suppress(OSError), conn:
                    answer(conn)

            threading.Thread(target=one, daemon=True).start()

    for sock in socks:
        threading.Thread(target=serve, args=(sock,), daemon=True).start()
    try:
        yield
    finally:
        for sock in socks:
            sock.close()


@pytest.mark.parametrize("answer", [_dribble, _deep], ids=["dribbling", "deeply-nested"])
def test_ready_is_bounded_by_its_timeout_whatever_listens_on_the_port(tmp_path, answer):
    """``local ready --timeout 2`` (and ``start``'s wait, ``status``'s squatter check, the
    pytest plugin's probe) against another program on the port: a listener answering a byte
    at a time held the probe for as long as its 64 KB / 1 MB limit lasted (each ``recv`` had
    the timeout, the answer as a whole none: hours); one answering deeply nested JSON made it
    raise ``RecursionError`` (a traceback). Now: refused within the timeout, exit code 1."""
    port = free_port()
    project = tmp_path / "proj"
    project.mkdir()
    (project / "package.json").write_text("{}")
    (project / "getdotenv.config.yaml").write_text(
        f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    with _listener(port, answer):
        began = time.monotonic()
        try:
            done = subprocess.run(
                [sys.executable, "-m", "host_cli", "dynamodb", "local", "ready", "--timeout", "2"],
                cwd=project,
                env=env,
                capture_output=True,
                text=True,
                timeout=30,
            )
        except subprocess.TimeoutExpired:
            pytest.fail("local ready --timeout 2 still waiting after 30 s")
        took = time.monotonic() - began
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr, done.stderr
    assert "did not answer ListTables within 2s" in done.stderr
    assert took < 15, took


@pytest.mark.parametrize("answer", [_dribble, _deep], ids=["dribbling", "deeply-nested"])
def test_the_probes_answer_in_time_and_never_raise(answer):
    port = free_port()
    found: list[object] = []

    def probes() -> None:
        try:
            found.append(probe.hello("127.0.0.1", port, "secret", timeout=0.5))
            found.append(probe.list_tables(f"http://127.0.0.1:{port}", "local", timeout=0.5))
        except BaseException as exc:  # noqa: BLE001 - what the CLI would have shown
            found.append(exc)

    with _listener(port, answer):
        worker = threading.Thread(target=probes, daemon=True)
        worker.start()
        worker.join(10)
    assert not worker.is_alive(), "the probes still waiting after 10 s (timeouts 0.5 s)"
    assert found == ["silent" if answer is _dribble else "other", False]


# -- UpdateItem and conditions, ours against moto's own code ---------------------------------

R4_TARGETS = ["a", "n", "m", "l", "ss", "ns", "g", "gn", "x", "y"] * 3 + [
    "pk",
    "sk",
    "name",
    "nope",
]
R4_LIKELY = ["N1", "Nneg", "L", "SS", "NS", "S", "M"]
# mostly valid updates, on paths the generated items mostly have: moto's executor and ours
# apply them (generated expressions are mostly refused before that)
R4_WELL_FORMED = [
    "SET m.x = if_not_exists(m.x, :v) + :w",
    "SET l = list_append(if_not_exists(l, :v), :w)",
    "SET l = list_append(:v, l)",
    "SET m.l[0] = :v, #a = :w",
    "REMOVE l[0], l[2], m.l[1]",
    "REMOVE l[1], l[0] SET a = :v",
    "ADD ss :v DELETE ns :w",
    "ADD #a :v, #b :w",
    "DELETE #a :v",
    "SET #a = :v, #b = :v",
    "SET m.#a = :v REMOVE #b",
    "SET #p = :v",
    "SET g = :v, gn = :w",
    "SET #a = #b, #b = #a",
    "SET a = m, m.x = :v",
    "SET l[1] = l[0], l[0] = :v",
    "SET n = n - :v, a = :w",
    "SET #a = if_not_exists(#a, :v) REMOVE m.y",
    "SET m.y.#b = :v",
    "SET #a.#b = :v, l[7] = :w",
]
R4_VALUES = {
    "N1": {"N": "1"},
    "Nneg": {"N": "-2.5"},
    "Nbig": {"N": "1E+3"},
    "S": {"S": "x"},
    "S0": {"S": ""},
    "B": {"B": "eHl6"},
    "B0": {"B": ""},
    "SS": {"SS": ["a", "b"]},
    "SS1": {"SS": ["b"]},
    "NS": {"NS": ["1", "2.0"]},
    "BS": {"BS": ["eHl6"]},
    "L": {"L": [{"N": "1"}, {"M": {"x": {"S": "q"}}}]},
    "L0": {"L": []},
    "M": {"M": {"x": {"N": "2"}, "l": {"L": [{"S": "z"}]}, "y": {"M": {}}}},
    "M0": {"M": {}},
    "BOOL": {"BOOL": False},
    "NULL": {"NULL": True},
}


def _r4_strategies():
    from hypothesis import strategies as st

    plain = st.sampled_from(["a", "n", "m", "l", "ss", "ns", "g", "gn"] * 3 + ["pk", "sk", "name"])
    named = st.sampled_from(["#a", "#b", "#p"] * 8 + ["#undefined"])
    element = st.one_of(plain, plain, named)
    step = st.one_of(
        st.sampled_from([".x", ".l", ".y", ".#a", ".#b", ".m"]),
        st.sampled_from([0, 1, 2, 7]).map(lambda i: f"[{i}]"),
    )
    path = st.one_of(
        element,
        element,
        st.tuples(element, st.lists(step, min_size=1, max_size=3)).map(
            lambda p: p[0] + "".join(p[1])
        ),
    )
    value = st.sampled_from([":v", ":w", ":u"] * 10 + [":undefined"])
    default = st.tuples(path, st.one_of(value, value, path)).map(
        lambda p: f"if_not_exists({p[0]}, {p[1]})"
    )
    argument = st.one_of(value, path, default)
    operand = st.one_of(
        value,
        path,
        default,
        st.tuples(argument, argument).map(lambda p: f"list_append({p[0]}, {p[1]})"),
    )
    set_value = st.one_of(
        operand,
        operand,
        st.tuples(operand, st.sampled_from([" + ", " - ", "+", "-"]), operand).map("".join),
    )
    set_action = st.tuples(path, set_value).map(lambda p: f"{p[0]} = {p[1]}")
    add_action = st.tuples(path, value).map(" ".join)
    clause = st.one_of(
        st.lists(set_action, min_size=1, max_size=3).map(lambda a: "SET " + ", ".join(a)),
        st.lists(path, min_size=1, max_size=3).map(lambda a: "REMOVE " + ", ".join(a)),
        st.lists(add_action, min_size=1, max_size=2).map(lambda a: "ADD " + ", ".join(a)),
        st.lists(add_action, min_size=1, max_size=2).map(lambda a: "DELETE " + ", ".join(a)),
    )
    once = st.lists(clause, min_size=1, max_size=3, unique_by=lambda c: c.split()[0])
    update = st.one_of(
        st.sampled_from(R4_WELL_FORMED),
        st.one_of(once, once, once, st.lists(clause, min_size=1, max_size=3)).map(" ".join),
    )
    c_operand = st.one_of(path, value, path.map(lambda p: f"size({p})"))
    condition = st.recursive(
        st.one_of(
            st.tuples(c_operand, st.sampled_from(["=", "<>", "<", ">="]), c_operand).map(" ".join),
            path.map(lambda p: f"attribute_exists({p})"),
            path.map(lambda p: f"attribute_not_exists({p})"),
            st.tuples(path, value).map(lambda p: f"begins_with({p[0]}, {p[1]})"),
            st.tuples(path, value).map(lambda p: f"contains({p[0]}, {p[1]})"),
            st.tuples(c_operand, value, value).map(lambda p: f"{p[0]} BETWEEN {p[1]} AND {p[2]}"),
            st.tuples(c_operand, value, value).map(lambda p: f"{p[0]} IN ({p[1]}, {p[2]})"),
        ),
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["AND", "OR"]), inner).map(" ".join),
            inner.map(lambda c: f"NOT ({c})"),
        ),
        max_leaves=3,
    )
    scalar = st.one_of(
        st.sampled_from(["1", "-2.5", "0", "7"]).map(lambda n: {"N": n}),
        st.sampled_from(["", "x", "xy"]).map(lambda s: {"S": s}),
    )
    nested = st.recursive(
        scalar,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3).map(lambda v: {"L": v}),
            st.dictionaries(st.sampled_from(["x", "y", "l", "m"]), inner, max_size=3).map(
                lambda v: {"M": v}
            ),
        ),
        max_leaves=6,
    )
    number = st.sampled_from(["1", "-2.5", "0", "7"]).map(lambda n: {"N": n})
    full = st.fixed_dictionaries(
        {
            "a": scalar,
            "n": number,
            "m": st.fixed_dictionaries(
                {
                    "x": number,
                    "l": st.lists(nested, min_size=1, max_size=3).map(lambda v: {"L": v}),
                },
                optional={"y": nested, "m": nested},
            ).map(lambda v: {"M": v}),
            "l": st.lists(nested, min_size=1, max_size=4).map(lambda v: {"L": v}),
            "ss": st.sets(st.sampled_from("abc"), min_size=1).map(lambda s: {"SS": sorted(s)}),
            "ns": st.sets(st.sampled_from(["1", "2", "3"]), min_size=1).map(
                lambda s: {"NS": sorted(s)}
            ),
        },
        optional={
            "g": st.sampled_from(["g1", "g2"]).map(lambda s: {"S": s}),
            "gn": st.sampled_from(["1", "2"]).map(lambda s: {"N": s}),
            "name": scalar,
            "x": nested,
        },
    )
    sparse = st.fixed_dictionaries(
        {},
        optional={
            "a": scalar,
            "n": scalar,
            "m": nested,
            "l": nested,
            "ss": st.just({"SS": ["a"]}),
            "g": st.sampled_from(["g1", "g2"]).map(lambda s: {"S": s}),
            "name": scalar,
        },
    )
    attributes = st.one_of(full, full, sparse)
    keys = st.tuples(
        st.sampled_from(["k0", "k1", "k2"] * 4 + ["k3"]), st.sampled_from(["1", "2"])
    ).map(lambda k: {"pk": {"S": k[0]}, "sk": {"N": k[1]}})

    @st.composite
    def placeholders(draw, texts: list[str]) -> dict:
        """Names and values for the placeholders of ``texts``: drawn anew for every request
        (one expression text, many meanings), now and then one left out or one unused."""
        import re

        used = {m.group() for t in texts for m in re.finditer(r"[:#][A-Za-z0-9_]+", t)}
        names = {
            n: draw(st.sampled_from(R4_TARGETS))
            for n in sorted(used)
            if n.startswith("#") and n != "#undefined"
        }
        if "#p" in names and draw(st.booleans()):
            names["#p"] = draw(st.sampled_from(["pk", "sk", "g", "a"]))
        values = {
            v: R4_VALUES[draw(st.sampled_from(R4_LIKELY * 3 + sorted(R4_VALUES)))]
            for v in sorted(used)
            if v.startswith(":") and v != ":undefined"
        }
        if draw(st.sampled_from([False] * 30 + [True])):
            values[":extra"] = {"N": "0"}
        request = {}
        if names:
            request["ExpressionAttributeNames"] = names
        if values:
            request["ExpressionAttributeValues"] = values
        return request

    @st.composite
    def requests(draw) -> list:
        """Requests on a few expression texts, each sent several times with other names,
        values, keys and ReturnValues (what a cache keyed wrongly would answer wrongly)."""
        texts = draw(
            st.lists(
                st.tuples(update, st.one_of(st.none(), st.none(), condition)),
                min_size=1,
                max_size=3,
            )
        )
        out = []
        for _ in range(draw(st.integers(2, 8))):
            expression, cond = draw(st.sampled_from(texts))
            request: dict = {
                "TableName": "u",
                "Key": draw(keys),
                "UpdateExpression": expression,
                "ReturnValues": draw(
                    st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
                ),
            }
            if cond is not None:
                request["ConditionExpression"] = cond
                request["ReturnValuesOnConditionCheckFailure"] = draw(
                    st.sampled_from(["ALL_OLD", "NONE"])
                )
            request.update(draw(placeholders([expression, cond or ""])))
            out.append(("UpdateItem", request))
        return out

    slots = [(pk, sk) for pk in ("k0", "k1", "k2") for sk in ("1", "2")]
    items = st.lists(attributes, min_size=len(slots), max_size=len(slots)).map(
        lambda drawn: dict(zip(slots, drawn, strict=True))
    )
    return st, items, requests()


def _r4_table(call, items: dict) -> None:
    table = {
        "TableName": "u",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
            {"AttributeName": "g", "AttributeType": "S"},
            {"AttributeName": "gn", "AttributeType": "N"},
        ],
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-g",
                "KeySchema": [
                    {"AttributeName": "g", "KeyType": "HASH"},
                    {"AttributeName": "gn", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    }
    assert call("CreateTable", table)[0] == 200
    for (pk, sk), attrs in sorted(items.items()):
        item = {"pk": {"S": pk}, "sk": {"N": sk}, **attrs}
        assert call("PutItem", {"TableName": "u", "Item": item})[0] == 200


def _r4_outcomes(moto_methods, ours, items, requests) -> list:
    from tests.dynamodb.test_fast import _use
    from tests.dynamodb.test_updates import _typed_caller, stream_records

    outcomes = []
    try:
        for methods in (moto_methods, ours, ours):
            _use(methods)
            call = _typed_caller()
            _r4_table(call, items)
            answers = [call(operation, request) for operation, request in requests]
            scanned = call("Scan", {"TableName": "u"})
            by_index = call("Scan", {"TableName": "u", "IndexName": "by-g"})
            outcomes.append((answers, scanned, by_index, stream_records()))
    finally:
        _use(moto_methods)
    return outcomes


@pytest.mark.filterwarnings("ignore:Generating overly large repr")  # (the strategies' own)
def test_updates_with_shared_expressions_answer_as_motos(moto_methods):
    """Generated UpdateItems (nested maps and lists, list_append, if_not_exists, ADD/DELETE of
    sets, REMOVE of list indexes, names that map to the table's or an index's keys, reserved
    words, one placeholder used twice, undefined or unused ones) on a table with a range key,
    an index and a stream: the answers (items, ReturnValues, errors with their message), the
    table, the index and the stream records are moto's own, each expression text sent several
    times with other names and values (and a second time round with everything kept)."""
    from hypothesis import HealthCheck, given, settings

    from tests.dynamodb.test_fast import EXAMPLES, _ours

    st, items, requests = _r4_strategies()
    ours = _ours(moto_methods)

    @settings(
        max_examples=EXAMPLES * 4,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(items, requests)
    def check(items, requests):
        outcomes = _r4_outcomes(moto_methods, ours, items, requests)
        assert outcomes[1] == outcomes[0], requests
        assert outcomes[2] == outcomes[0], requests

    check()


# -- kept parses and checks holding large names ----------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A built-in server process of its own: its memory is measured."""
    from dynamodb_plugin.local.probe import wait_ready

    port = free_port()
    record = tmp_path_factory.mktemp("review4") / "dynamodb-local.json"
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    argv = ["--port", str(port), "--record", str(record), "--endpoint", f"http://localhost:{port}"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "dynamodb_plugin.local.server", *argv],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://localhost:{port}"
    try:
        assert wait_ready(endpoint, "local", 60, alive=lambda: proc.poll() is None)
        yield endpoint, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.mark.parametrize("kind", ["condition", "update"])
def test_kept_parses_and_checks_holding_large_names_are_not_kept(served, kind):
    """review3 kept no condition parse whose *values* are over 16 KB; the names were not
    counted, and a 4 KB expression may name hundreds of attributes of up to 64 KB each (as many
    as DynamoDB's 2 MB of substitutions allows): a condition parse (``cached_conditions``) and an
    UpdateExpression's checks (``planned_updates``, per names) kept each request's ~2 MB, 512
    times (a gigabyte each). Neither is kept now."""
    import boto3

    endpoint, pid = served
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    table = f"review4-names-{kind}"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    count = 30  # 30 names of 65,000 characters: within DynamoDB's 2 MB

    def send(i: int) -> None:
        names = {f"#a{j}": f"{i:06d}{j:04d}".ljust(65_000, "x") for j in range(count)}
        if kind == "condition":
            with contextlib.suppress(ddb.exceptions.ConditionalCheckFailedException):
                ddb.put_item(
                    TableName=table,
                    Item={"pk": {"S": "k"}},
                    ConditionExpression=" OR ".join(
                        f"#a{j} <> #a{j + 1}" for j in range(0, count, 2)
                    ),
                    ExpressionAttributeNames=names,
                )
        else:
            ddb.update_item(
                TableName=table,
                Key={"pk": {"S": "k"}},
                UpdateExpression="REMOVE " + ", ".join(names),
                ExpressionAttributeNames=names,
            )

    for i in range(3):  # the allocator's pools, once
        send(i)
    before = _rss_kb(pid)
    for i in range(3, 33):
        send(i)
    grown = _rss_kb(pid) - before
    assert grown < 25_000, f"30 requests with 1.95 MB of names left {grown} kB more memory in use"


# -- deferred modules ------------------------------------------------------------------------


def _python(code: str, cwd) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_deferred_modules_do_not_run_at_import_and_run_once(tmp_path):
    """``startup.deferred``'s loader read ``module.__dict__`` to check the module it had just
    made lazy: a use, so PyYAML and ``moto.backend_index`` ran at import as before (the ~18 ms
    it was to save) and then, the lazy class put back, ran their code a second time on first
    use. Now a deferred module's code runs once, on first use; and what moto's server import
    defers stays unrun."""
    (tmp_path / "counted.py").write_text(
        "import builtins\nbuiltins.runs = getattr(builtins, 'runs', 0) + 1\nvalue = 42\n"
    )
    code = (
        "import builtins, sys\nsys.path.insert(0, '.')\n"
        "from dynamodb_plugin.local import startup\n"
        "done = startup.deferred(('counted',))\nimport counted\ndone()\n"
        "print(getattr(builtins, 'runs', 0))\n"
        "import counted\nprint(getattr(builtins, 'runs', 0))\n"  # a repeated import: no use
        "print(counted.value, counted.value, builtins.runs, type(counted).__name__)\n"
    )
    assert _python(code, tmp_path) == ["0", "0", "42 42 1 module"]
    server_imports = (
        "import sys\nfrom dynamodb_plugin.local import startup\n"
        "done = startup.deferred()\nimport moto.moto_server.werkzeug_app\ndone()\n"
        "ran = lambda name: len(object.__getattribute__(sys.modules[name], '__dict__')) > 12\n"
        "print(ran('yaml'), ran('moto.backend_index'))\n"
        "import yaml, moto.backend_index\n"
        "print(len(moto.backend_index.backend_url_patterns) > 100, yaml.safe_load('a: 1'))\n"
    )
    assert _python(server_imports, tmp_path) == ["False False", "True {'a': 1}"]


def test_a_deferred_module_used_first_by_two_threads_at_once_is_whole_for_both(tmp_path):
    """Python 3.11's lazy module switches to a plain module *before* running its code: a
    second thread's first use, meanwhile, read a module half run (``AttributeError``). The
    first use is under a lock now, the module lazy until its code has run."""
    (tmp_path / "slow.py").write_text("import time\nfirst = 1\ntime.sleep(0.3)\nsecond = 2\n")
    code = (
        "import sys, threading, time\nsys.path.insert(0, '.')\n"
        "from dynamodb_plugin.local import startup\n"
        "done = startup.deferred(('slow',))\nimport slow\ndone()\n"
        "seen = []\n"
        "def use():\n"
        "    try:\n        seen.append(slow.second)\n"
        "    except AttributeError as exc:\n        seen.append(repr(exc))\n"
        "threads = [threading.Thread(target=use) for _ in range(2)]\n"
        "threads[0].start(); time.sleep(0.1); threads[1].start()\n"
        "[t.join() for t in threads]\nprint(seen)\n"
    )
    assert _python(code, tmp_path) == ["[2, 2]"]


# -- the strict check never fails itself -----------------------------------------------------


def test_the_strict_check_never_fails_and_lets_a_request_through_unchecked(tmp_path):
    """A check that raised (a part of a transaction or batch that is not an object, names or
    values that are not a map in an operation without them) logged a traceback and let the
    request through to moto *unchecked*: the 4 KB expression limit too (a ``null`` item, then an
    Update with 100 KB of blanks). Now such members are left to the model or moto, the rest
    checked: the limit holds and the log has no traceback."""
    import json
    import urllib.request

    from dynamodb_plugin.local.probe import wait_ready

    port = free_port()
    log = tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    argv = ["--port", str(port), "--record", str(tmp_path / "r.json"), "--endpoint", "x"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dynamodb_plugin.local.server", *argv],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://localhost:{port}"
    try:
        assert wait_ready(endpoint, "local", 60, alive=lambda: proc.poll() is None)

        def call(operation: str, body: dict) -> tuple[int, dict]:
            request = urllib.request.Request(
                endpoint,
                data=json.dumps(body).encode(),
                headers={
                    "Content-Type": "application/x-amz-json-1.0",
                    "X-Amz-Target": f"DynamoDB_20120810.{operation}",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as exc:
                return exc.code, json.loads(exc.read())

        big = {
            "Update": {
                "TableName": "t",
                "Key": {"pk": {"S": "a"}},
                "UpdateExpression": "SET a = :v" + " " * 100_000,
                "ExpressionAttributeValues": {":v": {"N": "1"}},
            }
        }
        status, answer = call("TransactWriteItems", {"TransactItems": [None, big]})
        assert status == 400
        assert "Expression size has exceeded the maximum allowed size" in answer["message"]
        big_projection = {"Keys": [{"pk": {"S": "a"}}], "ProjectionExpression": "a" + " " * 9000}
        status, answer = call("BatchGetItem", {"RequestItems": {"n": None, "t": big_projection}})
        assert status == 400
        assert "Expression size has exceeded the maximum allowed size" in answer["message"]
        for junk in ([1], {"#a": "x"}):
            status, _ = call(
                "CreateTable",
                {"TableName": "t", "KeyConditionExpression": "a", "ExpressionAttributeNames": junk},
            )
            assert status == 400
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert "strict check failed" not in log.read_text(errors="replace")


def test_parsed_update_expressions_are_kept_within_a_bounded_memory(served):
    """A parsed UpdateExpression holds ~100 bytes per character: 512 kept parses of 4 KB
    expressions (``fast``'s), and as many plans holding their trees (``updates``'), kept
    ~350 MB against 2 MB of requests. The text kept parsed and the trees the plans hold are
    bounded in all now (128 K characters, 100,000 nodes)."""
    import boto3

    endpoint, pid = served
    ddb = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="local",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    table = "review4-long-expressions"
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    actions = []  # (fewer than moto's recursion allows: ~190 actions)
    while len(", ".join(actions)) < 3900:
        actions.append(f"a{len(actions)}.b.c.d[1].e.f = :v")
    common = "SET " + ", ".join(actions)

    def update(i: int) -> None:
        with contextlib.suppress(ddb.exceptions.ClientError):  # (no such paths: refused)
            ddb.update_item(
                TableName=table,
                Key={"pk": {"S": "k"}},
                UpdateExpression=f"{common}, z{i} = :v",
                ExpressionAttributeValues={":v": {"N": "1"}},
            )

    for i in range(10):  # the allocator's pools, once
        update(i)
    before = _rss_kb(pid)
    for i in range(10, 110):
        update(i)
    grown = _rss_kb(pid) - before
    assert grown < 40_000, f"100 distinct 4 KB expressions left {grown} kB more memory in use"
