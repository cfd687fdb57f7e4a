"""Nested mounts: the example of docs/plugins.md ("Nested mounts"), run as written, and the
host's placement rules."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example() -> dict:
    text = (ROOT / "docs" / "plugins.md").read_text()
    block = re.search(
        r"<!-- tested: tests/host/test_mounts.py -->\n```python\n(.*?)```", text, re.S
    )
    assert block is not None
    namespace: dict = {"__name__": "docs_example"}
    exec(compile(block.group(1), "docs/plugins.md", "exec"), namespace)
    return namespace


def plugins_of(example: dict) -> list:
    return [example["DeployPlugin"](), example["NotifyPlugin"]()]


def test_child_reads_the_parents_context(example, cli, project):
    project({".env": "DEPLOY_URL=https://x\n"})
    out = cli("deploy", "--stage", "prod", "notify", "send", plugins=plugins_of(example))
    assert out.code == 0, out
    assert out.out.strip() == "#general: https://x/prod"


def test_the_plain_mount_has_no_parent_context(example, cli, project):
    project({".env": "DEPLOY_URL=https://x\n"})
    out = cli("notify", "send", plugins=plugins_of(example))
    assert out.code == 0, out
    assert out.out.strip() == "#general: no stage"


def test_two_mounts_keep_the_slice_as_registered(example, cli, project):
    project({"getdotenv.config.json": '{"plugins": {"notify": {"channel": "#ops"}}}'})
    for argv in (["notify", "send"], ["deploy", "notify", "send"]):
        out = cli(*argv, plugins=plugins_of(example))
        assert out.out.startswith("#ops: "), out


def test_the_embedders_app_as_the_docs_build_it(example, cli, project):
    import typer

    assert isinstance(example["smoz"], typer.Typer)
    project({})
    smoz = dict(
        prog_name="smoz",
        plugins=plugins_of(example),
        mounts={"notify": None, "team/notify": "notify"},
        groups={"team": "Team tools."},
    )
    top = cli("--help", **smoz)
    commands = top.out.split("Commands:")[1]
    assert "team" in commands and "Team tools." in commands
    assert not re.search(r"^\s+notify\b", commands, re.M)
    assert cli("team", "notify", "send", **smoz).out.strip() == "#general: no stage"
    assert cli("deploy", "notify", "send", **smoz).out.strip() == "#general: /dev"
    listed = cli("team", "--help", **smoz)
    assert "Usage: smoz team" in listed.out and "notify" in listed.out


def test_one_mount_moves_the_slice_to_the_realized_path(example, cli, project):
    project({"getdotenv.config.json": '{"plugins": {"deploy/notify": {"channel": "#deploys"}}}'})
    only = dict(plugins=plugins_of(example), mounts={"notify": None})
    out = cli("deploy", "notify", "send", **only)
    assert out.code == 0, out
    assert out.out.startswith("#deploys: ")
    listing = json.loads(cli("plugins", "--json", **only).out)
    keys = [k for p in listing["plugins"] for k in p["config_keys"]]
    assert 'plugins["deploy/notify"]' in keys or "plugins.deploy/notify" in keys


def test_a_bad_slice_under_a_realized_path_names_it(example, cli, project):
    project({"getdotenv.config.json": '{"plugins": {"deploy/notify": {"chanel": "#x"}}}'})
    out = cli("deploy", "notify", "send", plugins=plugins_of(example), mounts={"notify": None})
    assert out.code == 1
    assert 'plugins["deploy/notify"].chanel: unknown key' in out.err


@pytest.mark.parametrize(
    ("mounts", "message"),
    [
        (
            {"x/notify": "notify"},
            "cannot mount 'notify' at 'x/notify': there is no command group 'x'",
        ),
        (
            {"cmd/notify": "notify"},
            "cannot mount 'notify' at 'cmd/notify': 'cmd' is a command, not a group",
        ),
        ({"deploy/other": "nope"}, "cannot mount 'nope' at 'deploy/other': no command 'nope'"),
    ],
)
def test_bad_mounts_are_one_line(example, cli, project, mounts, message):
    project({})
    out = cli("cmd", "true", plugins=plugins_of(example), mounts=mounts)
    assert out.code == 1
    (line,) = out.err.strip().splitlines()
    assert message in line


def test_a_mount_over_a_childs_name_is_one_line(example, cli, project):
    project({})
    out = cli("aws", "whoami", plugins=plugins_of(example), mounts={"aws/whoami": "notify"})
    assert out.code == 1
    assert "duplicate command 'whoami' under 'aws'" in out.err


def test_a_plugins_wish_without_its_parent_is_skipped(example, cli, project):
    project({})
    out = cli("notify", "send", plugins=plugins_of(example), mounts={"deploy": None})
    assert out.code == 0, out
    assert out.out.strip() == "#general: no stage"


PROBE = """
import json, sys
from host_cli.cli.app import run
from dynamodb_plugin import plugin
code = run(sys.argv[1:], plugins=[plugin], entry_points=False)
print(json.dumps({"code": code, "loaded": sorted(m for m in sys.modules
      if m.startswith(("host_cli.cli.mounts", "host_cli.cli.builtin.aws", "botocore", "boto3")))}))
"""


@pytest.mark.parametrize("argv", [["cmd", "true"], ["--help"], ["aws", "--help"]])
def test_the_mount_tree_costs_no_import_on_runs_that_do_not_enter_it(project, argv):
    root = project({".env": "AWS_PROFILE=x\n"})
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], cwd=root, capture_output=True, text=True, check=True
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    # (a cold cache validates the config slices: their light model modules may load)
    heavy = [m for m in result["loaded"] if not m.endswith(("_config", ".aws"))]
    if argv[0] == "aws":
        assert not any(m.startswith(("botocore", "boto3")) for m in heavy)
    else:
        assert heavy == []
