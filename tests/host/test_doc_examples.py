"""The shell transcripts of README.md and docs/*.md, run for real.

A transcript is a ```sh block whose ``$`` lines are only ``cat FILE`` (the lines after it are the
file) and ``getdotenv ...`` commands (optionally after ``NAME=value`` assignments; the lines
after it are what it prints, stdout and stderr together). The transcripts of one page run in
order in one fresh project folder, so a later block sees the files an earlier one wrote. Blocks
with any other command are not transcripts and are left alone. HOME is /home/ada, as shown.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
_COMMENT = re.compile(r"\s{2,}#\s.*$")  # `$ cat .env    # public, global`


def _steps(block: str) -> list[tuple[str, list[str]]] | None:
    """(command, the lines after it), or None when the block is no transcript."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            steps.append((_COMMENT.sub("", line[2:]).strip(), []))
        elif steps:
            steps[-1][1].append(line)
        else:
            return None
    for command, _ in steps:
        words = shlex.split(command)
        while words and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*=.*", words[0]):
            words.pop(0)
        if not words or not (words[0] == "getdotenv" or (words[0] == "cat" and len(words) == 2)):
            return None
    return steps or None


def _transcripts() -> list[tuple[str, list[list[tuple[str, list[str]]]]]]:
    out = []
    for page in PAGES:
        blocks = [s for s in map(_steps, _BLOCK.findall(page.read_text())) if s]
        # a page's transcripts need a project: at least one of them writes a file
        if blocks and any(cmd.startswith("cat ") for b in blocks for cmd, _ in b):
            out.append((page.relative_to(ROOT).as_posix(), blocks))
    return out


# Pages whose transcripts talk to AWS (a secret, an account): run by their own tests with moto.
NEEDS_AWS = {"docs/aws.md"}
TRANSCRIPTS = [(name, blocks) for name, blocks in _transcripts() if name not in NEEDS_AWS]


def test_the_docs_have_transcripts():
    assert {"README.md", "docs/trace.md"} <= {name for name, _ in TRANSCRIPTS}


def _trim(lines: list[str]) -> str:
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "".join(f"{line}\n" for line in lines)


@pytest.mark.parametrize("page, blocks", TRANSCRIPTS, ids=[name for name, _ in TRANSCRIPTS])
def test_the_transcripts_of_a_page_run_as_shown(tmp_path, page, blocks):
    project = tmp_path / "project"
    project.mkdir()
    (project / "package.json").write_text("{}\n")
    bindir = os.path.dirname(sys.executable)
    # the docs' user is ada (docs/trace.md shows HOME)
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "HOME": "/home/ada"}
    for block in blocks:
        for command, after in block:
            if command.startswith("cat "):
                (project / command[4:]).write_text(_trim(after))
                continue
            done = subprocess.run(
                ["bash", "-c", command],
                cwd=project,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=60,
            )
            assert done.stdout == _trim(after), f"{page}: $ {command}"
