"""Composing large cascades: getdotenv's parse + merge + expansion against python-dotenv's parse alone.

For N = 1,000, 10,000 and 100,000 variables over a 4-file cascade (50/12.5/25/12.5 %, every
5th value `${V<i-3>}/x<i>`), in a fresh process per measurement (each side's own imports included):

- getdotenv: the full resolution a command sees (`host_cli.engine.resolve`: config lookup, env
  selection pre-pass, cascade, expansion, overlays);
- baseline: python-dotenv's `dotenv_values(path, interpolate=False)` on the same four files,
  merged into one dict: its parser alone, no expansion.

Targets: the 100,000 case at most 12x the 10,000 case (linear), and no slower than
python-dotenv's parse alone.

    python benchmarks/compose.py [--sizes 1000,10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env  # noqa: E402

FILES = ((".env", 0.5), (".env.dev", 0.125), (".env.local", 0.25), (".env.dev.local", 0.125))

OURS = """
import json, os, sys, time
from pathlib import Path
t = time.perf_counter()
from host_cli.plugins.host import load
from host_cli.engine.resolve import Inputs, resolve
ctx = resolve(Inputs(cli={"env": "dev"}, cwd=Path.cwd(), process_env=dict(os.environ),
                     plugin_host=load(builtins=[], entry_points=False, environ={}, warn=print)))
print(json.dumps({"seconds": time.perf_counter() - t, "keys": len(ctx.env)}))
"""
THEIRS = """
import json, time
t = time.perf_counter()
from dotenv import dotenv_values
merged = {}
for name in (".env", ".env.dev", ".env.local", ".env.dev.local"):
    merged.update(dotenv_values(name, interpolate=False))
print(json.dumps({"seconds": time.perf_counter() - t, "keys": len(merged)}))
"""


def write(folder: Path, n: int) -> None:
    start = 0
    for name, share in FILES:
        count = round(n * share)
        lines = []
        for i in range(start, start + count):
            lines.append(f"V{i}=${{V{i - 3}}}/x{i}" if i % 5 == 0 and i >= 3 else f"V{i}=value_{i}")
        (folder / name).write_text("\n".join(lines) + "\n")
        start += count


def measure(code: str, folder: Path) -> tuple[float, int]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=folder,
        env=bench_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return data["seconds"], data["keys"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    ns = parser.parse_args()
    sizes = [int(s) for s in ns.sizes.split(",")]
    rows = {}
    print(
        f"{'vars':>8}  {'getdotenv':>10}  {'python-dotenv parse':>20}  {'ratio':>6}  {'us/var':>7}"
    )
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write(folder, n)
            (folder / "package.json").write_text("{}")
            ours, theirs = [], []
            for _ in range(ns.repeat):  # alternate, so drift hits both alike
                s, keys = measure(OURS, folder)
                assert keys == n, (keys, n)
                ours.append(s)
                s, keys = measure(THEIRS, folder)
                assert keys == n, (keys, n)
                theirs.append(s)
        o, t = statistics.median(ours), statistics.median(theirs)
        rows[n] = (o, t)
        print(
            f"{n:>8}  {o * 1000:>8.0f}ms  {t * 1000:>18.0f}ms  {o / t:>5.2f}x  {o / n * 1e6:>7.1f}"
        )
    ok = True
    if 10000 in rows and 100000 in rows:
        growth = rows[100000][0] / rows[10000][0]
        met = growth <= 12
        ok &= met
        print(
            f"\ntarget 100,000 vars <= 12x the 10,000 case: {growth:.1f}x {'met' if met else 'MISSED'}"
        )
    if 100000 in rows:
        ratio = rows[100000][0] / rows[100000][1]
        met = ratio <= 1
        ok &= met
        print(
            f"target 100,000 vars no slower than python-dotenv's parse alone: {ratio:.2f}x "
            f"{'met' if met else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
