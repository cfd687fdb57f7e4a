"""``check`` (the portability lint) and nested runs that inherit the parent's root options."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


def test_check_reports_each_kind_with_file_and_line(project, cli):
    project(
        {
            ".env": "A=a#b\nB: x\nC=`y`\nD=${X:-q}\nE=$HOME/x\nF='$E'\nAPI_TOKEN=abcd1234efgh5678\n"
            "RAND=Zx9Qm2Lp7Rt4Vw8Ks3\nDB_PASSWORD=change-me\nSHADOWED=1\nFINE=${E}\n",
            ".env.local": "SHADOWED=2\nSECRET_OK=in-a-private-file-Zx9Qm2Lp7Rt4\n",
        }
    )
    out = cli("check")
    assert out.code == 1
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in out.out.splitlines()] == [
        ".env:1: portability",
        ".env:2: portability",
        ".env:3: portability",
        ".env:4: portability",
        ".env:5: portability",
        ".env:6: portability",
        ".env:7: secret",
        ".env:8: secret",
        ".env:10: shadowed",
    ]
    assert (
        ".env:10: shadowed: SHADOWED never takes effect: .env.local:1 sets it later in every environment"
        in out.out
    )
    count, dialects = out.err.splitlines()
    assert count == "check: 9 findings in 2 files"
    # python-dotenv skips line 2 and reads the rest: only the keys it reads otherwise differ
    assert dialects.startswith(
        "check: get-dotenv and python-dotenv read A (.env:1), C (.env:3), D (.env:4), E (.env:5) "
        "and 2 more differently; .env:2: python-dotenv cannot parse the line of B"
    )
    data = json.loads(cli("check", "--json").out)
    assert (
        data[0]
        == {
            "file": ".env",
            "line": 1,
            "key": "A",
            "kind": "portability",
            "message": data[0]["message"],
        }
        and len(data) == 9
    )


def test_shadowed_only_when_it_never_wins_in_any_environment(project, cli):
    project(
        {
            ".env": "ONLY_TEST_OVERRIDES=1\nALWAYS=1\n",
            ".env.test": "ONLY_TEST_OVERRIDES=t\n",
            ".env.dev": "ALWAYS=d\nDEV_SHADOWED=x\n",
            ".env.dev.local": "DEV_SHADOWED=y\n",
            ".env.prod": "ALWAYS=p\n",
            ".env.local": "ALWAYS=l\n",
        }
    )
    found = [
        (f["file"], f["key"])
        for f in json.loads(cli("check", "--json").out)
        if f["kind"] == "shadowed"
    ]
    assert sorted(found) == [
        (".env", "ALWAYS"),
        (".env.dev", "ALWAYS"),
        (".env.dev", "DEV_SHADOWED"),
        (".env.prod", "ALWAYS"),
    ]


def test_check_of_a_clean_project(project, cli):
    project({".env": "A=1\nB=${A}\n", ".env.local": "PASSWORD=hunter2\n"})
    out = cli("check")
    assert (out.code, out.out, out.err) == (
        0,
        "",
        "check: 0 findings in 2 files\ncheck: get-dotenv and python-dotenv read these files the same (either --dialect works)\n",
    )


def _printer(tmp_path):
    return [
        sys.executable,
        "-c",
        "import os, json; print(json.dumps({k: os.environ.get(k) for k in ('LEVEL', 'SUB')}))",
    ]


def test_nested_run_inherits_root_options(project, tmp_path):
    root = project(
        {
            ".env": "LEVEL=global\n",
            ".env.dev": "LEVEL=dev\n",
            ".env.test": "LEVEL=test\n",
            "sub/.env": "SUB=sub\n",
        }
    )
    inner = [sys.executable, "-m", "host_cli", "cmd", *_printer(tmp_path)]
    out = subprocess.run(
        [sys.executable, "-m", "host_cli", "-e", "dev", "--paths", "./ ./sub", "cmd", *inner],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(out.stdout) == {"LEVEL": "dev", "SUB": "sub"}, out.stderr
    # The nested run's own flags win over what it inherited.
    inner = [sys.executable, "-m", "host_cli", "-e", "test", "cmd", *_printer(tmp_path)]
    out = subprocess.run(
        [sys.executable, "-m", "host_cli", "-e", "dev", "cmd", *inner],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(out.stdout)["LEVEL"] == "test"


def test_parent_options_from_get_dotenv_are_read_leniently(project, env_of, monkeypatch):
    project({".env": "LEVEL=global\n", ".env.dev": "LEVEL=dev\n"})
    monkeypatch.setenv(
        "getDotenvCliOptions",
        json.dumps(
            {
                "env": "dev",
                "loadProcess": True,
                "logger": {},
                "paths": "./",
                "shell": "/bin/bash",
                "unknown": 1,
            }
        ),
    )
    assert env_of(keys=["LEVEL"]) == {"LEVEL": "dev"}


def test_child_gets_the_options_variable(project, env_of):
    project({".env.dev": "X=1\n"})
    handed = json.loads(env_of("-e", "dev", keys=["getDotenvCliOptions"])["getDotenvCliOptions"])
    assert handed["env"] == "dev" and handed["paths"] == os.getcwd() and "log" not in handed


@pytest.mark.parametrize("value", ["{not json", "[]"])
def test_bad_parent_variable(project, cli, monkeypatch, value):
    project({})
    monkeypatch.setenv("getDotenvCliOptions", value)
    out = cli("cmd", "true")
    if value == "[]":
        assert out.code == 0  # not an object: nothing inherited
    else:
        assert out.err == "getdotenv: error: getDotenvCliOptions: not JSON; unset it or fix it\n"
