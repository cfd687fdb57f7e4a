"""The endpoint rule and the ``plugins.dynamodb`` slice's validation."""

from __future__ import annotations

import pytest

from dynamodb_plugin import plugin

KEYS = ["DYNAMODB_LOCAL_PORT", "DYNAMODB_LOCAL_ENDPOINT"]

RULE = {
    "default port 8000": ("", {}, ("8000", "http://localhost:8000")),
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
