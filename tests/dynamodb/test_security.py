"""The built-in local DynamoDB is safe by default (issue 19, points 1-3): it serves DynamoDB
alone, to no foreign web page, with control requests for its owner only, and the CLI uses
only its own server. Real servers through the real CLI, raw HTTP where a browser or an
attacker would speak it."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from dynamodb_plugin.local import backends, state
from tests.conftest import our_processes

TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}
SIGNED = "AWS4-HMAC-SHA256 Credential=k/20250101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
APP = "http://localhost:3000"


def record(root: Path) -> dict:
    return json.loads((root / ".getdotenv" / "dynamodb-local.json").read_text())


def servers() -> list:
    return [p for p in our_processes() if "dynamodb_plugin.local.server" in p[1]]


def raw(
    port: int,
    method: str = "POST",
    path: str = "/",
    *,
    target: str | None = "DynamoDB_20120810.ListTables",
    body: object = None,
    headers: dict[str, str] | None = None,
    address: str = "127.0.0.1",
    service: str = "dynamodb",
) -> tuple[int, dict[str, str], dict]:
    """One request as any HTTP client (a browser page, curl) could send it."""
    sent = {
        "Host": f"localhost:{port}",
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": SIGNED.format(service=service),
    }
    if target is not None:
        sent["X-Amz-Target"] = target
    sent.update(headers or {})
    conn = http.client.HTTPConnection(address, port, timeout=10)
    try:
        data = json.dumps(body if body is not None else {}).encode()
        conn.request(method, path, body=data, headers=sent)
        response = conn.getresponse()
        text = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()
    try:
        answer = json.loads(text) if text else {}
    except ValueError:
        answer = {"raw": text.decode(errors="replace")}
    return response.status, got, answer


def table_names(port: int) -> list[str]:
    status, _, answer = raw(port)
    assert status == 200, answer
    return answer["TableNames"]


def no_cors(headers: dict[str, str]) -> bool:
    return not any(k.startswith("access-control-") for k in headers)


@pytest.fixture
def running(project, dcli, port):
    """A project's built-in server, started by the CLI; ``running(cors=[...])``."""
    started = []

    def start(cors: list[str] | None = None) -> Path:
        config = f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      persist: false\n"
        if cors:
            config += "      cors:\n" + "".join(f"        - {o}\n" for o in cors)
        root = project({"getdotenv.config.yaml": config})
        out = dcli("dynamodb", "local", "start")
        assert out.code == 0, out
        started.append(root)
        return root

    yield start
    for _ in started:
        dcli("dynamodb", "local", "stop")


