"""``getdotenv aws secrets pull|push|delete`` through the real CLI, against a real moto server
process on 127.0.0.1 (botocore pointed at it with AWS_ENDPOINT_URL), with a temporary HOME
holding static keys in ~/.aws/credentials."""

from __future__ import annotations

import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
import uuid

import pytest
from dotenv import dotenv_values

from host_cli.cli.builtin.aws import secrets
from host_cli.support.errors import GetDotenvError

pytest.importorskip("moto", reason="moto (the `local` extra) runs the Secrets Manager stand-in")

REGION = "eu-west-2"
TRICKY = "p@ss \"w\" 'q' #1 $HOME ${X} ünï\nsecond line"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def moto_endpoint():
    """A real moto server process on loopback for the module (outside the leak check's marker)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, "moto server exited"
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "moto server did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture
def aws_env(tmp_path, monkeypatch, moto_endpoint):
    """A temporary HOME with static keys and a region; botocore aimed at the moto server."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "credentials").write_text(
        "[default]\naws_access_key_id = AKIDTEST\naws_secret_access_key = secret-test\n"
    )
    (home / ".aws" / "config").write_text(f"[default]\nregion = {REGION}\n")
    monkeypatch.setenv("HOME", str(home))
    for name in list(os.environ):
        if name.startswith("AWS_") or name == "STACK_NAME":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    return moto_endpoint


@pytest.fixture
def sm(aws_env):
    import boto3

    return boto3.client(
        "secretsmanager",
        endpoint_url=aws_env,
        region_name=REGION,
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret-test",
    )


@pytest.fixture
def name():
    return f"svc-{uuid.uuid4().hex[:10]}"


def stored(sm, name):
    return json.loads(sm.get_secret_value(SecretId=name)["SecretString"])


def one_line_error(out, *pieces):
    assert out.code != 0, out
    # (the host's own warnings, such as "--env 'dev' selects no file", are not errors)
    lines = [line for line in out.err.strip().splitlines() if ": warning: " not in line]
    assert len(lines) == 1, out
    for piece in pieces:
        assert piece in lines[0], out
    return lines[0]


LOCAL = """# dev secrets (keep this comment)
DB_USER=app

# the password
DB_PASSWORD=hunter2-long
"""


def test_push_then_pull_round_trips_keeping_comments(project, cli, sm, name, env_of):
    root = project(
        {
            ".env": "APP=public-app\n",
            ".env.dev.local": LOCAL,
        }
    )
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name)
    assert out.code == 0, out
    assert f"Created secret '{name}' (2 keys: DB_USER, DB_PASSWORD)" in out.err
    # file:env:private only: the public .env's APP is not in it
    assert stored(sm, name) == {"DB_USER": "app", "DB_PASSWORD": "hunter2-long"}

    # someone rotates the password and adds a key, in the secret
    sm.put_secret_value(
        SecretId=name,
        SecretString=json.dumps({"DB_USER": "app", "DB_PASSWORD": TRICKY, "NEW_KEY": "n"}),
    )
    target = root / ".env.dev.local"
    target.chmod(0o640)
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    assert (
        f"Pulled secret '{name}' into .env.dev.local (set DB_PASSWORD, NEW_KEY; 1 unchanged)"
        in out.err
    )
    text = target.read_text()
    assert text.startswith("# dev secrets (keep this comment)\nDB_USER=app\n\n# the password\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    # get-dotenv's dialect (this host) reads exactly what the secret holds
    assert env_of("-e", "dev", keys=["DB_PASSWORD", "NEW_KEY", "APP"]) == {
        "DB_PASSWORD": TRICKY,
        "NEW_KEY": "n",
        "APP": "public-app",
    }
    # the $ in the value is written \$: python-dotenv would read it differently, and is told
    assert "note:" in out.err and "DB_PASSWORD" in out.err
    # no value in any output
    for value in ("hunter2-long", "p@ss", "second line"):
        assert value not in out.out + out.err

    # push again: an update, same content (round trip through the file)
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name)
    assert out.code == 0 and "Updated secret" in out.err, out
    assert stored(sm, name) == {"DB_USER": "app", "DB_PASSWORD": TRICKY, "NEW_KEY": "n"}


