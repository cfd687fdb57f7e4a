"""``dynamodb tables list|generate|validate|create|delete|purge|migrate``.

Every command that calls DynamoDB first says where (``aws.Target.describe``): the local
DynamoDB by default, an endpoint the user configured, or AWS when asked (``--aws``, or
``DYNAMODB_LOCAL_ENDPOINT`` set empty). Destructive ones against AWS name the account, profile
and region before acting.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import typer

from dynamodb_plugin import aws, endpoint, settings
from dynamodb_plugin.tables import definition, layout, translate
from dynamodb_plugin.tables.definition import Definition, Name
from dynamodb_plugin.tables.layout import Layout, Version
from host_cli import PluginError

if TYPE_CHECKING:
    from host_cli import HostContext


def _say(text: str) -> None:
    typer.echo(text, err=True)


class Tables(NamedTuple):
    """What a ``tables`` command works with."""

    context: HostContext
    config: Mapping[str, Any]  # the effective plugin config
    env: Mapping[str, str]  # what a child sees: the process env with the composed one over it
    layout: Layout
    use_aws: bool
    resource: str | None  # the logical id of the table in files that hold several

    def target(self) -> aws.Target:
        found = endpoint.resolve(
            self.config["local"],
            self.env,
            self.context.project_root or self.context.cwd,
            verify=not self.use_aws,
        )
        return aws.target(self.env, found[0] if found else None, use_aws=self.use_aws)

    def connect(
        self, *, say: bool = True, where: aws.Target | None = None
    ) -> tuple[Any, aws.Target]:
        """A client of the target (``where``, when already resolved), and the target."""
        where = where or self.target()
        if say:
            _say(f"dynamodb: {where.describe()}")
        with aws.errors(where, "connecting"):
            return aws.client(self.env, where), where

    def definition(self, version: Version) -> Definition:
        path = self.layout.table_file(version)
        shown = self.layout.shown_file(version, path)
        return definition.pick(layout.read_yaml(path, shown), shown, self.resource)

    def name(self, version: Version, *, say: bool = True) -> str:
        found = definition.table_name(self.definition(version), self.env, version.name)
        if found.note and say:
            _say(f"note: {found.note}")
        return found.value

    def defaults(self, command: str) -> Mapping[str, Any]:
        return self.config.get(command) or {}


def load(
    context: HostContext,
    *,
    use_aws: bool = False,
    resource: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Tables:
    """``env``: what a child sees, when not ``context.child_env()`` (under ``aws``, with
    ``--aws``: the aws group's credentials and region over it)."""
    merged = settings.load(context.configs)
    for warning in merged.warnings():
        context.warn(warning)
    config = merged.config
    tables = config["tables"]
    root = (context.project_root or context.cwd) / tables["path"]
    found = layout.load(
        root,
        context.shown(root),
        int(tables["width"]),
        tables["tokens"]["table"],
        tables["tokens"]["transform"],
    )
    return Tables(
        context,
        config,
        context.child_env() if env is None else env,
        found,
        use_aws,
        resource or tables.get("resource"),
    )


def _env_version(run: Tables, key: str) -> Version | None:
    value = run.env.get(key)
    if not value:
        return None
    try:
        number = layout.parse_version(value, key)
    except PluginError:
        return None
    return run.layout.get(number)


def _pick(run: Tables, given: str | None, command: str) -> Version:
    wanted = given if given is not None else run.defaults(command).get("version")
    return run.layout.find(wanted) if wanted is not None else run.layout.latest()


def _target_json(where: aws.Target) -> dict[str, Any]:
    return {"target": where.describe(), "endpoint": where.endpoint, "region": where.region}


def list_versions(run: Tables, *, as_json: bool) -> int:
    current = _env_version(run, "TABLE_VERSION")
    deployed = _env_version(run, "TABLE_VERSION_DEPLOYED")
    rows: list[dict[str, Any]] = []
    for version in run.layout.versions:
        try:
            name, problem = run.name(version, say=False), None
        except PluginError as exc:
            name, problem = None, str(exc)
        rows.append(
            {
                "version": version.name,
                "table": name,
                "problem": problem,
                "current": version == current,
                "deployed": version == deployed,
            }
        )
    where = run.target()
    if rows:
        dynamodb, where = run.connect(say=not as_json, where=where)
        with aws.errors(where, "listing tables"):
            existing = aws.existing_tables(dynamodb)
        for row in rows:
            row["exists"] = bool(row["table"]) and row["table"] in existing
    if as_json:
        report = {**_target_json(where), "tables": run.layout.shown, "versions": rows}
        typer.echo(json.dumps(report, indent=2))
        return 0
    if not rows:
        _say(
            f"{run.layout.shown}: no versions yet (start one with "
            "`dynamodb tables generate --version 000`)"
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
    return 0


def generate(run: Tables, *, version: str | None, force: bool) -> int:
    wanted = version if version is not None else run.defaults("generate").get("version")
    if wanted is None:
        raise PluginError(
            "--version: required (or set plugins.dynamodb.generate.version), e.g. --version 001"
        )
    written, source = layout.generate(
        run.layout, layout.parse_version(wanted), force=force, logical_id=run.resource
    )
    typer.echo(run.context.shown(written))
    _say(f"generated from {source}")
    return 0


def problems_of(run: Tables, version: Version) -> list[str]:
    """Everything ``create`` would refuse in one version's file, each ``dotted.key: what``."""
    try:
        found = run.definition(version)
    except PluginError as exc:
        return [str(exc).removeprefix(f"{run.layout.shown_file(version)}: ")]
    problems = translate.validate(found)
    try:
        name = definition.table_name(found, run.env, version.name)
    except PluginError as exc:
        problems.append(str(exc).removeprefix(f"{found.shown}: "))
        name = Name("placeholder-name", None)
    if name.note:
        _say(f"note: {name.note}")
    if not problems:
        plan, unresolved = translate.plan(found, run.env, name.value)
        problems += unresolved
        problems += _unsupported(run, found, plan)
    return problems


def _unsupported(run: Tables, found: Definition, plan: translate.Creation) -> list[str]:
    """The follow-ups the target cannot take (asked only of a local endpoint that answers)."""
    features = plan.optional_features()
    if not features:
        return []
    where = run.target()
    if not where.local:
        return []
    dynamodb, where = run.connect(say=False, where=where)
    missing = missing_operations(dynamodb, features, where)
    if missing is None:
        _say(
            f"note: {where.describe()} does not answer; support of {', '.join(features)} unchecked"
        )
        return []
    keys = FEATURE_KEYS
    return [
        f"{found.key('Properties.' + keys[op])}: {where.describe()} does not implement {op}; "
        "remove it for local use, or pass --skip-unsupported to create without it"
        for op in missing
    ]


FEATURE_KEYS = {
    "UpdateTimeToLive": "TimeToLiveSpecification",
    "UpdateContinuousBackups": "PointInTimeRecoverySpecification",
    "TagResource": "Tags",
    "UpdateContributorInsights": "ContributorInsightsSpecification",
    "EnableKinesisStreamingDestination": "KinesisStreamSpecification",
}


def missing_operations(dynamodb: Any, operations: list[str], where: aws.Target) -> list[str] | None:
    """Which of ``operations`` a local endpoint does not implement, asked with the very
    operation ``create`` calls, against a table that does not exist (a random name): an
    implementation answers ResourceNotFound, one without it an unknown operation (dynalite
    answers DescribeTimeToLive but not UpdateTimeToLive). ``None`` when it does not answer."""
    import uuid

    from botocore.exceptions import BotoCoreError, ClientError

    name = f"getdotenv-support-probe-{uuid.uuid4().hex[:12]}"
    arn = f"arn:aws:dynamodb:{where.region or aws.LOCAL_REGION}:000000000000:table/{name}"
    probes = {
        "UpdateTimeToLive": lambda: dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"AttributeName": "ttl", "Enabled": True}
        ),
        "UpdateContinuousBackups": lambda: dynamodb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        ),
        "TagResource": lambda: dynamodb.tag_resource(
            ResourceArn=arn, Tags=[{"Key": "getdotenv-probe", "Value": "1"}]
        ),
        "UpdateContributorInsights": lambda: dynamodb.describe_contributor_insights(TableName=name),
        "EnableKinesisStreamingDestination": lambda: (
            dynamodb.describe_kinesis_streaming_destination(TableName=name)
        ),
    }
    missing = []
    for operation in operations:
        try:
            probes[operation]()
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", ""))
            message = str(error.get("Message", ""))
            if (
                aws._not_dynamodb(code, message)
                or "Unknown" in code
                or "NotImplemented" in code
                or "not yet implemented" in message.lower()
            ):
                missing.append(operation)
        except BotoCoreError:
            return None
    return missing


