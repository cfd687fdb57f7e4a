"""``getdotenv aws``: resolution order, environment writes, SSO, forwarding, ``whoami``."""

from __future__ import annotations

import json
import os

import pytest

SSO_LINE = "run `aws sso login --profile=sso`"


def forwarded(world, cli, *args: str, files: dict[str, str] | None = None):
    """Run ``aws ARGS -- probe``; the stand-in's record of that one call."""
    out = cli("aws", *args, "--", "probe")
    assert out.code == 0, out
    calls = [c for c in world.calls() if c["argv"] == ["probe"]]
    assert len(calls) == 1, (out, world.calls())
    return calls[0]["env"]


# --- profile and region resolution ---------------------------------------------------------


@pytest.mark.parametrize(
    ("files", "flags", "key"),
    [
        ({".env": "AWS_PROFILE=static\n"}, [], "AKIASTATIC"),
        ({".env": "AWS_PROFILE=static\nAWS_LOCAL_PROFILE=other\n"}, [], "AKIAOTHER"),
        (
            {
                ".env": "AWS_LOCAL_PROFILE=other\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"profile": "static"}}}',
            },
            [],
            "AKIASTATIC",
        ),
        (
            {
                ".env": "AWS_LOCAL_PROFILE=other\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"profile": "static"}}}',
            },
            ["--profile", "other"],
            "AKIAOTHER",
        ),
        (
            {
                ".env": "MY_PROFILE=other\nAWS_PROFILE=static\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"profileKey": "MY_PROFILE"}}}',
            },
            [],
            "AKIAOTHER",
        ),
        # the fallback key replaces AWS_PROFILE; the primary key still comes first
        ({".env": "AWS_PROFILE=static\nP2=other\n"}, ["--profile-fallback-key", "P2"], "AKIAOTHER"),
        (
            {".env": "AWS_LOCAL_PROFILE=static\nP2=other\n"},
            ["--profile-fallback-key", "P2"],
            "AKIASTATIC",
        ),
    ],
)
def test_profile_order(aws_world, cli, project, files, flags, key):
    project(files)
    env = forwarded(aws_world, cli, *flags)
    assert env["AWS_ACCESS_KEY_ID"] == key
    assert "AWS_PROFILE" not in env and "AWS_DEFAULT_PROFILE" not in env


@pytest.mark.parametrize(
    ("files", "flags", "region"),
    [
        ({".env": "AWS_PROFILE=static\n"}, [], "eu-west-1"),  # the profile's
        ({".env": "AWS_PROFILE=static\nAWS_REGION=us-west-1\n"}, [], "us-west-1"),
        ({".env": "AWS_PROFILE=static\nAWS_DEFAULT_REGION=ca-central-1\n"}, [], "ca-central-1"),
        (
            {
                ".env": "AWS_PROFILE=static\nAWS_REGION=us-west-1\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"region": "eu-south-1"}}}',
            },
            [],
            "eu-south-1",
        ),
        (
            {
                ".env": "AWS_REGION=us-west-1\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"region": "eu-south-1"}}}',
            },
            ["--region", "me-south-1"],
            "me-south-1",
        ),
        ({".env": "AWS_PROFILE=static\nR=af-south-1\n"}, ["--region-key", "R"], "af-south-1"),
        (
            {
                ".env": "AWS_PROFILE=nowhere-region\n",
                "getdotenv.config.json": '{"plugins": {"aws": {"defaultRegion": "il-central-1",'
                ' "strategy": "none"}}}',
            },
            [],
            "il-central-1",
        ),
        (
            {
                "getdotenv.config.json": '{"plugins": {"aws": {"defaultRegion": "il-central-1",'
                ' "profile": "static"}}}'
            },
            ["--default-region", "ap-east-1"],
            "eu-west-1",  # the profile's region comes before any default
        ),
        (
            {".env": "AWS_ACCESS_KEY_ID=AKIAENV\nAWS_SECRET_ACCESS_KEY=x\n"},
            ["--default-region", "ap-east-1"],
            "us-east-2",
        ),
    ],
)
def test_region_order(aws_world, cli, project, files, flags, region):
    project(files)
    env = forwarded(aws_world, cli, *flags)
    assert env["AWS_REGION"] == region
    assert env["AWS_DEFAULT_REGION"] == region


def test_default_region_when_nothing_else(aws_world, cli, project):
    (aws_world.home / ".aws" / "config").write_text("[profile bare2]\n")
    (aws_world.home / ".aws" / "credentials").write_text(
        "[bare2]\naws_access_key_id = AKIABARE\naws_secret_access_key = s\n"
    )
    project({".env": "AWS_PROFILE=bare2\n"})
    env = forwarded(aws_world, cli, "--default-region", "ap-east-1")
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "ap-east-1"