def test_include_and_exclude(project, cli, sm, name):
    root = project({".env.dev.local": "A=1\nB=2\nC=3\n"})
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name, "-i", "A", "B")
    assert out.code == 0, out
    assert stored(sm, name) == {"A": "1", "B": "2"}
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name, "--exclude", "A")
    assert out.code == 0, out
    assert stored(sm, name) == {"B": "2", "C": "3"}

    sm.put_secret_value(SecretId=name, SecretString=json.dumps({"A": "x", "B": "y", "C": "z"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name, "-e", "A", "C")
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "A=1\nB=y\nC=3\n"
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name, "-i", "C")
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "A=1\nB=y\nC=z\n"

    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name, "-i", "A", "-e", "B")
    one_line_error(out, "mutually exclusive")
    assert (root / ".env.dev.local").read_text() == "A=1\nB=y\nC=z\n"


def test_config_slice_gives_the_defaults(project, cli, sm, name):
    root = project(
        {
            "getdotenv.config.json": json.dumps(
                {
                    "plugins": {
                        "aws/secrets": {
                            "secretName": name,
                            "push": {"include": ["A"]},
                            "pull": {"exclude": ["B"]},
                        }
                    }
                }
            ),
            ".env.dev.local": "A=1\nB=2\n",
        }
    )
    out = cli("-e", "dev", "aws", "secrets", "push")
    assert out.code == 0, out
    assert stored(sm, name) == {"A": "1"}
    sm.put_secret_value(SecretId=name, SecretString=json.dumps({"A": "new", "B": "new"}))
    out = cli("-e", "dev", "aws", "secrets", "pull")
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "A=new\nB=2\n"
    # a flag replaces the config's include/exclude
    out = cli("-e", "dev", "aws", "secrets", "pull", "-i", "B")
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "A=new\nB=new\n"


def test_a_bad_config_slice_is_one_line(project, cli, aws_env):
    project({"getdotenv.config.json": json.dumps({"plugins": {"aws/secrets": {"secretNam": "x"}}})})
    out = cli("-e", "dev", "aws", "secrets", "push")
    one_line_error(out, "secretNam")


def test_the_secret_name_defaults_to_stack_name(project, cli, sm, name):
    project({".env": f"STACK_NAME={name}\n", ".env.dev.local": "A=1\n"})
    out = cli("-e", "dev", "aws", "secrets", "push")
    assert out.code == 0, out
    assert stored(sm, name) == {"A": "1"}
    # -s expands references against the composed environment
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", "$STACK_NAME")
    assert out.code == 0, out


def test_no_secret_name_is_one_line(project, cli, aws_env):
    project({".env.dev.local": "A=1\n"})
    one_line_error(cli("-e", "dev", "aws", "secrets", "push"), "no secret name", "STACK_NAME")


