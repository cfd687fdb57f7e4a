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


@nox.session
def moto_suite(session: nox.Session) -> None:
    """moto's own server-mode DynamoDB tests against the built-in server and a plain moto server.

    Fails when a test that passes on plain moto fails on ours and is not one of the by-design
    differences listed in tests/conformance/moto_suite.py. Arguments after `--` go to it
    (`nox -s moto_suite -- -n 2`, `-- --moto-src PATH`, `-- --help`; pytest arguments after a
    second `--`: `nox -s moto_suite -- -- -k query`).
    """
    session.install("-e", ".[local]", "pytest", "pytest-xdist", "freezegun")
    session.run("python", "tests/conformance/moto_suite.py", *session.posargs)


@nox.session
def release(session: nox.Session) -> None:
    """Build the wheel and sdist, check them, and try the wheel in a fresh venv (no upload).

    Fails when `twine check` does, when the wheel lacks LICENSE or a package's py.typed, or when
    the installed `getdotenv --version` is not the version the package declares.
    """
    import glob
    import re
    import shutil
    import tempfile
    import zipfile
    from pathlib import Path

    session.install("build", "twine")
    dist = Path(tempfile.mkdtemp(prefix="getdotenv-dist-"))
    try:
        session.run("python", "-m", "build", "--outdir", str(dist), ".")
        wheels = glob.glob(str(dist / "*.whl"))
        sdists = glob.glob(str(dist / "*.tar.gz"))
        if len(wheels) != 1 or len(sdists) != 1:
            session.error(f"expected one wheel and one sdist in {dist}, found {wheels + sdists}")
        session.run("twine", "check", "--strict", *wheels, *sdists)
        names = zipfile.ZipFile(wheels[0]).namelist()
        for needed in ("host_cli/py.typed", "dynamodb_plugin/py.typed"):
            if needed not in names:
                session.error(f"the wheel lacks {needed}")
        if not any(re.search(r"\.dist-info/licenses/LICENSE$", n) for n in names):
            session.error("the wheel lacks the LICENSE file")
        text = Path("host_cli/support/__init__.py").read_text(encoding="utf-8")
        found = re.search(r"__version__ = \"([^\"]+)\"", text)
        if found is None:
            session.error("no __version__ in host_cli/support/__init__.py")
        version = found.group(1)
        venv = dist / "venv"
        session.run("python", "-m", "venv", str(venv))
        pip = str(venv / "bin" / "pip")
        session.run(pip, "install", "--quiet", "--disable-pip-version-check", wheels[0])
        out = session.run(str(venv / "bin" / "getdotenv"), "--version", silent=True, external=True)
        if not isinstance(out, str) or not out.startswith(f"getdotenv {version},"):
            session.error(f"getdotenv --version said {out!r}; the package is {version}")
        session.log(f"getdotenv {version}: wheel and sdist built, checked and installed")
    finally:
        shutil.rmtree(dist, ignore_errors=True)
