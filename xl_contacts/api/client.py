"""GreenApiClient: the one place that talks HTTP to GREEN-API.

One ``requests.Session`` per client (connection reuse), connect/read time-outs,
bounded retries with backoff for what is worth retrying (429, 499, 5xx,
connection errors), a total time budget, and a per-instance pause so this
process never sends getContacts more often than GREEN-API allows (1/s).

Every failure becomes one ``GreenApiError`` with a message built here. HTTP
libraries put the request URL -- which contains the token -- into their
exception texts, so those texts are never used and the original exception is
not chained. Whatever the server sends that ends up in a message (a content
type, a redirect's host) is cut short and stripped of control characters.

Bounds, whatever the server does:

* the budget covers the whole call -- connect, headers, body, retries and the
  pauses between them: a server that trickles one byte a second is cut off
  when the budget is spent, not when a read time-out would trip (never);
* the body may be at most ``MAX_BODY_BYTES`` -- declared, read or inflated
  (gzip/deflate are decoded a chunk at a time, so a 2 MB bomb never becomes
  2 GB), and only those encodings are accepted;
* JSON nested too deeply for the parser is a ``BadResponse``, not a crash;
* redirects are never followed: GREEN-API does not redirect, and following one
  would send the token (part of the path) wherever ``Location`` points. A 3xx
  is an error that names the host it pointed to.
"""

from __future__ import annotations

import http.client
import logging
import random
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
import urllib3.exceptions

from .._version import __version__
from ..base.cells import for_terminal
from ..base.errors import (
    BadResponse,
    GreenApiError,
    InstanceNotReady,
    InstanceRejected,
    NetworkError,
    QuotaExceeded,
    RateLimited,
    ServerError,
    TokenRejected,
)
from ..base.json_stream import NotAList, loads
from ..base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE, MAX
from ..base.redaction import REDACTED
from ..config.settings import Settings

log = logging.getLogger(__name__)

# getContacts allows one request per second per instance.
RATE_LIMIT_INTERVAL = 1.0
# First pause before a retry; doubled on each further attempt.
BACKOFF_SECONDS = 1.0

# A call a person waits on -- Excel frozen by =GETCONTACTS or a ribbon button
# (xlwings' UDF server gives up after 90 s), login, doctor: 20 s at most, one
# retry (the command line's fetches: 60 s, three). GreenApiClient.interactive.
INTERACTIVE_TIMEOUT = (5.0, 15.0)
INTERACTIVE_RETRIES = 1
INTERACTIVE_BUDGET = 20.0

_RETRY_STATUSES = frozenset({429, 499, 500, 502, 503, 504})

# The largest answer accepted, decoded: about 500,000 contacts. Anything bigger
# is refused rather than held in memory (and parsed into ten times as much).
MAX_BODY_BYTES = 64 * 1024 * 1024
# The largest answer a reader that works on the body as it arrives accepts
# (read_contacts: the streamed export, whose memory stays flat however long the
# list is). A million contacts are ~150 MB; 1 GiB is ~7 million, more than a
# sheet holds.
MAX_STREAMED_BODY_BYTES = 1024 * 1024 * 1024
# Compressed answers are inflated a chunk at a time; identity = not encoded.
_ENCODINGS = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})
_CHUNK = 64 * 1024
# The buffered path reads an answer that is not compressed in larger pieces (a
# 16 MB body took 43 ms in 64 KiB reads, 16 ms in 1 MiB ones); a compressed one
# stays at _CHUNK, as each read inflates what it gets at once (~1000x for a bomb).
_PLAIN_CHUNK = 1024 * 1024
# How much of a server-chosen text (content type, host) a message repeats.
_ECHO_LIMIT = 60


