"""--trace, redaction, --log, --output-path and requiredKeys/--strict, through the real CLI."""

from __future__ import annotations

import io
import sys

import pytest
from dotenv import dotenv_values

from host_cli.engine.envfile import parse
from host_cli.engine.expand import expand_all
from tests.conftest import pty_run

FILES = {
    ".env": "APP=public\nDB_HOST=localhost\nDB_PASSWORD=in-public\n",
    ".env.local": "APP=private\nDB_PASSWORD=hunter2\n",
    "getdotenv.config.json": '{"vars": {"FROM_CONFIG": "c"}}',
}


def test_trace_names_each_layer_and_what_it_overrode(project, cli, monkeypatch):
    project(FILES)
    monkeypatch.setenv("DB_HOST", "outer")
    out = cli("--trace", "--redact-off", "--vars", "V=1", "cmd", "true")
    assert out.code == 0
    assert out.err.splitlines() == [
        '[trace] APP = "private" from .env.local:1 (overrides .env:1)',
        '[trace] DB_HOST = "localhost" from .env:2 (overrides the inherited environment)',
        '[trace] DB_PASSWORD = "hunter2" from .env.local:2 (overrides .env:3)',
        '[trace] FROM_CONFIG = "c" from getdotenv.config.json: vars.FROM_CONFIG',
        '[trace] V = "1" from --vars',
    ]


def test_trace_keys_include_inherited_and_unset(project, cli, monkeypatch):
    project(FILES)
    monkeypatch.setenv("ONLY_OUTSIDE", "o")
    out = cli(
        "--trace-key", "ONLY_OUTSIDE", "--trace-key", "NOPE", "--trace-key", "APP", "cmd", "true"
    )
    assert out.err.splitlines() == [
        '[trace] ONLY_OUTSIDE = "o" from the inherited environment',
        "[trace] NOPE is not set",
        '[trace] APP = "private" from .env.local:1 (overrides .env:1)',
    ]


def test_redaction_is_on_by_default_off_a_terminal(project, cli):
    project(FILES)
    out = cli("--trace-key", "DB_PASSWORD", "--log")  # captured: not a terminal
    assert '[trace] DB_PASSWORD = "[redacted]" from .env.local:2 (overrides .env:3)' in out.err
    assert "DB_PASSWORD=[redacted]\n" in out.out and "APP=private\n" in out.out
    shown = cli("--log", "--redact-off")
    assert "DB_PASSWORD=hunter2\n" in shown.out


@pytest.mark.parametrize(
    "key, secret",
    [
        ("DB_PASSWORD", True),
        ("MY_SECRET", True),
        ("API_TOKEN", True),
        ("SIGNING_KEY", True),
        ("apiKey", True),
        ("KEYBOARD_LAYOUT", False),
        ("TOKENIZER", False),
        ("APP_NAME", False),
    ],
)
def test_default_patterns(project, cli, key, secret):
    project({".env": f"{key}=value\n"})
    out = cli("--log", "--redact")
    assert out.out == (f"{key}=[redacted]\n" if secret else f"{key}=value\n")


def test_redact_pattern_replaces_the_defaults(project, cli):
    project(FILES)
    out = cli("--log", "--redact", "--redact-pattern", "^app$")
    assert "APP=[redacted]\n" in out.out and "DB_PASSWORD=hunter2\n" in out.out
    bad = cli("--log", "--redact-pattern", "(")
    assert bad.err.startswith(
        "getdotenv: error: --redact-pattern: '(' is not a valid regular expression"
    )


def test_log_on_a_terminal_is_not_redacted_by_default(project):
    code, seen = pty_run([sys.executable, "-m", "host_cli", "--log"], project(FILES))
    assert code == 0 and b"DB_PASSWORD=hunter2" in seen


TRICKY = {
    "PLAIN": "value",
    "SPACES": "  padded  ",
    "HASH": "a#b",
    "QUOTES": 'it\'s "quoted"',
    "SINGLE": "it's",
    "DOUBLE": 'say "hi"',
    "BACKSLASH": "C:\\path\\to",
    "MULTILINE": "line1\nline2\n",
    "MULTI_QUOTE": "it's\nmulti",
    "EMPTY": "",
    "UNICODE": "héllo wörld",
    "EQUALS": "a=b=c",
}


def test_output_path_round_trips_in_python_dotenv_and_get_dotenv_reading(project, cli):
    root = project({})
    vars_arg = "\x00".join(f"{k}={v}" for k, v in TRICKY.items())
    out = cli("--vars", vars_arg, "--vars-delimiter", "\x00", "-o", "out.env")
    assert out.code == 0, out
    text = (root / "out.env").read_text()
    ours = expand_all({e.key: e.value for e in parse(text)}, {})
    assert {k: ours[k] for k in TRICKY} == TRICKY
    theirs = dotenv_values(stream=io.StringIO(text))
    assert {k: theirs[k] for k in TRICKY} == TRICKY
    assert sorted(p.name for p in root.iterdir()) == [
        "out.env",
        "package.json",
    ]  # no temporary left


def test_output_path_with_dollars_is_exact_for_get_dotenv_and_says_so(project, cli):
    root = project({".env": "PRICE='\\$5 and \\${X}'\n"})
    out = cli("-o", "out.env")
    assert out.err == (
        "getdotenv: warning: --output-path: python-dotenv reads PRICE with a backslash before each $ "
        "(get-dotenv and getdotenv read them as composed)\n"
    )
    text = (root / "out.env").read_text()
    assert expand_all({e.key: e.value for e in parse(text)}, {})["PRICE"] == "$5 and ${X}"


def test_output_path_that_cannot_be_written(project, cli):
    project({".env": "A=1\n"})
    out = cli("-o", "no/such/folder/out.env")
    assert out.code == 1
    assert out.err == (
        "getdotenv: error: --output-path: cannot write no/such/folder/out.env: the folder "
        "no/such/folder does not exist\n"
    )


def test_output_path_replaces_a_file_whole(project, cli):
    root = project({".env": "A=1\n"})
    (root / "out.env").write_text("OLD=1\n" * 100)
    assert cli("-o", "out.env", "cmd", "true").code == 0
    assert (root / "out.env").read_text() == "A=1\n"


def test_required_keys_warn_or_fail_with_strict(project, cli):
    project(
        {
            ".env": "A=1\nEMPTY=\n",
            "getdotenv.config.json": '{"requiredKeys": ["A", "B", "EMPTY", "C"]}',
        }
    )
    warned = cli("cmd", "true")
    assert warned.code == 0
    assert warned.err == (
        "getdotenv: warning: required keys missing: B, EMPTY, C (requiredKeys in "
        "getdotenv.config.json); --strict makes this an error\n"
    )
    strict = cli("--strict", "cmd", "true")
    assert (strict.code, strict.err) == (
        1,
        "getdotenv: error: required keys missing: B, EMPTY, C (requiredKeys in "
        "getdotenv.config.json)\n",
    )


def test_required_keys_come_from_the_highest_config_that_has_them(project, cli):
    project(
        {
            "getdotenv.config.json": '{"requiredKeys": ["A"]}',
            "getdotenv.config.local.json": '{"requiredKeys": ["B"]}',
            ".env": "A=1\n",
        }
    )
    assert (
        "required keys missing: B (requiredKeys in getdotenv.config.local.json)"
        in cli("cmd", "true").err
    )
