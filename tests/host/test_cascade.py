"""The file cascade, env selection, exclusions and paths, table-driven.

The expected values are get-dotenv 7.0.11's, recorded by running it (the conformance
cases in shared/conformance/get-dotenv), rewritten here as the project's own table.
"""

from __future__ import annotations

import pytest

FOUR = {
    ".env": "LEVEL=public-global\nONLY_PUBLIC_GLOBAL=pg\nORDER_CHECK=public-global\n",
    ".env.dev": "LEVEL=public-dev\nONLY_PUBLIC_ENV=pe\nORDER_CHECK=public-dev\n",
    ".env.local": "LEVEL=private-global\nONLY_PRIVATE_GLOBAL=qg\nORDER_CHECK=private-global\n",
    ".env.dev.local": "LEVEL=private-dev\nONLY_PRIVATE_ENV=qe\n",
}
QUAD = [
    "LEVEL",
    "ORDER_CHECK",
    "ONLY_PUBLIC_GLOBAL",
    "ONLY_PUBLIC_ENV",
    "ONLY_PRIVATE_GLOBAL",
    "ONLY_PRIVATE_ENV",
]


def quad(level, order, pg, pe, qg, qe):
    return dict(zip(QUAD, [level, order, pg, pe, qg, qe], strict=True))


CASES = {
    # name: (files, root flags, expected)
    "no env: global files only, private wins": (
        FOUR,
        [],
        quad("private-global", "private-global", "pg", None, "qg", None),
    ),
    "env: .env.local beats .env.dev": (
        FOUR,
        ["--env", "dev"],
        quad("private-dev", "private-global", "pg", "pe", "qg", "qe"),
    ),
    "short -e": (
        FOUR,
        ["-e", "dev"],
        quad("private-dev", "private-global", "pg", "pe", "qg", "qe"),
    ),
    "exclude global": (
        FOUR,
        ["--env", "dev", "--exclude-global"],
        quad("private-dev", "public-dev", None, "pe", None, "qe"),
    ),
    "exclude private": (
        FOUR,
        ["--env", "dev", "--exclude-private"],
        quad("public-dev", "public-dev", "pg", "pe", None, None),
    ),
    "exclude public": (
        FOUR,
        ["--env", "dev", "--exclude-public"],
        quad("private-dev", "private-global", None, None, "qg", "qe"),
    ),
    "exclude env": (
        FOUR,
        ["--env", "dev", "--exclude-env"],
        quad("private-global", "private-global", "pg", None, "qg", None),
    ),
    "exclude all": (
        FOUR,
        ["--env", "dev", "--exclude-all"],
        quad(None, None, None, None, None, None),
    ),
    "exclude all, specific -off twins keep their files": (
        FOUR,
        ["--env", "dev", "-a", "--exclude-global-off", "--exclude-private-off"],
        quad("private-global", "private-global", None, None, "qg", None),
    ),
    "short exclusion flags": (
        FOUR,
        ["-e", "dev", "-g", "-r"],
        quad("public-dev", "public-dev", None, "pe", None, None),
    ),
    "default env flag selects env files": (
        FOUR,
        ["--default-env", "dev"],
        quad("private-dev", "private-global", "pg", "pe", "qg", "qe"),
    ),
    "env flag beats default env": (
        {**FOUR, ".env.test": "LEVEL=public-test\n"},
        ["--env", "test", "--default-env", "dev"],
        quad("private-global", "private-global", "pg", None, "qg", None),
    ),
    "private file alone": (
        {".env.local": "LEVEL=only-private\n"},
        [],
        {"LEVEL": "only-private", "ONLY_PUBLIC_GLOBAL": None},
    ),
    "DEFAULT_ENV key in a global file selects the env": (
        {**FOUR, ".env": FOUR[".env"] + "DEFAULT_ENV=dev\n", ".env.test": "LEVEL=public-test\n"},
        [],
        {"LEVEL": "private-dev", "DEFAULT_ENV": "dev"},
    ),
    "DEFAULT_ENV in the private global file": (
        {**FOUR, ".env.local": FOUR[".env.local"] + "DEFAULT_ENV=dev\n"},
        [],
        {"LEVEL": "private-dev"},
    ),
    "custom default env key": (
        {**FOUR, ".env": FOUR[".env"] + "MY_ENV=dev\n"},
        ["--default-env-key", "MY_ENV"],
        {"LEVEL": "private-dev"},
    ),
    "empty DEFAULT_ENV falls through to --default-env": (
        {**FOUR, ".env": "DEFAULT_ENV=\n", ".env.test": "TEST_ONLY=t\n"},
        ["--default-env", "test"],
        {"TEST_ONLY": "t", "ONLY_PUBLIC_ENV": None},
    ),
    "DEFAULT_ENV pre-pass ignores --exclude-global, whose values stay out": (
        {".env": "DEFAULT_ENV=dev\nGLOBAL_ONLY=x\n", ".env.dev": "ENV_SETTING=from-dev\n"},
        ["--exclude-global"],
        {"ENV_SETTING": "from-dev", "GLOBAL_ONLY": None, "DEFAULT_ENV": None},
    ),
    "custom tokens": (
        {
            ".env": "TOK=plain-env\nPLAIN=yes\n",
            ".myenv": "TOK=pub\nMY_PUB=1\n",
            ".myenv.local": "NOT_READ=1\n",
            ".myenv.secret": "TOK=secret\nMY_SECRET=1\n",
            ".myenv.test": "TOK=pub-test\nMY_PUB_TEST=1\n",
            ".myenv.test.secret": "MY_SECRET_TEST=1\n",
        },
        ["--dotenv-token", ".myenv", "--private-token", "secret", "--env", "test"],
        {
            "TOK": "secret",
            "PLAIN": None,
            "MY_PUB": "1",
            "MY_PUB_TEST": "1",
            "MY_SECRET": "1",
            "MY_SECRET_TEST": "1",
            "NOT_READ": None,
        },
    ),
    "later path wins; expansion after the merge": (
        {
            "a/.env": "WHO=a\nONLY_A=from-a\nX=a\nY=${X}-y\n",
            "a/.env.local": "WHO_PRIVATE=a-private\n",
            "b/.env": "WHO=b\nONLY_B=from-b\nX=b\n",
        },
        ["--paths", "./a ./b"],
        {
            "WHO": "b",
            "ONLY_A": "from-a",
            "ONLY_B": "from-b",
            "WHO_PRIVATE": "a-private",
            "Y": "b-y",
        },
    ),
    "each path's whole cascade before the next": (
        {"a/.env.dev.local": "K=a-private-dev\nA_ONLY=1\n", "b/.env": "K=b-public-global\n"},
        ["--paths", "./a ./b", "--env", "dev"],
        {"K": "b-public-global", "A_ONLY": "1"},
    ),
    "paths delimiter": (
        {"a/.env": "WHO=a\nONLY_A=1\n", "b/.env": "WHO=b\n"},
        ["--paths", "./a,./b", "--paths-delimiter", ","],
        {"WHO": "b", "ONLY_A": "1"},
    ),
    "paths delimiter pattern": (
        {"a/.env": "WHO=a\nONLY_A=1\n", "b/.env": "WHO=b\n"},
        ["--paths", "./a ; ./b", "--paths-delimiter-pattern", r"\s*;\s*"],
        {"WHO": "b", "ONLY_A": "1"},
    ),
    "repeated delimiters make no empty path": (
        {"a/.env": "WHO=a\n", ".env": "ROOT=1\n"},
        ["--paths", "./a  "],
        {"WHO": "a", "ROOT": None},
    ),
    "expanded after all files merged": (
        {".env": "BASE=public\nDERIVED=${BASE}-d\n", ".env.local": "BASE=private\n"},
        [],
        {"BASE": "private", "DERIVED": "private-d"},
    ),
    "forward reference reads the process env (here: nothing)": (
        {".env": "A=${B}-a\nB=b\n"},
        [],
        {"A": "-a", "B": "b"},
    ),
}


