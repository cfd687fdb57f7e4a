"""The expansion grammar, table-driven; rows marked get-dotenv were checked against it."""

from __future__ import annotations

import pytest

from host_cli.engine.expand import expand_all
from host_cli.support.errors import ExpansionError

GRAMMAR = {
    # get-dotenv 7.0.11 (conformance cases expand-*)
    "brace default when missing": ({"D1": "${MISSING:fallback}"}, {}, {"D1": "fallback"}),
    "brace default ignored when set": ({"APP": "app", "D2": "${APP:ignored}"}, {}, {"D2": "app"}),
    "brace default with spaces": ({"D3": "${MISSING:hello world}"}, {}, {"D3": "hello world"}),
    "empty brace default": ({"D4": "x${MISSING:}y"}, {}, {"D4": "xy"}),
    "bash :- is not special": ({"D6": "${MISSING:-bash}"}, {}, {"D6": "-bash"}),
    "bash :- when set": ({"APP": "app", "D7": "${APP:-bash}"}, {}, {"D7": "app"}),
    "recursive chain": ({"A": "a", "B": "${A}b", "C": "${B}c"}, {}, {"C": "abc"}),
    "nested default reference": ({"A": "a", "D": "${MISSING:${A}}"}, {}, {"D": "a"}),
    "nested unbraced default": ({"A": "a", "B": "${A}b", "E": "${MISSING:$B}"}, {}, {"E": "ab"}),
    "nested default of default": ({"F": "${MISSING:${ALSO_MISSING:deep}}"}, {}, {"F": "deep"}),
    "escaped dollar": ({"APP": "app", "ESC1": "\\$APP"}, {}, {"ESC1": "$APP"}),
    "escaped brace": ({"APP": "app", "ESC2": "\\${APP}"}, {}, {"ESC2": "${APP}"}),
    "escape beside a reference": (
        {"APP": "app", "ESC3": "cost \\$5 for $APP"},
        {},
        {"ESC3": "cost $5 for app"},
    ),
    "whitespace-form default runs to whitespace": (
        {"HOST": "localhost", "U": "http://$HOST:8080/x y"},
        {},
        {"U": "http://localhost y"},
    ),
    "brace form then a colon": ({"HOST": "h", "U": "${HOST}:8080"}, {}, {"U": "h:8080"}),
    "process env fallback": ({"A": "${OUTER}-x"}, {"OUTER": "outer"}, {"A": "outer-x"}),
    "dotenv shadows process env": ({"S": "file", "U": "${S}"}, {"S": "outer"}, {"U": "file"}),
    "forward reference reads process env": (
        {"A": "${B}", "B": "b"},
        {"B": "outer"},
        {"A": "outer"},
    ),
    "self reference reads process env": (
        {"PATH": "${PATH}:/x"},
        {"PATH": "/bin"},
        {"PATH": "/bin:/x"},
    ),
    "whitespace form eats ':/x' as its default": (
        {"PATH": "$PATH:/x"},
        {"PATH": "/bin"},
        {"PATH": "/bin"},
    ),
    "undefined without default is empty": ({"A": "[${NOPE}]"}, {}, {"A": "[]"}),
    "empty dotenv value counts as unset for defaults": ({"E": "", "X": "${E:fb}"}, {}, {"X": "fb"}),
    "empty process variable counts as set": ({"X": "${E:fb}"}, {"E": ""}, {"X": ""}),
    "replacement holding a reference is expanded again": (
        {"A": "${P}"},
        {"P": "$Q!", "Q": "q"},
        {"A": "q!"},
    ),
    # Where we deliberately differ from get-dotenv (its bugs):
    "a $ that starts no reference is kept; others still expand": (
        {"APP": "app", "A": "$APP and $", "B": "abc$"},
        {},
        {"A": "app and $", "B": "abc$"},
    ),
    "replacement goes where the reference is (not the first look-alike)": (
        {"APP": "app", "A": "\\$APP and $APP"},
        {},
        {"A": "$APP and app"},
    ),
}


@pytest.mark.parametrize("values, base, expected", GRAMMAR.values(), ids=GRAMMAR.keys())
def test_grammar(values, base, expected):
    result = expand_all(values, base)
    assert {k: result[k] for k in expected} == expected


def test_two_keys_referencing_each_other_is_an_error():
    where = {"A": ".env:1", "B": ".env:2"}
    with pytest.raises(ExpansionError) as err:
        expand_all({"A": "${B}", "B": "${A}"}, {}, describe=where.__getitem__)
    assert str(err.value) == "reference cycle: A -> B -> A; defined at A (.env:1), B (.env:2)"


def test_longer_cycle_through_a_default_is_an_error():
    with pytest.raises(ExpansionError, match=r"reference cycle: A -> B -> C -> A"):
        expand_all({"A": "x${B}", "B": "${NOPE:${C}}", "C": "$A"}, {})


def test_replacement_that_expands_forever_is_an_error():
    with pytest.raises(
        ExpansionError, match=r"while expanding A: P -> P keeps expanding to itself"
    ):
        expand_all({"A": "${P}"}, {"P": "again $P"})


def test_escaped_reference_is_no_cycle_but_is_expanded_when_referenced():
    # As in get-dotenv: A's value is the text ${B}; substituted into B it is a reference
    # again, to B itself, which is not defined yet.
    assert expand_all({"A": "\\${B}", "B": "${A}"}, {}) == {"A": "${B}", "B": ""}


def test_large_map_is_linear_enough_to_finish():
    values = {
        f"V{i}": (f"${{V{i - 3}}}/x" if i % 5 == 0 and i > 3 else f"v{i}") for i in range(20000)
    }
    result = expand_all(values, {})
    assert result["V10"] == "v7/x" and len(result) == 20000
