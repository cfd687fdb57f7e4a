"""The PyYAML-free reader of plain block YAML gives what yaml12 (PyYAML, YAML 1.2 core schema)
gives for every document it accepts, and hands every other document to PyYAML."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host_cli.engine import yaml12, yaml_lite


def typed(value: Any) -> Any:
    """A form that compares types too (True is not 1) and nan equal to itself."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    if isinstance(value, float) and math.isnan(value):
        return ("float", "nan")
    return (type(value).__name__, value)


def agree(doc: str) -> bool:
    """Whether the fast reader accepted ``doc``; if so, PyYAML reads the same value."""
    try:
        fast = yaml_lite.loads(doc)
    except yaml_lite.NotSimple:
        return False
    assert typed(fast) == typed(yaml12.loads(doc)), doc
    return True


GOOD_KEYS = [
    "a",
    "b",
    "cmd",
    "aws/dynamodb",
    "$schema",
    "x.y-z",
    "1",
    "true",
    "null",
    "1e5",
    "0x1F",
    "'q k'",
    "'it''s'",
    '"d k"',
    '""',
]
BAD_KEYS = ["a b", "-k", "~", "k:x", "?k", "&a", "[a]", "a :", "'a'x"]
GOOD = [
    "true",
    "False",
    "TRUE",
    "null",
    "Null",
    "~",
    "0o17",
    "0x1f",
    "-5",
    "+3",
    "010",
    "1.5",
    "1.",
    ".5",
    ".inf",
    "-.INF",
    ".nan",
    "1e3",
    "yes",
    "on",
    "2024-01-01",
    "'it''s'",
    '"q"',
    "'a' #c",
    "x #c",
    "x#c",
    "a:b",
    "-x",
    "${A}",
    "${A:-b}",
    "http://h:1/p",
    "a  b",
    "#c",
    "(x)",
    "./p",
    "+x",
    "~x",
    "''",
    "' # '",
    "a'b",
    'a"b',
    "x{y}",
    "0",
    "-0",
    "1_0",
]
BAD = [
    "'a'#c",
    '"a\\tb"',
    "a: b",
    "- x",
    "-",
    "a, b",
    "[a, b]",
    "{a: 1}",
    "x]",
    "&anchor x",
    "*alias",
    "!tag x",
    "|",
    ">",
    "@x",
    "`x`",
    "%x",
    "?x",
    "' open",
    '" open',
    "'two' 'x'",
    "é",
    "a\tb",
    "=x",
    "a:",
    "x ,y",
]

_text = st.text(alphabet=" abc01:#'\"-[]{},$.~*&!|>%@?", max_size=8)
_safe = st.text(alphabet="abc01 $.{}-:#'", min_size=1, max_size=8).filter(lambda t: t[0] != " ")


@st.composite
def _scalar(draw: Any) -> str:
    if draw(st.integers(0, 7)) == 0:
        return draw(st.one_of(st.sampled_from(BAD), _text))
    return draw(st.one_of(st.sampled_from(GOOD), _safe))


@st.composite
def _key(draw: Any) -> str:
    if draw(st.integers(0, 9)) == 0:
        return draw(st.one_of(st.sampled_from(BAD_KEYS), _text))
    return draw(st.sampled_from(GOOD_KEYS))


@st.composite
def documents(draw: Any) -> str:
    lines: list[str] = []
    step = draw(st.sampled_from([1, 2, 4]))

    def block(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 4))):
            pad = " " * (indent + draw(st.sampled_from([0] * 12 + [1])))
            if draw(st.integers(0, 20)) == 0:
                lines.append(draw(st.sampled_from(["", "# c", "   # c", "  ", "---", "..."])))
            kind = draw(st.sampled_from(["scalar", "scalar", "map", "seq", "empty"]))
            key = draw(_key())
            if kind == "scalar" or depth > 3:
                lines.append(f"{pad}{key}: {draw(_scalar())}")
            elif kind == "empty":
                lines.append(f"{pad}{key}:" + draw(st.sampled_from(["", " ", " # c"])))
            elif kind == "map":
                lines.append(f"{pad}{key}:")
                block(indent + step, depth + 1)
            else:
                lines.append(f"{pad}{key}:")
                dash = " " * (indent + draw(st.sampled_from([step] * 6 + [0])))
                for _ in range(draw(st.integers(1, 3))):
                    lines.append(f"{dash}- {draw(_scalar())}")
            if draw(st.integers(0, 30)) == 0:
                lines.append(" " * (indent + step + 1) + draw(_scalar()))  # a continuation

    block(0, 0)
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_the_fast_reader_agrees_with_pyyaml_on_every_document_it_accepts(doc):
    agree(doc)


def test_generated_documents_are_often_accepted():
    # The property above is empty if the fast reader refuses everything: count what it reads.
    accepted = 0

    @settings(max_examples=300, deadline=None, database=None)
    @given(documents())
    def count(doc: str) -> None:
        nonlocal accepted
        accepted += agree(doc)

    count()
    assert accepted > 30


CONFIG = """# getdotenv config
$schema: ./getdotenv.schema.json
rootOptionDefaults:
  paths: ./
  dotenvToken: .env
vars:
  SERVICE_NAME: demo   # a comment
  URL: 'http://${HOST}:8000/x'
  EMPTY: ""
requiredKeys:
  - SERVICE_NAME
  - 'URL'
plugins:
  cmd:
    expand: true
  aws/dynamodb:
    local:
      port: 8000
  dynamodb:
    local:
      port: 8000
      cors:
        - http://localhost:3000
      timeout: 2.5
      persist:
"""


def test_a_plain_config_is_read_without_pyyaml():
    assert agree(CONFIG)
    assert yaml_lite.loads(CONFIG)["plugins"]["dynamodb"]["local"] == {
        "port": 8000,
        "cors": ["http://localhost:3000"],
        "timeout": 2.5,
        "persist": None,
    }


@pytest.mark.parametrize(
    "doc",
    [
        "a: [1, 2]\n",
        "a: {b: 1}\n",
        "a: |\n  text\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "a: b\n  c\n",
        "a:\n- 1\n",
        "a:\n  - b: 1\n",
        "a:\tb\n",
        "a: é\n",
        "a: 'multi\n  line'\n",
        '"a\\n": 1\n',
        "---\na: 1\n",
        "- 1\n",
        "  a: 1\n",
        "a: 1\n b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: b: c\n",
        "a: -\n",
        "a: 1\r\n",
    ],
)
def test_anything_else_is_left_to_pyyaml(doc):
    with pytest.raises(yaml_lite.NotSimple):
        yaml_lite.loads(doc)


def test_empty_and_comment_only_documents_are_null():
    assert yaml_lite.loads("") is None
    assert yaml_lite.loads("# nothing\n\n") is None
    assert yaml12.loads("# nothing\n\n") is None
