"""A misbehaving GREEN-API on 127.0.0.1, written on raw sockets.

pytest-httpserver (werkzeug) only ever sends well-formed HTTP. The hostile
tests need the bytes a broken or malicious server sends: a body that trickles
in one byte a second, a body that never ends, a gzip bomb, a header line
without a colon, a redirect to another origin, control characters in a header.
Each test says what the server does with ``play(scenario, ...)``:

    with HostileServer() as server:
        server.play(trickle(b"[]", interval=1.0))
        client_for(server.url).get_contacts()
        server.requests  # every request: path, query, headers, monotonic time

Requests take the scenarios in order; the last one answers every further
request. The server listens on the loopback interface only, answers every
request with ``Connection: close``, and stops itself after ``lifetime`` seconds
(and when the ``with`` block ends), so an endless scenario cannot outlive its
test.
"""

from __future__ import annotations

import functools
import gzip
import json
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

LOOPBACK = "127.0.0.1"
MAX_REQUEST_HEAD = 64 * 1024


@dataclass(frozen=True)
class Seen:
    """One request as the server received it."""

    method: str
    target: str  # as on the request line: path and query
    headers: dict[str, str]  # names in lower case
    at: float  # time.monotonic() when the request head was complete

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)


@dataclass
class Exchange:
    """One request being answered: what a scenario writes its bytes through."""

    request: Seen
    server: HostileServer
    connection: socket.socket
    sent: int = field(default=0)

    @property
    def stopping(self) -> bool:
        return self.server.stopping.is_set()

    def send(self, data: bytes) -> bool:
        """Send ``data``; False when the client has gone or the server is stopping."""
        if self.stopping:
            return False
        try:
            self.connection.sendall(data)
        except OSError:
            return False
        self.sent += len(data)
        return True

    def pause(self, seconds: float) -> bool:
        """Wait ``seconds``; False when the server is stopping meanwhile."""
        return not self.server.stopping.wait(seconds)


Scenario = Callable[[Exchange], None]


