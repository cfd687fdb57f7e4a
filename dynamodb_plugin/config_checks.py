"""The checks of the plugin's config models (``dynamodb_plugin.config``), as plain functions.

They live apart from the models, in a module that does not import pydantic, so that the host
can validate a slice from a cached core schema (``host_cli.plugins.coreschema``) without
importing pydantic or building the models: each check is referred to by its module and name.
"""

from __future__ import annotations

from typing import Any

from dynamodb_plugin.endpoint import parse_endpoint


def url(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = parse_endpoint(value)
    if parsed is None:
        raise ValueError("expected an http(s) URL such as http://localhost:8000")
    return parsed[0]


def origins(value: list[str] | None) -> list[str] | None:
    """Browser origins, each ``scheme://host[:port]`` exactly as a browser sends it."""
    if value is None:
        return None
    from urllib.parse import urlsplit

    out = []
    for origin in value:
        if origin.strip() == "*":
            raise ValueError(
                "'*' is not accepted: any web page could then read and change the local "
                "database; list the origins of your app, such as http://localhost:3000"
            )
        try:
            parts = urlsplit(origin.strip())
            parts.port  # noqa: B018 - raises on a bad port
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
            or parts.query
            or parts.fragment
            or parts.username is not None
        ):
            raise ValueError(
                f"{origin!r}: expected an origin such as http://localhost:3000 (scheme, host "
                "and port only)"
            )
        out.append(f"{parts.scheme}://{parts.netloc.lower()}")
    return out


def not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("expected a non-empty string (leave the key out to unset it)")
    return value


def whole(value: Any, low: int, high: int) -> int | None:
    """An integer from a number or a string of ASCII digits (the TypeScript schema takes both)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"expected a whole number {low}-{high}")
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise ValueError(f"expected a whole number {low}-{high}")
        value = int(text)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"expected a whole number {low}-{high}")
    return value


def port(value: Any) -> int | None:
    """A TCP port, from a number or a string of digits."""
    return whole(value, 1, 65535)


def seconds(value: Any) -> int | None:
    """Whole seconds up to a day, from a number or a string of digits."""
    return whole(value, 1, 86400)


def page_size(value: Any) -> int | None:
    """A page size up to a million, from a number or a string of digits."""
    return whole(value, 1, 1_000_000)


def width(value: Any) -> int | None:
    """A version width 1-9, from a number or a string of digits."""
    return whole(value, 1, 9)
