"""Issue 19 point 6: no .env value is ever pasted into a shell string as code.

Shell strings the host expands (``-c``, ``plugins.batch`` scripts, a plugin's ``ShellCommand``
fields such as ``plugins.dynamodb.local.*``) get the same values as under get-dotenv, each
quoted for the shell; text the user single-quoted stays literal; ``\\$NAME`` is left to the
shell. Other config strings keep get-dotenv's interpolation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from host_cli.engine.expand import expand_shell, lookup_in

HOSTILE = {
    "semi": "demo; touch PWNED_semi",
    "subst": "$(touch PWNED_subst)",
    "tick": "`touch PWNED_tick`",
    "quotes": "it's \"quoted\" '; touch PWNED_quotes; '",
    "newline": "a\ntouch PWNED_newline",
}


def dotenv(values: dict[str, str]) -> str:
    lines = []
    for key, value in values.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
        lines.append(f'{key}="{escaped}"'.replace("\n", "\\n"))
    return "\n".join(lines) + "\n"


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "host_cli", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        env=env or dict(os.environ),
    )


@pytest.fixture
def hostile(project):
    """Values with shell syntax: the simple ones from .env, all of them from the environment
    (a composed value and an inherited one are looked up alike)."""
    values = {f"V_{k.upper()}": v for k, v in HOSTILE.items()}
    root = project({".env": dotenv({"E_SEMI": HOSTILE["semi"], "E_SUBST": HOSTILE["subst"]})})
    return root, values


def test_c_quotes_every_value(hostile):
    root, values = hostile
    env = {**os.environ, **values}
    values = {**values, "E_SEMI": HOSTILE["semi"], "E_SUBST": HOSTILE["subst"]}
    for key, value in values.items():
        out = run(root, "-c", f"printf '%s|' ${key} \"${key}\" ${{{key}}}", env=env)
        assert out.returncode == 0, out
        assert out.stdout == f"{value}|{value}|{value}|", (key, out)
    assert not list(root.glob("PWNED_*"))


def test_single_quoted_text_is_literal_and_escaped_references_go_to_the_shell(project):
    root = project({".env": "SECRET=hunter2\nAPP=demo\n"})
    out = run(root, "-c", "echo 'a b' | awk '{print $2}'")
    assert out.stdout == "b\n", out
    # \$SECRET reaches the shell as $SECRET: expanded there from the environment, so the
    # command line (what `ps` shows) never holds the value
    out = run(root, "-c", "echo \\$SECRET-$APP; cat /proc/$$/cmdline | tr '\\0' ' '")
    first, cmdline = out.stdout.splitlines()
    assert first == "hunter2-demo"
    assert "hunter2" not in cmdline and "$SECRET" in cmdline


def test_defaults_and_nested_defaults(project):
    root = project({".env": "B=from b\n"})
    out = run(root, "-c", "printf '%s|' ${A:plain} ${A:${B}} \"${MISSING:x y}\" $MISSING end")
    assert out.stdout == "plain|from b|x y|end|", out


def test_batch_scripts_quote_values(project):
    root = project(
        {
            ".env": dotenv({"NAME": "x; touch PWNED_batch"}),
            "getdotenv.config.yaml": (
                "plugins:\n  batch:\n    scripts:\n"
                "      show: printf '%s' $NAME > out.txt\n"
                "      other:\n        cmd: printf '%s' \"$NAME\" > out2.txt\n"
            ),
            "pkg/package.json": "{}",
        }
    )
    for script, file in (("show", "out.txt"), ("other", "out2.txt")):
        out = run(root, "batch", "--root-path", "./", "--globs", "pkg", "-c", script)
        assert out.returncode == 0, out
        assert (root / "pkg" / file).read_text() == "x; touch PWNED_batch"
    assert not list(root.rglob("PWNED_*"))


def test_dynamodb_config_commands_quote_values(project):
    root = project(
        {
            ".env": dotenv({"APP_NAME": "demo; touch PWNED_ddb", "PORT_X": "8123"}),
            "getdotenv.config.yaml": (
                "plugins:\n  dynamodb:\n    local:\n"
                "      port: $PORT_X\n"
                "      status: printf '%s' $APP_NAME > status.txt; exit 1\n"
            ),
        }
    )
    out = run(root, "dynamodb", "local", "status")
    assert (root / "status.txt").read_text() == "demo; touch PWNED_ddb", out
    assert not list(root.glob("PWNED_*"))
    # a plain config string keeps get-dotenv's interpolation
    assert run(root, "-c", "echo $DYNAMODB_LOCAL_PORT").stdout == "8123\n"


def test_shell_off_keeps_a_value_one_word(project):
    root = project({".env": dotenv({"WORDS": "two words; three"})})
    out = run(
        root, "--shell-off", "-c", f"{sys.executable} -c 'import sys; print(sys.argv[1:])' $WORDS"
    )
    assert out.stdout.strip() == "['two words; three']", out


def test_a_third_party_plugin_marks_its_shell_strings():
    from pydantic import BaseModel, Field

    from host_cli import ShellCommand
    from host_cli.plugins.configs import _shell_paths_of

    class Hooks(BaseModel):
        before: ShellCommand | None = None
        note: str = ""

    class Config(BaseModel):
        deploy: ShellCommand = "true"
        hooks: dict[str, Hooks] = Field(default_factory=dict)
        steps: list[ShellCommand] = []
        title: str = ""

    assert _shell_paths_of(Config) == [
        ("deploy",),
        ("hooks", "*", "before"),
        ("steps", "*"),
    ]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")))
def test_any_value_reaches_sh_as_exactly_itself(value):
    lookup = lookup_in({"V": value}, {})
    for template in ("printf '%s' $V", 'printf "%s" "$V"', "printf '%s' ${V}"):
        command, carriers = expand_shell(template, lookup, shell="/bin/sh")
        out = subprocess.run(
            ["/bin/sh", "-c", command], capture_output=True, timeout=10, env=dict(carriers)
        )
        expected = value.encode()
        if template.endswith("$V") and value == "":
            expected = b""
        assert out.stdout == expected, (template, value, command)


# -- carriers: a value that could be syntax reaches the shell in a variable of its own ------
#
# Found by review (F8, F9, F9b): values used to be pasted in quoted for the place a small
# quote tracker thought they landed; inside "$(…)" or backticks, after an apostrophe in a
# comment or here-document, or under fish, the quoting was wrong and the text ran as code.


def _shell(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path


def pwn_value(folder: Path) -> str:
    """A value that runs `touch` if any of its text is read as code, in any shell."""
    touch = f"touch {folder}/PWNED"
    return (
        f"x; {touch}_semi; '\"$({touch}_subst)`{touch}_tick`\\ \n"
        f"''; {touch}_quote; ' \"; {touch}_dq; \"#  *  ${{HOME}} %s end"
    )


REPRODUCTIONS = {
    "F9: $(…) inside double quotes": ('echo "$(echo $V)"', None),
    "F9: backticks inside double quotes": ('echo "`echo $V`"', None),
    "F9: ${V} in printf inside $(…)": ('echo "$(printf %s ${V})"', None),
    "F9b: apostrophe in a comment": ("echo a # don't\necho '$V'", "a\n$V\n"),
    "F9b: apostrophe in a here-document": ("cat <<EOF\nit's\nEOF\necho '$V'", "it's\n$V\n"),
}


@pytest.mark.parametrize("command, out", REPRODUCTIONS.values(), ids=REPRODUCTIONS.keys())
def test_reviewed_reproductions_run_nothing(project, command, out):
    root = project({".env": "V='x; touch PWNED'\n"})
    result = run(root, "--shell", "/bin/bash", "-c", command)
    assert result.returncode == 0, result
    assert not list(root.glob("PWNED*")), result
    assert result.stdout == (out or "x; touch PWNED\n")


def test_fish_gets_its_own_syntax(project):
    fish = _shell("fish")
    root = project({".env": "W='a  b'\n"})
    env = {**os.environ, "V": "\\'\";touch PWNED_fish;#"}
    result = run(root, "--shell", fish, "-c", "printf '%s|' $V \"$W\"", env=env)
    assert not list(root.glob("PWNED*")), result
    assert result.stdout == "\\'\";touch PWNED_fish;#|a  b|", result
    # ... and through rootOptionDefaults.shell, for a plugin's shell-string field too
    (root / "getdotenv.config.yaml").write_text(
        f"rootOptionDefaults:\n  shell: {fish}\n"
        "plugins:\n  dynamodb:\n    local:\n"
        "      status: printf '%s' $V > status.txt; exit 1\n"
    )
    result = run(root, "dynamodb", "local", "status", env=env)
    assert (root / "status.txt").read_text() == "\\'\";touch PWNED_fish;#", result
    assert not list(root.glob("PWNED*"))


POSIX_CONTEXTS = {
    "bare": ("printf '%s' $V", "{v}"),
    "double quotes": ('printf "%s" "<$V>"', "<{v}>"),
    "braced": ("printf '%s' ${V}", "{v}"),
    "$(…)": ("x=$(printf '%s' $V); printf '%s' \"\\$x\"", "{v}"),
    '"$(…)"': ('printf "%s" "$(printf %s $V)"', "{v}"),
    '"$(… "…")"': ('printf "%s" "$(printf %s "$V")"', "{v}"),
    "backticks": ('printf "%s" "`printf %s $V`"', "{v}"),
    "here-document": ("cat <<EOF\n$V\nEOF", "{v}\n"),
    "here-document <<-": ("cat <<-EOF\n\t'$V' \"${V}\"\n\tEOF", "'{v}' \"{v}\"\n"),
    "quoted here-document": ("cat <<'EOF'\n$V\nEOF", "$V\n"),
    "after a comment with an apostrophe": ("# don't\nprintf '%s' $V '$V'", "{v}$V"),
    "single quotes": ("printf '%s' '$V'", "$V"),
}
FISH_CONTEXTS = {
    "bare": ("printf '%s' $V", "{v}"),
    "double quotes": ('printf "%s" "<$V>"', "<{v}>"),
    "braced": ("printf '%s' ${V}", "{v}"),
    '"$(…)"': ('printf "%s" "$(printf %s $V)"', "{v}"),
    "(…)": ("printf '%s' (printf %s $V | string collect)", "{v}"),
    "after a comment with an apostrophe": ("# don't\nprintf '%s' $V '$V'", "{v}$V"),
    "single quotes": ("printf '%s' '$V'", "$V"),
}
SHELL_CASES = [
    pytest.param(shell, template, out, id=f"{shell}: {name}")
    for shell in ("bash", "dash", "zsh")
    for name, (template, out) in POSIX_CONTEXTS.items()
] + [
    pytest.param("fish", template, out, id=f"fish: {name}")
    for name, (template, out) in FISH_CONTEXTS.items()
]


@pytest.mark.parametrize("shell, template, out", SHELL_CASES)
def test_a_value_arrives_byte_for_byte_in_every_context(tmp_path, shell, template, out):
    path = _shell(shell)
    value = pwn_value(tmp_path)
    command, carriers = expand_shell(template, lookup_in({"V": value}, {}), shell=path)
    assert value not in command and "touch" not in command
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), **carriers}
    result = subprocess.run(
        [path, "-c", command], capture_output=True, cwd=tmp_path, env=env, timeout=30
    )
    assert result.stdout.decode() == out.format(v=value), (command, result)
    assert not list(tmp_path.glob("PWNED*")), (command, result)


def test_carriers_are_named_per_value_and_inert_values_stay_as_they_are():
    values = {"A": "x y", "B": "plain-1.2/3:a,b@c%d+e=f", "C": "x y", "D": "it's", "E": ""}
    command, carriers = expand_shell(
        "echo $A $B \"$C\" $D $E '$A'", lookup_in(values, {}), shell="/bin/bash"
    )
    assert command == (
        'echo "${__GETDOTENV_1}" plain-1.2/3:a,b@c%d+e=f "${__GETDOTENV_1}" "${__GETDOTENV_2}"  '
        "'$A'"
    )
    assert carriers == {"__GETDOTENV_1": "x y", "__GETDOTENV_2": "it's"}
    # names the composed env uses are skipped; carriers already given are reused
    again = expand_shell(
        "echo $D $A",
        lookup_in(values, {}),
        shell="zsh",
        carriers={"__GETDOTENV_1": "it's"},
        taken={"__GETDOTENV_2"},
    )
    assert again == (
        'echo "${__GETDOTENV_1}" "${__GETDOTENV_3}"',
        {"__GETDOTENV_1": "it's", "__GETDOTENV_3": "x y"},
    )
    # a leading = (zsh's =cmd) is not inert
    assert expand_shell("echo $V", lookup_in({"V": "=ls"}, {}), shell="zsh").carriers


def test_powershell_and_fish_reference_forms():
    lookup = lookup_in({"V": "a b", "W": "x,y"}, {})
    assert expand_shell('echo $V "$W"', lookup, shell="pwsh").command == (
        'echo ${env:__GETDOTENV_1} "${env:__GETDOTENV_2}"'
    )
    assert (
        expand_shell(
            'echo $V "<$W>"', lookup, shell="C:\\Program Files\\PowerShell\\7\\pwsh.exe"
        ).command
        == 'echo ${env:__GETDOTENV_1} "<${env:__GETDOTENV_2}>"'
    )
    assert expand_shell('echo $V "<$V>"', lookup, shell="/usr/bin/fish").command == (
        'echo "$__GETDOTENV_1" "<""$__GETDOTENV_1"">"'
    )


def test_an_unknown_shell_is_refused_rather_than_guessed(project):
    from host_cli.support.errors import ExpansionError

    lookup = lookup_in({"V": "a b", "OK": "plain_1.2"}, {})
    for shell in ("cmd.exe", "/bin/tcsh", "nu"):
        assert expand_shell("echo $OK", lookup, shell=shell).command == "echo plain_1.2"
        with pytest.raises(ExpansionError, match=r"--cmd: the value of \$V .* cannot pass it"):
            expand_shell("echo $V", lookup, shell=shell, key="--cmd")
    root = project({".env": "V='a b'\n"})
    result = run(root, "--shell", "/nonexistent/tcsh", "-c", "echo $V")
    assert result.returncode != 0
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "--cmd: the value of $V" in lines[0] and "tcsh" in lines[0], result


def test_shell_off_quotes_for_the_word_split(project):
    root = project({})
    env = {**os.environ, "V": 'a "$b" `c` \\d'}
    argv = f"{sys.executable} -c 'import sys; print(sys.argv[1:])'"
    result = run(root, "--shell-off", "-c", f'{argv} $V "<$V>"', env=env)
    assert result.stdout.strip() == repr(['a "$b" `c` \\d', '<a "$b" `c` \\d>']), result


def test_dynamodb_config_command_with_a_hostile_value(project):
    root = project(
        {
            ".env": "V='x; touch PWNED_ddb'\nW=\"it's\"\n",
            "getdotenv.config.yaml": (
                "plugins:\n  dynamodb:\n    local:\n"
                "      status: |-\n"
                "        # don't\n"
                "        printf '%s|' \"$(printf %s $V)\" \"`echo $W`\" '$V' > status.txt; exit 1\n"
            ),
        }
    )
    result = run(root, "dynamodb", "local", "status")
    assert result.returncode == 1, result
    assert (root / "status.txt").read_text() == "x; touch PWNED_ddb|it's|$V|"
    assert not list(root.glob("PWNED*"))


def test_carriers_never_show_in_log_get_export_or_output(project):
    root = project(
        {
            ".env": "V='x; touch PWNED'\n",
            "getdotenv.config.yaml": (
                "plugins:\n  dynamodb:\n    local:\n      status: echo $V; exit 1\n"
            ),
        }
    )
    result = run(root, "--log", "-o", "out.env", "-c", 'echo "$V"; env | grep -c ^__GETDOTENV_')
    assert result.returncode == 0, result
    # one carrier: the field's value and the -c string's are the same, so they share it
    assert result.stdout.splitlines()[-2:] == ["x; touch PWNED", "1"], result
    shown = result.stdout + result.stderr + (root / "out.env").read_text()
    for args in (["export"], ["get", "V"], ["export", "--format", "json"]):
        out = run(root, *args)
        assert out.returncode == 0, out
        shown += out.stdout + out.stderr
    assert "x; touch PWNED" in shown
    assert "__GETDOTENV" not in shown


@pytest.mark.parametrize("shell", ["bash", "dash", "zsh", "fish"])
def test_any_value_reaches_each_real_shell_as_exactly_itself(shell):
    path = _shell(shell)

    @settings(max_examples=40, deadline=None)
    @given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\0")))
    def check(value):
        lookup = lookup_in({"V": value}, {})
        for template, expected in (
            ("printf '%s' $V", value),
            ('printf "%s" "<$V>"', f"<{value}>"),
            ('printf "%s" "$(printf %s "$V")"', value.rstrip("\n")),
        ):
            command, carriers = expand_shell(template, lookup, shell=path)
            env = {"LANG": "C.UTF-8", **carriers}  # fish reads the environment in its locale
            out = subprocess.run([path, "-c", command], capture_output=True, timeout=10, env=env)
            assert out.stdout == expected.encode(), (template, value, command, out)

    check()


def test_a_shift_is_not_a_here_document():
    lookup = lookup_in({"V": "3", "W": "a b"}, {})
    command, carriers = expand_shell("echo $((1<<$V))\necho $W", lookup, shell="/bin/bash")
    assert command == 'echo $((1<<3))\necho "${__GETDOTENV_1}"'
    out = subprocess.run(["/bin/bash", "-c", command], capture_output=True, env=dict(carriers))
    assert out.stdout == b"8\na b\n"


def test_batch_scripts_are_written_for_their_own_shell(project):
    fish = _shell("fish")
    root = project(
        {
            "getdotenv.config.yaml": (
                "plugins:\n  batch:\n    scripts:\n"
                f"      fishy:\n        cmd: printf '%s' $V > out.txt\n        shell: {fish}\n"
                "      plain: printf '%s|' $V\n"
            ),
            "pkg/package.json": "{}",
        }
    )
    env = {**os.environ, "V": "\\'\";touch PWNED_batch;# $(touch PWNED_subst) a  b"}
    out = run(root, "batch", "--root-path", "./", "--globs", "pkg", "-c", "fishy", env=env)
    assert out.returncode == 0, out
    assert (root / "pkg" / "out.txt").read_text() == env["V"]
    # under --shell-off a plain batch script runs without a shell: the value stays one word
    out = run(root, "--shell-off", "batch", "--globs", "pkg", "-c", "plain", env=env)
    assert out.returncode == 0, out
    assert out.stdout == f"{env['V']}|", out
    assert not list(root.rglob("PWNED*"))
