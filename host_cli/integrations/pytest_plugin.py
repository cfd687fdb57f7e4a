"""getdotenv for pytest: the composed environment for the whole test session, and a kit for
plugin authors. Registered through the ``pytest11`` entry point; inert unless configured.

Configure it with ini options (``getdotenv_env = dev`` in ``pytest.ini`` or
``[tool.pytest.ini_options]``) or the matching flags (``--getdotenv-env dev``). Once any is
given, the environment is composed once per session, from the root folder of the run, exactly
as ``getdotenv cmd`` would compose it, and laid over ``os.environ`` until the session ends (then
restored).

Fixtures: ``getdotenv_env`` (the composed mapping) and ``getdotenv_project`` (a temporary
project folder whose ``run(*args)`` runs the CLI in-process). Importing this module costs
nothing beyond pytest: the host is imported only when configured or used.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pytest

# (option, ini type, help). The root flags a test session may want; names as in the library API.
OPTIONS: tuple[tuple[str, str, str], ...] = (
    ("env", "string", "environment to compose (like -e)"),
    ("default_env", "string", "environment when none is selected"),
    ("paths", "string", "folders with dotenv files, space-separated (like --paths)"),
    ("vars", "string", "extra variables 'K=V K2=V2' (like --vars)"),
    ("dotenv_token", "string", "base file name [.env]"),
    ("private_token", "string", "private suffix [local]"),
    ("exclude_private", "bool", "skip the *.local files"),
    ("exclude_public", "bool", "skip the public files"),
    ("exclude_global", "bool", "skip the global files"),
    ("exclude_env", "bool", "skip the env-specific files"),
    ("exclude_dynamic", "bool", "skip dynamic values"),
    ("dialect", "string", "how files are read: get-dotenv (default) or python-dotenv"),
    ("strict", "bool", "missing requiredKeys (or an --env that selects nothing) fail"),
)
SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("plugins", "bool", "run the installed plugins' derived variables [true]"),
    ("override", "bool", "composed values replace variables already set [true]"),
)
_STATE = pytest.StashKey[dict[str, Any]]()
_WORKER_KEY = "getdotenv_composed"


def _flag(name: str) -> str:
    return "--getdotenv-" + name.replace("_", "-")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("getdotenv", "getdotenv: the composed .env cascade for the session")
    for name, kind, text in (*OPTIONS, *SWITCHES):
        parser.addini(f"getdotenv_{name}", text, type=kind, default=None)  # type: ignore[arg-type]
        if kind == "bool":
            group.addoption(
                _flag(name),
                action="store_true",
                default=None,
                dest=f"getdotenv_{name}",
                help=text,
            )
            group.addoption(
                _flag(f"no-{name}"),
                action="store_false",
                dest=f"getdotenv_{name}",
                help=argparse.SUPPRESS,
            )
        else:
            group.addoption(_flag(name), dest=f"getdotenv_{name}", help=text)


def _given(config: pytest.Config, table: Sequence[tuple[str, str, str]]) -> dict[str, Any]:
    """The options the command line or the ini file set (flags win)."""
    out: dict[str, Any] = {}
    for name, _kind, _text in table:
        value = config.getoption(f"getdotenv_{name}", default=None)
        if value is None:
            value = config.getini(f"getdotenv_{name}")
        if value is not None and value != "":
            out[name] = value
    return out


def compose_for(config: pytest.Config) -> dict[str, str]:
    """Compose the environment for this pytest run (its root folder, its options)."""
    return _compose(config)[0]


def _compose(config: pytest.Config) -> tuple[dict[str, str], str | None]:
    """The composed environment, and the marker of what plugins derived (so that
    ``host_cli.compose()`` in a test derives those again, as the CLI would)."""
    from host_cli.integrations.api import context
    from host_cli.support.errors import GetDotenvError

    options = _given(config, OPTIONS)
    switches = _given(config, SWITCHES)
    try:
        resolved = context(
            cwd=config.rootpath, plugins=bool(switches.get("plugins", True)), **options
        )
    except GetDotenvError as exc:
        from host_cli.support.redact import Redactor

        raise pytest.UsageError(f"getdotenv: {Redactor(True).scrub(str(exc))}") from None
    return dict(resolved.env), resolved.derived_marker()


def pytest_configure(config: pytest.Config) -> None:
    if not _given(config, OPTIONS) and not _given(config, SWITCHES):
        return  # not configured: inert
    from host_cli.engine.options import DERIVED_VARIABLE

    handed = getattr(config, "workerinput", {}).get(_WORKER_KEY)
    # An xdist worker inherits what the controller composed: composing again over it would
    # take inherited values for the user's own and drop what plugins derived.
    if handed is not None:
        composed, marker = json.loads(handed)
    else:
        composed, marker = _compose(config)
    override = bool(_given(config, SWITCHES).get("override", True))
    saved = {k: os.environ.get(k) for k in (*composed, DERIVED_VARIABLE)}
    for key, value in composed.items():
        if override or key not in os.environ:
            os.environ[key] = value
    if marker is not None:
        # What plugins derived is now in os.environ: compose() in a test derives it afresh
        # (and so equals the CLI) instead of keeping it as the user's. Each entry carries a
        # checksum, so a variable the user had set (override false) stays the user's.
        os.environ[DERIVED_VARIABLE] = marker
    config.stash[_STATE] = {"composed": composed, "saved": saved, "marker": marker}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: hand the composed environment to each worker."""
    state = node.config.stash.get(_STATE, None)
    if state is not None:
        node.workerinput[_WORKER_KEY] = json.dumps([state["composed"], state["marker"]])


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    for key, value in state["saved"].items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def getdotenv_env(pytestconfig: pytest.Config) -> Mapping[str, str]:
    """The composed environment of this session (composed now if the plugin is not configured),
    read-only; its repr (pytest's failure output) masks secret values."""
    from host_cli.support.redact import MaskedView

    state = pytestconfig.stash.get(_STATE, None)
    composed = state["composed"] if state is not None else compose_for(pytestconfig)
    return MaskedView(composed)


