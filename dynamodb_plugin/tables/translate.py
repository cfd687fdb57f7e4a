"""From a CloudFormation ``AWS::DynamoDB::Table`` resource to DynamoDB API calls, and its checks.

CloudFormation ``Properties`` are not CreateTable input: stream, encryption and resource-policy
settings are spelled differently; time to live, point-in-time recovery, contributor insights
(table and index) and a Kinesis streaming destination need their own calls after the table is
ACTIVE; an import source cannot be created at all. Serverless variables are resolved from the
composed environment (``variables``). ``validate`` and ``plan`` together report everything
``create`` would refuse, each as ``dotted.key: what is wrong``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NamedTuple

from dynamodb_plugin.tables import variables
from dynamodb_plugin.tables.definition import TABLE_TYPE, Definition

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
FOLLOW_UP_KEYS = frozenset(
    {
        "TimeToLiveSpecification",
        "PointInTimeRecoverySpecification",
        "ContributorInsightsSpecification",
        "KinesisStreamSpecification",
    }
)
# A real property of AWS::DynamoDB::Table that no API call after CreateTable can apply.
NOT_CREATABLE = frozenset({"ImportSourceSpecification"})
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
    insights: list[dict[str, Any]]  # UpdateContributorInsights input, minus TableName
    kinesis: dict[str, Any] | None  # EnableKinesisStreamingDestination input, minus TableName

    def optional_features(self) -> list[str]:
        """The follow-ups that not every DynamoDB implements (API operation names)."""
        return [
            op
            for op, wanted in (
                ("UpdateTimeToLive", self.ttl),
                ("UpdateContinuousBackups", self.pitr),
                ("TagResource", self.params.get("Tags")),
                ("UpdateContributorInsights", self.insights),
                ("EnableKinesisStreamingDestination", self.kinesis),
            )
            if wanted
        ]


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


def validate(definition: Definition) -> list[str]:
    """The shape problems of a table resource, each as ``dotted.key: what is wrong``."""
    problems: list[str] = []
    key = definition.key
    doc = definition.resource
    if doc.get("Type") != TABLE_TYPE:
        problems.append(f"{key('Type')}: expected {TABLE_TYPE}, got {doc.get('Type')!r}")
    props = doc.get("Properties")
    if not isinstance(props, dict):
        return [*problems, f"{key('Properties')}: expected a mapping"]
    for name in props:
        if name in NOT_CREATABLE:
            problems.append(
                f"{key('Properties.' + name)}: an import creates the table from S3 data, which "
                "create cannot do; remove it and load the data after create"
            )
        elif name not in CREATE_KEYS and name not in FOLLOW_UP_KEYS:
            problems.append(f"{key('Properties.' + name)}: not a property of {TABLE_TYPE}")

    defined: dict[str, str] = {}
    attrs = props.get("AttributeDefinitions")
    if not isinstance(attrs, list) or not attrs:
        problems.append(
            f"{key('Properties.AttributeDefinitions')}: expected a list of "
            "{AttributeName, AttributeType}"
        )
        attrs = []
    for i, attr in enumerate(attrs):
        where = key(_index("Properties.AttributeDefinitions", i))
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
    schemas = [(key("Properties.KeySchema"), props.get("KeySchema"))]
    billing = props.get("BillingMode", "PROVISIONED")
    if billing not in ("PROVISIONED", "PAY_PER_REQUEST"):
        problems.append(
            f"{key('Properties.BillingMode')}: expected PROVISIONED or PAY_PER_REQUEST, "
            f"got {billing!r}"
        )
    throughput_ok = _throughput(props, key("Properties"), billing, problems)
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        indexes = props.get(kind, [])
        if not isinstance(indexes, list):
            problems.append(f"{key('Properties.' + kind)}: expected a list of indexes")
            continue
        for i, index in enumerate(indexes):
            where = key(_index(f"Properties.{kind}", i))
            if not isinstance(index, dict):
                problems.append(f"{where}: expected a mapping")
                continue
            for name in ("IndexName", "KeySchema", "Projection"):
                if name not in index:
                    problems.append(f"{where}.{name}: required")
            for name in index:
                if name not in _INDEX_KEYS or (
                    name == "ContributorInsightsSpecification" and kind != "GlobalSecondaryIndexes"
                ):
                    problems.append(f"{where}.{name}: not a property of an index")
            schemas.append((f"{where}.KeySchema", index.get("KeySchema")))
            if kind == "GlobalSecondaryIndexes" and throughput_ok:
                _throughput(index, where, billing, problems)
    for path, schema in schemas:
        if schema is None and path != key("Properties.KeySchema"):
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


def _ints(throughput: Any, path: str, problems: list[str]) -> Any:
    """Throughput numbers as ints; what is not a whole number is a problem naming its key
    (a CloudFormation function there is reported already, by ``variables.resolve``)."""
    if not isinstance(throughput, Mapping):
        if variables.cloudformation_function(throughput) is None:
            problems.append(f"{path}: expected a mapping of capacity units")
        return throughput
    out: dict[str, Any] = {}
    for k, v in throughput.items():
        text = str(v).strip() if isinstance(v, (int, str)) and not isinstance(v, bool) else ""
        if text.isascii() and text.isdigit():
            out[k] = int(text)
        else:
            if variables.cloudformation_function(v) is None:
                problems.append(f"{path}.{k}: expected a whole number, got {v!r}")
            out[k] = v
    return out


def _insights(spec: Any) -> dict[str, Any] | None:
    """UpdateContributorInsights input from a CloudFormation ContributorInsightsSpecification."""
    if not isinstance(spec, Mapping) or not spec.get("Enabled"):
        return None
    call: dict[str, Any] = {"ContributorInsightsAction": "ENABLE"}
    if spec.get("Mode"):
        call["ContributorInsightsMode"] = spec["Mode"]
    return call


def plan(definition: Definition, env: Mapping[str, str], name: str) -> tuple[Creation, list[str]]:
    """CreateTable input and follow-ups, variables resolved, for the table called ``name``;
    and every value that cannot be resolved, as problems naming its key."""
    problems: list[str] = []
    raw = {k: v for k, v in definition.properties.items() if k != "TableName"}
    props = variables.resolve(raw, env, definition.key("Properties"), problems)
    params: dict[str, Any] = {k: v for k, v in props.items() if k in CREATE_KEYS}
    params["TableName"] = name
    if "ProvisionedThroughput" in params:
        params["ProvisionedThroughput"] = _ints(
            params["ProvisionedThroughput"],
            definition.key("Properties.ProvisionedThroughput"),
            problems,
        )
    insights = []
    table_insights = _insights(props.get("ContributorInsightsSpecification"))
    if table_insights:
        insights.append(table_insights)
    indexes = []
    for i, index in enumerate(params.get("GlobalSecondaryIndexes", [])):
        index = dict(index)
        index_insights = _insights(index.pop("ContributorInsightsSpecification", None))
        if index_insights:
            insights.append({"IndexName": index.get("IndexName"), **index_insights})
        if "ProvisionedThroughput" in index:
            index["ProvisionedThroughput"] = _ints(
                index["ProvisionedThroughput"],
                definition.key(f"Properties.GlobalSecondaryIndexes[{i}].ProvisionedThroughput"),
                problems,
            )
        indexes.append(index)
    if indexes:
        params["GlobalSecondaryIndexes"] = indexes
    stream = params.pop("StreamSpecification", None)
    if isinstance(stream, Mapping) and stream.get("StreamViewType"):
        params["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream["StreamViewType"],
        }
    elif stream:
        problems.append(
            f"{definition.key('Properties.StreamSpecification')}.StreamViewType: required"
        )
    sse = params.pop("SSESpecification", None)
    if isinstance(sse, Mapping):
        api = {"Enabled": bool(sse.get("SSEEnabled", False))}
        if sse.get("SSEType"):
            api["SSEType"] = sse["SSEType"]
        if sse.get("KMSMasterKeyId"):
            api["KMSMasterKeyId"] = sse["KMSMasterKeyId"]
        params["SSESpecification"] = api
    policy = params.pop("ResourcePolicy", None)
    if isinstance(policy, Mapping) and policy.get("PolicyDocument"):
        params["ResourcePolicy"] = json.dumps(policy["PolicyDocument"])
    elif policy:
        problems.append(f"{definition.key('Properties.ResourcePolicy')}.PolicyDocument: required")
    ttl = props.get("TimeToLiveSpecification")
    pitr = props.get("PointInTimeRecoverySpecification")
    kinesis = props.get("KinesisStreamSpecification")
    kinesis_call = None
    if isinstance(kinesis, Mapping) and kinesis.get("StreamArn"):
        kinesis_call = {"StreamArn": kinesis["StreamArn"]}
        if kinesis.get("ApproximateCreationDateTimePrecision"):
            kinesis_call["EnableKinesisStreamingConfiguration"] = {
                "ApproximateCreationDateTimePrecision": kinesis[
                    "ApproximateCreationDateTimePrecision"
                ]
            }
    creation = Creation(
        params,
        {"AttributeName": ttl["AttributeName"], "Enabled": bool(ttl.get("Enabled", True))}
        if isinstance(ttl, Mapping) and ttl.get("AttributeName")
        else None,
        dict(pitr) if isinstance(pitr, Mapping) else None,
        insights,
        kinesis_call,
    )
    return creation, problems
