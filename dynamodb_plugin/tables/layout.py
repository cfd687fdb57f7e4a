"""The versioned table folders: ``tables/NNN/table.yml``, the template, and ``generate``.

Version folders are ASCII-digit names ordered by their number; ``1/`` beside ``001/`` is an
error. The file names come from the tokens (``table`` -> ``table.yml``, else ``table.yaml``;
``transform`` -> ``transform.py``), as in the TypeScript plugin. What a table file may hold is
``definition``'s business.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import PluginError, write_atomically
from host_cli import read_text as host_read_text

TEMPLATE = "table.template.yml"
STARTER = """\
# One version of the table: a bare AWS::DynamoDB::Table resource. Serverless imports it as
#   resources: {{ Resources: {{ Table{version}: ${{file(./tables/{version}/table.yml)}} }} }}
# Edit the keys and indexes; `getdotenv dynamodb tables validate` checks the file.
Type: AWS::DynamoDB::Table
Properties:
  TableName: ${{param:STAGE_NAME}}-{version}
  BillingMode: PAY_PER_REQUEST
  AttributeDefinitions:
    - AttributeName: hashKey
      AttributeType: S
    - AttributeName: rangeKey
      AttributeType: S
  KeySchema:
    - AttributeName: hashKey
      KeyType: HASH
    - AttributeName: rangeKey
      KeyType: RANGE
"""
_TABLE_NAME_LINE = re.compile(r"^(?P<indent>[ \t]+)TableName:[^\n]*$", re.MULTILINE)

# CloudFormation's short tags, read as the long form so that they can be reported by name.
_SHORT_TAGS = {
    "Ref": "Ref",
    "Condition": "Condition",
    **{
        name: f"Fn::{name}"
        for name in [
            "Base64",
            "Cidr",
            "FindInMap",
            "GetAtt",
            "GetAZs",
            "ImportValue",
            "Join",
            "Select",
            "Split",
            "Sub",
            "Transform",
            "And",
            "Equals",
            "If",
            "Not",
            "Or",
            "ToJsonString",
            "Length",
        ]
    },
}


class Version(NamedTuple):
    number: int
    name: str  # the folder name as written, e.g. "001"
    folder: Path


class Layout(NamedTuple):
    root: Path  # the tables folder
    shown: str  # how to show it in messages
    width: int
    versions: tuple[Version, ...]
    table_token: str = "table"
    transform_token: str = "transform"
    skipped: tuple[str, ...] = ()  # folders that are not version numbers (ASCII digits)

    def _skipped_note(self) -> str:
        if not self.skipped:
            return ""
        names = ", ".join(f"{self.shown}/{name}/" for name in self.skipped[:5])
        return f"; skipped {names}: not a version number (ASCII digits only, e.g. 001)"

    def get(self, number: int) -> Version | None:
        """The version numbered ``number``, if the layout has it."""
        return next((v for v in self.versions if v.number == number), None)

    def find(self, wanted: str | int) -> Version:
        number = parse_version(wanted)
        version = self.get(number)
        if version is not None:
            return version
        have = ", ".join(v.name for v in self.versions) or "none"
        raise PluginError(
            f"{self.shown}/{format_version(number, self.width)}: no such version (have: {have})"
            + self._skipped_note()
        )

    def latest(self) -> Version:
        if not self.versions:
            raise PluginError(
                f"{self.shown}: no version folders (create one with `dynamodb tables generate`)"
                + self._skipped_note()
            )
        return self.versions[-1]

    def table_file(self, version: Version) -> Path:
        """``<token>.yml``, else ``<token>.yaml`` where only that exists."""
        yml = version.folder / f"{self.table_token}.yml"
        yaml = version.folder / f"{self.table_token}.yaml"
        return yaml if not yml.exists() and yaml.exists() else yml

    def transform_file(self, version: Version) -> Path:
        return version.folder / f"{self.transform_token}.py"

    def shown_file(self, version: Version, path: Path | None = None) -> str:
        name = (path or self.table_file(version)).name
        return f"{self.shown}/{version.name}/{name}"


def parse_version(value: str | int, where: str = "--version") -> int:
    """A version number: ASCII digits only (``²`` is a digit to ``str.isdigit``), at most 9."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        shown = text if len(text) <= 20 else text[:17] + "..."
        raise PluginError(f"{where}: expected a version number such as 001, got {shown!r}")
    return int(text)


def format_version(number: int, width: int) -> str:
    return str(number).zfill(width)


def load(
    root: Path,
    shown: str,
    width: int,
    table_token: str = "table",
    transform_token: str = "transform",
) -> Layout:
    """The version folders under ``root`` (which may not exist yet)."""
    found: dict[int, Version] = {}
    skipped: list[str] = []
    if root.exists() and not root.is_dir():
        raise PluginError(
            f"{shown}: is a file, expected the tables folder (plugins.dynamodb.tables.path); "
            "point tables.path at a folder, or move the file away"
        )
    if root.is_dir():
        for entry in sorted(root.iterdir()):
            name = entry.name
            if not (name.isascii() and name.isdigit() and len(name) <= 9 and entry.is_dir()):
                if entry.is_dir() and not name.startswith("."):
                    skipped.append(name)
                continue
            number = int(entry.name)
            if number in found:
                raise PluginError(
                    f"{shown}/{found[number].name} and {shown}/{entry.name} are the same version "
                    f"{number}; keep one"
                )
            found[number] = Version(number, entry.name, entry)
    versions = tuple(found[n] for n in sorted(found))
    return Layout(root, shown, width, versions, table_token, transform_token, tuple(skipped))


