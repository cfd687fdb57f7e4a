"""``aws whoami``: the caller's identity (STS GetCallerIdentity) as JSON."""

# No `from __future__ import annotations`: typer reads the command's annotations.

import json

import typer

from host_cli.cli.builtin.aws.group import aws_of


def whoami(ctx: typer.Context) -> None:
    """Print the AWS caller identity (STS GetCallerIdentity: UserId, Account, Arn) as JSON."""
    aws = aws_of(ctx)
    with aws.errors("aws whoami"):
        sts = aws.client("sts")
        answer = sts.get_caller_identity()
    identity = {key: answer[key] for key in ("UserId", "Account", "Arn") if key in answer}
    typer.echo(json.dumps(identity, indent=2))
