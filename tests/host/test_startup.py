"""Start-up stays light: heavy modules are imported only by the commands that need them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("boto3", "botocore", "moto", "rich", "pydantic", "yaml", "importlib.metadata")

PROBE = """
import json, sys
from host_cli.cli.app import run
code = run(sys.argv[1:])
print(json.dumps({"code": code, "loaded": [m for m in %r if m in sys.modules]}))
"""


def probe(cwd, *args):
    env = {**os.environ, "GETDOTENV_CACHE_DIR": str(cwd.parent / "cache")}  # a cold cache per test
    out = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_help_imports_nothing_heavy(project):
    root = project({"getdotenv.config.yaml": "vars:\n  A: b\n"})
    assert probe(root, "--help") == {"code": 0, "loaded": []}


def test_cmd_with_unchanged_yaml_config_and_plugin_slice_imports_nothing_heavy(project):
    root = project(
        {
            ".env": "A=1\n",
            "getdotenv.config.yaml": "vars:\n  B: ${A}\nplugins:\n  cmd:\n    expand: true\n",
        }
    )
    first = probe(root, "cmd", "true")
    assert first["code"] == 0 and "yaml" in first["loaded"] and "pydantic" in first["loaded"]
    assert probe(root, "cmd", "true") == {
        "code": 0,
        "loaded": [],
    }  # both answers now come from the cache


def test_changed_slice_is_validated_again(project):
    root = project({"getdotenv.config.json": '{"plugins": {"cmd": {"expand": true}}}'})
    assert probe(root, "cmd", "true")["code"] == 0
    (root / "getdotenv.config.json").write_text('{"plugins": {"cmd": {"expand": "maybe"}}}')
    assert probe(root, "cmd", "true") == {"code": 1, "loaded": ["pydantic", "importlib.metadata"]}


def test_cache_files_are_private(project):
    root = project({"getdotenv.config.json": '{"plugins": {"cmd": {"expand": true}}}'})
    assert probe(root, "cmd", "true")["code"] == 0
    (cache,) = (root.parent / "cache").iterdir()  # v2-py3NN: one folder per Python version
    files = list(cache.iterdir())
    assert files and all(f.stat().st_mode & 0o077 == 0 for f in files)
    assert cache.stat().st_mode & 0o077 == 0
