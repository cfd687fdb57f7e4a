"""Dynamic values, batch and init, through the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

DYNAMIC = """\
DYNAMIC = {
    "STATIC": "s",
    "URL": lambda env: f"https://{env['HOST']}/{env.get('STATIC')}",
    "GONE": None,
    "UPPER": lambda env: env["URL"].upper(),
}
"""


def test_dynamic_path(project, env_of):
    project({".env": "HOST=example.com\nGONE=here\n", "dyn.py": DYNAMIC})
    keys = ["STATIC", "URL", "GONE", "UPPER"]
    assert env_of("--dynamic-path", "dyn.py", keys=keys) == {
        "STATIC": "s",
        "URL": "https://example.com/s",
        "GONE": None,
        "UPPER": "HTTPS://EXAMPLE.COM/S",
    }
    assert env_of("--dynamic-path", "dyn.py", "--exclude-dynamic", keys=["STATIC", "GONE"]) == {
        "STATIC": None,
        "GONE": "here",
    }


def test_dynamic_deletes_an_inherited_variable_too(project, env_of, monkeypatch):
    project({"dyn.py": 'DYNAMIC = {"GONE": None}\n'})
    monkeypatch.setenv("GONE", "outside")
    assert env_of("--dynamic-path", "dyn.py", keys=["GONE"]) == {"GONE": None}


def test_config_dynamic_then_flag(project, env_of):
    project(
        {
            "pyproject.toml": '[tool.getdotenv]\ndynamic = "cfg_dyn.py"\n',
            "cfg_dyn.py": 'DYNAMIC = {"A": "config", "B": "config"}\n',
            "flag_dyn.py": 'DYNAMIC = {"B": lambda env: env["A"] + "+flag"}\n',
        }
    )
    assert env_of("--dynamic-path", "flag_dyn.py", keys=["A", "B"]) == {
        "A": "config",
        "B": "config+flag",
    }


def test_dynamic_module_by_name(project, env_of, monkeypatch):
    root = project(
        {
            "my_dynamic_values.py": 'DYNAMIC = {"BY_NAME": "yes"}\n',
            "getdotenv.config.yaml": "dynamic: my_dynamic_values\n",
        }
    )
    monkeypatch.syspath_prepend(str(root))
    try:
        assert env_of(keys=["BY_NAME"]) == {"BY_NAME": "yes"}
    finally:
        sys.modules.pop("my_dynamic_values", None)


@pytest.mark.parametrize(
    "source, message",
    [
        (
            'DYNAMIC = {"X": lambda env: env["NOPE"]}\n',
            "dyn.py: DYNAMIC['X'] raised KeyError: 'NOPE'",
        ),
        (
            'DYNAMIC = {"X": lambda env: 3}\n',
            "dyn.py: DYNAMIC['X']: expected a string or None, got int",
        ),
        ("DYNAMIC = {\n", "dyn.py:1: syntax error: '{' was never closed"),
        ("VALUES = {}\n", "dyn.py: expected a DYNAMIC mapping of names to values or functions"),
    ],
)
def test_bad_dynamic_modules_are_one_line(project, cli, source, message):
    project({"dyn.py": source})
    out = cli("--dynamic-path", "dyn.py", "cmd", "true")
    assert (out.code, out.err) == (1, f"getdotenv: error: {message}\n")


def test_missing_dynamic_file(project, cli):
    project({})
    assert (
        cli("--dynamic-path", "nope.py", "cmd", "true").err
        == "getdotenv: error: --dynamic-path: nope.py: no such file\n"
    )


@pytest.fixture
def packages(project):
    return project(
        {
            ".env": "SHARED=yes\n",
            "getdotenv.config.json": json.dumps(
                {
                    "scripts": {"who": "echo $(basename $PWD) $SHARED"},
                    "plugins": {"batch": {"globs": "pkgs/*"}},
                }
            ),
            **{f"pkgs/{n}/marker": n for n in ("a", "b", "c")},
            "pkgs/file.txt": "not a folder",
        }
    )


def test_batch_list_and_sequential_run(packages, cli):
    assert cli("batch", "--list").out == "pkgs/a\npkgs/b\npkgs/c\n"
    out = cli("batch", "-c", "who")
    assert (out.code, out.out) == (0, "a yes\nb yes\nc yes\n")
    assert out.err == "=== pkgs/a\n=== pkgs/b\n=== pkgs/c\nbatch: all 3 succeeded\n"


def test_batch_failures(packages, cli):
    failing = ["sh", "-c", 'test "$(basename $PWD)" != b']
    stopped = cli("batch", "--", *failing)
    assert stopped.code == 1 and stopped.err.endswith(
        "batch: 1 of 3 failed: pkgs/b (exit 1); 1 not run\n"
    )
    ignored = cli("batch", "--ignore-errors", "--", *failing)
    assert ignored.code == 0 and ignored.err.endswith("batch: 1 of 3 failed: pkgs/b (exit 1)\n")
    parallel = cli("batch", "--parallel", "--", *failing)
    assert parallel.code == 1 and parallel.err.endswith("batch: 1 of 3 failed: pkgs/b (exit 1)\n")


def test_parallel_output_stays_grouped(packages, cli):
    out = cli("batch", "--parallel", "-C", "3", "-c", "echo one; sleep 0.2; echo two")
    assert out.out == "one\ntwo\n" * 3
    headers = [line for line in out.err.splitlines() if line.startswith("===")]
    assert sorted(headers) == ["=== pkgs/a (exit 0)", "=== pkgs/b (exit 0)", "=== pkgs/c (exit 0)"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--globs", "nothing*", "--", "true"], "--globs: 'nothing*' matches no folder under ./"),
        (
            ["-c", "true", "--", "true"],
            "batch: give the command either with -c/--command or as arguments, not both",
        ),
        (
            [],
            "batch: nothing to run: give a command, e.g. `batch -- npm test` or `batch -c 'make'`",
        ),
        (["--root-path", "nowhere", "--", "true"], "--root-path: 'nowhere' does not exist"),
    ],
)
def test_batch_bad_input(packages, cli, args, message):
    out = cli("batch", *args)
    assert (out.code, out.err) == (2, f"getdotenv: error: {message}\n")


def test_batch_pkg_cwd(project, cli):
    project(
        {
            "pkgs/a/package.json": "{}",
            "pkgs/a/src/deep/x": "",
            "pkgs/b/pyproject.toml": "",
            "pkgs/c/x": "",
        }
    )
    assert (
        cli("batch", "--globs", "pkgs/*/src/* pkgs/b pkgs/c", "--pkg-cwd", "--list").out
        == "pkgs/a\npkgs/b\n"
    )


def test_init_scaffolds_without_overwriting(project, cli):
    root = project({".gitignore": "node_modules\n"})
    out = cli("init")
    assert out.code == 0
    assert out.err.splitlines() == [
        "wrote getdotenv.config.yaml",
        "wrote .env",
        "wrote .env.local",
        "added *.local, getdotenv.config.local.*, .getdotenv/ to .gitignore",
    ]
    assert (root / ".gitignore").read_text() == (
        "node_modules\n*.local\ngetdotenv.config.local.*\n.getdotenv/\n"
    )
    assert cli("--strict", "cmd", "true").code == 0  # the scaffold satisfies its own requiredKeys
    (root / ".env").write_text("MINE=1\n")
    again = cli("init")
    assert "skipped .env (it exists; --force overwrites)" in again.err
    assert (root / ".env").read_text() == "MINE=1\n"
    assert (root / ".gitignore").read_text().count("*.local") == 1
    assert "wrote .env" in cli("init", "--force").err and "MINE" not in (root / ".env").read_text()
    assert cli("check").code == 0  # and it passes its own lint


def test_init_json_into_a_folder(project, cli):
    root = project({})
    assert cli("init", "svc", "--format", "json").code == 0
    assert json.loads((root / "svc/getdotenv.config.json").read_text())["requiredKeys"] == [
        "SERVICE_NAME"
    ]
    assert (
        cli("init", "--format", "toml").err
        == "getdotenv: error: --format: expected yaml or json, got 'toml'\n"
    )


def test_init_never_prompts_without_a_terminal(project):
    root = project({".env": "MINE=1\n"})
    out = subprocess.run(
        [sys.executable, "-m", "host_cli", "init"],
        cwd=root,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert out.returncode == 0 and "skipped .env" in out.stderr
    assert (root / ".env").read_text() == "MINE=1\n"


def test_trace_names_the_dynamic_module(project, cli):
    project({".env": "HOST=h\nGONE=here\n", "dyn.py": DYNAMIC})
    out = cli(
        "--dynamic-path", "dyn.py", "--trace-key", "URL", "--trace-key", "GONE", "cmd", "true"
    )
    assert out.err.splitlines() == [
        '[trace] URL = "https://h/s" from dyn.py',
        "[trace] GONE is not set (deleted by dyn.py)",
    ]


def test_init_asks_on_a_terminal(project):
    from tests.conftest import pty_run

    root = project({".env": "MINE=1\n"})
    code, seen = pty_run(
        [sys.executable, "-m", "host_cli", "init"], root, wait_for=b"overwrite it?", send=b"y\n"
    )
    assert code == 0, seen
    assert b".env exists; overwrite it? [y/N]" in seen and b"wrote .env" in seen
    assert "MINE" not in (root / ".env").read_text()
