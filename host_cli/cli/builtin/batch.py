"""``batch``: run one command in every folder that matches ``--globs`` under ``--root-path``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

import typer

from host_cli.cli.session import get_context
from host_cli.support import proc
from host_cli.support.errors import OptionError

if TYPE_CHECKING:  # imported where used: this module loads on every start
    from host_cli.engine.config import Script
    from host_cli.engine.context import HostContext

PACKAGE_MARKERS = ("package.json", "pyproject.toml")


class Run(NamedTuple):
    folder: str
    code: int


def folders(context: HostContext, root_path: str, globs: str, pkg_cwd: bool) -> list[Path]:
    """The folders matched by ``globs`` (space-separated) under ``root_path``, sorted."""
    from host_cli.engine.cascade import folder

    root = folder(context.cwd / root_path, root_path, "--root-path")
    found: dict[Path, None] = {}
    for pattern in globs.split():
        matched = [p for p in sorted(root.glob(pattern)) if p.is_dir()]
        for path in matched:
            if pkg_cwd:
                # The nearest package folder at or above the match, but below the root path.
                above = [p for p in (path, *path.parents) if p != root and root in p.parents]
                package = next(
                    (
                        p
                        for p in (above or [path])
                        if any((p / m).is_file() for m in PACKAGE_MARKERS)
                    ),
                    None,
                )
                if package is None:
                    continue
                path = package
            found[path] = None
    if not found:
        raise OptionError(f"--globs: {globs!r} matches no folder under {root_path}")
    return sorted(found)


def _run_one(
    forwarder: proc.Forwarder,
    argv: list[str],
    env: dict[str, str],
    folder: Path,
    shown: str,
    lock: threading.Lock,
) -> Run | None:
    """Run captured, then print the folder's output as one block (for parallel runs); None
    when a stop signal came before it started."""
    if forwarder.received is not None:
        return None
    try:
        child = forwarder.popen(
            argv,
            env=env,
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        code, out, err = 127, b"", f"cannot run {argv[0]!r}: {exc.strerror}\n".encode()
    else:
        try:
            out, err = child.communicate()
        finally:
            code = forwarder.wait(child)
    with lock:
        sys.stderr.write(f"=== {shown} (exit {code})\n")
        sys.stderr.flush()
        sys.stdout.buffer.write(out)
        sys.stdout.flush()
        sys.stderr.buffer.write(err)
        sys.stderr.flush()
    return Run(shown, code)


def run_batch(
    context: HostContext,
    *,
    tokens: Sequence[str],
    command: str | None,
    root_path: str,
    globs: str,
    pkg_cwd: bool,
    scripts: dict[str, Script],
    list_only: bool,
    ignore_errors: bool,
    parallel: bool,
    concurrency: int,
) -> int:
    matched = folders(context, root_path, globs, pkg_cwd)
    if list_only:
        for folder in matched:
            typer.echo(context.shown(folder))
        return 0
    if command is not None and tokens:
        raise OptionError(
            "batch: give the command either with -c/--command or as arguments, not both"
        )
    if command is None and not tokens:
        raise OptionError(
            "batch: nothing to run: give a command, e.g. `batch -- npm test` or `batch -c 'make'`"
        )
    from concurrent.futures import ThreadPoolExecutor

    from host_cli.cli.builtin.cmd import command_argv

    argv = command_argv(
        context._replace(scripts={**context.scripts, **scripts}), [command] if command else tokens
    )
    env = context.child_env()
    runs: list[Run] = []
    # SIGINT/SIGTERM (and the other stop signals) go to the running commands, which we wait
    # for; no folder starts after one.
    with proc.Forwarder() as forwarder:
        if parallel:
            lock = threading.Lock()
            with ThreadPoolExecutor(max_workers=concurrency) as pool:
                futures = [
                    pool.submit(_run_one, forwarder, argv, env, f, context.shown(f), lock)
                    for f in matched
                ]
                runs = [r for r in (f.result() for f in futures) if r is not None]
        else:
            for folder in matched:
                if forwarder.received is not None:
                    break
                shown = context.shown(folder)
                sys.stderr.write(f"=== {shown}\n")
                sys.stderr.flush()
                try:
                    child = forwarder.popen(argv, env=env, cwd=folder)
                except OSError as exc:
                    sys.stderr.write(f"cannot run {argv[0]!r}: {exc.strerror}\n")
                    runs.append(Run(shown, 127))
                else:
                    runs.append(Run(shown, forwarder.wait(child)))
                if runs[-1].code and not ignore_errors:
                    break
    if forwarder.received is not None:
        import signal

        name = signal.Signals(forwarder.received).name
        skipped = len(matched) - len(runs)
        sys.stderr.write(
            f"batch: stopped by {name} after {len(runs)} of {len(matched)}"
            + (f"; {skipped} not run\n" if skipped else "\n")
        )
        return 128 + forwarder.received
    failed = [r for r in runs if r.code]
    if failed:
        which = ", ".join(f"{r.folder} (exit {r.code})" for r in failed)
        skipped = len(matched) - len(runs)
        tail = f"; {skipped} not run" if skipped else ""
        sys.stderr.write(f"batch: {len(failed)} of {len(matched)} failed: {which}{tail}\n")
        return 0 if ignore_errors else 1
    sys.stderr.write(f"batch: all {len(runs)} succeeded\n")
    return 0


def batch(
    ctx: typer.Context,
    tokens: Annotated[
        list[str] | None, typer.Argument(metavar="[COMMAND]...", help="The command, as for cmd.")
    ] = None,
    command: Annotated[
        str | None,
        typer.Option("--command", "-c", help="The command as one string (scripts resolved)."),
    ] = None,
    root_path: Annotated[
        str | None,
        typer.Option("--root-path", help="Folder to search [default: plugins.batch.rootPath, ./]."),
    ] = None,
    globs: Annotated[
        str | None,
        typer.Option(
            "--globs", help="Space-separated globs of folders [default: plugins.batch.globs, *]."
        ),
    ] = None,
    pkg_cwd: Annotated[
        bool | None,
        typer.Option(
            "--pkg-cwd/--pkg-cwd-off",
            "-p",
            help="Run in each match's nearest package folder (package.json or pyproject.toml).",
        ),
    ] = None,
    list_only: Annotated[
        bool, typer.Option("--list", "-l", help="Print the matched folders; run nothing.")
    ] = False,
    ignore_errors: Annotated[
        bool,
        typer.Option(
            "--ignore-errors", "-e", help="Run every folder and exit 0 even if some fail."
        ),
    ] = False,
    parallel: Annotated[
        bool,
        typer.Option(
            "--parallel",
            "-P",
            help="Run folders in parallel; each one's output is printed as a block when it ends.",
        ),
    ] = False,
    concurrency: Annotated[
        int | None,
        typer.Option(
            "--concurrency",
            "-C",
            min=1,
            help="Parallel runs at most [default: the number of CPUs].",
        ),
    ] = None,
) -> None:
    """Run a command in every folder matched by --globs under --root-path, with the composed
    environment; sequential by default (stops at the first failure unless --ignore-errors).
    Exits 1 if any run failed, after a summary of which."""
    from host_cli.engine.config import Script

    context = get_context(ctx)
    config: dict[str, Any] = dict(context.configs.data("batch"))
    scripts = {
        name: Script(entry) if isinstance(entry, str) else Script(entry["cmd"], entry.get("shell"))
        for name, entry in (config.get("scripts") or {}).items()
    }
    code = run_batch(
        context,
        tokens=tokens or [],
        command=command,
        root_path=root_path or config["root_path"],
        globs=globs or config["globs"],
        pkg_cwd=bool(config["pkg_cwd"] if pkg_cwd is None else pkg_cwd),
        scripts=scripts,
        list_only=list_only,
        ignore_errors=ignore_errors,
        parallel=parallel,
        concurrency=concurrency or os.cpu_count() or 1,
    )
    raise typer.Exit(code)
