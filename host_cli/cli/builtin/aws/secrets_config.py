"""The config slice of ``aws secrets`` (``plugins["aws/secrets"]``), as in
aws-secrets-manager-tools 0.2.3, so one config serves get-dotenv and this host."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field  # noqa: TID253 - imported only to validate
from pydantic.alias_generators import to_camel  # noqa: TID253


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True
    )


class PushConfig(_Strict):
    """push: defaults of `aws secrets push`."""

    from_: list[str] | None = Field(default=None, alias="from")
    include: list[str] | None = None
    exclude: list[str] | None = None


class PullConfig(_Strict):
    """pull: defaults of `aws secrets pull`."""

    to: str | None = None
    include: list[str] | None = None
    exclude: list[str] | None = None


class SecretsConfig(_Strict):
    """plugins["aws/secrets"]: secretName (default $STACK_NAME),
    templateExtension (default template), push.{from,include,exclude},
    pull.{to,include,exclude}. Flags win over each."""

    secret_name: str | None = None
    template_extension: str | None = None
    push: PushConfig | None = None
    pull: PullConfig | None = None
