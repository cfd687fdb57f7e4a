"""The plugin's config slices, validated by pydantic: ``plugins.dynamodb`` and the TypeScript
plugin's ``plugins["aws/dynamodb"]``.

A key left out validates as ``None`` ("not set"), so that ``settings.effective`` can lay
this slice over the TypeScript one key by key and only then fill in the defaults.
Imported only to validate a slice (the host caches the result).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (  # noqa: TID253 - this module is imported only to validate a slice
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic.alias_generators import to_camel  # noqa: TID253

from dynamodb_plugin.endpoint import parse_endpoint
from host_cli import ShellCommand

_MODEL = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)
# The TypeScript plugin's schema drops keys it does not know; so do we (and say so).
_LENIENT = ConfigDict(extra="allow", frozen=True, populate_by_name=True)


def _url(value: str | None) -> str | None:
    if value is None:
        return None
    parsed = parse_endpoint(value)
    if parsed is None:
        raise ValueError("expected an http(s) URL such as http://localhost:8000")
    return parsed[0]


def _origins(value: list[str] | None) -> list[str] | None:
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


def _not_blank(value: str | None) -> str | None:
    if value is not None and not value.strip():
        raise ValueError("expected a non-empty string (leave the key out to unset it)")
    return value


def _whole(value: Any, low: int, high: int) -> int | None:
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


class LocalConfig(BaseModel):
    """``plugins.dynamodb.local``: how the local DynamoDB is run."""

    model_config = _MODEL

    port: int | None = Field(default=None, ge=1, le=65535)
    endpoint: str | None = None
    start: ShellCommand | None = None
    stop: ShellCommand | None = None
    status: ShellCommand | None = None
    ready: ShellCommand | None = None
    persist: bool | None = None
    jar: str | None = None
    timeout: float | None = Field(default=None, gt=0)
    snapshot_interval: float | None = Field(default=None, ge=0)
    export_aws_env: bool | None = None
    # Origins of browser apps that may call the built-in server (DynamoDB Local's -cors idea,
    # closed by default).
    cors: list[str] | None = None
    # Time to Live: expire (the built-in server deletes expired items) or off (never, as
    # DynamoDB Local); how often it looks, in seconds (see dynamodb_plugin/local/ttl.py).
    ttl: Literal["expire", "off"] | None = None
    ttl_interval: float | None = Field(default=None, ge=0.05, le=3600)

    @field_validator("cors")
    @classmethod
    def _cors_are_origins(cls, value: list[str] | None) -> list[str] | None:
        return _origins(value)

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str | None) -> str | None:
        return _url(value)

    @field_validator("start", "stop", "status", "ready", "jar")
    @classmethod
    def _command_not_blank(cls, value: str | None) -> str | None:
        return _not_blank(value)


class Tokens(BaseModel):
    """File names, without extension, of a version's table definition and transform."""

    model_config = _MODEL

    table: str | None = None
    transform: str | None = None

    @field_validator("table", "transform")
    @classmethod
    def _name_not_blank(cls, value: str | None) -> str | None:
        return _not_blank(value)


class TablesConfig(BaseModel):
    """``plugins.dynamodb.tables``: where the versioned table definitions live."""

    model_config = _MODEL

    path: str | None = None
    width: int | None = Field(default=None, ge=1, le=9)
    resource: str | None = None
    tokens: Tokens = Tokens()


class Waiter(BaseModel):
    model_config = _MODEL

    max_seconds: float | None = Field(default=None, gt=0)


class VersionDefault(BaseModel):
    model_config = _MODEL

    version: str | None = None


class CreateDefaults(BaseModel):
    model_config = _MODEL

    version: str | None = None
    table_name_override: str | None = None
    waiter: Waiter = Waiter()


class DeleteDefaults(BaseModel):
    model_config = _MODEL

    table_name: str | None = None
    waiter: Waiter = Waiter()


class PurgeDefaults(BaseModel):
    model_config = _MODEL

    table_name: str | None = None


class MigrateDefaults(BaseModel):
    model_config = _MODEL

    from_version: str | None = None
    to_version: str | None = None
    source_table: str | None = None
    target_table: str | None = None
    page_size: int | None = Field(default=None, ge=1)
    segments: int | None = Field(default=None, ge=1, le=1000)
    max_rate: float | None = Field(default=None, gt=0)
    concurrency: int | None = Field(default=None, ge=1, le=64)


