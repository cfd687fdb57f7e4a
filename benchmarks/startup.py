"""Start-up: `getdotenv -e dev cmd true` and `getdotenv --help` against python-dotenv's CLI.

Fixture: a 4-file cascade of 40 variables with references and a getdotenv.config.yaml with a
`plugins` block. Baselines, timed in the same run: `python -c pass` (the interpreter floor) and
python-dotenv's CLI `dotenv -f .env run -- true` (one file, no plugins). Targets:
`getdotenv -e dev cmd true` at most 1.2x python-dotenv's CLI, `getdotenv --help` at most
1.5x, and the first run after an edit of one plugin slice (`plugins.dynamodb.local.port` set to
a value no run has seen, before each timed run: a true miss of that slice, and of the YAML
file, only) at most 2.0x. The `(no cache)` row is a run with everything a miss. With
`--against BINDIR` (the bin folder of a venv holding another release), that release's
commands join the same rounds, so a change is judged against its predecessor.

    python benchmarks/startup.py [--runs N] [--against OTHER_VENV/bin]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import bench_env, paired, table  # noqa: E402

CONFIG = """rootOptionDefaults:
  paths: ./
  dotenvToken: .env
vars:
  SERVICE_NAME: demo
plugins:
  cmd:
    expand: true
  dynamodb:
    local:
      port: 8000
"""


def write_fixture(folder: Path) -> None:
    def w(name: str, lines: list[str]) -> None:
        (folder / name).write_text("\n".join(lines) + "\n")

    w(
        ".env",
        ["APP_NAME=demo", "STAGE=base", "REGION=us-east-1", "ROOT=/srv/app"]
        + [f"VAR_{i:02d}=value_{i}" for i in range(1, 14)]
        + [
            "DATA_DIR=${ROOT}/data",
            "LOG_DIR=${ROOT}/log",
            "URL=https://${APP_NAME}.example.com/${STAGE}",
        ],
    )
    w(
        ".env.local",
        [
            "SECRET_1=s1",
            "SECRET_2=s2",
            "SECRET_3=s3",
            "DB_PASS=hunter2",
            "DB_URL=postgres://app:${DB_PASS}@localhost/${APP_NAME}",
        ],
    )
    w(
        ".env.dev",
        ["STAGE=dev", "TABLE_NAME=${APP_NAME}-${STAGE}-001"]
        + [f"DEV_{i}=d{i}" for i in range(1, 8)]
        + ["DEV_URL=${URL}/dev"],
    )
    w(
        ".env.dev.local",
        [
            "DEV_SECRET_1=x1",
            "DEV_SECRET_2=x2",
            "DEV_SECRET_3=x3",
            "DEV_TOKEN=${DEV_SECRET_1}-${DEV_SECRET_2}",
            "DEV_HOME=${DATA_DIR}/dev",
        ],
    )
    (folder / "getdotenv.config.yaml").write_text(CONFIG)
    (folder / "package.json").write_text("{}\n")


class SliceEditor:
    """Before each run, sets ``plugins.dynamodb.local.port`` to a port no run has seen."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.port = 10000

    def __call__(self) -> None:
        self.port += 1
        self.config.write_text(CONFIG.replace("port: 8000", f"port: {self.port}"))


EDITED = "getdotenv -e dev cmd true (one plugin slice edited)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--against",
        type=Path,
        metavar="BINDIR",
        help="bin folder of another getdotenv install to time in the same rounds",
    )
    ns = parser.parse_args()
    bindir = Path(sys.executable).parent
    dotenv_cli = bindir / "dotenv"
    if not dotenv_cli.exists():
        raise SystemExit("python-dotenv's CLI is missing: pip install 'python-dotenv[cli]'")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_fixture(folder)
        cache = folder / "cache"
        env = {**bench_env(), "GETDOTENV_CACHE_DIR": str(cache)}
        getdotenv = str(bindir / "getdotenv")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "dotenv -f .env run -- true": [str(dotenv_cli), "-f", ".env", "run", "--", "true"],
            "getdotenv -e dev cmd true": [getdotenv, "-e", "dev", "cmd", "true"],
            "getdotenv --help": [getdotenv, "--help"],
            EDITED: [getdotenv, "-e", "dev", "cmd", "true"],
            "getdotenv -e dev cmd true (no cache)": [getdotenv, "-e", "dev", "cmd", "true"],
        }
        # The edited runs have a project of their own: the other rows stay warm.
        edited = folder / "edited"
        edited.mkdir()
        write_fixture(edited)
        edit = SliceEditor(edited / "getdotenv.config.yaml")
        before = {EDITED: edit}
        cwds = {EDITED: str(edited)}
        if ns.against:
            other = str(ns.against / "getdotenv")
            commands["against: getdotenv -e dev cmd true"] = [other, "-e", "dev", "cmd", "true"]
            commands["against: getdotenv --help"] = [other, "--help"]
            commands[f"against: {EDITED}"] = [other, "-e", "dev", "cmd", "true"]
            before[f"against: {EDITED}"] = edit
            cwds[f"against: {EDITED}"] = str(edited)
        results = paired(
            commands,
            baselines=["dotenv -f .env run -- true", "python -c pass"],
            cwd=str(folder),
            env=env,
            runs=ns.runs,
            envs={"getdotenv -e dev cmd true (no cache)": {"GETDOTENV_NO_CACHE": "1"}},
            before=before,
            cwds=cwds,
        )
        shutil.rmtree(cache, ignore_errors=True)
    print(f"start-up, median of {ns.runs} paired rounds (python {sys.version.split()[0]})\n")
    print(table(results, ["dotenv -f .env run -- true", "python -c pass"]))
    by = {r.name: r for r in results}
    print()
    ok = True
    for name, goal in (
        ("getdotenv -e dev cmd true", 1.05),
        ("getdotenv --help", 1.5),
        (EDITED, 2.0),
    ):
        ratio = by[name].ratios["dotenv -f .env run -- true"]
        met = ratio <= goal
        ok &= met
        verdict = "met" if met else "MISSED"
        print(f"target {name!r} <= {goal}x python-dotenv's CLI: {ratio:.2f}x {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
