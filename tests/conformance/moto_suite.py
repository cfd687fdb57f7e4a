"""moto's own server-mode DynamoDB test suite, against our built-in server and a plain moto server.

    python tests/conformance/moto_suite.py            # or: nox -s moto_suite

Takes moto's tests of the moto version installed here (the sdist from PyPI, which ships
``tests/``, cached; or ``--moto-src`` a moto checkout or sdist), then for each server:

- ours: ``getdotenv dynamodb local start --in-memory --port 0`` in a temporary project, as a user
  starts it; moto's ``mock_aws`` reset is sent as our secret-authenticated ``/_getdotenv/reset``
  (``moto_suite_plugin.py``; the server's gate is not weakened), the secret read from the 0600
  record;
- plain moto: ``python -m moto.server`` on loopback, reset through its ``/moto-api/reset``;

runs ``tests/test_dynamodb`` and ``tests/test_dynamodbstreams`` with ``TEST_SERVER_MODE=true``
one at a time with a reset before each, as moto's ``make test_server`` does (``-n N``: moto's
parallel split instead, the ``requires_clean_slate`` and streams tests one at a time with resets,
the rest on N xdist workers with no resets, ``MOTO_CALL_RESET_API=false``; on 2 busy cores it was
slower), and compares. Exit status: 0 when every test
that passes on plain moto passes on ours or is listed in ``KNOWN`` below with its reason; 1 when
one is not (printed with its failure); 2 when the harness itself could not run.

Not collected by the project's pytest run (no ``test_`` prefix); needs no network once the
sdist is cached. moto's tests need ``freezegun`` and ``pytest-xdist``: installed into the cache
folder (``pip install --target``) when missing, never into this environment.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SUITES = ("tests/test_dynamodb", "tests/test_dynamodbstreams")
# What moto's tests import besides the two suites (tests/__init__.py: aws_verified & co.).
SUPPORT = (
    "tests/__init__.py",
    "tests/conftest.py",
    "tests/markers.py",
    "tests/test_s3/__init__.py",
)
NEEDED = {"freezegun": "freezegun", "xdist": "pytest-xdist", "requests": "requests"}
PYTEST_INI = """[pytest]
markers =
    network: requires network connection
    requires_docker: requires running docker
    aws_verified: Verified against AWS, and should be able to run against AWS
    requires_clean_slate: requires a clean slate, so no parallel testing
filterwarnings =
    ignore:datetime.datetime.utcnow:DeprecationWarning:botocore