def test_a_foreign_origin_is_refused_before_any_work_preflight_included(running, port):
    running()
    preflight = {"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    status, headers, _ = raw(port, "OPTIONS", headers=preflight, target=None)
    assert status == 403 and no_cors(headers)
    # no preflight at all (a text/plain "simple" request), and a JSON one as an SDK sends it
    for content_type in ("text/plain", "application/x-amz-json-1.0"):
        status, headers, answer = raw(
            port,
            target="DynamoDB_20120810.CreateTable",
            body=TABLE,
            headers={"Origin": "https://evil.example", "Content-Type": content_type},
        )
        assert status == 403 and no_cors(headers), answer
        assert answer["__type"].endswith("#AccessDeniedException")
    # closed by default: even the developer's own app, and a sandboxed page ("null")
    for origin in (APP, "null"):
        assert raw(port, headers={"Origin": origin})[0] == 403
    assert table_names(port) == []
    status, headers, _ = raw(port)  # a plain client: no CORS headers either
    assert status == 200 and no_cors(headers)


def test_listed_origins_get_cors_and_nobody_else(running, port):
    running(cors=[APP, "https://App.Example:8443/"])
    asked = {
        "Origin": APP,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,authorization",
    }
    status, headers, _ = raw(port, "OPTIONS", headers=asked, target=None)
    assert status == 204
    assert headers["access-control-allow-origin"] == APP
    assert headers["access-control-allow-methods"] == "POST"
    assert headers["access-control-allow-headers"] == asked["Access-Control-Request-Headers"]
    status, headers, answer = raw(
        port, target="DynamoDB_20120810.CreateTable", body=TABLE, headers={"Origin": APP}
    )
    assert status == 200, answer
    assert headers["access-control-allow-origin"] == APP and "Origin" in headers["vary"]
    status, _, _ = raw(port, headers={"Origin": "https://app.example:8443"})  # normalised
    assert status == 200
    for foreign in ("http://localhost:3001", "https://evil.example", "http://localhost:3000.evil"):
        status, headers, _ = raw(
            port,
            target="DynamoDB_20120810.DeleteTable",
            body={"TableName": "things"},
            headers={"Origin": foreign},
        )
        assert status == 403 and no_cors(headers)
    # a listed origin still cannot send control requests
    secret = record(Path.cwd())["secret"]
    status, _, _ = raw(
        port, path="/_getdotenv/stop", headers={"Origin": APP, "X-Getdotenv-Secret": secret}
    )
    assert status == 403
    assert table_names(port) == ["things"]


def test_moto_api_recorder_and_other_services_are_refused_and_change_nothing(running, port):
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from botocore.parsers import ResponseParserError

    root = running()
    assert raw(port, target="DynamoDB_20120810.CreateTable", body=TABLE)[0] == 200
    for method, path in [
        ("POST", "/moto-api/reset"),
        ("POST", "/moto-api/reset-auth"),
        ("GET", "/moto-api/data.json"),
        ("GET", "/moto-api/"),
        ("POST", "/moto-api/recorder/start-recording"),
        ("GET", "/moto-api/recorder/download-recording"),
        ("POST", "/moto-api/recorder/replay-recording"),
        ("POST", "/moto-api/seed?a=42"),
        ("GET", "/2015-03-31/functions"),
    ]:
        status, headers, answer = raw(port, method, path, target=None)
        assert status in (400, 404), (path, status, answer)
        assert answer["__type"].startswith("com.amazonaws.dynamodb.v20120810#"), path
    # other services' own requests, as boto3 sends them, and a DynamoDB target signed for SQS
    # (which moto's dispatcher would have routed to SQS)
    keys = {
        "aws_access_key_id": "k",
        "aws_secret_access_key": "k",
        "region_name": "us-east-1",
        "config": Config(retries={"total_max_attempts": 1}),
    }
    endpoint = f"http://localhost:{port}"
    calls = [
        lambda: boto3.client("s3", endpoint_url=endpoint, **keys).create_bucket(Bucket="b"),
        lambda: boto3.client("sts", endpoint_url=endpoint, **keys).get_caller_identity(),
        lambda: boto3.client("iam", endpoint_url=endpoint, **keys).create_user(UserName="u"),
        lambda: boto3.client("sqs", endpoint_url=endpoint, **keys).create_queue(QueueName="q"),
        lambda: boto3.client("lambda", endpoint_url=endpoint, **keys).list_functions(),
    ]
    for call in calls:
        # JSON services read the refusal as an error; XML ones cannot parse it at all
        with pytest.raises((ClientError, ResponseParserError)) as refused:
            call()
        if isinstance(refused.value, ClientError):
            assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 404)
    status, _, answer = raw(
        port, target="DynamoDB_20120810.CreateQueue", service="sqs", body={"QueueName": "q"}
    )
    assert status == 400 and "UnknownOperation" in answer["__type"]
    status, _, _ = raw(port, target="AmazonSQS.CreateQueue", body={"QueueName": "q"})
    assert status == 400
    assert table_names(port) == ["things"]
    assert not list(root.rglob("moto_recording"))
    # DynamoDB Streams is served, as boto3's dynamodbstreams client asks
    streams = boto3.client("dynamodbstreams", endpoint_url=endpoint, **keys)
    assert streams.list_streams()["Streams"] == []


def test_the_server_imports_nothing_through_pythonpath_from_the_env(project, dcli, port, tmp_path):
    """A .env PYTHONPATH (relative to the server's own folder) holding a sitecustomize.py:
    the server starts and serves, and the hostile module never runs in it."""
    marker = tmp_path / "pwned"
    root = project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n",
            "evil/sitecustomize.py": f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n",
            "evil/usercustomize.py": f"import pathlib; pathlib.Path({str(marker)!r}).write_text('ran')\n",
            # relative to the server's cwd, .getdotenv/dynamodb-local
            ".env": "PYTHONPATH=../../evil\n",
        }
    )
    assert (root / "evil" / "sitecustomize.py").exists()
    out = dcli("dynamodb", "local", "start")
    try:
        assert out.code == 0, out
        assert raw(port, target="DynamoDB_20120810.ListTables", body={})[0] == 200
        assert not marker.exists(), "the .env's PYTHONPATH reached the server"
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert not marker.exists()


def test_e_is_left_out_only_where_this_package_came_through_pythonpath(monkeypatch):
    import dynamodb_plugin
    from dynamodb_plugin.local import backends

    monkeypatch.setenv("PYTHONPATH", "/elsewhere")
    assert backends.python_flags() == ["-E", "-P"]
    here = str(Path(dynamodb_plugin.__file__).resolve().parents[1])
    monkeypatch.setenv("PYTHONPATH", f"/elsewhere{os.pathsep}{here}")
    assert backends.python_flags() == ["-P"]


