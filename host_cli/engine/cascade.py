"""The dotenv file cascade: which files, in which order, and the merged raw values.

For each path, in order: ``<token>`` < ``<token>.<env>`` < ``<token>.<private>`` <
``<token>.<env>.<private>``; each later path's whole cascade overrides the earlier one.
Missing files are skipped. Every key keeps the list of places that set it (provenance).
"""

import errno
import os
import stat
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NamedTuple

from host_cli.engine import envfile
from host_cli.engine.expand import expand_all
from host_cli.engine.options import Options
from host_cli.support.errors import OptionError, shorten


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
    """``path`` as the user would type it from ``cwd`` (``../.env`` from a subfolder)."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        shown = os.path.relpath(path, cwd)
        return shown if shown.count("..") <= 3 else str(path)


def check_env_name(name: str, where: str) -> str:
    """An environment is a plain name: it is joined into a file name (``.env.<env>``)."""
    if "/" in name or "\\" in name or "\0" in name or name in (".", ".."):
        raise OptionError(
            f"{where}: {shorten(name)} is not an environment name (no '/', '\\' or '..'; "
            "it becomes part of a file name)"
        )
    return name


def environments(folders: list[Path], token: str, private: str) -> list[str]:
    """Every environment some file in ``folders`` is named for (``<token>.<env>[.<private>]``)."""
    import re

    pattern = re.compile(rf"^{re.escape(token)}\.(?P<env>[^.]+)(?:\.{re.escape(private)})?$")
    names: set[str] = set()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            m = pattern.match(entry.name)
            if m and m["env"] != private:
                names.add(m["env"])
    return sorted(names)


def folder(path: Path, entry: str, where: str) -> Path:
    """``path`` resolved, when it is a folder; else an error naming ``where`` and ``entry``."""
    try:
        resolved = path.resolve()
        mode = os.stat(resolved).st_mode
    except FileNotFoundError:
        raise OptionError(f"{where}: {shorten(entry)} does not exist") from None
    except RuntimeError:  # Path.resolve before Python 3.13
        raise OptionError(f"{where}: {shorten(entry)} is a symlink loop") from None
    except OSError as exc:
        reason = {errno.ELOOP: "is a symlink loop", errno.ENAMETOOLONG: "is too long a path"}
        state = reason.get(exc.errno or 0, f"cannot be used ({exc.strerror})")
        raise OptionError(f"{where}: {shorten(entry)} {state}") from None
    if not stat.S_ISDIR(mode):
        raise OptionError(f"{where}: {shorten(entry)} is not a directory")
    return resolved


def directories(options: Options, cwd: Path, where: str) -> list[Path]:
    """The ``paths`` as directories; one that is not a directory is an error naming ``where``."""
    return [folder(cwd / entry, entry, where) for entry in options.paths]


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


def make_reader(
    dialect: str = "get-dotenv", process_env: Mapping[str, str] | None = None
) -> Reader:
    """A reader that parses each file at most once per run, by the ``dialect``'s rules.

    get-dotenv's values are raw (expanded after the merge); python-dotenv's are final, each
    resolved within its file as ``dotenv_values`` resolves it.
    """
    seen: dict[Path, list[envfile.Entry] | None] = {}

    def read(f: EnvFile) -> list[envfile.Entry] | None:
        if f.path not in seen:
            if dialect == "python-dotenv":
                from host_cli.engine import pydotenv
                from host_cli.support import files
                from host_cli.support.errors import EnvFileError

                text = files.read_text(f.path, f.shown, error=EnvFileError, what="a dotenv file")
                entries = (
                    None
                    if text is None
                    else pydotenv.parse(text, process_env or {}, source=f.shown)
                )
                seen[f.path] = entries
            else:
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
        return check_env_name(options.env, "--env")
    globals_only = options._replace(
        exclude_env=True, exclude_global=False, exclude_private=False, exclude_public=False
    )
    values, origins = merge(files(globals_only, None, folders, cwd), read)
    key = options.default_env_key
    if key in values:
        if options.dialect == "get-dotenv":
            values = expand_all(values, process_env, describe=describe(origins))
        chosen = values.get(key)
        if chosen:
            return check_env_name(chosen, f"{describe(origins)(key)}: {key}")
    if options.default_env:
        return check_env_name(options.default_env, "--default-env")
    return None