def validate(run: Tables, *, version: str | None) -> int:
    wanted = version if version is not None else run.defaults("validate_").get("version")
    chosen = [run.layout.find(wanted)] if wanted is not None else list(run.layout.versions)
    if not chosen:
        run.layout.latest()  # raises: nothing to validate
    failed = False
    for v in chosen:
        shown = run.layout.shown_file(v)
        problems = problems_of(run, v)
        for problem in problems:
            typer.echo(f"{shown}: {problem}")
        if not problems:
            typer.echo(f"{shown}: ok")
        failed |= bool(problems)
    return 1 if failed else 0


def create(
    run: Tables,
    *,
    version: str | None,
    allow_non_latest: bool,
    max_seconds: float | None,
    table_name: str | None,
    skip_unsupported: bool,
) -> int:
    report = create_table(
        run,
        version=version,
        allow_non_latest=allow_non_latest,
        max_seconds=max_seconds,
        table_name=table_name,
        skip_unsupported=skip_unsupported,
    )
    typer.echo(json.dumps(report))
    return 0


def create_table(
    run: Tables,
    *,
    version: str | None,
    allow_non_latest: bool = False,
    max_seconds: float | None = None,
    table_name: str | None = None,
    skip_unsupported: bool = False,
    say: bool = True,
) -> dict[str, Any]:
    """Create a version's table (see ``create``); returns what was created, and where."""
    defaults = run.defaults("create")
    chosen = _pick(run, version, "create")
    latest = run.layout.latest()
    if chosen.number < latest.number and not allow_non_latest:
        raise PluginError(
            f"version {chosen.name} is older than the latest ({latest.name}); pass "
            "--allow-non-latest to create it anyway"
        )
    override = table_name or defaults.get("table_name_override")
    found = run.definition(chosen)
    problems = translate.validate(found)
    if not problems:
        name = definition.table_name(found, run.env, chosen.name, override)
        if name.note:
            _say(f"note: {name.note}")
        plan, problems = translate.plan(found, run.env, name.value)
    if problems:
        more = (
            f" (and {len(problems) - 1} more; see `dynamodb tables validate`)"
            if len(problems) > 1
            else ""
        )
        raise PluginError(f"{found.shown}: {problems[0]}{more}")
    dynamodb, where = run.connect(say=say)
    features = plan.optional_features()
    skipped: list[str] = []
    if features and where.local:
        missing = missing_operations(dynamodb, features, where) or []
        if missing and not skip_unsupported:
            raise PluginError(
                f"{found.shown}: {where.describe()} does not implement {', '.join(missing)}; "
                "remove those properties for local use, or pass --skip-unsupported"
            )
        skipped = missing
    wait = float(max_seconds if max_seconds is not None else defaults["waiter"]["max_seconds"])
    table = plan.params["TableName"]
    params = dict(plan.params)
    if "TagResource" in skipped:
        params.pop("Tags", None)
    with aws.errors(where, f"creating table {table}"):
        dynamodb.create_table(**params)
    try:
        with aws.errors(where, f"setting up table {table}"):
            _follow_ups(dynamodb, plan, table, wait, skipped)
    except (PluginError, KeyboardInterrupt) as exc:
        # Rolled back: a table half set up is deleted, so a second create starts clean.
        try:
            dynamodb.delete_table(TableName=table)
            undone = f"; rolled back: table {table} deleted (create again once fixed)"
        except Exception as undo:  # noqa: BLE001 - said in the message
            undone = f"; table {table} is left half set up (deleting it failed: {undo})"
        if isinstance(exc, KeyboardInterrupt):
            _say(f"dynamodb: interrupted{undone}")
            raise
        raise PluginError(f"{exc}{undone}") from None
    for operation in skipped:
        _say(f"dynamodb: skipped {operation} (--skip-unsupported)")
    return {"table": table, "version": chosen.name, "status": "ACTIVE", **_target_json(where)}