"""
OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")

SHARED = "shared database"
ONLY_DYNAMODB = "DynamoDB only"
STRICT = "strict as DynamoDB"
# Tests that pass on a plain moto server and fail on ours *by design*, each with the reason.
# A key ending in "*" covers every node id it is a prefix of (parametrized cases).
# - shared database: ours keeps one database whatever region or account a client signs
#   with (DynamoDB Local's -sharedDb; docs/dynamodb.md "One database"); a test that expects
#   per-region or per-account isolation cannot pass.
# - DynamoDB only: ours serves the DynamoDB and DynamoDB Streams APIs and nothing else of
#   moto (no STS, IAM, S3, CloudFormation, Kinesis, ...; no /moto-api/ admin API): see
#   docs/dynamodb.md "Security". A test that calls another service fails on ours.
# - strict as DynamoDB: moto's test expects moto's own answer where DynamoDB answers otherwise
#   (ours refuses what DynamoDB refuses, in DynamoDB's words). Only with the evidence in the
#   reason: DynamoDB's documentation, or the test's expectation is not aws_verified and a
#   verified test or DynamoDB itself says otherwise. A difference from an aws_verified
#   expectation is a bug of ours, never an entry here.
_ENDPOINTS = (
    "DescribeEndpoints names dynamodb.us-east-1.amazonaws.com, the one database's region, "
    "whatever region the client signs with"
)
_ARN = "a table created by a us-east-2 client has an ARN of the one database's region, us-east-1"
_S3 = "creates an S3 bucket / objects (CreateBucket: 404 from ours)"
_S3_STS = "the account_id fixture asks STS GetCallerIdentity, then S3 for a bucket"
_STS = "asks STS GetCallerIdentity for the account id (ours: UnknownOperationException)"
_IAM = "creates an IAM role and assumes it through STS, then moto's IAM auth simulation"
_NULL = (
    "not aws_verified; dynalite (its messages checked against DynamoDB) words it as ours: "
    "'One or more parameter values were invalid: Null attribute value types must have the "
    "value of true'"
)
_NEAR = (
    "not aws_verified; DynamoDB's syntax errors name the text near the token (', near: "
    "\"begins_with sk,\"'), as in moto's aws_verified syntax-error tests "
    '(\'Syntax error; token: "<EOF>", near: ","\') and dynalite\'s'
)
_RETURN_VALUES = (
    "not aws_verified; ReturnValues 'WRONG' is no value of the model's enum, which DynamoDB "
    "checks first ('1 validation error detected: Value 'WRONG' at 'returnValues' failed to "
    "satisfy constraint: Member must satisfy enum value set: [...]', as dynalite); 'Return "
    "values set to invalid value' is DynamoDB's for a valid value the operation does not take "
    "(DeleteItem ALL_NEW), which ours leaves to moto"
)
_MISSING_RANGE = (
    "not aws_verified; a key without the table's range key is 'The provided key element does "
    "not match the schema' in DynamoDB (as dynalite; moto's aws_verified "
    "test_provide_range_key_against_table_without_range_key for the other way round), not "
    "moto's 'Validation Exception'"
)
_STREAM_VIEW = (
    "not aws_verified; StreamViewType 'OLD_IMAGES'/'NEW_IMAGES' is no value of DynamoDB's "
    "enum (NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY: the API reference), which "
    "DynamoDB refuses; moto stores it"
)
_UNUSED_VALUE = (
    "not aws_verified; its DeleteItem gives ExpressionAttributeValues a :match no expression "
    "uses, which DynamoDB refuses ('Value provided in ExpressionAttributeValues unused in "
    "expressions: keys: {:match}': moto's aws_verified test_update_item_unused_attributes, and "
    "dynalite for every operation); moto checks that in UpdateItem only"
)
_WHOLE_KEY = (
    "not aws_verified; a PartiQL DELETE (or UPDATE) names one item by its whole key in DynamoDB "
    "('Where clause does not contain a mandatory equality on all key attributes'; DynamoDB's "
    "PartiQL DELETE reference: the WHERE clause must resolve to a single primary key value); "
    "moto deletes every item whose hash key matches"
)
_GROUPS: list[tuple[str, str, str, list[str]]] = [
    # (file under tests/test_dynamodb/, or tests/test_dynamodbstreams/...; kind, reason,
    # tests)
    # Signed for another region, answered from the one database (moto's us-east-1 backend):
    ("test_dynamodb.py", SHARED, _ENDPOINTS, ["test_describe_endpoints[*"]),
    ("test_dynamodb_table_without_range_key.py", SHARED, _ARN, ["test_create_table"]),
    (
        "test_dynamodb_export_table.py",
        ONLY_DYNAMODB,
        _S3,
        ["test_export_empty_table", "test_export_point_in_time_recovery_not_enabled"]
        + ["test_list_exports"],
    ),
    (
        "test_dynamodb_export_table.py",
        ONLY_DYNAMODB,
        _S3_STS,
        ["test_export_from_missing_table", "test_export_table"],
    ),
    (
        "test_dynamodb_import_table.py",
        ONLY_DYNAMODB,
        _S3,
        ["test_import_from_empty_s3_bucket", "test_import_table_multiple_files"]
        + [
            "test_import_table_single_file_with_multiple_items",
            "test_only_process_file_with_prefix",
        ]
        + ["test_process_gzipped_file", "test_some_successfull_files_and_some_with_unknown_data"],
    ),
    (
        "test_dynamodb_resource_policy.py",
        ONLY_DYNAMODB,
        _STS,
        ["test_delete_resource_policy", "test_delete_resource_policy_from_former_revision"]
        + ["test_delete_resource_policy_from_unknown_revision"]
        + ["test_delete_resource_policy_with_revision", "test_put_resource_policy"]
        + ["test_put_resource_policy_against_current_revision"]
        + ["test_put_resource_policy_against_norevision"]
        + ["test_put_resource_policy_against_norevision_when_revision_exists"]
        + ["test_put_resource_policy_against_previous_revision"]
        + ["test_put_resource_policy_multiple_times", "test_put_resource_policy_unknown_resource"],
    ),
    (
        "test_dynamodb_iam_permission.py",
        ONLY_DYNAMODB,
        _IAM,
        ["test_dynamodb_authorization_put_item"],
    ),
    # DynamoDB refuses what moto takes, or words it otherwise (ours as DynamoDB):
    ("exceptions/test_dynamodb_exceptions.py", STRICT, _NULL, ["test_put_item_invalid_null"]),
    (
        "exceptions/test_dynamodb_exceptions.py",
        STRICT,
        _NEAR,
        ["test_query_begins_with_without_brackets"],
    ),
    (
        "test_dynamodb.py",
        STRICT,
        _RETURN_VALUES,
        ["test_update_return_attributes", "test_update_return_updated_new_attributes_when_same"],
    ),
    (
        "test_dynamodb_condition_expressions.py",
        STRICT,
        _UNUSED_VALUE,
        ["test_condition_expressions"],
    ),
    (
        "test_dynamodb_table_with_range_key.py",
        STRICT,
        _MISSING_RANGE,
        ["test_get_item_without_range_key"],
    ),
    (
        "test_dynamodb_statements.py",
        STRICT,
        _WHOLE_KEY,
        ["test_delete_data__with_sort_key"],
    ),
    (
        "test_dynamodbstreams/test_dynamodbstreams.py",
        STRICT,
        _STREAM_VIEW,
        ["TestEdges::test_enable_stream_on_table", "TestEdges::test_stream_with_range_key"],
    ),
]
KNOWN: dict[str, tuple[str, str]] = {
    (f"tests/{file}" if file.startswith("test_dynamodbstreams/") else f"tests/test_dynamodb/{file}")
    + f"::{test}": (kind, why)
    for file, kind, why, tests in _GROUPS
    for test in tests
}


def known(nodeid: str) -> tuple[str, str] | None:
    if nodeid in KNOWN:
        return KNOWN[nodeid]
    for key, value in KNOWN.items():
        if key.endswith("*") and nodeid.startswith(key[:-1]):
            return value
    return None


def say(text: str) -> None:
    print(f"moto-suite: {text}", flush=True)


class HarnessError(Exception):
    """The harness could not do its part (no source, a server that does not start)."""


# --- moto's tests ---------------------------------------------------------------------------


def cache_root(given: str | None) -> Path:
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base, "getdotenv", "moto-suite")


def _version_of(src: Path) -> str | None:
    init = src / "moto" / "__init__.py"
    found = re.search(r'__version__ = "([^"]+)"', init.read_text()) if init.is_file() else None
    return found.group(1) if found else None


def _extract(archive: Path, into: Path) -> Path:
    """The sdist's ``tests/`` (and ``moto/__init__.py``, for its version) under ``into``."""
    with tarfile.open(archive) as tar:
        members = [
            m
            for m in tar.getmembers()
            if m.name.count("/") >= 1
            and (
                m.name.split("/", 1)[1].startswith("tests/") or m.name.endswith("/moto/__init__.py")
            )
        ]
        if not members:
            raise HarnessError(f"{archive}: no tests/ in this archive")
        top = members[0].name.split("/", 1)[0]
        tar.extractall(into, members=members, filter="data")
    return into / top


