"""``dynamodb_plugin.local.wire``: the built-in server's HTTP/1.1 layer, over real sockets with a
tiny WSGI app (keep-alive, pipelining, chunked bodies, 100-continue, limits, malformed
requests, timeouts), and its environ equal to what werkzeug's server (with moto's request
handler) builds from the same bytes."""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import select
import socket
import sys
import threading
import time
import types
from collections.abc import Iterator
from typing import Any

import pytest

from dynamodb_plugin.local import server, wire


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Answers the body it was sent (or, for /path, the PATH_INFO and QUERY_STRING)."""
    body = environ["wsgi.input"].read()
    if environ["PATH_INFO"] == "/path":
        body = f"{environ['PATH_INFO']}?{environ['QUERY_STRING']}".encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


@contextlib.contextmanager
def serving(app: Any = echo, **options: Any) -> Iterator[int]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    srv = wire.Server(sock, app, **options)
    thread = threading.Thread(target=srv.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield srv.server_address[1]
    finally:
        srv.shutdown()
        thread.join(5)
        assert not thread.is_alive()


def raw(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (fails on a timeout: the server must close)."""
    parts = []
    while True:
        data = sock.recv(65536)
        if not data:
            return b"".join(parts)
        parts.append(data)


def answers(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The answers in ``data`` (status, headers lower-cased, body by Content-Length)."""
    out = []
    while data:
        head, _, data = data.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {}
        for line in lines:
            name, _, value = line.partition(": ")
            assert name.lower() not in headers, f"{name} twice"
            headers[name.lower()] = value
        size = int(headers.get("content-length", "0"))
        out.append((int(status_line.split()[1]), headers, data[:size]))
        data = data[size:]
    return out


def test_keep_alive_many_requests_on_one_connection_whatever_the_app_read():
    def app(environ, start_response):
        # "/other" is a refusal that never reads the body
        body = environ["wsgi.input"].read() if environ["PATH_INFO"] == "/read" else b"unread"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    with serving(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/read", body=b"first")
        assert conn.getresponse().read() == b"first"
        sock = conn.sock
        for i in range(200):
            path = "/read" if i % 2 else "/other"
            conn.request("POST", path, body=b"x" * i)
            response = conn.getresponse()
            assert response.status == 200 and response.getheader("Connection") is None
            assert response.read() == (b"x" * i if i % 2 else b"unread")
        assert conn.sock is sock  # one connection for all of them
        conn.close()


def test_pipelined_requests_are_answered_in_order():
    with serving() as port, raw(port) as sock:
        requests = b"".join(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
            for body in (b"one", b"", b"three" * 1000)
        )
        sock.sendall(requests + b"GET /path?last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        got = answers(read_all(sock))
    assert [body for _, _, body in got] == [b"one", b"", b"three" * 1000, b"/path?last"]
    assert got[-1][1]["connection"] == "close" and "connection" not in got[0][1]


def test_chunked_bodies_are_decoded_and_the_connection_kept():
    seen = []

    def app(environ, start_response):
        seen.append((environ.get("wsgi.input_terminated"), environ.get("CONTENT_LENGTH")))
        return echo(environ, start_response)

    with serving(app) as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/", body=iter([b"ab", b"cd", b"e" * 70000]), encode_chunked=True)
        response = conn.getresponse()
        assert response.read() == b"abcd" + b"e" * 70000
        assert response.getheader("Connection") is None
        sock = conn.sock
        conn.request("POST", "/", body=b"after")
        assert conn.getresponse().read() == b"after" and conn.sock is sock
        conn.close()
        with raw(port) as s:  # extensions, upper-case hex, a trailer field; then one more
            s.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                b"3;name=value\r\nabc\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n"
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nConnection: close\r\n\r\nz"
            )
            got = answers(read_all(s))
        assert [(code, body) for code, _, body in got] == [(200, b"abc0123456789"), (200, b"z")]
    assert seen[0] == (True, None) and seen[1] == (None, "5")


def test_chunked_body_over_the_limit_is_413_and_closed():
    with serving(body_limit=1000) as port, raw(port) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        sock.sendall(b"200\r\n" + b"a" * 512 + b"\r\n" + b"200\r\n" + b"b" * 512 + b"\r\n")
        (code, headers, _), *rest = answers(read_all(sock))
    assert code == 413 and headers["connection"] == "close" and rest == []


def test_expect_100_continue_is_answered_before_the_body_is_read():
    with serving(body_limit=1000) as port:
        with raw(port) as sock:
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
            )
            assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(b"hello")
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close")
            sock.sendall(b"\r\n\r\nok")
            got = answers(read_all(sock))
        assert [(code, body) for code, _, body in got] == [(200, b"hello"), (200, b"ok")]
        with raw(port) as sock:  # too large: refused at once, no 100, nothing read
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n"
                b"Expect: 100-continue\r\n\r\n"
            )
            data = read_all(sock)
        assert data.startswith(b"HTTP/1.1 413 ") and b"100 Continue" not in data
        with raw(port) as sock:  # chunked with 100-continue
            sock.sendall(
                b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                b"Expect: 100-Continue\r\nConnection: close\r\n\r\n"
            )
            assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
            sock.sendall(b"2\r\nhi\r\n0\r\n\r\n")
            assert answers(read_all(sock))[0][2] == b"hi"


def test_http_1_0_closes_unless_asked_to_keep_alive():
    with serving() as port:
        with raw(port) as sock:
            sock.sendall(b"POST / HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc")
            ((code, headers, body),) = answers(read_all(sock))  # closed after one answer
        assert (code, headers["connection"], body) == (200, "close", b"abc")
        with raw(port) as sock:
            sock.sendall(b"GET /path?a HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n")
            first = sock.recv(65536)
            assert answers(first)[0][1]["connection"] == "keep-alive"
            sock.sendall(b"GET /path?b HTTP/1.0\r\n\r\n")
            second = answers(read_all(sock))
        assert [a[2] for a in answers(first) + second] == [b"/path?a", b"/path?b"]


@pytest.mark.parametrize(
    ("request_bytes", "code"),
    [
        (b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 101 + b"\r\n", 431),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 17825793\r\n\r\n", 413),
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET / HTTP/1.1 extra\r\n\r\n", 400),
        (b"GET  / HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n", 400),  # raw non-ASCII in the target
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),  # a blank before the colon
        (b"GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400),  # obsolete line folding
        (b"GET / HTTP/1.1\r\nX-A: b\rc\r\n\r\n", 400),  # a bare CR in a value
        (b"GET / HTTP/1.1\r\nX-A: b\x00c\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 5x\r\n\r\nhello", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n", 400),  # "²" is a digit to Python
        (b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
        (
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            400,
        ),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", 400),
    ],
)
def test_bad_requests_are_refused_and_the_connection_closed(request_bytes, code):
    calls = []

    def app(environ, start_response):
        calls.append(environ)
        return echo(environ, start_response)

    with serving(app) as port, raw(port) as sock:
        sock.sendall(request_bytes)
        data = read_all(sock)
    ((status, headers, _),) = answers(data)  # one answer, then closed
    assert (status, headers["connection"]) == (code, "close")
    assert calls == []  # the app never saw it


def test_a_client_that_goes_away_mid_request_ends_only_its_connection():
    with serving() as port:
        for cut in (
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab",  # mid-body
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
            b"POST / HTTP/1.1\r\nHost: x\r\nConte",  # mid-headers
        ):
            with raw(port) as sock:
                sock.sendall(cut)
                sock.shutdown(socket.SHUT_WR)
                assert sock.recv(100) == b""  # no answer, closed
        with raw(port) as sock:  # reset rather than closed
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab")
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/", body=b"still here")
        assert conn.getresponse().read() == b"still here"
        conn.close()


def test_idle_connections_and_slow_headers_time_out():
    with serving(idle_seconds=0.3, head_seconds=0.3) as port:
        with raw(port) as sock:
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na")
            assert answers(sock.recv(65536))[0][2] == b"a"
            started = time.monotonic()
            assert sock.recv(100) == b""  # closed by the server once idle
            assert 0.2 < time.monotonic() - started < 5
        with raw(port) as sock:  # one byte at a time, never finishing: 408 in head_seconds
            started = time.monotonic()
            for byte in b"GET / HTTP/1.1\r\nHost: x\r\n" * 10:
                if select.select([sock], [], [], 0.05)[0]:
                    break  # answered: stop sending
                sock.send(bytes([byte]))
            data = read_all(sock)
            assert data.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < 5
        with raw(port) as sock:  # a server that answers the next one
            sock.sendall(b"GET /path HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert answers(read_all(sock))[0][2] == b"/path?"


def test_an_app_that_raises_gets_a_500_and_the_server_goes_on(caplog):
    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/raise":
            raise RuntimeError("boom in the app")
        if path == "/late":  # raises while the answer is iterated, after start_response
            start_response("200 OK", [])

            def body():
                yield b"part"
                raise RuntimeError("boom in the body")

            return body()
        if path == "/inject":
            start_response("200 OK", [("X-A", "b\r\nSet-Cookie: injected=1")])
            return [b"x"]
        if path == "/status":
            start_response("200 OK\r\nX-Injected: 1", [])
            return [b"x"]
        if path == "/nostart":
            return [b"x"]
        return echo(environ, start_response)

    with serving(app) as port:
        for path in ("/raise", "/late", "/inject", "/status", "/nostart"):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            response = conn.getresponse()
            assert response.status == 500 and response.getheader("Connection") == "close"
            assert response.getheader("Set-Cookie") is None
            assert response.getheader("X-Injected") is None
            assert response.read() == b"Internal Server Error\n"
            conn.close()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/", body=b"next")
        assert conn.getresponse().read() == b"next"
        conn.close()
    errors = [r for r in caplog.records if r.name == "werkzeug" and r.levelno == logging.ERROR]
    assert len(errors) == 5 and all(r.getMessage().startswith("Error on request:") for r in errors)
    assert "boom in the app" in errors[0].getMessage()
    assert "boom in the body" in errors[1].getMessage()


def test_answers_framed_as_the_app_gave_them():
    """HEAD and 204 answers carry no body (the next answer on the connection is intact), a
    Content-Length the app got wrong is the body's, write() output comes first, Date and
    Server come once, and close() runs after the answer is out."""
    sent = threading.Event()
    closed_after_sent = []

    class Body:
        def __iter__(self):
            return iter([b"closing"])

        def close(self):
            closed_after_sent.append(sent.wait(5))

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/close":
            start_response("200 OK", [])
            return Body()
        if path == "/nobody":
            start_response("204 No Content", [])
            return [b"dropped"]
        if path == "/wrong":
            start_response("200 OK", [("Content-Length", "100"), ("Server", "mine")])
            return [b"short"]
        if path == "/write":
            write = start_response("200 OK", [("Date", "then")])
            write(b"written ")
            return [b"returned"]
        start_response("200 OK", [("Content-Length", "7")])
        return [b"ignored"]

    with serving(app) as port:
        with raw(port) as sock:
            for path in ("/head", "/nobody", "/wrong", "/write"):
                method = b"HEAD" if path == "/head" else b"GET"
                sock.sendall(method + b" " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.sendall(b"GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = read_all(sock)
        head, nobody, wrong, write, end = data.split(b"HTTP/1.1 ")[1:]
        assert head.startswith(b"200 OK\r\n") and head.endswith(b"Content-Length: 7\r\n\r\n")
        assert nobody.endswith(b"\r\n\r\n") and b"Content-Length" not in nobody
        assert answers(b"HTTP/1.1 " + wrong) == [
            (200, {"server": "mine", "date": wire.http_date(), "content-length": "5"}, b"short")
        ]
        assert wrong.count(b"Server") == 1 and write.count(b"Date") == 1
        assert answers(b"HTTP/1.1 " + write)[0][1:] == (
            {"date": "then", "server": wire.SOFTWARE, "content-length": "16"},
            b"written returned",
        )
        assert end.endswith(b"ignored")
        with raw(port) as sock:
            sock.sendall(b"GET /close HTTP/1.1\r\nHost: x\r\n\r\n")
            assert sock.recv(65536).endswith(b"closing")
            sent.set()
            sock.sendall(b"GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            read_all(sock)
    assert closed_after_sent == [True]


def test_request_lines_are_logged_only_when_asked(caplog):
    with serving() as port:
        for level in (logging.WARNING, logging.INFO):
            caplog.set_level(level, logger="werkzeug")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/path?q=1")
            conn.getresponse().read()
            conn.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert len(lines) == 1
    assert lines[0].startswith("127.0.0.1 - - [") and lines[0].endswith(
        '] "GET /path?q=1 HTTP/1.1" 200 -'
    )


def test_shutdown_stops_accepting():
    with serving() as port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/", body=b"up")
        assert conn.getresponse().read() == b"up"
        conn.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5)


def test_listen_serves_both_loopback_families_of_one_port():
    names = []

    def app(environ, start_response):
        names.append((environ["SERVER_NAME"], environ["REMOTE_ADDR"], environ["SERVER_PORT"]))
        return echo(environ, start_response)

    servers, note = server.listen(0, app)
    port = servers[0].server_address[1]
    for s in servers:
        threading.Thread(target=s.serve_forever, args=(0.05,), daemon=True).start()
    try:
        hosts = ["127.0.0.1"] + (["::1"] if len(servers) == 2 else [])
        for host in hosts:
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("POST", "/", body=host.encode())
            assert conn.getresponse().read() == host.encode()
            conn.close()
    finally:
        for s in servers:
            s.shutdown()
    assert names == [(host, host, str(port)) for host in hosts]
    assert len(servers) == 2 or "127.0.0.1 only" in note


# --- the environ, against werkzeug's own make_environ on the same bytes ---


def werkzeug_environ(data: bytes, server_address: tuple[str, int], client: tuple[str, int]):
    """What werkzeug's server, with moto's request handler (the one the built-in server used
    before), makes of ``data``; and the body it would read."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    handler = MotoRequestHandler.__new__(MotoRequestHandler)
    handler.rfile = io.BytesIO(data)
    handler.wfile = io.BytesIO()
    handler.client_address = client
    handler.connection = None
    handler.server = types.SimpleNamespace(
        server_address=server_address,
        ssl_context=None,
        multithread=True,
        multiprocess=False,
        _server_version="Werkzeug",
    )
    handler.close_connection = True
    handler.raw_requestline = handler.rfile.readline(65537)
    assert handler.parse_request()
    environ = handler.make_environ()
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    body = stream.read() if environ.get("wsgi.input_terminated") else stream.read(int(length or 0))
    return environ, body


REQUESTS = [
    (
        b"POST / HTTP/1.1\r\nHost: localhost:8000\r\nAccept-Encoding: identity\r\n"
        b"X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
        b"Content-Type: application/x-amz-json-1.0\r\nUser-Agent: Boto3/1.35 md/Botocore#1.35\r\n"
        b"X-Amz-Date: 20261203T140000Z\r\n"
        b"Authorization: AWS4-HMAC-SHA256 Credential=local/20261203/local/dynamodb/aws4_request,"
        b" SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=abc\r\n"
        b"amz-sdk-invocation-id: 1b2c\r\namz-sdk-request: attempt=1\r\n"
        b"Content-Length: 46\r\n\r\n"
        b'{"TableName": "t", "Key": {"pk": {"S": "a"}}}\n'
    ),
    b"GET /path%20with%2Fescapes/caf%C3%A9?a=1&b=%20x&c HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET //double//slash?q HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://example.test:81/abs?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    (
        b"PUT /bucket/key HTTP/1.1\r\nHost: x\r\nX-Same: one\r\nx-same: two\r\n"
        b"X-Spaces:   padded \t \r\nX-Empty:\r\nX-Latin: caf\xe9\r\n"
        b"x-amz-meta-my_key: kept\r\nX_Other: dropped\r\nx-amz-meta-a_b: one\r\n"
        b"X-Amz-Meta-A-B: dashed wins\r\nContent-Type: a\r\nContent-Type: b\r\n"
        b"Content-Length: 3\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc"
    ),
    (
        b"POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4\r\nwiki\r\n5\r\npedia\r\n0\r\n\r\n"
    ),
    b"DELETE /x HTTP/1.0\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    b"\r\nGET /lf-only?y HTTP/1.1\nHost: x\nX-A: b\n\n",
]


