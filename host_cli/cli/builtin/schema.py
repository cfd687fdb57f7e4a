"""``schema``: a JSON Schema of ``getdotenv.config.json|yaml`` for editors, from the host's option
specs and every loaded plugin's pydantic model."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from host_cli.cli.session import session_of

if TYPE_CHECKING:
    from host_cli.plugins.host import PluginHost

DRAFT = "https://json-schema.org/draft/2020-12/schema"
_STRINGS = {"type": "array", "items": {"type": "string"}}
_KINDS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "bool": {"type": "boolean"},
    "shell": {"type": ["boolean", "string"]},
    "paths": {"anyOf": [{"type": "string"}, _STRINGS]},
    "strs": _STRINGS,
    "number": {"type": "number"},
    "trace": {"anyOf": [{"type": "boolean"}, _STRINGS]},
}
_SCRIPT = {
    "anyOf": [
        {"type": "string"},
        {
            "type": "object",
            "properties": {"cmd": {"type": "string"}, "shell": {"type": ["boolean", "string"]}},
            "required": ["cmd"],
            "additionalProperties": False,
        },
    ]
}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}


def _flag_help() -> dict[str, str]:
    """The root flags' help texts (``--env`` -> ``Target environment: ...``)."""
    from host_cli.cli import rootcli

    return {name: option.help or "" for option in rootcli.options() for name in option.opts}


def _root_options() -> dict[str, Any]:
    from host_cli.engine.options import BY_KEY, DIALECTS, FORMATS

    helps = _flag_help()
    out: dict[str, Any] = {}
    for key, spec in BY_KEY.items():
        entry = dict(_KINDS[spec.kind])
        if key == "dialect":
            entry = {"enum": list(DIALECTS)}
        if key == "format":
            entry = {"enum": list(FORMATS)}
        text = helps.get(spec.flag)
        if not spec.used:
            text = "A get-dotenv option with no effect here (accepted so a shared file works)."
        if text:
            entry["description"] = text
        out[key] = entry
    out["scripts"] = {"type": "object", "additionalProperties": _SCRIPT}
    return out


def _plugin_schemas(host: PluginHost) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each claimed slice's schema, and the definitions they refer to (named per slice)."""
    from host_cli.plugins.configs import _import_model

    slices: dict[str, Any] = {}
    defs: dict[str, Any] = {}
    for name, (ref, _plugin) in host.config_models().items():
        prefix = name.replace("/", "-")
        model = _import_model(ref)
        schema = model.model_json_schema(by_alias=True, ref_template=f"#/$defs/{prefix}.{{model}}")
        for def_name, definition in schema.pop("$defs", {}).items():
            defs[f"{prefix}.{def_name}"] = definition
        slices[name] = schema
    return slices, defs


def build(host: PluginHost) -> dict[str, Any]:
    """The JSON Schema of a config file, for the plugins ``host`` loaded."""
    slices, defs = _plugin_schemas(host)
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": "getdotenv.config.json|yaml",
        "description": "Config of getdotenv (and get-dotenv): defaults of the root flags, "
        "scripts, variables and plugin settings.",
        "type": "object",
        "properties": {
            "$schema": {"type": "string"},
            "rootOptionDefaults": {
                "type": "object",
                "properties": _root_options(),
                "additionalProperties": False,
            },
            "rootOptionVisibility": {"type": "object"},
            "scripts": {"type": "object", "additionalProperties": _SCRIPT},
            "vars": _STRING_MAP,
            "envVars": {"type": "object", "additionalProperties": _STRING_MAP},
            "requiredKeys": _STRINGS,
            "dynamic": {
                "type": "string",
                "description": "A Python file or module whose DYNAMIC mapping computes variables.",
            },
            "plugins": {
                "type": "object",
                "properties": slices,
                "additionalProperties": {"type": "object"},
            },
        },
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def schema(ctx: typer.Context) -> None:
    """Print a JSON Schema of getdotenv.config.json|yaml, with every loaded plugin's slice, for
    editors: save it (getdotenv schema > getdotenv.schema.json) and point "$schema" (JSON) or a
    "# yaml-language-server: $schema=..." line (YAML) at it. Reads no .env or config file."""
    typer.echo(json.dumps(build(session_of(ctx).settings.plugin_host), indent=2))
