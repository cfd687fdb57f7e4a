"""The config slice of the built-in ``batch`` command (``plugins.batch``), as in get-dotenv."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field  # noqa: TID253 - imported only to validate
from pydantic.alias_generators import to_camel  # noqa: TID253

from host_cli.plugins.markers import ShellCommand


class BatchScript(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cmd: ShellCommand
    shell: bool | str | None = None


class BatchConfig(BaseModel):
    """``plugins.batch``: defaults of the batch command's flags, and batch-only scripts."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )

    root_path: str = "./"
    globs: str = "*"
    pkg_cwd: bool = False
    scripts: dict[str, ShellCommand | BatchScript] = Field(default_factory=dict)