# --- the kit for plugin authors --------------------------------------------------------------


class Result(NamedTuple):
    """What one run of the CLI did."""

    code: int
    out: str
    err: str


class Project:
    """A temporary project folder, and the CLI run in-process inside it."""

    def __init__(
        self,
        path: Path,
        capture: Callable[[], tuple[str, str]],
        plugins: Sequence[object],
        entry_points: bool,
    ) -> None:
        self.path = path
        self._capture = capture
        self.plugins = list(plugins)
        self.entry_points = entry_points

    def write(self, files: Mapping[str, str]) -> Path:
        """Write ``{"relative/path": "text"}`` into the project; returns its folder."""
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        return self.path

    def run(
        self, *args: str, env: Mapping[str, str] | None = None, prog_name: str = "getdotenv"
    ) -> Result:
        """Run ``getdotenv *args`` in the project: its exit code, stdout and stderr. ``env``
        adds variables for this run only; ``os.environ`` is as before afterwards."""
        from host_cli.cli.app import run

        saved = dict(os.environ)
        self._capture()
        try:
            os.environ.update(env or {})
            with contextlib.chdir(self.path):
                code = run(
                    list(args),
                    prog_name=prog_name,
                    plugins=self.plugins,
                    entry_points=self.entry_points,
                )
        finally:
            os.environ.clear()
            os.environ.update(saved)
        out, err = self._capture()
        return Result(code, out, err)


@pytest.fixture
def getdotenv_project(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> Iterator[Callable[..., Project]]:
    """``getdotenv_project(files, plugins=[module])``: a project folder with ``files`` and a
    ``run(*args)`` that executes the CLI in-process there, output captured. ``plugins`` are
    loaded without being installed; installed plugins load too when ``entry_points=True``."""

    def make(
        files: Mapping[str, str] | None = None,
        *,
        plugins: Sequence[object] = (),
        entry_points: bool = False,
    ) -> Project:
        folder = tmp_path / "project"
        folder.mkdir(exist_ok=True)
        if not (folder / "pyproject.toml").exists() and not (folder / "package.json").exists():
            (folder / "package.json").write_text("{}\n")  # marks the project root
        project = Project(folder, lambda: capfd.readouterr(), plugins, entry_points)
        project.write(files or {})
        return project

    yield make
