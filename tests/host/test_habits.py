"""The habits of dotenv users, through the real CLI: get, export (run by real shells), --format,
and compose() equal to the CLI in a `cmd` child, a pytest session and a subfolder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import host_cli
from tests.conftest import pty_run

# Values no shell quoting may change: quotes, #, $, backticks, newlines, unicode, a trailing \.
HARD = {
    "QUOTES": 'it\'s "quoted"',
    "HASH": "a # not a comment",
    "DOLLAR": "$HOME and ${PATH} stay",
    "TICKS": "`echo pwned` $(echo pwned); rm -rf /tmp/nothing",
    "MULTILINE": "one\ntwo\n  three",
    "UNICODE": "Grüße ✓ ‘curly’ ’",
    "BACKSLASH": "C:\\path\\",
    "DB_PASSWORD": "s3cret",
}


def _dotenv(values: dict[str, str]) -> str:
    from host_cli.support.serialize import render

    return render(values)[0]


@pytest.fixture
def hard_project(project):
    return project({".env": _dotenv(HARD) + "SERVICE_NAME=orders\n", ".env.dev": "STAGE=dev\n"})


def test_get_prints_raw_values_and_names_missing_keys(hard_project, run_getdotenv):
    got = run_getdotenv("-e", "dev", "get", "DB_PASSWORD", "STAGE_NAME", cwd=hard_project)
    assert got.returncode == 0, got.stderr
    assert got.stdout == "s3cret\norders-dev\n"  # never masked, though stdout is a pipe
    got = run_getdotenv("get", "MULTILINE", cwd=hard_project)
    assert got.stdout == HARD["MULTILINE"] + "\n"
    got = run_getdotenv("get", "NOPE", "HOME", "HASH", cwd=hard_project)
    assert got.returncode == 1 and got.stdout == ""
    assert got.stderr.strip() == (
        "getdotenv: error: get: NOPE, HOME are not set in the composed environment "
        "(HOME only inherited from the calling environment)"
    )


def test_log_keeps_masking_but_output_path_and_formats_never_mask(hard_project, run_getdotenv):
    got = run_getdotenv("--format", "json", "--log", cwd=hard_project)
    assert got.returncode == 0, got.stderr
    logged = json.loads(got.stdout)
    assert logged["DB_PASSWORD"] == "[redacted]" and logged["MULTILINE"] == HARD["MULTILINE"]
    got = run_getdotenv("--format", "json", "-o", "out.json", cwd=hard_project)
    assert got.returncode == 0, got.stderr
    written = json.loads((hard_project / "out.json").read_text())
    assert {k: written[k] for k in HARD} == HARD
    assert (hard_project / "out.json").stat().st_mode & 0o777 == 0o600
    got = run_getdotenv("--format", "export", "--log", "--redact-off", cwd=hard_project)
    assert "export DB_PASSWORD='s3cret'\n" in got.stdout
    got = run_getdotenv("--format", "xml", "--log", cwd=hard_project)
    assert got.returncode != 0
    assert "--format: expected one of dotenv, json, shell, export, got 'xml'" in got.stderr


@pytest.mark.parametrize("fmt", ["shell", "export"])
def test_shell_and_export_formats_read_back_in_bash(hard_project, run_getdotenv, fmt):
    got = run_getdotenv("--format", fmt, "-o", "out.sh", cwd=hard_project)
    assert got.returncode == 0, got.stderr
    keys = " ".join(HARD)
    script = f". ./out.sh; for k in {keys}; do printf '%s\\0' \"${{!k}}\"; done"
    if fmt == "shell":  # plain assignments: visible to the shell, not exported
        assert "export" not in (hard_project / "out.sh").read_text()
    out = subprocess.run(
        ["bash", "-c", script], cwd=hard_project, capture_output=True, check=True
    ).stdout
    assert out.decode().split("\0")[:-1] == list(HARD.values())


def _shell_reads(shell: str, lines: str, cwd: Path) -> list[str]:
    """What ``shell`` holds for each HARD key after evaluating ``lines``, via a child python
    (so the value is checked as the environment the shell exports)."""
    probe = f"{sys.executable} -c 'import os,sys; sys.stdout.write(chr(0).join(os.environ.get(k, \"<unset>\") for k in sys.argv[1:]))' {' '.join(HARD)}"
    if shell == "fish":
        script = f"getdotenv -e dev export --format fish | source; and {probe}"
    else:
        script = f'eval "$(getdotenv -e dev export --format {shell})" && {probe}'
    bindir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"}
    out = subprocess.run([shell, "-c", script], cwd=cwd, capture_output=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode().split("\0")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_eval_line_in_a_real_shell(hard_project, shell):
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    assert _shell_reads(shell, "", hard_project) == list(HARD.values())


def test_the_default_eval_line_is_bash_and_sets_derived_values(hard_project):
    bindir = os.path.dirname(sys.executable)
    out = subprocess.run(
        ["bash", "-c", 'eval "$(getdotenv -e dev export)" && printf %s "$STAGE_NAME|$DOLLAR"'],
        cwd=hard_project,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"orders-dev|{HARD['DOLLAR']}"


# Keys bash turns into code whatever the quoting: arithmetic on assignment (a[$(cmd)] runs cmd),
# prompt variables at the next prompt, start-up files of the next bash.
_CODE_KEYS = ["RANDOM", "SRANDOM", "OPTIND", "HISTCMD", "MAILCHECK"]


def test_export_leaves_out_keys_bash_would_run_as_code(project, run_getdotenv, tmp_path):
    marker = tmp_path / "pwned"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"touch {marker}-bash-env\n")
    lines = [f"{key}='a[$(touch {marker}-{key})]'" for key in _CODE_KEYS]
    lines += [f"PROMPT_COMMAND='touch {marker}-pc'", f"PS1='$(touch {marker}-ps1)'"]
    lines += [f"BASH_ENV={hook}", "KEPT=yes"]
    root = project({".env": "\n".join(lines) + "\n"})
    bindir = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"}
    env.pop("BASH_ENV", None)
    # interactive too: MAILCHECK, PROMPT_COMMAND and PS1 act there; `bash -c` at the end starts
    # a non-interactive bash, which runs BASH_ENV.
    script = 'eval "$(getdotenv export)"; printf %s "$KEPT"; bash -c true'
    for argv in (["bash", "-c", script], ["bash", "-i"]):
        out = subprocess.run(
            argv,
            input=script + "\n" if argv[1] == "-i" else None,
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
        assert "yes" in out.stdout, out.stderr
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("pwned")) == []
        assert (
            "export: left out RANDOM, SRANDOM, OPTIND, HISTCMD, MAILCHECK and 3 more: the shell "
            "would run the value as code, whatever the quoting (bash evaluates"
        ) in out.stderr
    for fmt in ("shell", "export"):
        got = run_getdotenv("--format", fmt, "-o", "out.sh", "--log", cwd=root)
        assert got.returncode == 0, got.stderr
        assert f"--output-path --format {fmt}: left out RANDOM" in got.stderr
        assert f"--log --format {fmt}: left out RANDOM" in got.stderr
        subprocess.run(["bash", "-c", ". ./out.sh"], cwd=root, env=env, check=True)
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith("pwned")] == []
        assert (root / "out.sh").read_text() == (
            "export " if fmt == "export" else ""
        ) + "KEPT='yes'\n"
    # fish and PowerShell read none of them as code but BASH_ENV (exported to later shells)
    got = run_getdotenv("export", "--format", "fish", cwd=root)
    assert "set -gx RANDOM " in got.stdout and "set -gx PS1 " in got.stdout
    assert "BASH_ENV" not in got.stdout and "export: left out BASH_ENV: " in got.stderr
    got = run_getdotenv("export", "--format", "json", cwd=root)
    assert set(json.loads(got.stdout)) >= {*_CODE_KEYS, "PS1", "PROMPT_COMMAND", "BASH_ENV"}


def test_output_path_dotenv_names_a_value_python_dotenv_would_read_as_other_keys(
    project, run_getdotenv
):
    from dotenv import dotenv_values

    root = project({".env": "K=`a'\"b\nEVIL=1`\nD=$$x\n"})
    got = run_getdotenv("-o", "out.env", cwd=root)
    assert got.returncode == 0, got.stderr
    assert (
        "--output-path: python-dotenv would read the values of K as further assignments, of "
        "other keys"
    ) in got.stderr
    assert "python-dotenv reads D with a backslash before each $" in got.stderr
    assert "EVIL" in dotenv_values(root / "out.env")  # what the warning is about
    assert run_getdotenv("--paths", "./", "get", "K", cwd=root).stdout == "a'\"b\nEVIL=1\n"


def test_export_json_powershell_and_keys_no_shell_can_assign(project, run_getdotenv):
    root = project({".env": "A.B=dotted\nQ=‘it’s’\n"})
    got = run_getdotenv("export", "--format", "powershell", cwd=root)
    assert got.returncode == 0, got.stderr
    assert got.stdout == "$env:Q = '‘‘it’’s’’'\n"
    assert "export: left out A.B: not a shell variable name" in got.stderr
    got = run_getdotenv("export", "--format", "json", cwd=root)
    assert json.loads(got.stdout) == {"A.B": "dotted", "Q": "‘it’s’"}
    got = run_getdotenv("export", "--format", "tcsh", cwd=root)
    assert got.returncode == 1
    assert "export --format: expected one of bash, zsh, fish, powershell, json" in got.stderr


def test_powershell_quoting_round_trips_where_pwsh_is_installed(hard_project, run_getdotenv):
    pwsh = shutil.which("pwsh")
    if pwsh is None:
        pytest.skip("pwsh is not installed")
    got = run_getdotenv("-e", "dev", "export", "--format", "powershell", cwd=hard_project)
    script = got.stdout + "".join(f"[Console]::Out.Write($env:{k} + [char]0)\n" for k in HARD)
    out = subprocess.run(
        [pwsh, "-NoProfile", "-Command", "-"], input=script, capture_output=True, text=True
    )
    assert out.stdout.split("\0")[:-1] == list(HARD.values())


# --- compose() equals the CLI --------------------------------------------------------------

PLUGIN_PROJECT = {
    ".env": "SERVICE_NAME=orders\nTABLE_VERSION=001\n",
    ".env.dev": "STAGE=dev\n",
    ".env.local": "LOCAL_ONLY=yes\n",
}


def _cli_env(run_getdotenv, cwd: Path, *flags: str) -> dict[str, str]:
    got = run_getdotenv(*flags, "--format", "json", "-o", str(cwd / "composed.json"), cwd=cwd)
    assert got.returncode == 0, got.stderr
    composed = json.loads((cwd / "composed.json").read_text())
    (cwd / "composed.json").unlink()
    return composed


def test_compose_equals_the_cli_from_a_subfolder(project, run_getdotenv):
    root = project(PLUGIN_PROJECT)
    sub = root / "src" / "pkg"
    sub.mkdir(parents=True)
    expected = _cli_env(run_getdotenv, root, "-e", "dev")
    assert expected["STAGE_NAME"] == "orders-dev" and expected["TABLE_NAME"] == "orders-dev-001"
    assert _cli_env(run_getdotenv, sub, "-e", "dev") == expected
    assert dict(host_cli.compose(cwd=sub, env="dev")) == expected


def test_compose_in_a_cmd_child_equals_the_parent_cli(project, run_getdotenv, tmp_path):
    root = project(PLUGIN_PROJECT)
    expected = _cli_env(run_getdotenv, root, "-e", "dev")
    script = tmp_path / "child.py"
    script.write_text(
        "import json, host_cli\n"
        "print(json.dumps([dict(host_cli.compose()), dict(host_cli.compose(env='dev'))]))\n"
    )
    got = run_getdotenv("-e", "dev", "cmd", sys.executable, str(script), cwd=root)
    assert got.returncode == 0, got.stderr
    inherited_options, explicit = json.loads(got.stdout)
    assert inherited_options == expected and explicit == expected


def test_a_nested_run_with_another_env_derives_afresh_and_a_user_value_wins(
    project, run_getdotenv, tmp_path
):
    root = project({**PLUGIN_PROJECT, ".env.prod": "STAGE=prod\n"})
    got = run_getdotenv(
        "-e",
        "dev",
        "cmd",
        sys.executable,
        "-m",
        "host_cli",
        "-e",
        "prod",
        "get",
        "TABLE_NAME",
        cwd=root,
    )
    assert got.stdout == "orders-prod-001\n", got.stderr  # not the parent's orders-dev-001
    # A value the user set in between is the user's: kept, not derived over.
    script = "STAGE_NAME=mine " + " ".join(
        [
            sys.executable,
            "-m",
            "host_cli",
            "cmd",
            sys.executable,
            "-c",
            '\'import os; print(os.environ["STAGE_NAME"], os.environ.get("TABLE_NAME"))\'',
        ]
    )
    got = run_getdotenv("-e", "dev", "cmd", script, cwd=root)
    assert got.returncode == 0, got.stderr
    assert got.stdout.split() == ["mine", "mine-001"]


def test_compose_inside_pytest_with_getdotenv_env_equals_the_cli(project, run_getdotenv):
    root = project(
        {
            **PLUGIN_PROJECT,
            "pytest.ini": "[pytest]\ngetdotenv_env = dev\n",
            "test_inside.py": textwrap.dedent(
                """
                import json, os
                from pathlib import Path

                import host_cli


                def test_same(getdotenv_env):
                    expected = json.loads(Path(os.environ["EXPECTED"]).read_text())
                    assert dict(getdotenv_env) == expected
                    assert dict(host_cli.compose(env="dev")) == expected
                    assert os.environ["TABLE_NAME"] == "orders-dev-001"
                """
            ),
        }
    )
    expected = _cli_env(run_getdotenv, root, "-e", "dev")
    (root.parent / "expected.json").write_text(json.dumps(expected))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "test_inside.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "EXPECTED": str(root.parent / "expected.json")},
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_pytest_warns_like_the_cli_when_getdotenv_env_selects_nothing(project, run_getdotenv):
    root = project(
        {
            ".env": "A=1\n",
            "pytest.ini": "[pytest]\ngetdotenv_env = dve\n",
            "test_it.py": "def test_it(getdotenv_env):\n    assert getdotenv_env['A'] == '1'\n",
        }
    )
    cli = run_getdotenv("-e", "dve", "get", "A", cwd=root)
    assert "--env 'dve' selects no .env.dve* file" in cli.stderr
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_it.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "--env 'dve' selects no .env.dve* file" in out.stdout + out.stderr


# --- set / unset ---------------------------------------------------------------------------

EDGE_VALUES = {
    "QUOTES": 'it\'s "both" `kinds`',
    "HASH": "a # b#c",
    "DOLLAR": "$HOME ${PATH} \\$ $",
    "NEWLINES": "one\ntwo\n\nthree ",
    "UNICODE": "Grüße ✓ 日本",
    "MIXED": "a'b\"c # d\ne",
}


@pytest.mark.parametrize("key", list(EDGE_VALUES))
def test_set_then_get_then_python_dotenv_reads_the_same(project, run_getdotenv, key):
    from dotenv import dotenv_values

    value = EDGE_VALUES[key]
    root = project({".env": "# kept\nFIRST=1\n", ".env.dev": "STAGE=dev\n"})
    got = run_getdotenv("-e", "dev", "set", key, value, cwd=root)
    target = root / ".env.dev.local"
    if key == "MIXED":
        # all of ' " and a newline need backticks, which python-dotenv does not know: it would
        # read the line after the newline as an assignment of its own (key `e`). Refused.
        assert got.returncode == 1 and not target.exists()
        assert f"{key}: python-dotenv would read other keys or values" in got.stderr
        return
    assert got.returncode == 0, got.stderr
    set_err = got.stderr
    assert target.stat().st_mode & 0o777 == 0o600
    assert f"{key} added to .env.dev.local (new file, mode 0600)" in got.stderr
    got = run_getdotenv("-e", "dev", "get", key, cwd=root)
    assert got.returncode == 0, got.stderr
    assert got.stdout == value + "\n"
    python_dotenv = dotenv_values(target)[key]
    noted = "python-dotenv would read this value differently" in set_err
    # Where python-dotenv reads it back differently, set said so, and only there. A `$` has
    # one spelling get-dotenv and we read as `$` (get-dotenv's \$), which python-dotenv keeps.
    assert (python_dotenv == value) is not noted
    assert noted is ("$" in value)
    # --dialect python-dotenv reads the file as dotenv_values does
    got = run_getdotenv("-e", "dev", "--dialect", "python-dotenv", "get", key, cwd=root)
    assert got.stdout == python_dotenv + "\n"


def test_set_edits_in_place_chooses_the_file_and_warns_when_shadowed(project, run_getdotenv):
    root = project(
        {
            ".env": "# header comment\nA=1 # inline\nB=2\n",
            ".env.dev": "STAGE=dev\n",
            ".env.dev.local": "SHADOW=from-file\n",
            "getdotenv.config.json": json.dumps({"vars": {"FROM_CONFIG": "config"}}),
        }
    )
    (root / ".env").chmod(0o644)
    got = run_getdotenv("set", "A", "one", "--public", "--global", cwd=root)
    assert got.returncode == 0, got.stderr
    assert (root / ".env").read_text() == "# header comment\nA=one # inline\nB=2\n"
    assert (root / ".env").stat().st_mode & 0o777 == 0o644  # an existing file keeps its mode
    assert run_getdotenv("set", "C", "3", cwd=root).returncode == 0
    assert (root / ".env.local").read_text() == "C=3\n"
    assert run_getdotenv("-e", "dev", "set", "D", "4", "--public", cwd=root).returncode == 0
    assert (root / ".env.dev").read_text() == "STAGE=dev\nD=4\n"
    # a later file, config vars and --vars still decide the key: warned, file written anyway
    got = run_getdotenv("-e", "dev", "set", "SHADOW", "x", "--global", cwd=root)
    assert "SHADOW: .env.dev.local:1 sets it later and wins" in got.stderr
    assert "SHADOW=x" in (root / ".env.local").read_text()
    got = run_getdotenv("set", "FROM_CONFIG", "x", cwd=root)
    assert "FROM_CONFIG: getdotenv.config.json: vars.FROM_CONFIG sets it later and wins" in (
        got.stderr
    )
    got = run_getdotenv("--vars", "V=cli", "set", "V", "x", cwd=root)
    assert "V: --vars sets it later and wins" in got.stderr
    # the first --paths folder
    (root / "env").mkdir()
    got = run_getdotenv("--paths", "./env ./", "set", "P", "1", cwd=root)
    assert got.returncode == 0 and (root / "env" / ".env.local").read_text() == "P=1\n"
    got = run_getdotenv("set", "F", "1", "--file", "elsewhere/x.env", cwd=root)
    assert (root / "elsewhere" / "x.env").read_text() == "F=1\n"
    assert "F: elsewhere/x.env is not read by this cascade" in got.stderr
    got = run_getdotenv("set", "API_TOKEN", "t", "--public", cwd=root)
    assert "API_TOKEN looks secret and .env is not a private (*.local) file" in got.stderr


def test_set_key_dash_reads_the_value_from_stdin(project, run_getdotenv):
    from dotenv import dotenv_values

    root = project({".env": "A=1\n"})
    secret = "s3cr3t 'q' $HOME\nsecond line"
    got = run_getdotenv("set", "DB_PASSWORD", "-", cwd=root, input=secret + "\n")
    assert got.returncode == 0, got.stderr
    assert "DB_PASSWORD added to .env.local" in got.stderr and "s3cr3t" not in got.stderr
    assert run_getdotenv("get", "DB_PASSWORD", cwd=root).stdout == secret + "\n"
    # exactly what was piped, less one final line break (\n or \r\n); none: all of it
    for given, stored in (("x\n\n", "x\n"), ("y\r\n", "y"), ("-", "-"), ("", "")):
        got = run_getdotenv("set", "T", "-", cwd=root, input=given)
        assert got.returncode == 0, got.stderr
        assert dotenv_values(root / ".env.local")["T"] == stored
    got = run_getdotenv("set", "T", "-", cwd=root, input=None, stdin=subprocess.DEVNULL)
    assert got.returncode == 0 and dotenv_values(root / ".env.local")["T"] == ""
    bad = subprocess.run(
        [sys.executable, "-m", "host_cli", "set", "T", "-"],
        cwd=root,
        input=b"\xff\xfe",
        capture_output=True,
        timeout=60,
    )
    assert bad.returncode == 1
    assert bad.stderr.decode().strip() == (
        "getdotenv: error: set T -: stdin is not UTF-8 text; nothing written"
    )
    helped = " ".join(run_getdotenv("set", "--help", cwd=root).stdout.split())
    assert "VALUE - reads the value from stdin instead" in helped


def test_set_key_dash_from_a_terminal_asks_without_echo(project):
    root = project({})
    code, seen = pty_run(
        [sys.executable, "-m", "host_cli", "set", "TOKEN", "-"],
        root,
        wait_for=b"TOKEN: ",
        send=b"typed-secret\n",
    )
    assert code == 0, seen
    assert b"typed-secret" not in seen  # not echoed
    assert (root / ".env.local").read_text() == "TOKEN=typed-secret\n"


def test_unset_removes_every_line_and_says_what_still_sets_it(project, run_getdotenv):
    root = project({".env": "A=public\n", ".env.local": "# c\nA=1\nB=2\nA=3\n"})
    got = run_getdotenv("unset", "A", "NOPE", cwd=root)
    assert got.returncode == 0, got.stderr
    assert (root / ".env.local").read_text() == "# c\nB=2\n"
    assert "A removed from .env.local" in got.stderr and "NOPE was not in .env.local" in got.stderr
    assert "A is still set, by .env:1" in got.stderr
    got = run_getdotenv("-e", "prod", "unset", "A", cwd=root)
    assert got.returncode == 0 and ".env.prod.local does not exist: nothing to unset" in got.stderr


def test_set_refuses_a_symlink_and_a_bad_key(project, run_getdotenv, tmp_path):
    root = project({})
    victim = tmp_path / "victim"
    victim.write_text("SAFE=1\n")
    (root / ".env.local").symlink_to(victim)
    got = run_getdotenv("set", "A", "1", cwd=root)
    assert got.returncode == 1 and "is a symlink" in got.stderr
    assert victim.read_text() == "SAFE=1\n"
    got = run_getdotenv("set", "A=B", "1", "--file", "x.env", cwd=root)
    assert got.returncode == 1 and not (root / "x.env").exists()
    # all three quote kinds and a newline: Node's dotenv rules have no spelling for it
    got = run_getdotenv("set", "Q", "'\"`\n", "--file", "x.env", cwd=root)
    assert got.returncode == 1 and not (root / "x.env").exists()
    assert got.stderr == "getdotenv: error: x.env: Q: no dotenv quoting can carry this value\n"
