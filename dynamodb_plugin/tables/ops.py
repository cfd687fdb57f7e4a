"""``dynamodb tables list|generate|validate|create|delete|purge|migrate``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from dynamodb_plugin import aws
from dynamodb_plugin.tables import layout, translate
from dynamodb_plugin.tables.layout import Layout, Version
from host_cli import PluginError

if TYPE_CHECKING:
    from host_cli import HostContext


def _say(text: str) -> None:
    typer.echo(text, err=True)


def load_layout(context: HostContext) -> Layout:
    config = context.configs.data("dynamodb")["tables"]
    root = (context.project_root or context.cwd) / config["path"]
    try:
        shown = str(root.relative_to(context.cwd))
    except ValueError:
        shown = str(root)
    return layout.load(root, shown, int(config["width"]))


def _doc(tables: Layout, version: Version) -> Any:
    return layout.read_yaml(version.folder / layout.TABLE_FILE, tables.shown_file(version))


def table_name(context: HostContext, tables: Layout, version: Version) -> str:
    """The resolved ``TableName`` of a version, checked to be a valid DynamoDB name."""
    doc = _doc(tables, version)
    shown = tables.shown_file(version)
    if not isinstance(doc, dict) or not isinstance(doc.get("Properties"), dict):
        raise PluginError(f"{shown}: expected a resource with Type and Properties")
    if "TableName" not in doc["Properties"]:
        raise PluginError(f"{shown}: Properties.TableName: required")
    try:
        name = translate.resolve(
            doc["Properties"]["TableName"], context.env, "Properties.TableName"
        )
    except PluginError as exc:
        raise PluginError(f"{shown}: {exc}") from None
    if not isinstance(name, str) or not translate.TABLE_NAME.fullmatch(name):
        raise PluginError(
            f"{shown}: Properties.TableName: resolves to {name!r}, which is not a valid table name "
            "(3-255 letters, digits, '_', '.' or '-')"
        )
    return name


def _env_version(context: HostContext, tables: Layout, key: str) -> Version | None:
    value = context.env.get(key)
    if not value:
        return None
    try:
        number = layout.parse_version(value)
    except PluginError:
        return None
    return next((v for v in tables.versions if v.number == number), None)


def list_versions(context: HostContext, *, as_json: bool) -> int:
    tables = load_layout(context)
    current = _env_version(context, tables, "TABLE_VERSION")
    deployed = _env_version(context, tables, "TABLE_VERSION_DEPLOYED")
    rows: list[dict[str, Any]] = []
    names: dict[int, str | None] = {}
    for version in tables.versions:
        try:
            names[version.number] = table_name(context, tables, version)
            problem = None
        except PluginError as exc:
            names[version.number], problem = None, str(exc)
        rows.append(
            {
                "version": version.name,
                "table": names[version.number],
                "problem": problem,
                "current": version == current,
                "deployed": version == deployed,
            }
        )
    existing: set[str] | None = None
    where = aws.target(context.env)
    if rows:
        dynamodb, where = aws.client(context.env)
        with aws.errors(where, "listing tables"):
            existing = aws.existing_tables(dynamodb)
    for row in rows:
        row["exists"] = row["table"] in existing if existing is not None and row["table"] else False
    if as_json:
        typer.echo(
            json.dumps(
                {"endpoint": where.describe(), "tables": tables.shown, "versions": rows}, indent=2
            )
        )
        return 0
    if not rows:
        _say(
            f"{tables.shown}: no versions yet "
            "(create one with `dynamodb tables generate --version 000`)"
        )
        return 0
    for row in rows:
        marks = [
            m
            for m, on in (
                ("TABLE_VERSION", row["current"]),
                ("TABLE_VERSION_DEPLOYED", row["deployed"]),
            )
            if on
        ]
        state = "exists" if row["exists"] else "missing"
        name = row["table"] or f"? ({row['problem']})"
        typer.echo(f"{row['version']}  {name:<40} {state:<8} {' '.join(marks)}".rstrip())
    _say(f"at {where.describe()}")
    return 0


def generate(context: HostContext, *, version: str, force: bool) -> int:
    tables = load_layout(context)
    written, source = layout.generate(tables, layout.parse_version(version), force=force)
    try:
        shown = str(written.relative_to(context.cwd))
    except ValueError:
        shown = str(written)
    typer.echo(shown)
    _say(f"generated from {source}")
    return 0


def validate(context: HostContext, *, version: str | None) -> int:
    tables = load_layout(context)
    chosen = [tables.find(version)] if version is not None else list(tables.versions)
    if not chosen:
        tables.latest()  # raises: nothing to validate
    failed = False
    for v in chosen:
        shown = tables.shown_file(v)
        problems = translate.validate(_doc(tables, v), v.name)
        for problem in problems:
            typer.echo(f"{shown}: {problem}")
        if not problems:
            typer.echo(f"{shown}: ok")
        failed |= bool(problems)
    return 1 if failed else 0


def create(
    context: HostContext, *, version: str | None, allow_non_latest: bool, max_seconds: float
) -> int:
    tables = load_layout(context)
    chosen = tables.find(version) if version is not None else tables.latest()
    latest = tables.latest()
    if chosen.number < latest.number and not allow_non_latest:
        raise PluginError(
            f"version {chosen.name} is older than the latest ({latest.name}); pass "
            "--allow-non-latest to create it anyway"
        )
    shown = tables.shown_file(chosen)
    doc = _doc(tables, chosen)
    problems = translate.validate(doc, chosen.name)
    if problems:
        more = (
            f" (and {len(problems) - 1} more; see `dynamodb tables validate`)"
            if len(problems) > 1
            else ""
        )
        raise PluginError(f"{shown}: {problems[0]}{more}")
    try:
        plan = translate.creation(doc, context.env)
    except PluginError as exc:
        raise PluginError(f"{shown}: {exc}") from None
    name = plan.params["TableName"]
    dynamodb, where = aws.client(context.env)
    with aws.errors(where, f"creating table {name}"):
        dynamodb.create_table(**plan.params)
        aws.wait(dynamodb, name, until="active", seconds=max_seconds)
        if plan.ttl:
            dynamodb.update_time_to_live(TableName=name, TimeToLiveSpecification=plan.ttl)
        if plan.pitr:
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=plan.pitr
            )
    typer.echo(
        json.dumps(
            {"table": name, "version": chosen.name, "status": "ACTIVE", "at": where.describe()}
        )
    )
    return 0


def _target_table(context: HostContext, version: str | None, table: str | None) -> str:
    if table is not None:
        if not translate.TABLE_NAME.fullmatch(table):
            raise PluginError(f"--table-name: {table!r} is not a valid table name")
        return table
    tables = load_layout(context)
    chosen = tables.find(version) if version is not None else tables.latest()
    return table_name(context, tables, chosen)


def _need_force(force: bool, action: str, name: str) -> None:
    if not force:
        raise PluginError(f"{action} table {name} needs --force")


def delete(
    context: HostContext, *, version: str | None, table: str | None, force: bool, max_seconds: float
) -> int:
    name = _target_table(context, version, table)
    _need_force(force, "deleting", name)
    dynamodb, where = aws.client(context.env)
    with aws.errors(where, f"deleting table {name}"):
        dynamodb.delete_table(TableName=name)
        aws.wait(dynamodb, name, until="gone", seconds=max_seconds)
    typer.echo(json.dumps({"table": name, "deleted": True, "at": where.describe()}))
    return 0


def purge(context: HostContext, *, version: str | None, table: str | None, force: bool) -> int:
    name = _target_table(context, version, table)
    _need_force(force, "purging", name)
    dynamodb, where = aws.client(context.env)
    deleted = 0
    with aws.errors(where, f"purging table {name}"):
        keys = [
            k["AttributeName"]
            for k in dynamodb.describe_table(TableName=name)["Table"]["KeySchema"]
        ]
        names = {f"#k{i}": k for i, k in enumerate(keys)}
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=name, ProjectionExpression=", ".join(names), ExpressionAttributeNames=names
        )
        from dynamodb_plugin.tables.migrate import Writer

        writer = Writer(dynamodb, name, concurrency=4)
        try:
            for page in pages:
                items = page.get("Items", [])
                for i in range(0, len(items), 25):
                    writer.submit([{"DeleteRequest": {"Key": item}} for item in items[i : i + 25]])
                deleted += len(items)
        finally:
            writer.close()
    typer.echo(json.dumps({"table": name, "deleted_items": deleted, "at": where.describe()}))
    return 0


def migrate(
    context: HostContext,
    *,
    source: str | None,
    target: str | None,
    dry_run: bool,
    force: bool,
    concurrency: int,
    page_size: int | None,
) -> int:
    from dynamodb_plugin.tables import migrate as engine

    tables = load_layout(context)
    given = {"--from": (source, "TABLE_VERSION_DEPLOYED"), "--to": (target, "TABLE_VERSION")}
    chosen: dict[str, Version] = {}
    for flag, (value, key) in given.items():
        text = value if value is not None else context.env.get(key)
        if not text:
            raise PluginError(f"{flag}: not given, and {key} is not set")
        chosen[flag] = tables.find(text)
    start, end = chosen["--from"], chosen["--to"]
    if start.number >= end.number:
        raise PluginError(f"--to ({end.name}) must be a later version than --from ({start.name})")
    steps = [
        engine.Step(
            v.name,
            engine.load_transform(
                v.folder / layout.TRANSFORM_FILE,
                tables.shown_file(v, layout.TRANSFORM_FILE),
                v.name,
            ),
            tables.shown_file(v, layout.TRANSFORM_FILE),
        )
        for v in tables.versions
        if start.number < v.number <= end.number
    ]
    source_name, target_name = table_name(context, tables, start), table_name(context, tables, end)
    if not dry_run and not force:
        raise PluginError(
            f"migrate writes to table {target_name}; pass --force (or --dry-run to preview)"
        )
    dynamodb, where = aws.client(context.env)
    with aws.errors(where, "reading the table schemas"):
        key_of = {
            n: [
                k["AttributeName"]
                for k in dynamodb.describe_table(TableName=n)["Table"]["KeySchema"]
            ]
            for n in (source_name, target_name)
        }

    progress = None
    if sys.stderr.isatty():

        def progress(read: int, written: int) -> None:
            sys.stderr.write(f"\rmigrate: read {read}, written {written}")
            sys.stderr.flush()

    with aws.errors(where, f"migrating {source_name} to {target_name}"):
        try:
            summary = engine.run(
                dynamodb,
                source=source_name,
                target=target_name,
                source_keys=key_of[source_name],
                target_keys=key_of[target_name],
                steps=steps,
                dry_run=dry_run,
                concurrency=concurrency,
                page_size=page_size,
                progress=progress,
            )
        finally:
            if progress is not None:
                sys.stderr.write("\r\033[K")
    typer.echo(
        json.dumps(
            {
                "from": start.name,
                "to": end.name,
                "steps": [s.name for s in steps],
                "source": source_name,
                "target": target_name,
                "dry_run": dry_run,
                "read": summary.read,
                "written": summary.written,
                "dropped": summary.dropped,
            }
        )
    )
    return 0
