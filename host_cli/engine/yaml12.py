"""YAML with the 1.2 core schema, as get-dotenv's ``yaml`` package reads it.

PyYAML implements YAML 1.1, where ``yes``, ``on`` and ``off`` are booleans, ``010`` is
octal and ``2024-01-01`` is a date. A config shared with get-dotenv must mean the same
to both hosts, so scalars are resolved by the 1.2 core schema instead: only
``true``/``false`` are booleans, ``null``/``~``/empty are null, ints are decimal, ``0o``
octal or ``0x`` hex, and everything else is a string. Import this module only where
YAML is actually read: PyYAML costs about 20 ms to import.
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # noqa: TID253 - this module is itself imported only when YAML is read

from host_cli.engine import yaml_lite

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The core schema's patterns and values: one definition, shared with the PyYAML-free reader.
_BOOL, _NULL, _INT, _FLOAT = yaml_lite.BOOL, yaml_lite.NULL, yaml_lite.INT, yaml_lite.FLOAT


class Loader(_Base):  # type: ignore[misc]
    """A safe loader that resolves plain scalars by the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


def _construct_int(loader: Any, node: Any) -> int:
    return yaml_lite.int_of(loader.construct_scalar(node))


def _construct_float(loader: Any, node: Any) -> float:
    return yaml_lite.float_of(loader.construct_scalar(node))


def _construct_bool(loader: Any, node: Any) -> bool:
    return bool(loader.construct_scalar(node).lower() == "true")


for tag, pattern, first in (
    ("tag:yaml.org,2002:bool", _BOOL, "tTfF"),
    ("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:int", _INT, "-+0123456789"),
    ("tag:yaml.org,2002:float", _FLOAT, "-+0123456789."),
):
    Loader.add_implicit_resolver(tag, pattern, list(first))
Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)
Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


MAX_DEPTH = 64
MAX_VALUES = 100_000  # in the document with every alias expanded
# YAML 1.1 (PyYAML) breaks lines at NEL, LS and PS; YAML 1.2 (get-dotenv's reader) does not.
_BREAKS_1_1 = "\x85\u2028\u2029"


class Refused(ValueError):
    """A document too deep, too large once its aliases expand, or with a recursive alias."""


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_nodes(root: Any) -> None:
    """Refuse a node graph that is recursive, deeper than ``MAX_DEPTH`` or larger than
    ``MAX_VALUES`` once aliases are expanded (a "billion laughs"). Iterative: no recursion."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            open_.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            where = node.start_mark
            at = f"line {where.line + 1}, column {where.column + 1}: " if where else ""
            if depth[key] > MAX_DEPTH:
                raise Refused(f"{at}nested more than {MAX_DEPTH} levels deep")
            if size[key] > MAX_VALUES:
                raise Refused(
                    f"{at}its aliases expand to more than {MAX_VALUES} values (an alias bomb?)"
                )
            continue
        if key in size:
            continue
        open_.add(key)
        stack.append((node, True))
        for kid in _children(node):
            if id(kid) in open_:
                where = kid.start_mark
                raise Refused(
                    f"line {where.line + 1}, column {where.column + 1}: an alias refers to a "
                    "node that holds it (a recursive alias)"
                )
            if id(kid) not in size:
                stack.append((kid, False))


def load_checked(text: str) -> Any:
    """One document, its node graph checked before it is constructed."""
    loader = Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        check_nodes(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _placeholders(text: str) -> dict[str, str]:
    """Private-use characters absent from ``text``, one for each YAML 1.1 line break in it."""
    wanted = [c for c in _BREAKS_1_1 if c in text]
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    return {c: next(free) for c in wanted}


def _restore(value: Any, back: dict[str, str]) -> Any:
    def fix(s: str) -> str:
        for placeholder, original in back.items():
            s = s.replace(placeholder, original)
        return s

    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict):
        return {_restore(k, back): _restore(v, back) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v, back) for v in value]
    return value


def loads(text: str) -> Any:
    """Parse one YAML document with the 1.2 core schema (``Refused`` for hostile documents).

    NEL, LS and PS are ordinary characters in YAML 1.2: they stand in for themselves while
    PyYAML parses, and are put back in every string after.
    """
    swap = _placeholders(text)
    for original, placeholder in swap.items():
        text = text.replace(original, placeholder)
    data = load_checked(text)
    if swap:
        data = _restore(data, {p: o for o, p in swap.items()})
    return data


def describe_error(exc: Exception) -> str:
    """A one-line description of a PyYAML error, with its line and column."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return str(problem)