def test_a_write_by_another_method_is_refused_so_stop_loses_nothing(project, dcli, port, client):
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"})
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        assert raw(port, target="DynamoDB_20120810.CreateTable", body=TABLE)[0] == 200
        for method in ("PUT", "PATCH", "GET", "DELETE"):
            status, _, answer = raw(
                port,
                method,
                target="DynamoDB_20120810.PutItem",
                body={"TableName": "things", "Item": {"pk": {"S": method}}},
            )
            assert status == 400, (method, answer)
        assert (
            raw(
                port,
                target="DynamoDB_20120810.PutItem",
                body={"TableName": "things", "Item": {"pk": {"S": "post"}}},
            )[0]
            == 200
        )
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        items = client(f"http://localhost:{port}").scan(TableName="things")["Items"]
        assert items == [{"pk": {"S": "post"}}]  # acknowledged, kept; the others never were
    finally:
        dcli("dynamodb", "local", "stop")


def test_a_foreign_host_is_refused_while_loopback_names_work(running, port):
    running()
    for host in (
        f"evil.example:{port}",
        "evil.example",
        f"localhost.evil.example:{port}",
        f"192.168.1.9:{port}",
        "localhost",
        f"localhost:{port + 1}",
        "",
    ):
        status, headers, answer = raw(
            port, headers={"Host": host}, target="DynamoDB_20120810.CreateTable", body=TABLE
        )
        assert status == 403, (host, answer)
        assert no_cors(headers)
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"LocalHost:{port}"):
        assert raw(port, headers={"Host": host})[0] == 200, host
    if has_ipv6_loopback():
        assert raw(port, address="::1")[0] == 200  # the ::1 side is ours too
    assert table_names(port) == []


def test_control_requests_need_the_secret_which_is_never_shown(running, port, dcli):
    root = running()
    secret = record(root)["secret"]
    assert len(secret) >= 32
    assert (root / ".getdotenv" / "dynamodb-local.json").stat().st_mode & 0o077 == 0
    pid = record(root)["pid"]
    assert secret not in " ".join(state.cmdline(pid) or [])
    assert secret not in (root / ".getdotenv" / "dynamodb-local.log").read_text()
    status_out = dcli("dynamodb", "local", "status", "--json")
    assert secret not in status_out.out + status_out.err
    assert raw(port, target="DynamoDB_20120810.CreateTable", body=TABLE)[0] == 200
    for path in ("/_getdotenv/stop", "/_getdotenv/reset", "/_getdotenv/save"):
        for given in ({}, {"X-Getdotenv-Secret": "guess"}, {"X-Getdotenv-Secret": secret[:-1]}):
            status, _, answer = raw(port, path=path, target=None, headers=given)
            assert status == 403, (path, answer)
        # a page's text/plain POST, the way the stop request was reachable before
        status, _, _ = raw(
            port,
            path=path,
            target=None,
            headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
        )
        assert status == 403
    assert (
        raw(port, "GET", "/_getdotenv/stop", target=None, headers={"X-Getdotenv-Secret": secret})[0]
        == 400
    )
    assert state.alive(pid) and table_names(port) == ["things"]
    # the owner (a test harness reading the record) resets between tests
    status, _, answer = raw(
        port, path="/_getdotenv/reset", target=None, headers={"X-Getdotenv-Secret": secret}
    )
    assert status == 200 and answer == {"reset": True}
    assert table_names(port) == []
    assert raw(port, target="DynamoDB_20120810.CreateTable", body=TABLE)[0] == 200  # usable again
    assert table_names(port) == ["things"]
    out = dcli("dynamodb", "local", "stop")
    assert out.code == 0 and f"stopped (pid {pid})" in out.err and secret not in out.err


def has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


class Squatter:
    """Another user's listener on ``[::1]:port``: it records every connection and byte."""

    def __init__(self, port: int) -> None:
        self.sock = socket.socket(socket.AF_INET6)
        self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.bind(("::1", port))
        self.sock.listen()
        self.connections = 0
        self.received = b""
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                try:
                    self.received += conn.recv(65536)
                    conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 17\r\n\r\n{"TableNames":[]}')
                except OSError:
                    pass

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def ipv6_first(tmp_path):
    """argv prefix running a command where ``localhost`` resolves to ::1 first (a private
    /etc/hosts in a mount namespace), as on Debian, Fedora or macOS."""
    if not has_ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        pytest.skip("unshare and mount are needed for a private /etc/hosts")
    hosts = tmp_path / "hosts"
    hosts.write_text("::1 localhost ip6-localhost\n127.0.0.1 localhost\n")
    prefix = ["unshare", "-m", "sh", "-c", f'mount --bind "{hosts}" /etc/hosts && exec "$@"', "sh"]
    check = subprocess.run(
        [
            *prefix,
            sys.executable,
            "-c",
            "import socket; print(socket.getaddrinfo('localhost', 1, type=socket.SOCK_STREAM)[0][4][0])",
        ],
        capture_output=True,
        text=True,
    )
    if check.returncode != 0 or check.stdout.strip() != "::1":
        pytest.skip(
            f"cannot make localhost resolve to ::1 first here ({check.stderr.strip()[:200]})"
        )
    return prefix


