"""Fixtures for the aws group's tests: a temporary HOME with AWS profiles, a real moto server
(STS, AssumeRole), a real loopback stand-in for the SSO portal (GetRoleCredentials: moto has
none), and a stand-in ``aws`` program on PATH that records its argv and environment."""

from __future__ import annotations

import hashlib
import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

SSO_URL = "https://example.awsapps.com/start"
GOOD_TOKEN = "good-sso-token"
SSO_KEY = "ASIASSOROLE"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto server process on 127.0.0.1 (it serves STS)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "GETDOTENV_TEST_SESSION"}
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


class _Portal(BaseHTTPRequestHandler):
    """SSO GetRoleCredentials: ``GET /federation/credentials`` with the bearer token."""

    calls: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        token = self.headers.get("x-amz-sso_bearer_token")
        type(self).calls.append(self.path)
        if not self.path.startswith("/federation/credentials") or token != GOOD_TOKEN:
            body = json.dumps({"message": "Session token not found or invalid"}).encode()
            self.send_response(401)
            self.send_header("x-amzn-ErrorType", "UnauthorizedException")
        else:
            expiry = int((time.time() + 3600) * 1000)
            body = json.dumps(
                {
                    "roleCredentials": {
                        "accessKeyId": SSO_KEY,
                        "secretAccessKey": "sso-secret",
                        "sessionToken": "sso-session-token",
                        "expiration": expiry,
                    }
                }
            ).encode()
            self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def sso_portal() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


STANDIN = r'''#!{python}
"""A stand-in AWS CLI: records argv and the AWS_* environment, acts out a few commands."""
import hashlib, json, os, sys
args = sys.argv[1:]
with open(os.environ["STANDIN_LOG"], "a") as log:
    env = {{k: v for k, v in os.environ.items() if k.startswith("AWS_")}}
    log.write(json.dumps({{"argv": args, "env": env}}) + "\n")
if args == ["--version"]:
    print(os.environ.get("STANDIN_VERSION", "aws-cli/2.17.0 Python/3.11.8 Linux/6 exe/x86_64"))
    sys.exit(0)
if args[:2] == ["sso", "login"]:
    folder = os.path.join(os.environ["HOME"], ".aws", "sso", "cache")
    os.makedirs(folder, exist_ok=True)
    name = hashlib.sha1({sso_url!r}.encode()).hexdigest() + ".json"
    with open(os.path.join(folder, name), "w") as f:
        json.dump({{"startUrl": {sso_url!r}, "region": "us-east-1",
                   "accessToken": {token!r}, "expiresAt": "2099-01-01T00:00:00Z"}}, f)
    sys.exit(int(os.environ.get("STANDIN_LOGIN_EXIT", "0")))
sys.exit(int(os.environ.get("STANDIN_EXIT", "0")))
'''

CONFIG = """\
[default]
region = us-east-2

[profile static]
region = eu-west-1

[profile other]
region = eu-central-1

[profile proc]
region = us-west-2
credential_process = {python} {proc}

[profile assume]
role_arn = arn:aws:iam::123456789012:role/deployer
source_profile = static
region = eu-north-1

[profile sso]
sso_start_url = {sso_url}
sso_region = us-east-1
sso_account_id = 111122223333
sso_role_name = Developer
region = ap-southeast-2

[profile bare]
region = sa-east-1
"""

CREDENTIALS = """\
[static]
aws_access_key_id = AKIASTATIC
aws_secret_access_key = static-secret

[other]
aws_access_key_id = AKIAOTHER
aws_secret_access_key = other-secret
"""

PROCESS = """\
import json
print(json.dumps({"Version": 1, "AccessKeyId": "ASIAPROCESS", "SecretAccessKey": "proc-secret",
                  "SessionToken": "proc-token", "Expiration": "2099-01-01T00:00:00Z"}))
"""


@dataclass
class AwsWorld:
    home: Path
    bin: Path
    log: Path
    moto: str

    def calls(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def token(self, expires: str = "2099-01-01T00:00:00Z") -> Path:
        """Write a cached SSO token (``expires`` in the past: an expired one)."""
        folder = self.home / ".aws" / "sso" / "cache"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / (hashlib.sha1(SSO_URL.encode()).hexdigest() + ".json")
        path.write_text(
            json.dumps(
                {
                    "startUrl": SSO_URL,
                    "region": "us-east-1",
                    "accessToken": GOOD_TOKEN,
                    "expiresAt": expires,
                }
            )
        )
        return path


@pytest.fixture
def aws_world(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_url: str, sso_portal: str
) -> AwsWorld:
    """HOME with ~/.aws/config and credentials, moto for every AWS call (the SSO portal: the
    stand-in), and the stand-in ``aws`` first on PATH."""
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    proc = tmp_path / "credential_process.py"
    proc.write_text(PROCESS)
    (home / ".aws" / "config").write_text(
        CONFIG.format(python=sys.executable, proc=proc, sso_url=SSO_URL)
    )
    (home / ".aws" / "credentials").write_text(CREDENTIALS)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(STANDIN.format(python=sys.executable, sso_url=SSO_URL, token=GOOD_TOKEN))
    aws.chmod(aws.stat().st_mode | stat.S_IXUSR)
    for name in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", sso_portal)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("STANDIN_LOG", str(tmp_path / "aws-calls.jsonl"))
    return AwsWorld(home, bin_dir, tmp_path / "aws-calls.jsonl", moto_url)
