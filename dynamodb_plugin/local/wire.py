"""The built-in local DynamoDB's HTTP/1.1 server: a WSGI app on a listening socket, lean.

http.server's request handler parsed every request's headers with ``email.parser`` (a third of
a GetItem's server time), then werkzeug built the environ from them and http.server formatted
the answer header by header. Here a request is read by hand from the socket, the environ is
built as werkzeug's (and moto's ``MotoRequestHandler``) would be for the same bytes, and the
answer leaves in one send.

- A thread per connection; connections kept alive (HTTP/1.1 unless ``Connection: close``;
  HTTP/1.0 only when it asks ``keep-alive``), pipelined requests answered in order, a connection
  idle for ``idle_seconds`` closed.
- At most ``max_connections`` (``MAX_CONNECTIONS``, 256) connections at once, shared by the
  servers given one ``Slots`` (``listen`` gives 127.0.0.1 and ::1 one): a local process opening
  thousands had a thread and its buffers each, until threads or memory ran out. When all are
  taken and another connection waits, the connection idle longest (between requests, waiting
  for the client's next one) is closed to make room, as HTTP servers close idle keep-alive
  connections (a client opens a new one, as it does after ``idle_seconds``); when none is idle,
  new connections wait in the listen backlog, unaccepted, until one ends (a busy one ends within
  ``head_seconds`` or its body's deadline at most). The cost per request: a dict entry set and
  removed.
- Limits, each answered and the connection closed: a request line and headers over
  ``HEAD_LIMIT`` bytes → 414/431, more than ``HEADER_COUNT`` headers → 431, a head not complete
  within ``head_seconds`` of its first byte → 408, a body not here within ``head_seconds`` plus
  its length at ``BODY_RATE`` (a chunked one: the limit's) → 408, a body over ``body_limit``
  (``Content-Length`` or ``Transfer-Encoding: chunked``, decoded here) → 413, anything
  malformed (request line, a header line, obsolete line folding, a length that is not a number,
  two different lengths, a length and chunked at once) → 400, another transfer coding → 501,
  HTTP/2+ → 505. Nothing is buffered beyond what the client sent and those limits allow.
- ``Expect: 100-continue`` is answered ``100 Continue`` before the body is read (not when the
  body is refused or already here).
- The body is read whole before the app runs (``wsgi.input`` is a ``BytesIO`` of it), so the
  next request is found whatever the app read.
- The answer: status line, the app's headers (CR/LF in any of it → 500, never a second header
  or answer), ``Date`` and ``Server`` unless the app gave them, the ``Content-Length`` of the body
  actually sent, ``Connection: close`` when closing; one send, Nagle off. HEAD, 1xx, 204 and
  304 answers have no body. An app that raises gets a 500 with ``Connection: close``, and the
  traceback goes to the ``werkzeug`` logger as werkzeug's server logged it; a request line is
  logged there only when that logger is at INFO.

Differences from werkzeug's environ, on purpose: ``PATH_INFO`` is percent-decoded to bytes and
read as latin-1 (PEP 3333; werkzeug decodes as UTF-8 and replaces invalid sequences with U+FFFD,
so only ``%80``-``%FF`` sequences that are not UTF-8 differ); a request target that is not
printable ASCII is refused (RFC 3986; werkzeug double-encodes it); blanks after a header value
are not part of it (RFC 9110 5.5; ``email.parser`` kept them); ``SERVER_SOFTWARE``.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import selectors
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_to_bytes, urlsplit

# A request body read whole before the app runs (DynamoDB's largest request is 16 MB).
BODY_LIMIT = 17 * 1024 * 1024
IDLE_SECONDS = 120.0  # a kept-alive connection nobody uses is closed after this long
HEAD_SECONDS = 30.0  # from a request's first byte to the end of its headers
BODY_RATE = 64 * 1024  # bytes a second a body arrives at, at least, after head_seconds
HEAD_LIMIT = 64 * 1024  # request line and headers
HEADER_COUNT = 100
MAX_CONNECTIONS = 256  # at once (each has a thread); more wait in the listen backlog
SOFTWARE = "getdotenv-local"
_RECV = 64 * 1024

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_REQUEST_LINE = re.compile(rf"({_TOKEN}) ([!-~]+) HTTP/(\d)\.(\d)\r?\n")
# One header line: a token, a colon, the value without the blanks around it (HTAB, SP, visible
# characters and obs-text; no other control character, so no CR). A line starting with a blank
# (obsolete folding) does not match, nor a blank before the colon. (Greedy, backing off only
# over trailing blanks: a lazy value, trying the line's end at each character, was 25 µs of a
# boto3 request's 600 bytes; this is 5.)
_FIELD = re.compile(
    rf"^({_TOKEN}):[ \t]*((?:[^\x00-\x08\x0a-\x1f\x7f]*[^\x00-\x20\x7f])?)[ \t]*\r?\n", re.M
)
_CHUNK_SIZE = re.compile(r"([0-9A-Fa-f]{1,8})[ \t]*(?:;[^\r\n]*)?\r?\n")
_NO_BODY = frozenset({"204", "304"})
_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    505: "HTTP Version Not Supported",
}
_MONTHS = (
    "",
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# The environ key of a header name (``X-Amz-Target`` → ``HTTP_X_AMZ_TARGET``), kept for the
# names clients send (bounded: the names are the client's to choose).
_KEYS: dict[str, str] = {}
_log = logging.getLogger("werkzeug")  # where werkzeug's server logged, and moto's setup expects


class _Refused(Exception):
    """A request answered with an error status, then the connection is closed."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code