def cli_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "host_cli", *args]


def test_a_squatter_on_ipv6_loopback_gets_no_request_and_start_reports_it(
    project, port, ipv6_first
):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    squatter = Squatter(port)
    try:
        out = subprocess.run(
            [*ipv6_first, *cli_argv("dynamodb", "local", "start")],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1, out
        assert f"port {port} is already in use by another program" in out.stderr
        assert "endpoint" not in out.stdout
        ready = subprocess.run(
            [*ipv6_first, *cli_argv("dynamodb", "local", "status")],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert ready.returncode == 1 and "not running" in ready.stdout
        assert squatter.connections == 0 and squatter.received == b""
        assert servers() == []
    finally:
        squatter.close()


def test_the_server_itself_refuses_a_port_whose_ipv6_side_is_taken(tmp_path, port):
    """The same-port race past start's check: the server refuses to serve half a port."""
    if not has_ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    squatter = Squatter(port)
    try:
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "dynamodb_plugin.local.server",
                "--port",
                str(port),
                "--record",
                str(tmp_path / "dynamodb-local.json"),
                "--endpoint",
                f"http://localhost:{port}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert out.returncode == 1
        assert f"[dynamodb-local] error: cannot listen on [::1]:{port}" in out.stdout
        assert not (tmp_path / "dynamodb-local.json").exists()
        assert not state.accepting(port)  # its 127.0.0.1 side was let go as well
        assert squatter.connections == 0
    finally:
        squatter.close()


def test_with_ipv6_first_the_advertised_localhost_url_reaches_the_same_server(
    project, port, ipv6_first
):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    script = (
        "import boto3, socket\n"
        f"c = boto3.client('dynamodb', endpoint_url='http://localhost:{port}', region_name='local',"
        " aws_access_key_id='k', aws_secret_access_key='k')\n"
        f"c.create_table(**{TABLE!r})\n"
        f"socket.create_connection(('::1', {port}), timeout=5).close()\n"  # ours listens there
    )
    steps = " && ".join(
        [
            " ".join(cli_argv("dynamodb", "local", "start")),
            " ".join(cli_argv("dynamodb", "local", "ready")),
            f'{sys.executable} -c "$0"',
        ]
    )
    try:
        out = subprocess.run(
            [*ipv6_first, "sh", "-c", steps, script],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=90,
        )
        assert out.returncode == 0, out
        assert out.stdout.startswith(f"local dynamodb: endpoint http://localhost:{port}\n")
        assert table_names(port) == ["things"]  # created over ::1, seen over 127.0.0.1
    finally:
        subprocess.run(cli_argv("dynamodb", "local", "stop"), cwd=root, capture_output=True)


def test_two_projects_racing_for_one_port_exactly_one_says_started(tmp_path, port):
    roots = []
    for name in ("one", "two"):
        root = tmp_path / name
        root.mkdir()
        (root / "package.json").write_text("{}")
        (root / "getdotenv.config.yaml").write_text(
            f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      persist: false\n"
        )
        roots.append(root)
    both = [
        subprocess.Popen(
            cli_argv("dynamodb", "local", "start"),
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for root in roots
    ]
    try:
        results = [p.communicate(timeout=90) for p in both]
        codes = [p.returncode for p in both]
        assert sorted(codes) == [0, 1], results
        winner = codes.index(0)
        loser = 1 - winner
        assert results[winner][0] == f"local dynamodb: endpoint http://localhost:{port}\n"
        assert "endpoint" not in results[loser][0]
        assert str(port) in results[loser][1], results[loser]
        assert len(servers()) == 1
        assert not (roots[loser] / ".getdotenv" / "dynamodb-local.json").exists()
        status = subprocess.run(
            cli_argv("dynamodb", "local", "status"),
            cwd=roots[loser],
            capture_output=True,
            text=True,
        )
        assert status.returncode == 1
    finally:
        for root in roots:
            subprocess.run(cli_argv("dynamodb", "local", "stop"), cwd=root, capture_output=True)


def test_commands_never_use_a_server_that_cannot_prove_it_is_theirs(project, dcli, port, tmp_path):
    """A record naming a live server of ours whose endpoint answers with another secret
    (what a squatter, or another project's server on the same port, amounts to)."""
    root = project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"
            "      persist: false\n",
            ".env": "STAGE_NAME=s-dev\n",
            "tables/table.template.yml": "Type: AWS::DynamoDB::Table\nProperties:\n"
            "  TableName: t\n  BillingMode: PAY_PER_REQUEST\n  AttributeDefinitions:\n"
            "    - {AttributeName: pk, AttributeType: S}\n  KeySchema:\n"
            "    - {AttributeName: pk, KeyType: HASH}\n",
        }
    )
    assert dcli("dynamodb", "local", "start").code == 0
    path = root / ".getdotenv" / "dynamodb-local.json"
    genuine = path.read_text()
    try:
        assert dcli("dynamodb", "tables", "generate", "--version", "000").code == 0
        assert dcli("dynamodb", "tables", "list").code == 0
        forged = json.loads(genuine)
        forged["secret"] = "not-the-secret-of-whatever-answers-there"
        path.write_text(json.dumps(forged))
        status = dcli("dynamodb", "local", "status")
        assert status.code == 1
        assert f"127.0.0.1:{port} is answered by another program" in status.out
        ready = dcli("dynamodb", "local", "ready", "--timeout", "0.5")
        assert ready.code == 1 and "answered by another program" in ready.err
        start = dcli("dynamodb", "local", "start")
        assert start.code == 1 and "answered by another program" in start.err
        for command in (["list"], ["create", "--version", "000"]):
            refused = dcli("dynamodb", "tables", *command)
            assert refused.code == 1 and "nothing was sent to it" in refused.err, refused
        assert table_names(port) == []
    finally:
        path.write_text(genuine)
        assert dcli("dynamodb", "local", "stop").code == 0


@pytest.mark.parametrize(
    ("cors", "message"),
    [
        ('["*"]', "'*' is not accepted"),
        ('["http://localhost:3000/app"]', "expected an origin such as http://localhost:3000"),
        ('["file:///tmp/x"]', "expected an origin such as"),
        ('"http://localhost:3000"', "list"),
    ],
)
def test_bad_cors_config_is_one_line_naming_the_key(project, dcli, cors, message):
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      cors: {cors}\n"})
    out = dcli("dynamodb", "local", "start")
    assert out.code != 0
    assert "cors" in out.err and message in out.err, out.err
    assert servers() == []


def test_the_jar_gets_the_narrowest_cors_it_accepts(tmp_path, monkeypatch):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    java = bin_dir / "java"
    java.write_text("#!/bin/sh\n")
    java.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    (tmp_path / "DynamoDBLocal.jar").write_text("stand-in")
    where = backends.Recording(tmp_path / "r.json", 8123, "http://localhost:8123", tmp_path / "l")

    def cors_of(argv: list[str]) -> str:
        return argv[argv.index("-cors") + 1]

    assert cors_of(backends.jar_argv(tmp_path, where, None)) == "http://localhost:8123"
    assert cors_of(backends.jar_argv(tmp_path, where, None, [APP, "https://a.example"])) == (
        f"{APP},https://a.example"
    )


def test_the_proof_names_the_address_it_was_reached_on_and_a_silent_listener_is_no_server(
    running, port
):
    """A relay on one loopback family to our server on the other cannot pass our proof off as
    its own: the proof binds the address the server was reached on."""
    from dynamodb_plugin.local import probe

    secret = record(running())["secret"]
    nonce = "ab" * 16
    addresses = ["127.0.0.1"] + (["::1"] if has_ipv6_loopback() else [])
    for address in addresses:
        status, _, answer = raw(
            port,
            path="/_getdotenv/hello",
            target=None,
            address=address,
            headers={"X-Getdotenv-Nonce": nonce},
        )
        assert status == 200
        assert answer["proof"] == probe.proof(secret, nonce, address)
        assert answer["proof"] != probe.proof(
            secret, nonce, "::1" if address != "::1" else "127.0.0.1"
        )
        assert probe.hello(address, port, secret) == "ours"
        assert probe.hello(address, port, "another secret") == "other"
    assert probe.squatter(port, secret) is None
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        other = silent.getsockname()[1]
        assert probe.hello("127.0.0.1", other, secret, timeout=0.3) == "silent"
        assert "does not answer" in (probe.squatter(other, secret, timeout=0.3) or "")