# --- what the forwarded environment gets -----------------------------------------------------


def test_resolved_values_beat_the_env_files_and_both_region_variables_are_set(
    aws_world, cli, project
):
    project(
        {
            ".env": "AWS_PROFILE=static\nAWS_DEFAULT_PROFILE=static\nAWS_REGION=stale-1\n"
            "AWS_DEFAULT_REGION=stale-2\nAWS_SESSION_TOKEN=stale-token\nAWS_SDK_LOAD_CONFIG=1\n"
        }
    )
    env = forwarded(aws_world, cli, "--profile", "proc", "--region", "eu-west-3")
    assert env["AWS_ACCESS_KEY_ID"] == "ASIAPROCESS"
    assert env["AWS_SECRET_ACCESS_KEY"] == "proc-secret"
    assert env["AWS_SESSION_TOKEN"] == "proc-token"
    assert env["AWS_CREDENTIAL_EXPIRATION"].startswith("2099-01-01")
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-3"
    for gone in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SDK_LOAD_CONFIG"):
        assert gone not in env


def test_long_term_keys_leave_no_stale_session_token(aws_world, cli, project):
    project({".env": "AWS_PROFILE=static\nAWS_SESSION_TOKEN=stale\n"})
    env = forwarded(aws_world, cli)
    assert env["AWS_ACCESS_KEY_ID"] == "AKIASTATIC"
    assert "AWS_SESSION_TOKEN" not in env


def test_a_stale_legacy_security_token_never_reaches_the_child(aws_world, cli, project):
    # botocore reads AWS_SECURITY_TOKEN as the session token: paired with resolved keys it
    # would be sent with them
    project({".env": "AWS_PROFILE=static\nAWS_SECURITY_TOKEN=stale-legacy\n"})
    env = forwarded(aws_world, cli)
    assert env["AWS_ACCESS_KEY_ID"] == "AKIASTATIC"
    assert "AWS_SECURITY_TOKEN" not in env and "AWS_SESSION_TOKEN" not in env


def test_keys_from_the_environment_take_the_legacy_token_as_botocore_does(aws_world, cli, project):
    project(
        {
            ".env": "AWS_ACCESS_KEY_ID=AKIAFROMENV\nAWS_SECRET_ACCESS_KEY=s\n"
            "AWS_SECURITY_TOKEN=legacy-token\n"
        }
    )
    env = forwarded(aws_world, cli)
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SESSION_TOKEN"]) == ("AKIAFROMENV", "legacy-token")
    assert "AWS_SECURITY_TOKEN" not in env


def test_assume_role_through_sts(aws_world, cli, project):
    project({".env": "AWS_PROFILE=assume\n"})
    env = forwarded(aws_world, cli)
    assert env["AWS_ACCESS_KEY_ID"] not in ("AKIASTATIC", "")
    assert env["AWS_SESSION_TOKEN"]
    assert env["AWS_REGION"] == "eu-north-1"


def test_strategy_none_passes_the_profile_on(aws_world, cli, project):
    project({".env": "AWS_PROFILE=static\nAWS_ACCESS_KEY_ID=AKIASTALE\nAWS_SECRET_ACCESS_KEY=x\n"})
    env = forwarded(aws_world, cli, "--strategy", "none")
    assert env["AWS_PROFILE"] == env["AWS_DEFAULT_PROFILE"] == "static"
    assert env["AWS_SDK_LOAD_CONFIG"] == "1"
    assert "AWS_ACCESS_KEY_ID" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert env["AWS_REGION"] == "eu-west-1"


def test_without_a_profile_the_environment_keys_are_used(aws_world, cli, project):
    project({".env": "AWS_ACCESS_KEY_ID=AKIAENV\nAWS_SECRET_ACCESS_KEY=env-secret\n"})
    env = forwarded(aws_world, cli, "--region", "eu-west-1")
    assert env["AWS_ACCESS_KEY_ID"] == "AKIAENV"


def test_bad_strategy_is_one_line(aws_world, cli, project):
    project({"getdotenv.config.json": '{"plugins": {"aws": {"strategy": "magic"}}}'})
    out = cli("aws", "--", "probe")
    assert out.code == 1
    assert "plugins.aws.strategy" in out.err and len(out.err.strip().splitlines()) == 1


def test_missing_profile_is_one_line(aws_world, cli, project):
    project({".env": "AWS_PROFILE=nope\n"})
    out = cli("aws", "--", "probe")
    assert out.code == 1
    assert out.err.strip().splitlines() == [
        "getdotenv: error: AWS profile 'nope' (from $AWS_PROFILE (.env:1)) is not in the AWS "
        "config or credentials file (~/.aws/config, ~/.aws/credentials, or $AWS_CONFIG_FILE / "
        "$AWS_SHARED_CREDENTIALS_FILE)"
    ]
    assert aws_world.calls() == []


