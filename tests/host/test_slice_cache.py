"""The cache miss of one plugin slice: only that slice is validated again, from its model's stored
core schema (no pydantic import), with the same result and the same one-line errors as pydantic."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host_cli.plugins import coreschema

PROBE = """
import json, sys
from host_cli.cli.app import run
from host_cli.plugins import configs
code = run(sys.argv[1:])
print(json.dumps({"code": code, "validated": configs.VALIDATED,
                  "loaded": [m for m in ("pydantic", "pydantic_core", "yaml") if m in sys.modules]}))
"""

CONFIG = """plugins:
  cmd:
    expand: true
  dynamodb:
    local:
      port: {port}
"""


def probe(cwd, *args, no_cache=False):
    env = {**os.environ, "GETDOTENV_CACHE_DIR": str(cwd.parent / "cache")}  # cold per test
    if no_cache:
        env["GETDOTENV_NO_CACHE"] = "1"
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["validated"] = [tuple(v) for v in result["validated"]]
    result["err"] = out.stderr
    return result


def test_an_edit_of_one_slice_validates_that_slice_only_without_pydantic(project):
    root = project({".env": "A=1\n", "getdotenv.config.yaml": CONFIG.format(port=8000)})
    first = probe(root, "cmd", "true")
    assert first["code"] == 0
    assert {name for name, how in first["validated"]} >= {"cmd", "dynamodb", "aws/dynamodb"}
    assert {how for _name, how in first["validated"]} == {"pydantic"}
    assert probe(root, "cmd", "true")["validated"] == []  # everything from the cache

    config = root / "getdotenv.config.yaml"
    config.write_text(CONFIG.format(port=8001))
    edited = probe(root, "cmd", "true")
    assert edited["code"] == 0
    assert edited["validated"] == [("dynamodb", "core")]
    assert "pydantic" not in edited["loaded"] and "pydantic_core" not in edited["loaded"]

    config.write_text(CONFIG.format(port=8001).replace("expand: true", "expand: false"))
    assert probe(root, "cmd", "true")["validated"] == [("cmd", "core")]


@pytest.mark.parametrize(
    "bad",
    [
        "port: 0",
        "port: 70000",
        "port: eighty",
        "port: [1]",
        "prot: 8000",
        "endpoint: ftp://x",
        "start: '  '",
        "cors: ['*']",
        "cors: [http://a, 'http://b/path']",
        "timeout: -1",
        "port: 0\n      timeout: 0\n      persist: maybe",
    ],
)
def test_a_bad_edit_errors_exactly_as_pydantic_does(project, bad):
    root = project({"getdotenv.config.yaml": CONFIG.format(port=8000)})
    assert probe(root, "cmd", "true")["code"] == 0  # stores the core schemas
    (root / "getdotenv.config.yaml").write_text(CONFIG.format(port=8000).replace("port: 8000", bad))
    core = probe(root, "cmd", "true")
    by_pydantic = probe(root, "cmd", "true", no_cache=True)
    assert core["code"] == by_pydantic["code"] == 1
    assert "pydantic" not in core["loaded"]
    assert core["err"] == by_pydantic["err"]
    assert core["err"].startswith("getdotenv: error: getdotenv.config.yaml: plugins.dynamodb.local")
    assert core["err"].count("\n") == 1


def _models() -> dict[str, Any]:
    from dynamodb_plugin.config import DynamoConfig, TypeScriptConfig
    from host_cli.cli.builtin.aws.secrets_config import SecretsConfig
    from host_cli.cli.builtin.aws_config import AwsConfig
    from host_cli.cli.builtin.batch_config import BatchConfig
    from host_cli.cli.builtin.cmd_config import CmdConfig

    return {
        "dynamodb": DynamoConfig,
        "aws/dynamodb": TypeScriptConfig,
        "aws": AwsConfig,
        "aws/secrets": SecretsConfig,
        "batch": BatchConfig,
        "cmd": CmdConfig,
    }


def _validators() -> dict[str, tuple[Any, coreschema.Validator]]:
    # Through marshal, as the cache stores it.
    import marshal

    out = {}
    for name, model in _models().items():
        exported = coreschema.export(model)
        path = f"{model.__module__}:{model.__qualname__}"
        out[name] = (model, coreschema.Validator(marshal.loads(marshal.dumps(exported)), path))
    return out


VALIDATORS = _validators()


def _outcome(run: Any) -> tuple[str, Any]:
    from pydantic import ValidationError

    try:
        return ("ok", run())
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        for error in errors:  # exceptions compare by identity: compare their type and text
            ctx = error.get("ctx", {})
            if isinstance(ctx.get("error"), Exception):
                ctx["error"] = (type(ctx["error"]).__name__, str(ctx["error"]))
        return ("error", errors)


def _same(name: str, value: Any) -> None:
    model, validator = VALIDATORS[name]
    expected = _outcome(lambda: model.model_validate(value).model_dump(mode="json"))
    try:
        got = _outcome(lambda: validator.validate(value))
    except coreschema.CannotDump:
        assert expected[0] == "ok"  # the host lets pydantic do it: nothing to compare
        return
    assert got == expected


def _keys(model: Any) -> list[str]:
    keys: set[str] = set()
    todo = [model]
    while todo:
        m = todo.pop()
        for field_name, info in m.model_fields.items():
            keys.update({field_name, info.alias or field_name})
            for arg in getattr(info.annotation, "__args__", (info.annotation,)):
                if hasattr(arg, "model_fields"):
                    todo.append(arg)
    return sorted(keys)


_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-5, max_value=70000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "  ", "x", "8000", "http://localhost:8000", "http://a:1", "*", "ftp://x"]),
)


@st.composite
def _slices(draw: Any, name: str) -> Any:
    keys = st.sampled_from([*_keys(VALIDATORS[name][0]), "nope"])
    value = st.recursive(
        _leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=12,
    )
    return draw(st.dictionaries(keys, value, max_size=6))


@pytest.mark.parametrize("name", sorted(VALIDATORS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_the_stored_core_schema_validates_as_the_model_does(name, data):
    _same(name, data.draw(_slices(name)))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("dynamodb", {}),
        ("dynamodb", {"local": {"port": 8000, "cors": ["http://LOCALHOST:3000/"]}}),
        ("dynamodb", {"local": None}),
        ("dynamodb", {"local": 5}),
        ("dynamodb", {"validate": {"version": "1"}, "tables": {"tokens": {"table": " "}}}),
        ("dynamodb", {"local": {"snapshotInterval": 1, "snapshot_interval": 2}}),
        ("aws/dynamodb", {"local": {"port": "8000"}, "extra": {"kept": [1, 2]}}),
        ("aws/dynamodb", {"generate": {"tableProperties": {"a": {"b": None}}}}),
        ("aws/dynamodb", {"create": {"waiter": {"maxSeconds": 2.0}}, "minTableVersionWidth": "3"}),
        ("batch", {"scripts": {"a": "echo", "b": {"cmd": "x", "shell": "/bin/sh"}}}),
        ("batch", {"scripts": {"a": {"cmd": 1}}}),
        ("aws", {"strategy": "nope"}),
        ("aws", {"loginOnDemand": "yes"}),
        ("aws/secrets", {"push": {"from": ["a"]}, "pull": {"to": 3}}),
        ("cmd", {"expand": "maybe"}),
        ("cmd", []),
    ],
)
def test_the_stored_core_schema_on_chosen_slices(name, value):
    _same(name, value)


def test_a_value_without_a_plain_json_form_is_left_to_pydantic():
    _model, validator = VALIDATORS["aws/dynamodb"]
    with pytest.raises(coreschema.CannotDump):
        validator.validate({"generate": {"tableProperties": {"a": math.inf}}})


def test_a_model_with_a_validator_method_is_not_exported():
    from pydantic import BaseModel, field_validator

    class WithMethod(BaseModel):
        a: int = 0

        @field_validator("a")
        @classmethod
        def _positive(cls, value: int) -> int:
            return value

    with pytest.raises(coreschema.NotPortable):
        coreschema.export(WithMethod)


def _renamed(data: Any, old: str, new: str) -> Any:
    if isinstance(data, dict):
        return {k: _renamed(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_renamed(v, old, new) for v in data]
    return new if data == old else data


def test_a_stored_schema_whose_check_is_gone_falls_back_to_pydantic(project, monkeypatch):
    from host_cli.plugins import configs
    from host_cli.support import cache

    monkeypatch.setenv("GETDOTENV_CACHE_DIR", str(project() / "cache"))
    ref = "dynamodb_plugin.config:DynamoConfig"
    exported = coreschema.export(_models()["dynamodb"])
    stale = _renamed(
        exported, "dynamodb_plugin.config_checks:url", "dynamodb_plugin.config_checks:gone"
    )
    assert stale != exported
    cache.store("coreschema", configs._schema_material(ref), stale)
    pc = configs.PluginConfigs({"dynamodb": (ref, "dynamodb")}, {"dynamodb": ({}, {})})
    before = len(configs.VALIDATED)
    assert pc.data("dynamodb")["local"]["port"] is None
    assert configs.VALIDATED[before:] == [("dynamodb", "pydantic")]


def test_pydantic_imported_after_the_extension_alone_works():
    code = """
import sys
from host_cli.plugins import coreschema
core = coreschema.core_module()
assert "pydantic_core" not in sys.modules
from dynamodb_plugin.config import DynamoConfig
import pydantic_core
assert pydantic_core.SchemaValidator is core.SchemaValidator
print(DynamoConfig.model_validate({"local": {"port": 1}}).local.port)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1"


def test_a_stored_schema_names_no_function_outside_the_model_and_the_host():
    exported = coreschema.export(_models()["dynamodb"])
    ref = "dynamodb_plugin.config:DynamoConfig"
    assert coreschema.Validator(exported, ref)
    evil = _renamed(exported, "dynamodb_plugin.config_checks:url", "os:system")
    with pytest.raises(ValueError, match="os:system"):
        coreschema.Validator(evil, ref)
    assert coreschema.may_refer_to("builtins:dict", ref)
    assert not coreschema.may_refer_to("builtins:eval", ref)
    assert coreschema.may_refer_to("host_cli.plugins.markers:x", ref)
    assert not coreschema.may_refer_to("subprocess:run", ref)
