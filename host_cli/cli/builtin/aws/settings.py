"""The ``aws`` group's settings: ``plugins.aws`` with the group's flags over it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

# Flag (parameter) name -> config key (camelCase, as get-dotenv spells it).
FLAGS = {
    "profile": "profile",
    "region": "region",
    "default_region": "defaultRegion",
    "strategy": "strategy",
    "login_on_demand": "loginOnDemand",
    "profile_key": "profileKey",
    "profile_fallback_key": "profileFallbackKey",
    "region_key": "regionKey",
}
STRATEGIES = ("cli-export", "none")


class Settings(NamedTuple):
    """``plugins.aws`` with the ``aws`` flags over it, and where each value came from."""

    profile: str | None
    region: str | None
    default_region: str | None
    profile_key: str
    profile_fallback_key: str
    region_key: str
    strategy: str
    login_on_demand: bool
    sources: Mapping[str, str]  # field -> "--profile" / 'plugins.aws.profile'

    def source(self, field: str) -> str:
        return self.sources.get(field, "default")


def settings_from(
    config: Mapping[str, Any], flags: Mapping[str, Any], slice_name: str = "aws"
) -> Settings:
    """Lay the given ``flags`` (parameter names; ``None`` = not given) over the validated
    config slice (field names, defaults filled in)."""
    head = f"plugins.{slice_name}" if slice_name.isidentifier() else f'plugins["{slice_name}"]'
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for field, key in FLAGS.items():
        given = flags.get(field)
        if given is not None:
            values[field] = given
            sources[field] = "--" + field.replace("_", "-")
            if field == "login_on_demand" and not given:
                sources[field] = "--no-login-on-demand"
        else:
            values[field] = config.get(field)
            if config.get(field) is not None and config.get(field) != _DEFAULTS.get(field):
                sources[field] = f"{head}.{key}"
    for field, default in _DEFAULTS.items():
        if values[field] is None:
            values[field] = default
    if values["strategy"] not in STRATEGIES:
        from host_cli.support.errors import OptionError

        raise OptionError(
            f"{sources.get('strategy', 'strategy')}: expected one of {', '.join(STRATEGIES)}, "
            f"got {values['strategy']!r}"
        )
    return Settings(**values, sources=sources)


_DEFAULTS: dict[str, Any] = {
    "profile_key": "AWS_LOCAL_PROFILE",
    "profile_fallback_key": "AWS_PROFILE",
    "region_key": "AWS_REGION",
    "strategy": "cli-export",
    "login_on_demand": False,
}