def test_a_template_bootstraps_a_missing_file(project, cli, sm, name):
    root = project(
        {".env.dev.local.template": "# copy me: .env.dev.local\nDB_PASSWORD=\nOTHER=keep\n"}
    )
    sm.create_secret(Name=name, SecretString=json.dumps({"DB_PASSWORD": "s3cret!"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    assert "created from .env.dev.local.template" in out.err
    target = root / ".env.dev.local"
    assert target.read_text() == "# copy me: .env.dev.local\nDB_PASSWORD=s3cret!\nOTHER=keep\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "DB_PASSWORD=\n" in (root / ".env.dev.local.template").read_text()


def test_no_file_and_no_template_creates_a_private_file(project, cli, sm, name):
    root = project({})
    sm.create_secret(Name=name, SecretString=json.dumps({"K": "v"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    target = root / ".env.dev.local"
    assert target.read_text() == "K=v\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_null_in_the_secret_unsets_the_key(project, cli, sm, name):
    root = project({".env.dev.local": "# c\nGONE=old\nKEPT=1\n"})
    sm.create_secret(Name=name, SecretString=json.dumps({"GONE": None, "KEPT": "2"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "# c\nKEPT=2\n"
    assert "removed GONE" in out.err


def test_the_global_scope_and_paths(project, cli, sm, name):
    root = project({"sub/.env.local": "A=1\n"})
    sm.create_secret(Name=name, SecretString=json.dumps({"A": "2"}))
    out = cli("--paths", "./ sub", "aws", "secrets", "pull", "-s", name, "--to", "global:private")
    assert out.code == 0, out
    # get-dotenv's search: the last path first, where the file exists
    assert (root / "sub" / ".env.local").read_text() == "A=2\n"
    assert not (root / ".env.local").exists()


HOSTILE = 'ok\' "x"\nDATABASE_URL=postgres://attacker@evil.example/db #'


def test_pull_refuses_a_value_python_dotenv_would_read_as_other_keys(project, cli, sm, name):
    local = "DATABASE_URL=postgres://good\nSTACK_NAME=app\n"
    root = project({".env.dev.local": local})
    sm.create_secret(Name=name, SecretString=json.dumps({"API_TOKEN": HOSTILE, "B": "1"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    line = one_line_error(out, ".env.dev.local", "API_TOKEN", "python-dotenv would read other")
    assert "nothing written" in line and "attacker" not in out.err
    assert (root / ".env.dev.local").read_text() == local
    assert dotenv_values(root / ".env.dev.local") == {
        "DATABASE_URL": "postgres://good",
        "STACK_NAME": "app",
    }


def test_pull_refuses_a_public_file_unless_asked(project, cli, sm, name):
    root = project({".env.dev": "PUBLIC=1\n"})
    sm.create_secret(Name=name, SecretString=json.dumps({"TOKEN": "t0ken"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name, "--to", "env:public")
    one_line_error(out, "public file", "--allow-public", ".env.dev")
    assert (root / ".env.dev").read_text() == "PUBLIC=1\n"
    out = cli(
        "-e", "dev", "aws", "secrets", "pull", "-s", name, "--to", "env:public", "--allow-public"
    )
    assert out.code == 0, out
    assert (root / ".env.dev").read_text() == "PUBLIC=1\nTOKEN=t0ken\n"


def test_pull_warns_of_a_file_others_may_read_or_git_does_not_ignore(project, cli, sm, name):
    import shutil

    if shutil.which("git") is None:
        pytest.skip("no git")
    root = project({".env.dev.local": "X=1\n"})
    target = root / ".env.dev.local"
    target.chmod(0o644)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    sm.create_secret(Name=name, SecretString=json.dumps({"DB_PASSWORD": "hunter2hunter2"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    warnings = [line for line in out.err.splitlines() if ": warning: " in line]
    assert warnings == [
        "getdotenv: warning: aws secrets pull: .env.dev.local (mode 0644) is readable by "
        "everyone, and so are the secrets in it: chmod 600 .env.dev.local",
        "getdotenv: warning: aws secrets pull: .env.dev.local is not ignored by git: a `git add "
        "-A` would commit the secrets in it; add it to .gitignore (e.g. .env*.local)",
    ]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644  # kept: the documented rule
    # group-readable, ignored: one warning; 0600 and ignored: none
    target.chmod(0o640)
    (root / ".gitignore").write_text(".env*.local\n")
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    warnings = [line for line in out.err.splitlines() if ": warning: " in line]
    assert len(warnings) == 1 and "(mode 0640) is readable by its group" in warnings[0]
    target.chmod(0o600)
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0 and ": warning: " not in out.err, out


def test_pull_refuses_a_private_file_tracked_by_git(project, cli, sm, name):
    import shutil

    if shutil.which("git") is None:
        pytest.skip("no git")
    root = project({".env.dev.local": "A=1\n"})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", ".env.dev.local"], cwd=root, check=True)
    sm.create_secret(Name=name, SecretString=json.dumps({"A": "2"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    one_line_error(out, ".env.dev.local is tracked by git", "--allow-public")
    assert (root / ".env.dev.local").read_text() == "A=1\n"
    subprocess.run(["git", "rm", "-q", "--cached", ".env.dev.local"], cwd=root, check=True)
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "A=2\n"


def test_env_scope_without_an_env_is_one_line(project, cli, aws_env):
    project({})
    one_line_error(cli("aws", "secrets", "pull", "-s", "x"), "needs an environment", "--env")


def test_a_missing_secret_is_one_line(project, cli, aws_env, name):
    root = project({".env.dev.local": "A=1\n"})
    out = cli("-e", "dev", "aws", "secrets", "pull", "-s", name)
    one_line_error(out, f"aws secrets pull: secret '{name}' not found in {REGION}")
    assert (root / ".env.dev.local").read_text() == "A=1\n"


@pytest.mark.parametrize(
    ("secret_string", "expected"),
    [
        ("not json", "is not JSON"),
        ("[1, 2]", "not an object"),
        ('{"A": 1}', "the value of 'A' is int; expected a string or null"),
    ],
)
def test_a_secret_in_another_format_is_one_line(project, cli, sm, name, secret_string, expected):
    project({})
    sm.create_secret(Name=name, SecretString=secret_string)
    one_line_error(cli("-e", "dev", "aws", "secrets", "pull", "-s", name), expected)


def test_an_oversized_secret_is_one_line_and_nothing_is_sent(project, cli, sm, name):
    big = "x" * 70_000
    project({".env.dev.local": f"BIG={big}\nSMALL=1\n"})
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name)
    line = one_line_error(out, "65,536", "--include")
    assert big not in line
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_secret_value(SecretId=name)
    # narrowed, it goes
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name, "-e", "BIG")
    assert out.code == 0, out
    assert stored(sm, name) == {"SMALL": "1"}


def test_the_size_limit_counts_utf8_bytes_of_the_json():
    # 65,536 bytes exactly is allowed, one more is not: {"K":"..."} is 8 bytes of framing
    secrets.check_size(secrets.secret_string({"K": "x" * (65_536 - 8)}), "w")
    with pytest.raises(GetDotenvError, match="65,537 bytes"):
        secrets.check_size(secrets.secret_string({"K": "x" * (65_536 - 7)}), "w")
    # é is two bytes in UTF-8 (JSON.stringify keeps it unescaped, as we do)
    assert secrets.secret_string({"K": "é"}) == '{"K":"é"}'
    with pytest.raises(GetDotenvError):
        secrets.check_size(secrets.secret_string({"K": "é" * 32_765}), "w")


def test_nothing_to_push_is_one_line_and_leaves_the_secret(project, cli, sm, name):
    project({".env": "A=1\n"})
    sm.create_secret(Name=name, SecretString=json.dumps({"KEEP": "me"}))
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", name)
    one_line_error(out, "nothing to push", "file:env:private")
    assert stored(sm, name) == {"KEEP": "me"}


def test_from_selectors(project, cli, sm, name):
    project(
        {
            ".env": "G_PUB=1\n",
            ".env.local": "G_PRIV=2\n",
            ".env.dev": "E_PUB=3\n",
            ".env.dev.local": "E_PRIV=4\n",
            "getdotenv.config.json": json.dumps({"vars": {"CFG": "5"}}),
        }
    )
    flags = ("-e", "dev", "--vars", "V=6")
    out = cli(*flags, "aws", "secrets", "push", "-s", name, "--from", "file:*:private")
    assert out.code == 0, out
    assert stored(sm, name) == {"G_PRIV": "2", "E_PRIV": "4"}
    out = cli(
        *flags, "aws", "secrets", "push", "-s", name, "--from", "file:global:*", "--from", "vars"
    )
    assert out.code == 0, out
    assert stored(sm, name) == {"G_PUB": "1", "G_PRIV": "2", "V": "6"}
    out = cli(
        *flags, "aws", "secrets", "push", "-s", name, "--from", "config:project:global:public"
    )
    assert out.code == 0, out
    assert stored(sm, name) == {"CFG": "5"}
    out = cli(*flags, "aws", "secrets", "push", "-s", name, "--from", "file:nope")
    one_line_error(out, "--from: 'file:nope' is not a selector")


def test_config_and_dynamic_selectors(project, cli, sm, name):
    root = project(
        {
            "pyproject.toml": '[tool.getdotenv]\ndynamic = "dyn_cfg.py"\n',
            "dyn_cfg.py": 'DYNAMIC = {"FROM_CFG_DYN": "c"}\n',
            "dyn_cli.py": 'DYNAMIC = {"FROM_CLI_DYN": "p"}\n',
            "getdotenv.config.json": json.dumps(
                {"vars": {"PUB": "1"}, "envVars": {"dev": {"PUB_DEV": "2"}}}
            ),
            "getdotenv.config.local.json": json.dumps({"vars": {"PRIV": "3"}}),
        }
    )
    flags = ("-e", "dev", "--dynamic-path", str(root / "dyn_cli.py"))

    def pushed(*selectors):
        args = [a for sel in selectors for a in ("--from", sel)]
        out = cli(*flags, "aws", "secrets", "push", "-s", name, *args)
        assert out.code == 0, out
        return stored(sm, name)

    assert pushed("config:project:global:private") == {"PRIV": "3"}
    assert pushed("config:*:env:*") == {"PUB_DEV": "2"}
    assert pushed("config:*:*:public") == {"PUB": "1", "PUB_DEV": "2"}
    assert pushed("dynamic:config") == {"FROM_CFG_DYN": "c"}
    assert pushed("dynamic:dynamicPath") == {"FROM_CLI_DYN": "p"}
    assert pushed("dynamic:*") == {"FROM_CFG_DYN": "c", "FROM_CLI_DYN": "p"}
    out = cli(*flags, "aws", "secrets", "push", "-s", name, "--from", "config:packaged:*:*")
    one_line_error(out, "nothing to push", "config:packaged:*:*")


def test_a_key_overridden_later_follows_its_winning_origin(project, cli, sm, name):
    project({".env.dev.local": "A=file\nB=file\n"})
    out = cli("-e", "dev", "--vars", "A=flag", "aws", "secrets", "push", "-s", name)
    assert out.code == 0, out
    assert stored(sm, name) == {"B": "file"}  # A's winning value came from --vars


def test_delete_needs_force_or_a_recovery_window(project, cli, sm, name):
    project({})
    sm.create_secret(Name=name, SecretString="{}")
    one_line_error(cli("aws", "secrets", "delete", "-s", name), "--recovery-window-days", "--force")
    one_line_error(
        cli("aws", "secrets", "delete", "-s", name, "--force", "--recovery-window-days", "7"),
        "mutually exclusive",
    )
    one_line_error(
        cli("aws", "secrets", "delete", "-s", name, "--recovery-window-days", "3"), "7 to 30"
    )
    assert stored(sm, name) == {}  # none of those touched it

    out = cli("aws", "secrets", "delete", "-s", name, "--recovery-window-days", "7")
    assert out.code == 0, out
    assert "DeletedDate" in sm.describe_secret(SecretId=name)
    sm.restore_secret(SecretId=name)
    out = cli("aws", "secrets", "delete", "-s", name, "--force")
    assert out.code == 0, out
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.describe_secret(SecretId=name)


def test_delete_of_a_missing_secret_is_one_line(project, cli, aws_env, name):
    project({})
    out = cli("aws", "secrets", "delete", "-s", name, "--recovery-window-days", "7")
    one_line_error(out, f"secret '{name}' not found")


def test_no_region_is_one_line_naming_the_command(project, cli, aws_env, monkeypatch, tmp_path):
    (tmp_path / "home" / ".aws" / "config").write_text("[default]\n")
    project({".env.dev.local": "A=1\n"})
    out = cli("-e", "dev", "aws", "secrets", "push", "-s", "x")
    one_line_error(out, "aws secrets push: ", "region")


def test_the_aws_flags_choose_the_region(project, cli, sm, name, aws_env):
    import boto3

    project({".env.dev.local": "A=1\n"})
    out = cli("-e", "dev", "aws", "--region", "us-west-1", "secrets", "push", "-s", name)
    assert out.code == 0, out
    other = boto3.client(
        "secretsmanager",
        endpoint_url=aws_env,
        region_name="us-west-1",
        aws_access_key_id="AKIDTEST",
        aws_secret_access_key="secret-test",
    )
    assert json.loads(other.get_secret_value(SecretId=name)["SecretString"]) == {"A": "1"}
    with pytest.raises(sm.exceptions.ResourceNotFoundException):
        sm.get_secret_value(SecretId=name)


def test_the_documented_flow_derives_the_deployed_table_name(project, cli, sm, name, env_of):
    """docs/aws.md: `getdotenv -e dev aws secrets pull` -> .env.dev.local gets
    TABLE_VERSION_DEPLOYED -> the dynamodb plugin derives TABLE_NAME_DEPLOYED."""
    from dynamodb_plugin import plugin

    root = project(
        {
            ".env": f"SERVICE_NAME=orders\nTABLE_VERSION=002\nSTACK_NAME={name}\n",
            ".env.dev": "STAGE=dev\n",
        }
    )
    sm.create_secret(Name=name, SecretString=json.dumps({"TABLE_VERSION_DEPLOYED": "001"}))
    out = cli("-e", "dev", "aws", "secrets", "pull", plugins=[plugin])
    assert out.code == 0, out
    assert (root / ".env.dev.local").read_text() == "TABLE_VERSION_DEPLOYED=001\n"
    keys = ["TABLE_NAME", "TABLE_NAME_DEPLOYED"]
    assert env_of("-e", "dev", keys=keys, plugins=[plugin]) == {
        "TABLE_NAME": "orders-dev-002",
        "TABLE_NAME_DEPLOYED": "orders-dev-001",
    }


def test_as_a_real_process(project, run_getdotenv, sm, name):
    """The installed console path: `python -m host_cli ... aws secrets pull` in a child."""
    root = project({".env.dev.local": "# c\nA=old\n"})
    sm.create_secret(Name=name, SecretString=json.dumps({"A": "n3w value"}))
    done = run_getdotenv("-e", "dev", "aws", "secrets", "pull", "-s", name, cwd=root)
    assert done.returncode == 0, done.stderr
    assert (root / ".env.dev.local").read_text() == "# c\nA=n3w value\n"
    assert dotenv_values(stream=io.StringIO((root / ".env.dev.local").read_text())) == {
        "A": "n3w value"
    }
    assert "n3w" not in done.stdout + done.stderr


def test_help_lists_the_commands_and_flags(cli):
    out = cli("aws", "secrets", "--help")
    assert out.code == 0
    for word in ("pull", "push", "delete"):
        assert word in out.out
    out = cli("aws", "secrets", "push", "--help")
    for flag in ("--secret-name", "--from", "--include", "--exclude", "file:env:private"):
        assert flag in out.out


# --- pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-i", "A", "B"], ["-i", "A", "-i", "B"]),
        (["--include", "A", "B", "-s", "n"], ["--include", "A", "--include", "B", "-s", "n"]),
        (["--exclude=A", "B"], ["--exclude=A", "--exclude", "B"]),
        (["-s", "-i", "-e", "A"], ["-s", "-i", "-e", "A"]),  # -i is -s's value
        (["-e", "A", "--to", "env:private"], ["-e", "A", "--to", "env:private"]),
        (["-i", "A", "--", "B"], ["-i", "A", "--", "B"]),
        (["--allow-public", "-i", "A", "B"], ["--allow-public", "-i", "A", "-i", "B"]),
    ],
)
def test_variadic_flags_are_spread(args, expected):
    assert secrets.spread(args) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("vars", secrets.FromSelector("vars")),
        ("file:env:private", secrets.FromSelector("file", "env", "private")),
        (" file : * : public ", secrets.FromSelector("file", "*", "public")),
        ("config:*:env:*", secrets.FromSelector("config", "env", "*", config_scope="*")),
        ("dynamic:dynamicPath", secrets.FromSelector("dynamic", dynamic_source="dynamicPath")),
    ],
)
def test_from_selectors_parse_as_the_typescript_plugin(raw, expected):
    assert secrets.parse_from(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "file", "file:env", "file:x:private", "config:a:b:c", "dynamic:x", "vars:x"]
)
def test_bad_from_selectors(raw):
    with pytest.raises(GetDotenvError, match="is not a selector; expected file:"):
        secrets.parse_from(raw)


@pytest.mark.parametrize("raw", ["env", "env:secret", "local:private", "env:private:x"])
def test_bad_to_selectors(raw):
    with pytest.raises(GetDotenvError, match=r"expected \(global\|env\):\(public\|private\)"):
        secrets.parse_to(raw)


def test_include_exclude_resolution():
    f = secrets.include_exclude
    assert f(None, None, ["A"], None, "w") == (["A"], None)
    assert f(None, ["B"], ["A"], None, "w") == (None, ["B"])  # a flag replaces the config's
    assert f(["A B,C"], None, None, ["X"], "w") == (["A", "B", "C"], None)
    with pytest.raises(GetDotenvError, match=r"both set in plugins\[\"aws/secrets\"\]"):
        f(None, None, ["A"], ["B"], "w")
    assert secrets.apply_include_exclude({"A": 1, "B": 2}, ["A", "Z"], None) == {"A": 1}
    assert secrets.apply_include_exclude({"A": 1, "B": 2}, None, ["A"]) == {"B": 2}


def test_error_messages_from_aws_never_quote_a_value():
    assert secrets._scrubbed("Value 'hunter2!' at 'secretString'", ["hunter2!"]) == (
        "Value '[redacted]' at 'secretString'"
    )


def test_pull_target_search(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    to = secrets.ToSelector("env", "private")
    kw = {"env_name": "dev", "dotenv_token": ".env", "private_token": "local"}
    found = secrets.pull_target([a, b], to, template_extension="template", **kw)
    assert found == secrets.Target(b / ".env.dev.local", None, ".env.dev.local")
    (a / ".env.dev.local.template").write_text("")
    found = secrets.pull_target([a, b], to, template_extension="template", **kw)
    assert found.path == a / ".env.dev.local" and found.template == a / ".env.dev.local.template"
    (a / ".env.dev.local.tpl").write_text("")
    found = secrets.pull_target([a, b], to, template_extension="tpl", **kw)
    assert found.template == a / ".env.dev.local.tpl"
    (a / ".env.dev.local").write_text("")
    found = secrets.pull_target([a, b], to, template_extension="template", **kw)
    assert found == secrets.Target(a / ".env.dev.local", None, ".env.dev.local")
