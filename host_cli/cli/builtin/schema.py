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
_NULL = {"type": "null"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A top-level key the tool reads as empty when null (an empty YAML block: ``vars:``)."""
    return {"anyOf": [schema, _NULL]}


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
        out[key] = {"anyOf": [entry, _NULL]}  # null: not set (the tool skips it)
    out["scripts"] = {"type": "object", "additionalProperties": _SCRIPT}
    return out


def _nocase(word: str) -> str:
    """An ECMA-262 pattern piece matching ``word`` in any case (JSON Schema has no flags)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in word)


# What the host does to a slice before its model sees it: every string is expanded, so a
# string holding a reference ($NAME, ${NAME}) may stand for any value. And what pydantic's
# lax mode, which validates slices, takes for numbers and booleans, spelled as strings.
_REFERENCE = {"type": "string", "pattern": "\\$", "description": "expanded before validation"}
_DIGITS = "[0-9]+(_[0-9]+)*"
_INT_TEXT = f"^\\s*[+-]?{_DIGITS}(\\.0*)?\\s*$"
_FLOAT_TEXT = (
    f"^\\s*[+-]?({_DIGITS}(\\.({_DIGITS})?)?|\\.{_DIGITS})([eE][+-]?[0-9]+)?\\s*$|"
    f"^\\s*[+-]?({_nocase('inf')}|{_nocase('infinity')}|{_nocase('nan')})\\s*$"
)
_BOOL_WORDS = ("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0")
_BOOL_TEXT = "^(" + "|".join(_nocase(w) for w in _BOOL_WORDS) + ")$"


def _in_range(value: int, node: dict[str, Any]) -> bool:
    """Whether ``value`` meets the numeric bounds of ``node``."""
    return (
        value >= node.get("minimum", value)
        and value <= node.get("maximum", value)
        and ("exclusiveMinimum" not in node or value > node["exclusiveMinimum"])
        and ("exclusiveMaximum" not in node or value < node["exclusiveMaximum"])
    )


def _lenient(node: Any) -> Any:
    """A plugin model's schema, widened to what the host accepts for each literal: the
    string spellings and cross-type values pydantic's lax mode converts, and references.
    A string spelling is checked for its form, not its range ("70000" for a port passes
    the schema and fails in the tool, which names the key)."""
    if isinstance(node, list):
        return [_lenient(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {
        k: (v if k in ("default", "examples", "const", "enum") else _lenient(v))
        for k, v in node.items()
    }
    kind = out.get("type")
    extra: list[dict[str, Any]] = []
    if kind in ("integer", "number"):
        pattern = _INT_TEXT if kind == "integer" else _FLOAT_TEXT
        extra = [{"type": "string", "pattern": pattern}]
        booleans = [b for b in (False, True) if _in_range(int(b), out)]
        if booleans:  # pydantic reads false/true as 0/1 here
            extra.append({"enum": booleans})
    elif kind == "boolean":
        extra = [{"type": "string", "pattern": _BOOL_TEXT}, {"enum": [0, 1]}]
    elif "enum" in out or "const" in out:
        extra = []
    else:
        return out
    typed = {k: v for k, v in out.items() if k not in ("title", "description", "default")}
    around = {k: v for k, v in out.items() if k in ("title", "description", "default")}
    return {**around, "anyOf": [typed, *extra, _REFERENCE]}


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
            defs[f"{prefix}.{def_name}"] = _lenient(definition)
        slices[name] = _lenient(schema)
    return slices, defs


def build(host: PluginHost) -> dict[str, Any]:
    """The JSON Schema of a config file, for the plugins ``host`` loaded."""
    from host_cli.engine.config import FOREIGN_SLICES

    slices, defs = _plugin_schemas(host)
    foreign = {
        name: {"type": "object", "description": "A slice of a get-dotenv or SMOZ plugin."}
        for name in FOREIGN_SLICES
    }
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "title": "getdotenv.config.json|yaml",
        "description": "Config of getdotenv (and get-dotenv): defaults of the root flags, "
        "scripts, variables and plugin settings.",
        "type": "object",
        "properties": {
            "$schema": _or_null({"type": "string"}),
            "rootOptionDefaults": _or_null(
                {
                    "type": "object",
                    "properties": _root_options(),
                    "additionalProperties": False,
                }
            ),
            "rootOptionVisibility": _or_null({"type": "object"}),
            "scripts": _or_null({"type": "object", "additionalProperties": _SCRIPT}),
            "vars": _or_null(_STRING_MAP),
            "envVars": _or_null({"type": "object", "additionalProperties": _STRING_MAP}),
            "requiredKeys": _STRINGS,
            "dynamic": _or_null(
                {
                    "type": "string",
                    "pattern": "\\S",
                    "description": "A Python file or module whose DYNAMIC mapping computes "
                    "variables.",
                }
            ),
            "plugins": {
                "type": ["object", "null"],
                "properties": {**foreign, **slices},
                # a slice no loaded plugin claims: the tool warns (an error with --strict)
                "additionalProperties": False,
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
