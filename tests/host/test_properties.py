"""Property-based tests: for any generated input, the host gives the documented value or raises
its own error class; never another exception, never more than a second per input."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from host_cli.engine import config
from host_cli.engine.envfile import parse
from host_cli.engine.expand import expand_all
from host_cli.support.errors import ConfigError, EnvFileError, ExpansionError, GetDotenvError
from host_cli.support.serialize import render

# PROPERTY_EXAMPLES=5000 searches harder than CI has time for.
FAST = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "200")),
    deadline=1000,
    suppress_health_check=[HealthCheck.too_slow],
)

# Text that stresses the grammars: quotes, references, escapes, comments and the characters
# where JavaScript and Python (or YAML 1.1 and 1.2) disagree, mixed with anything at all.
SPECIAL = list("AB_=$\\{}:#'\"` \t\n\r-x.") + ["\x85", "\u2028", "\ufeff", "\xa0", "export "]
tricky = st.lists(
    st.sampled_from(SPECIAL) | st.characters(exclude_categories=("Cs",)), max_size=120
).map("".join)
any_text = tricky | st.text(max_size=300)
names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True)


@FAST
@given(any_text)
def test_parser_gives_entries_or_its_own_error(text):
    try:
        entries = parse(text, source=".env")
    except EnvFileError as exc:
        assert str(exc).startswith(".env:")
        return
    for entry in entries:
        assert entry.key and isinstance(entry.value, str) and entry.line >= 1


@FAST
@given(st.dictionaries(names, any_text, max_size=8), st.dictionaries(names, any_text, max_size=4))
def test_expander_gives_strings_or_its_own_error(values, inherited):
    try:
        out = expand_all(values, inherited)
    except ExpansionError:
        return
    assert list(out) == list(values)
    for key, value in values.items():
        if "$" not in value:
            assert out[key] == value  # nothing to expand: the value as written


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)
documents = st.dictionaries(
    st.sampled_from(
        ["vars", "envVars", "rootOptionDefaults", "scripts", "plugins", "requiredKeys", "other"]
    ),
    json_values,
    max_size=4,
)


def load(name: str, text: str) -> config.Source:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_text(text, encoding="utf-8")
        return config.check(config._parse(path, name), path, name)


@FAST
@given(documents | json_values, st.sampled_from(["json", "yaml"]))
def test_config_loader_gives_a_source_or_its_own_error(doc, fmt):
    import yaml

    text = json.dumps(doc) if fmt == "json" else yaml.safe_dump(doc, allow_unicode=True)
    try:
        source = load(f"getdotenv.config.{fmt}", text)
    except ConfigError:
        return
    if isinstance(doc, dict) and isinstance(doc.get("vars"), dict):
        assert dict(source.vars) == doc["vars"]  # what the file says, exactly


@FAST
@given(any_text, st.sampled_from(["json", "yaml"]))
def test_config_loader_on_any_text(text, fmt):
    with contextlib.suppress(ConfigError):
        load(f"getdotenv.config.{fmt}", text)


@FAST
@given(st.dictionaries(st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True), any_text))
def test_output_reads_back_as_written(env):
    try:
        text, _ = render(env)
    except GetDotenvError:
        return  # a value no quoting carries, said so by name
    read = {e.key: e.value for e in parse(text, source="out.env")}
    assert expand_all(read, {}) == {k: v for k, v in env.items()}


plain_lines = st.lists(
    st.sampled_from(["A=1", "  B = two words ", "C=", "#c", "", "\t", "D=a'b", "E=x#y", "F='q'"])
    | st.from_regex(r"[ \t]{0,2}[A-Za-z0-9_.-]{0,4}[ \t]?=?[ \t]?[ -~]{0,8}", fullmatch=True)
    | tricky,
    max_size=6,
).map("\n".join)


@FAST
@given(plain_lines | any_text)
@example("C=\n'x'")  # an empty value: Node's quoted forms may start on the next line
@example("A=1\n#\u2028A=2")  # U+2028 ends a comment (JavaScript's ^ and $)
def test_the_plain_line_shortcut_reads_what_the_expression_reads(text):
    """Most lines skip Node's expression (host_cli.engine.envfile._simple); they must read the same."""
    from unittest import mock

    from host_cli.engine import envfile

    def read(text):
        try:
            return [tuple(e) for e in parse(text, source=".env")]
        except EnvFileError as exc:
            return str(exc)

    fast = read(text)
    with mock.patch.object(envfile, "_simple", lambda line, *rest: None):
        assert read(text) == fast


@FAST
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | any_text,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3),
        max_leaves=10,
    )
)
def test_the_parent_variable_is_json(value):
    from host_cli.engine.options import to_json

    assert json.loads(to_json(value)) == value


@FAST
@given(tricky | any_text)
def test_the_reference_scanner_matches_get_dotenvs_expressions(text):
    """host_cli.engine.expand scans references by hand; get-dotenv's expressions are the contract."""
    import re

    from host_cli.engine import expand
    from host_cli.support import jsspace

    whitespace = re.compile(rf"\$([A-Za-z0-9_]+)(?::([^{jsspace.CLASS}]*))?")
    brace = re.compile(r"\$\{([A-Za-z0-9_]+)(?::([^}]*))?\}")
    for i, ch in enumerate(text):
        if ch == "$":
            m = whitespace.match(text, i) or brace.match(text, i)
            want = (m.start(), m.end(), m.group(1), m.group(2)) if m else None
            found = expand._reference_at(text, i)
            assert (tuple(found) if found else None) == want
    assert expand.references(text) == re.findall(r"(?<!\\)\$\{?([A-Za-z0-9_]+)", text)
