"""A version's table definition: the ``AWS::DynamoDB::Table`` resource in its file, and its name.

A ``table.yml`` may be a bare resource (``Type`` and ``Properties``, the form we generate and
Serverless imports as ``Table000: ${file(./tables/000/table.yml)}``), a CloudFormation template
(``Resources``), or a Serverless ``resources:`` fragment. One table resource is picked; a file
with several needs a logical id (``--resource`` or ``plugins.dynamodb.tables.resource``).

The name: ``--table-name``, else ``Properties.TableName`` resolved (Serverless variables, see
``variables``), else, when it cannot be resolved here or is missing, the version's derived name
``${STAGE_NAME}-NNN``, and the caller says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from dynamodb_plugin.tables import variables
from host_cli import PluginError

TABLE_TYPE = "AWS::DynamoDB::Table"
TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


class Definition(NamedTuple):
    """The picked table resource and where it sits in its file."""

    shown: str  # the file, as shown in messages
    prefix: str  # dotted path to the resource: "" (bare), "Resources.Table.", ...
    logical_id: str | None
    resource: Mapping[str, Any]

    @property
    def properties(self) -> Mapping[str, Any]:
        props = self.resource.get("Properties")
        return props if isinstance(props, Mapping) else {}

    def key(self, dotted: str) -> str:
        return f"{self.prefix}{dotted}"


class Name(NamedTuple):
    value: str
    note: str | None  # why the derived name was used, if it was


def _resources(doc: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(prefix, logical id, resource) of every resource in a template or Serverless fragment."""
    holders: list[tuple[str, Any]] = []
    if "Resources" in doc:
        holders.append(("Resources", doc["Resources"]))
    fragment = doc.get("resources")
    if isinstance(fragment, Mapping):
        holders.append(("resources.Resources", fragment.get("Resources")))
    elif isinstance(fragment, list):
        for i, part in enumerate(fragment):
            if isinstance(part, Mapping):
                holders.append((f"resources[{i}].Resources", part.get("Resources")))
    out = []
    for path, resources in holders:
        if isinstance(resources, Mapping):
            out += [(f"{path}.{k}.", str(k), v) for k, v in resources.items()]
    return out


def pick(doc: Any, shown: str, logical_id: str | None) -> Definition:
    """The table resource of a parsed file; an error naming the file when there is none or
    more than one and no ``logical_id`` says which."""
    if not isinstance(doc, Mapping):
        raise PluginError(
            f"{shown}: expected an AWS::DynamoDB::Table resource (Type and Properties), a "
            "CloudFormation template or a Serverless resources fragment"
        )
    if "Resources" not in doc and "resources" not in doc:
        return Definition(shown, "", None, doc)
    found = _resources(doc)
    if logical_id is not None:
        match = [r for r in found if r[1] == logical_id]
        if not match:
            have = ", ".join(r[1] for r in found) or "none"
            raise PluginError(f"{shown}: no resource {logical_id!r} (have: {have})")
        prefix, name, resource = match[0]
        return Definition(shown, prefix, name, resource if isinstance(resource, Mapping) else {})
    tables = [r for r in found if isinstance(r[2], Mapping) and r[2].get("Type") == TABLE_TYPE]
    if not tables:
        others = ", ".join(
            f"{r[1]} ({r[2].get('Type') if isinstance(r[2], Mapping) else '?'})" for r in found
        )
        raise PluginError(f"{shown}: no {TABLE_TYPE} resource among Resources ({others or 'none'})")
    if len(tables) > 1:
        names = ", ".join(r[1] for r in tables)
        raise PluginError(
            f"{shown}: holds {len(tables)} tables ({names}); say which with --resource ID or "
            "plugins.dynamodb.tables.resource"
        )
    prefix, name, resource = tables[0]
    return Definition(shown, prefix, name, resource)


def derived_name(env: Mapping[str, str], version: str) -> str | None:
    stage_name = env.get("STAGE_NAME")
    return f"{stage_name}-{version}" if stage_name else None


def check_name(name: Any, where: str) -> str:
    if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
        raise PluginError(
            f"{where}: resolves to {name!r}, which is not a valid table name "
            "(3-255 letters, digits, '_', '.' or '-')"
        )
    return name


def table_name(
    definition: Definition, env: Mapping[str, str], version: str, override: str | None = None
) -> Name:
    """The name the table of ``definition`` gets."""
    if override:
        return Name(check_name(override, "--table-name"), None)
    where = f"{definition.shown}: {definition.key('Properties.TableName')}"
    raw = definition.properties.get("TableName")
    if raw is None:
        why = "no TableName (CloudFormation would make one up)"
    else:
        problems: list[str] = []
        resolved = variables.resolve(raw, env, "", problems)
        if not problems:
            return Name(check_name(resolved, where), None)
        why = problems[0].removeprefix(": ")
    fallback = derived_name(env, version)
    if fallback is None:
        tail = "" if raw is not None else "; and STAGE_NAME is not set for the derived name"
        raise PluginError(f"{where}: {why}{tail}")
    note = (
        f"{where}: {why}; using the version's derived name {fallback} "
        "(${STAGE_NAME}-NNN; --table-name overrides)"
    )
    return Name(check_name(fallback, where), note)