class HostileServer:
    """A raw HTTP/1.1 server on 127.0.0.1 that answers as the scenarios say."""

    def __init__(self, *scenarios: Scenario, lifetime: float = 60.0) -> None:
        self.lifetime = lifetime
        self.stopping = threading.Event()
        self._script: list[Scenario] = list(scenarios) or [respond(b"[]")]
        self._first_word: Scenario | None = None
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._server = _TCPServer((LOOPBACK, 0), _handler_for(self))
        host, port = self._server.server_address[:2]
        assert host == LOOPBACK, "the hostile server listens on the loopback only"
        self.port: int = port
        self.url = f"http://{LOOPBACK}:{port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True

    # --- control ---------------------------------------------------------------------

    def play(self, *scenarios: Scenario) -> None:
        """Answer the next requests with ``scenarios`` in order, the last one for ever."""
        assert scenarios, "at least one scenario"
        with self._lock:
            self._script = list(scenarios)

    def speak_first(self, scenario: Scenario) -> None:
        """Play ``scenario`` on every connection the moment it opens, before any
        request arrives -- as a TLS server does with its half of the handshake.
        Such connections are not counted as requests."""
        with self._lock:
            self._first_word = scenario

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def path_for(self, method: str, id_instance: str, token: str) -> str:
        return f"/waInstance{id_instance}/{method}/{token}"

    # --- life cycle ------------------------------------------------------------------

    def start(self) -> HostileServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and cut every open connection (idempotent)."""
        if self.stopping.is_set():
            return
        self.stopping.set()
        self._timer.cancel()
        with self._lock:
            connections = list(self._open)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> HostileServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
        self._thread.join(timeout=5)

    # --- used by the handler -----------------------------------------------------------

    def _next_scenario(self, seen: Seen) -> Scenario:
        with self._lock:
            self._seen.append(seen)
            return self._script.pop(0) if len(self._script) > 1 else self._script[0]

    def _opened(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.add(connection)

    def _closed(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False


def _handler_for(owner: HostileServer) -> type[socketserver.BaseRequestHandler]:
    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            connection: socket.socket = self.request
            owner._opened(connection)
            try:
                if owner._first_word is not None:
                    unseen = Seen("", "", {}, time.monotonic())
                    owner._first_word(Exchange(unseen, owner, connection))
                    return
                seen = _read_head(connection)
                if seen is None or owner.stopping.is_set():
                    return
                scenario = owner._next_scenario(seen)
                scenario(Exchange(seen, owner, connection))
            finally:
                owner._closed(connection)

    return Handler


def _read_head(connection: socket.socket) -> Seen | None:
    """The request line and headers (a GET has no body); None if the client left."""
    connection.settimeout(10.0)
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = connection.recv(4096)
        except OSError:
            return None
        if not chunk or len(data) > MAX_REQUEST_HEAD:
            return None
        data += chunk
    connection.settimeout(None)
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    request_line, *header_lines = head.split("\r\n")
    method, target, _version = request_line.split(" ", 2)
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Seen(method, target, headers, time.monotonic())


# --- building answers ------------------------------------------------------------------

REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    466: "Quota Exceeded",
    499: "Client Closed Request",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

Headers = Sequence[tuple[str, str | bytes]]


def head_bytes(status: int, headers: Headers, *, reason: str | None = None) -> bytes:
    """A status line and header lines exactly as given (values may be raw bytes)."""
    lines = [f"HTTP/1.1 {status} {reason or REASONS.get(status, 'Whatever')}".encode()]
    for name, value in headers:
        raw = value if isinstance(value, bytes) else value.encode("latin-1")
        lines.append(name.encode("latin-1") + b": " + raw)
    return b"\r\n".join(lines) + b"\r\n\r\n"


def respond(
    body: bytes | str,
    status: int = 200,
    *,
    content_type: str | bytes = "application/json",
    headers: Headers = (),
) -> Scenario:
    """A complete, well-formed answer."""
    payload = body.encode() if isinstance(body, str) else body

    def scenario(exchange: Exchange) -> None:
        exchange.send(
            head_bytes(
                status,
                [
                    ("Content-Type", content_type),
                    ("Content-Length", str(len(payload))),
                    ("Connection", "close"),
                    *headers,
                ],
            )
            + payload
        )

    return scenario


def json_answer(value: Any, status: int = 200, *, headers: Headers = ()) -> Scenario:
    """``value`` as JSON. Lone surrogates in strings go out as ``\\udXXX`` escapes,
    as json.dumps writes them (and as a server written in JavaScript would)."""
    return respond(json.dumps(value), status, headers=headers)


def raw(data: bytes) -> Scenario:
    """Exactly these bytes, then the connection closes."""

    def scenario(exchange: Exchange) -> None:
        exchange.send(data)

    return scenario


def silence(seconds: float) -> Scenario:
    """Accept the request and say nothing for ``seconds`` (then close)."""

    def scenario(exchange: Exchange) -> None:
        exchange.pause(seconds)

    return scenario


def trickle(
    body: bytes = b"[]", *, interval: float = 1.0, head_too: bool = False, pad: int = 10_000
) -> Scenario:
    """Headers, then the body one byte every ``interval`` seconds. The body is
    ``pad`` spaces and then ``body`` (valid JSON, just slow). With ``head_too``
    the status line and headers trickle as well (a slow-loris answer)."""
    payload = b" " * pad + body

    def scenario(exchange: Exchange) -> None:
        head = head_bytes(
            200,
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(payload))),
                ("Connection", "close"),
            ],
        )
        if head_too:
            for byte in head:
                if not exchange.send(bytes([byte])) or not exchange.pause(interval):
                    return
        elif not exchange.send(head):
            return
        for byte in payload:
            if not exchange.pause(interval) or not exchange.send(bytes([byte])):
                return

    return scenario


def tls_handshake_trickle(*, interval: float = 0.2) -> Scenario:
    """The start of a TLS handshake record (type 22, TLS 1.2, 16,384 bytes long),
    then its body one byte every ``interval`` seconds: each read of the client's
    handshake gets a byte long before any time-out, and the handshake never ends."""

    def scenario(exchange: Exchange) -> None:
        if not exchange.send(b"\x16\x03\x03\x40\x00"):
            return
        for _ in range(16_384):
            if not exchange.pause(interval) or not exchange.send(b"\x00"):
                return

    return scenario


def endless_body(*, chunked: bool = False, chunk: int = 64 * 1024) -> Scenario:
    """``[`` and then spaces for ever (no Content-Length, or chunked encoding),
    as fast as the client reads, until it hangs up or the server stops."""
    block = b" " * chunk

    def scenario(exchange: Exchange) -> None:
        framing = ("Transfer-Encoding", "chunked") if chunked else ("Connection", "close")
        if not exchange.send(head_bytes(200, [("Content-Type", "application/json"), framing])):
            return
        piece = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
        exchange.send(b"1\r\n[\r\n" if chunked else b"[")
        while exchange.send(piece):
            pass

    return scenario


def declared_length(length: int, body: bytes = b"[]") -> Scenario:
    """A Content-Length of ``length`` with only ``body`` sent, then the connection closes."""
    return raw(
        head_bytes(200, [("Content-Type", "application/json"), ("Content-Length", str(length))])
        + body
    )


def compressed(data: bytes, encoding: str = "gzip", *, content_length: bool = True) -> Scenario:
    """``data`` (already encoded) with ``Content-Encoding: encoding``."""
    framing = [("Content-Length", str(len(data)))] if content_length else []
    return raw(
        head_bytes(
            200,
            [
                ("Content-Type", "application/json"),
                ("Content-Encoding", encoding),
                ("Connection", "close"),
                *framing,
            ],
        )
        + data
    )


@functools.lru_cache(maxsize=4)
def gzip_bomb_bytes(inflated: int = 2 * 1024**3) -> bytes:
    """A valid gzip member of about inflated/1000 bytes that inflates to
    ``inflated`` bytes of valid JSON: spaces, then ``[]``.

    Built without compressing gigabytes: one megabyte of spaces is deflated and
    ended with a full flush (byte-aligned, no reference to earlier data), and that
    segment is repeated. The CRC is computed over the real inflated bytes.
    """
    block = 1024 * 1024
    assert inflated >= block and inflated % block == 0, "whole megabytes only"
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(b" " * block) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail_compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    tail = tail_compressor.compress(b"[]") + tail_compressor.flush(zlib.Z_FINISH)
    repeats = inflated // block
    crc = 0
    spaces = b" " * block
    for _ in range(repeats):
        crc = zlib.crc32(spaces, crc)
    crc = zlib.crc32(b"[]", crc)
    size = (inflated + 2) & 0xFFFFFFFF
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + size.to_bytes(4, "little")
    return header + segment * repeats + tail + trailer


def gzip_bomb(inflated: int = 2 * 1024**3) -> Scenario:
    """About 2 MB on the wire, 2 GB once inflated (Content-Encoding: gzip)."""
    return compressed(gzip_bomb_bytes(inflated), "gzip")


def deflate_bomb(inflated: int = 1024**3) -> Scenario:
    """The same bomb as zlib-wrapped deflate (Content-Encoding: deflate)."""
    member = gzip_bomb_bytes(inflated)
    deflate = member[10:-8]  # the raw deflate stream inside the gzip member
    crc_free = b"\x78\xda" + deflate + _adler32_of_bomb(inflated).to_bytes(4, "big")
    return compressed(crc_free, "deflate")


@functools.lru_cache(maxsize=2)
def _adler32_of_bomb(inflated: int) -> int:
    value = 1
    spaces = b" " * (1024 * 1024)
    for _ in range(inflated // len(spaces)):
        value = zlib.adler32(spaces, value)
    return zlib.adler32(b"[]", value)


def gzipped(value: Any) -> Scenario:
    """A well-behaved gzip-encoded JSON answer."""
    return compressed(gzip.compress(json.dumps(value).encode()), "gzip")


def nested(depth: int = 100_000) -> Scenario:
    """``[`` nested ``depth`` times (and closed again): valid JSON, absurdly deep."""
    return respond(b"[" * depth + b"]" * depth)


def malformed_header(body: bytes = b"[]") -> Scenario:
    """A 200 with a header line that has no colon in the middle of the headers."""
    return raw(
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: application/json\r\n"
        b"this line is not a header\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"Connection: close\r\n\r\n" + body
    )


def garbage(data: bytes = b"HELLO THERE\r\n\r\n") -> Scenario:
    """Something that is not HTTP at all."""
    return raw(data)


def redirect(location: str, status: int = 302) -> Scenario:
    """``status`` with ``Location: location``."""
    return respond(b"", status, content_type="text/plain", headers=[("Location", location)])


def redirect_keeping_path(origin: str, status: int = 302) -> Scenario:
    """A redirect to ``origin`` with the request's own path and query: the token
    would travel to ``origin`` if the client followed it."""

    def scenario(exchange: Exchange) -> None:
        redirect(origin.rstrip("/") + exchange.request.target, status)(exchange)

    return scenario


def redirect_to_self(status: int = 302) -> Scenario:
    """A redirect to the very same URL: a loop."""

    def scenario(exchange: Exchange) -> None:
        redirect(exchange.request.target, status)(exchange)

    return scenario


def content_type(
    value: str | bytes, body: bytes = b"<html>down for maintenance</html>"
) -> Scenario:
    """A 200 that is not JSON, with this Content-Type (raw bytes allowed: ESC, C1,
    UTF-8 of bidi controls, which http.client decodes as Latin-1)."""
    raw_value = value.encode("utf-8") if isinstance(value, str) else value
    return respond(body, content_type=raw_value)


def status(code: int, body: bytes | str = b"", *, headers: Headers = ()) -> Scenario:
    """An error status with ``body``."""
    return respond(body, code, content_type="text/plain", headers=headers)


# --- hostile contact lists ------------------------------------------------------------


def many_keys(contacts: int = 17, keys: int = 1000) -> list[dict[str, Any]]:
    """``contacts`` contacts, each with ``keys`` extra keys nobody else has."""
    return [
        {
            "chatId": f"7900000{n:04d}@c.us",
            "name": f"Contact {n}",
            "type": "user",
            "phoneNumber": 79000000000 + n,
            **{f"k{n}_{k}": "v" for k in range(keys)},
        }
        for n in range(contacts)
    ]


def contact(name: Any = "Anna", **fields: Any) -> dict[str, Any]:
    """One contact with ``name`` and any fields overridden."""
    return {
        "chatId": "79001234567@c.us",
        "name": name,
        "contactName": "",
        "type": "user",
        "phoneNumber": 79001234567,
        **fields,
    }


def records(values: Iterable[dict[str, Any]]) -> Scenario:
    return json_answer(list(values))
