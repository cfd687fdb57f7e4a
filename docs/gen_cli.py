"""Regenerate docs/cli.md from the CLI's own --help (run by `nox -s docs`; checked by a test).

Only the plugins of this distribution are loaded, so the page does not depend on what
else is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

OUR_PLUGINS = "dynamodb"  # entry-point names shipped by this distribution, comma-separated
PAGES = [
    [],
    ["cmd"],
    ["batch"],
    ["init"],
    ["check"],
    ["plugins"],
    ["schema"],
    ["get"],
    ["export"],
    ["set"],
    ["unset"],
    ["dynamodb"],
    ["dynamodb", "local"],
    ["dynamodb", "local", "start"],
    ["dynamodb", "local", "stop"],
    ["dynamodb", "local", "status"],
    ["dynamodb", "local", "ready"],
    ["dynamodb", "tables"],
    *(
        ["dynamodb", "tables", name]
        for name in ("list", "generate", "validate", "create", "delete", "purge", "migrate")
    ),
    ["aws", "secrets"],
    *(["aws", "secrets", name] for name in ("pull", "push", "delete")),
]
HEADER = (
    "# Command-line reference\n\n"
    "Generated from `--help` by `docs/gen_cli.py`; do not edit by hand.\n"
)


def help_text(path: list[str]) -> str:
    env = {**os.environ, "COLUMNS": "100", "GETDOTENV_LOAD_PLUGINS": OUR_PLUGINS}
    out = subprocess.run(
        [sys.executable, "-m", "host_cli", *path, "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.replace("Usage: python -m host_cli", "Usage: getdotenv")


def render() -> str:
    parts = [HEADER]
    for path in PAGES:
        title = " ".join(["getdotenv", *path])
        parts.append(f"\n## `{title}`\n\n```text\n{help_text(path).rstrip()}\n```\n")
    return "".join(parts)


if __name__ == "__main__":
    target = Path(__file__).with_name("cli.md")
    target.write_text(render())
    print(f"wrote {target}")