class _Gone(Exception):
    """The client went away or fell silent: close without an answer."""


def _header_key(name: str) -> str:
    key = name.upper().replace("-", "_")
    if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        key = "HTTP_" + key
    if len(_KEYS) < 512:
        _KEYS[name] = key
    return key


_date: tuple[int, str] = (0, "")


def http_date() -> str:
    """Now as an HTTP date (RFC 9110), formatted once a second."""
    global _date
    now = int(time.time())
    if _date[0] != now:
        t = time.gmtime(now)
        text = (
            f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon]} {t.tm_year} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
        )
        _date = (now, text)
    return _date[1]


class Slots:
    """At most ``limit`` connections at once, for the servers that share this object; which of
    them are idle (waiting for a request), so the longest idle can make room."""

    def __init__(self, limit: int = MAX_CONNECTIONS) -> None:
        self.limit = limit
        self.active = 0
        self.idle: dict[socket.socket, float] = {}  # set and popped without the lock (atomic)
        self._changed = threading.Condition()

    def take(self, wait: float) -> bool:
        """A slot for one more connection, waiting at most ``wait`` seconds; when all are taken,
        the connection idle longest is closed first (its slot comes back when its thread ends)."""
        with self._changed:
            if self.active < self.limit:
                self.active += 1
                return True
            idle = list(self.idle.items())  # one C call under the GIL: a consistent copy
            if idle:
                conn = min(idle, key=lambda pair: pair[1])[0]
                self.idle.pop(conn, None)
                with contextlib.suppress(OSError):  # its recv returns b"": the thread ends
                    conn.shutdown(socket.SHUT_RDWR)
            self._changed.wait(wait)
            if self.active < self.limit:
                self.active += 1
                return True
            return False

    def give(self) -> None:
        with self._changed:
            self.active -= 1
            self._changed.notify()


