"""A content-addressed cache of results that are costly to recompute on every start.

Two things are cached, each stored with everything its result depends on: a
parsed YAML config file (so an unchanged file needs no YAML parser) and a validated
plugin config slice (so an unchanged slice needs no pydantic). An entry is never
trusted for anything but the exact input it was made from; a failure to read or write
the cache only costs time.

Location: ``$GETDOTENV_CACHE_DIR``, else ``$XDG_CACHE_HOME/getdotenv``, else
``~/.cache/getdotenv``. ``GETDOTENV_NO_CACHE=1`` turns it off. At most ``MAX_ENTRIES`` entries
are kept: adding one removes the oldest beyond that.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import sys
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

# marshal's format belongs to the Python version: each has its own folder.
_VERSION = f"v2-py{sys.version_info[0]}{sys.version_info[1]}"
MAX_ENTRIES = 200  # beyond this, the oldest entries are removed when one is added


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off."""
    if os.environ.get("GETDOTENV_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("GETDOTENV_CACHE_DIR")
    if explicit:
        return Path(explicit) / _VERSION
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "getdotenv" / _VERSION


def _entry(folder: Path, kind: str, material: str) -> Path:
    # A cheap checksum names the file; the material stored in it is compared on every
    # read, so a checksum collision can only cost a miss, never a wrong answer.
    data = material.encode("utf-8", "surrogatepass")
    return folder / f"{kind}-{zlib.crc32(data):08x}{zlib.adler32(data):08x}-{len(data)}.bin"


def load(kind: str, material: str) -> Any | None:
    """The value stored for exactly ``material``, or ``None``."""
    folder = cache_dir()
    if folder is None:
        return None
    from host_cli.support.errors import GetDotenvError
    from host_cli.support.files import read_bytes

    entry = _entry(folder, kind, material)
    try:
        raw = read_bytes(entry, str(entry))
        if raw is None:
            return None
        stored, value = marshal.loads(raw)
    except (GetDotenvError, ValueError, EOFError, TypeError):
        return None
    # plain data only: anything else in a cache entry was not written by us
    return value if stored == material and json_safe(value) else None


def store(kind: str, material: str, value: Any) -> None:
    """Remember ``value`` (plain data: see ``json_safe``) for ``material``; gives up quietly on
    errors. Entries are ``marshal``-ed: read back without importing anything (JSON would
    cost a start the ``json`` module)."""
    folder = cache_dir()
    if folder is None:
        return
    target = _entry(folder, kind, material)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        # Slices may hold values expanded from private .env files: only the user may read them.
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not json_safe(value):
            return
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(fd, "wb") as f:
            f.write(marshal.dumps((material, value)))
        os.replace(tmp, target)
    except (OSError, TypeError, ValueError):
        with contextlib.suppress(OSError):
            tmp.unlink()
        return
    _evict(folder)


def _evict(folder: Path) -> None:
    """Keep the ``MAX_ENTRIES`` most recently written entries; remove the others."""
    try:
        entries = [e for e in os.scandir(folder) if e.name.endswith(".bin") and e.is_file()]
        if len(entries) <= MAX_ENTRIES:
            return
        entries.sort(key=lambda e: e.stat().st_mtime_ns, reverse=True)
    except OSError:
        return
    for entry in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)


def json_safe(value: Any) -> bool:
    """Whether ``value`` survives a JSON round trip unchanged (string keys, plain types)."""
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    if isinstance(value, list):
        return all(json_safe(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and json_safe(v) for k, v in value.items())
    return False


def file_stamps(paths: Iterable[str]) -> list[str]:
    """``path:mtime:size`` for each existing path: a fingerprint of code a result depends on."""
    stamps = []
    for p in sorted(paths):
        try:
            st = os.stat(p)
        except OSError:
            continue
        stamps.append(f"{p}:{st.st_mtime_ns}:{st.st_size}")
    return stamps
