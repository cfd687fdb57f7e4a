"""A content-addressed cache of results that are costly to recompute on every start.

Two things are cached, both keyed by a hash of everything their result depends on: a
parsed YAML config file (so an unchanged file needs no YAML parser) and a validated
plugin config slice (so an unchanged slice needs no pydantic). An entry is never
trusted for anything but the exact input it was made from; a failure to read or write
the cache only costs time.

Location: ``$GETDOTENV_CACHE_DIR``, else ``$XDG_CACHE_HOME/getdotenv``, else
``~/.cache/getdotenv``. ``GETDOTENV_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

_VERSION = "v1"


def cache_dir() -> Path | None:
    """The cache folder, or ``None`` when caching is off."""
    if os.environ.get("GETDOTENV_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("GETDOTENV_CACHE_DIR")
    if explicit:
        return Path(explicit) / _VERSION
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "getdotenv" / _VERSION


def digest(parts: Iterable[str | bytes]) -> str:
    """A stable hash of ``parts`` (each length-prefixed, so no two inputs collide by joining)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def load(key: str) -> Any | None:
    """The JSON value stored under ``key``, or ``None``."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{key}.json", encoding="utf-8") as f:
            return json.load(f)["value"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(key: str, value: Any) -> None:
    """Store ``value`` (JSON-serialisable) under ``key``; silently gives up on any error."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{key}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump({"value": value}, f)
        os.replace(tmp, folder / f"{key}.json")
    except (OSError, TypeError, ValueError):
        return


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
