"""The versioned table folders: ``tables/NNN/table.yml``, the template, and ``generate``.

Version folders are digit-only names ordered by their number; ``1/`` beside ``001/`` is an
error. Each ``table.yml`` holds one bare ``AWS::DynamoDB::Table`` resource (``Type`` and
``Properties``), the form Serverless imports as ``Table001: ${file(./tables/001/table.yml)}``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, NamedTuple

from host_cli import PluginError

TEMPLATE = "table.template.yml"
TABLE_FILE = "table.yml"
TRANSFORM_FILE = "transform.py"
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

    def find(self, wanted: str | int) -> Version:
        number = parse_version(wanted)
        for version in self.versions:
            if version.number == number:
                return version
        have = ", ".join(v.name for v in self.versions) or "none"
        raise PluginError(
            f"{self.shown}/{format_version(number, self.width)}: no such version (have: {have})"
        )

    def latest(self) -> Version:
        if not self.versions:
            raise PluginError(
                f"{self.shown}: no version folders (create one with `dynamodb tables generate`)"
            )
        return self.versions[-1]

    def shown_file(self, version: Version, name: str = TABLE_FILE) -> str:
        return f"{self.shown}/{version.name}/{name}"


def parse_version(value: str | int) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise PluginError(f"--version: expected a version number such as 001, got {text!r}")
    return int(text)


def format_version(number: int, width: int) -> str:
    return str(number).zfill(width)


def load(root: Path, shown: str, width: int) -> Layout:
    """The version folders under ``root`` (which may not exist yet)."""
    found: dict[int, Version] = {}
    if root.is_dir():
        for entry in sorted(root.iterdir()):
            if not (entry.is_dir() and entry.name.isdigit()):
                continue
            number = int(entry.name)
            if number in found:
                raise PluginError(
                    f"{shown}/{found[number].name} and {shown}/{entry.name} are the same version "
                    f"{number}; keep one"
                )
            found[number] = Version(number, entry.name, entry)
    return Layout(root, shown, width, tuple(found[n] for n in sorted(found)))


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


def read_yaml(path: Path, shown: str) -> Any:
    """Parse a CloudFormation YAML file; short tags (``!Ref``, ``!Sub``, ...) are accepted."""
    import yaml  # noqa: TID253

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PluginError(f"{shown}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PluginError(f"{shown}: cannot read: {exc}") from None
    try:
        return yaml.load(text, Loader=_cfn_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PluginError(f"{shown}: invalid YAML: {where}{problem}") from None


def generate(layout: Layout, number: int, *, force: bool) -> tuple[Path, str]:
    """Write ``<version>/table.yml`` from the template, else from the latest version.

    The source text is copied as written (comments kept) with its ``TableName`` line set to
    ``${param:STAGE_NAME}-NNN``. Returns the file written and what it was made from.
    """
    name = format_version(number, layout.width)
    existing = next((v for v in layout.versions if v.number == number), None)
    folder = existing.folder if existing else layout.root / name
    target = folder / TABLE_FILE
    if target.exists() and not force:
        raise PluginError(
            f"{layout.shown}/{folder.name}/{TABLE_FILE} exists; pass --force to overwrite it"
        )
    template = layout.root / TEMPLATE
    if template.is_file():
        source, shown = template, f"{layout.shown}/{TEMPLATE}"
    else:
        older = [v for v in layout.versions if v.number != number]
        if not older:
            raise PluginError(
                f"{layout.shown}: nothing to generate from; write {layout.shown}/{TEMPLATE} "
                "(a bare AWS::DynamoDB::Table resource) first"
            )
        source, shown = older[-1].folder / TABLE_FILE, layout.shown_file(older[-1])
    doc = read_yaml(source, shown)
    if not isinstance(doc, dict) or not isinstance(doc.get("Properties"), dict):
        raise PluginError(f"{shown}: expected a resource with Type and Properties")
    text = source.read_text(encoding="utf-8")
    table_name = f"${{param:STAGE_NAME}}-{name}"
    if _TABLE_NAME_LINE.search(text):
        text = _TABLE_NAME_LINE.sub(
            lambda m: f"{m['indent']}TableName: {table_name}", text, count=1
        )
    else:
        properties = re.search(r"^Properties:[ \t]*\n(?P<indent>[ \t]+)", text, re.MULTILINE)
        if properties is None:
            raise PluginError(f"{shown}: cannot find Properties to add TableName to")
        at = properties.start("indent")
        text = f"{text[:at]}{properties['indent']}TableName: {table_name}\n{text[at:]}"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{TABLE_FILE}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target, shown
