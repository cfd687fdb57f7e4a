"""Issue 19, points 4, 5 and 8 (dynamodb side): the server imports nothing from the project,
state files are never opened through a symlink and are the user's alone, Ctrl-C during
``local start`` leaves no server behind, the pytest fixture stops only what a session of its
started (also after a killed one), and two runs of one migration never share a checkpoint."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import our_processes


def servers() -> list[tuple[int, str]]:
    return [p for p in our_processes() if "dynamodb_plugin.local.server" in p[1]]


def config(port: int) -> dict[str, str]:
    return {"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      port: {port}\n"}


def getdotenv(root: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "host_cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        **kw,  # type: ignore[arg-type]
    )


def test_project_modules_never_run_in_the_server(project, dcli, port):
    root = project(
        {
            **config(port),
            "json.py": "open('json-ran', 'w').write('x')\nraise SystemExit(3)\n",
            "secrets.py": "open('secrets-ran', 'w').write('x')\nraise SystemExit(4)\n",
            "socket.py": "open('socket-ran', 'w').write('x')\n",
        }
    )
    out = dcli("dynamodb", "local", "start")
    try:
        assert out.code == 0, out
        assert dcli("dynamodb", "local", "ready").code == 0
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    assert not [p.name for p in root.iterdir() if p.name.endswith("-ran")]
    assert not list((root / ".getdotenv" / "dynamodb-local").glob("*-ran"))


def test_state_folder_and_files_are_the_users_alone(project, dcli, port):
    root = project(config(port))
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        folder = root / ".getdotenv"
        names = ["dynamodb-local.json", "dynamodb-local.lock", "dynamodb-local.log", ".gitignore"]
        modes = {n: stat.S_IMODE(os.lstat(folder / n).st_mode) for n in names}
        assert modes == dict.fromkeys(names, 0o600)
        for sub in (folder, folder / "dynamodb-local"):
            assert stat.S_IMODE(os.lstat(sub).st_mode) == 0o700
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0
    snapshot = folder / "dynamodb-local" / "snapshot.jsonl"
    if snapshot.exists():
        assert stat.S_IMODE(os.lstat(snapshot).st_mode) == 0o600


@pytest.mark.parametrize(
    "name", ["dynamodb-local.lock", "dynamodb-local.log", "dynamodb-local.json"]
)
def test_a_symlinked_state_file_is_refused_and_its_target_untouched(
    project, dcli, port, tmp_path, name
):
    root = project(config(port))
    target = tmp_path / "precious"
    target.write_text("keep me\n")
    target.chmod(0o644)
    folder = root / ".getdotenv"
    folder.mkdir(mode=0o700)
    (folder / name).symlink_to(target)
    out = dcli("dynamodb", "local", "start")
    try:
        assert out.code != 0, out
        line = out.err.strip().splitlines()[-1]
        assert name in line and "symlink" in line, out
    finally:
        dcli("dynamodb", "local", "stop")
    assert target.read_text() == "keep me\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert not servers()


def test_a_symlinked_state_folder_is_refused(project, dcli, port, tmp_path):
    root = project(config(port))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / ".getdotenv").symlink_to(elsewhere)
    out = dcli("dynamodb", "local", "start")
    assert out.code != 0 and ".getdotenv: is a symlink" in out.err, out
    assert list(elsewhere.iterdir()) == [] and not servers()


def test_ctrl_c_during_start_stops_the_server_it_was_starting(project, port):
    root = project(config(port))
    # Ctrl-C as soon as the server process exists, before it can answer (it takes ~0.4 s).
    child = subprocess.Popen(
        [sys.executable, "-m", "host_cli", "dynamodb", "local", "start", "--timeout", "30"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not servers() and time.monotonic() < deadline:
        time.sleep(0.005)
    assert servers(), "the server never started"
    child.send_signal(signal.SIGINT)
    out, err = child.communicate(timeout=30)
    if child.returncode == 0:  # it was ready before the signal landed: nothing to test then
        getdotenv(root, "dynamodb", "local", "stop")
        pytest.skip("the server was ready before Ctrl-C arrived")
    assert child.returncode == 130, (out, err)
    assert "interrupted; stopped the server it was starting" in err
    deadline = time.monotonic() + 5
    while servers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not servers()
    assert not (root / ".getdotenv" / "dynamodb-local.json").exists()


FIXTURE_TEST = textwrap.dedent(
    """
    import os, time

    def test_uses_it(dynamodb_local):
        open("started", "w").write(str(dynamodb_local.started))
        if os.environ.get("HANG"):
            open("hanging", "w").write("x")
            time.sleep(120)
    """
)


def test_the_fixture_stops_a_server_a_killed_session_left(project, port):
    root = project({**config(port), "test_it.py": FIXTURE_TEST})
    env = {**os.environ, "HANG": "1"}
    pytest_argv = [sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    first = subprocess.Popen(
        [*pytest_argv, "test_it.py"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (root / "hanging").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (root / "hanging").exists(), "the first session never reached its test"
        assert (root / "started").read_text() == "True" and len(servers()) == 1
    finally:
        os.killpg(first.pid, signal.SIGKILL)  # as the OOM killer or a CI timeout would
        first.wait()
    assert len(servers()) == 1  # left running by the killed session
    env.pop("HANG")
    second = subprocess.run(
        [*pytest_argv, "test_it.py"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert second.returncode == 0, second.stdout + second.stderr
    deadline = time.monotonic() + 10
    while servers() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not servers(), "the killed session's server was adopted and left running"


def test_the_fixture_leaves_a_server_the_user_started(project, port, dcli):
    root = project({**config(port), "test_it.py": FIXTURE_TEST})
    assert dcli("dynamodb", "local", "start").code == 0
    try:
        out = subprocess.run(
            [sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_it.py"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        assert (root / "started").read_text() == "False" and len(servers()) == 1
        state = root / ".getdotenv" / "pytest-dynamodb.json"
        assert not state.exists()
    finally:
        assert dcli("dynamodb", "local", "stop").code == 0


def test_a_second_migrate_of_the_same_target_is_refused_while_the_first_runs(
    project, dcli, port, tmp_path
):
    """The second run must neither delete nor take over the first one's checkpoint."""
    from dynamodb_plugin.tables import ops

    root = project(config(port))
    identity = {"where": {"endpoint": "x"}, "source": "a", "target": "b"}

    class Run:
        class context:
            project_root = root
            cwd = root

            @staticmethod
            def shown(path: Path) -> str:
                return str(path.relative_to(root))

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from dynamodb_plugin.tables import ops\n"
            "root = Path(sys.argv[1])\n"
            "class Run:\n"
            "    class context:\n"
            "        project_root = root; cwd = root\n"
            "        shown = staticmethod(lambda p: str(p))\n"
            "ident = {'where': {'endpoint': 'x'}, 'source': 'a', 'target': 'b'}\n"
            "with ops._migration_lock(Run, ident):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(30)\n",
            str(root),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        path, _ = ops._checkpoint_file(Run, identity)  # type: ignore[arg-type]
        path.write_text('{"format": "the first run\'s"}')
        with (
            pytest.raises(Exception) as caught,
            ops._migration_lock(Run, identity),  # type: ignore[arg-type]
        ):
            pass
        message = str(caught.value)
        assert f"another run of this migration (pid {holder.pid}) is going on" in message
        assert path.read_text() == '{"format": "the first run\'s"}'
    finally:
        holder.kill()
        holder.wait()
    with ops._migration_lock(Run, identity):  # type: ignore[arg-type]
        pass  # free again once the first run ends
    lock = path.with_suffix(".lock")
    assert stat.S_IMODE(os.lstat(lock).st_mode) == 0o600