class Server:
    """``app`` served on the listening socket ``sock`` (which it owns from here on).

    ``serve_forever(poll_interval)`` accepts until ``shutdown()``; each connection is served by
    its own daemon thread. The interface is socketserver's that ``_serve`` and the tests use:
    ``server_address``, ``serve_forever``, ``shutdown``, ``server_close``."""

    def __init__(
        self,
        sock: socket.socket,
        app: Callable[..., Any],
        *,
        idle_seconds: float = IDLE_SECONDS,
        head_seconds: float = HEAD_SECONDS,
        body_limit: int = BODY_LIMIT,
        slots: Slots | None = None,
    ) -> None:
        self.socket = sock
        self.app = app
        self.slots = Slots() if slots is None else slots
        self.idle_seconds = idle_seconds
        self.head_seconds = head_seconds
        self.body_limit = body_limit
        host, port = sock.getsockname()[:2]
        self.server_address = (str(host), int(port))
        self.environ: dict[str, Any] = {
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "SERVER_SOFTWARE": SOFTWARE,
            "SCRIPT_NAME": "",
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
        }
        self._stopping = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Accept connections until ``shutdown()``, then close the listening socket."""
        self._stopped.clear()
        try:
            self.socket.setblocking(False)
            with selectors.DefaultSelector() as selector:
                selector.register(self.socket, selectors.EVENT_READ)
                while not self._stopping.is_set():
                    if (
                        selector.select(poll_interval)
                        and not self._stopping.is_set()
                        and self.slots.take(poll_interval)  # else: it waits in the backlog
                    ):
                        self._accept(poll_interval)
        finally:
            self.server_close()
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop accepting and wait for ``serve_forever`` to end (connections being served finish
        their request; the process ending ends them)."""
        self._stopping.set()
        self._stopped.wait()

    def server_close(self) -> None:
        self.socket.close()

    def _accept(self, poll_interval: float) -> None:
        """Accept one connection, holding the slot ``serve_forever`` took for it."""
        try:
            conn, peer = self.socket.accept()
        except (BlockingIOError, InterruptedError):
            self.slots.give()
            return
        except OSError as exc:  # out of file descriptors, ...: keep serving the others
            self.slots.give()
            _log.error("cannot accept a connection: %s", exc)
            time.sleep(min(poll_interval, 0.1))
            return
        try:
            threading.Thread(target=self._connection, args=(conn, peer), daemon=True).start()
        except RuntimeError as exc:  # no more threads
            self.slots.give()
            _log.error("cannot serve a connection: %s", exc)
            conn.close()

    def _connection(self, conn: socket.socket, peer: Any) -> None:
        try:
            _Connection(self, conn, peer).serve()
        except Exception:  # a bug of ours: the connection ends, the server goes on
            _log.error("Error on connection:\n%s", traceback.format_exc())
        finally:
            self.slots.idle.pop(conn, None)
            conn.close()
            self.slots.give()


