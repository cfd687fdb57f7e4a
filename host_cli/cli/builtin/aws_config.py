"""The config slice of the built-in ``aws`` command (``plugins.aws``), as in get-dotenv 7."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict  # noqa: TID253 - imported only to validate the slice
from pydantic.alias_generators import to_camel  # noqa: TID253


class AwsConfig(BaseModel):
    """``plugins.aws``: get-dotenv's keys and defaults. The ``aws`` command's flags win over
    each of them, on ``aws`` and on every command below it."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )

    profile: str | None = None
    region: str | None = None
    default_region: str | None = None
    profile_key: str = "AWS_LOCAL_PROFILE"
    profile_fallback_key: str = "AWS_PROFILE"
    region_key: str = "AWS_REGION"
    strategy: Literal["cli-export", "none"] = "cli-export"
    login_on_demand: bool = False
