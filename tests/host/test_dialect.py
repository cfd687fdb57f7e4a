"""The python-dotenv dialect: per file exactly what python-dotenv's dotenv_values gives, merged
by the cascade."""

from __future__ import annotations

import io
import os

from dotenv import dotenv_values
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import host_cli

# Files written for python-dotenv: its defaults, escapes, export, references to earlier keys
# and to the process environment, quotes of every kind.
FILES = {
    ".env": (
        "export SERVICE=orders\n"
        "URL=https://${HOST:-localhost}/${SERVICE}\n"
        'GREETING="tab\\there"\n'
        "SINGLE='${SERVICE} stays'\n"
        "HASH=a#b\n"
        'MULTI="line one\nline two"\n'
        "FROM_SHELL=${SHELL_ONLY}\n"
        "BARE_KEY\n"
    ),
    ".env.dev": "STAGE=dev\nURL=${URL}/dev\nTIMEOUT=${TIMEOUT:-30}\n",
    ".env.local": "SECRET=s3cr3t\n",
    ".env.dev.local": "SECRET=${SECRET:-dev-secret}\n",
}
CASCADE = [".env", ".env.dev", ".env.local", ".env.dev.local"]


def expected(root, environ):
    merged: dict[str, str] = {}
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(environ)  # python-dotenv reads os.environ for its references
    try:
        for name in CASCADE:
            merged.update({k: v for k, v in dotenv_values(root / name).items() if v is not None})
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return merged


def test_the_dialect_gives_what_dotenv_values_gives_per_file(project, env_of, monkeypatch):
    root = project(FILES)
    environ = {"SHELL_ONLY": "from the shell", "PATH": os.environ["PATH"]}
    want = expected(root, environ)
    # per file: .env.dev cannot see the URL of .env (python-dotenv reads files one at a time)
    assert want["URL"] == "/dev" and want["GREETING"] == "tab\there"
    composed = host_cli.compose(cwd=root, environ=environ, env="dev", dialect="python-dotenv")
    assert dict(composed) == want
    monkeypatch.setenv("SHELL_ONLY", "from the shell")
    assert env_of("-e", "dev", "--dialect", "python-dotenv", keys=list(want)) == want


def test_the_dialect_from_pyproject_and_its_errors(project, cli):
    project(
        {
            "pyproject.toml": '[tool.getdotenv.rootOptionDefaults]\ndialect = "python-dotenv"\n',
            ".env": "A=${B:-b}\n",
        }
    )
    assert cli("--log").out == "A=b\n"
    bad = cli("--dialect", "node", "cmd", "true")
    assert (bad.code, bad.err) == (
        2,
        "getdotenv: error: --dialect: expected get-dotenv or python-dotenv, got 'node'\n",
    )
    (project({".env": "A=1\nnot a line\nB='a secret\n"}))
    out = cli("cmd", "true")
    assert out.err == (
        "getdotenv: error: .env:2: python-dotenv cannot parse a line without KEY= (a value "
        "wrapped onto a line of its own?) (it would skip the line with a warning)\n"
    )
    (project({".env": "A=1\nB='a secret\n"}))
    out = cli("cmd", "true")
    assert out.err == (
        "getdotenv: error: .env:2: python-dotenv cannot parse the line of B (it would skip the "
        "line with a warning)\n"
    )


def test_check_says_which_dialects_read_the_files_the_same(project, cli):
    project({".env": "A=1\nB=${A}\n"})
    assert "check: get-dotenv and python-dotenv read these files the same" in cli("check").err
    project({".env": "A=1\nB=${X:-fallback}\n"})
    assert (
        "check: get-dotenv and python-dotenv read B (.env:2) differently: use the --dialect they "
        "were written for (get-dotenv is the default)"
    ) in cli("check").err


lines = st.lists(
    st.sampled_from(
        [
            "A=1",
            "B=${A}",
            "C=${Z:-z}",
            'D="x\\ny"',
            "E='${A}'",
            "export F=f",
            "G=${B}${C}",
            "# c",
            "",
        ]
    )
    | st.text(alphabet="AB=${}:-'\"#x \\n", max_size=12),
    max_size=8,
).map("\n".join)


@settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "150")),
    deadline=1000,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(lines)
def test_any_file_python_dotenv_parses_reads_the_same(text):
    from host_cli.engine import pydotenv
    from host_cli.support.errors import EnvFileError

    try:
        ours = {e.key: e.value for e in pydotenv.parse(text, dict(os.environ), source=".env")}
    except EnvFileError:
        return  # python-dotenv would skip a line: an error here, said so by file and line
    theirs = {k: v for k, v in dotenv_values(stream=io.StringIO(text)).items() if v is not None}
    assert ours == theirs
