"""Launch to ready: the server says it is ready on a pipe, the CLI's probes need neither
botocore nor http.client, and the server loads botocore's models through one loader."""

from __future__ import annotations

import datetime
import json
import os
import select
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from dynamodb_plugin.local import probe, startup
from dynamodb_plugin.local.state import free_port


@pytest.mark.parametrize(
    "endpoint",
    ["http://localhost:8000", "http://127.0.0.1:80", "http://[::1]:9000/", "https://ddb.test/x/"],
)
@pytest.mark.parametrize("region", ["us-east-1", "local"])
def test_the_probe_signs_as_botocore_does(endpoint, region, monkeypatch):
    from urllib.parse import urlsplit

    import botocore.auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    when = time.gmtime(1_764_770_000)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: datetime.datetime(*when[:6]))
    body = b'{"Limit": 1}'
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
    }
    theirs = AWSRequest(method="POST", url=endpoint.rstrip("/") + "/", data=body, headers=headers)
    botocore.auth.SigV4Auth(Credentials("local", "local"), "dynamodb", region).add_auth(theirs)
    url = urlsplit(endpoint.rstrip("/") + "/")
    host = probe._host(url.scheme, url.hostname or "", url.port)
    mine = probe.sigv4_headers(host, url.path, body, headers, region, when)
    assert mine["Authorization"] == theirs.headers["Authorization"]
    assert mine["X-Amz-Date"] == theirs.headers["X-Amz-Date"]


def _canned(answer: bytes, *, close: bool = True) -> tuple[int, threading.Thread]:
    """A listener on 127.0.0.1 that reads one request and sends ``answer`` (then closes the
    connection, or keeps it open for a second)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def serve() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(65536)
                head, _, body = request.partition(b"\r\n\r\n")
                length = [
                    h for h in head.lower().split(b"\r\n") if h.startswith(b"content-length:")
                ]
                want = int(length[0].split(b":")[1]) if length else 0
                while len(body) < want:
                    body += conn.recv(65536)
                conn.sendall(answer)
                if not close:
                    time.sleep(1.0)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return port, thread


@pytest.mark.parametrize(
    ("answer", "close"),
    [
        (b'HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\n{"TableNames": []}', False),
        (b'HTTP/1.0 200 OK\r\nContent-Type: x\r\n\r\n{"TableNames": ["a"]}', True),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            b'5\r\n{"Tab\r\nd\r\nleNames": []}\r\n0\r\n\r\n',
            False,
        ),
    ],
)
def test_list_tables_reads_every_kind_of_answer(answer, close):
    port, thread = _canned(answer, close=close)
    started = time.monotonic()
    assert probe.list_tables(f"http://127.0.0.1:{port}", "local", timeout=3.0)
    assert time.monotonic() - started < 0.9  # did not wait for the connection to close
    thread.join()


@pytest.mark.parametrize(
    "answer",
    [
        b'HTTP/1.1 404 Not Found\r\nContent-Length: 18\r\n\r\n{"TableNames": []}',
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n[]",
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"",
    ],
)
def test_list_tables_is_false_for_anything_else(answer):
    port, thread = _canned(answer)
    assert not probe.list_tables(f"http://127.0.0.1:{port}", "local", timeout=2.0)
    thread.join()


def test_list_tables_is_false_where_nothing_listens_or_the_endpoint_is_not_http():
    assert not probe.list_tables(f"http://127.0.0.1:{free_port()}", "local", timeout=1.0)
    assert not probe.list_tables("ftp://localhost:21", "local")
    assert not probe.list_tables("http://localhost:99999", "local")


@pytest.mark.parametrize(
    ("answer", "verdict"),
    [
        (b'HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{"proof": "no"}', "other"),
        (b"HTTP/1.1 200 OK\r\n\r\nnot json", "other"),
        (b"garbage\r\n\r\n", "other"),
        (b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", "other"),
    ],
)
def test_hello_from_another_program_is_not_ours(answer, verdict):
    port, thread = _canned(answer)
    assert probe.hello("127.0.0.1", port, "secret", timeout=2.0) == verdict
    thread.join()


def test_hello_to_a_listener_that_never_answers_is_silent():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert probe.hello("127.0.0.1", listener.getsockname()[1], "s", timeout=0.3) == "silent"


def test_one_model_loader_loads_the_same_models(monkeypatch):
    from botocore.exceptions import UnknownServiceError
    from moto.core import utils
    from moto.core.loaders import create_loader

    monkeypatch.setattr(utils, "create_loader", create_loader)  # restored after the test
    assert startup.one_model_loader()
    shared = utils.create_loader()
    assert utils.create_loader() is shared
    for service in ("dynamodb", "dynamodbstreams"):
        for kind in ("service-2", "paginators-1"):
            expected = create_loader().load_service_model(service, kind)
            assert shared.load_service_model(service, kind) == expected
    with pytest.raises(UnknownServiceError) as caught:
        shared.load_service_model("no-such-service", "service-2")
    assert "dynamodb" in str(caught.value)  # the known services, listed as botocore does
    for name in ("../dynamodb", "", ".", "dynamodb/2012-08-10"):
        with pytest.raises(UnknownServiceError):
            shared.load_service_model(name, "service-2")


def _server(
    tmp_path: Path, port: int, ready_fd: int, *extra: str, flags: tuple[str, ...] = ()
) -> subprocess.Popen[bytes]:
    log = tmp_path / "server.log"
    argv = [sys.executable, *flags, "-m", "dynamodb_plugin.local.server", "--port", str(port)]
    argv += ["--record", str(tmp_path / "dynamodb-local.json"), "--endpoint"]
    argv += [f"http://localhost:{port}", "--log", str(log), "--ready-fd", str(ready_fd)]
    proc = subprocess.Popen(
        [*argv, *extra, "--secret-stdin"],
        stdin=subprocess.PIPE,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        pass_fds=(ready_fd,),
    )
    assert proc.stdin is not None
    proc.stdin.write(b"the-secret\n")
    proc.stdin.close()
    return proc


def test_the_server_says_ready_only_once_it_answers(tmp_path):
    port = free_port()
    read, write = os.pipe()
    proc = _server(tmp_path, port, write)
    os.close(write)
    try:
        assert select.select([read], [], [], 60)[0], "no word on the ready pipe"
        assert os.read(read, 64) == startup.READY
        # the moment it says so: it answers, proves itself, and its record is there
        assert probe.list_tables(f"http://localhost:{port}", "local", timeout=2.0)
        assert probe.squatter(port, "the-secret") is None
        assert (tmp_path / "dynamodb-local.json").is_file()
        assert os.read(read, 64) == b""  # and it closed its end
    finally:
        os.close(read)
        proc.terminate()
        proc.wait(30)


def test_a_server_that_fails_before_ready_closes_the_pipe_and_logs_why(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        read, write = os.pipe()
        proc = _server(tmp_path, port, write)
        os.close(write)
        try:
            assert select.select([read], [], [], 60)[0]
            assert os.read(read, 64) == b""  # closed without a word: it ended
            assert proc.wait(10) == 1
        finally:
            os.close(read)
    log = (tmp_path / "server.log").read_text()
    assert f"[dynamodb-local] error: cannot listen on 127.0.0.1:{port}" in log
    assert not (tmp_path / "dynamodb-local.json").exists()


def _cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "host_cli", "dynamodb", "local", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _servers_of(root: Path) -> list[int]:
    """Pids of built-in servers whose record is under ``root``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"dynamodb_plugin.local.server" in cmdline and str(root).encode() in b" ".join(
                cmdline
            ):
                found.append(int(entry))
    return found


