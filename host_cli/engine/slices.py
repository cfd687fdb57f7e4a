"""Plugin config slices as the config files give them: ``plugins.<name>`` deep-merged over the
sources (public < ``.local``), with where each key came from, and their string leaves expanded
once. The plugin host validates the result (``host_cli.plugins.configs``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from host_cli.engine.config import Source


def _copy(value: Any) -> Any:
    """A deep copy of plain config data (mappings, lists, scalars)."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def merge_slices(
    sources: tuple[Source, ...], name: str
) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    """Deep-merge ``plugins.<name>`` over the sources, and which file set each key path."""
    merged: dict[str, Any] = {}
    where: dict[tuple[str, ...], str] = {}

    def into(
        target: dict[str, Any], value: Mapping[str, Any], path: tuple[str, ...], shown: str
    ) -> None:
        for key, item in value.items():
            sub = (*path, str(key))
            if isinstance(item, dict) and isinstance(target.get(key), dict):
                into(target[key], item, sub, shown)
            else:
                target[key] = _copy(item)
            where[sub] = shown

    for source in sources:
        value = source.plugins.get(name)
        if isinstance(value, dict):
            where[()] = source.shown
            into(merged, value, (), source.shown)
    return merged, where


def expand_strings(value: Any, expand: Callable[[str], str]) -> Any:
    """Expand every string leaf once; a string that expands to empty keeps its raw text."""
    if isinstance(value, str):
        result = expand(value)
        return result if result else value
    if isinstance(value, dict):
        return {k: expand_strings(v, expand) for k, v in value.items()}
    if isinstance(value, list):
        return [expand_strings(v, expand) for v in value]
    return value
