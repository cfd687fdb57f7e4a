"""The plugin's config slice, ``plugins.hello``."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HelloConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    greeting: str = "Hello"
    name: str = "world"
    times: int = Field(default=1, ge=1, le=10)
