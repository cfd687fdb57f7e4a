"""Readiness: a signed DynamoDB ``ListTables`` that must answer, not just an open port; and
whether what answers on ``localhost:PORT`` is *our* server.

Our built-in server proves itself without its secret ever crossing the wire: asked
``POST /_getdotenv/hello`` with a fresh nonce, it answers ``HMAC-SHA256(secret, nonce +
address)``, ``address`` being the loopback address the request reached. A listener of someone
else's on the other loopback family cannot answer it, and cannot relay it to ours either: ours
would prove the address it was reached on, not the one we asked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from typing import Any

# What the CLI and the built-in server share (the CLI's commands import this module, never the
# server's, which imports argparse, logging and threading it has no use for).
HELLO_PATH = "/_getdotenv/hello"
CONTROL_PREFIX = "/_getdotenv/"
CONTROL_PATH = CONTROL_PREFIX + "stop"
NONCE_HEADER = "X-Getdotenv-Nonce"
SECRET_HEADER = "X-Getdotenv-Secret"
ERROR = "[dynamodb-local] error:"
LOOPBACK = ("127.0.0.1", "::1")


def proof(secret: str, nonce: str, address: str) -> str:
    """What our server answers to ``nonce`` on loopback ``address`` (``127.0.0.1`` or ``::1``)."""
    message = f"{nonce} {address}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def shown_address(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def _addresses(port: int) -> list[str]:
    """Where a client of ``http://localhost:PORT`` may connect: what ``localhost`` resolves to,
    in order, then both loopback addresses (clients differ in the family they try first)."""
    import socket

    found: list[str] = []
    try:
        # bytes: a str host is encoded with the idna codec, an import of its own
        infos = socket.getaddrinfo(b"localhost", port, type=socket.SOCK_STREAM)
    except OSError:
        infos = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found + [a for a in LOOPBACK if a not in found]


def _answer(sock: Any, timeout: float, limit: int = 65536) -> tuple[int, bytes]:
    """The status and body of the HTTP/1.1 answer on ``sock`` (at most ``limit`` bytes): a
    few lines instead of ``http.client``, which ``local status`` would import for this one
    request. ``ValueError`` for anything that is not such an answer; ``TimeoutError`` once
    ``timeout`` seconds have passed in all (a socket's own timeout is per ``recv``: a listener
    dribbling a byte a second would hold the probe for as long as the limit lasts)."""
    deadline = time.monotonic() + timeout

    def receive() -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no whole answer in time")
        sock.settimeout(left)
        return bytes(sock.recv(4096))

    data = bytearray()
    end = -1
    while end < 0:
        chunk = receive()
        if not chunk or len(data) > limit:
            raise ValueError("not an HTTP answer")
        seen = max(0, len(data) - 3)
        data += chunk
        end = data.find(b"\r\n\r\n", seen)
    head, body = bytes(data[:end]), bytearray(data[end + 4 :])
    lines = head.decode("latin-1").split("\r\n")
    version, _, rest = lines[0].partition(" ")
    if not version.startswith("HTTP/1.") or not rest[:3].isdigit():
        raise ValueError("not an HTTP answer")
    fields = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])
    }
    length = fields.get("content-length")
    chunked = "chunked" in fields.get("transfer-encoding", "").lower()
    want = int(length) if length is not None and not chunked else None
    while (want is None or len(body) < want) and len(body) <= limit:
        if chunked and body.endswith(b"0\r\n\r\n"):
            break
        chunk = receive()
        if not chunk:  # the end of an answer without a length
            break
        body += chunk
    if chunked:
        plain = bytearray()
        rest_of = bytes(body)
        while True:
            size, _, rest_of = rest_of.partition(b"\r\n")
            count = int(size.split(b";")[0] or b"x", 16)
            if count <= 0:
                break
            plain += rest_of[:count]
            rest_of = rest_of[count + 2 :]
        return int(rest[:3]), bytes(plain)
    if want is not None:
        del body[max(want, 0) :]
    return int(rest[:3]), bytes(body)


def _json(data: bytes) -> Any:
    """``json.loads``, ``ValueError`` for what is not JSON *or nests too deep to read*: the
    decoder raises ``RecursionError`` past ~1,000 levels (2 KB of ``[`` from any listener)."""
    try:
        return json.loads(data or b"{}")
    except RecursionError:
        raise ValueError("JSON nested too deep") from None


def hello(address: str, port: int, secret: str, timeout: float = 2.0) -> str:
    """``ours``, ``none`` (nothing accepts there), ``silent`` (a listener that accepts but
    does not answer in time) or ``other`` (a listener that answers, and is not ours)."""
    import socket

    nonce = os.urandom(16).hex()  # what secrets.token_hex does (secrets imports random & co)
    try:
        # (bytes work as getaddrinfo's host, as in _addresses; typeshed says str)
        target: Any = (address.encode(), port)
        sock = socket.create_connection(target, timeout=timeout)
    except OSError:  # refused, or no such loopback (no IPv6 here)
        return "none"
    with sock:
        if sock.getsockname() == sock.getpeername():
            return "none"  # a loopback connect to itself: nobody listens
        host = "localhost" if port == 80 else f"localhost:{port}"
        request = (
            f"POST {HELLO_PATH} HTTP/1.1\r\nHost: {host}\r\n{NONCE_HEADER}: {nonce}\r\n"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
        try:
            sock.sendall(request.encode())
            status, body = _answer(sock, timeout)
            answer = _json(body) if status == 200 else {}
        except TimeoutError:
            return "silent"
        except (OSError, ValueError):
            return "other"
    given = answer.get("proof") if isinstance(answer, dict) else None
    if isinstance(given, str) and hmac.compare_digest(given, proof(secret, nonce, address)):
        return "ours"
    return "other"


def squatter(port: int, secret: str, timeout: float = 2.0) -> str | None:
    """``None`` when our server (holding ``secret``) answers on every loopback address of
    ``port`` that accepts a connection, and on one at least; else what is wrong, in words."""
    ours = False
    for address in _addresses(port):
        verdict = hello(address, port, secret, timeout)
        if verdict == "other":
            return f"{shown_address(address, port)} is answered by another program"
        if verdict == "silent":
            return f"{shown_address(address, port)} accepts connections but does not answer"
        ours = ours or verdict == "ours"
    return None if ours else f"nothing answers on localhost:{port}"


def _host(scheme: str, hostname: str, port: int | None) -> str:
    """The ``Host`` a client of the endpoint sends and signs (botocore's rule)."""
    host = f"[{hostname}]" if ":" in hostname else hostname
    if port is not None and port != {"http": 80, "https": 443}.get(scheme):
        host = f"{host}:{port}"
    return host


def sigv4_headers(
    host: str, path: str, body: bytes, headers: dict[str, str], region: str, when: time.struct_time
) -> dict[str, str]:
    """``headers`` with ``Host``, ``X-Amz-Date`` and an AWS Signature Version 4
    ``Authorization`` for a ``POST`` of ``body`` to DynamoDB, signed with the dummy
    credentials ``local``/``local`` at ``when`` (UTC): what botocore's ``SigV4Auth`` adds, in
    a few lines instead of importing botocore (~60 ms) for one probe."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", when)
    signed = {k.lower(): " ".join(v.split()) for k, v in headers.items()}
    signed.update({"host": host, "x-amz-date": stamp})
    names = ";".join(sorted(signed))
    canonical = "\n".join(
        [
            "POST",
            path,
            "",
            *(f"{name}:{signed[name]}" for name in sorted(signed)),
            "",
            names,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    scope = f"{stamp[:8]}/{region}/dynamodb/aws4_request"
    to_sign = "\n".join(
        ["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = b"AWS4local"  # "AWS4" + the secret key
    for part in (stamp[:8], region, "dynamodb", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"AWS4-HMAC-SHA256 Credential=local/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return {**headers, "Host": host, "X-Amz-Date": stamp, "Authorization": authorization}


def list_tables(endpoint: str, region: str, timeout: float = 2.0) -> bool:
    """One signed ``ListTables``; ``True`` only for a DynamoDB answer with ``TableNames``.
    Straight to the endpoint (no proxy: a local DynamoDB is probed where it is): an ``http``
    one in a few lines on a socket (``_answer``; ``http.client`` and the ``ssl`` and ``email``
    it imports cost ``local start`` ~10 ms after the server is ready), ``https`` with
    ``http.client``."""
    from urllib.parse import urlsplit

    try:
        url = urlsplit(endpoint.rstrip("/") + "/")
        port = url.port
    except ValueError:
        return False
    if url.scheme not in ("http", "https") or not url.hostname:
        return False
    body = b'{"Limit": 1}'
    headers = {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810.ListTables",
    }
    # Dummy credentials: a local DynamoDB accepts any; this is a probe, not a client.
    headers = sigv4_headers(
        _host(url.scheme, url.hostname, port), url.path, body, headers, region, time.gmtime()
    )
    if url.scheme == "http":
        answer = _plain_post(url.hostname, port or 80, url.path, body, headers, timeout)
    else:
        answer = _https_post(url.hostname, port, url.path, body, headers, timeout)
    return isinstance(answer, dict) and isinstance(answer.get("TableNames"), list)


def _plain_post(
    host: str, port: int, path: str, body: bytes, headers: dict[str, str], timeout: float
) -> Any:
    """The JSON of a 200 answer to an HTTP/1.1 ``POST``, else ``None``."""
    import socket

    if any(c in value for value in (path, *headers.values()) for c in "\r\n"):
        return None
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = (
        f"POST {path} HTTP/1.1\r\n{head}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode("latin-1") + body
    try:
        # bytes: a str host is encoded with the idna codec, an import of its own
        target: Any = (host.encode(), port)
        with socket.create_connection(target, timeout=timeout) as sock:
            if sock.getsockname() == sock.getpeername():
                return None  # a loopback connect to itself: nobody listens
            sock.sendall(request)
            status, data = _answer(sock, timeout, limit=1 << 20)
        return _json(data) if status == 200 else None
    except (OSError, ValueError, UnicodeError):
        return None


def _https_post(
    host: str, port: int | None, path: str, body: bytes, headers: dict[str, str], timeout: float
) -> Any:
    import http.client

    connection = http.client.HTTPSConnection(host, port, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read(1 << 20)
        return _json(raw) if response.status == 200 else None
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait_ready(
    endpoint: str,
    region: str,
    timeout: float,
    *,
    alive: Callable[[], bool] = lambda: True,
    progress: Callable[[float], None] | None = None,
    interval: float = 0.02,
    ours: tuple[int, str] | None = None,
) -> bool:
    """Probe until ``ListTables`` answers, ``alive()`` turns false, or ``timeout`` passes.
    ``ours``: ``(port, secret)`` of our built-in server, which must prove itself first."""
    start = time.monotonic()
    deadline = start + timeout
    while True:
        left = min(2.0, max(0.1, deadline - time.monotonic()))
        if (ours is None or squatter(*ours, timeout=left) is None) and list_tables(
            endpoint, region, timeout=left
        ):
            return True
        if not alive() or time.monotonic() >= deadline:
            return False
        if progress is not None:
            progress(time.monotonic() - start)
        time.sleep(interval)