class _Connection:
    def __init__(self, server: Server, conn: socket.socket, peer: Any) -> None:
        self.server = server
        self.conn = conn
        self.app = server.app
        self.buf = b""
        self.deadline = 0.0  # while a body is read: when it must be complete
        self.environ = dict(server.environ)
        self.environ["REMOTE_ADDR"] = str(peer[0])
        self.environ["REMOTE_PORT"] = int(peer[1])
        self.environ["werkzeug.socket"] = conn
        self.peer = str(peer[0])

    def serve(self) -> None:
        conn = self.conn
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(self.server.idle_seconds)
        except OSError:
            return
        try:
            while self.one():
                pass
        except _Refused as refused:
            self.refuse(refused.code, str(refused))
        except (_Gone, OSError):  # the client went away, reset, or timed out while idle
            pass

    def refuse(self, code: int, reason: str) -> None:
        body = f"{code} {_REASONS[code]}: {reason}\n".encode()
        head = (
            f"HTTP/1.1 {code} {_REASONS[code]}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\nDate: {http_date()}\r\n"
            f"Server: {SOFTWARE}\r\n\r\n"
        ).encode("latin-1")
        try:
            self.conn.settimeout(1.0)  # a client that reads nothing cannot hold this
            self.conn.sendall(head + body)
            # Closing with unread data makes the kernel send a reset, which can cost the client
            # the answer: read (and drop) what it still sends, for a moment, a bounded amount.
            self.conn.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + 1.0
            drained = 0
            while drained < BODY_LIMIT and time.monotonic() < deadline:
                data = self.conn.recv(_RECV)
                if not data:
                    break
                drained += len(data)
        except OSError:
            pass

    # --- reading ---------------------------------------------------------------------------

    def recv(self, size: int = _RECV) -> bytes:
        deadline = self.deadline
        if deadline:  # reading a body: all of it by then
            left = deadline - time.monotonic()
            if left <= 0:
                raise _Refused(408, "request body not complete in time")
            self.conn.settimeout(min(left, self.server.idle_seconds))
        try:
            data = self.conn.recv(size)
        except TimeoutError:
            if deadline and time.monotonic() >= deadline:
                raise _Refused(408, "request body not complete in time") from None
            raise _Gone from None
        if not data:
            raise _Gone
        return data

    def head(self) -> bytes | None:
        """The next request's line and headers (through the blank line), or ``None`` when the
        client closed or fell silent between requests."""
        buf = self.buf
        deadline = 0.0
        timed = False
        idle = self.server.slots.idle
        if not buf:  # waiting for the client: the first to make room when all slots are taken
            idle[self.conn] = time.monotonic()
        try:
            while True:
                if buf[:1] in (b"\r", b"\n"):  # empty lines before a request are ignored
                    buf = buf.lstrip(b"\r\n")
                if buf:
                    end = _head_end(buf)
                    if end:
                        self.buf = buf[end:]
                        return buf[:end]
                    if len(buf) > HEAD_LIMIT:
                        if buf.find(b"\n", 0, HEAD_LIMIT) < 0:
                            raise _Refused(414, "request line too long")
                        raise _Refused(431, "request headers too large")
                if deadline:  # part of a request is here: the rest within head_seconds
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise _Refused(408, "request headers not complete in time")
                    self.conn.settimeout(left)
                    timed = True
                try:
                    data = self.conn.recv(_RECV)
                except TimeoutError:
                    if deadline:
                        raise _Refused(408, "request headers not complete in time") from None
                    return None  # idle too long between requests
                if not data:
                    return None  # closed, between requests or in the middle of one
                if not deadline:
                    idle.pop(self.conn, None)
                    deadline = time.monotonic() + self.server.head_seconds
                buf += data
        finally:
            if timed:
                self.conn.settimeout(self.server.idle_seconds)

    def exactly(self, size: int) -> bytes:
        buf = self.buf
        if len(buf) >= size:
            self.buf = buf[size:]
            return buf[:size]
        parts = [buf]
        missing = size - len(buf)
        self.buf = b""
        while missing:
            data = self.recv(min(missing, 1024 * 1024))
            parts.append(data)
            missing -= len(data)
        return b"".join(parts)

    def chunked(self) -> bytes:
        """A ``Transfer-Encoding: chunked`` body, decoded (its trailer fields dropped). Read
        through an offset into what was received (slicing the rest off at each line made a
        body of tiny chunks quadratic: minutes of CPU), into one ``bytearray`` (a list of
        one-byte parts held 50 bytes per body byte: a 17 MB body, gigabytes)."""
        body = bytearray()
        limit = self.server.body_limit
        buf, pos = self.buf, 0

        def line(longest: int) -> bytes:
            nonlocal buf, pos
            while True:
                end = buf.find(b"\n", pos, pos + longest)
                if end >= 0:
                    found, pos = buf[pos : end + 1], end + 1
                    return found
                if len(buf) - pos >= longest:
                    raise _Refused(400, "chunked body: line too long")
                buf, pos = buf[pos:] + self.recv(), 0

        while True:
            found = _CHUNK_SIZE.fullmatch(line(4096).decode("latin-1"))
            if found is None:
                raise _Refused(400, "chunked body: malformed chunk size")
            size = int(found.group(1), 16)
            if size == 0:
                break
            if len(body) + size > limit:
                raise _Refused(413, f"request body over {limit} bytes")
            here = len(buf) - pos
            if here >= size:
                body += memoryview(buf)[pos : pos + size]
                pos += size
            else:
                body += memoryview(buf)[pos:]
                buf, pos = b"", 0
                missing = size - here
                while missing:
                    data = self.recv(min(missing, 1024 * 1024))
                    body += data
                    missing -= len(data)
            if line(3) not in (b"\r\n", b"\n"):
                raise _Refused(400, "chunked body: chunk longer than its size")
        trailer = 0
        while line(HEAD_LIMIT) not in (b"\r\n", b"\n"):
            trailer += 1
            if trailer > HEADER_COUNT:
                raise _Refused(431, "too many trailer fields")
        self.buf = buf[pos:]
        return bytes(body)

    # --- one request -----------------------------------------------------------------------

    def one(self) -> bool:
        """Serve the next request; whether the connection stays open."""
        head = self.head()
        if head is None:
            return False
        text = head.decode("latin-1")
        found = _REQUEST_LINE.match(text)
        if found is None:
            raise _Refused(400, "malformed request line")
        method, target, major, minor = found.groups()
        if major != "1":
            raise _Refused(505, "HTTP/1.x only")
        version = f"HTTP/1.{minor}"
        block = text[found.end() : -2 if text.endswith("\r\n") else -1]
        lines = block.count("\n")
        if lines > HEADER_COUNT:
            raise _Refused(431, f"more than {HEADER_COUNT} headers")
        fields = _FIELD.findall(block)
        if len(fields) != lines:
            raise _Refused(400, "malformed header line")

        environ = self.environ.copy()
        environ["REQUEST_METHOD"] = method
        environ["SERVER_PROTOCOL"] = version
        if target[:2] == "//":  # as http.server reduces it (an open redirect otherwise)
            target = "/" + target.lstrip("/")
        environ["REQUEST_URI"] = environ["RAW_URI"] = target
        host = None
        if target == "/":
            environ["PATH_INFO"], environ["QUERY_STRING"] = "/", ""
        else:
            environ["PATH_INFO"], environ["QUERY_STRING"], host = _split_target(target)
        underscored = None
        keys = _KEYS
        for name, value in fields:
            if "_" in name:  # werkzeug drops these: X_Foo would pass for X-Foo
                if underscored is None:
                    underscored = []
                underscored.append((name, value))
                continue
            key = keys.get(name) or _header_key(name)
            if key in environ:
                if key == "CONTENT_LENGTH":
                    if environ[key] != value:
                        raise _Refused(400, "two different Content-Length values")
                elif key != "CONTENT_TYPE":
                    value = f"{environ[key]},{value}"
            environ[key] = value
        environ["moto.preserved_header_names"] = (
            _preserve(environ, underscored) if underscored else {}
        )
        if host is not None:  # an absolute URL names the host (RFC 9112 3.2.2)
            environ["HTTP_HOST"] = host

        connection = environ.get("HTTP_CONNECTION")
        tokens = {t.strip().lower() for t in connection.split(",")} if connection else ()
        keep = "close" not in tokens if minor != "0" else "keep-alive" in tokens
        try:
            body = self.body(environ, minor != "0")
        finally:
            if self.deadline:
                self.deadline = 0.0
                self.conn.settimeout(self.server.idle_seconds)
        environ["wsgi.input"] = io.BytesIO(body)
        return self.answer(environ, method, target, version, keep)

    def body(self, environ: dict[str, Any], continues: bool) -> bytes:
        coding = environ.get("HTTP_TRANSFER_ENCODING")
        length = environ.get("CONTENT_LENGTH")
        if coding is not None:
            if length is not None:
                raise _Refused(400, "both Content-Length and Transfer-Encoding")
            if coding.strip().lower() != "chunked":
                raise _Refused(501, f"Transfer-Encoding {coding!r}: only chunked is understood")
            environ["wsgi.input_terminated"] = True
            if continues and not self.buf and _expects(environ):
                self.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.deadline = self._body_deadline(self.server.body_limit)
            return self.chunked()
        if length is None or length == "0":
            return b""
        if not (length.isdecimal() and length.isascii() and len(length) <= 12):
            raise _Refused(400, f"Content-Length {length!r} is not a length")
        size = int(length)
        if size > self.server.body_limit:
            raise _Refused(413, f"request body over {self.server.body_limit} bytes")
        if continues and len(self.buf) < size and _expects(environ):
            self.conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        if len(self.buf) < size:
            self.deadline = self._body_deadline(size)
        return self.exactly(size)

    def _body_deadline(self, size: int) -> float:
        """When a body of (at most) ``size`` bytes must be here: ``head_seconds`` and then
        ``BODY_RATE`` bytes a second (a client dribbling a byte a minute held a thread and its
        buffer for as long as it liked)."""
        return time.monotonic() + self.server.head_seconds + size / BODY_RATE

    def answer(
        self, environ: dict[str, Any], method: str, target: str, version: str, keep: bool
    ) -> bool:
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            if started and exc_info is None:
                raise AssertionError("start_response called twice without exc_info")
            started[:] = (status, headers)
            return written.append  # nothing is sent before the app is done

        result: Any = None
        try:
            result = self.app(environ, start_response)
            data = b"".join(result)
            if written:
                data = b"".join(written) + data
            head, keep, bodied = _head(started, data, method, keep, minor=version[-1])
            if not bodied:
                data = b""
        except Exception:
            _log.error("Error on request:\n%s", traceback.format_exc())
            data = b"Internal Server Error\n"
            head = (
                "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n"
                f"Content-Length: {len(data)}\r\nConnection: close\r\nDate: {http_date()}\r\n"
                f"Server: {SOFTWARE}\r\n\r\n"
            ).encode("latin-1")
            keep = False
            started[:] = ("500", [])
        if _log.isEnabledFor(logging.INFO):  # before the send, as werkzeug's
            self.log_request(method, target, version, str(started[0])[:3])
        try:
            if not data:
                self.conn.sendall(head)
            elif len(data) <= _RECV:
                self.conn.sendall(head + data)
            else:
                sent = self.conn.sendmsg([head, data])
                if sent < len(head):
                    self.conn.sendall(head[sent:])
                    sent = len(head)
                self.conn.sendall(memoryview(data)[sent - len(head) :])
        finally:
            close = getattr(result, "close", None)
            if close is not None:  # after the send: the stop request's answer is out first
                try:
                    close()
                except Exception:
                    _log.error("Error on request:\n%s", traceback.format_exc())
        return keep

    def log_request(self, method: str, target: str, version: str, code: str) -> None:
        """werkzeug's request log line:
        ``127.0.0.1 - - [03/Dec/2026 14:00:00] "POST / HTTP/1.1" 200 -``."""
        t = time.localtime()
        when = (
            f"{t.tm_mday:02d}/{_MONTHS[t.tm_mon]}/{t.tm_year:04d} "
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}"
        )
        line = f"{method} {target} {version}"
        _log.info('%s - - [%s] "%s" %s -', self.peer.replace("%", "%%"), when, line, code)