class DynamoConfig(BaseModel):
    """``plugins.dynamodb``. The per-command sections use the TypeScript plugin's spelling."""

    model_config = _MODEL

    local: LocalConfig = LocalConfig()
    tables: TablesConfig = TablesConfig()
    generate: VersionDefault = VersionDefault()
    validate_: VersionDefault = Field(default=VersionDefault(), alias="validate")
    create: CreateDefaults = CreateDefaults()
    delete: DeleteDefaults = DeleteDefaults()
    purge: PurgeDefaults = PurgeDefaults()
    migrate: MigrateDefaults = MigrateDefaults()


# --- plugins["aws/dynamodb"]: the TypeScript plugin's schema (entity-client-dynamodb 0.11) ---


class _Lenient(BaseModel):
    model_config = _LENIENT


class TsLocal(_Lenient):
    port: int | str | None = None
    endpoint: str | None = None
    start: ShellCommand | None = None
    stop: ShellCommand | None = None
    status: ShellCommand | None = None

    @field_validator("port")
    @classmethod
    def _port(cls, value: Any) -> int | None:
        return _whole(value, 1, 65535)

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str | None) -> str | None:
        return _url(value)

    @field_validator("start", "stop", "status")
    @classmethod
    def _command_not_blank(cls, value: str | None) -> str | None:
        return _not_blank(value)


class TsTokens(_Lenient):
    table: str | None = None
    entityManager: str | None = None  # noqa: N815 - the TypeScript spelling
    transform: str | None = None


class TsWaiter(_Lenient):
    maxSeconds: int | float | str | None = None  # noqa: N815

    @field_validator("maxSeconds")
    @classmethod
    def _seconds(cls, value: Any) -> int | None:
        return _whole(value, 1, 86400)


class TsCreate(_Lenient):
    version: str | None = None
    validate_: bool | None = Field(default=None, alias="validate")
    refreshGenerated: bool | None = None  # noqa: N815
    force: bool | None = None
    waiter: TsWaiter = TsWaiter()
    tableNameOverride: str | None = None  # noqa: N815


class TsDelete(_Lenient):
    tableName: str | None = None  # noqa: N815
    waiter: TsWaiter = TsWaiter()


class TsVersion(_Lenient):
    version: str | None = None


class TsGenerate(TsVersion):
    clean: bool | None = None
    tableProperties: dict[str, Any] | None = None  # noqa: N815


class TsPurge(_Lenient):
    tableName: str | None = None  # noqa: N815


class TsMigrate(_Lenient):
    sourceTable: str | None = None  # noqa: N815
    targetTable: str | None = None  # noqa: N815
    fromVersion: str | None = None  # noqa: N815
    toVersion: str | None = None  # noqa: N815
    pageSize: int | str | None = None  # noqa: N815
    limit: int | str | None = None
    transformConcurrency: int | str | None = None  # noqa: N815
    progressIntervalMs: int | str | None = None  # noqa: N815

    @field_validator("pageSize")
    @classmethod
    def _page(cls, value: Any) -> int | None:
        return _whole(value, 1, 1_000_000)


class TypeScriptConfig(_Lenient):
    """``plugins["aws/dynamodb"]``, as the TypeScript plugin (mounted under ``aws``) reads it.
    Unknown keys are kept so that they can be named in a warning, never silently dropped."""

    tablesPath: str | None = None  # noqa: N815
    minTableVersionWidth: int | str | None = None  # noqa: N815
    tokens: TsTokens = TsTokens()
    local: TsLocal = TsLocal()
    generate: TsGenerate = TsGenerate()
    validate_: TsVersion = Field(default=TsVersion(), alias="validate")
    create: TsCreate = TsCreate()
    delete: TsDelete = TsDelete()
    purge: TsPurge = TsPurge()
    migrate: TsMigrate = TsMigrate()

    @field_validator("minTableVersionWidth")
    @classmethod
    def _width(cls, value: Any) -> int | None:
        return _whole(value, 1, 9)