class _Throttle:
    """Spaces requests to the same instance at least ``interval`` seconds apart,
    across every client and thread of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._next_allowed: dict[tuple[str, str], float] = {}

    def wait(self, key: tuple[str, str], interval: float) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_allowed.get(key, 0.0))
            self._next_allowed[key] = start + interval
        if start > now:
            time.sleep(start - now)

    def reset(self) -> None:
        with self._lock:
            self._next_allowed.clear()


_throttle = _Throttle()


def reset_throttle() -> None:
    """Forget when each instance was last asked (a new process's state)."""
    _throttle.reset()


class GreenApiClient:
    """A client for one GREEN-API instance.

    ``timeout`` is (connect, read) seconds for one attempt; ``budget`` bounds the
    whole call including retries and waits, so nothing hangs for minutes. A
    ``session`` passed in gets this client's transport mounted (the bounds and
    no redirects), like one it makes itself.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        budget: float = 60.0,
        backoff: float | None = None,
        min_interval: float | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retries = retries
        self.budget = budget
        self.backoff = backoff
        self.min_interval = min_interval
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"xl-contacts/{__version__}"
        self.session.headers["Accept"] = "application/json"
        # Only what _read_body can inflate a chunk at a time (not brotli or zstd).
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        adapter = _BoundedAdapter(max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @classmethod
    def interactive(cls, settings: Settings) -> GreenApiClient:
        """A client for calls a person waits on: the INTERACTIVE_* bounds."""
        return cls(
            settings,
            timeout=INTERACTIVE_TIMEOUT,
            retries=INTERACTIVE_RETRIES,
            budget=INTERACTIVE_BUDGET,
        )

    def __enter__(self) -> GreenApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"GreenApiClient({self.settings.host!r}, id_instance={self.settings.id_instance!r})"

    def get_contacts(
        self,
        count: int | None = None,
        *,
        group: bool | None = None,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        """The raw contact list: a list of JSON objects as GREEN-API sent them.

        ``count`` and ``group`` are sent only when given (without them GREEN-API
        returns every contact). Only WhatsApp documents ``group``: the caller
        (``kinds.plan``) decides when it may be sent. ``deadline`` (a
        ``time.monotonic()`` instant) replaces this call's own budget, so that
        several calls answering one query share one (``query_deadline``).
        """
        params = contacts_params(count, group)
        data = self._get("getContacts", params, deadline)
        if not isinstance(data, list):
            raise BadResponse(
                f"GREEN-API answered with a JSON {type(data).__name__} instead of a list of "
                f"contacts — check {ENV_API_URL}"
            )
        return data

    def get_chats(self, *, deadline: float | None = None) -> list[dict[str, Any]]:
        """The account's chats (getChats), sent without parameters: every flavour
        documents that form, and "chatted" needs every chat anyway. ``deadline``:
        as for ``get_contacts``."""
        data = self._get("getChats", None, deadline)
        if not isinstance(data, list):
            raise BadResponse(
                f"GREEN-API answered getChats with a JSON {type(data).__name__} instead of a "
                f"list of chats — check {ENV_API_URL}"
            )
        return data

    def read_contacts(self, count: int | None, reader: Reader) -> Any:
        """getContacts (every contact, or ``count``) with the body handed to
        ``reader`` in chunks as it arrives; what ``reader`` returns. The call's
        budget covers the body, and the body may be up to
        MAX_STREAMED_BODY_BYTES. ``reader`` raises ValueError for JSON that is
        not a list of contacts (NotAList for another JSON value); whatever else
        it raises (a full disk, too many rows) ends the call as it is. On a
        retry it is called again from the start of the new answer."""
        streamed = _Streamed(reader)
        try:
            return self._get("getContacts", contacts_params(count, None), reader=streamed)
        except _ReaderFailed as failed:
            error = failed.error
        raise error  # outside the except clause: nothing of ours is chained to it

    def get_state(self, *, deadline: float | None = None) -> str:
        """The instance's state (getStateInstance): ``authorized``, ``notAuthorized``,
        ``blocked``, ``sleepMode``, ``starting`` or ``yellowCard``. ``deadline``:
        as for ``get_contacts``."""
        data = self._get("getStateInstance", None, deadline)
        state = data.get("stateInstance") if isinstance(data, dict) else None
        if not isinstance(state, str):
            raise BadResponse(
                f"GREEN-API answered getStateInstance without a state — check {ENV_API_URL}"
            )
        return state

    # --- internals ----------------------------------------------------------------

    def _url(self, method: str) -> str:
        s = self.settings
        return (
            f"{s.api_url}{api_prefix(s.flavour)}/waInstance{s.id_instance}/{method}/{s.api_token}"
        )

    def query_deadline(self) -> float:
        """The end of one budget from now: pass it to every call of one query."""
        return time.monotonic() + self.budget

    def _get(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float | None = None,
        *,
        reader: _Streamed | None = None,
    ) -> Any:
        if deadline is None:
            deadline = self.query_deadline()
        interval = RATE_LIMIT_INTERVAL if self.min_interval is None else self.min_interval
        key = (self.settings.api_url, self.settings.id_instance)
        for attempt in range(1, self.retries + 2):
            _throttle.wait(key, interval)
            outcome = self._attempt(method, params, deadline, reader)
            if outcome.error is None:
                return outcome.data
            pause = retry_pause(outcome, attempt, self.retries, self.backoff)
            if pause is None or time.monotonic() + pause >= deadline:
                raise outcome.error
            log.info(
                "%s attempt %d failed (%s); retrying in %.1fs",
                method,
                attempt,
                outcome.error,
                pause,
            )
            time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float,
        reader: _Streamed | None = None,
    ) -> Outcome:
        """One request and what came of it: the decoded JSON or an error (never raised
        here: whether to try again is ``retry_pause``'s decision)."""
        remaining = deadline - time.monotonic()
        host = self.settings.host
        if remaining <= 0:  # the pause before this attempt used up the budget
            return Outcome(error=self._budget_spent())
        connect, read = self.timeout
        timeout = (max(0.1, min(connect, remaining)), max(0.1, min(read, remaining)))
        started = time.monotonic()
        # The HTTP library's exception (whose text holds the URL and so the token)
        # is never kept: only our own message leaves this function.
        with _Deadline(remaining) as watch:
            try:
                response = self._send(method, params, timeout)
                try:
                    outcome = self._outcome(response, reader)
                finally:
                    response.close()
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError,
                    http.client.HTTPException, OSError, _BodyFailed) as exc:  # fmt: skip
                cause = exc.cause if isinstance(exc, _BodyFailed) else exc
                outcome = Outcome(
                    error=self._budget_spent() if watch.expired else _network_error(cause, host)
                )
        log.debug(
            "GET %s/waInstance%s/%s/%s -> %s in %.2fs",
            self.settings.api_url,
            self.settings.id_instance,
            method,
            REDACTED,
            _log_result(outcome),
            time.monotonic() - started,
        )
        return outcome

    def _send(
        self, method: str, params: dict[str, str] | None, timeout: tuple[float, float]
    ) -> requests.Response:
        """GET through the transport adapter itself: requests' redirect machinery
        (which even with allow_redirects=False parses Location, and trips on
        bytes that are not UTF-8) is never involved. Certificates and, for
        https, proxies still come from the environment, as with session.get."""
        request = self.session.prepare_request(
            requests.Request("GET", self._url(method), params=params)
        )
        assert request.url is not None
        options = self.session.merge_environment_settings(request.url, {}, True, None, None)
        if request.url.startswith("http://"):
            # Plain http is accepted for loopback only (validate_api_url), and an
            # http proxy is sent the whole URL, token included: never use one. An
            # https proxy only sees "CONNECT host:443", so corporate proxies stay.
            options["proxies"] = {}
        return self.session.get_adapter(request.url).send(request, timeout=timeout, **options)

    def _outcome(
        self,
        response: requests.Response,
        reader: _Streamed | None,
    ) -> Outcome:
        status = response.status_code
        if 300 <= status < 400:
            return Outcome(error=_redirect_error(status, response, self.settings.host))
        if status != 200:
            return Outcome(error=_error_for_status(status), server_wait=_retry_after(response))
        limit = MAX_BODY_BYTES if reader is None else MAX_STREAMED_BODY_BYTES
        try:
            if reader is None:
                return Outcome(data=loads(_read_body(response)))
            return Outcome(data=reader(_body_chunks(response, limit)))
        except BadResponse as error:
            return Outcome(error=error)
        except NotAList as error:
            return Outcome(
                error=BadResponse(
                    f"GREEN-API answered with a JSON {type(error.value).__name__} instead of a "
                    f"list of contacts — check {ENV_API_URL}",
                    status,
                )
            )
        except RecursionError:
            nested = True
        except ValueError:  # also UnicodeDecodeError
            nested = False
        if nested:
            return Outcome(
                error=BadResponse(
                    f"GREEN-API answered with JSON nested too deeply to be a contact list — "
                    f"check {ENV_API_URL}",
                    status,
                )
            )
        kind = _echo(response.headers.get("Content-Type", "unknown content").split(";")[0])
        return Outcome(
            error=BadResponse(
                f"GREEN-API answered with {kind} instead of JSON — check {ENV_API_URL}", status
            )
        )

    def _budget_spent(self) -> NetworkError:
        return NetworkError(
            f"no complete answer from GREEN-API at {self.settings.host} within "
            f"{self.budget:.0f} s — try again later"
        )


def _log_result(outcome: Outcome) -> str:
    """How an attempt ended, for the debug log: the HTTP status, or the error's kind."""
    if outcome.error is None:
        return "HTTP 200"  # data comes only from a 200 answer
    status = outcome.error.status
    return f"HTTP {status}" if status else type(outcome.error).__name__


def contacts_params(count: int | None, group: bool | None) -> dict[str, str] | None:
    """getContacts' URL parameters, in the order GREEN-API's examples write them."""
    params = {}
    if group is not None:
        params["group"] = "true" if group else "false"
    if count is not None:
        params["count"] = str(count)
    return params or None


def api_prefix(flavour: str | None) -> str:
    """MAX documents its methods under /v3 (the plain path works too, but /v3 is
    what its reference pages show); WhatsApp and Telegram have no prefix."""
    return "/v3" if flavour == MAX else ""


@dataclass(frozen=True)
class Outcome:
    """What one request came to: ``data`` or an ``error``, and the wait the server
    asked for (Retry-After, seconds)."""

    data: Any = None
    error: GreenApiError | None = None
    server_wait: float = 0.0


def retry_pause(
    outcome: Outcome, attempt: int, retries: int, backoff: float | None = None
) -> float | None:
    """Seconds to wait before trying again after ``outcome`` of attempt number
    ``attempt``, or None when trying again is pointless: a wrong token, instance
    or quota stays wrong; a network failure, 429, 499 and 5xx may pass."""
    error = outcome.error
    if error is None or attempt > retries:
        return None
    if not isinstance(error, NetworkError) and error.status not in _RETRY_STATUSES:
        return None
    first = BACKOFF_SECONDS if backoff is None else backoff
    return max(outcome.server_wait, first * 2 ** (attempt - 1) * random.uniform(0.8, 1.2))


def _network_error(exc: requests.exceptions.RequestException, host: str) -> NetworkError:
    if isinstance(exc, requests.exceptions.Timeout):
        return NetworkError(
            f"GREEN-API at {host} did not answer in time — try again later, or check {ENV_API_URL}"
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return NetworkError(
            f"secure connection to {host} failed — check {ENV_API_URL} and the system clock"
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return NetworkError(
            f"cannot reach GREEN-API at {host} — check the network connection and {ENV_API_URL}"
        )
    return NetworkError(f"request to GREEN-API at {host} failed — check {ENV_API_URL}")


def _read_body(response: requests.Response) -> bytes:
    """The decoded body, or BadResponse as soon as it is (or would inflate to)
    more than MAX_BODY_BYTES. Time is bounded by the running _Deadline."""
    return b"".join(_body_chunks(response, MAX_BODY_BYTES, plain_chunk=_PLAIN_CHUNK))


def _body_chunks(
    response: requests.Response, limit: int, *, plain_chunk: int = _CHUNK
) -> Iterator[bytes]:
    """The decoded body in chunks, or BadResponse as soon as it is (or would
    inflate to) more than ``limit`` bytes; a failing connection as _BodyFailed.
    ``plain_chunk``: the size of a read when the body is not compressed.
    Time is bounded by the running _Deadline."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    if encoding not in _ENCODINGS:
        raise BadResponse(
            f"GREEN-API answered in an encoding this program does not accept "
            f"({_echo(encoding)}) — check {ENV_API_URL}",
            response.status_code,
        )
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and encoding in ("", "identity") and int(declared) > limit:
        raise _too_big(response.status_code, limit)
    size = 0
    piece = plain_chunk if encoding in ("", "identity") else _CHUNK
    while True:
        failed: BadResponse | _BodyFailed | None = None
        try:
            chunk = response.raw.read(piece, decode_content=True)
        except urllib3.exceptions.DecodeError:
            failed = BadResponse(
                f"GREEN-API's {_echo(encoding)} answer could not be decoded — try again later",
                response.status_code,
            )
        except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
            # Told apart from what a reader raises (a full disk is an OSError too).
            failed = _BodyFailed(exc)
        if failed is not None:  # raised outside the except clause: nothing is chained
            raise failed
        if not chunk:
            return
        size += len(chunk)
        if size > limit:
            raise _too_big(response.status_code, limit)
        yield chunk


def _too_big(status: int, limit: int = MAX_BODY_BYTES) -> BadResponse:
    return BadResponse(
        f"GREEN-API's answer is larger than {limit // (1024 * 1024)} MB — ask for "
        f"fewer contacts (count), or check {ENV_API_URL}",
        status,
    )


Reader = Callable[[Iterator[bytes]], Any]


class _BodyFailed(Exception):
    """The connection failed while the body arrived (``cause``: the library's
    exception, whose text is never used: it may hold the URL)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__("the body did not arrive")
        self.cause = cause


class _ReaderFailed(Exception):
    """A reader's own failure, carried past the client's handling of network
    errors (a full disk must not become "cannot reach GREEN-API", nor a retry)."""

    def __init__(self, error: BaseException) -> None:
        super().__init__("the reader failed")
        self.error = error


class _Streamed:
    """A reader as the client calls it: its own failures wrapped in _ReaderFailed."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    def __call__(self, chunks: Iterator[bytes]) -> Any:
        try:
            return self.reader(chunks)
        except (GreenApiError, ValueError, RecursionError, _BodyFailed):
            raise  # the body's: bad JSON, too big, the connection or the budget
        except Exception as error:
            failure = _ReaderFailed(error)
        raise failure


def _redirect_error(status: int, response: requests.Response, host: str) -> ServerError:
    """A 3xx: never followed (the token is in the path), reported with the host
    it pointed to -- never its path, which may repeat the token."""
    location = response.headers.get("Location", "")
    try:
        parts = urlsplit(location)
        target = f"{parts.scheme}://{parts.netloc}" if parts.netloc else ""
    except ValueError:
        target = "an invalid address"
    where = _echo(target) if target else "another address on the same host"
    return ServerError(
        f"GREEN-API at {host} redirected to {where} (HTTP {status}); GREEN-API does not "
        f"redirect, so it was not followed — check {ENV_API_URL}",
        status,
    )


def _echo(text: str) -> str:
    """A server-chosen text as a message may repeat it: one printable line, short."""
    text = for_terminal(text).strip()
    return text if len(text) <= _ECHO_LIMIT else text[: _ECHO_LIMIT - 1] + "…"


def _retry_after(response: requests.Response) -> float:
    """Seconds the server asked us to wait (Retry-After: whole seconds or an HTTP
    date), else 0; anything else ("soon", "-5", "1e999") is ignored."""
    value = response.headers.get("Retry-After", "").strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value), 10**6))
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0


def _error_for_status(status: int) -> GreenApiError:
    if status == 400:
        return InstanceNotReady(
            "instance not ready or not authorised (HTTP 400) — authorise it in the GREEN-API "
            "console (scan the QR code) and try again",
            status,
        )
    if status == 401:
        return TokenRejected(
            f"token rejected by GREEN-API (HTTP 401) — check {ENV_API_TOKEN}", status
        )
    if status == 403:
        return InstanceRejected(
            f"instance rejected by GREEN-API (HTTP 403) — check {ENV_ID_INSTANCE} "
            f"and {ENV_API_URL}",
            status,
        )
    if status == 466:
        return QuotaExceeded(
            "monthly quota used up (HTTP 466) — change the tariff in the GREEN-API console "
            "or wait for the next period",
            status,
        )
    if status == 429:
        return RateLimited(
            "too many requests (HTTP 429) — getContacts allows one request per second; "
            "wait a moment and try again",
            status,
        )
    if status == 404:
        return ServerError(
            f"GREEN-API does not know this address (HTTP 404) — check {ENV_API_URL}", status
        )
    if status in _RETRY_STATUSES or status >= 500:
        return ServerError(
            f"GREEN-API is having trouble (HTTP {status}) — try again in a few minutes", status
        )
    return ServerError(f"unexpected answer from GREEN-API (HTTP {status})", status)


# --- bounds: the whole call within the budget, the body within MAX_BODY_BYTES ----------
#
# A read time-out bounds each wait for the next bytes, not the call: a server
# that sends one byte a second never trips it. So each request runs under a
# _Deadline that, when the budget is spent, shuts the socket down under
# http.client's feet (headers or body, plain or TLS); the blocked read returns
# at once and the request fails. The socket is handed to the deadline by the
# connection class below the moment it is connected -- before a TLS handshake
# or a proxy's CONNECT answer is read, which a server could trickle too -- and
# again when a request waits for its answer (a pooled connection).

_current = threading.local()


class _Deadline:
    """Shuts down the sockets of the current request when ``seconds`` have passed."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
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


class _BoundedAdapter(requests.adapters.HTTPAdapter):
    """requests' adapter with the watched connections, and no retries of its own
    (the client decides about retries)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        manager.pool_classes_by_scheme = _POOLS
        return manager


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}