def _follow_ups(
    dynamodb: Any, plan: translate.Creation, table: str, wait: float, skipped: list[str]
) -> None:
    """What ``create`` does once CreateTable is sent: wait until ACTIVE, then the calls that
    CreateTable cannot take."""
    aws.wait(dynamodb, table, until="active", seconds=wait)
    if plan.ttl and "UpdateTimeToLive" not in skipped:
        dynamodb.update_time_to_live(TableName=table, TimeToLiveSpecification=plan.ttl)
    if plan.pitr and "UpdateContinuousBackups" not in skipped:
        dynamodb.update_continuous_backups(
            TableName=table, PointInTimeRecoverySpecification=plan.pitr
        )
    if "UpdateContributorInsights" not in skipped:
        for call in plan.insights:
            dynamodb.update_contributor_insights(TableName=table, **call)
    if plan.kinesis and "EnableKinesisStreamingDestination" not in skipped:
        dynamodb.enable_kinesis_streaming_destination(TableName=table, **plan.kinesis)


def _named_table(run: Tables, command: str, version: str | None, table: str | None) -> str:
    table = table or run.defaults(command).get("table_name")
    if table is not None:
        return definition.check_name(table, "--table-name")
    return run.name(_pick(run, version, command))


def _before_destroying(run: Tables, where: aws.Target, action: str) -> None:
    """Against AWS, name the account (and profile and region) before acting."""
    if where.endpoint is None:
        account = aws.account(run.env, where)
        _say(f"dynamodb: {action} in AWS account {account or '(unknown)'}, {where.describe()}")


