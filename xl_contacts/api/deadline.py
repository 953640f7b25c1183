"""The whole request within its budget: a socket deadline for urllib3.

A read time-out bounds each wait for the next bytes, not the call: a server
that sends one byte a second never trips it. So each request runs under a
``Deadline`` that, when the budget is spent, shuts the socket down under
http.client's feet (headers or body, plain or TLS); the blocked read returns
at once and the request fails. The socket is handed to the deadline by the
connection class below the moment it is connected -- before a TLS handshake
or a proxy's CONNECT answer is read, which a server could trickle too -- and
again when a request waits for its answer (a pooled connection).

``BoundedAdapter`` is requests' adapter with those connections.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import requests.adapters
import urllib3
import urllib3.connection

_current = threading.local()


class Deadline:
    """Shuts down the sockets of the current request when ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        _current.deadline = self
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:  # a timer firing now must not cut a connection back in the pool
            self._sockets.clear()
        self._timer.cancel()
        _current.deadline = None

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: nothing left to stop
        pass


class _Watched:
    """Mixed into urllib3's connections: hands the socket to the running deadline
    when a response is awaited, and never prints requests (``debuglevel`` set by
    a host program on http.client would print the request line, token included)."""

    debuglevel = 0

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _watch(sock)
        return sock

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _watch(getattr(self, "sock", None))
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]


def _watch(sock: socket.socket | None) -> None:
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(sock)


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class BoundedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with the watched connections, and no retries of its own
    (the client decides about retries)."""

    def __init__(self) -> None:
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager
