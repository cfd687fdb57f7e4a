"""``dynamodb local``: real servers on free ports, driven through the real CLI."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from dynamodb_plugin.local import state
from tests.conftest import our_processes, pty_run

TABLE = {
    "TableName": "things",
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


def record(root):
    return json.loads((root / ".getdotenv" / "dynamodb-local.json").read_text())


def servers():
    return [p for p in our_processes() if "dynamodb_plugin.local.server" in p[1]]


def test_full_lifecycle(project, dcli, port, client):
    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    endpoint = f"http://localhost:{port}"
    out = dcli("dynamodb", "local", "start")
    try:
        assert (out.code, out.out) == (0, f"local dynamodb: endpoint {endpoint}\n"), out
        assert f"export DYNAMODB_LOCAL_ENDPOINT={endpoint}" in out.err
        rec = record(root)
        assert (rec["port"], rec["endpoint"], rec["backend"]) == (port, endpoint, "moto")
        assert (
            rec["argv"][1:5] == ["-E", "-P", "-m", "dynamodb_plugin.local.server"]
            and rec["started_at"]
        )
        assert (root / ".getdotenv" / ".gitignore").read_text().endswith("*\n")
        status = dcli("dynamodb", "local", "status", "--json")
        data = json.loads(status.out)
        assert (
            status.code == 0 and data["running"] and data["accepting"] and data["pid"] == rec["pid"]
        )
        assert dcli("dynamodb", "local", "ready").code == 0
        assert dcli("cmd", "echo $DYNAMODB_LOCAL_ENDPOINT").out == f"{endpoint}\n"
        client(endpoint).create_table(**TABLE)  # region `local` works
        again = dcli("dynamodb", "local", "start")
        assert again.code == 0 and f"already running (moto, pid {rec['pid']})" in again.err
        assert record(root)["pid"] == rec["pid"] and len(servers()) == 1
    finally:
        stopped = dcli("dynamodb", "local", "stop")
    assert stopped.code == 0 and f"stopped (pid {rec['pid']})" in stopped.err
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists() and servers() == []
    assert dcli("dynamodb", "local", "status").code == 1
    assert dcli("dynamodb", "local", "ready", "--timeout", "0.3").code == 1
    assert dcli("dynamodb", "local", "stop").code == 0  # nothing to stop is fine


def test_data_survives_stop_and_start_and_in_memory_does_not(project, dcli, port, client):
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"})
    endpoint = f"http://localhost:{port}"
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(endpoint)
        c.create_table(**TABLE)
        c.put_item(
            TableName="things", Item={"pk": {"S": "a"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "7"}}
        )
        c.update_time_to_live(
            TableName="things", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"}
        )
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(endpoint)
        assert c.get_item(TableName="things", Key={"pk": {"S": "a"}})["Item"] == {
            "pk": {"S": "a"},
            "blob": {"B": b"\x00\xff"},
            "n": {"N": "7"},
        }
        assert (
            c.describe_time_to_live(TableName="things")["TimeToLiveDescription"]["AttributeName"]
            == "exp"
        )
    finally:
        dcli("dynamodb", "local", "stop")
    assert dcli("dynamodb", "local", "start", "--in-memory").code == 0
    try:
        assert client(endpoint).list_tables()["TableNames"] == []
    finally:
        dcli("dynamodb", "local", "stop")


def test_hard_kill_loses_only_what_changed_since_the_last_snapshot(project, dcli, port, client):
    root = project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      snapshotInterval: 0.2\n"
        }
    )
    endpoint = f"http://localhost:{port}"
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        c = client(endpoint)
        c.create_table(**TABLE)
        c.put_item(TableName="things", Item={"pk": {"S": "saved"}})
        snapshot = root / ".getdotenv" / "dynamodb-local" / "snapshot.jsonl"
        deadline = time.monotonic() + 10
        while "saved" not in (snapshot.read_text() if snapshot.exists() else ""):
            assert time.monotonic() < deadline, "no autosave"
            time.sleep(0.05)
    finally:
        os.kill(record(root)["pid"], signal.SIGKILL)
        while servers():
            time.sleep(0.05)
    out = dcli("dynamodb", "local", "start")
    try:
        assert out.code == 0 and "removed the record of a server that is gone" in out.err
        assert client(endpoint).scan(TableName="things")["Items"] == [{"pk": {"S": "saved"}}]
    finally:
        dcli("dynamodb", "local", "stop")


def test_port_zero_picks_a_free_port(project, dcli):
    root = project({})
    out = dcli("dynamodb", "local", "start", "--port", "0")
    try:
        assert out.code == 0
        port = record(root)["port"]
        assert port > 0 and out.out == f"local dynamodb: endpoint http://localhost:{port}\n"
    finally:
        dcli("dynamodb", "local", "stop")


def test_port_in_use_is_one_line_naming_port_and_key(project, dcli, port):
    project({})
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        out = dcli("dynamodb", "local", "start", "--port", str(port))
    assert out.code == 1
    assert out.err == (
        f"getdotenv: error: port {port} is already in use by another program; choose another "
        "with plugins.dynamodb.local.port or --port (--port 0 picks a free one)\n"
    )
    assert servers() == []


def test_two_starts_at_once_give_one_server(project, port):
    root = project({})
    argv = [sys.executable, "-m", "host_cli", "dynamodb", "local", "start", "--port", str(port)]
    both = [
        subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        results = [p.communicate(timeout=60) for p in both]
        assert [p.returncode for p in both] == [0, 0], results
        assert sum("already running" in err for _, err in results) == 1
        assert len(servers()) == 1
    finally:
        subprocess.run(
            [sys.executable, "-m", "host_cli", "dynamodb", "local", "stop"],
            cwd=root,
            capture_output=True,
        )


def test_stale_records_are_cleaned_without_touching_other_programs(project, dcli, port):
    root = project({})
    folder = state.state_dir(root)
    fake = state.Record(
        pid=0,
        port=port,
        endpoint=f"http://localhost:{port}",
        started_at="x",
        argv=[sys.executable, "-m", "dynamodb_plugin.local.server", "--port", str(port)],
        start_ticks=None,
        backend="moto",
        persist=True,
        log="",
        data=None,
    )
    dead = subprocess.Popen(["true"])
    dead.wait()
    state.write(folder, fake._replace(pid=dead.pid))
    out = dcli("dynamodb", "local", "stop")
    assert out.code == 0 and f"pid {dead.pid} is gone; removed its record" in out.err
    other = subprocess.Popen(["sleep", "30"])
    try:
        state.write(folder, fake._replace(pid=other.pid))
        status = dcli("dynamodb", "local", "status")
        assert status.code == 1 and "stale record" in status.out
        out = dcli("dynamodb", "local", "stop")
        assert out.code == 0 and f"pid {other.pid} now runs another program, left alone" in out.err
        assert other.poll() is None, "stop touched a program that is not ours"
        assert not (folder / state.RECORD).exists()
    finally:
        other.kill()
        other.wait()


def test_start_waits_briefly_for_the_port_of_a_server_that_just_died(project, dcli, port):
    # A server killed a moment ago already counts as gone (its memory is freed) while the
    # kernel has not yet closed its listening socket: start waits for that port, briefly.
    import threading

    root = project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}
    )
    dead = subprocess.Popen(["true"])
    dead.wait()
    argv = [sys.executable, "-m", "dynamodb_plugin.local.server", "--port", str(port)]
    state.write(
        state.state_dir(root),
        state.Record(
            dead.pid, port, f"http://localhost:{port}", "x", argv, None, "moto", True, "", None
        ),
    )
    held = socket.create_server(("127.0.0.1", port))
    closer = threading.Timer(0.4, held.close)
    closer.start()
    try:
        out = dcli("dynamodb", "local", "start")
    finally:
        closer.join()
    try:
        assert out.code == 0 and f"server that is gone (pid {dead.pid})" in out.err, out
        assert record(root)["port"] == port
    finally:
        dcli("dynamodb", "local", "stop")
    # A port still held once the wait is over is another program's, as before.
    with socket.create_server(("127.0.0.1", port)):
        state.write(
            state.state_dir(root),
            state.Record(
                dead.pid, port, f"http://localhost:{port}", "x", argv, None, "moto", True, "", None
            ),
        )
        out = dcli("dynamodb", "local", "start")
    assert out.code == 1 and f"port {port} is already in use by another program" in out.err


GOOD_RECORD = {
    "pid": 1,
    "port": 8000,
    "endpoint": "http://localhost:8000",
    "started_at": "x",
    "argv": ["x"],
    "start_ticks": None,
    "backend": "moto",
    "persist": True,
    "log": "",
    "data": None,
}
BAD_RECORDS = {
    "not json": (b"{not json", "not JSON ("),
    "not UTF-8": (b"\xff\xfe{}", "not UTF-8 text"),
    "pid a string": (
        json.dumps({**GOOD_RECORD, "pid": "abc"}).encode(),
        'pid: expected a process id, got "abc"',
    ),
    "huge pid": (
        json.dumps({**GOOD_RECORD, "pid": 10**30}).encode(),
        "pid: expected a process id, got 1000000000000000000000000000000",
    ),
    "not an object": (b"[1, 2]", "expected a JSON object"),
    "port out of range": (
        json.dumps({**GOOD_RECORD, "port": 70000}).encode(),
        "port: expected a port number, got 70000",
    ),
}


@pytest.mark.parametrize("raw, why", BAD_RECORDS.values(), ids=BAD_RECORDS.keys())
def test_bad_record_file_is_one_line_and_leaves_commands_working(project, dcli, raw, why):
    root = project({})
    state.state_dir(root)
    (root / ".getdotenv" / "dynamodb-local.json").write_bytes(raw)
    for command in ("status", "start", "stop"):
        out = dcli("dynamodb", "local", command)
        assert out.code == 1, out
        assert out.err.startswith(
            "getdotenv: error: .getdotenv/dynamodb-local.json: not a local DynamoDB record ("
        )
        assert out.err.endswith("; if no local DynamoDB of this project runs, delete the file\n")
        assert why in out.err and out.err.count("\n") == 1, out
    # every other command ignores a record it cannot read
    assert dcli("cmd", "true").code == 0
    assert servers() == []


def test_record_that_is_a_folder_or_a_fifo(project, dcli):
    root = project({})
    folder = state.state_dir(root)
    tail = "; if no local DynamoDB of this project runs, delete it\n"
    (folder / state.RECORD).mkdir()
    out = dcli("dynamodb", "local", "status")
    assert (out.code, out.err) == (
        1,
        "getdotenv: error: .getdotenv/dynamodb-local.json: is a folder, expected the record file"
        + tail,
    )
    (folder / state.RECORD).rmdir()
    os.mkfifo(folder / state.RECORD)
    out = dcli("dynamodb", "local", "status")  # must not block on the FIFO
    assert (out.code, out.err) == (
        1,
        "getdotenv: error: .getdotenv/dynamodb-local.json: is a FIFO (named pipe), expected the "
        "record file" + tail,
    )
    assert dcli("cmd", "true").code == 0


def test_status_imports_no_aws_sdk(project, port):
    root = project({})
    code = (
        "import sys\nfrom host_cli.cli.app import run\n"
        f"run(['dynamodb', 'local', 'status', '--port', '{port}'])\n"
        "print([m for m in ('boto3', 'botocore', 'moto') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert out.stdout.splitlines() == ["local dynamodb: not running", "[]"]


def test_config_commands_run_a_real_server_with_the_derived_port(project, dcli, port):
    """A plain moto_server, as a user would start it: no region anywhere, no moto switches."""
    python = sys.executable
    root = project(
        {
            "getdotenv.config.yaml": f"""plugins:
  dynamodb:
    local:
      port: {port}
      start: {python} -m moto.server -H 127.0.0.1 -p $DYNAMODB_LOCAL_PORT > moto.log 2>&1 & echo $! > moto.pid
      stop: kill $(cat moto.pid) && rm moto.pid
      status: test -f moto.pid && kill -0 $(cat moto.pid)
"""
        }
    )
    out = dcli("dynamodb", "local", "start", "--timeout", "20")
    try:
        assert (out.code, out.out) == (0, f"local dynamodb: endpoint http://localhost:{port}\n"), (
            out
        )
        assert dcli("dynamodb", "local", "status").code == 0
        ready = dcli("dynamodb", "local", "ready")
        assert (ready.code, ready.out) == (
            0,
            f"local dynamodb: ready at http://localhost:{port} (region us-east-1)\n",
        )
        rec = record(root)  # the endpoint holds until stop
        assert (rec["backend"], rec["pid"], rec["endpoint"]) == (
            "config",
            None,
            f"http://localhost:{port}",
        )
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists()
    assert dcli("dynamodb", "local", "status").code == 1


@pytest.mark.parametrize(
    "local, command, code, message",
    [
        ("start: exit 4", "start", 4, "plugins.dynamodb.local.start failed with exit code 4"),
        (
            "start: no-such-program-xyz",
            "start",
            127,
            "plugins.dynamodb.local.start failed with exit code 127",
        ),
    ],
)
def test_failing_config_commands(project, dcli, local, command, code, message):
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      {local}\n"})
    out = (
        dcli("dynamodb", "local", command, "--timeout", "0.2")
        if command == "start"
        else dcli("dynamodb", "local", command)
    )
    assert out.code == code
    assert out.err.endswith(f"getdotenv: error: {message}\n")


def test_config_start_that_never_gets_ready(project, dcli, port):
    project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      start: 'true'\n"
        }
    )
    out = dcli("dynamodb", "local", "start", "--timeout", "0.3")
    assert out.code == 1
    assert out.err == (
        f"getdotenv: error: plugins.dynamodb.local.start ran, but http://localhost:{port} did not "
        "answer ListTables within 0.3s\n"
    )


def test_guidance_without_a_backend(project, dcli, monkeypatch):
    project({})
    monkeypatch.setenv("GETDOTENV_DYNAMODB_NO_BUILTIN", "1")
    for command, code in (("start", 0), ("stop", 0), ("status", 3), ("ready", 3)):
        out = dcli("dynamodb", "local", command)
        assert out.code == code, (command, out)
        assert out.err.startswith("local dynamodb: no local DynamoDB is configured.")
        assert (
            "pip install 'moto[dynamodb]>=5.1' 'flask>=3' 'flask-cors>=4'" in out.err
            and "jar: /opt/dynamodb-local" in out.err
        )
    assert servers() == []


def test_guidance_names_the_config_file_that_was_read(project, dcli, monkeypatch):
    project({"getdotenv.config.json": '{"plugins": {"dynamodb": {"local": {"port": 8123}}}}'})
    monkeypatch.setenv("GETDOTENV_DYNAMODB_NO_BUILTIN", "1")
    out = dcli("dynamodb", "local", "status")
    assert out.code == 3, out
    assert out.err.startswith(
        "local dynamodb: plugins.dynamodb.local sets no way to run a server (no local.start, no "
        "local.jar) and the built-in one is not installed. Either"
    ), out
    assert "say how to run yours in getdotenv.config.json (shown here as YAML" in out.err
    assert "getdotenv.config.yaml" not in out.err
    assert "${DYNAMODB_LOCAL_PORT}:8000" in out.err and "{{.State.Running}}" in out.err


def test_jar_folder_without_the_jar(project, dcli, tmp_path):
    project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      jar: {tmp_path}\n"}
    )
    out = dcli("dynamodb", "local", "start", "--port", "0")
    assert out.code == 1
    assert out.err == (
        f"getdotenv: error: plugins.dynamodb.local.jar: no DynamoDBLocal.jar in {tmp_path} "
        "(expected the folder of Amazon's DynamoDB Local that you downloaded)\n"
    )


def test_jar_without_java(project, dcli, tmp_path, monkeypatch):
    (tmp_path / "DynamoDBLocal.jar").write_text("not really")
    project(
        {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      jar: {tmp_path}\n"}
    )
    monkeypatch.setenv("PATH", str(tmp_path))
    out = dcli("dynamodb", "local", "start", "--port", "0")
    assert (
        out.err
        == "getdotenv: error: java is not on PATH; plugins.dynamodb.local.jar needs Java 17 or newer\n"
    )


JAR = os.environ.get("GETDOTENV_TEST_DYNAMODB_LOCAL_JAR")


@pytest.mark.skipif(
    not JAR, reason="set GETDOTENV_TEST_DYNAMODB_LOCAL_JAR to a DynamoDB Local folder you installed"
)
def test_user_installed_jar_lifecycle(project, dcli, port, client):
    project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n      jar: {JAR}\n"
        }
    )
    endpoint = f"http://localhost:{port}"
    assert dcli("dynamodb", "local", "start", "--timeout", "60").code == 0
    try:
        client(endpoint).create_table(**TABLE)
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert dcli("dynamodb", "local", "start", "--timeout", "60").code == 0
    try:
        assert client(endpoint).list_tables()["TableNames"] == ["things"]
    finally:
        dcli("dynamodb", "local", "stop")


def test_start_shows_progress_on_a_terminal(project, port):
    root = project({})
    try:
        code, seen = pty_run(
            [sys.executable, "-m", "host_cli", "dynamodb", "local", "start", "--port", str(port)],
            root,
        )
        assert code == 0, seen
    finally:
        subprocess.run(
            [sys.executable, "-m", "host_cli", "dynamodb", "local", "stop"],
            cwd=root,
            capture_output=True,
        )
    assert f"\rlocal dynamodb: waiting for http://localhost:{port} (".encode() in seen
    assert f"local dynamodb: endpoint http://localhost:{port}".encode() in seen


FAKE_JAVA = r"""
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
/* Stands in for java: serves DynamoDB (moto) on the -port it is given, until SIGTERM. */
static pid_t child;
static void pass_on(int sig) { if (child > 0) kill(child, sig); }
int main(int argc, char **argv) {
    const char *port = "8000";
    for (int i = 1; i + 1 < argc; i++) if (!strcmp(argv[i], "-port")) port = argv[i + 1];
    child = fork();
    if (child == 0) {
        execl(getenv("FAKE_JAVA_PYTHON"), "python", "-m", "moto.server", "-H", "127.0.0.1",
              "-p", port, (char *)0);
        _exit(127);
    }
    signal(SIGTERM, pass_on);
    int status;
    while (waitpid(child, &status, 0) < 0) {}
    return 0;
}
"""


def test_jar_backend_through_the_recording_launcher(project, dcli, port, tmp_path, monkeypatch):
    """The jar path with a stand-in for java (Amazon's jar may not be downloaded)."""
    import shutil

    if shutil.which("gcc") is None:
        pytest.skip("gcc is needed to build the stand-in for java")
    bin_dir, jar_dir = tmp_path / "bin", tmp_path / "ddb"
    bin_dir.mkdir()
    jar_dir.mkdir()
    (jar_dir / "DynamoDBLocal.jar").write_text("stand-in")
    (tmp_path / "java.c").write_text(FAKE_JAVA)
    subprocess.run(["gcc", "-o", str(bin_dir / "java"), str(tmp_path / "java.c")], check=True)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_JAVA_PYTHON", sys.executable)
    root = project(
        {
            "getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"
            f"      jar: {jar_dir}\n"
        }
    )
    out = dcli("dynamodb", "local", "start", "--timeout", "30")
    try:
        assert out.code == 0, out
        rec = record(root)
        assert rec["backend"] == "jar" and rec["argv"][0] == str(bin_dir / "java")
        assert rec["argv"][-3:] == ["-sharedDb", "-dbPath", str(root / ".getdotenv/dynamodb-local")]
        assert state.cmdline(rec["pid"]) == rec["argv"]  # the launcher became java
        assert dcli("dynamodb", "local", "status").code == 0
        assert dcli("dynamodb", "local", "ready").code == 0
    finally:
        stopped = dcli("dynamodb", "local", "stop")
    assert stopped.code == 0 and f"stopped (pid {rec['pid']})" in stopped.err
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists()


def test_port_zero_with_a_configured_port_every_later_command_agrees(project, dcli, client):
    """The running server's record beats the configured port: it is where the server is."""
    project(
        {
            "getdotenv.config.yaml": "plugins:\n  dynamodb:\n    local:\n      port: 9\n",
            ".env": "STAGE_NAME=s-dev\n",
            "tables/000/table.yml": "Type: AWS::DynamoDB::Table\nProperties:\n"
            "  BillingMode: PAY_PER_REQUEST\n"
            "  AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
            "  KeySchema: [{AttributeName: pk, KeyType: HASH}]\n",
        }
    )
    out = dcli("dynamodb", "local", "start", "--port", "0")
    endpoint = out.out.split()[-1]
    try:
        assert endpoint != "http://localhost:9"
        assert dcli("cmd", "echo $DYNAMODB_LOCAL_ENDPOINT").out == f"{endpoint}\n"
        assert dcli("dynamodb", "local", "status").code == 0
        assert dcli("dynamodb", "tables", "create").code == 0
        assert client(endpoint).list_tables()["TableNames"] == ["s-dev-000"]
    finally:
        dcli("dynamodb", "local", "stop")
    assert dcli("cmd", "echo $DYNAMODB_LOCAL_ENDPOINT").out == "http://localhost:9\n"


def test_a_loopback_connect_to_itself_is_not_a_listener(monkeypatch):
    """With nothing listening, a connect may be given the port as its own source and connect to
    itself; that must not read as 'port in use' (it made `start` fail now and then)."""

    def self_connect(address, timeout=None):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.connect(address)
        return sock

    port = state.free_port()
    monkeypatch.setattr(socket, "create_connection", self_connect)
    assert not state.accepting(port)
    monkeypatch.undo()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert state.accepting(listener.getsockname()[1])
