"""``getdotenv dynamodb tables ...``: thin typer commands over ``ops``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from host_cli import get_context

if TYPE_CHECKING:
    pass

tables_app = typer.Typer(
    help=(
        "Versioned tables: one tables/NNN/table.yml (a bare AWS::DynamoDB::Table resource) per "
        "version, named ${param:STAGE_NAME}-NNN. Commands talk to AWS_ENDPOINT_URL_DYNAMODB, "
        "else DYNAMODB_ENDPOINT, else DYNAMODB_LOCAL_ENDPOINT, else AWS itself."
    ),
    no_args_is_help=True,
)
VersionOption = Annotated[
    str | None, typer.Option("--version", help="Version, e.g. 001 [default: the latest].")
]
TableNameOption = Annotated[
    str | None, typer.Option("--table-name", help="A table by name instead of a version.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Really do it.")]
WaitOption = Annotated[float, typer.Option("--max-seconds", help="Seconds to wait for the table.")]


@tables_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List versions, their table names, which are TABLE_VERSION and TABLE_VERSION_DEPLOYED,
    and whether each table exists at the endpoint."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(tables.list_versions(get_context(ctx), as_json=as_json))


@tables_app.command()
def generate(
    ctx: typer.Context,
    version: Annotated[str, typer.Option("--version", help="The new version, e.g. 002.")],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing table.yml.")
    ] = False,
) -> None:
    """Write tables/NNN/table.yml from tables/table.template.yml, else from the latest
    version (comments kept), with TableName ${param:STAGE_NAME}-NNN."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(tables.generate(get_context(ctx), version=version, force=force))


@tables_app.command()
def validate(
    ctx: typer.Context,
    version: Annotated[
        str | None, typer.Option("--version", help="One version [default: all].")
    ] = None,
) -> None:
    """Check table.yml: its shape, the TableName form, key attributes defined and used,
    billing mode against throughput. Prints one line per problem; exit 1 if any."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(tables.validate(get_context(ctx), version=version))


@tables_app.command()
def create(
    ctx: typer.Context,
    version: VersionOption = None,
    allow_non_latest: Annotated[
        bool, typer.Option("--allow-non-latest", help="Allow a version older than the latest.")
    ] = False,
    max_seconds: WaitOption = 60.0,
) -> None:
    """Create a version's table: Properties translated to CreateTable input (${param:NAME}
    resolved from the environment), then time to live and point-in-time recovery; waits
    until ACTIVE."""
    from dynamodb_plugin.tables import ops as tables

    code = tables.create(
        get_context(ctx),
        version=version,
        allow_non_latest=allow_non_latest,
        max_seconds=max_seconds,
    )
    raise typer.Exit(code)


@tables_app.command()
def delete(
    ctx: typer.Context,
    version: VersionOption = None,
    table_name: TableNameOption = None,
    force: ForceOption = False,
    max_seconds: WaitOption = 60.0,
) -> None:
    """Delete a version's table (or --table-name); needs --force."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(
        tables.delete(
            get_context(ctx),
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
) -> None:
    """Delete every item of a version's table (or --table-name); keeps the table; needs --force."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(tables.purge(get_context(ctx), version=version, table=table_name, force=force))


@tables_app.command()
def migrate(
    ctx: typer.Context,
    from_version: Annotated[
        str | None, typer.Option("--from", help="Source version [default: TABLE_VERSION_DEPLOYED].")
    ] = None,
    to_version: Annotated[
        str | None, typer.Option("--to", help="Target version [default: TABLE_VERSION].")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and transform, write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Write to the target table.")] = False,
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Parallel batch writers.")] = 8,
    page_size: Annotated[
        int | None,
        typer.Option(min=1, help="Items per scan page [default: as many as fit in 1 MB]."),
    ] = None,
) -> None:
    """Copy items from the --from table to the --to table through the transform.py of every
    version after --from up to --to (transform(item) -> item | [items] | None). Prints a JSON
    summary; the source is only read, and a rerun completes an interrupted migration."""
    from dynamodb_plugin.tables import ops as tables

    raise typer.Exit(
        tables.migrate(
            get_context(ctx),
            source=from_version,
            target=to_version,
            dry_run=dry_run,
            force=force,
            concurrency=concurrency,
            page_size=page_size,
        )
    )
