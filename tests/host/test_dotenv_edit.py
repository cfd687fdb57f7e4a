"""The dotenv editor (host_cli.engine.dotenv_edit): edits in place, reads back the same through
this host's parser and expansion (get-dotenv's dialect), agrees with python-dotenv wherever it
gives no note, and writes files safely."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest
from dotenv import dotenv_values
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from host_cli.engine import dotenv_edit, envfile
from host_cli.engine.dotenv_edit import edit_file, edit_text
from host_cli.engine.expand import expand_all
from host_cli.support.errors import EnvFileError, GetDotenvError

FAST = settings(
    max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "200")),
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

VALUE_CHARS = list("ab $\\{}:#'\"`=\t\n\r-.") + ["é", "日本", "\u2028", "\xa0", "😀", "${A}", "$B"]
values = st.lists(
    st.sampled_from(VALUE_CHARS)
    | st.characters(exclude_categories=("Cs",), exclude_characters="\0"),
    max_size=40,
).map("".join)
keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True)
# Lines an existing file may hold around the keys edited: comments, blanks, other spellings.
other_lines = st.lists(
    st.sampled_from(
        [
            "# a comment",
            "",
            "   ",
            "export OTHER=1",
            "SPACED = 'spaced'   # inline",
            'MULTI="one\ntwo"',
            "COLON: colon",
            "REF=${OTHER}-x",
            "EMPTY=",
            "  # indented comment",
            "WITH_HASH=a#b",
            "DUP=first",
            "DUP=second",
        ]
    ),
    max_size=8,
)


def ours(text: str) -> dict[str, str]:
    """What this host reads: parsed, last duplicate winning, expanded with no process env."""
    raw: dict[str, str] = {}
    for entry in envfile.parse(text, source="t"):
        raw.pop(entry.key, None)
        raw[entry.key] = entry.value
    return expand_all(raw, {})


def theirs(text: str) -> dict[str, str | None]:
    return dict(dotenv_values(stream=io.StringIO(text), interpolate=False))


def edit_or_skip(text: str, updates: dict[str, str | None]) -> dotenv_edit.TextEdit:
    try:
        return edit_text(text, updates, shown="t")
    except GetDotenvError as exc:
        # The only refusals allowed: a value no quoting can carry for get-dotenv at all, and
        # one python-dotenv would read as assignments of other keys.
        assert "no dotenv quoting can carry this value" in str(exc) or REFUSED in str(exc), str(exc)
        assume(False)
        raise


REFUSED = "python-dotenv would read other keys or values from this value"


@FAST
@given(other_lines, st.dictionaries(keys, values, min_size=1, max_size=5), st.data())
def test_set_reads_back_exactly_and_keeps_everything_else(lines, updates, data):
    updates = {k: v for k, v in updates.items() if k not in ("OTHER", "REF")}
    assume(updates)
    original = "\n".join(lines) + ("\n" if lines and data.draw(st.booleans()) else "")
    edit = edit_or_skip(original, updates)
    got = ours(edit.text)
    for key, value in updates.items():
        assert got[key] == value
    before = ours(original)
    for key, value in before.items():
        if key not in updates:
            assert got[key] == value
    # comments and blank lines survive, in order
    kept = [
        line for line in original.split("\n") if not line.strip() or line.strip().startswith("#")
    ]
    new_lines = edit.text.split("\n")
    it = iter(new_lines)
    assert all(any(line == n for n in it) for line in kept)
    # and the keys keep their order: old keys first, in file order, new ones appended
    order = [e.key for e in envfile.parse(edit.text, source="t")]
    old_order = [e.key for e in envfile.parse(original, source="t")]
    assert order[: len(old_order)] == old_order
    assert set(edit.added) == {k for k in updates if k not in old_order}


@FAST
@given(st.dictionaries(keys, values, min_size=1, max_size=6))
def test_python_dotenv_agrees_wherever_no_note_is_given(updates):
    edit = edit_or_skip("# header\nKEEP=1\n", updates)
    read = theirs(edit.text)
    noted = {n.split(": ")[1] for n in edit.notes}
    for key, value in updates.items():
        if key not in noted:
            assert read.get(key) == value, key
        else:
            assert read.get(key) != value or "${" in value or "$" in value
    # a note never shows the value
    for note in edit.notes:
        for value in updates.values():
            if len(value) >= 3 and value.strip():
                assert value not in note


@FAST
@given(other_lines, st.sets(keys, min_size=1, max_size=3))
def test_unset_removes_every_assignment_and_nothing_else(lines, gone):
    original = "\n".join(lines) + "\n"
    present = {e.key for e in envfile.parse(original, source="t")}
    edit = edit_text(original, dict.fromkeys(gone), shown="t")
    got = ours(edit.text)
    assert not gone & set(got)
    assert set(edit.removed) == gone & present
    before = ours(original)
    assert {k: v for k, v in before.items() if k not in gone} == {
        k: v for k, v in got.items() if k not in gone
    }
    if not gone & present:
        assert edit.text == original and not edit.changed


@FAST
@given(values)
def test_one_value_round_trips_alone(value):
    edit = edit_or_skip("", {"K": value})
    assert ours(edit.text) == {"K": value}
    if not edit.notes:
        assert theirs(edit.text) == {"K": value}


# Values that try to end their own assignment and start others, for python-dotenv's eyes.
HOSTILE_PIECES = ["'", '"', "`", "\n", "\r", "\r\n", "#", " ", "=", "\\", "$", "export "]
HOSTILE_PIECES += ["DATABASE_URL=evil", "KEEP=0", "X", "NEW=1", "'#", '"#', "\\n", "\u2028"]
hostile = st.lists(st.sampled_from(HOSTILE_PIECES), min_size=1, max_size=12).map("".join)


@settings(FAST, max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "400")))
@given(hostile, st.sampled_from(["", "KEY=old\n", "export KEY='old'  # c\n"]))
def test_python_dotenv_never_reads_other_keys_from_an_edited_value(value, line):
    """After an edit, python-dotenv reads exactly the file's keys and every other key's value
    as before: a value it would read as other assignments is refused, nothing else."""
    original = f"# header\nKEEP=1\n{line}DATABASE_URL=good\n"
    try:
        edit = edit_text(original, {"KEY": value}, shown="t")
    except GetDotenvError as exc:
        if "no dotenv quoting can carry this value" in str(exc):
            return  # not even get-dotenv could read it back (a CR beside a quote)
        assert REFUSED in str(exc) and str(exc).startswith("t: KEY: "), str(exc)
        # refused only where the spelling really would let python-dotenv read more
        assert "\n" in value or "\r" in value
        return
    read = theirs(edit.text)
    assert set(read) == {"KEEP", "KEY", "DATABASE_URL"}
    assert (read["KEEP"], read["DATABASE_URL"]) == ("1", "good")
    assert ours(edit.text)["KEY"] == value


def test_a_value_with_both_quotes_and_a_line_break_is_refused_through_set(project, run_getdotenv):
    original = "DATABASE_URL=postgres://good\n"
    root = project({".env": original})
    value = 'ok\' "x"\nDATABASE_URL=postgres://attacker@evil.example/db #'
    got = run_getdotenv("set", "API_TOKEN", value, cwd=root)
    assert got.returncode != 0
    assert got.stderr.strip().splitlines() == [
        "getdotenv: error: .env.local: API_TOKEN: "
        + REFUSED
        + " (it holds ', \" and a line break, "
        "which no dotenv quoting carries for both get-dotenv and python-dotenv); nothing written"
    ]
    assert (root / ".env").read_text() == original and not (root / ".env.local").exists()
    # one quote and a line break is carried for both
    got = run_getdotenv("set", "API_TOKEN", "it's\nDATABASE_URL=x", cwd=root)
    assert got.returncode == 0, got.stderr
    assert dotenv_values(root / ".env.local") == {"API_TOKEN": "it's\nDATABASE_URL=x"}


def test_the_layout_is_kept_line_for_line():
    original = "# header\n\nexport A=1  # about A\nB = 'two'\nC=keep\n# footer\n"
    edit = edit_text(original, {"A": "x y", "B": "b", "D": "new"})
    assert edit.text == ("# header\n\nexport A=x y  # about A\nB = b\nC=keep\n# footer\nD=new\n")
    assert (edit.added, edit.updated, edit.removed) == (("D",), ("A", "B"), ())
    assert edit_text(original, {"A": "1", "C": "new"}).unchanged == ("A",)


@pytest.mark.parametrize(
    ("value", "spelled", "noted"),
    [
        ("plain", "plain", False),
        ("has space", "has space", False),
        (" padded ", "' padded '", False),
        ('say "hi"', 'say "hi"', False),
        ("'quoted'", "\"'quoted'\"", False),
        ("a # b", "'a # b'", False),
        ("line1\nline2", "'line1\nline2'", False),
        ("ünï 日本 😀", "ünï 日本 😀", False),
        ("cost $5", "cost \\$5", True),
        ("${HOME}", "\\${HOME}", True),
    ],
)
def test_spellings(value, spelled, noted):
    edit = edit_text("", {"K": value})
    assert edit.text == f"K={spelled}\n"
    assert ours(edit.text)["K"] == value
    assert bool(edit.notes) is noted
    if noted:
        assert "python-dotenv would read this value differently" in edit.notes[0]
        assert "\\$" in edit.notes[0] and value not in edit.notes[0]


def test_duplicates_all_take_the_new_value_and_unset_removes_them_all():
    original = "DUP=1\nX=2\nDUP=3\n"
    assert edit_text(original, {"DUP": "9"}).text == "DUP=9\nX=2\nDUP=9\n"
    assert edit_text(original, {"DUP": None}).text == "X=2\n"


def test_a_colon_assignment_becomes_key_equals_value():
    assert edit_text("K: v # c\n", {"K": "w"}).text == "K=w # c\n"


def test_a_comment_glued_to_a_value_gets_its_space():
    # get-dotenv ends an unquoted value at '#'; python-dotenv needs a space before it
    edit = edit_text("K=a#c\n", {"K": "b"})
    assert edit.text == "K=b #c\n"
    assert theirs(edit.text) == {"K": "b"}


def test_a_comment_after_a_quoted_value_is_kept_when_unsetting_the_key_before_it():
    # Node's expression takes the comment line after a quoted value into the match
    original = 'A="x"\n# about B\nB=1\n'
    assert edit_text(original, {"A": None}).text == "# about B\nB=1\n"
    assert edit_text(original, {"A": "y"}).text == "A=y\n# about B\nB=1\n"


def test_crlf_files_stay_crlf():
    edit = edit_text("# c\r\nA=1\r\n", {"A": "2", "B": "3"})
    assert edit.text == "# c\r\nA=2\r\nB=3\r\n"


def test_a_file_without_a_final_newline_gets_one_before_an_appended_key():
    assert edit_text("A=1", {"B": "2"}).text == "A=1\nB=2\n"
    assert edit_text("A=1", {"A": "2"}).text == "A=2"


def test_text_that_cannot_be_parsed_is_refused_naming_the_line():
    with pytest.raises(EnvFileError, match=r"^\.env:2: cannot parse"):
        edit_text("A=1\nnot an assignment\n", {"A": "2"}, shown=".env")


@pytest.mark.parametrize(
    ("updates", "message"),
    [
        ({"BAD KEY": "1"}, r"'BAD KEY' is not a dotenv key"),
        ({"K": "a\0b"}, r"^f: K: the value holds a NUL byte"),
        ({"K": "'\"`x\n"}, r"^f: K: no dotenv quoting can carry this value"),
    ],
)
def test_what_no_file_can_carry_is_one_line_naming_the_key(updates, message):
    with pytest.raises(GetDotenvError, match=message):
        edit_text("", updates, shown="f")


def test_the_walk_sees_the_same_assignments_as_the_parser():
    text = 'export A=1\nB="multi\nline" # c\n\n# x\nC: c\nD=\n  E = e  \n'
    walked = [a.key for a in dotenv_edit._assignments(text, "t")]
    assert walked == [e.key for e in envfile.parse(text, source="t")]


# --- files ---------------------------------------------------------------------------------


def test_an_existing_file_keeps_its_mode_and_is_edited_in_place(tmp_path):
    target = tmp_path / ".env.dev.local"
    target.write_text("# secrets\nA=1\n")
    target.chmod(0o640)
    done = edit_file(target, {"A": "2", "B": "x"}, shown=".env.dev.local")
    assert done.changed and not done.created and done.template is None
    assert target.read_text() == "# secrets\nA=2\nB=x\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == [".env.dev.local"]  # no temporary file left


def test_a_new_file_is_0600_in_a_new_0700_folder(tmp_path):
    old = os.umask(0)
    try:
        target = tmp_path / "a" / "b" / ".env.local"
        done = edit_file(target, {"A": "1"})
    finally:
        os.umask(old)
    assert done.created and done.changed
    assert target.read_text() == "A=1\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "a").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "a" / "b").stat().st_mode) == 0o700


def test_a_missing_file_starts_from_its_template(tmp_path):
    template = tmp_path / ".env.dev.local.template"
    template.write_text("# fill in\nA=\nB=default\n")
    template.chmod(0o644)
    target = tmp_path / ".env.dev.local"
    done = edit_file(target, {"A": "secret"}, template=template)
    assert done.created and done.template == template
    assert target.read_text() == "# fill in\nA=secret\nB=default\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert template.read_text() == "# fill in\nA=\nB=default\n"


def test_a_symlink_is_never_written_through(tmp_path):
    real = tmp_path / "elsewhere"
    real.write_text("A=1\n")
    link = tmp_path / ".env.local"
    link.symlink_to(real)
    with pytest.raises(
        GetDotenvError, match=r"^\.env\.local: is a symlink; not written through it"
    ):
        edit_file(link, {"A": "2"}, shown=".env.local")
    assert real.read_text() == "A=1\n" and link.is_symlink()
    dangling = tmp_path / ".env.dev.local"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(GetDotenvError, match="is a symlink"):
        edit_file(dangling, {"A": "2"}, shown=".env.dev.local")
    assert not (tmp_path / "nowhere").exists()


def test_an_unchanged_edit_writes_nothing(tmp_path):
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    os.utime(target, (1_000_000, 1_000_000))
    done = edit_file(target, {"A": "1", "GONE": None})
    assert not done.changed and target.stat().st_mtime == 1_000_000


def test_a_broken_file_is_left_alone(tmp_path):
    target = tmp_path / ".env"
    target.write_text("A=1\nbroken line\n")
    with pytest.raises(EnvFileError, match=r"^\.env:2: cannot parse"):
        edit_file(target, {"A": "2"}, shown=".env")
    assert target.read_text() == "A=1\nbroken line\n"


def test_a_folder_or_a_missing_file_without_create_is_one_line(tmp_path):
    (tmp_path / "dir").mkdir()
    with pytest.raises(GetDotenvError, match="is not a regular file"):
        edit_file(tmp_path / "dir", {"A": "1"}, shown="dir")
    with pytest.raises(GetDotenvError, match=r"^\.env: does not exist"):
        edit_file(tmp_path / ".env", {"A": "1"}, shown=".env", create=False)


def test_a_failed_write_leaves_the_file_and_no_temporary(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder")
    target = tmp_path / ".env"
    target.write_text("A=1\n")
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(GetDotenvError, match=r"^\.env: cannot write"):
            edit_file(target, {"A": "2"}, shown=".env")
    finally:
        tmp_path.chmod(0o700)
    assert target.read_text() == "A=1\n" and os.listdir(tmp_path) == [".env"]


def test_filename_names_the_cascade_files():
    assert dotenv_edit.filename() == ".env.local"
    assert dotenv_edit.filename(env="dev") == ".env.dev.local"
    assert dotenv_edit.filename(env="dev", private=False) == ".env.dev"
    assert dotenv_edit.filename(private=False, token=".cfg") == ".cfg"
    assert dotenv_edit.filename(env="prod", private_token="secret") == ".env.prod.secret"


def test_the_editor_reads_what_the_cascade_reads(tmp_path):
    """A file written by the editor gives the composed value through the real CLI."""
    import subprocess
    import sys

    target = tmp_path / ".env.dev.local"
    value = "p@ss $word \"q\" 'x' #1\nline2 ünï"
    edit_file(target, {"SECRET": value})
    (tmp_path / "pyproject.toml").write_text("")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "host_cli",
            "-e",
            "dev",
            "cmd",
            sys.executable,
            "-c",
            "import os,sys; sys.stdout.write(os.environ['SECRET'])",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == value


def test_path_types(tmp_path):
    done = edit_file(Path(tmp_path / "x.env"), {"A": "1"})
    assert done.path == tmp_path / "x.env" and done.shown == str(tmp_path / "x.env")


ODD = list("AB_=$\\{}:#'\"` \t\n\r-x.") + [
    "\x85",
    "\u2028",
    "\ufeff",
    "\xa0",
    "export ",
    "K=",
    "B: ",
]
odd_text = st.lists(
    st.sampled_from(ODD) | st.characters(exclude_categories=("Cs",)), max_size=60
).map("".join)


@FAST
@given(
    odd_text,
    st.dictionaries(
        st.sampled_from(["A", "B", "K", "x", "NEW"]),
        st.none() | st.lists(st.sampled_from(list("ab $\\'\"`#\n ")), max_size=8).map("".join),
        max_size=3,
    ),
)
def test_any_text_the_parser_reads_can_be_edited(text, updates):
    """Whatever odd text the parser accepts, the editor sees the same assignments and edits it
    (or refuses only a value no quoting can carry); its own read-back check never fires."""
    try:
        entries = envfile.parse(text, source="t")
    except EnvFileError:
        return
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    walked = [a.key for a in dotenv_edit._assignments(normalised, "t")]
    assert walked == [e.key for e in entries]
    try:
        edit_text(text, updates, shown="t")
    except GetDotenvError as exc:
        assert (
            "no dotenv quoting can carry" in str(exc) or "NUL" in str(exc) or REFUSED in str(exc)
        ), str(exc)