def moto_tests(version: str, src: str | None, cache: Path, scratch: Path) -> Path:
    """A folder holding moto's ``tests/`` for ``version`` (an archive is unpacked in ``scratch``)."""
    if src:
        path = Path(src)
        if path.is_file():
            path = _extract(path, scratch / "moto-src")
        if not (path / "tests" / "test_dynamodb").is_dir():
            raise HarnessError(f"--moto-src {src}: no tests/test_dynamodb in it")
        theirs = _version_of(path)
        if theirs is not None and theirs != version:
            say(f"warning: --moto-src is moto {theirs}; moto {version} is installed")
        return path
    folder = cache / f"moto-{version}"
    if (folder / "tests" / "test_dynamodb").is_dir():
        return folder
    say(f"downloading moto {version}'s sdist from PyPI (it ships its tests) into {cache}")
    download = Path(tempfile.mkdtemp(prefix="moto-sdist-"))
    try:
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        got = subprocess.run(
            [*pip, "--no-binary", ":all:", "--dest", str(download), f"moto=={version}"],
            check=False,
        )
        archives = list(download.glob("moto-*.tar.gz"))
        if got.returncode != 0 or len(archives) != 1:
            raise HarnessError(
                f"could not download moto {version}'s sdist (pip exit {got.returncode}); "
                "pass --moto-src with a moto checkout or sdist of that version"
            )
        cache.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="extract-", dir=cache))
        top = _extract(archives[0], staging)
        try:
            top.rename(folder)
        except OSError:  # another run unpacked it first: use theirs
            if not (folder / "tests" / "test_dynamodb").is_dir():
                raise
        shutil.rmtree(staging, ignore_errors=True)
    finally:
        shutil.rmtree(download, ignore_errors=True)
    return folder


