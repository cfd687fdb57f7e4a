"""``getdotenv dynamodb local ...``: thin typer commands over ``lifecycle``."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from host_cli import get_context

if TYPE_CHECKING:
    from host_cli import HostContext

local_app = typer.Typer(
    help=(
        "Run a local DynamoDB: your config commands (plugins.dynamodb.local.start|stop|"
        "status|ready), else the built-in server (the [local] extra: moto[dynamodb], flask, "
        "flask-cors), else guidance. Its endpoint is DYNAMODB_LOCAL_ENDPOINT in every "
        "command's environment."
    ),
    no_args_is_help=True,
)
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


class TtlMode(StrEnum):
    expire = "expire"
    off = "off"


def _context(ctx: typer.Context, port: int | None) -> tuple[HostContext, int | None]:
    """The context and the ``--port`` (0: a free one).

    The port is laid over the config only where config commands run: their strings may spell
    ``$DYNAMODB_LOCAL_PORT``, which the host expands. Otherwise ``lifecycle.load`` gives the
    children the variables derived from it, and the host validates no new slice (a new
    slice costs importing pydantic, about 100 ms, on every ``--port 0``)."""
    if port == 0:
        from dynamodb_plugin.local.state import free_port

        port = free_port()
    context = get_context(ctx)
    if port is not None:
        from dynamodb_plugin import settings
        from dynamodb_plugin.local import backends

        if backends.mode(settings.load(context.configs).config["local"]) == "config":
            local = {"port": port, "endpoint": f"http://localhost:{port}"}
            context = get_context(ctx, config_overrides={"dynamodb": {"local": local}})
    return context, port


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
    ttl: Annotated[
        TtlMode | None,
        typer.Option(
            help="expire: the built-in server deletes expired items (TTL) within "
            "local.ttlInterval seconds (default 5); off: never, as DynamoDB Local "
            "[default: local.ttl, off]."
        ),
    ] = None,
) -> None:
    """Start the local DynamoDB and wait until it answers; exit 0 if it already runs."""
    from dynamodb_plugin.local import lifecycle as local

    context, port = _context(ctx, port)
    mode = ttl.value if ttl is not None else None
    raise typer.Exit(
        local.start(context, port=port, timeout=timeout, in_memory=in_memory, ttl=mode)
    )


@local_app.command()
def stop(
    ctx: typer.Context,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds to wait for the snapshot and the exit, then for SIGTERM."),
    ] = 30.0,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Stop even when the data cannot be saved (what changed is lost)."
        ),
    ] = False,
) -> None:
    """Stop the local DynamoDB this project started (only that very process). The built-in
    server saves its data first; if that fails it keeps running and stop exits 1."""
    from dynamodb_plugin.local import lifecycle as local

    raise typer.Exit(local.stop(get_context(ctx), timeout=timeout, force=force))


@local_app.command()
def status(
    ctx: typer.Context,
    port: PortOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the state as JSON.")] = False,
    timeout: Annotated[
        float,
        typer.Option(help="Seconds plugins.dynamodb.local.status may run before it is killed."),
    ] = 5.0,
) -> None:
    """Exit 0 when the local DynamoDB runs, 1 when not, 3 when none is configured."""
    from dynamodb_plugin.local import lifecycle as local

    context, port = _context(ctx, port)
    raise typer.Exit(local.status(context, port=port, as_json=as_json, timeout=timeout))


@local_app.command()
def ready(
    ctx: typer.Context,
    port: PortOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            help="Seconds to keep probing (or running plugins.dynamodb.local.ready, killed "
            "past it)."
        ),
    ] = 5.0,
) -> None:
    """Exit 0 when a signed ListTables answers at the endpoint within --timeout, else 1."""
    from dynamodb_plugin.local import lifecycle as local

    context, port = _context(ctx, port)
    raise typer.Exit(local.ready(context, port=port, timeout=timeout))