@pytest.mark.parametrize("files, flags, expected", CASES.values(), ids=CASES.keys())
def test_cascade(project, env_of, files, flags, expected):
    project(files)
    assert env_of(*flags, keys=list(expected)) == expected


def test_process_env_passes_through_and_is_shadowed(project, env_of, monkeypatch):
    project(
        {
            ".env": "FROM_OUTER=${ORACLE_OUTER}-x\nORACLE_SHADOWED=file\nUSES_SHADOW=${ORACLE_SHADOWED}\n"
        }
    )
    monkeypatch.setenv("ORACLE_OUTER", "outer")
    monkeypatch.setenv("ORACLE_SHADOWED", "outer-shadowed")
    monkeypatch.setenv("ORACLE_PASSTHRU", "pt")
    keys = ["FROM_OUTER", "ORACLE_SHADOWED", "USES_SHADOW", "ORACLE_PASSTHRU"]
    assert env_of(keys=keys) == {
        "FROM_OUTER": "outer-x",
        "ORACLE_SHADOWED": "file",
        "USES_SHADOW": "file",
        "ORACLE_PASSTHRU": "pt",
    }


def test_flag_values_are_expanded_against_the_process_env(project, env_of, monkeypatch):
    project(FOUR)
    monkeypatch.setenv("ORACLE_ENV", "dev")
    assert env_of("--env", "$ORACLE_ENV", keys=["LEVEL"]) == {"LEVEL": "private-dev"}
    assert env_of("--env", "${ORACLE_MISSING:dev}", keys=["LEVEL"]) == {"LEVEL": "private-dev"}


def test_env_var_sets_a_root_flag(project, env_of, monkeypatch):
    project(FOUR)
    monkeypatch.setenv("GETDOTENV_ENV", "dev")
    monkeypatch.setenv("GETDOTENV_EXCLUDE_PRIVATE", "1")
    assert env_of(keys=["LEVEL"]) == {"LEVEL": "public-dev"}
    assert env_of("--exclude-private-off", keys=["LEVEL"]) == {"LEVEL": "private-dev"}


def test_empty_value_stays_empty(project, env_of):
    project({".env": 'EMPTY=\nQUOTED=""\nREF=${NOPE}\nPRE=pre-${NOPE}\n'})
    assert env_of(keys=["EMPTY", "QUOTED", "REF", "PRE"]) == {
        "EMPTY": "",
        "QUOTED": "",
        "REF": "",
        "PRE": "pre-",
    }


def test_paths_entry_that_is_not_a_directory(project, cli):
    project({"file.txt": "x"})
    for entry, state in (("./nope", "does not exist"), ("./file.txt", "is not a directory")):
        out = cli("--paths", entry, "cmd", "true")
        assert out.code == 2
        assert out.err == f"getdotenv: error: --paths: {entry!r} {state}\n"


def test_unreadable_env_file_is_an_error(project, cli):
    root = project({".env": "A=1\n"})
    (root / ".env.local").mkdir()
    out = cli("cmd", "true")
    assert out.code == 1
    assert out.err == "getdotenv: error: .env.local: is a folder, expected a dotenv file\n"
