"""The plain block YAML most config files are, read without PyYAML (whose import alone costs
about 15 ms: most of a run after a config edit, benchmarks/README.md).

``loads`` reads a document made only of block mappings (``key: value``, at consistent indents),
block sequences of scalars (``- value``), one-line plain, single-quoted and double-quoted
(without escapes) scalars and comments, in printable ASCII, and gives exactly what
``host_cli.engine.yaml12.loads`` gives for it (plain scalars resolved by the YAML 1.2 core
schema). Anything else, such as flow collections (``[a, b]``), block scalars (``|``), anchors,
tags, multi-line scalars, a sequence of mappings, tabs or non-ASCII text, raises ``NotSimple``
and the caller reads the document with PyYAML: this is a fast path, never a second dialect. A
test checks both readers agree on generated documents.
"""

from __future__ import annotations

import re
from typing import Any

# The YAML 1.2 core schema's plain scalars (yaml12 resolves with the same patterns).
BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)

_KEY = re.compile(r"""([A-Za-z0-9_$][A-Za-z0-9_./$-]*|'[^']*'|"[^"\\]*"):(?: +|$)""")
_PLAIN_FIRST = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./$~+(")
_PRINTABLE = re.compile(r"[\n\x20-\x7e]*")
MAX_DEPTH = 16
MAX_VALUES = 5_000


class NotSimple(ValueError):
    """The document uses YAML beyond this reader: read it with PyYAML."""


def int_of(text: str) -> int:
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def float_of(text: str) -> float:
    text = text.lower()
    if text.endswith(".inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


def plain(text: str) -> Any:
    """A plain scalar's value by the core schema (bool, null, int, float, else the string)."""
    if BOOL.match(text):
        return text.lower() == "true"
    if NULL.match(text):
        return None
    if INT.match(text):
        return int_of(text)
    if FLOAT.match(text):
        return float_of(text)
    return text


def _after_quote(rest: str) -> None:
    if rest and not (rest[0] == " " and rest.lstrip(" ")[:1] in ("", "#")):
        raise NotSimple("text after a quoted scalar")


def _scalar(rest: str) -> Any:
    """The value of ``rest``, the text after ``key: `` or ``- `` (never empty here)."""
    first = rest[0]
    if first == "'":
        parts, at = [], 1
        while True:
            close = rest.find("'", at)
            if close < 0:
                raise NotSimple("a quoted scalar over several lines")
            parts.append(rest[at:close])
            if rest.startswith("''", close):
                parts.append("'")
                at = close + 2
                continue
            _after_quote(rest[close + 1 :])
            return "".join(parts)
    if first == '"':
        close = rest.find('"', 1)
        if close < 0 or "\\" in rest[1:close]:
            raise NotSimple("an escape or a double-quoted scalar over several lines")
        _after_quote(rest[close + 1 :])
        return rest[1:close]
    if first not in _PLAIN_FIRST and not (first == "-" and rest[1:2] not in ("", " ")):
        raise NotSimple(f"a value starting with {first!r}")
    cut = rest.find(" #")
    text = (rest if cut < 0 else rest[:cut]).rstrip(" ")
    if ": " in text or text.endswith(":") or "[" in text or "]" in text or "," in text:
        raise NotSimple("a plain scalar with ': ', ',' or brackets")
    return plain(text)


def _key(token: str) -> Any:
    if token[0] in "'\"":
        return token[1:-1]
    return plain(token)


class _Reader:
    def __init__(self, lines: list[tuple[int, str]]) -> None:
        self.lines = lines
        self.at = 0
        self.values = 0

    def _count(self, depth: int) -> None:
        self.values += 1
        if self.values > MAX_VALUES or depth > MAX_DEPTH:
            raise NotSimple("a large or deep document")

    def _no_deeper(self, indent: int) -> None:
        # A more indented line after a scalar: a multi-line scalar or an error for PyYAML.
        if self.at < len(self.lines) and self.lines[self.at][0] > indent:
            raise NotSimple("a continuation line")

    def mapping(self, indent: int, depth: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        while self.at < len(self.lines):
            ind, text = self.lines[self.at]
            if ind < indent:
                break
            if ind > indent:
                raise NotSimple("an indent that opens no block")
            match = _KEY.match(text)
            if match is None:
                raise NotSimple("a line that is not `key: value`")
            self._count(depth)
            key = _key(match.group(1))
            rest = text[match.end() :]
            self.at += 1
            if rest and rest[0] != "#":
                out[key] = _scalar(rest)
                self._no_deeper(indent)
                continue
            if self.at < len(self.lines) and self.lines[self.at][0] > indent:
                child, body = self.lines[self.at]
                if body == "-" or body.startswith("- "):
                    out[key] = self.sequence(child, depth + 1)
                else:
                    out[key] = self.mapping(child, depth + 1)
            else:
                out[key] = None
        return out

    def sequence(self, indent: int, depth: int) -> list[Any]:
        out: list[Any] = []
        while self.at < len(self.lines):
            ind, text = self.lines[self.at]
            if ind < indent:
                break
            if ind > indent or not text.startswith("- "):
                raise NotSimple("a sequence entry that is not `- value`")
            self._count(depth)
            rest = text[2:].lstrip(" ")
            self.at += 1
            out.append(None if not rest or rest[0] == "#" else _scalar(rest))
            self._no_deeper(indent)
        return out


def loads(text: str) -> Any:
    """The document's value, as ``yaml12.loads`` gives it; ``NotSimple`` beyond this reader."""
    if _PRINTABLE.fullmatch(text) is None:
        raise NotSimple("a character other than printable ASCII and newlines")
    lines: list[tuple[int, str]] = []
    for raw in text.split("\n"):
        line = raw.rstrip(" ")
        body = line.lstrip(" ")
        if not body or body[0] == "#":
            continue
        if body.startswith(("---", "...", "%")) and len(line) == len(body):
            raise NotSimple("a document marker or directive")
        lines.append((len(line) - len(body), body))
    if not lines:
        return None
    if lines[0][0] != 0:
        raise NotSimple("an indented top level")
    reader = _Reader(lines)
    value = reader.mapping(0, 1)
    if reader.at != len(lines):  # pragma: no cover - every line is read or raises
        raise NotSimple("lines left over")
    return value