@pytest.mark.parametrize("data", REQUESTS, ids=range(len(REQUESTS)))
def test_the_environ_is_werkzeugs(data):
    seen = []

    def app(environ, start_response):
        seen.append({**environ, "body": environ["wsgi.input"].read()})
        start_response("200 OK", [])
        return []

    with serving(app) as port, raw(port) as sock:
        client = sock.getsockname()[:2]
        sock.sendall(data)
        assert answers(sock.recv(65536))[0][0] == 200
    (ours,) = seen
    theirs, body = werkzeug_environ(data.lstrip(b"\r\n"), ("127.0.0.1", port), client)
    assert ours.pop("body") == body
    for environ in (ours, theirs):
        for key in ("wsgi.input", "werkzeug.socket", "SERVER_SOFTWARE"):
            del environ[key]
    if "HTTP_X_SPACES" in theirs:  # RFC 9110 5.5: blanks around a value are not part of it
        assert theirs["HTTP_X_SPACES"] == "padded \t " and ours["HTTP_X_SPACES"] == "padded"
        theirs["HTTP_X_SPACES"] = "padded"
    assert ours == theirs
    assert theirs["wsgi.errors"] is sys.stderr


def test_path_info_is_the_percent_decoded_bytes_as_latin_1():
    """PEP 3333 (werkzeug would answer U+FFFD, UTF-8-encoded, for bytes that are not UTF-8)."""
    with serving() as port, raw(port) as sock:
        sock.sendall(b"GET /path HTTP/1.1\r\nHost: x\r\n\r\n")
        assert answers(sock.recv(65536))[0][2] == b"/path?"
    seen = []

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return []

    with serving(app) as port, raw(port) as sock:
        sock.sendall(b"GET /%FF%C3%A9%2F HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        read_all(sock)
    assert seen == ["/\xff\xc3\xa9/"]
