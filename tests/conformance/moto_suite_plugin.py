"""pytest plugin that ``moto_suite.py`` loads (``-p moto_suite_plugin``) into moto's own test run.

Not a test module of this project (pytest's default run never collects it). It does two things:

- Records every test's outcome, and a one-line reason for a failure, as JSON in the file named
  by ``MOTO_SUITE_RESULTS`` (written by the controller only when xdist runs the tests).
- With ``MOTO_SUITE_RECORD`` naming the record of our built-in server (the 0600
  ``.getdotenv/dynamodb-local.json`` that ``getdotenv dynamodb local start`` wrote), makes moto's
  server-mode reset (``mock_aws`` POSTs ``/moto-api/reset``, which our server refuses on
  purpose) POST our own control request ``/_getdotenv/reset`` to the recorded endpoint instead,
  with the secret of that start in the ``X-Getdotenv-Secret`` header. The secret is read from
  the record here, so it never sits in an environment or on a command line. A reset that is not answered ``200`` fails the test that
  asked for it: nothing runs on a database that was not reset.
"""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

import pytest

RESULTS = "MOTO_SUITE_RESULTS"
TIMEOUT = "MOTO_SUITE_TEST_TIMEOUT"
RECORD = "MOTO_SUITE_RECORD"
RESET_PATH = "/_getdotenv/reset"
SECRET_HEADER = "X-Getdotenv-Secret"

_outcomes: dict[str, dict[str, str]] = {}


def _reset_with_secret(url: str, secret: str) -> None:
    import requests
    from moto.core.models import ServerModeMockAWS

    def reset(self: Any) -> None:
        # moto's own rule: MOTO_CALL_RESET_API=false turns resets off (parallel runs).
        if os.environ.get("MOTO_CALL_RESET_API", "").lower() == "false":
            return
        if ServerModeMockAWS._RESET_IN_PROGRESS:
            return
        ServerModeMockAWS._RESET_IN_PROGRESS = True
        try:
            answer = requests.post(url, headers={SECRET_HEADER: secret}, timeout=30)
        finally:
            ServerModeMockAWS._RESET_IN_PROGRESS = False
        if answer.status_code != 200:
            raise RuntimeError(f"reset {url}: HTTP {answer.status_code} {answer.text[:200]}")

    ServerModeMockAWS.reset = reset  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    record = os.environ.get(RECORD)
    if record:
        with open(record, encoding="utf-8") as f:
            data = json.load(f)
        _reset_with_secret(str(data["endpoint"]).rstrip("/") + RESET_PATH, str(data["secret"]))


class TestTimeout(Exception):
    """A test phase ran past MOTO_SUITE_TEST_TIMEOUT."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    import traceback

    where = [f for f in traceback.extract_stack(frame) if "/tests/" in f.filename]
    at = f" at {where[-1].filename.rsplit('/tests/', 1)[1]}:{where[-1].lineno}" if where else ""
    raise TestTimeout(f"ran past {os.environ.get(TIMEOUT, '120')} s{at}")


def _bounded() -> Iterator[None]:
    seconds = int(float(os.environ.get(TIMEOUT, "120")))
    if seconds <= 0:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    yield from _bounded()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    yield from _bounded()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    yield from _bounded()


def _reason(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = getattr(crash, "message", None)
    if not isinstance(text, str):
        text = str(report.longrepr)
    return " ".join(text.split())[:600]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    entry = _outcomes.setdefault(report.nodeid, {"outcome": "passed", "reason": ""})
    if report.when == "call":
        if hasattr(report, "wasxfail"):
            entry["outcome"] = "xfailed" if report.skipped else "xpassed"
        elif report.failed:
            entry.update(outcome="failed", reason=_reason(report))
        elif report.skipped:
            entry.update(outcome="skipped", reason=_reason(report))
    elif report.failed and entry["outcome"] != "failed":  # setup or teardown went wrong
        entry.update(outcome="error", reason=f"{report.when}: {_reason(report)}")
    elif report.skipped and report.when == "setup":
        entry.update(outcome="skipped", reason=_reason(report))


def pytest_sessionfinish(session: pytest.Session) -> None:
    path = os.environ.get(RESULTS)
    if path and not hasattr(session.config, "workerinput"):  # the controller, or no xdist
        with open(path, "w", encoding="utf-8") as f:
            json.dump(_outcomes, f, indent=1, sort_keys=True)
