"""The dotenv file cascade: which files, in which order, and the merged raw values.

For each path, in order: ``<token>`` < ``<token>.<env>`` < ``<token>.<private>`` <
``<token>.<env>.<private>``; each later path's whole cascade overrides the earlier one.
Missing files are skipped. Every key keeps the list of places that set it (provenance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from host_cli import envfile
from host_cli.errors import OptionError
from host_cli.expand import expand_all
from host_cli.options import Options


class Origin(NamedTuple):
    """One place that set a key: a file and line, a config key, a flag or a plugin."""

    layer: str  # "file", "config", "vars", "dynamic", "deleted" (by dynamic), "derived"
    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


class EnvFile(NamedTuple):
    """One file of the cascade: where it is, how to show it, and which quadrant it fills."""

    path: Path
    shown: str
    private: bool


Reader = Callable[[EnvFile], "list[envfile.Entry] | None"]


def _show(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


def directories(options: Options, cwd: Path, where: str) -> list[Path]:
    """The ``paths`` as directories; one that is not a directory is an error naming ``where``."""
    out = []
    for entry in options.paths:
        folder = (cwd / entry).resolve()
        if not folder.is_dir():
            state = "does not exist" if not folder.exists() else "is not a directory"
            raise OptionError(f"{where}: {entry!r} {state}")
        out.append(folder)
    return out


def files(options: Options, env: str | None, folders: list[Path], cwd: Path) -> list[EnvFile]:
    """The files to read, lowest precedence first, after the exclusion flags."""
    token, private = options.dotenv_token, options.private_token
    out = []
    for folder in folders:
        quadrants = (
            (token, False, False, options.exclude_public or options.exclude_global),
            (f"{token}.{env}", False, True, options.exclude_public or options.exclude_env),
            (f"{token}.{private}", True, False, options.exclude_private or options.exclude_global),
            (
                f"{token}.{env}.{private}",
                True,
                True,
                options.exclude_private or options.exclude_env,
            ),
        )
        for name, is_private, scoped, excluded in quadrants:
            if excluded or (scoped and not env):
                continue
            path = folder / name
            out.append(EnvFile(path, _show(path, cwd), is_private))
    return out


def make_reader() -> Reader:
    """A reader that parses each file at most once per run."""
    seen: dict[Path, list[envfile.Entry] | None] = {}

    def read(f: EnvFile) -> list[envfile.Entry] | None:
        if f.path not in seen:
            seen[f.path] = envfile.read(f.path, shown_as=f.shown)
        return seen[f.path]

    return read


def merge(sources: list[EnvFile], read: Reader) -> tuple[dict[str, str], dict[str, list[Origin]]]:
    """Merge the files: the last value wins, keys keep the order they first appeared in."""
    values: dict[str, str] = {}
    origins: dict[str, list[Origin]] = {}
    for f in sources:
        entries = read(f)
        if not entries:
            continue
        for entry in entries:
            values[entry.key] = entry.value
            origins.setdefault(entry.key, []).append(Origin("file", f.shown, entry.line))
    return values, origins


def describe(origins: Mapping[str, list[Origin]]) -> Callable[[str], str]:
    """``describe(key)`` -> where the winning value of ``key`` was defined."""

    def where(key: str) -> str:
        found = origins.get(key)
        return str(found[-1]) if found else "unknown"

    return where


def select_env(
    options: Options,
    folders: list[Path],
    cwd: Path,
    read: Reader,
    process_env: Mapping[str, str],
) -> str | None:
    """``--env``, else the ``DEFAULT_ENV`` key of the global files (all paths), else the default.

    The pre-pass reads the global files whatever the exclusion flags say, and its values
    are used only to pick the env.
    """
    if options.env:
        return options.env
    globals_only = options._replace(
        exclude_env=True, exclude_global=False, exclude_private=False, exclude_public=False
    )
    values, origins = merge(files(globals_only, None, folders, cwd), read)
    key = options.default_env_key
    if key in values:
        chosen = expand_all(values, process_env, describe=describe(origins)).get(key)
        if chosen:
            return chosen
    return options.default_env
