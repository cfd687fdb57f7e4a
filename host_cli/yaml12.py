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

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


class Loader(_Base):  # type: ignore[misc]
    """A safe loader that resolves plain scalars by the YAML 1.2 core schema."""

    yaml_implicit_resolvers: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}


def _construct_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader: Any, node: Any) -> float:
    text = loader.construct_scalar(node).lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


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


def loads(text: str) -> Any:
    """Parse one YAML document with the 1.2 core schema."""
    return yaml.load(text, Loader=Loader)  # noqa: S506 - Loader derives from SafeLoader


def describe_error(exc: Exception) -> str:
    """A one-line description of a PyYAML error, with its line and column."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark is not None:
        return f"line {mark.line + 1}, column {mark.column + 1}: {problem}"
    return str(problem)
