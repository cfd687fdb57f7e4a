"""A pydantic-settings source that reads the composed environment (the ``settings`` extra).

``GetDotenvSettingsSource(settings_cls, env="dev")`` composes with the options of
``host_cli.compose`` and serves the result as pydantic-settings' ``EnvSettingsSource`` serves
``os.environ``: the model's ``env_prefix``, ``case_sensitive``, ``env_nested_delimiter`` and the
rest apply. Imported only by applications that use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_settings import BaseSettings, EnvSettingsSource  # noqa: TID253 - the extra's module


class GetDotenvSettingsSource(EnvSettingsSource):
    """Settings from the composed environment (``host_cli.compose(**options)``)."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        *,
        case_sensitive: bool | None = None,
        env_prefix: str | None = None,
        env_nested_delimiter: str | None = None,
        **options: Any,
    ) -> None:
        self._options = options
        super().__init__(
            settings_cls,
            case_sensitive=case_sensitive,
            env_prefix=env_prefix,
            env_nested_delimiter=env_nested_delimiter,
        )

    def _load_env_vars(self) -> Mapping[str, str | None]:
        from host_cli.integrations.api import compose

        composed = compose(**self._options)
        none = self.env_parse_none_str
        out: dict[str, str | None] = {}
        for key, value in composed.items():
            if self.env_ignore_empty and value == "":
                continue
            name = key if self.case_sensitive else key.lower()
            out[name] = None if none is not None and value == none else value
        return out

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self._options.items())
        return f"GetDotenvSettingsSource({options})"
