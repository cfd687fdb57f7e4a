"""From a CloudFormation ``AWS::DynamoDB::Table`` resource to DynamoDB API calls, and its checks.

CloudFormation ``Properties`` are not CreateTable input: stream, encryption and resource-policy
settings are spelled differently, time to live and point-in-time recovery need their own calls,
and some properties CreateTable cannot take at all. ``${param:NAME}`` (and ``${env:NAME}``) are
resolved from the composed environment, as Serverless resolves its stage params.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from host_cli import PluginError

TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_PARAM = re.compile(r"\$\{(param|env):([A-Za-z0-9_]+)\}")
_OTHER_VARIABLE = re.compile(r"\$\{(?!param:|env:)[A-Za-z]+[:(][^}]*\}")

CREATE_KEYS = frozenset(
    [
        "TableName",
        "AttributeDefinitions",
        "KeySchema",
        "BillingMode",
        "ProvisionedThroughput",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "StreamSpecification",
        "SSESpecification",
        "Tags",
        "DeletionProtectionEnabled",
        "TableClass",
        "OnDemandThroughput",
        "WarmThroughput",
        "ResourcePolicy",
    ]
)
FOLLOW_UP_KEYS = frozenset({"TimeToLiveSpecification", "PointInTimeRecoverySpecification"})
# Real properties of AWS::DynamoDB::Table that CreateTable cannot take.
NOT_CREATABLE = frozenset(
    {"ContributorInsightsSpecification", "ImportSourceSpecification", "KinesisStreamSpecification"}
)
_INDEX_KEYS = frozenset(
    {
        "IndexName",
        "KeySchema",
        "Projection",
        "ProvisionedThroughput",
        "OnDemandThroughput",
        "WarmThroughput",
        "ContributorInsightsSpecification",
    }
)


class Creation(NamedTuple):
    """What ``create`` sends: CreateTable input, then the follow-up calls."""

    params: dict[str, Any]
    ttl: dict[str, Any] | None
    pitr: dict[str, Any] | None


def _index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def _check_keys(schema: Any, path: str, problems: list[str]) -> list[str]:
    """Problems of one KeySchema; returns its attribute names."""
    if not isinstance(schema, list) or not schema:
        problems.append(f"{path}: expected a list of {{AttributeName, KeyType}}")
        return []
    names, types = [], []
    for i, key in enumerate(schema):
        if not isinstance(key, dict) or not isinstance(key.get("AttributeName"), str):
            problems.append(f"{_index(path, i)}: expected {{AttributeName, KeyType}}")
            continue
        names.append(key["AttributeName"])
        types.append(key.get("KeyType"))
        if key.get("KeyType") not in ("HASH", "RANGE"):
            problems.append(
                f"{_index(path, i)}.KeyType: expected HASH or RANGE, got {key.get('KeyType')!r}"
            )
    if types and (types[0] != "HASH" or types.count("HASH") != 1 or len(types) > 2):
        problems.append(f"{path}: expected one HASH key first and at most one RANGE key")
    return names


def validate(doc: Any, version_name: str) -> list[str]:
    """Every problem with one ``table.yml``, each as ``dotted.key: what is wrong``."""
    problems: list[str] = []
    if not isinstance(doc, dict):
        return [
            "expected a mapping with Type and Properties (a bare AWS::DynamoDB::Table resource)"
        ]
    if doc.get("Type") != "AWS::DynamoDB::Table":
        problems.append(f"Type: expected AWS::DynamoDB::Table, got {doc.get('Type')!r}")
    props = doc.get("Properties")
    if not isinstance(props, dict):
        return [*problems, "Properties: expected a mapping"]
    expected_name = f"${{param:STAGE_NAME}}-{version_name}"
    if props.get("TableName") != expected_name:
        problems.append(
            f"Properties.TableName: expected {expected_name}, got {props.get('TableName')!r}"
        )
    for key in props:
        if key in NOT_CREATABLE:
            problems.append(
                f"Properties.{key}: CreateTable cannot take it; remove it, or apply it after create"
            )
        elif key not in CREATE_KEYS and key not in FOLLOW_UP_KEYS:
            problems.append(f"Properties.{key}: not a property of AWS::DynamoDB::Table")

    defined: dict[str, str] = {}
    attrs = props.get("AttributeDefinitions")
    if not isinstance(attrs, list) or not attrs:
        problems.append(
            "Properties.AttributeDefinitions: expected a list of {AttributeName, AttributeType}"
        )
        attrs = []
    for i, attr in enumerate(attrs):
        where = _index("Properties.AttributeDefinitions", i)
        if not isinstance(attr, dict) or not isinstance(attr.get("AttributeName"), str):
            problems.append(f"{where}: expected {{AttributeName, AttributeType}}")
            continue
        if attr.get("AttributeType") not in ("S", "N", "B"):
            problems.append(
                f"{where}.AttributeType: expected S, N or B, got {attr.get('AttributeType')!r}"
            )
        if attr["AttributeName"] in defined:
            problems.append(f"{where}: {attr['AttributeName']!r} is defined twice")
        defined[attr["AttributeName"]] = where

    used: set[str] = set()
    schemas = [("Properties.KeySchema", props.get("KeySchema"))]
    billing = props.get("BillingMode", "PROVISIONED")
    if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
        problems.append(
            f"Properties.BillingMode: expected PROVISIONED or PAY_PER_REQUEST, got {billing!r}"
        )
    throughput_ok = _throughput(props, "Properties", billing, problems)
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = props.get(kind, [])
        if not isinstance(indexes, list):
            problems.append(f"Properties.{kind}: expected a list of indexes")
            continue
        for i, index in enumerate(indexes):
            where = _index(f"Properties.{kind}", i)
            if not isinstance(index, dict):
                problems.append(f"{where}: expected a mapping")
                continue
            for key in ("IndexName", "KeySchema", "Projection"):
                if key not in index:
                    problems.append(f"{where}.{key}: required")
            for key in index:
                if key not in _INDEX_KEYS:
                    problems.append(f"{where}.{key}: not a property of an index")
            schemas.append((f"{where}.KeySchema", index.get("KeySchema")))
            if kind == "GlobalSecondaryIndexes" and throughput_ok:
                _throughput(index, where, billing, problems)
    for path, schema in schemas:
        if schema is None and path != "Properties.KeySchema":
            continue
        for i, name in enumerate(_check_keys(schema, path, problems)):
            used.add(name)
            if name not in defined:
                problems.append(
                    f"{path}[{i}].AttributeName: {name!r} is not defined in AttributeDefinitions"
                )
    for name, where in defined.items():
        if name not in used:
            problems.append(
                f"{where}: {name!r} is not used by any key schema (DynamoDB rejects that)"
            )
    return problems


def _throughput(props: Mapping[str, Any], where: str, billing: str, problems: list[str]) -> bool:
    has = "ProvisionedThroughput" in props
    if billing == "PAY_PER_REQUEST" and has:
        problems.append(
            f"{where}.ProvisionedThroughput: not allowed with BillingMode PAY_PER_REQUEST"
        )
        return False
    if billing == "PROVISIONED" and not has:
        problems.append(
            f"{where}.ProvisionedThroughput: required with BillingMode PROVISIONED (the default)"
        )
        return False
    return True


def resolve(value: Any, env: Mapping[str, str], path: str) -> Any:
    """Resolve ``${param:NAME}`` and ``${env:NAME}`` in every string; CloudFormation
    functions and other Serverless variables cannot be resolved here and are errors."""
    if isinstance(value, str):
        other = _OTHER_VARIABLE.search(value)
        if other:
            raise PluginError(
                f"{path}: {other.group(0)} cannot be resolved here (use ${{param:NAME}})"
            )

        def param(m: re.Match[str]) -> str:
            if not env.get(m.group(2)):
                raise PluginError(
                    f"{path}: {m.group(0)} is not set ({m.group(2)} is not in the environment)"
                )
            return env[m.group(2)]

        return _PARAM.sub(param, value)
    if isinstance(value, dict):
        if len(value) == 1:
            (key,) = value
            if key == "Ref" or key == "Condition" or str(key).startswith("Fn::"):
                raise PluginError(
                    f"{path}: CloudFormation function {key} cannot be resolved outside "
                    "CloudFormation; use ${param:NAME}"
                )
        return {k: resolve(v, env, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, env, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _ints(throughput: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(v) for k, v in throughput.items()}


def creation(doc: Mapping[str, Any], env: Mapping[str, str]) -> Creation:
    """CreateTable input and follow-ups from a validated resource, params resolved."""
    props = resolve(doc["Properties"], env, "Properties")
    name = props["TableName"]
    if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
        raise PluginError(
            f"Properties.TableName: resolves to {name!r}, which is not a valid table name "
            "(3-255 letters, digits, '_', '.' or '-')"
        )
    params = {k: v for k, v in props.items() if k in CREATE_KEYS}
    if "ProvisionedThroughput" in params:
        params["ProvisionedThroughput"] = _ints(params["ProvisionedThroughput"])
    for index in params.get("GlobalSecondaryIndexes", []):
        if "ContributorInsightsSpecification" in index:
            raise PluginError(
                f"Properties.GlobalSecondaryIndexes.{index.get('IndexName')}."
                "ContributorInsightsSpecification: CreateTable cannot take it; remove it, or apply "
                "it after create"
            )
        if "ProvisionedThroughput" in index:
            index["ProvisionedThroughput"] = _ints(index["ProvisionedThroughput"])
    stream = params.pop("StreamSpecification", None)
    if stream:
        params["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    sse = params.pop("SSESpecification", None)
    if sse:
        api = {"Enabled": bool(sse.get("SSEEnabled", False))}
        if sse.get("SSEType"):
            api["SSEType"] = sse["SSEType"]
        if sse.get("KMSMasterKeyId"):
            api["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
        params["SSESpecification"] = api
    policy = params.pop("ResourcePolicy", None)
    if policy:
        params["ResourcePolicy"] = json.dumps(policy["PolicyDocument"])
    ttl = props.get("TimeToLiveSpecification")
    pitr = props.get("PointInTimeRecoverySpecification")
    return Creation(
        params,
        {"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl.get("Enabled", True))}
        if ttl
        else None,
        dict(pitr) if pitr else None,
    )