# --- forwarding --------------------------------------------------------------------------------


def test_exit_code_and_arguments_pass_through(aws_world, cli, project, monkeypatch):
    project({".env": "AWS_PROFILE=static\n"})
    monkeypatch.setenv("STANDIN_EXIT", "7")
    out = cli("aws", "s3", "ls", "--output", "json", "--", "x")
    assert out.code == 7
    assert aws_world.calls()[-1]["argv"] == ["s3", "ls", "--output", "json", "--", "x"]


def test_unknown_options_before_the_first_word_are_forwarded(aws_world, cli, project):
    project({".env": "AWS_PROFILE=static\n"})
    out = cli("aws", "--region", "eu-west-2", "--output", "json", "sts", "get-caller-identity")
    assert out.code == 0, out
    call = aws_world.calls()[-1]
    assert call["argv"] == ["--output", "json", "sts", "get-caller-identity"]
    assert call["env"]["AWS_REGION"] == "eu-west-2"


def test_double_dash_reaches_the_cli_even_for_a_mounted_name(aws_world, cli, project):
    from dynamodb_plugin import plugin

    project({".env": "AWS_PROFILE=static\n"})
    out = cli("aws", "--", "dynamodb", "list-tables", plugins=[plugin])
    assert out.code == 0, out
    assert aws_world.calls()[-1]["argv"] == ["dynamodb", "list-tables"]
    out = cli("aws", "--", "whoami", "--help")
    assert aws_world.calls()[-1]["argv"] == ["whoami", "--help"]


def test_help_of_a_forwarded_command_is_the_cli_s(aws_world, cli, project):
    project({".env": "AWS_PROFILE=static\n"})
    out = cli("aws", "s3", "--help")
    assert out.code == 0, out
    assert aws_world.calls()[-1]["argv"] == ["s3", "--help"]


def test_no_aws_cli_on_path_is_one_line(aws_world, cli, project, monkeypatch, tmp_path):
    project({".env": "AWS_PROFILE=static\n"})
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = cli("aws", "s3", "ls")
    assert out.code == 127
    (line,) = out.err.strip().splitlines()
    assert "the AWS CLI (`aws`) is not on PATH; install the AWS CLI v2: https://" in line


def test_aws_alone_says_what_it_resolved_and_no_secret(aws_world, cli, project):
    project({".env": "AWS_LOCAL_PROFILE=proc\n"})
    out = cli("aws")
    assert out.code == 0, out
    assert out.err.strip() == (
        "aws: profile proc (from $AWS_LOCAL_PROFILE (.env:1)), region us-west-2 (from profile "
        "proc in the AWS config file), temporary credentials (custom-process, expire "
        "2099-01-01T00:00:00+00:00)"
    )
    assert "proc-secret" not in out.out + out.err


# --- nothing resolved outside aws, or for children that need no AWS ----------------------------


def test_cmd_resolves_nothing(aws_world, cli, project, tmp_path):
    # An SSO profile with no token and loginOnDemand: `cmd` neither fails nor logs in.
    project(
        {
            ".env": "AWS_PROFILE=sso\n",
            "getdotenv.config.json": '{"plugins": {"aws": {"loginOnDemand": true}}}',
        }
    )
    out = cli("cmd", "echo", "ok")
    assert out.code == 0, out
    assert out.out.strip() == "ok"
    assert aws_world.calls() == []
    assert not (aws_world.home / ".aws" / "sso").exists()


def test_aws_help_resolves_nothing(aws_world, cli, project):
    project({".env": "AWS_PROFILE=sso\n"})
    out = cli("aws", "--help")
    assert out.code == 0 and "--login-on-demand" in out.out
    assert aws_world.calls() == []


# --- SSO ---------------------------------------------------------------------------------------


def test_sso_with_a_cached_token(aws_world, cli, project):
    aws_world.token()
    project({".env": "AWS_PROFILE=sso\n"})
    env = forwarded(aws_world, cli)
    assert env["AWS_ACCESS_KEY_ID"] == "ASIASSOROLE"
    assert env["AWS_SESSION_TOKEN"] == "sso-session-token"
    assert env["AWS_REGION"] == "ap-southeast-2"


@pytest.mark.parametrize("token", ["missing", "expired"])
def test_sso_without_a_valid_token_names_the_login(aws_world, cli, project, token):
    if token == "expired":
        aws_world.token(expires="2001-01-01T00:00:00Z")
    project({".env": "AWS_PROFILE=sso\n"})
    out = cli("aws", "whoami")
    assert out.code == 1
    (line,) = out.err.strip().splitlines()
    assert "the SSO session of AWS profile sso is missing or expired" in line
    assert SSO_LINE in line
    assert aws_world.calls() == []  # no login without loginOnDemand


