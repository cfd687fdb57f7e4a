"""The plugin's config slice, ``plugins.dynamodb``, validated by pydantic."""

from __future__ import annotations

from pydantic import (  # noqa: TID253 - this module is imported only to validate the slice
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic.alias_generators import to_camel  # noqa: TID253

from dynamodb_plugin.endpoint import parse_endpoint

_MODEL = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


class LocalConfig(BaseModel):
    """``plugins.dynamodb.local``: how the local DynamoDB is run."""

    model_config = _MODEL

    port: int | None = Field(default=None, ge=1, le=65535)
    endpoint: str | None = None
    start: str | None = None
    stop: str | None = None
    status: str | None = None
    ready: str | None = None
    persist: bool = True
    jar: str | None = None
    timeout: float = Field(default=30.0, gt=0)
    snapshot_interval: float = Field(default=60.0, ge=0)

    @field_validator("endpoint")
    @classmethod
    def _endpoint_is_a_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parsed = parse_endpoint(value)
        if parsed is None:
            raise ValueError("expected an http(s) URL such as http://localhost:8000")
        return parsed[0]

    @field_validator("start", "stop", "status", "ready", "jar")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("expected a non-empty string (leave the key out to unset it)")
        return value


class TablesConfig(BaseModel):
    """``plugins.dynamodb.tables``: where the versioned table definitions live."""

    model_config = _MODEL

    path: str = "tables"
    width: int = Field(default=3, ge=1, le=9)


class DynamoConfig(BaseModel):
    """``plugins.dynamodb``."""

    model_config = _MODEL

    local: LocalConfig = LocalConfig()
    tables: TablesConfig = TablesConfig()
