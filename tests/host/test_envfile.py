"""Parsing one dotenv file with Node dotenv's rules; unparsable lines are errors with file:line."""

from __future__ import annotations

import pytest

from host_cli.engine.envfile import parse, read
from host_cli.support.errors import EnvFileError

# (text, expected mapping). Each row was checked against Node's dotenv 17 parse().
PARSE = {
    "plain": ("A=1\nB=two words\n", {"A": "1", "B": "two words"}),
    "export prefix": ("export A=1\n", {"A": "1"}),
    "colon form needs a space": ("A: 1\n", {"A": "1"}),
    "spaces around = trimmed": ("A =  1  \n", {"A": "1"}),
    "tabs trimmed": ("A=\t1\t\n", {"A": "1"}),
    "keys with dots and dashes": ("a.b-c=1\n", {"a.b-c": "1"}),
    "single quotes kept literal": ("SQ='single $APP'\n", {"SQ": "single $APP"}),
    "double quotes": ('DQ="double ${APP}"\n', {"DQ": "double ${APP}"}),
    "backticks": ("BQ=`back ${APP}`\n", {"BQ": "back ${APP}"}),
    "quoted spaces kept": ('SPACES="  padded  "\n', {"SPACES": "  padded  "}),
    "quoted hash kept": ('HASHQ="a#b"\n', {"HASHQ": "a#b"}),
    "unquoted comment": ("HASHU=a #trailing comment\n", {"HASHU": "a"}),
    "hash without space ends the value": ("NOSPACEHASH=a#b\n", {"NOSPACEHASH": "a"}),
    "inner quotes": ("INNERQ='say \"hi\"'\n", {"INNERQ": 'say "hi"'}),
    "\\n unescaped in double quotes": ('ML1="line1\\nline2"\n', {"ML1": "line1\nline2"}),
    "multi-line double quotes": (
        'ML2="first\nsecond\nthird"\nAFTER=after\n',
        {"ML2": "first\nsecond\nthird", "AFTER": "after"},
    ),
    "\\n literal in single quotes": ("ML3='no\\nescape'\n", {"ML3": "no\\nescape"}),
    "other backslashes kept": ('B="a\\tb\\\\c"\n', {"B": "a\\tb\\\\c"}),
    "last duplicate wins": ("A=1\nA=2\n", {"A": "2"}),
    "CRLF": ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    "BOM": ("\ufeffA=1\n", {"A": "1"}),
    "empty value": ("A=\nB=''\n", {"A": "", "B": ""}),
    "comments and blank lines": ("# c\n\n   \n  # indented\nA=1\n", {"A": "1"}),
    "unterminated quote is literal": ('A="abc\n', {"A": '"abc'}),
    "no trailing newline": ("A=1", {"A": "1"}),
}


@pytest.mark.parametrize("text, expected", PARSE.values(), ids=PARSE.keys())
def test_parse(text, expected):
    assert {e.key: e.value for e in parse(text)} == expected


def test_entries_keep_line_numbers_and_first_seen_order():
    entries = parse('A=1\n\nB="x\ny"\nC=3\nA=4\n')
    assert [(e.key, e.line) for e in entries] == [("A", 1), ("B", 3), ("C", 5), ("A", 6)]


WRAPPED = "a line without KEY= (a value wrapped onto a line of its own?)"
BAD = {
    "no assignment": ("A=1\nBAD LINE\n", 2, WRAPPED, "BAD LINE"),
    "colon without a space": ("A:1secret\n", 1, "the line of A", "1secret"),
    "bare key": ("\n\nSOMEKEY\n", 3, WRAPPED, "SOMEKEY"),
    "empty key": ("=s3cretvalue\n", 1, WRAPPED, "s3cret"),
    "garbage after CRLF lines": ("A=1\r\nB=2\r\n!!\r\n", 3, WRAPPED, "!!"),
    "wrapped secret": ("DB_PASSWORD=\n  correct-horse-battery\n", 2, WRAPPED, "horse"),
}


@pytest.mark.parametrize("text, line, said, secret", BAD.values(), ids=BAD.keys())
def test_unparsable_line_is_an_error_naming_file_and_line_never_its_text(text, line, said, secret):
    with pytest.raises(EnvFileError) as err:
        parse(text, source=".env.local")
    assert str(err.value) == (
        f".env.local:{line}: cannot parse {said}: expected KEY=value, 'KEY: value', a comment "
        "or a blank line"
    )
    assert secret not in str(err.value)


def test_read_missing_file_is_none(tmp_path):
    assert read(tmp_path / ".env") is None


def test_read_non_utf8_is_an_error(tmp_path):
    (tmp_path / ".env").write_bytes(b"A=\xff\n")
    with pytest.raises(EnvFileError, match=r"\.env: not UTF-8 text \(byte 0xff at offset 2\)"):
        read(tmp_path / ".env", shown_as=".env")


def test_read_unreadable_file_is_an_error(tmp_path):
    path = tmp_path / ".env"
    path.write_text("A=1\n")
    path.chmod(0)
    try:
        if path.read_bytes():  # root can read anything: nothing to test then
            pytest.skip("running as root: files are always readable")
    except PermissionError:
        with pytest.raises(EnvFileError, match=r"\.env: cannot read \(Permission denied\)"):
            read(path, shown_as=".env")
    finally:
        path.chmod(0o600)


def test_read_symlink_loop_is_an_error(tmp_path):
    (tmp_path / ".env").symlink_to(tmp_path / ".env")
    with pytest.raises(EnvFileError, match=r"^\.env: cannot read \(a symlink loop\)$"):
        read(tmp_path / ".env", shown_as=".env")
