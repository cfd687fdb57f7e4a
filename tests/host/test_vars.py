"""``--vars`` and its delimiter and assignor options."""

from __future__ import annotations

import pytest

VARS = {
    "pairs override files": (
        ["--vars", "V1=one V2=two APP=from-vars"],
        {"V1": "one", "V2": "two", "APP": "from-vars", "KEEP": "kept"},
    ),
    "short -v": (["-v", "V1=one"], {"V1": "one"}),
    "custom delimiter and assignor": (
        ["--vars", "V1:one;V2:two words", "--vars-delimiter", ";", "--vars-assignor", ":"],
        {"V1": "one", "V2": "two words"},
    ),
    "delimiter pattern": (
        ["--vars", "A=1,B=2 ;C=3", "--vars-delimiter-pattern", r"\s*[,;]\s*"],
        {"A": "1", "B": "2", "C": "3"},
    ),
    "assignor pattern": (
        ["--vars", "A->1 B=>2", "--vars-assignor-pattern", "[-=]>"],
        {"A": "1", "B": "2"},
    ),
    "first assignor only": (["--vars", "URL=a=b"], {"URL": "a=b"}),
    "empty value kept empty": (["--vars", "E= F=1"], {"E": "", "F": "1"}),
    "double spaces make no empty pair": (["--vars", "A=1  B=2"], {"A": "1", "B": "2"}),
    "expanded against the dotenv files after the overlay": (
        ["--vars", "FROM_FILE=\\$APP"],
        {"FROM_FILE": "file"},
    ),
    "escaped pairs see each other in order": (["--vars", "X=1 Y=\\${X}2"], {"Y": "12"}),
    "unescaped references resolve when the flag is parsed": (["--vars", "X=1 Y=${X}2"], {"Y": "2"}),
}


@pytest.mark.parametrize("flags, expected", VARS.values(), ids=VARS.keys())
def test_vars(project, env_of, flags, expected):
    project({".env": "APP=file\nKEEP=kept\n"})
    assert env_of(*flags, keys=list(expected)) == expected


def test_vars_string_is_expanded_against_the_process_env_when_parsed(project, env_of, monkeypatch):
    project({".env": "APP=file\n"})
    monkeypatch.setenv("OUTER", "o")
    assert env_of("--vars", "A=$OUTER B=$APP", keys=["A", "B"]) == {"A": "o", "B": ""}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--vars", "A=1 oops"], "--vars: 'oops' is not a KEY=VALUE pair"),
        (["--vars", "=1"], "--vars: '=1' is not a KEY=VALUE pair"),
        (
            ["--vars", "A=1", "--vars-delimiter-pattern", "("],
            "--vars-delimiter-pattern: '(' is not a valid regular expression: missing ), unterminated subpattern at position 0",
        ),
        (
            ["--vars", "A=1", "--vars-assignor-pattern", "[="],
            "--vars-assignor-pattern: '[=' is not a valid regular expression: unterminated character set at position 0",
        ),
        (
            ["--paths", "./", "--paths-delimiter-pattern", "*"],
            "--paths-delimiter-pattern: '*' is not a valid regular expression: nothing to repeat at position 0",
        ),
    ],
)
def test_bad_vars_and_patterns_are_one_line(project, cli, flags, message):
    project({})
    out = cli(*flags, "cmd", "true")
    assert (out.code, out.err) == (2, f"getdotenv: error: {message}\n")


def test_bad_pattern_in_config_names_the_file_and_key(project, cli):
    project({"getdotenv.config.json": '{"rootOptionDefaults": {"pathsDelimiterPattern": "("}}'})
    out = cli("cmd", "true")
    assert out.err.startswith(
        "getdotenv: error: getdotenv.config.json: rootOptionDefaults.pathsDelimiterPattern: "
        "'(' is not a valid regular expression"
    )
