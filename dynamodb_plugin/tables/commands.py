"""``getdotenv dynamodb tables ...``: thin typer commands over ``ops``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from host_cli import get_context

if TYPE_CHECKING:
    from dynamodb_plugin.tables.ops import Tables

tables_app = typer.Typer(
    help=(
        "Versioned tables: one tables/NNN/table.yml per version (a bare AWS::DynamoDB::Table "
        "resource, a CloudFormation template or a Serverless resources fragment). Commands "
        "talk to the local DynamoDB (DYNAMODB_LOCAL_ENDPOINT) unless AWS_ENDPOINT_URL_DYNAMODB, "
        "AWS_ENDPOINT_URL or DYNAMODB_ENDPOINT names another endpoint; to AWS only with --aws "
        "(or DYNAMODB_LOCAL_ENDPOINT set empty). Defaults of their flags come from "
        'plugins.dynamodb.<command> (or the TypeScript plugin\'s plugins["aws/dynamodb"]).'
    ),
    no_args_is_help=True,
)
VersionOption = Annotated[
    str | None,
    typer.Option("--version", help="Version, e.g. 001 [default: config, else the latest]."),
]
TableNameOption = Annotated[
    str | None, typer.Option("--table-name", help="A table by name instead of a version.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Really do it.")]
WaitOption = Annotated[
    float | None,
    typer.Option("--max-seconds", help="Seconds to wait for the table [default: config, 60]."),
]
AwsOption = Annotated[
    bool,
    typer.Option(
        "--aws",
        help="Talk to AWS itself (profile, region and credentials as boto3 finds them), not "
        "the local DynamoDB.",
    ),
]
ResourceOption = Annotated[
    str | None,
    typer.Option(
        "--resource",
        metavar="ID",
        help="Logical id of the table in files that hold several [default: "
        "plugins.dynamodb.tables.resource].",
    ),
]


def _tables(ctx: typer.Context, *, use_aws: bool = False, resource: str | None = None) -> Tables:
    from dynamodb_plugin.tables import ops
    from host_cli import aws_context

    # Mounted under `aws` (`aws dynamodb tables ... --aws`), AWS is reached with the aws
    # group's profile, region and credentials; nothing is resolved without --aws.
    parent = aws_context(ctx) if use_aws else None
    env = parent.env() if parent is not None else None
    return ops.load(get_context(ctx), use_aws=use_aws, resource=resource, env=env)


@tables_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """List versions, their table names, which are TABLE_VERSION and TABLE_VERSION_DEPLOYED,
    and whether each table exists at the target."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(
        ops.list_versions(_tables(ctx, use_aws=use_aws, resource=resource), as_json=as_json)
    )


@tables_app.command()
def generate(
    ctx: typer.Context,
    version: Annotated[
        str | None,
        typer.Option("--version", help="The new version, e.g. 002 [default: config]."),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing table.yml.")
    ] = False,
    resource: ResourceOption = None,
) -> None:
    """Write tables/NNN/table.yml from tables/table.template.yml, else from the latest
    version (comments kept), else a starter table; its TableName is ${param:STAGE_NAME}-NNN."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(ops.generate(_tables(ctx, resource=resource), version=version, force=force))


@tables_app.command()
def validate(
    ctx: typer.Context,
    version: Annotated[
        str | None, typer.Option("--version", help="One version [default: config, else all].")
    ] = None,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """Report everything create would refuse: the file's shape, key attributes defined and
    used, billing mode against throughput, values that cannot be resolved here, and
    features the target does not implement. One line per problem, with the dotted key; exit 1
    if any."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(
        ops.validate(_tables(ctx, use_aws=use_aws, resource=resource), version=version)
    )


