"""Sessions: tests, lint, typecheck, docs, bench. `nox -s tests` runs what CI runs."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test,local]")
    session.run("pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[test,local]", "mypy", "types-PyYAML")
    session.run("mypy")
    session.run("mypy", "--strict", "noxfile.py")


@nox.session
def docs(session: nox.Session) -> None:
    """Regenerate docs/cli.md from --help."""
    session.install("-e", ".")
    session.run("python", "docs/gen_cli.py")


@nox.session
def bench(session: nox.Session) -> None:
    """Start-up and composition benchmarks, as ratios against baselines run alongside."""
    session.install("-e", ".[local]", "python-dotenv[cli]")
    session.run("python", "benchmarks/startup.py", *session.posargs)
    session.run("python", "benchmarks/compose.py")
    session.run("python", "benchmarks/local.py")
    session.run("python", "benchmarks/migrate.py")
    session.run("python", "benchmarks/batch.py")
