"""Running the AWS CLI in the resolved environment, and ``aws`` alone's summary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from host_cli.cli.builtin.aws.context import AwsContext


def forward(aws: AwsContext, args: Sequence[str]) -> int:
    """Run ``aws ARGS`` (v1 or v2) with the resolved environment; its exit code."""
    from host_cli.cli.builtin.aws.resolve import _aws_cli
    from host_cli.support import proc

    env = aws.env()
    program = _aws_cli(env)
    return proc.run([program, *args], env)


def summary(aws: AwsContext) -> None:
    """``aws`` alone: resolve, and say what was resolved (never a secret) on stderr."""
    resolved = aws.resolved
    creds = resolved.credentials
    if creds is not None:
        kind = "temporary" if creds.token else "long-term"
        until = f", expire {creds.expiry}" if creds.expiry else ""
        what = f"{kind} credentials ({creds.method}{until})"
    elif resolved.strategy == "none":
        what = "no credentials (strategy none)"
    else:
        what = "no credentials"
    profile = (
        f"profile {resolved.profile} (from {resolved.profile_source})"
        if resolved.profile
        else "no profile"
    )
    region = (
        f"region {resolved.region} (from {resolved.region_source})"
        if resolved.region
        else "no region"
    )
    print(f"aws: {profile}, {region}, {what}", file=sys.stderr)