@tables_app.command()
def create(
    ctx: typer.Context,
    version: VersionOption = None,
    allow_non_latest: Annotated[
        bool, typer.Option("--allow-non-latest", help="Allow a version older than the latest.")
    ] = False,
    max_seconds: WaitOption = None,
    table_name: Annotated[
        str | None,
        typer.Option(
            "--table-name",
            help="Create the table under this name (the TypeScript --table-name-override) "
            "[default: plugins.dynamodb.create.tableNameOverride].",
        ),
    ] = None,
    skip_unsupported: Annotated[
        bool,
        typer.Option(
            "--skip-unsupported",
            help="On a local DynamoDB without them, skip contributor insights and Kinesis "
            "streaming instead of refusing.",
        ),
    ] = False,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """Create a version's table: Properties translated to CreateTable input (Serverless
    variables resolved from the environment), wait until ACTIVE, then time to live,
    point-in-time recovery, contributor insights and Kinesis streaming."""
    from dynamodb_plugin.tables import ops

    code = ops.create(
        _tables(ctx, use_aws=use_aws, resource=resource),
        version=version,
        allow_non_latest=allow_non_latest,
        max_seconds=max_seconds,
        table_name=table_name,
        skip_unsupported=skip_unsupported,
    )
    raise typer.Exit(code)


@tables_app.command()
def delete(
    ctx: typer.Context,
    version: VersionOption = None,
    table_name: TableNameOption = None,
    force: ForceOption = False,
    max_seconds: WaitOption = None,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """Delete a version's table (or --table-name); needs --force. Against AWS it names the
    account, profile and region first."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(
        ops.delete(
            _tables(ctx, use_aws=use_aws, resource=resource),
            version=version,
            table=table_name,
            force=force,
            max_seconds=max_seconds,
        )
    )


@tables_app.command()
def purge(
    ctx: typer.Context,
    version: VersionOption = None,
    table_name: TableNameOption = None,
    force: ForceOption = False,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """Delete every item of a version's table (or --table-name); keeps the table; needs
    --force. Against AWS it names the account, profile and region first."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(
        ops.purge(
            _tables(ctx, use_aws=use_aws, resource=resource),
            version=version,
            table=table_name,
            force=force,
        )
    )


@tables_app.command()
def migrate(
    ctx: typer.Context,
    from_version: Annotated[
        str | None,
        typer.Option("--from", help="Source version [default: config, TABLE_VERSION_DEPLOYED]."),
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="Target version [default: config, TABLE_VERSION].")
    ] = None,
    source_table: Annotated[
        str | None,
        typer.Option("--source-table", help="Read this table instead of the --from version's."),
    ] = None,
    target_table: Annotated[
        str | None,
        typer.Option("--target-table", help="Write this table instead of the --to version's."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and transform, write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Write to the target table.")] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            min=1, max=64, help="Parallel batch writers [default: migrate.concurrency, 8]."
        ),
    ] = None,
    page_size: Annotated[
        int | None,
        typer.Option(min=1, help="Items per scan page [default: as many as fit in 1 MB]."),
    ] = None,
    segments: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=1000,
            help="Parallel scan segments [default: migrate.segments, else one per 2 GB of the "
            "source as DescribeTable reports it].",
        ),
    ] = None,
    max_rate: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help="At most this many write capacity units a second [default: migrate.maxRate, "
            "no cap].",
        ),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted migration from its checkpoint instead of starting over.",
        ),
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the JSON summary on a terminal too.")
    ] = False,
    use_aws: AwsOption = False,
    resource: ResourceOption = None,
) -> None:
    """Copy items from the --from table to the --to table through the transform.py of every
    version after --from up to --to (transform(item) -> item | [items] | None). The source is
    only read (a parallel scan); throttled writes back off and are retried, never dropped. A
    checkpoint in .getdotenv/migrate/ keeps the place: after an interruption, --resume
    continues where it stopped. Progress on a terminal, a JSON summary otherwise."""
    from dynamodb_plugin.tables import ops

    raise typer.Exit(
        ops.migrate(
            _tables(ctx, use_aws=use_aws, resource=resource),
            source=from_version,
            target=to_version,
            source_table=source_table,
            target_table=target_table,
            dry_run=dry_run,
            force=force,
            concurrency=concurrency,
            page_size=page_size,
            segments=segments,
            max_rate=max_rate,
            resume=resume,
            as_json=as_json,
        )
    )
