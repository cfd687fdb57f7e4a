"""``init``: scaffold a config file, ``.env`` and ``.env.local`` examples, ``.gitignore`` lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from host_cli.support.errors import OptionError

YAML_CONFIG = """\
# getdotenv (and get-dotenv) config: https://github.com/karmaniverous/get-dotenv
rootOptionDefaults:
  paths: ./              # folders with .env files, later ones win
  defaultEnv: dev        # the environment when neither -e nor DEFAULT_ENV picks one
scripts:
  env: env               # `getdotenv cmd env` prints the composed environment
vars:
  SERVICE_NAME: my-service
envVars:
  dev:
    STAGE: dev
requiredKeys:
  - SERVICE_NAME
plugins: {}
"""

JSON_CONFIG = {
    "rootOptionDefaults": {"paths": "./", "defaultEnv": "dev"},
    "scripts": {"env": "env"},
    "vars": {"SERVICE_NAME": "my-service"},
    "envVars": {"dev": {"STAGE": "dev"}},
    "requiredKeys": ["SERVICE_NAME"],
    "plugins": {},
}

DOTENV = """\
# Public values, committed. Private ones go to .env.local, per-environment ones to .env.<env>.
LOG_LEVEL=info
DATABASE_HOST=localhost
DATABASE_URL=postgres://${DATABASE_HOST}/app
"""

DOTENV_LOCAL = """\
# Private values: this file is git-ignored (*.local). Never commit secrets.
DB_PASSWORD=change-me
"""

GITIGNORE_LINES = ("*.local", "getdotenv.config.local.*", ".getdotenv/")


def _interactive() -> bool:
    try:
        return sys.stdin.isatty() and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def scaffold(dest: Path, shown: str, *, fmt: str, force: bool) -> list[str]:
    """Write the files; returns one line per file saying what happened."""
    from host_cli.support.files import read_text
    from host_cli.support.serialize import write_atomically

    def label_of(name: str) -> str:
        return f"{shown.rstrip('/')}/{name}" if shown != "." else name

    from host_cli.engine.config import PUBLIC_NAMES

    config_name = f"getdotenv.config.{fmt}"
    report = []
    # The first of getdotenv.config.json|yaml|yml wins: a second format beside an existing
    # config would be ignored without a word. Keep to the existing file (and its format).
    existing = next((n for n in PUBLIC_NAMES if n != config_name and (dest / n).exists()), None)
    if existing is not None:
        report.append(
            f"kept {label_of(existing)}: init writes no {config_name} beside it (the first of "
            f"{', '.join(PUBLIC_NAMES)} is read, so the other would be ignored)"
        )
        config_name = existing
        fmt = "json" if existing.endswith(".json") else "yaml"
    config_text = YAML_CONFIG if fmt == "yaml" else json.dumps(JSON_CONFIG, indent=2) + "\n"
    for name, text in ((config_name, config_text), (".env", DOTENV), (".env.local", DOTENV_LOCAL)):
        path = dest / name
        label = label_of(name)
        if path.is_dir():
            raise OptionError(f"init: {label} is a folder; move it away or choose another folder")
        if (
            path.exists()
            and not force
            and not (
                _interactive()
                and typer.confirm(f"{label} exists; overwrite it?", default=False, err=True)
            )
        ):
            report.append(f"skipped {label} (it exists; --force overwrites)")
            continue
        # The config is committed; the .env examples hold values and are the user's alone.
        write_atomically(path, text, shown="init", mode=0o644 if name == config_name else 0o600)
        report.append(f"wrote {label}")
    ignore = dest / ".gitignore"
    label = label_of(".gitignore")
    current = read_text(ignore, label, error=OptionError, what="a .gitignore file") or ""
    have = {line.strip() for line in current.splitlines()}
    missing = [line for line in GITIGNORE_LINES if line not in have]
    if missing:
        joined = ("" if not current or current.endswith("\n") else "\n") + "".join(
            f"{m}\n" for m in missing
        )
        write_atomically(ignore, current + joined, shown="init", mode=0o644)
        report.append(f"added {', '.join(missing)} to {label}")
    else:
        report.append(f"{label} already ignores {', '.join(GITIGNORE_LINES)}")
    return report


def init(
    dest: Annotated[
        str, typer.Argument(help="Folder to scaffold [default: the current one].")
    ] = ".",
    fmt: Annotated[str, typer.Option("--format", help="Config format: yaml or json.")] = "yaml",
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Write getdotenv.config.yaml (or .json), a .env and a .env.local example, and add *.local
    and .getdotenv/ to .gitignore. Never overwrites a file without --force (on a terminal it
    asks); without a terminal it skips existing files. Where a config file of another format
    exists, it is kept as the config (a second format would be ignored)."""
    if fmt not in ("yaml", "json"):
        raise OptionError(f"--format: expected yaml or json, got {fmt!r}")
    folder = Path(dest)
    if folder.exists() and not folder.is_dir():
        raise OptionError(f"init: {dest!r} is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    for line in scaffold(folder, dest, fmt=fmt, force=force):
        typer.echo(line, err=True)
