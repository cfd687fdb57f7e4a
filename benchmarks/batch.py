"""`getdotenv batch --parallel` over 20 folders, each running a 0.2 s command, against the same
batch run sequentially, in one run (whole processes, paired rounds). On 2 cores expect near 2x;
the commands sleep, so more parallel runs than cores still help.

    python benchmarks/batch.py [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env, paired, table  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    ns = parser.parse_args()
    gd = str(Path(sys.executable).parent / "getdotenv")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "package.json").write_text("{}")
        for i in range(20):
            (root / "pkgs" / f"p{i:02d}").mkdir(parents=True)
        base = [gd, "batch", "--globs", "pkgs/*"]
        commands = {
            "sequential": [*base, "--", "sleep", "0.2"],
            "--parallel (2 at a time: the CPUs)": [
                *base,
                "--parallel",
                "-C",
                "2",
                "--",
                "sleep",
                "0.2",
            ],
            "--parallel -C 20": [*base, "--parallel", "-C", "20", "--", "sleep", "0.2"],
        }
        env = {**bench_env(), "GETDOTENV_CACHE_DIR": str(root / "cache")}
        results = paired(
            commands, baselines=["sequential"], cwd=str(root), env=env, runs=ns.runs, warmup=1
        )
    print(table(results, ["sequential"]))
    for r in results[1:]:
        print(f"{r.name}: {1 / r.ratios['sequential']:.1f}x faster than sequential")
    return 0


if __name__ == "__main__":
    sys.exit(main())
