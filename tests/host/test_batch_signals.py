"""`batch` passes SIGINT/SIGTERM to what it runs and waits for it (issue 19 point 8), through
the real CLI in a process of its own with no terminal."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

# Each run says it started, records its pid, then waits; on a signal it says so and exits.
CHILD = """
import os, signal, sys, time
got = []
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, lambda n, f: got.append(n))
name = os.path.basename(os.getcwd())
open(os.path.join(os.environ["OUT"], name), "w").write(str(os.getpid()))
deadline = time.monotonic() + 20
while not got and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(0.3)  # a duplicated signal would arrive now
print(name, "got", ",".join(signal.Signals(n).name for n in got), flush=True)
sys.exit(40 + len(got))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _batch(folder, out, *extra):
    (folder / "package.json").write_text("{}")
    for name in ("a", "b", "c"):
        (folder / "pkgs" / name).mkdir(parents=True)
    return subprocess.Popen(
        [sys.executable, "-m", "host_cli", "batch", "--globs", "pkgs/*", *extra, "--"]
        + [sys.executable, "-c", CHILD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # no controlling terminal; we lead the group
        cwd=folder,
        env={**os.environ, "OUT": str(out)},
    )


def _wait_for(out, count):
    deadline = time.monotonic() + 20
    while len([p for p in out.iterdir() if p.read_text()]) < count:
        assert time.monotonic() < deadline, "the runs did not start"
        time.sleep(0.02)
    return [int(p.read_text()) for p in sorted(out.iterdir())]


@pytest.mark.parametrize(
    ("sig", "to_group"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
)
def test_sequential_batch_forwards_the_signal_once_and_starts_nothing_after(
    tmp_path, sig, to_group
):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "proj").mkdir()
    proc = _batch(tmp_path / "proj", out)
    try:
        (pid,) = _wait_for(out, 1)
        (os.killpg if to_group else os.kill)(proc.pid, sig)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert stdout == f"a got {sig.name}\n"  # once, even when the whole group was signalled
    assert proc.returncode == 128 + sig, stderr
    assert f"batch: stopped by {sig.name} after 1 of 3; 2 not run" in stderr
    assert sorted(p.name for p in out.iterdir()) == ["a"] and not _alive(pid)


def test_parallel_batch_ends_every_running_child_on_sigterm(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (tmp_path / "proj").mkdir()
    proc = _batch(tmp_path / "proj", out, "--parallel", "--concurrency", "3")
    try:
        pids = _wait_for(out, 3)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 143, stderr
    assert sorted(stdout.splitlines()) == [f"{n} got SIGTERM" for n in "abc"]
    assert not any(_alive(p) for p in pids)
    assert "batch: stopped by SIGTERM after 3 of 3\n" in stderr