def delete(
    run: Tables, *, version: str | None, table: str | None, force: bool, max_seconds: float | None
) -> int:
    name = _named_table(run, "delete", version, table)
    if not force:
        raise PluginError(f"deleting table {name} needs --force")
    dynamodb, where = run.connect()
    _before_destroying(run, where, f"deleting table {name}")
    default = run.defaults("delete")["waiter"]["max_seconds"]
    wait = float(max_seconds if max_seconds is not None else default)
    with aws.errors(where, f"deleting table {name}"):
        dynamodb.delete_table(TableName=name)
        aws.wait(dynamodb, name, until="gone", seconds=wait)
    typer.echo(json.dumps({"table": name, "deleted": True, **_target_json(where)}))
    return 0


def purge(run: Tables, *, version: str | None, table: str | None, force: bool) -> int:
    name = _named_table(run, "purge", version, table)
    if not force:
        raise PluginError(f"purging table {name} needs --force")
    dynamodb, where = run.connect()
    _before_destroying(run, where, f"purging table {name}")
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
        from dynamodb_plugin.tables.migrate import BATCH, Pace, Writer

        writer = Writer(dynamodb, name, 4, Pace(None))
        try:
            for page in pages:
                items = page.get("Items", [])
                for i in range(0, len(items), BATCH):
                    batch = items[i : i + BATCH]
                    writer.submit([{"DeleteRequest": {"Key": item}} for item in batch])
                deleted += len(items)
        finally:
            writer.close()
    typer.echo(json.dumps({"table": name, "deleted_items": deleted, **_target_json(where)}))
    return 0


def _key_types(description: Mapping[str, Any]) -> dict[str, str]:
    types = {a["AttributeName"]: a["AttributeType"] for a in description["AttributeDefinitions"]}
    return {k["AttributeName"]: types[k["AttributeName"]] for k in description["KeySchema"]}


