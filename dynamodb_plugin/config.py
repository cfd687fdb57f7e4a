"""The plugin's config slices, validated by pydantic: ``plugins.dynamodb`` and the TypeScript
plugin's ``plugins["aws/dynamodb"]``.

A key left out validates as ``None`` ("not set"), so that ``settings.effective`` can lay
this slice over the TypeScript one key by key and only then fill in the defaults.
Imported only to validate a slice (the host caches the result).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (  # noqa: TID253 - this module is imported only to validate a slice
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
)
from pydantic.alias_generators import to_camel  # noqa: TID253

from dynamodb_plugin import config_checks as checks
from host_cli import ShellCommand

_MODEL = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)
# The TypeScript plugin's schema drops keys it does not know; so do we (and say so).
_LENIENT = ConfigDict(extra="allow", frozen=True, populate_by_name=True)

# Checks are plain functions of a pydantic-free module (not ``field_validator`` methods), so the
# host can validate a slice from a cached core schema without importing this module.
Url = AfterValidator(checks.url)
Origins = AfterValidator(checks.origins)
NotBlank = AfterValidator(checks.not_blank)


class LocalConfig(BaseModel):
    """``plugins.dynamodb.local``: how the local DynamoDB is run."""

    model_config = _MODEL

    port: int | None = Field(default=None, ge=1, le=65535)
    endpoint: Annotated[str | None, Url] = None
    start: Annotated[ShellCommand | None, NotBlank] = None
    stop: Annotated[ShellCommand | None, NotBlank] = None
    status: Annotated[ShellCommand | None, NotBlank] = None
    ready: Annotated[ShellCommand | None, NotBlank] = None
    persist: bool | None = None
    jar: Annotated[str | None, NotBlank] = None
    timeout: float | None = Field(default=None, gt=0)
    snapshot_interval: float | None = Field(default=None, ge=0)
    export_aws_env: bool | None = None
    # Origins of browser apps that may call the built-in server (DynamoDB Local's -cors idea,
    # closed by default).
    cors: Annotated[list[str] | None, Origins] = None
    # Time to Live: expire (the built-in server deletes expired items) or off (never, as
    # DynamoDB Local); how often it looks, in seconds (see dynamodb_plugin/local/ttl.py).
    ttl: Literal["expire", "off"] | None = None
    ttl_interval: float | None = Field(default=None, ge=0.05, le=3600)


class Tokens(BaseModel):
    """File names, without extension, of a version's table definition and transform."""

    model_config = _MODEL

    table: Annotated[str | None, NotBlank] = None
    transform: Annotated[str | None, NotBlank] = None


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
    port: Annotated[int | str | None, AfterValidator(checks.port)] = None
    endpoint: Annotated[str | None, Url] = None
    start: Annotated[ShellCommand | None, NotBlank] = None
    stop: Annotated[ShellCommand | None, NotBlank] = None
    status: Annotated[ShellCommand | None, NotBlank] = None


class TsTokens(_Lenient):
    table: str | None = None
    entityManager: str | None = None  # noqa: N815 - the TypeScript spelling
    transform: str | None = None


class TsWaiter(_Lenient):
    maxSeconds: Annotated[int | float | str | None, AfterValidator(checks.seconds)] = None  # noqa: N815


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
    pageSize: Annotated[int | str | None, AfterValidator(checks.page_size)] = None  # noqa: N815
    limit: int | str | None = None
    transformConcurrency: int | str | None = None  # noqa: N815
    progressIntervalMs: int | str | None = None  # noqa: N815


class TypeScriptConfig(_Lenient):
    """``plugins["aws/dynamodb"]``, as the TypeScript plugin (mounted under ``aws``) reads it.
    Unknown keys are kept so that they can be named in a warning, never silently dropped."""

    tablesPath: str | None = None  # noqa: N815
    minTableVersionWidth: Annotated[int | str | None, AfterValidator(checks.width)] = None  # noqa: N815
    tokens: TsTokens = TsTokens()
    local: TsLocal = TsLocal()
    generate: TsGenerate = TsGenerate()
    validate_: TsVersion = Field(default=TsVersion(), alias="validate")
    create: TsCreate = TsCreate()
    delete: TsDelete = TsDelete()
    purge: TsPurge = TsPurge()
    migrate: TsMigrate = TsMigrate()
