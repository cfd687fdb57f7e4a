"""``check``'s findings: what reads differently in get-dotenv, python-dotenv and docker compose,
secrets in public files, and definitions that never win.

Pure functions over parsed files; the command (``builtin/check.py``) reads the files.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from host_cli.engine.envfile import Entry
from host_cli.support.redact import Redactor


class Finding(NamedTuple):
    file: str
    line: int
    key: str
    kind: str  # "portability", "secret" or "shadowed"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.message}"


class EnvFileText(NamedTuple):
    """One file of the cascade: how it is shown, whether it is private, its text and entries."""

    shown: str
    private: bool
    lines: list[str]
    entries: list[Entry]


_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?[A-Za-z0-9_.-]+(?P<sep>\s*=\s*|:\s+)(?P<rest>.*)$")
_BASH_DEFAULT = re.compile(r"\$\{\w+:-")
_COLON_DEFAULT = re.compile(r"\$\{\w+:(?!-)")
_DOLLAR_NAME = re.compile(r"(?<!\\)\$[A-Za-z0-9_{]")
_UNBRACED = re.compile(r"(?<!\\)\$[A-Za-z0-9_]")
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_PLACEHOLDER = re.compile(
    r"(?i)^(<[^>]*>|change[-_ ]?me|x{3,}|todo|tbd|placeholder|secret|password|\*+|dummy"
    r"|local|test)$"
)
ENTROPY_BITS = 3.8  # per character, as get-dotenv's entropy warnings


def entropy(value: str) -> float:
    """Shannon entropy of ``value`` in bits per character."""
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def portability(f: EnvFileText, entry: Entry) -> Iterable[Finding]:
    raw = f.lines[entry.line - 1] if entry.line <= len(f.lines) else ""
    m = _ASSIGNMENT.match(raw)
    if m is None:
        return
    rest = m["rest"].lstrip()
    quote = rest[:1] if rest[:1] in ("'", '"', "`") else ""

    def say(message: str) -> Finding:
        return Finding(f.shown, entry.line, entry.key, "portability", f"{entry.key}: {message}")

    if ":" in m["sep"] and "=" not in m["sep"]:
        yield say("'KEY: value' is read only by get-dotenv; write KEY=value")
    if quote == "`":
        yield say("backtick quotes are get-dotenv only; python-dotenv and docker compose keep them")
    if not quote and re.search(r"\S#", rest):
        yield say(
            "an unquoted '#' ends the value in get-dotenv even without a space before it, but not "
            "in python-dotenv or docker compose; quote the value"
        )
    if _BASH_DEFAULT.search(entry.value):
        yield say(
            "${X:-default} falls back to 'default' in docker compose and python-dotenv but to "
            "'-default' in get-dotenv, and no default reads the same in all three: set X "
            "instead of relying on a default"
        )
    elif _COLON_DEFAULT.search(entry.value):
        yield say(
            "${X:default} is a default only in get-dotenv: python-dotenv keeps it as written and "
            "docker compose rejects it; set X instead of relying on a default"
        )
    if quote == "'" and _DOLLAR_NAME.search(entry.value):
        yield say(
            "get-dotenv expands $ inside single quotes; python-dotenv and docker compose do not"
        )
    elif quote != "'" and _UNBRACED.search(entry.value):
        yield say("python-dotenv expands only ${NAME}, not $NAME; write ${NAME}")


def secrets(f: EnvFileText, entry: Entry, redactor: Redactor) -> Iterable[Finding]:
    value = entry.value.strip()
    if f.private or not value or "$" in value or _PLACEHOLDER.match(value):
        return
    if redactor.secret(entry.key):
        yield Finding(
            f.shown,
            entry.line,
            entry.key,
            "secret",
            f"{entry.key} looks like a secret in a public file; move it to a *.local file",
        )
    elif _TOKEN_LIKE.fullmatch(value) and entropy(value) >= ENTROPY_BITS:
        yield Finding(
            f.shown,
            entry.line,
            entry.key,
            "secret",
            f"{entry.key} has a high-entropy value ({entropy(value):.1f} bits per character) in "
            "a public file; if it is a secret, move it to a *.local file",
        )


def shadowed(files: Sequence[EnvFileText], scenarios: Sequence[Sequence[int]]) -> Iterable[Finding]:
    """Definitions that win in none of the scenarios (each: indexes into ``files``, in order)."""
    wins: set[tuple[int, int]] = set()  # (file index, entry index)
    beaten_by: dict[tuple[int, int], tuple[int, int]] = {}
    for scenario in scenarios:
        last: dict[str, tuple[int, int]] = {}
        for fi in scenario:
            for ei, entry in enumerate(files[fi].entries):
                previous = last.get(entry.key)
                if previous is not None:
                    beaten_by.setdefault(previous, (fi, ei))
                last[entry.key] = (fi, ei)
        wins.update(last.values())
    used = {fi for scenario in scenarios for fi in scenario}
    for fi in sorted(used):
        f = files[fi]
        for ei, entry in enumerate(f.entries):
            if (fi, ei) in wins or (fi, ei) not in beaten_by:
                continue
            bf, be = beaten_by[(fi, ei)]
            by = files[bf]
            yield Finding(
                f.shown,
                entry.line,
                entry.key,
                "shadowed",
                f"{entry.key} never takes effect: {by.shown}:{by.entries[be].line} sets it later "
                "in every environment that reads this file",
            )


def lint(
    files: Sequence[EnvFileText], scenarios: Sequence[Sequence[int]], redactor: Redactor
) -> list[Finding]:
    findings: list[Finding] = []
    for f in files:
        for entry in f.entries:
            findings.extend(portability(f, entry))
            findings.extend(secrets(f, entry, redactor))
    findings.extend(shadowed(files, scenarios))
    return sorted(findings, key=lambda x: (x.file, x.line, x.kind))