def migrate(
    run: Tables,
    *,
    source: str | None,
    target: str | None,
    source_table: str | None,
    target_table: str | None,
    dry_run: bool,
    force: bool,
    concurrency: int | None,
    page_size: int | None,
    segments: int | None = None,
    max_rate: float | None = None,
    resume: bool = False,
    as_json: bool = False,
) -> int:
    from dynamodb_plugin.tables import migrate as engine

    defaults = run.defaults("migrate")
    given = {
        "--from": (source or defaults.get("from_version"), "TABLE_VERSION_DEPLOYED"),
        "--to": (target or defaults.get("to_version"), "TABLE_VERSION"),
    }
    chosen: dict[str, Version] = {}
    for flag, (value, key) in given.items():
        text = value if value is not None else run.env.get(key)
        if not text:
            raise PluginError(f"{flag}: not given, and {key} is not set")
        chosen[flag] = run.layout.find(text)
    start, end = chosen["--from"], chosen["--to"]
    if start.number >= end.number:
        raise PluginError(f"--to ({end.name}) must be a later version than --from ({start.name})")
    steps, paths = [], []
    for v in run.layout.versions:
        if start.number < v.number <= end.number:
            path = run.layout.transform_file(v)
            shown = run.layout.shown_file(v, path)
            steps.append(engine.Step(v.name, engine.load_transform(path, shown, v.name), shown))
            paths.append(path)
    source_name = source_table or defaults.get("source_table") or run.name(start)
    target_name = target_table or defaults.get("target_table") or run.name(end)
    for flag, name in (("--source-table", source_name), ("--target-table", target_name)):
        definition.check_name(name, flag)
    if source_name == target_name:
        raise PluginError(f"--source-table and --target-table are both {source_name}")
    if not dry_run and not force:
        raise PluginError(
            f"migrate writes to table {target_name}; pass --force (or --dry-run to preview)"
        )
    if dry_run and resume:
        raise PluginError("--resume continues a migration that writes; it cannot go with --dry-run")
    max_rate = max_rate if max_rate is not None else defaults.get("max_rate")
    concurrency = concurrency or defaults.get("concurrency") or 8
    dynamodb, where = run.connect()
    if not dry_run:
        _before_destroying(run, where, f"writing to table {target_name}")
    with aws.errors(where, "reading the table schemas"):
        described = {
            n: dynamodb.describe_table(TableName=n)["Table"] for n in (source_name, target_name)
        }
    source_keys = [k["AttributeName"] for k in described[source_name]["KeySchema"]]
    checkpoint = None

    def identity() -> dict[str, Any]:
        return {
            "source": source_name,
            "target": target_name,
            "where": where.describe(),
            "steps": engine.fingerprint(steps, paths),
        }

    with contextlib.ExitStack() as held:
        if not dry_run:  # one run of a migration at a time: the checkpoint is its alone
            held.enter_context(_migration_lock(run, identity()))
        if resume:  # never with --dry-run (refused above)
            checkpoint = _resumed_checkpoint(run, identity(), segments)
            segments = checkpoint.segments
        chosen_segments = (
            segments
            or defaults.get("segments")
            or engine.default_segments(described[source_name].get("TableSizeBytes"))
        )
        if not dry_run and not resume:
            checkpoint = _fresh_checkpoint(run, identity(), chosen_segments)
        total = described[source_name].get("ItemCount")
        progress = _progress_line if sys.stderr.isatty() else None
        finished = False
        try:
            with aws.errors(where, f"migrating {source_name} to {target_name}"):
                summary = engine.run(
                    dynamodb,
                    source=source_name,
                    target=target_name,
                    source_keys=source_keys,
                    target_keys=_key_types(described[target_name]),
                    steps=steps,
                    dry_run=dry_run,
                    concurrency=concurrency,
                    page_size=page_size or defaults.get("page_size"),
                    segments=chosen_segments,
                    max_rate=max_rate,
                    checkpoint=checkpoint,
                    total=total if isinstance(total, int) else None,
                    progress=progress,
                )
            finished = True
        except KeyboardInterrupt:
            place = _stopped(run, checkpoint, "interrupted")
            raise PluginError(place or "migrate interrupted", exit_code=130) from None
        except PluginError as exc:
            place = _stopped(run, checkpoint, "stopped")
            raise PluginError(f"{exc}; {place}" if place else str(exc)) from None
        finally:
            if progress is not None:
                sys.stderr.write("\r\033[K")
            if finished and checkpoint is not None:
                checkpoint.remove()
    if summary.duplicates:
        _say(
            f"migrate: {summary.duplicates} output(s) repeated a key already written in this run "
            f"(first: {summary.first_duplicate}); one of each key was kept (with --segments 1, "
            "the first)"
        )
    report: dict[str, Any] = {
        "from": start.name,
        "to": end.name,
        "steps": [s.name for s in steps],
        "source": source_name,
        "target": target_name,
        "dry_run": dry_run,
        "read": summary.read,
        "written": summary.written,
        "dropped": summary.dropped,
        "duplicates": summary.duplicates,
        "segments": summary.segments,
        "seconds": round(summary.seconds, 3),
        "items_per_second": round(summary.read / summary.seconds) if summary.seconds else None,
        "throttled": summary.throttled,
        **({"max_rate": max_rate} if max_rate else {}),
        **({"resumed": summary.resumed} if summary.resumed else {}),
        **_target_json(where),
    }
    if as_json or not sys.stdout.isatty():
        typer.echo(json.dumps(report))
    else:
        resumed = f" (resumed: {summary.resumed['read']} read before)" if summary.resumed else ""
        verb = "would write" if dry_run else "wrote"
        typer.echo(
            f"migrate: read {summary.read} items from {source_name}{resumed}, {verb} "
            f"{summary.written} to {target_name} in {summary.seconds:.1f}s "
            f"({report['items_per_second'] or 0} items/s, {summary.segments} segment"
            f"{'s' if summary.segments != 1 else ''}); dropped {summary.dropped}, "
            f"duplicates {summary.duplicates}, throttled {summary.throttled}"
        )
    return 0


