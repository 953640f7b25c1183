"""One GET to GREEN-API and what came of it: an ``Outcome`` holding the decoded
answer or the one ``GreenApiError`` that describes the failure.

HTTP libraries put the request URL -- which contains the token -- into their
exception texts, so those texts are never used and the original exception is
not chained. Redirects are never followed: GREEN-API does not redirect, and
following one would send the token (part of the path) wherever ``Location``
points. Each attempt runs under a ``Deadline`` (deadline.py), so a server that
trickles one byte a second is cut off when the budget is spent.
"""

from __future__ import annotations

import http.client
import logging

import requests
import urllib3.exceptions

from .._version import __version__
from ..base.errors import BadResponse, NetworkError, echo
from ..base.i18n import _
from ..base.names import ENV_API_URL
from ..config.settings import Settings
from .body import ACCEPT_ENCODING, BodyFailed, Read, Streamed, content_encoding, decode
from .clock import Clock
from .deadline import BoundedAdapter, Deadline
from .retry import Outcome, budget_spent
from .status import error_for_status, redirect_error, retry_after
from .urls import method_url, shown_url

log = logging.getLogger(__name__)

# What a request or a body that fails on the way may raise (never shown: the
# texts may hold the URL).
_TRANSPORT_ERRORS = (
    requests.exceptions.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)


class Transport:
    """Sends one instance's requests through ``session`` (its adapters replaced by
    the bounded ones, its headers set): ``timeout`` is (connect, read) seconds
    for one attempt, ``budget`` the seconds a whole call may take (named in the
    message when it is spent), ``clock`` where the time is read."""

    def __init__(
        self,
        settings: Settings,
        session: requests.Session,
        timeout: tuple[float, float],
        budget: float,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.session = session
        self.timeout = timeout
        self.budget = budget
        self.clock = clock
        session.headers["User-Agent"] = f"xl-contacts/{__version__}"
        session.headers["Accept"] = "application/json"
        session.headers["Accept-Encoding"] = ACCEPT_ENCODING
        adapter = BoundedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)

    def attempt(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float,
        reader: Streamed | None = None,
    ) -> Outcome:
        """One request and what came of it: the decoded JSON or an error (never raised
        here: whether to try again is ``retry_pause``'s decision)."""
        remaining = deadline - self.clock.monotonic()
        host = self.settings.host
        if remaining <= 0:  # the pause before this attempt used up the budget
            return Outcome(error=self.budget_spent())
        connect, read = self.timeout
        timeout = (max(0.1, min(connect, remaining)), max(0.1, min(read, remaining)))
        started = self.clock.monotonic()
        size = 0
        # The HTTP library's exception (whose text holds the URL and so the token)
        # is never kept: only our own message leaves this function.
        with Deadline(remaining) as watch:
            try:
                response = self._send(method, params, timeout)
                try:
                    outcome = self._outcome(response, reader)
                finally:
                    size = response.raw.tell()  # the bytes that crossed the network
                    response.close()
            except (*_TRANSPORT_ERRORS, BodyFailed) as exc:
                cause = exc.cause if isinstance(exc, BodyFailed) else exc
                spent = watch.expired or _shortened_time_out(cause, self.timeout, remaining)
                outcome = Outcome(
                    error=self.budget_spent() if spent else _network_error(cause, host)
                )
        # -v tells each request's story: what was asked, how it ended, how much, how long.
        log.info(
            "GET %s -> %s, %s bytes in %.2fs",
            shown_url(self.settings, method, params),
            _log_result(outcome),
            f"{size:,}",
            self.clock.monotonic() - started,
        )
        return outcome

    def budget_spent(self) -> NetworkError:
        return budget_spent(self.settings.host, self.budget)

    def _send(
        self, method: str, params: dict[str, str] | None, timeout: tuple[float, float]
    ) -> requests.Response:
        """GET through the transport adapter itself: requests' redirect machinery
        (which even with allow_redirects=False parses Location, and trips on
        bytes that are not UTF-8) is never involved. Certificates and, for
        https, proxies still come from the environment, as with session.get."""
        request = self.session.prepare_request(
            requests.Request("GET", method_url(self.settings, method), params=params)
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
        reader: Streamed | None,
    ) -> Outcome:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("Location", "")
            return Outcome(error=redirect_error(status, location, self.settings.host))
        if status != 200:
            wait = retry_after(response.headers.get("Retry-After", ""), self.clock.time())
            return Outcome(error=error_for_status(status), server_wait=wait)
        read = _raw_read(response)
        try:
            return Outcome(data=decode(read, response.headers, status, reader))
        except BadResponse as error:
            return Outcome(error=error)


def _raw_read(response: requests.Response) -> Read:
    """read(size) of ``response``'s body, decoded (gzip, deflate); a failing
    connection as BodyFailed, a body that cannot be inflated as BadResponse.
    Time is bounded by the running Deadline."""
    encoding = content_encoding(response.headers)

    def read(size: int) -> bytes:
        failed: BadResponse | BodyFailed
        try:
            return response.raw.read(size, decode_content=True)
        except urllib3.exceptions.DecodeError:
            failed = BadResponse(
                _("GREEN-API's {encoding} answer could not be decoded — try again later").format(
                    encoding=echo(encoding)
                ),
                response.status_code,
            )
        except _TRANSPORT_ERRORS as exc:
            # Told apart from what a reader raises (a full disk is an OSError too).
            failed = BodyFailed(exc)
        raise failed  # outside the except clause: nothing is chained

    return read


def _shortened_time_out(
    cause: BaseException, timeout: tuple[float, float], remaining: float
) -> bool:
    """Whether ``cause`` is a time-out that the budget shortened (to ``remaining``
    seconds): then the budget ran out, whichever of the socket's time-out and
    the Deadline's timer noticed it first."""
    connect, read = timeout
    if isinstance(
        cause, (requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
    ):
        return remaining < connect
    if isinstance(cause, (requests.exceptions.ReadTimeout, urllib3.exceptions.ReadTimeoutError)):
        return remaining < read
    return False


def _network_error(exc: BaseException, host: str) -> NetworkError:
    if isinstance(exc, requests.exceptions.Timeout):
        return NetworkError(
            _(
                "GREEN-API at {host} did not answer in time — try again later, or check {env}"
            ).format(host=host, env=ENV_API_URL)
        )
    if isinstance(exc, requests.exceptions.SSLError):
        return NetworkError(
            _("secure connection to {host} failed — check {env} and the system clock").format(
                host=host, env=ENV_API_URL
            )
        )
    if isinstance(exc, requests.exceptions.ConnectionError):
        return NetworkError(
            _("cannot reach GREEN-API at {host} — check the network connection and {env}").format(
                host=host, env=ENV_API_URL
            )
        )
    return NetworkError(
        _("request to GREEN-API at {host} failed — check {env}").format(host=host, env=ENV_API_URL)
    )


def _log_result(outcome: Outcome) -> str:
    """How an attempt ended, for the debug log: the HTTP status, or the error's kind."""
    if outcome.error is None:
        return "HTTP 200"  # data comes only from a 200 answer
    status = outcome.error.status
    return f"HTTP {status}" if status else type(outcome.error).__name__