def test_login_on_demand_logs_in_once_then_succeeds(aws_world, cli, project):
    project(
        {
            ".env": "AWS_PROFILE=sso\n",
            "getdotenv.config.json": '{"plugins": {"aws": {"loginOnDemand": true}}}',
        }
    )
    out = cli("aws", "whoami")
    assert out.code == 0, out
    logins = [c["argv"] for c in aws_world.calls() if c["argv"][:2] == ["sso", "login"]]
    assert logins == [["sso", "login", "--profile=sso"]]
    identity = json.loads(out.out)
    assert set(identity) == {"UserId", "Account", "Arn"}


def test_no_login_on_demand_flag_beats_config(aws_world, cli, project):
    project(
        {
            ".env": "AWS_PROFILE=sso\n",
            "getdotenv.config.json": '{"plugins": {"aws": {"loginOnDemand": true}}}',
        }
    )
    out = cli("aws", "--no-login-on-demand", "whoami")
    assert out.code == 1 and SSO_LINE in out.err
    assert aws_world.calls() == []


def test_login_that_fails_is_one_line(aws_world, cli, project, monkeypatch):
    monkeypatch.setenv("STANDIN_LOGIN_EXIT", "3")
    project({".env": "AWS_PROFILE=sso\n"})
    out = cli("aws", "--login-on-demand", "whoami")
    assert out.code == 3
    assert "`aws sso login --profile=sso` failed (exit 3)" in out.err


def test_login_on_demand_needs_the_cli_v2(aws_world, cli, project, monkeypatch):
    monkeypatch.setenv("STANDIN_VERSION", "aws-cli/1.45.11 Python/3.11.7 Linux/6 botocore/1.43")
    project({".env": "AWS_PROFILE=sso\n"})
    out = cli("aws", "--login-on-demand", "whoami")
    assert out.code == 1
    (line,) = out.err.strip().splitlines()
    assert "loginOnDemand needs the AWS CLI v2 (`aws sso login`)" in line
    assert "aws-cli/1.45.11" in line
    assert [c["argv"] for c in aws_world.calls()] == [["--version"]]


# --- whoami ------------------------------------------------------------------------------------


def test_whoami_prints_the_caller_identity(aws_world, cli, project):
    project({".env": "AWS_PROFILE=static\n"})
    out = cli("aws", "whoami")
    assert out.code == 0, out
    identity = json.loads(out.out)
    assert identity["Account"] == "123456789012"
    assert set(identity) == {"UserId", "Account", "Arn"}


def test_flags_on_aws_reach_whoami(aws_world, cli, project):
    project(
        {
            ".env": "AWS_PROFILE=static\n",
            "getdotenv.config.json": '{"plugins": {"aws": {"profile": "static"}}}',
        }
    )
    plain = json.loads(cli("aws", "whoami").out)
    assumed = cli("aws", "--profile", "assume", "whoami")
    assert assumed.code == 0, assumed
    assert ":assumed-role/deployer/" in json.loads(assumed.out)["Arn"]
    assert ":assumed-role/" not in plain["Arn"]


def test_whoami_without_region_is_one_line(aws_world, cli, project):
    (aws_world.home / ".aws" / "config").write_text("")
    project({".env": "AWS_ACCESS_KEY_ID=AKIAENV\nAWS_SECRET_ACCESS_KEY=s\n"})
    out = cli("aws", "whoami")
    assert out.code == 1
    (line,) = out.err.strip().splitlines()
    assert "no AWS region" in line and "--region" in line


def test_whoami_without_credentials_is_one_line(aws_world, cli, project):
    (aws_world.home / ".aws" / "config").write_text("")
    (aws_world.home / ".aws" / "credentials").write_text("")
    project({})
    out = cli("aws", "--region", "eu-west-1", "whoami")
    assert out.code == 1
    (line,) = out.err.strip().splitlines()
    assert "aws whoami: no AWS credentials" in line


def test_whoami_refused_by_sts_is_one_line(aws_world, cli, project, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws_world.moto + "/no-such-path/")
    project({".env": "AWS_PROFILE=static\n"})
    out = cli("aws", "whoami")
    assert out.code == 1
    assert len(out.err.strip().splitlines()) == 1 and out.err.startswith(
        "getdotenv: error: aws whoami: "
    )


def test_botocore_sees_the_env_files_but_os_environ_is_left_alone(aws_world, cli, project):
    # AWS_ENDPOINT_URL_STS from .env reaches botocore; os.environ is restored afterwards.
    before = dict(os.environ)
    project({".env": "AWS_PROFILE=static\nAWS_ENDPOINT_URL_STS=http://127.0.0.1:9/\n"})
    out = cli("aws", "whoami")
    assert out.code == 1 and "127.0.0.1:9" in out.err
    assert dict(os.environ) == before