@functools.cache
def _cfn_loader() -> Any:
    import yaml  # noqa: TID253 - only the tables commands read YAML

    class Loader(yaml.SafeLoader):
        pass

    def construct(tag: str) -> Any:
        def build(loader: Any, node: Any) -> dict[str, Any]:
            if isinstance(node, yaml.ScalarNode):
                value: Any = loader.construct_scalar(node)
                if tag == "Fn::GetAtt" and isinstance(value, str):
                    value = value.split(".", 1)
            elif isinstance(node, yaml.SequenceNode):
                value = loader.construct_sequence(node, deep=True)
            else:
                value = loader.construct_mapping(node, deep=True)
            return {tag: value}

        return build

    for short, long in _SHORT_TAGS.items():
        Loader.add_constructor(f"!{short}", construct(long))
    return Loader


def read_text(path: Path, shown: str) -> str:
    """A table file's text, read by the host's file rule (a regular UTF-8 file, bounded)."""
    text = host_read_text(path, shown, error=PluginError, what="a YAML table file")
    if text is None:
        raise PluginError(f"{shown}: no such file")
    return text


def read_yaml(path: Path, shown: str) -> Any:
    """Parse a CloudFormation YAML file; short tags (``!Ref``, ``!Sub``, ...) are accepted."""
    return parse_yaml(read_text(path, shown), shown)


def parse_yaml(text: str, shown: str) -> Any:
    """Parse CloudFormation YAML text read from ``shown``."""
    import yaml  # noqa: TID253

    try:
        doc = yaml.load(text, Loader=_cfn_loader())  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise PluginError(
            f"{shown}: nested too deeply to read (over {MAX_DEPTH} levels expected at most)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PluginError(f"{shown}: invalid YAML: {where}{problem}") from None
    _check_depth(doc, shown)
    return doc


MAX_DEPTH = 64


def _check_depth(doc: Any, shown: str) -> None:
    """One error naming the dotted key where ``doc`` nests deeper than ``MAX_DEPTH``."""
    stack: list[tuple[Any, str, int]] = [(doc, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise PluginError(
                f"{shown}: {path or '(top)'}: nested deeper than {MAX_DEPTH} levels; a table "
                "definition never needs that many"
            )
        if isinstance(value, dict):
            stack += [(v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]


def generate(
    layout: Layout, number: int, *, force: bool, logical_id: str | None = None
) -> tuple[Path, str]:
    """Write ``<version>/table.yml`` from the template, else from the latest version, else a
    starter table.

    The source text is copied as written (comments kept) with the table's ``TableName`` set to
    ``${param:STAGE_NAME}-NNN``. Returns the file written and what it was made from.
    """
    from dynamodb_plugin.tables.definition import pick

    name = format_version(number, layout.width)
    version = layout.get(number) or Version(number, name, layout.root / name)
    target = layout.table_file(version)
    if target.exists() and not force:
        raise PluginError(
            f"{layout.shown_file(version, target)} exists; pass --force to overwrite it"
        )
    template = layout.root / TEMPLATE
    older = [v for v in layout.versions if v.number != number]
    if template.is_file():
        source_file, shown = template, f"{layout.shown}/{TEMPLATE}"
    elif older:
        source_file, shown = layout.table_file(older[-1]), layout.shown_file(older[-1])
    else:
        source_file, shown = None, "a starter table (hashKey, rangeKey: edit them)"
    if source_file is None:
        text = STARTER.format(version=name)
    else:
        source = read_text(source_file, shown)
        definition = pick(parse_yaml(source, shown), shown, logical_id)
        if not isinstance(definition.resource.get("Properties"), dict):
            raise PluginError(f"{shown}: {definition.key('Properties')}: expected a mapping")
        named = _with_table_name(source, definition.logical_id, f"${{param:STAGE_NAME}}-{name}")
        if named is None:
            raise PluginError(f"{shown}: cannot find the table's Properties to set TableName in")
        text = named
    version.folder.mkdir(parents=True, exist_ok=True)
    # 0666 less the umask, as any file the user writes: a table file is their source, not data
    write_atomically(
        target, text, shown=layout.shown_file(version, target), mode=0o666, error=PluginError
    )
    return target, shown


def _with_table_name(text: str, logical_id: str | None, table_name: str) -> str | None:
    """``text`` with the table resource's ``TableName`` line set (or added under its
    ``Properties``); ``None`` when the lines cannot be found."""
    start = 0
    if logical_id is not None:
        found = re.search(rf"^[ \t]*['\"]?{re.escape(logical_id)}['\"]?:", text, re.MULTILINE)
        if found is None:
            return None
        start = found.end()
    line = _TABLE_NAME_LINE.search(text, start)
    properties = re.compile(r"^[ \t]*Properties:[ \t]*\n(?P<indent>[ \t]+)", re.MULTILINE)
    props = properties.search(text, start)
    if line is not None and (props is None or line.start() > props.start()):
        return f"{text[: line.start()]}{line['indent']}TableName: {table_name}{text[line.end() :]}"
    if props is None:
        return None
    at = props.start("indent")
    return f"{text[:at]}{props['indent']}TableName: {table_name}\n{text[at:]}"
