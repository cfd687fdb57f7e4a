"""Serverless variables in table files, resolved from the composed environment.

``${param:NAME}`` and ``${env:NAME}`` read ``NAME``; ``${sls:stage}``, ``${opt:stage}`` and
``${self:provider.stage}`` read ``STAGE``; ``${self:service}`` reads ``SERVICE_NAME``;
``${opt:region}``, ``${self:provider.region}`` and ``${aws:region}`` read ``AWS_REGION`` (else
``AWS_DEFAULT_REGION``). Fallbacks work as in Serverless: ``${opt:stage, 'dev'}``,
``${env:A, env:B}``, nested ``${param:X, ${env:Y}}``. Anything else (``${self:custom.x}``,
``${ssm:...}``, ``${cf:...}``, CloudFormation functions) cannot be resolved outside Serverless
and CloudFormation: the caller says so, naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INNERMOST = re.compile(r"\$\{([^${}]*)\}")
_QUOTED = re.compile(r"""^\s*(?:'([^']*)'|"([^"]*)")\s*$""")
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
_PLACEHOLDER = re.compile("\x00(\\d+)\x00")
SUPPORTED = "${param:NAME}, ${env:NAME}, ${sls:stage}, ${opt:stage}, ${self:service}"


class Unresolved(Exception):
    """A variable that cannot be resolved here; the message says which and why."""


# Serverless variables read from environment variables (the first one set).
_FIXED: dict[str, tuple[str, ...]] = {
    "sls:stage": ("STAGE",),
    "opt:stage": ("STAGE",),
    "self:provider.stage": ("STAGE",),
    "self:service": ("SERVICE_NAME",),
    "opt:region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "self:provider.region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "aws:region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
}


def _variables(source: str, address: str) -> tuple[str, ...]:
    """The environment variables a Serverless variable reads."""
    if source in ("param", "env"):
        return (address,)
    found = _FIXED.get(f"{source}:{address}")
    if found is None:
        raise Unresolved(
            f"${{{source}:{address}}} cannot be resolved outside Serverless (this host "
            f"resolves {SUPPORTED})"
        )
    return found


def _alternatives(text: str) -> list[str]:
    """Split a variable's body at the commas outside quotes."""
    parts, current, quote = [], "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == ",":
            parts.append(current)
            current = ""
            continue
        current += ch
    parts.append(current)
    return parts


def resolve_text(text: str, env: Mapping[str, str]) -> str:
    """``text`` with every Serverless variable resolved; ``Unresolved`` when one cannot be."""
    if "${" not in text:
        return text
    # Inner variables resolve first; their values stand in the outer one as placeholders, so
    # that a value is a literal fallback there, never parsed again.
    values: list[str] = []

    def literal(piece: str) -> str:
        return _PLACEHOLDER.sub(lambda m: values[int(m.group(1))], piece)

    def one(m: re.Match[str]) -> str:
        missing: list[tuple[str, str]] = []
        for alternative in _alternatives(m.group(1)):
            quoted = _QUOTED.match(alternative)
            held = _PLACEHOLDER.fullmatch(alternative.strip())
            if quoted is not None:
                value: str | None = (
                    quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
                )
            elif held is not None or _NUMBER.match(alternative):
                value = literal(alternative.strip())
            else:
                source, colon, address = literal(alternative.strip()).partition(":")
                if not colon or not source or not address:
                    raise Unresolved(
                        f"{literal(m.group(0))} is not a Serverless variable this host knows "
                        f"(it resolves {SUPPORTED})"
                    )
                names = _variables(source, address)
                value = next((env[n] for n in names if env.get(n)), None)
                if value is None:
                    missing.append((f"${{{source}:{address}}}", names[0]))
                    continue
            values.append(value or "")
            return f"\x00{len(values) - 1}\x00"
        shown, variable = missing[0]
        raise Unresolved(f"{shown} is not set ({variable} is not in the environment)")

    while True:
        replaced = _INNERMOST.sub(one, text, count=1)
        if replaced == text:
            return literal(text)
        text = replaced


def cloudformation_function(value: Any) -> str | None:
    """The name of the CloudFormation function ``value`` is (``Fn::Sub``, ``Ref``), if any."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key in ("Ref", "Condition") or str(key).startswith("Fn::"):
            return str(key)
    return None


def resolve(value: Any, env: Mapping[str, str], path: str, problems: list[str]) -> Any:
    """Resolve every string of ``value``; each part that cannot be is a problem naming its
    dotted key (and is left as it was)."""
    if isinstance(value, str):
        try:
            return resolve_text(value, env)
        except Unresolved as exc:
            problems.append(f"{path}: {exc}")
            return value
    function = cloudformation_function(value)
    if function is not None:
        problems.append(
            f"{path}: CloudFormation function {function} cannot be resolved outside "
            "CloudFormation; resolve it or set it in the file (or use ${param:NAME})"
        )
        return value
    if isinstance(value, dict):
        return {k: resolve(v, env, f"{path}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, env, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return value
