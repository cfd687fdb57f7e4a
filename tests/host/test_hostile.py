"""Hostile and odd input through the real CLI: every case is one error line, fast, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def one_line(out, code: int = 1) -> str:
    """The error line of a failed run, checked to be the whole of stderr."""
    assert out.code == code, out
    assert out.err.count("\n") == 1 and out.err.startswith("getdotenv: error: "), out
    assert "Traceback" not in out.err
    return out.err[len("getdotenv: error: ") : -1]


# --- files that are not regular files -------------------------------------------------------


def test_a_fifo_env_file_never_blocks(project, cli):
    root = project({".env": "A=1\n"})
    os.mkfifo(root / ".env.local")
    assert (
        one_line(cli("cmd", "true")) == ".env.local: is a FIFO (named pipe), expected a dotenv file"
    )


def test_env_file_linked_to_dev_zero(project, cli):
    root = project({})
    (root / ".env").symlink_to("/dev/zero")
    assert one_line(cli("cmd", "true")) == ".env: is a character device, expected a dotenv file"


def test_a_fifo_config_file(project, cli):
    root = project({})
    os.mkfifo(root / "getdotenv.config.yaml")
    assert (
        one_line(cli("cmd", "true"))
        == "getdotenv.config.yaml: is a FIFO (named pipe), expected a config file"
    )


def test_a_fifo_dynamic_module(project, cli):
    root = project({"getdotenv.config.json": '{"dynamic": "dyn.py"}'})
    os.mkfifo(root / "dyn.py")
    assert (
        one_line(cli("cmd", "true"))
        == "getdotenv.config.json: dynamic: dyn.py: is a FIFO (named pipe), expected a Python file"
    )


def test_a_huge_env_file_is_not_read(project, cli):
    root = project({})
    with open(root / ".env", "wb") as f:
        f.truncate(33 * 1024 * 1024)  # sparse: costs no disk
    assert (
        one_line(cli("cmd", "true"))
        == ".env: larger than 32 MiB; not read (expected a dotenv file)"
    )


# --- values the OS cannot pass to a child ---------------------------------------------------

CHILD = {
    "NUL from a file": (
        {".env": "A=x\0y\n"},
        "A (.env:1): the value holds a NUL byte (at character 1), which no process can get",
    ),
    "NUL from config": (
        {"getdotenv.config.json": json.dumps({"vars": {"B": "x\0y"}})},
        "B (getdotenv.config.json: vars.B): the value holds a NUL byte (at character 1), which no "
        "process can get",
    ),
    "NUL from a dynamic module": (
        {"getdotenv.config.json": '{"dynamic": "d.py"}', "d.py": "DYNAMIC = {'C': 'x\\0y'}\n"},
        "C (d.py): the value holds a NUL byte (at character 1), which no process can get",
    ),
    "= in a name from config": (
        {"getdotenv.config.json": json.dumps({"vars": {"C=D": "y"}})},
        "'C=D' (getdotenv.config.json: vars.C=D): not a name a process can get as a variable "
        "(empty, or holding '=' or a NUL byte)",
    ),
    "one value over 128 KiB": (
        {".env": "BIG=" + "x" * 140000 + "\n"},
        "BIG (.env:1): BIG=value is 140004 bytes; the kernel passes at most 131071 bytes per "
        "variable to a new process",
    ),
}


@pytest.mark.parametrize("files, message", CHILD.values(), ids=CHILD.keys())
def test_the_childs_environment_is_checked_before_it_starts(project, cli, tmp_path, files, message):
    project(files)
    marker = tmp_path / "ran"
    assert one_line(cli("cmd", f"touch {marker}")) == message
    assert not marker.exists()


def test_an_environment_over_the_kernels_total(project, cli):
    project({".env": "".join(f"V{i}={'x' * 100000}\n" for i in range(30))})
    message = one_line(cli("cmd", "true"))
    assert (
        message.startswith("the environment is ")
        and "the kernel passes to a new process" in message
    )
    assert message.endswith(
        "the largest: V29 (100004 bytes), V28 (100004 bytes), V27 (100004 bytes)"
    )


def test_output_never_writes_what_it_cannot_read_back(project, cli):
    root = project({"getdotenv.config.json": json.dumps({"vars": {"A B": "x"}})})
    assert one_line(cli("-o", "out.env")) == (
        "--output-path: 'A B' cannot be written as a dotenv line that reads back (a key is "
        "letters, digits, '_', '.' and '-')"
    )
    assert not (root / "out.env").exists()
    assert one_line(cli("--log")).startswith("--log: 'A B' cannot be written")


# --- depth and blow-up ------------------------------------------------------------------------

BLOW_UP = {
    "recursive YAML alias": (
        {"getdotenv.config.yaml": "vars: &a [*a]\n"},
        "getdotenv.config.yaml: not read: line 1, column 7: an alias refers to a node that holds "
        "it (a recursive alias)",
    ),
    "billion laughs": (
        {
            "getdotenv.config.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n"
            + "".join(
                f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
        },
        "getdotenv.config.yaml: not read: line 6, column 4: its aliases expand to more than "
        "100000 values (an alias bomb?)",
    ),
    "deep JSON": (
        {"getdotenv.config.json": '{"plugins": {"x": {"y": ' + "[" * 100000 + "]" * 100000 + "}}}"},
        "getdotenv.config.json: not read: nested more than 64 levels deep",
    ),
    "deep but parsable JSON": (
        {"getdotenv.config.json": '{"plugins": {"x": {"y": ' + "[" * 300 + "]" * 300 + "}}}"},
        "getdotenv.config.json: plugins.x.y[0][0][0][0][0][0][0][0][0...: nested more than 64 "
        "levels deep",
    ),
    "deep TOML": (
        {"pyproject.toml": "[tool.getdotenv]\nvars = " + "[" * 100000 + "]" * 100000 + "\n"},
        "pyproject.toml: not read: nested more than 64 levels deep",
    ),
    "deep YAML": (
        {"getdotenv.config.yaml": "plugins: " + "[" * 100 + "]" * 100 + "\n"},
        "getdotenv.config.yaml: not read: line 1, column 45: nested more than 64 levels deep",
    ),
    "a value that doubles each line": (
        {".env": "L1=ab\n" + "".join(f"L{i}=${{L{i - 1}}}${{L{i - 1}}}\n" for i in range(2, 35))},
        "L21 (.env:21): the expanded value grows past 1048576 characters (references that "
        "repeat each other, doubling at every step?)",
    ),
    "too many references": (
        {".env": "A=x\nB=" + "$A " * 300000 + "\n"},
        "B (.env:2): too many references to expand (1194 replacements in a value of 898806 "
        "characters, and more to go); use fewer",
    ),
}


@pytest.mark.parametrize("files, message", BLOW_UP.values(), ids=BLOW_UP.keys())
def test_hostile_input_is_refused_quickly(project, cli, files, message):
    import time

    project(files)
    started = time.monotonic()
    assert one_line(cli("cmd", "true")) == message
    assert time.monotonic() - started < 5  # generous: the point is "never hangs"


YAML_TYPES = {
    "!!binary": (
        "vars:\n  A: !!binary aGVsbG8=\n",
        "vars.A: expected a string (quote it), got binary data",
    ),
    "!!timestamp": (
        "rootOptionDefaults:\n  env: !!timestamp 2001-12-14 21:59:43.10\n",
        "rootOptionDefaults.env: expected a string, got a timestamp",
    ),
    "!!set in a plugin slice": (
        "plugins:\n  foo:\n    x: !!set {a, b}\n",
        "plugins.foo.x: expected a JSON value (string, number, boolean, null, list or mapping), "
        "got a set",
    ),
}


@pytest.mark.parametrize("text, message", YAML_TYPES.values(), ids=YAML_TYPES.keys())
def test_yaml_types_get_the_ordinary_wrong_type_error(project, cli, text, message):
    project({"getdotenv.config.yaml": text})
    assert one_line(cli("cmd", "true")) == f"getdotenv.config.yaml: {message}"


# --- paths --------------------------------------------------------------------------------------


def test_path_problems(project, cli, tmp_path):
    root = project({".env": "A=1\n"})
    (root / "loop").symlink_to("loop")
    assert one_line(cli("--paths", "loop", "cmd", "true"), 2) == "--paths: 'loop' is a symlink loop"
    assert one_line(cli("batch", "--root-path", "loop", "--", "true"), 2) == (
        "--root-path: 'loop' is a symlink loop"
    )
    long = "a" * 5000
    assert one_line(cli("--paths", long, "cmd", "true"), 2) == (
        f"--paths: '{'a' * 55}...' is too long a path"
    )
    assert one_line(cli("-o", "missing/")) == (
        "--output-path: 'missing/' names a folder; give a file name, e.g. missing/.env.composed"
    )
    assert not (root / "missing").exists()
    assert one_line(cli("-o", f"{long}/x")).startswith("--output-path: cannot write")
    (tmp_path / "outside.env.x").write_text("SECRET=1\n")
    assert one_line(cli("-e", "d/../../outside", "cmd", "true"), 2) == (
        "--env: 'd/../../outside' is not an environment name (no '/', '\\' or '..'; it becomes "
        "part of a file name)"
    )


def test_output_file_is_the_users_alone(project, cli):
    root = project({".env": "A=1\n"})
    assert cli("-o", "out.env").code == 0
    assert (root / "out.env").stat().st_mode & 0o777 == 0o600


def test_init_with_a_gitignore_folder(project, cli):
    root = project({})
    (root / ".gitignore").mkdir()
    assert (
        one_line(cli("init", "--force"), 2) == ".gitignore: is a folder, expected a .gitignore file"
    )


# --- never silently wrong -------------------------------------------------------------------


def test_an_env_that_selects_nothing_is_a_warning_or_under_strict_an_error(project, cli):
    project(
        {
            ".env": "A=1\n",
            ".env.dev": "A=2\n",
            ".env.prod.local": "A=3\n",
            "getdotenv.config.json": '{"envVars": {"staging": {"A": "4"}}}',
        }
    )
    out = cli("-e", "prdo", "cmd", "true")
    assert (out.code, out.err) == (
        0,
        "getdotenv: warning: --env 'prdo' selects no .env.prdo* file in any --paths folder and "
        "no config envVars entry (environments that exist: dev, prod, staging); --strict makes "
        "this an error\n",
    )
    assert one_line(cli("--strict", "-e", "prdo", "cmd", "true")).startswith(
        "--env 'prdo' selects no"
    )
    for known in ("dev", "prod", "staging"):
        assert cli("-e", known, "cmd", "true").err == ""


# --- numbers are ASCII digits ---------------------------------------------------------------


def test_unicode_digits_are_not_numbers(project, cli):
    from dynamodb_plugin import plugin

    root = project({".env": "DYNAMODB_LOCAL_PORT=²\n"})
    out = cli("cmd", "true", plugins=[plugin])
    assert one_line(out) == "DYNAMODB_LOCAL_PORT: expected a port number 1-65535, got '²'"
    (root / ".env").write_text("")
    (root / "tables" / "²").mkdir(parents=True)
    listed = cli("dynamodb", "tables", "list", plugins=[plugin])
    assert listed.code == 0 and "no versions yet" in listed.err
    many = "9" * 5000
    out = cli("dynamodb", "tables", "validate", "--version", many, plugins=[plugin])
    assert (
        one_line(out)
        == "--version: expected a version number such as 001, got '99999999999999999...'"
    )


# --- interop with get-dotenv's YAML 1.2, JavaScript whitespace and its -o -----------------------


def test_yaml_line_breaks_of_yaml_1_1_are_characters(project, env_of):
    project({"getdotenv.config.yaml": 'vars:\n  K: "a\x85b"\n  L: x\u2028y\n'})
    assert env_of(keys=["K", "L"]) == {"K": "a\x85b", "L": "x\u2028y"}  # get-dotenv 7.0.11


def test_the_default_of_dollar_name_ends_at_javascript_whitespace(project, env_of):
    project({".env": "A=x\nB=$A:d\ufeffz\nC=$A:d\x85z\n"})
    # get-dotenv 7.0.11: the default of B stops at U+FEFF (JavaScript whitespace); that of C
    # runs on through U+0085 (whitespace to Python, not to JavaScript)
    assert env_of(keys=["B", "C"]) == {"B": "x\ufeffz", "C": "x"}


def test_output_writes_a_carriage_return_beside_other_backslashes(project, cli):
    from host_cli.engine.envfile import parse

    root = project({".env": 'K="\\ra\\b"\n'})
    assert cli("-o", "out.env").code == 0
    written = (root / "out.env").read_text()
    assert written == 'K="\\ra\\b"\n'  # what get-dotenv 7.0.11 writes, and reads back
    assert [(e.key, e.value) for e in parse(written)] == [("K", "\ra\\b")]


# --- version, completion, the cache ---------------------------------------------------------


def test_version(cli):
    from host_cli import __version__

    for flag in ("--version", "-V"):
        out = cli(flag)
        assert out.code == 0 and out.out.startswith(f"getdotenv {__version__}, Python ")
    assert cli("-V", prog_name="smoz").out.startswith(f"smoz (getdotenv {__version__}), Python ")


def test_shell_completion(project):
    root = project({})
    env = {**os.environ, "SHELL": "/bin/bash"}
    script = subprocess.run(
        # the shell named: without it, typer guesses from the parent processes, and a test
        # runner's workers may have no shell among them ("Shell not supported")
        [sys.executable, "-m", "host_cli", "--show-completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
    )
    assert script.returncode == 0 and "_GETDOTENV_COMPLETE=complete_bash" in script.stdout
    words = subprocess.run(
        [sys.executable, "-m", "host_cli"],
        capture_output=True,
        text=True,
        cwd=root,
        env={
            **env,
            "_GETDOTENV_COMPLETE": "complete_bash",
            "COMP_WORDS": "getdotenv dynamodb local st",
            "COMP_CWORD": "3",
        },
    )
    assert words.stdout.split() == ["start", "stop", "status"]


def test_the_cache_keeps_the_newest_entries(tmp_path, monkeypatch):
    from host_cli.support import cache

    monkeypatch.setenv("GETDOTENV_CACHE_DIR", str(tmp_path))
    for i in range(cache.MAX_ENTRIES + 10):
        cache.store("yaml", f"text {i}", {"i": i})
    folder = cache.cache_dir()
    assert len(list(folder.glob("*.bin"))) == cache.MAX_ENTRIES
    assert cache.load("yaml", f"text {cache.MAX_ENTRIES + 9}") == {"i": cache.MAX_ENTRIES + 9}
    assert cache.load("yaml", "text 0") is None


def test_check_advice_about_defaults(project, cli):
    project({".env": "A=${HOST:-localhost}\nB=${HOST:localhost}\n"})
    out = cli("check")
    assert out.out.splitlines() == [
        ".env:1: portability: A: ${X:-default} falls back to 'default' in docker compose and "
        "python-dotenv but to '-default' in get-dotenv, and no default reads the same in all "
        "three: set X instead of relying on a default",
        ".env:2: portability: B: ${X:default} is a default only in get-dotenv: python-dotenv "
        "keeps it as written and docker compose rejects it; set X instead of relying on a "
        "default",
    ]
    from dotenv import dotenv_values

    assert dotenv_values(stream=__import__("io").StringIO("B=${HOST:localhost}\n")) == {
        "B": "${HOST:localhost}"
    }