def _checkpoint_file(run: Tables, identity: dict[str, Any]) -> tuple[Any, str]:
    """Where the checkpoint of this migration lives, and how messages show it."""
    import hashlib

    from dynamodb_plugin.local import state

    digest = hashlib.sha256(
        json.dumps([identity["where"], identity["source"], identity["target"]]).encode()
    ).hexdigest()[:16]
    root = run.context.project_root or run.context.cwd
    path = state.state_dir(root) / "migrate" / f"{digest}.json"
    return path, run.context.shown(path)


@contextlib.contextmanager
def _migration_lock(run: Tables, identity: dict[str, Any]) -> Iterator[None]:
    """Hold the lock of this migration's checkpoint (a file beside it, never through a
    symlink) while the run lasts; a second run of the same migration is refused, not let
    near the first one's checkpoint."""
    import fcntl
    import os

    from dynamodb_plugin.local import state

    path, shown = _checkpoint_file(run, identity)
    from host_cli import private_folder

    private_folder(path.parent, run.context.shown(path.parent), error=PluginError)
    lock = path.with_suffix(".lock")
    with state.open_lock(lock) as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read(20).strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise PluginError(
                f"migrate: another run of this migration{who} is going on "
                f"({identity['source']} to {identity['target']}, checkpoint {shown}); "
                "wait for it to end, or stop it first"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _resumed_checkpoint(run: Tables, identity: dict[str, Any], segments: int | None) -> Any:
    """The checkpoint an interrupted run of this migration left (``segments``: the count
    given with ``--resume``, which must be the one it scanned in)."""
    from dynamodb_plugin.tables.migrate import Checkpoint

    path, shown = _checkpoint_file(run, identity)
    if not path.exists():
        raise PluginError(
            f"--resume: no checkpoint of a migration of {identity['source']} to "
            f"{identity['target']} ({shown}); run without --resume"
        )
    found = Checkpoint.load(path, identity, shown)
    if segments and segments != found.segments:
        raise PluginError(
            f"--segments {segments}: the interrupted run scanned in {found.segments} "
            "segments, and its positions hold only for those; leave --segments out"
        )
    return found


def _fresh_checkpoint(run: Tables, identity: dict[str, Any], segments: int) -> Any:
    """A new checkpoint of this migration; an earlier one is removed, with a note."""
    from dynamodb_plugin.tables.migrate import Checkpoint

    path, shown = _checkpoint_file(run, identity)
    if path.exists():
        _say(
            f"migrate: {shown} held the place of an interrupted run; starting over "
            "(--resume would have continued it)"
        )
        try:
            path.unlink()  # never resumed from later: this run may start from other data
        except OSError as exc:
            raise PluginError(f"{shown}: cannot remove it ({exc.strerror})") from None
    return Checkpoint(path, identity, segments, shown)


def _stopped(run: Tables, checkpoint: Any, how: str) -> str | None:
    """Where an interrupted run left off, when its checkpoint holds a place."""
    if checkpoint is None or not checkpoint.saved or not checkpoint.path.exists():
        return None
    counts = checkpoint.counts
    return (
        f"migrate {how} with {counts['written']} items written for good; the same command "
        f"with --resume continues from {run.context.shown(checkpoint.path)}"
    )


def _progress_line(p: Any) -> None:
    rate = p.read / p.seconds if p.seconds > 0 else 0.0
    line = f"migrate: read {p.read + p.before:,}"
    if p.total:
        done = p.read + p.before
        line += f" of ~{p.total:,} ({min(100, 100 * done // max(p.total, 1))}%)"
    line += f", written {p.written:,}, {rate:,.0f} items/s"
    if p.total and rate > 0:
        left = max(0, p.total - p.read - p.before) / rate
        line += f", ETA {int(left // 60)}:{int(left % 60):02d}"
    sys.stderr.write(f"\r\033[K{line}")
    sys.stderr.flush()
