"""Issue 19 point 6: no .env value is ever pasted into a shell string as code.

Shell strings the host expands (``-c``, ``plugins.batch`` scripts, a plugin's ``ShellCommand``
fields such as ``plugins.dynamodb.local.*``) get the same values as under get-dotenv, each
quoted for the shell; text the user single-quoted stays literal; ``\\$NAME`` is left to the
shell. Other config strings keep get-dotenv's interpolation."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from host_cli.engine.expand import expand_shell, lookup_in

HOSTILE = {
    "semi": "demo; touch PWNED_semi",
    "subst": "$(touch PWNED_subst)",
    "tick": "`touch PWNED_tick`",
    "quotes": "it's \"quoted\" '; touch PWNED_quotes; '",
    "newline": "a\ntouch PWNED_newline",
}


def dotenv(values: dict[str, str]) -> str:
    lines = []
    for key, value in values.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
        lines.append(f'{key}="{escaped}"'.replace("\n", "\\n"))
    return "\n".join(lines) + "\n"


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "host_cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env=env or dict(os.environ),
    )


@pytest.fixture
def hostile(project):
    """Values with shell syntax: the simple ones from .env, all of them from the environment
    (a composed value and an inherited one are looked up alike)."""
    values = {f"V_{k.upper()}": v for k, v in HOSTILE.items()}
    root = project({".env": dotenv({"E_SEMI": HOSTILE["semi"], "E_SUBST": HOSTILE["subst"]})})
    return root, values


def test_c_quotes_every_value(hostile):
    root, values = hostile
    env = {**os.environ, **values}
    values = {**values, "E_SEMI": HOSTILE["semi"], "E_SUBST": HOSTILE["subst"]}
    for key, value in values.items():
        out = run(root, "-c", f"printf '%s|' ${key} \"${key}\" ${{{key}}}", env=env)
        assert out.returncode == 0, out
        assert out.stdout == f"{value}|{value}|{value}|", (key, out)
    assert not list(root.glob("PWNED_*"))


def test_single_quoted_text_is_literal_and_escaped_references_go_to_the_shell(project):
    root = project({".env": "SECRET=hunter2\nAPP=demo\n"})
    out = run(root, "-c", "echo 'a b' | awk '{print $2}'")
    assert out.stdout == "b\n", out
    # \$SECRET reaches the shell as $SECRET: expanded there from the environment, so the
    # command line (what `ps` shows) never holds the value
    out = run(root, "-c", "echo \\$SECRET-$APP; cat /proc/$$/cmdline | tr '\\0' ' '")
    first, cmdline = out.stdout.splitlines()
    assert first == "hunter2-demo"
    assert "hunter2" not in cmdline and "$SECRET" in cmdline


def test_defaults_and_nested_defaults(project):
    root = project({".env": "B=from b\n"})
    out = run(root, "-c", "printf '%s|' ${A:plain} ${A:${B}} \"${MISSING:x y}\" $MISSING end")
    assert out.stdout == "plain|from b|x y|end|", out


def test_batch_scripts_quote_values(project):
    root = project(
        {
            ".env": dotenv({"NAME": "x; touch PWNED_batch"}),
            "getdotenv.config.yaml": (
                "plugins:\n  batch:\n    scripts:\n"
                "      show: printf '%s' $NAME > out.txt\n"
                "      other:\n        cmd: printf '%s' \"$NAME\" > out2.txt\n"
            ),
            "pkg/package.json": "{}",
        }
    )
    for script, file in (("show", "out.txt"), ("other", "out2.txt")):
        out = run(root, "batch", "--root-path", "./", "--globs", "pkg", "-c", script)
        assert out.returncode == 0, out
        assert (root / "pkg" / file).read_text() == "x; touch PWNED_batch"
    assert not list(root.rglob("PWNED_*"))


def test_dynamodb_config_commands_quote_values(project):
    root = project(
        {
            ".env": dotenv({"APP_NAME": "demo; touch PWNED_ddb", "PORT_X": "8123"}),
            "getdotenv.config.yaml": (
                "plugins:\n  dynamodb:\n    local:\n"
                "      port: $PORT_X\n"
                "      status: printf '%s' $APP_NAME > status.txt; exit 1\n"
            ),
        }
    )
    out = run(root, "dynamodb", "local", "status")
    assert (root / "status.txt").read_text() == "demo; touch PWNED_ddb", out
    assert not list(root.glob("PWNED_*"))
    # a plain config string keeps get-dotenv's interpolation
    assert run(root, "-c", "echo $DYNAMODB_LOCAL_PORT").stdout == "8123\n"


def test_shell_off_keeps_a_value_one_word(project):
    root = project({".env": dotenv({"WORDS": "two words; three"})})
    out = run(
        root, "--shell-off", "-c", f"{sys.executable} -c 'import sys; print(sys.argv[1:])' $WORDS"
    )
    assert out.stdout.strip() == "['two words; three']", out


def test_a_third_party_plugin_marks_its_shell_strings():
    from pydantic import BaseModel, Field

    from host_cli import ShellCommand
    from host_cli.plugins.configs import _shell_paths_of

    class Hooks(BaseModel):
        before: ShellCommand | None = None
        note: str = ""

    class Config(BaseModel):
        deploy: ShellCommand = "true"
        hooks: dict[str, Hooks] = Field(default_factory=dict)
        steps: list[ShellCommand] = []
        title: str = ""

    assert _shell_paths_of(Config) == [
        ("deploy",),
        ("hooks", "*", "before"),
        ("steps", "*"),
    ]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")))
def test_any_value_reaches_sh_as_exactly_itself(value):
    lookup = lookup_in({"V": value}, {})
    for template in ("printf '%s' $V", 'printf "%s" "$V"', "printf '%s' ${V}"):
        command, carriers = expand_shell(template, lookup, shell="/bin/sh")
        out = subprocess.run(
            ["/bin/sh", "-c", command], capture_output=True, timeout=10, env=dict(carriers)
        )
        expected = value.encode()
        if template.endswith("$V") and value == "":
            expected = b""
        assert out.stdout == expected, (template, value, command)
