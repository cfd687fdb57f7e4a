"""Saving and restoring the built-in server's tables and items (moto keeps them in memory only).

The snapshot is plain JSON: per table its account, region, the CreateTable parameters, time
to live, point-in-time recovery and every item in DynamoDB's attribute-value form (binary
values base64-encoded). It is written atomically, so a crash while saving leaves the
previous snapshot whole. Runs inside the server process only.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FORMAT = "getdotenv-dynamodb-snapshot"
DEFAULT_ACCOUNT = "123456789012"
_BYTES = "__base64__"


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {_BYTES: base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and _BYTES in value:
            return base64.b64decode(value[_BYTES])
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _create_params(description: dict[str, Any], tags: list[dict[str, str]]) -> dict[str, Any]:
    billing = description.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    provisioned = billing == "PROVISIONED"

    def throughput(source: dict[str, Any]) -> dict[str, int]:
        given = source.get("ProvisionedThroughput") or {}
        return {
            "ReadCapacityUnits": int(given.get("ReadCapacityUnits") or 1),
            "WriteCapacityUnits": int(given.get("WriteCapacityUnits") or 1),
        }

    params: dict[str, Any] = {
        "TableName": description["TableName"],
        "KeySchema": description["KeySchema"],
        "AttributeDefinitions": description["AttributeDefinitions"],
        "BillingMode": billing,
    }
    if provisioned:
        params["ProvisionedThroughput"] = throughput(description)
    gsis = []
    for index in description.get("GlobalSecondaryIndexes") or []:
        gsi = {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        if provisioned:
            gsi["ProvisionedThroughput"] = throughput(index)
        gsis.append(gsi)
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    lsis = [
        {k: index[k] for k in ("IndexName", "KeySchema", "Projection")}
        for index in description.get("LocalSecondaryIndexes") or []
    ]
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    stream = description.get("StreamSpecification")
    if stream and stream.get("StreamEnabled"):
        params["StreamSpecification"] = stream
    sse = description.get("SSEDescription")
    if sse and sse.get("Status") == "ENABLED":
        params["SSESpecification"] = {"Enabled": True, "SSEType": "KMS"}
        if sse.get("KMSMasterKeyArn"):
            params["SSESpecification"]["KMSMasterKeyId"] = sse["KMSMasterKeyArn"]
    if description.get("DeletionProtectionEnabled"):
        params["DeletionProtectionEnabled"] = True
    if tags:
        params["Tags"] = tags
    return params


def _backends() -> Iterator[tuple[str, str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    for account, regions in list(dynamodb_backends.items()):
        for region, backend in list(regions.items()):
            if backend.tables:
                yield account, region, backend


def dump() -> dict[str, Any]:
    """Everything the DynamoDB backend holds, as snapshot data."""
    import moto

    tables = []
    for account, region, backend in _backends():
        for table in list(backend.tables.values()):
            description = table.describe(base_key="Table")["Table"]
            ttl = getattr(table, "ttl", None) or {}
            backups = getattr(table, "continuous_backups", None) or {}
            pitr = backups.get("PointInTimeRecoveryDescription", {})
            tables.append(
                {
                    "account": account,
                    "region": region,
                    "create": _create_params(
                        description, backend.list_tags_of_resource(table.table_arn)
                    ),
                    "ttl": ttl.get("AttributeName")
                    if ttl.get("TimeToLiveStatus") == "ENABLED"
                    else None,
                    "pitr": pitr.get("PointInTimeRecoveryStatus") == "ENABLED",
                    "items": [_encode(item.to_json()["Attributes"]) for item in table.all_items()],
                }
            )
    return {
        "format": FORMAT,
        "version": 1,
        "moto": getattr(moto, "__version__", "?"),
        "written_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "tables": tables,
    }


def save(path: Path) -> int:
    """Write the snapshot atomically; returns the number of items saved.

    On any failure (a full disk, a read-only folder) the previous snapshot is left whole and
    the error is raised.
    """
    data = dump()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, separators=(",", ":"))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return sum(len(t["items"]) for t in data["tables"])


def restore(path: Path, region: str) -> tuple[int, int]:
    """Recreate the tables and items of a snapshot in the (empty) backend, all in ``region`` of
    the server's one account: (tables, items). A snapshot from before the shared database may
    hold one table name in several regions; the first is kept, and the others are named."""
    from host_cli import read_text

    text = read_text(path, str(path), what="a snapshot file", limit=1 << 40)
    data = json.loads(text or "")
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError("not a getdotenv DynamoDB snapshot")
    import boto3
    from moto import mock_aws
    from moto.dynamodb.models import dynamodb_backends

    mock = mock_aws()
    mock.start(reset=False)
    items = 0
    created: set[str] = set()
    try:
        client = boto3.client(
            "dynamodb",
            region_name=region,
            # the in-process mock answers AWS's own host names only
            endpoint_url=f"https://dynamodb.{region}.amazonaws.com",
            aws_access_key_id="snapshot",
            aws_secret_access_key="snapshot",
        )
        backend = dynamodb_backends[os.environ.get("MOTO_ACCOUNT_ID", DEFAULT_ACCOUNT)][region]
        for table in data["tables"]:
            name = table["create"]["TableName"]
            if name in created:
                print(
                    f"[dynamodb-local] {path}: table {name} of region {table.get('region')} "
                    "has the name of one already restored; skipped",
                    flush=True,
                )
                continue
            client.create_table(**table["create"])
            created.add(name)
            if table.get("ttl"):
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl"]},
                )
            if table.get("pitr"):
                client.update_continuous_backups(
                    TableName=name,
                    PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
                )
            for item in table["items"]:
                backend.put_item(name, _decode(item))
                items += 1
    finally:
        mock.stop(remove_data=False)
    return len(created), items
