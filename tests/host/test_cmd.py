"""``cmd``: scripts, shell strings, exact argv, shells, exit codes, stdio and signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.conftest import pty_run

CONFIG = json.dumps(
    {
        "scripts": {
            "hello": "echo hello $APP",
            "literal": {"cmd": "echo $APP", "shell": False},
            "which-shell": {"cmd": "echo $0", "shell": "/bin/sh"},
        }
    }
)


@pytest.fixture
def app_project(project):
    return project({".env": "APP=app-value\n", "getdotenv.config.json": CONFIG})


RUNS = {
    "script by name, in the shell": (["cmd", "hello"], "hello app-value\n"),
    "script with shell off": (["cmd", "literal"], "$APP\n"),
    "script with its own shell": (["cmd", "which-shell"], "/bin/sh\n"),
    "one token is a shell string": (["cmd", "echo $APP | tr a-z A-Z"], "APP-VALUE\n"),
    "several tokens are an exact argv": (["cmd", "echo", "$APP", "a  b"], "$APP a  b\n"),
    "a script name among several tokens is just a word": (["cmd", "echo", "hello"], "hello\n"),
    "shell off splits the string without a shell": (
        ["--shell-off", "cmd", 'echo "a  b" $APP'],
        "a  b $APP\n",
    ),
    "shell path": (["--shell", "/bin/sh", "cmd", "echo $0"], "/bin/sh\n"),
    "shell by name is a value, a command name is not": (
        ["--shell", "cmd", "echo $0"],
        "/bin/bash\n",
    ),
    "default command": (["echo", "hi"], "hi\n"),
    "-- before the command": (["cmd", "--", "printf", "%s\\n", "--help"], "--help\n"),
    "cmd alias expands against the composed env": (
        ["--shell-off", "-c", "echo $APP"],
        "app-value\n",
    ),
    "cmd alias runs scripts": (["-c", "hello"], "hello app-value\n"),
}


@pytest.mark.parametrize("args, out", RUNS.values(), ids=RUNS.keys())
def test_runs(app_project, cli, args, out):
    result = cli(*args)
    assert (result.code, result.out, result.err) == (0, out, "")


def test_alias_expansion_can_be_switched_off(project, cli):
    project(
        {
            ".env": "APP=app-value\n",
            "getdotenv.config.json": '{"plugins": {"cmd": {"expand": false}}}',
        }
    )
    assert cli("--shell-off", "-c", "echo $APP").out == "$APP\n"


def test_unknown_key_in_the_cmd_slice(project, cli):
    project({"getdotenv.config.json": '{"plugins": {"cmd": {"expnad": false}}}'})
    out = cli("cmd", "true")
    assert (out.code, out.err) == (
        1,
        "getdotenv: error: getdotenv.config.json: plugins.cmd.expnad: unknown key\n",
    )


@pytest.mark.parametrize(
    "args, code",
    [
        (["cmd", "exit 7"], 7),
        (["cmd", "sh", "-c", "exit 3"], 3),
        (["cmd", "kill -TERM $$"], 128 + signal.SIGTERM),
        (
            [
                "cmd",
                sys.executable,
                "-c",
                "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",
            ],
            128 + signal.SIGKILL,
        ),
        (["cmd", "nope-no-such-command-xyz"], 127),
    ],
)
def test_exit_code_is_the_childs(project, cli, args, code):
    project({})
    assert cli(*args).code == code


def test_missing_program_is_127_with_one_line(project, cli):
    project({})
    out = cli("cmd", "nope-no-such-command-xyz", "arg")
    assert (out.code, out.err) == (
        127,
        "getdotenv: error: command not found: 'nope-no-such-command-xyz' (not on PATH)\n",
    )


def test_unknown_script_is_127_with_one_line(app_project, cli):
    out = cli("cmd", "deploy")
    assert out.code == 127
    assert out.err == (
        "getdotenv: error: 'deploy' is neither a script in config `scripts` "
        "(hello, literal, which-shell) nor a command on PATH\n"
    )
    assert cli("cmd", "cd").code == 0  # a shell builtin is not on PATH but runs fine


def test_reference_cycle_is_one_line(project, cli):
    project({".env": "A=${B}\nB=x${A}\n"})
    out = cli("cmd", "true")
    assert (out.code, out.err) == (
        1,
        "getdotenv: error: reference cycle: A -> B -> A; defined at A (.env:1), B (.env:2)\n",
    )


def test_nothing_to_run(project, cli):
    project({})
    out = cli("cmd")
    assert out.code == 2 and out.err.startswith("getdotenv: error: nothing to run")


def test_alias_with_a_subcommand_is_an_error(project, cli):
    project({})
    out = cli("-c", "echo a", "cmd", "echo", "b")
    assert out.code == 2
    assert (
        out.err
        == "getdotenv: error: --cmd runs a command itself; it cannot be combined with the 'cmd' command\n"
    )


def test_no_command_prints_help(project, cli):
    project({})
    out = cli()
    assert out.code == 0 and out.out.startswith("Usage: getdotenv [OPTIONS] COMMAND [ARGS]...")


def test_tmpdir_from_tmp(project, env_of, monkeypatch):
    project({})
    monkeypatch.delenv("TMPDIR", raising=False)
    monkeypatch.setenv("TMP", "/some/tmp")
    assert env_of(keys=["TMPDIR"]) == {"TMPDIR": "/some/tmp"}


def test_stdin_and_stdout_are_inherited(project, run_getdotenv):
    project({".env": "APP=x\n"})
    out = run_getdotenv("cmd", "cat; echo $APP", input="from stdin\n")
    assert (out.returncode, out.stdout) == (0, "from stdin\nx\n")


CHILD = """
import os, signal, sys, time
got = []
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, lambda n, f: got.append(n))
print("ready", flush=True)
deadline = time.monotonic() + 20
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(0.3)  # a second, duplicated signal would arrive now
print("got", ",".join(signal.Signals(n).name for n in got), flush=True)
sys.exit(40 + len(got))
"""


def _start(project_dir, *extra):
    return subprocess.Popen(
        [sys.executable, "-m", "host_cli", "cmd", sys.executable, "-c", CHILD, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        cwd=project_dir,
    )


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signals_sent_to_us_reach_the_child(project, sig):
    proc = _start(project({}))
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert out == f"got {sig.name}\n"
    assert proc.returncode == 41, err


def test_ctrl_c_at_a_terminal_reaches_the_child_once(project):
    """A real Ctrl-C: the terminal signals the whole foreground group, and we forward nothing."""
    code, seen = pty_run(
        [sys.executable, "-m", "host_cli", "cmd", sys.executable, "-c", CHILD],
        project({}),
        wait_for=b"ready",
        send=b"\x03",
    )
    assert b"got SIGINT\r\n" in seen
    assert code == 41, seen


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_to_our_whole_group_without_a_terminal_reaches_the_child_once(project, sig):
    """An IDE's Ctrl-C or a CI cancel signals our process group, with no terminal: the child
    runs in a group of its own, so only our forwarding reaches it."""
    proc = _start(project({}))  # a new session: no controlling terminal, we lead the group
    try:
        assert proc.stdout.readline() == "ready\n"
        os.killpg(proc.pid, sig)
        out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert out == f"got {sig.name}\n"
    assert proc.returncode == 41, err
