"""The docs are checked against the code: generated CLI help, hook signatures, the example plugin."""

from __future__ import annotations

import inspect
import re
import runpy
from pathlib import Path

from host_cli.plugins import hookspecs

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_current():
    render = runpy.run_path(str(ROOT / "docs" / "gen_cli.py"))["render"]
    assert (ROOT / "docs" / "cli.md").read_text() == render(), (
        "run `nox -s docs` to regenerate docs/cli.md"
    )


def test_every_hook_is_documented_with_its_signature():
    text = (ROOT / "docs" / "plugins.md").read_text()
    hooks = [
        (n, f)
        for n, f in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(f, "getdotenv_spec")
    ]
    assert [n for n, _ in hooks] == ["derive_env", "register_commands", "register_config_models"]
    for name, function in hooks:
        args = ", ".join(inspect.signature(function).parameters)
        assert f"\n## {name}({args})\n" in text, (
            f"docs/plugins.md lacks a '## {name}({args})' section"
        )


def test_example_plugin_in_the_docs_is_the_tested_one():
    text = (ROOT / "docs" / "plugins.md").read_text()
    package = ROOT / "tests" / "e2e" / "packages" / "getdotenv-hello" / "getdotenv_hello"
    for module in ("plugin.py", "config.py", "commands.py"):
        block = re.search(rf"`getdotenv_hello/{module}`:\n\n```python\n(.*?)```", text, re.S)
        assert block is not None, module
        assert block.group(1) == (package / module).read_text(), (
            f"docs/plugins.md differs from {module}"
        )


def test_the_readmes_first_command_runs_the_sample_project():
    """The sample behind the README's first command: compose, start the built-in local
    DynamoDB, create and list the table, stop it (installed here into this test's venv)."""
    import os
    import subprocess
    import sys

    demo = ROOT / "examples" / "orders" / "demo.sh"
    readme = (ROOT / "README.md").read_text()
    assert "examples/orders/demo.sh" in readme.split("## What it does")[0]
    bindir = os.path.dirname(sys.executable)
    out = subprocess.run(
        [str(demo)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}"},
    )
    assert out.returncode == 0, out.stderr
    assert "composed: SERVICE_NAME=orders STAGE_NAME=orders-dev" in out.stdout
    assert "000  orders-dev-000" in out.stdout and "exists" in out.stdout
    assert "local dynamodb: stopped" in out.stderr
    import shutil

    shutil.rmtree(demo.parent / ".getdotenv", ignore_errors=True)
