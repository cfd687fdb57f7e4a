"""The config slice of the built-in ``cmd`` command (``plugins.cmd``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict  # noqa: TID253 - imported only to validate the slice


class CmdConfig(BaseModel):
    """``plugins.cmd`` as in get-dotenv: whether ``-c/--cmd`` strings are expanded first."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    expand: bool = True
