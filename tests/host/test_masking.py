"""Value-shape masking (issue 19 point 7), through the real CLI and a real pytest run:
secret-looking values are masked in --log/--trace, in error messages and in the
getdotenv_env fixture's repr; handing values over is never masked."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from host_cli.support.redact import MASK, MaskedView, Redactor

FILES = {
    ".env": (
        "DATABASE_URL=postgres://app:pw-in-url@db.example:5432/app\n"
        "AWS_ID=AKIAIOSFODNN7EXAMPLE\n"
        "GH=ghp_0123456789abcdefghijklmnopqrstuvwxyz\n"
        "STRIPE=sk_live_0123456789abcdef\n"
        "PLAIN_URL=https://example.com/a@b\n"
        "DB_PASSWORD=hunter2-pw\n"
        "APP=demo\n"
    ),
}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("postgres://app:pw@host/db", f"postgres://app:{MASK}@host/db"),
        ("redis://:pw@host:6379", f"redis://:{MASK}@host:6379"),
        ("AKIAIOSFODNN7EXAMPLE", MASK),
        ("ghp_" + "a" * 36, MASK),
        ("github_pat_" + "A1_" * 10, MASK),
        ("sk_live_abcdefghijkl", MASK),
        ("xoxb-1234567890-abcdef", MASK),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", MASK),
        ("https://example.com/a@b", "https://example.com/a@b"),
        ("mailto:user@example.com", "mailto:user@example.com"),
        ("AKIA-short", "AKIA-short"),
        ("plain", "plain"),
    ],
)
def test_value_shapes(value, shown):
    assert Redactor(True).show("ANY", value) == shown
    assert Redactor(False).show("ANY", value) == value


def test_user_patterns_replace_the_value_shapes_too():
    import re

    mine = Redactor(True, [re.compile("(?i)^app$")])
    assert mine.show("URL", "postgres://app:pw@host") == "postgres://app:pw@host"
    assert mine.show("APP", "x") == MASK


def test_log_and_trace_mask_secret_shaped_values(project, cli):
    project(FILES)
    out = cli("--log", "--redact")
    assert f"DATABASE_URL=postgres://app:{MASK}@db.example:5432/app\n" in out.out
    for key in ("AWS_ID", "GH", "STRIPE", "DB_PASSWORD"):
        assert f"{key}={MASK}\n" in out.out
    assert "PLAIN_URL=https://example.com/a@b\n" in out.out and "APP=demo\n" in out.out
    assert "pw-in-url" not in out.out and "AKIAIOSFODNN7EXAMPLE" not in out.out
    trace = cli("--trace", "--redact", "cmd", "true")
    assert f'DATABASE_URL = "postgres://app:{MASK}@db.example:5432/app"' in trace.err
    assert "pw-in-url" not in trace.err and "hunter2-pw" not in trace.err
    shown = cli("--log", "--redact-off")
    assert "DATABASE_URL=postgres://app:pw-in-url@db.example:5432/app\n" in shown.out


def test_error_messages_hold_no_expanded_secrets(project, cli):
    project(FILES)
    out = cli("--shell-off", "-c", "no-such-program-$DB_PASSWORD-$DATABASE_URL")
    assert out.code == 127
    assert "hunter2-pw" not in out.err and "pw-in-url" not in out.err
    assert f"no-such-program-{MASK}-postgres://app:{MASK}@db.example" in out.err
    # --redact-off given explicitly: the user asked to see values
    shown = cli("--redact-off", "--shell-off", "-c", "no-such-program-$DB_PASSWORD")
    assert "no-such-program-hunter2-pw" in shown.err


def test_handing_values_over_is_never_masked(project, cli, tmp_path):
    project(FILES)
    out = cli("--redact", "-c", 'printf "%s|%s" "$DATABASE_URL" "$DB_PASSWORD"')
    assert out.out == "postgres://app:pw-in-url@db.example:5432/app|hunter2-pw"
    target = tmp_path / "out.env"
    cli("--redact", "--output-path", str(target), "cmd", "true")
    assert "pw-in-url" in target.read_text() and "hunter2-pw" in target.read_text()


def test_masked_view_reads_real_values_and_shows_masked_ones():
    view = MaskedView({"DB_PASSWORD": "hunter2", "URL": "postgres://a:pw@h", "APP": "x"})
    assert view["DB_PASSWORD"] == "hunter2" and dict(view)["URL"] == "postgres://a:pw@h"
    assert view == {"DB_PASSWORD": "hunter2", "URL": "postgres://a:pw@h", "APP": "x"}
    assert "hunter2" not in repr(view) and ":pw@" not in repr(view) and "'APP': 'x'" in repr(view)
    with pytest.raises(TypeError):
        view["APP"] = "y"  # type: ignore[index]


def test_a_failing_test_shows_the_fixture_masked(tmp_path):
    """pytest's own failure output (arguments, assertion) for a test taking getdotenv_env."""
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / ".env").write_text(
        "DB_PASSWORD=hunter2-pw\nDATABASE_URL=postgres://app:pw-in-url@db/app\nAPP=demo\n"
    )
    (tmp_path / "test_it.py").write_text(
        "def test_fails(getdotenv_env):\n"
        "    assert getdotenv_env['APP'] == 'demo'\n"
        "    assert getdotenv_env == {}\n"
    )
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-l", "-p", "no:cacheprovider"]
        + ["--getdotenv-env", "dev", "-p", "no:xdist"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"},
    )
    assert out.returncode == 1, out.stdout + out.stderr
    assert "getdotenv_env = MaskedView(" in out.stdout
    assert f"'DB_PASSWORD': '{MASK}'" in out.stdout and "'APP': 'demo'" in out.stdout
    assert "hunter2-pw" not in out.stdout and "pw-in-url" not in out.stdout


def test_shown_str_is_the_real_value_but_for_its_repr():
    import json
    import pickle

    view = MaskedView({"DB_PASSWORD": "hunter2"})
    value = view["DB_PASSWORD"]
    assert value == "hunter2" and f"{value}" == "hunter2" and json.dumps(value) == '"hunter2"'
    assert repr(value) == repr(MASK) and type(pickle.loads(pickle.dumps(value))) is str
