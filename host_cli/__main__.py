"""``getdotenv`` and ``python -m host_cli``: run the host CLI and exit with its code."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence


def _exit_now(code: int) -> None:
    """Exit without tearing the interpreter down module by module.

    A CLI process that is about to end gains nothing from garbage-collecting every
    module it imported, and that teardown is about a sixth of a short run
    (benchmarks/README.md). ``atexit`` handlers still run and the standard streams are
    flushed, so nothing a handler or a plugin relies on is skipped.
    """
    import atexit
    import os

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None:  # not CPython: exit the ordinary way
        sys.exit(code)
    run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or broken pipe
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point. Called with ``argv`` (as tests do), it exits normally."""
    if argv is None:
        # Start-up allocates many objects and frees few: cyclic garbage collection would only
        # cost time (~5% of a short run, benchmarks/README.md). A command runs with it on again
        # (host_cli.cli.lazy.LazyCommand.invoke).
        import gc

        gc.disable()
        # typer's package loads only when something uses it (host_cli.cli.hotpath): `cmd`
        # and the root group are built from typer's classes without it.
        from host_cli.cli.hotpath import defer_typer

        defer_typer()
    from host_cli.cli.app import run

    code = run(argv)
    if argv is None:
        _exit_now(code)
    sys.exit(code)


if __name__ == "__main__":
    main()