def workdir_with_tests(src: Path, into: Path) -> None:
    """Only the tests moto's DynamoDB suites need, without moto's own package: the tests must
    import the moto installed here, as the servers do."""
    for suite in SUITES:
        shutil.copytree(src / suite, into / suite, ignore=shutil.ignore_patterns("__pycache__"))
    for name in SUPPORT:
        if (src / name).is_file():
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / name, into / name)
    (into / "pytest.ini").write_text(PYTEST_INI)


def dependencies(cache: Path, install: bool, parallel: bool) -> Path | None:
    """A folder for PYTHONPATH holding what moto's tests need and this environment lacks."""
    import importlib.util

    missing = [
        pkg
        for module, pkg in NEEDED.items()
        if (parallel or module != "xdist") and importlib.util.find_spec(module) is None
    ]
    target = cache / f"deps-py{sys.version_info[0]}.{sys.version_info[1]}"
    if not missing:
        return None
    if target.is_dir():
        sys.path.insert(0, str(target))
        importlib.invalidate_caches()
        if all(importlib.util.find_spec(m) for m, p in NEEDED.items() if p in missing):
            return target
    if not install:
        raise HarnessError(f"moto's tests need {', '.join(missing)}: pip install them")
    say(f"installing {', '.join(missing)} into {target} (for moto's tests only)")
    # Pinned to what is installed here, so nothing in the folder shadows another version of a
    # package this environment has (freezegun would bring the newest python-dateutil).
    pins = target.with_name(target.name + "-pins.txt")
    pins.parent.mkdir(parents=True, exist_ok=True)
    pins.write_text(
        "".join(
            f"{d.metadata['Name']}=={d.version}\n"
            for d in importlib.metadata.distributions()
            if d.metadata["Name"] and d.read_text("direct_url.json") is None
        )
    )
    shutil.rmtree(target, ignore_errors=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target)]
    got = subprocess.run([*pip, "--constraint", str(pins), *missing], check=False)
    if got.returncode != 0:
        raise HarnessError(f"pip install --target {target} {' '.join(missing)} failed")
    return target


# --- servers --------------------------------------------------------------------------------


def clean_env() -> dict[str, str]:
    """This environment without anything that would point a client or server elsewhere."""
    drop = ("AWS_", "GETDOTENV_", "MOTO_", "TEST_SERVER_MODE", "DYNAMODB_", "PYTEST_")
    return {k: v for k, v in os.environ.items() if not k.startswith(drop)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(endpoint: str) -> bool:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 - a local server accepts any key
        config=Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=5),
    )
    try:
        return isinstance(client.list_tables().get("TableNames"), list)
    except Exception:
        return False


@contextlib.contextmanager
def plain_moto(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    port = free_port()
    log = (work / "moto_server.log").open("wb")
    cmd = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=work, env=clean_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    endpoint = f"http://localhost:{port}"
    try:
        deadline = time.monotonic() + 60
        while not answers(endpoint):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise HarnessError(f"{' '.join(cmd)} did not answer; see {log.name}")
            time.sleep(0.2)
        yield endpoint, {}
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def getdotenv_command() -> list[str]:
    script = Path(sys.executable).with_name("getdotenv")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "host_cli"]