def _head_end(buf: bytes) -> int:
    """Where the head ends (after its blank line, CRLF or LF alone), or 0 if not yet here."""
    crlf = buf.find(b"\n\r\n", 0, HEAD_LIMIT + 3)
    lf = buf.find(b"\n\n", 0, HEAD_LIMIT + 2 if crlf < 0 else crlf)
    if lf >= 0:
        return lf + 2
    return crlf + 3 if crlf >= 0 else 0


def _split_target(target: str) -> tuple[str, str, str | None]:
    """PATH_INFO, QUERY_STRING and the host of an absolute URL, as werkzeug splits them."""
    url = urlsplit(target)  # no "//" netloc without a scheme: the target starts with one "/"
    path_info = unquote_to_bytes(url.path).decode("latin-1")
    return path_info, url.query, url.netloc if url.scheme and url.netloc else None


def _preserve(environ: dict[str, Any], underscored: list[tuple[str, str]]) -> dict[str, str]:
    """moto's ``MotoRequestHandler``: an ``x-amz-meta-`` header with an underscore is kept
    (S3 metadata keys may have them) under its own spelling, unless a dashed header has the same
    environ key; every other underscored header is dropped, as werkzeug drops them."""
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for name, value in underscored:
        if not name.lower().startswith("x-amz-meta-"):
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        if key in environ:  # a dashed header's: never stood in for
            continue
        names.setdefault(key, name)
        values.setdefault(key, []).append(value)
    for key, joined in values.items():
        environ[key] = ",".join(joined)
    return names