def test_start_waits_on_the_pipe_and_status_stop_agree(project, port):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    try:
        out = _cli(root, "start", "--in-memory")
        assert out.returncode == 0, out.stderr
        assert f"local dynamodb: endpoint http://localhost:{port}" in out.stdout
        log = (root / ".getdotenv" / "dynamodb-local.log").read_text()
        assert " --ready-fd " in log.splitlines()[0]
        status = _cli(root, "status")
        assert status.returncode == 0 and "running (moto" in status.stdout
        assert _cli(root, "ready").returncode == 0
        (pid,) = _servers_of(root)
        # the server closed its end of the ready pipe once it had said so
        ready_fd = log.splitlines()[0].split(" --ready-fd ")[1].split()[0]
        path = f"/proc/{pid}/fd/{ready_fd}"  # the number may be a socket's by now
        assert not os.path.exists(path) or not os.readlink(path).startswith("pipe:")
    finally:
        stopped = _cli(root, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert _servers_of(root) == []
    assert _cli(root, "status").returncode == 1


def test_start_reports_a_snapshot_the_server_cannot_restore(project, port):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    data = root / ".getdotenv" / "dynamodb-local"
    data.mkdir(parents=True, mode=0o700)
    os.chmod(root / ".getdotenv", 0o700)
    (data / "snapshot.json").write_text("{not json")
    started = time.monotonic()
    out = _cli(root, "start", "--timeout", "60")
    assert out.returncode == 1
    assert "cannot restore the saved data" in out.stderr, out.stderr
    assert time.monotonic() - started < 30  # told by the pipe closing, not the timeout
    assert _servers_of(root) == []
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists()


def test_start_and_status_import_neither_botocore_nor_the_server(project, port):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    heavy = ("boto3", "botocore", "moto", "urllib.request", "dynamodb_plugin.local.server")
    code = (
        "import sys\nfrom host_cli.cli.app import run\n"
        "code = run(sys.argv[1:])\n"
        f"print(code, [m for m in {heavy!r} if m in sys.modules], 'http.client' in sys.modules)\n"
        "print([m for m in ('secrets', 'random', 'encodings.idna') if m in sys.modules])"
    )
    try:
        start = subprocess.run(
            [sys.executable, "-c", code, "dynamodb", "local", "start", "--in-memory"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert start.stdout.splitlines()[-2] == "0 [] False", start  # (ListTables on a socket)
        status = subprocess.run(
            [sys.executable, "-c", code, "dynamodb", "local", "status"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert status.stdout.splitlines()[-2:] == ["0 [] False", "[]"], status
    finally:
        _cli(root, "stop")


def test_deferred_modules_run_on_first_use_only(tmp_path):
    code = (
        "import sys\nfrom dynamodb_plugin.local import startup\n"
        "done = startup.deferred(('yaml', 'json'))\n"
        "import json\nimport moto.moto_server.werkzeug_app\ndone()\n"
        # whether a module's code ran, read without using it (which would run it)
        "ran = lambda name: 'safe_load' in object.__getattribute__(sys.modules[name], '__dict__')\n"
        "print(type(sys.modules['yaml']).__name__, type(sys.modules['json']).__name__)\n"
        "print(ran('yaml'), 'yaml.reader' in sys.modules)\n"
        "import yaml\n"  # (importing it again is no use: its __spec__ is read)
        "print(type(sys.modules['yaml']).__name__, ran('yaml'))\n"
        "print(yaml.safe_load('a: [1, 2]'), type(sys.modules['yaml']).__name__)\n"
        "import importlib.util\nprint(importlib.util.find_spec('yaml').loader.__class__.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    # json is used at once by moto; yaml runs when used; later finds are plain again
    assert out.stdout.splitlines() == [
        "_LazyModule module",
        "False False",
        "_LazyModule False",
        "{'a': [1, 2]} module",
        "SourceFileLoader",
    ]


def _imported(log: str) -> set[str]:
    """The modules a ``python -X importtime`` process logged as imported."""
    return {
        line.rpartition("|")[2].strip()
        for line in log.splitlines()
        if line.startswith("import time:") and "|" in line
    }


# What the server imports only where a request needs it (startup.no_iam_until_needed).
NOT_AT_START = ("moto.iam", "moto.iam.access_control", "moto.s3", "cryptography.x509")


def test_the_server_answers_without_importing_iam(tmp_path, client):
    """Started, it answers the first CreateTable, PutItem and GetItem without moto's IAM (nor
    cryptography or moto's S3, which IAM imports) and without a boto3 session for the regions."""
    port = free_port()
    read, write = os.pipe()
    proc = _server(tmp_path, port, write, flags=("-X", "importtime"))
    os.close(write)
    log = tmp_path / "server.log"
    try:
        assert select.select([read], [], [], 60)[0] and os.read(read, 64) == startup.READY
        at_start = _imported(log.read_text())
        assert "moto.dynamodb.models" in at_start  # (-X importtime took)
        assert not at_start & set(NOT_AT_START), sorted(at_start & set(NOT_AT_START))
        assert "boto3.resources.factory" in at_start  # boto3 itself is imported (by moto)
        ddb = client(f"http://localhost:{port}")
        ddb.create_table(
            TableName="t",
            KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.put_item(TableName="t", Item={"k": {"S": "a"}, "n": {"N": "1"}})
        assert ddb.get_item(TableName="t", Key={"k": {"S": "a"}})["Item"]["n"] == {"N": "1"}
        assert ddb.list_tables()["TableNames"] == ["t"]
        after = _imported(log.read_text())
        assert not after & set(NOT_AT_START), sorted(after & set(NOT_AT_START))
    finally:
        os.close(read)
        proc.terminate()
        proc.wait(30)


def _python(code: str, cwd: Path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOTO_")}
    env["MOTO_ACCOUNT_ID"] = "123456789012"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_a_standin_serves_its_names_and_becomes_the_real_module(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("print('package imported')\nfrom . import mod\n")
    (package / "mod.py").write_text("print('mod imported')\ndef f(): return 'real f'\nG = 'g'\n")
    head = (
        "import sys\nsys.path.insert(0, '.')\nfrom dynamodb_plugin.local import startup\n"
        "print(startup.standin('pkg.mod', {'f': lambda: 'served f'}))\n"
        "from pkg.mod import f\nprint(f(), 'pkg' in sys.modules)\n"
    )
    code = head + (
        "from pkg.mod import G\nprint(G)\n"  # another name: the real module
        "from pkg.mod import f\nprint(f(), sys.modules['pkg'].mod is sys.modules['pkg.mod'])\n"
        "print(startup.standin('pkg.mod', {}), startup.standin('os.fake', {}))"
    )
    assert _python(code, tmp_path) == [
        "True",
        "served f False",
        "package imported",
        "mod imported",
        "g",
        "real f True",
        "False False",  # imported (or its package is): never replaced
    ]
    code = head + "import pkg.mod\nprint(pkg.mod.f(), pkg.mod.G)\nfrom pkg.mod import f\nprint(f())"
    assert _python(code, tmp_path) == [
        "True",
        "served f False",
        "package imported",
        "mod imported",
        "real f g",
        "real f",
    ]


def test_no_iam_until_needed_then_moto_iam_as_before(tmp_path):
    """Requests through moto's handler import no IAM; once IAM is imported (something needs
    it), it is moto's own, and marks the access keys it knows as used again."""
    code = (
        "import sys\nfrom moto.moto_server.werkzeug_app import create_backend_app\n"
        "from dynamodb_plugin.local import server, startup\n"
        "print(startup.no_iam_until_needed())\n"
        "call = server.api_caller(create_backend_app('dynamodb'))\n"
        "print(call('ListTables', {}), 'moto.iam' in sys.modules)\n"
        "from moto.iam.models import iam_backends\n"  # IAM, needed at last
        "iam = iam_backends['123456789012']['aws']\n"
        "iam.create_user('us-east-1', 'u')\nkey = iam.create_access_key('u')\n"
        "print('moto.iam' in sys.modules, key.last_used is None)\n"
        "from werkzeug.test import Client\n"
        "auth = f'AWS4-HMAC-SHA256 Credential={key.access_key_id}/20000101/us-east-1/dynamodb/"
        "aws4_request, SignedHeaders=host, Signature=0'\n"
        "answer = Client(create_backend_app('dynamodb')).post('/', data='{}', headers={"
        "'X-Amz-Target': 'DynamoDB_20120810.ListTables', 'Authorization': auth, "
        "'Content-Type': 'application/x-amz-json-1.0'})\n"
        "print(answer.status_code, key.last_used.service)"
    )
    assert _python(code, tmp_path) == [
        "True",
        "{'TableNames': []} False",
        "True True",
        "200 dynamodb",
    ]


def test_no_iam_until_needed_keeps_moto_checks_past_the_no_auth_count(tmp_path):
    """With ``INITIAL_NO_AUTH_ACTION_COUNT`` reached, moto's own IAM check runs (an unknown
    key is refused, as by plain moto)."""
    code = (
        "import sys\nfrom moto import settings\n"
        "from moto.moto_server.werkzeug_app import create_backend_app\n"
        "from dynamodb_plugin.local import server, startup\n"
        "print(startup.no_iam_until_needed())\n"
        "call = server.api_caller(create_backend_app('dynamodb'))\n"
        "settings.INITIAL_NO_AUTH_ACTION_COUNT = 1\n"
        "print(call('ListTables', {}), 'moto.iam.access_control' in sys.modules)\n"
        "from werkzeug.test import Client\n"
        "auth = 'AWS4-HMAC-SHA256 Credential=nobody/20000101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0'\n"
        "answer = Client(create_backend_app('dynamodb')).post('/', data='{}', headers={"
        "'X-Amz-Target': 'DynamoDB_20120810.ListTables', 'Authorization': auth, "
        "'Content-Type': 'application/x-amz-json-1.0'})\n"
        "print(answer.status_code, answer.get_data(as_text=True).replace(chr(10), ' '))\n"
        "print('moto.iam.access_control' in sys.modules)"
    )
    out = _python(code, tmp_path)
    assert out[:2] == ["True", "{'TableNames': []} False"]
    assert (
        out[2].startswith("403 ") and "security token included in the request is invalid" in out[2]
    )
    assert out[3] == "True"


def test_light_regions_are_boto3s(tmp_path):
    code = (
        "import boto3, json\nfrom moto.core.base_backend import AccountSpecificBackend\n"
        "from dynamodb_plugin.local import startup\n"
        "print(startup.one_model_loader(), startup.light_regions())\n"
        "light, real = AccountSpecificBackend.get_session(), boto3.Session()\n"
        "print(type(light).__name__)\n"
        "for s in ('dynamodb', 'dynamodbstreams', 'iam', 's3', 'lambda', 'no-such-service'):\n"
        "    for p in real.get_available_partitions():\n"
        "        for nr in (False, True):\n"
        "            mine = light.get_available_regions(s, partition_name=p, allow_non_regional=nr)\n"
        "            assert mine == real.get_available_regions(s, p, nr), (s, p, nr)\n"
        "print(light.get_available_partitions() == real.get_available_partitions())\n"
        "print(light.profile_name == real.profile_name)\n"  # anything else: a boto3 Session's
        "from moto.dynamodb.models import dynamodb_backends\n"
        "print('eu-west-1' in dynamodb_backends['123456789012'].regions)"
    )
    assert _python(code, tmp_path) == ["True True", "_Regions", "True", "True", "True"]


def test_light_regions_not_where_botocore_reads_other_data(tmp_path, monkeypatch):
    config = tmp_path / "aws-config"
    config.write_text("[default]\ndata_path = /somewhere\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    code = (
        "from dynamodb_plugin.local import startup\n"
        "print(startup.one_model_loader(), startup.light_regions())"
    )
    assert _python(code, tmp_path) == ["True False"]
    config.write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    assert _python(code, tmp_path) == ["True False"]
    monkeypatch.delenv("AWS_DATA_PATH")
    assert _python(code, tmp_path) == ["True True"]


def serve_with(client: str, port: int, cwd: Path, env: dict[str, str] | None = None) -> list[str]:
    """The lines a server process printed while serving ``client``: Python code defining
    ``client()``, run in a thread of the server's own process once the server says it is
    ready on the pipe ``read`` (the client ends the process with ``os._exit(0)``)."""
    code = client + (
        "import threading\nfrom dynamodb_plugin.local import server\n"
        "read, write = os.pipe()\n"
        "threading.Thread(target=client, daemon=True).start()\n"
        f"server.main(['--port', '{port}', '--record', 'rec/dynamodb-local.json', '--endpoint', "
        f"'http://localhost:{port}', '--ready-fd', str(write)])\n"
        "os._exit(1)"
    )
    (cwd / "rec").mkdir()
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, timeout=120, env=env
    )
    assert out.returncode == 0, (out.stdout, out.stderr)
    return out.stdout.splitlines()


def test_a_server_in_a_process_leaves_what_it_never_uses_unloaded(tmp_path):
    """The server's own process, serving a client (from a thread of it): the modules it
    defers stay unrun (PyYAML, moto's index of every service's URLs) and IAM stays a stand-in
    while the requests are answered; a use of a deferred module still works."""
    port = free_port()
    client = (
        "import os, sys, select\n"
        "from dynamodb_plugin.local import probe\n"
        "def client():\n"
        "    assert select.select([read], [], [], 60)[0] and os.read(read, 64) == b'ready\\n'\n"
        f"    assert probe.list_tables('http://localhost:{port}', 'local')\n"
        "    import boto3\n"
        f"    c = boto3.client('dynamodb', endpoint_url='http://localhost:{port}', "
        "region_name='local', aws_access_key_id='k', aws_secret_access_key='k')\n"
        "    c.create_table(TableName='t', KeySchema=[{'AttributeName': 'k', 'KeyType': "
        "'HASH'}], AttributeDefinitions=[{'AttributeName': 'k', 'AttributeType': 'S'}], "
        "BillingMode='PAY_PER_REQUEST')\n"
        "    c.put_item(TableName='t', Item={'k': {'S': 'a'}})\n"
        "    assert c.get_item(TableName='t', Key={'k': {'S': 'a'}})['Item'] == {'k': {'S': 'a'}}\n"
        "    kind = lambda name: type(sys.modules[name]).__name__\n"
        "    own = lambda name: object.__getattribute__(sys.modules[name], '__dict__')\n"
        "    print(kind('yaml'), kind('moto.backend_index'), 'moto.iam' in sys.modules)\n"
        "    print('safe_load' in own('yaml'), 'yaml.reader' in sys.modules, "
        "'backend_url_patterns' in own('moto.backend_index'))\n"
        "    import moto.backend_index\n"
        "    print(len(moto.backend_index.backend_url_patterns) > 100, kind('moto.backend_index'))\n"
        "    sys.stdout.flush()\n"
        "    os._exit(0)\n"
    )
    assert serve_with(client, port, tmp_path)[-3:] == [
        "_LazyModule _LazyModule False",
        "False False False",  # their code never ran (a class name alone would not tell)
        "True module",
    ]


def test_the_planned_updates_guard_reads_the_sources_inspect_reads():
    """``updates._sources`` (no module parse per class, at server start) gives exactly what
    ``inspect.getsource`` gives, for every part of moto the guard digests."""
    import inspect

    from dynamodb_plugin.local import updates

    parts = updates._planned_sources()
    assert parts is not None and any(inspect.isclass(p) for p in parts)
    assert list(updates._sources(parts)) == [inspect.getsource(p) for p in parts]


def _python_with(code: str, cwd: Path, **env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("MOTO_", "AWS_"))}
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, "MOTO_ACCOUNT_ID": "123456789012", **env},
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_light_regions_are_kept_for_the_endpoint_data_they_come_from(tmp_path):
    """The region lists come from getdotenv's cache on the next start (botocore's endpoint
    data is not read at all), and follow that data when it changes: here a customer copy in
    ``~/.aws/models`` (read by botocore before its own) with one more region."""
    home, cache = tmp_path / "home", tmp_path / "cache"
    home.mkdir()
    code = (
        "import boto3\nfrom moto.core.base_backend import AccountSpecificBackend\n"
        "from dynamodb_plugin.local import startup\n"
        "assert startup.one_model_loader() and startup.light_regions()\n"
        "light, real = AccountSpecificBackend.get_session(), boto3.Session()\n"
        "for p in real.get_available_partitions():\n"
        "    for s in ('dynamodb', 'dynamodbstreams'):\n"
        "        assert light.get_available_regions(s, p) == real.get_available_regions(s, p)\n"
        "print(light.get_available_partitions() == real.get_available_partitions())\n"
        "print('us-test-9' in light.get_available_regions('dynamodb'), light._resolver is None)"
    )
    env = {"HOME": str(home), "GETDOTENV_CACHE_DIR": str(cache)}
    assert _python_with(code, tmp_path, **env) == ["True", "False False"]  # read, then kept
    assert _python_with(code, tmp_path, **env) == ["True", "False True"]  # from the cache
    import botocore

    data = json.loads((Path(botocore.__file__).parent / "data" / "endpoints.json").read_text())
    aws = next(p for p in data["partitions"] if p["partition"] == "aws")
    aws["services"]["dynamodb"]["endpoints"]["us-test-9"] = {}
    aws["regions"]["us-test-9"] = {"description": "a region botocore's own data does not have"}
    models = home / ".aws" / "models"
    models.mkdir(parents=True)
    (models / "endpoints.json").write_text(json.dumps(data))
    assert _python_with(code, tmp_path, **env) == ["True", "True False"]  # read again
    assert _python_with(code, tmp_path, **env) == ["True", "True True"]


def test_a_source_is_kept_for_exactly_the_file_it_is_read_from(tmp_path):
    """``startup.source`` gives ``inspect.getsource``'s text, from getdotenv's cache in the
    next process (``inspect`` is not asked), and reads a file afresh when any byte changes."""
    (tmp_path / "guarded.py").write_text("def f():\n    return 1\n\n\nclass C:\n    x = 1\n")
    code = (
        "import inspect, sys\nsys.path.insert(0, '.')\nimport guarded\n"
        "from dynamodb_plugin.local import startup\n"
        "if sys.argv[1:] == ['no-inspect']:\n"
        "    inspect.getsource = None\n"  # a miss would fail now
        "print(repr(startup.source(guarded.f)), repr(startup.source(guarded.C)))\n"
    )
    env = {"GETDOTENV_CACHE_DIR": str(tmp_path / "cache")}

    def run(*args: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, **env},
            timeout=60,
        )
        assert out.returncode == 0 or args, out.stderr
        return out.stdout.splitlines() if out.returncode == 0 else ["failed"]

    first = ["'def f():\\n    return 1\\n' 'class C:\\n    x = 1\\n'"]
    assert run() == first
    assert run("no-inspect") == first  # kept
    (tmp_path / "guarded.py").write_text("def f():\n    return 2\n\n\nclass C:\n    x = 1\n")
    assert run("no-inspect") == ["failed"]  # not kept for this file
    assert run() == ["'def f():\\n    return 2\\n' 'class C:\\n    x = 1\\n'"]