@contextlib.contextmanager
def ours(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    project = work / "project"
    project.mkdir()
    cli = getdotenv_command()
    env = clean_env()
    started = subprocess.run(
        [*cli, "dynamodb", "local", "start", "--in-memory", "--port", "0"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    record = project / ".getdotenv" / "dynamodb-local.json"
    try:
        if started.returncode != 0 or not record.is_file():
            raise HarnessError(
                f"getdotenv dynamodb local start: exit {started.returncode}: "
                f"{(started.stdout + started.stderr).strip()}"
            )
        data = json.loads(record.read_text())
        say(f"ours: {started.stdout.splitlines()[0].strip()} (pid {data['pid']})")
        yield str(data["endpoint"]), {"MOTO_SUITE_RECORD": str(record)}
    finally:
        stopped = subprocess.run(
            [*cli, "dynamodb", "local", "stop"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if stopped.returncode != 0:
            say(f"warning: local stop: exit {stopped.returncode}: {stopped.stderr.strip()}")


def code_under_test() -> str:
    """Where the server's code comes from (PYTHONPATH may name another worktree)."""
    got = subprocess.run(  # -P as the server runs: the current folder is not on its path
        [sys.executable, "-P", "-c", "import dynamodb_plugin; print(dynamodb_plugin.__file__)"],
        cwd=tempfile.gettempdir(),
        env=clean_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    return str(Path(got.stdout.strip()).parent.parent) if got.returncode == 0 else "?"


# --- running the suite ----------------------------------------------------------------------


def phases(workers: int) -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, pytest arguments, extra environment): moto's Makefile's split for server mode."""
    if workers <= 0:
        return [("all, one at a time, reset before each", list(SUITES), {})]
    return [
        (
            "requires_clean_slate, one at a time, reset before each",
            [SUITES[0], "-m", "requires_clean_slate"],
            {},
        ),
        ("streams, one at a time, reset before each", [SUITES[1]], {}),
        (
            f"the rest, -n {workers}, no resets",
            [
                SUITES[0],
                "-m",
                "not requires_clean_slate",
                "-n",
                str(workers),
                "--dist",
                "loadscope",
            ],
            {"MOTO_CALL_RESET_API": "false"},
        ),
    ]


def run_suite(
    name: str,
    server: Any,
    work: Path,
    workers: int,
    deps: Path | None,
    timeout: float,
    test_timeout: float,
    select: list[str],
) -> dict[str, dict[str, str]]:
    results: dict[str, dict[str, str]] = {}
    folder = work / name
    folder.mkdir()
    with server(folder) as (endpoint, extra):
        path = [str(HERE), *([str(deps)] if deps else []), os.environ.get("PYTHONPATH", "")]
        env = {
            **clean_env(),
            "PYTHONPATH": os.pathsep.join(p for p in path if p),
            "TEST_SERVER_MODE": "true",
            "TEST_SERVER_MODE_ENDPOINT": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(folder / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(folder / "no-aws-credentials"),
            "MOTO_SUITE_TEST_TIMEOUT": str(test_timeout),
            **extra,
        }
        for i, (what, args, more) in enumerate(phases(workers)):
            out = folder / f"results-{i}.json"
            cmd = [
                sys.executable,
                "-m",
                "pytest",
                "-p",
                "moto_suite_plugin",
                "-p",
                "no:cacheprovider",
            ]
            cmd += ["-q", "--no-header", "-rN", "--tb=no", "-W", "ignore", *args, *select]
            say(f"{name}: {what}")
            started = time.monotonic()
            with (folder / f"pytest-{i}.log").open("wb") as log:
                proc = subprocess.Popen(
                    cmd,
                    cwd=work / "src",
                    env={**env, **more, "MOTO_SUITE_RESULTS": str(out)},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
                try:
                    code = proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    raise HarnessError(f"{name}: pytest ran past {timeout:.0f} s") from None
                except BaseException:  # Ctrl-C: no pytest (nor its xdist workers) left behind
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
                    raise
            if code not in (0, 1, 5) or not out.is_file():  # 5: nothing selected
                raise HarnessError(f"{name}: pytest exit {code}; see {folder}/pytest-{i}.log")
            got = json.loads(out.read_text()) if out.is_file() else {}
            results.update(got)
            tally = Counter(v["outcome"] for v in got.values())
            say(f"{name}: {len(got)} tests in {time.monotonic() - started:.0f} s: {dict(tally)}")
        if not answers(endpoint):
            raise HarnessError(f"{name}: the server no longer answers after the suite")
    (work / f"{name}.json").write_text(json.dumps(results, indent=1, sort_keys=True))
    return results


def counts(results: dict[str, dict[str, str]]) -> str:
    tally = Counter(v["outcome"] for v in results.values())
    cells = "".join(f"{tally.get(o, 0):>9}" for o in OUTCOMES)
    return f"{cells}{len(results):>9}"


def report(moto: dict[str, dict[str, str]], mine: dict[str, dict[str, str]]) -> int:
    print()
    print(f"{'':24}" + "".join(f"{o:>9}" for o in OUTCOMES) + f"{'total':>9}")
    print(f"{'plain moto server':24}{counts(moto)}")
    print(f"{'ours (getdotenv)':24}{counts(mine)}")
    only_ours = sorted(
        n
        for n, v in moto.items()
        if v["outcome"] == "passed" and mine.get(n, {}).get("outcome") != "passed"
    )
    only_moto = sorted(
        n
        for n, v in mine.items()
        if v["outcome"] == "passed" and moto.get(n, {}).get("outcome") not in ("passed", None)
    )
    by_design = [n for n in only_ours if known(n)]
    unexplained = [n for n in only_ours if not known(n)]
    kinds = Counter(known(n)[0] for n in by_design)  # type: ignore[index]
    print()
    print(
        f"pass on plain moto, not on ours: {len(only_ours)} "
        f"(by design: {sum(kinds.values())} {dict(kinds)}; unexplained: {len(unexplained)})"
    )
    for n in unexplained:
        got = mine.get(n, {"outcome": "missing", "reason": "not run on ours"})
        print(f"  UNEXPLAINED {n}\n      {got['outcome']}: {got['reason'][:300]}")
    for n in by_design:
        kind, why = known(n)  # type: ignore[misc]
        print(f"  {kind:16} {n}  ({why})")
    if only_moto:
        print(f"pass on ours, not on plain moto: {len(only_moto)}")
        for n in only_moto:
            print(f"  {n}  (moto: {moto[n]['outcome']}: {moto[n]['reason'][:200]})")
    # An entry is stale when the tests it names ran on ours and none of them failed there.
    failing = set(by_design)
    stale = []
    for key in sorted(KNOWN):
        ran = [n for n in mine if n == key or (key.endswith("*") and n.startswith(key[:-1]))]
        if ran and not failing.intersection(ran):
            stale.append(key)
    if stale:
        print(f"KNOWN entries that no longer fail on ours (remove them): {', '.join(stale)}")
    verdict = "OK" if not unexplained else "FAIL"
    print(
        f"\n{verdict}: {len(unexplained)} test(s) fail on ours that pass on plain moto, unexplained"
    )
    return 0 if not unexplained else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--moto-src", help="a moto source checkout or sdist (default: PyPI's)")
    parser.add_argument(
        "-n", "--workers", type=int, default=0, help="xdist workers (default 0: one at a time)"
    )
    parser.add_argument("--baseline", help="plain moto's results JSON of an earlier run")
    parser.add_argument("--cache", help="cache folder (default ~/.cache/getdotenv/moto-suite)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs)")
    parser.add_argument("--no-install", action="store_true", help="never pip install deps")
    parser.add_argument("--timeout", type=float, default=2400, help="seconds per pytest run")
    parser.add_argument(
        "--test-timeout", type=float, default=120, help="seconds per test phase; 0: none"
    )
    parser.add_argument(
        "select", nargs="*", help="extra pytest arguments, after -- (e.g. -- -k query)"
    )
    args = parser.parse_args(argv)
    version = importlib.metadata.version("moto")
    cache = cache_root(args.cache)
    work = Path(tempfile.mkdtemp(prefix="moto-suite-"))
    code = 2
    limits = (args.timeout, args.test_timeout)
    try:
        src = moto_tests(version, args.moto_src, cache, work)
        deps = dependencies(cache, not args.no_install, args.workers > 0)
        workdir_with_tests(src, work / "src")
        say(f"moto {version}'s tests from {src}; our server's code: {code_under_test()}")
        if args.baseline:
            moto = json.loads(Path(args.baseline).read_text())
            say(f"plain moto: {len(moto)} results from {args.baseline}")
        else:
            moto = run_suite("moto", plain_moto, work, args.workers, deps, *limits, args.select)
        mine = run_suite("ours", ours, work, args.workers, deps, *limits, args.select)
        saved = cache / f"results-moto-{version}"
        saved.mkdir(parents=True, exist_ok=True)
        for name, results in (("moto", moto), ("ours", mine)):
            (saved / f"{name}.json").write_text(json.dumps(results, indent=1, sort_keys=True))
        say(f"results: {saved}/moto.json, ours.json (--baseline {saved}/moto.json reuses moto's)")
        code = report(moto, mine)
    except HarnessError as exc:
        say(f"error: {exc}")
    finally:
        if args.keep or code == 2:
            say(f"work folder kept: {work} (logs of the servers and of each pytest run)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