def _expects(environ: dict[str, Any]) -> bool:
    expect = environ.get("HTTP_EXPECT")
    return expect is not None and expect.strip().lower() == "100-continue"


def _head(
    started: list[Any], data: bytes, method: str, keep: bool, *, minor: str
) -> tuple[bytes, bool, bool]:
    """The status line and headers of the app's answer, whether the connection stays, and
    whether the answer has a body."""
    if not started:
        raise RuntimeError("the app returned without calling start_response")
    status, headers = started
    code = status[:3]
    if not (code.isdecimal() and code.isascii() and status[3:4] in ("", " ")):
        raise ValueError(f"status {status!r} is not an HTTP status")
    lines = [f"HTTP/1.1 {status}\r\n"]
    given_length = None
    date = server = False
    for name, value in headers:
        low = name.lower()
        if low == "content-length":
            given_length = value
            continue
        if low == "date":
            date = True
        elif low == "server":
            server = True
        elif low == "connection":  # hop by hop: the server's to say
            if "close" in value.lower():
                keep = False
            continue
        lines.append(f"{name}: {value}\r\n")
    if not date:
        lines.append(f"Date: {http_date()}\r\n")
    if not server:
        lines.append(f"Server: {SOFTWARE}\r\n")
    bodied = False
    if code in _NO_BODY or code[0] == "1":
        pass  # no body, and no length (RFC 9110 8.6)
    elif method == "HEAD":
        if given_length is not None:
            lines.append(f"Content-Length: {given_length}\r\n")
    else:
        lines.append(f"Content-Length: {len(data)}\r\n")  # what is sent, whatever was said
        bodied = True
    if not keep:
        lines.append("Connection: close\r\n")
    elif minor == "0":
        lines.append("Connection: keep-alive\r\n")
    lines.append("\r\n")
    text = "".join(lines)
    if text.count("\n") != len(lines) or text.count("\r") != len(lines):
        raise ValueError("CR or LF in the app's status or headers")
    return text.encode("latin-1"), keep, bodied
