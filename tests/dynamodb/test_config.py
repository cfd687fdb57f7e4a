"""The endpoint rule and the ``plugins.dynamodb`` slice's validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from dynamodb_plugin import plugin

KEYS = ["DYNAMODB_LOCAL_PORT", "DYNAMODB_LOCAL_ENDPOINT"]

RULE = {
    "no local DynamoDB, no variables": ("", {}, (None, None)),
    "config that sets anything: port 8000": (
        "persist: false",
        {},
        ("8000", "http://localhost:8000"),
    ),
    "env endpoint": (
        "",
        {"DYNAMODB_LOCAL_ENDPOINT": "http://127.0.0.1:9100"},
        ("9100", "http://127.0.0.1:9100"),
    ),
    "env port": ("", {"DYNAMODB_LOCAL_PORT": "9200"}, ("9200", "http://localhost:9200")),
    "config port beats env endpoint": (
        "port: 9300",
        {"DYNAMODB_LOCAL_ENDPOINT": "http://h:1"},
        ("9300", "http://localhost:9300"),
    ),
    "config endpoint beats config port": (
        "port: 9300\n      endpoint: http://ddb.internal:9400/",
        {},
        ("9400", "http://ddb.internal:9400"),
    ),
    "env endpoint set empty: none": ("port: 9300", {"DYNAMODB_LOCAL_ENDPOINT": ""}, (None, "")),
    "expanded config port": (
        "port: ${MY_PORT}",
        {"MY_PORT": "9500"},
        ("9500", "http://localhost:9500"),
    ),
}


@pytest.mark.parametrize("local, env, expected", RULE.values(), ids=RULE.keys())
def test_endpoint_rule(project, env_of, monkeypatch, local, env, expected):
    config = f"plugins:\n  dynamodb:\n    local:\n      {local}\n" if local else ""
    project({"getdotenv.config.yaml": config})
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert env_of(keys=KEYS, plugins=[plugin]) == dict(zip(KEYS, expected, strict=True))


def test_port_flag_overrides_port_and_endpoint(project, dcli):
    project(
        {
            "getdotenv.config.yaml": "plugins:\n  dynamodb:\n    local:\n      endpoint: http://localhost:9999\n"
        }
    )
    out = dcli("dynamodb", "local", "status", "--port", "9123", "--json")
    assert '"endpoint": "http://localhost:9123"' in out.out


def test_port_flag_reaches_config_command_strings(project, dcli):
    # The host expands $DYNAMODB_LOCAL_PORT in the slice: with --port it must be that port.
    project(
        {
            "getdotenv.config.yaml": "plugins:\n  dynamodb:\n    local:\n      port: 9999\n"
            "      status: echo $DYNAMODB_LOCAL_PORT ${DYNAMODB_LOCAL_ENDPOINT} > seen.txt\n"
        }
    )
    assert dcli("dynamodb", "local", "status", "--port", "9123").code == 0
    assert Path("seen.txt").read_text() == "9123 http://localhost:9123\n"


def test_port_flag_moves_the_exported_aws_endpoint_but_not_the_users(project):
    from dynamodb_plugin.local import lifecycle
    from host_cli.integrations import api

    config = "plugins:\n  dynamodb:\n    local:\n      port: 9999\n      exportAwsEnv: true\n"
    root = project({"getdotenv.config.yaml": config})
    context = api.context(cwd=root, plugins=[plugin], environ={"PATH": "/usr/bin"})
    assert context.env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://localhost:9999"
    run = lifecycle.load(context, port=9123)
    assert run.env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://localhost:9123"
    assert run.env["DYNAMODB_LOCAL_PORT"] == "9123"
    assert run.env["DYNAMODB_LOCAL_ENDPOINT"] == "http://localhost:9123"

    (root / ".env").write_text("AWS_ENDPOINT_URL_DYNAMODB=http://mine:1\n")
    context = api.context(cwd=root, plugins=[plugin], environ={"PATH": "/usr/bin"})
    assert lifecycle.load(context, port=9123).env["AWS_ENDPOINT_URL_DYNAMODB"] == "http://mine:1"


def test_dotenv_values_feed_the_rule(project, env_of):
    project({".env": "DYNAMODB_LOCAL_PORT=9600\n"})
    assert env_of(keys=KEYS, plugins=[plugin]) == {
        "DYNAMODB_LOCAL_PORT": "9600",
        "DYNAMODB_LOCAL_ENDPOINT": "http://localhost:9600",
    }


BAD = {
    "port not a number": (
        "port: abc",
        "plugins.dynamodb.local.port: Input should be a valid integer, unable to parse "
        "string as an integer, got 'abc'",
    ),
    "port too large": (
        "port: 70000",
        "plugins.dynamodb.local.port: Input should be less than or equal to 65535, got 70000",
    ),
    "endpoint not a URL": (
        "endpoint: localhost-8000",
        "plugins.dynamodb.local.endpoint: Value error, expected an "
        "http(s) URL such as http://localhost:8000, got 'localhost-8000'",
    ),
    "unknown key": ("prot: 8000", "plugins.dynamodb.local.prot: unknown key"),
    "blank command": (
        "start: ''",
        "plugins.dynamodb.local.start: Value error, expected a non-empty string (leave "
        "the key out to unset it), got ''",
    ),
}


@pytest.mark.parametrize("local, message", BAD.values(), ids=BAD.keys())
def test_bad_config_is_one_line(project, dcli, local, message):
    project({"getdotenv.config.yaml": f"plugins:\n  dynamodb:\n    local:\n      {local}\n"})
    for args in (["dynamodb", "local", "status"], ["cmd", "true"]):
        out = dcli(*args)
        assert (out.code, out.err) == (1, f"getdotenv: error: getdotenv.config.yaml: {message}\n")


def test_bad_port_variable_is_one_line(project, dcli):
    project({".env": "DYNAMODB_LOCAL_PORT=abc\n"})
    out = dcli("cmd", "true")
    assert (
        out.err
        == "getdotenv: error: DYNAMODB_LOCAL_PORT: expected a port number 1-65535, got 'abc'\n"
    )


def ts_config(slice_: dict, ours: dict | None = None) -> dict[str, str]:
    import json

    plugins = {"aws/dynamodb": slice_, **({"dynamodb": ours} if ours else {})}
    return {"getdotenv.config.json": json.dumps({"plugins": plugins})}


def test_typescript_slice_feeds_the_endpoint_rule(project, env_of):
    project(ts_config({"local": {"port": "9400"}}))
    assert env_of(keys=KEYS, plugins=[plugin]) == {
        "DYNAMODB_LOCAL_PORT": "9400",
        "DYNAMODB_LOCAL_ENDPOINT": "http://localhost:9400",
    }


def test_typescript_tables_path_tokens_and_create_defaults(project, dcli, monkeypatch):
    monkeypatch.setenv("DYNAMODB_LOCAL_ENDPOINT", "http://127.0.0.1:9")  # never reached
    root = project(
        ts_config(
            {
                "tablesPath": "app/tables",
                "minTableVersionWidth": "4",
                "tokens": {"table": "schema"},
                "create": {"tableNameOverride": "by-override"},
            }
        )
    )
    out = dcli("dynamodb", "tables", "generate", "--version", "1")
    assert (out.code, out.out) == (0, "app/tables/0001/schema.yml\n"), out
    (root / "app/tables/0001/schema.yml").write_text(
        (root / "app/tables/0001/schema.yml")
        .read_text()
        .replace("BillingMode: PAY_PER_REQUEST", "BillingMode: WRONG")
    )
    out = dcli("dynamodb", "tables", "validate")
    assert out.out.startswith("app/tables/0001/schema.yml: Properties.BillingMode: expected")
    (root / "app/tables/0001/schema.yml").write_text(
        (root / "app/tables/0001/schema.yml").read_text().replace("WRONG", "PAY_PER_REQUEST")
    )
    created = dcli("dynamodb", "tables", "create")
    assert "creating table by-override at " in created.err, created


def test_typescript_keys_without_meaning_here_are_named_once(project, dcli, port):
    project(
        ts_config(
            {
                "local": {"port": port},
                "tokens": {"entityManager": "em"},
                "generate": {"tableProperties": {"billingMode": "PAY_PER_REQUEST"}},
                "migrate": {"limit": 10},
                "somethingNew": True,
            }
        )
    )
    out = dcli("dynamodb", "local", "status")
    assert out.err == (
        'getdotenv: warning: plugins["aws/dynamodb"]: not supported by this host, ignored: '
        "generate.tableProperties.billingMode, migrate.limit, somethingNew, "
        "tokens.entityManager\n"
    )
    assert dcli("cmd", "true").err == ""  # only the dynamodb commands say so


def test_both_slices_dynamodb_wins_key_by_key(project, dcli, env_of):
    project(
        ts_config(
            {"local": {"port": 9400, "start": "exit 3"}, "tablesPath": "t"},
            {"local": {"port": 9500}},
        )
    )
    assert env_of(keys=KEYS, plugins=[plugin])["DYNAMODB_LOCAL_PORT"] == "9500"
    out = dcli("dynamodb", "local", "start")
    assert out.err.splitlines() == [
        'getdotenv: warning: plugins.dynamodb and plugins["aws/dynamodb"] disagree on '
        "local.port; plugins.dynamodb wins",
        "getdotenv: error: plugins.dynamodb.local.start failed with exit code 3",
    ]


def test_bad_typescript_value_is_one_line(project, dcli):
    project(ts_config({"local": {"port": "eighty"}}))
    out = dcli("cmd", "true")
    assert (out.code, out.err) == (
        1,
        'getdotenv: error: getdotenv.config.json: plugins["aws/dynamodb"].local.port: Value '
        "error, expected a whole number 1-65535, got 'eighty'\n",
    )
