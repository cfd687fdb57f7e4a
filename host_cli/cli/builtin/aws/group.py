"""The ``aws`` command group: its flags, its children, and forwarding to the AWS CLI.

``aws [FLAGS] CHILD ...`` runs a child (``whoami``, ``secrets``, a mounted plugin) with the
resolved context; ``aws [FLAGS] -- ARGS`` and ``aws [FLAGS] WORD ...`` (a word that names no
child) run the AWS CLI with ``ARGS`` in the resolved environment and pass its exit code
through; ``aws [FLAGS]`` alone resolves and prints what it resolved on stderr.
"""

# No `from __future__ import annotations`: typer reads the callback's annotations.

from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from host_cli.cli.builtin.aws.context import AwsContext
from host_cli.cli.builtin.aws.settings import STRATEGIES
from host_cli.cli.lazy import deferred, deferred_app

HELP = """Resolve an AWS profile, region and credentials (through botocore: no AWS CLI
needed) and run the AWS CLI or a child command with them.

\b
  profile: --profile > plugins.aws.profile > $AWS_LOCAL_PROFILE > $AWS_PROFILE
  region:  --region > plugins.aws.region > $AWS_REGION > $AWS_DEFAULT_REGION
           > the profile's region > --default-region / plugins.aws.defaultRegion
  credentials (strategy cli-export): the profile's (static keys, credential_process,
           assume-role, SSO with a cached token), else $AWS_ACCESS_KEY_ID, else botocore's
           default chain; strategy none: none.

The flags apply to this command and to every command below it. A child's environment gets
the credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; AWS_PROFILE
and AWS_SECURITY_TOKEN removed), or AWS_PROFILE + AWS_SDK_LOAD_CONFIG=1 without credentials,
and both AWS_REGION and AWS_DEFAULT_REGION: over the .env files.
Nothing is resolved until a command needs it.

`aws -- ARGS` (or a first word that names no command here) runs the AWS CLI (v1 or v2) with
ARGS and exits with its code: `aws -- dynamodb list-tables` reaches the AWS CLI's dynamodb
even where a dynamodb command is mounted here. `aws` alone prints what it resolved.
See docs/aws.md."""

FORWARD = "\0aws-cli"  # the stand-in name of "the AWS CLI" after `--`: no word a user types


class Forward(typer.core.TyperCommand):
    """Runs the AWS CLI with the words given, verbatim (``--help`` included)."""

    def __init__(self) -> None:
        super().__init__(name="aws-cli", add_help_option=False, help="Run the AWS CLI.")

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.args = list(args)
        return list(args)

    def invoke(self, ctx: Any) -> Any:
        from host_cli.cli.builtin.aws.forward import forward

        aws = aws_of(ctx)
        ctx.exit(forward(aws, ctx.args))


class AwsGroup(TyperGroup):
    """A group whose unknown first word (and whatever follows ``--``) goes to the AWS CLI."""

    def _takes_value(self, token: str) -> bool:
        for param in self.params:
            if token in getattr(param, "opts", ()) and not getattr(param, "is_flag", False):
                return True
        return False

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--" in args:
            at = args.index("--")
            head, i = args[:at], 0
            while i < len(head) and head[i].startswith("-"):
                i += 2 if self._takes_value(head[i]) else 1
            if i >= len(head):  # only aws's own options before `--`
                args = [*head, FORWARD, *args[at + 1 :]]
        return super().parse_args(ctx, args)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name == FORWARD:
            return Forward()
        return super().get_command(ctx, cmd_name)

    def resolve_command(self, ctx: Any, args: list[str]) -> tuple[str | None, Any, list[str]]:
        if args and (args[0] == FORWARD or super().get_command(ctx, args[0]) is None):
            rest = args[1:] if args[0] == FORWARD else list(args)
            return "aws-cli", Forward(), rest
        return super().resolve_command(ctx, args)


app = typer.Typer(
    cls=AwsGroup,
    invoke_without_command=True,
    add_completion=False,
    rich_markup_mode=None,
    help=HELP,
    context_settings={"ignore_unknown_options": True, "help_option_names": ["-h", "--help"]},
)


def aws_of(ctx: Any) -> AwsContext:
    """The ``AwsContext`` of the running aws group (published by its callback)."""
    from host_cli.cli.builtin.aws.context import aws_context

    found = aws_context(ctx)
    if found is None:  # pragma: no cover - the callback always runs first
        raise RuntimeError("not running under the aws group")
    return found


@app.callback()
def aws(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", help="AWS profile (beats config and .env).")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="AWS region (beats config and .env).")
    ] = None,
    default_region: Annotated[
        str | None,
        typer.Option("--default-region", help="Region when none is found otherwise."),
    ] = None,
    strategy: Annotated[
        str | None,
        typer.Option(
            "--strategy",
            help="Credentials: cli-export (resolve them, the default) or none (profile only).",
        ),
    ] = None,
    login_on_demand: Annotated[
        bool | None,
        typer.Option(
            "--login-on-demand/--no-login-on-demand",
            help="Run `aws sso login --profile=P` once when the SSO token is missing or expired "
            "(needs the AWS CLI v2); default: plugins.aws.loginOnDemand, else off.",
        ),
    ] = None,
    profile_key: Annotated[
        str | None,
        typer.Option("--profile-key", help="Variable naming the profile (AWS_LOCAL_PROFILE)."),
    ] = None,
    profile_fallback_key: Annotated[
        str | None,
        typer.Option("--profile-fallback-key", help="Fallback profile variable (AWS_PROFILE)."),
    ] = None,
    region_key: Annotated[
        str | None, typer.Option("--region-key", help="Variable naming the region (AWS_REGION).")
    ] = None,
) -> None:
    if strategy is not None and strategy not in STRATEGIES:
        raise typer.BadParameter(
            f"expected one of {', '.join(STRATEGIES)}", param_hint="--strategy"
        )
    from host_cli.cli.mounts import path_of, publish

    flags = {
        "profile": profile,
        "region": region,
        "default_region": default_region,
        "strategy": strategy,
        "login_on_demand": login_on_demand,
        "profile_key": profile_key,
        "profile_fallback_key": profile_fallback_key,
        "region_key": region_key,
    }
    context = AwsContext(ctx, flags, path_of(ctx))
    publish(ctx, context)
    if ctx.invoked_subcommand is None:
        from host_cli.cli.builtin.aws.forward import summary

        summary(context)


app.command("whoami")(deferred("host_cli.cli.builtin.aws.whoami:whoami"))
app.add_typer(
    deferred_app(
        "host_cli.cli.builtin.aws.secrets:app",
        help="AWS Secrets Manager secrets as dotenv files: pull, push, delete.",
    ),
    name="secrets",
)
