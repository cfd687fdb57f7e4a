"""Paired timing: commands run in turn (A B C A B C ...) and ratios are medians of per-round ratios.

Pairing keeps a ratio valid when the machine's speed drifts during the run, which matters on
a shared two-core machine. Times are whole-process wall times.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass
class Result:
    name: str
    median_ms: float
    ratios: dict[str, float]


def bench_env() -> dict[str, str]:
    env = dict(os.environ)
    # Machines here set this; it makes every run recompile uncached modules.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_once(argv: Sequence[str], *, cwd: str, env: Mapping[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        list(argv), cwd=cwd, env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed ({done.returncode}): {' '.join(argv)}")
    return elapsed


def paired(
    commands: Mapping[str, Sequence[str]],
    *,
    baselines: Sequence[str],
    cwd: str,
    env: Mapping[str, str] | None = None,
    runs: int = 30,
    warmup: int = 3,
    envs: Mapping[str, Mapping[str, str]] | None = None,
    before: Mapping[str, Callable[[], None]] | None = None,
    cwds: Mapping[str, str] | None = None,
) -> list[Result]:
    """Time every command ``runs`` times in rounds; ratios against each baseline, per round.
    ``before[name]`` runs (untimed) right before each run of that command: to edit a file, say;
    ``cwds[name]``: that command's folder instead of ``cwd``."""
    base_env = dict(env or bench_env())
    per: dict[str, list[float]] = {name: [] for name in commands}
    for round_no in range(warmup + runs):
        for name, argv in commands.items():
            if before and name in before:
                before[name]()
            where = (cwds or {}).get(name, cwd)
            t = time_once(argv, cwd=where, env={**base_env, **(envs or {}).get(name, {})})
            if round_no >= warmup:
                per[name].append(t)
    results = []
    for name, times in per.items():
        ratios = {
            b: statistics.median(a / c for a, c in zip(times, per[b], strict=True))
            for b in baselines
        }
        results.append(Result(name, statistics.median(times) * 1000, ratios))
    return results


def table(results: Sequence[Result], baselines: Sequence[str]) -> str:
    width = max(len(r.name) for r in results)
    head = f"{'command':<{width}}  {'median':>8}  " + "  ".join(
        f"{'vs ' + b:>22}" for b in baselines
    )
    lines = [head, "-" * len(head)]
    for r in results:
        cells = "  ".join(f"{r.ratios[b]:>21.2f}x" for b in baselines)
        lines.append(f"{r.name:<{width}}  {r.median_ms:>6.1f}ms  {cells}")
    return "\n".join(lines)
