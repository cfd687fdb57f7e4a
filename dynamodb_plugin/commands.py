"""``getdotenv dynamodb ...``: thin typer commands over ``local`` (and ``tables``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from host_cli import get_context

if TYPE_CHECKING:
    from host_cli import HostContext

dynamodb_app = typer.Typer(
    help="A local DynamoDB for development, and versioned table definitions.",
    no_args_is_help=True,
)
local_app = typer.Typer(
    help=(
        "Run a local DynamoDB: your config commands (plugins.dynamodb.local.start|stop|"
        "status|ready), else the built-in server (pip install 'getdotenv[local]'), else "
        "guidance. Its endpoint is DYNAMODB_LOCAL_ENDPOINT in every command's environment."
    ),
    no_args_is_help=True,
)
dynamodb_app.add_typer(local_app, name="local")

PortOption = Annotated[
    int | None,
    typer.Option(
        "--port",
        min=0,
        max=65535,
        help="Port, overriding plugins.dynamodb.local.port and the endpoint derived from it; "
        "0 picks a free port.",
    ),
]


def _context(ctx: typer.Context, port: int | None) -> HostContext:
    overrides = None
    if port is not None:
        if port == 0:
            from dynamodb_plugin.state import free_port

            port = free_port()
        overrides = {"dynamodb": {"local": {"port": port, "endpoint": None}}}
    return get_context(ctx, config_overrides=overrides)


@local_app.command()
def start(
    ctx: typer.Context,
    port: PortOption = None,
    timeout: Annotated[
        float | None,
        typer.Option(help="Seconds to wait until ListTables answers [default: local.timeout, 30]."),
    ] = None,
    in_memory: Annotated[
        bool, typer.Option("--in-memory", help="Keep no data across stop/start (built-in server).")
    ] = False,
) -> None:
    """Start the local DynamoDB and wait until it answers; exit 0 if it already runs."""
    from dynamodb_plugin import local

    context = _context(ctx, port)
    wait = timeout if timeout is not None else context.configs.data("dynamodb")["local"]["timeout"]
    raise typer.Exit(local.start(context, timeout=wait, in_memory=in_memory))


@local_app.command()
def stop(
    ctx: typer.Context,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait after SIGTERM before SIGKILL.")
    ] = 30.0,
) -> None:
    """Stop the local DynamoDB this project started (only that very process); data is kept."""
    from dynamodb_plugin import local

    raise typer.Exit(local.stop(get_context(ctx), timeout=timeout))


@local_app.command()
def status(
    ctx: typer.Context,
    port: PortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
) -> None:
    """Exit 0 when the local DynamoDB runs, 1 when not, 3 when none is configured."""
    from dynamodb_plugin import local

    raise typer.Exit(local.status(_context(ctx, port), as_json=as_json))


@local_app.command()
def ready(
    ctx: typer.Context,
    port: PortOption = None,
    timeout: Annotated[float, typer.Option(help="Seconds to keep probing.")] = 5.0,
) -> None:
    """Exit 0 when a signed ListTables answers at the endpoint within --timeout, else 1."""
    from dynamodb_plugin import local

    raise typer.Exit(local.ready(_context(ctx, port), timeout=timeout))


tables_app = typer.Typer(
    help=(
        "Versioned tables: one tables/NNN/table.yml (a bare AWS::DynamoDB::Table resource) per "
        "version, named ${param:STAGE_NAME}-NNN. Commands talk to AWS_ENDPOINT_URL_DYNAMODB, "
        "else DYNAMODB_ENDPOINT, else DYNAMODB_LOCAL_ENDPOINT, else AWS itself."
    ),
    no_args_is_help=True,
)
dynamodb_app.add_typer(tables_app, name="tables")

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
    from dynamodb_plugin import tables

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
