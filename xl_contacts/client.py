"""GreenApiClient: the one place that talks HTTP to GREEN-API.

One ``requests.Session`` per client (connection reuse), connect/read time-outs,
bounded retries with backoff for what is worth retrying (429, 499, 5xx,
connection errors), a total time budget, and a per-instance pause so this
process never sends getContacts more often than GREEN-API allows (1/s).

Every failure becomes one ``GreenApiError`` with a message built here. HTTP
libraries put the request URL -- which contains the token -- into their
exception texts, so those texts are never used and the original exception is
not chained.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from ._version import __version__
from .errors import (
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
from .names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE, MAX
from .redaction import REDACTED
from .settings import Settings

log = logging.getLogger(__name__)

# getContacts allows one request per second per instance.
RATE_LIMIT_INTERVAL = 1.0
# First pause before a retry; doubled on each further attempt.
BACKOFF_SECONDS = 1.0

_RETRY_STATUSES = frozenset({429, 499, 500, 502, 503, 504})


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
    whole call including retries and waits, so nothing hangs for minutes.
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

    def __enter__(self) -> GreenApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"GreenApiClient({self.settings.host!r}, id_instance={self.settings.id_instance!r})"

    def get_contacts(
        self, count: int | None = None, *, group: bool | None = None
    ) -> list[dict[str, Any]]:
        """The raw contact list: a list of JSON objects as GREEN-API sent them.

        ``count`` and ``group`` are sent only when given (without them GREEN-API
        returns every contact). Only WhatsApp documents ``group``: the caller
        (``kinds.plan``) decides when it may be sent.
        """
        data = self._get("getContacts", contacts_params(count, group))
        if not isinstance(data, list):
            raise BadResponse(
                f"GREEN-API answered with a JSON {type(data).__name__} instead of a list of "
                f"contacts — check {ENV_API_URL}"
            )
        return data

    def get_chats(self) -> list[dict[str, Any]]:
        """The account's chats (getChats), sent without parameters: every flavour
        documents that form, and "chatted" needs every chat anyway."""
        data = self._get("getChats", None)
        if not isinstance(data, list):
            raise BadResponse(
                f"GREEN-API answered getChats with a JSON {type(data).__name__} instead of a "
                f"list of chats — check {ENV_API_URL}"
            )
        return data

    def get_state(self) -> str:
        """The instance's state (getStateInstance): ``authorized``, ``notAuthorized``,
        ``blocked``, ``sleepMode``, ``starting`` or ``yellowCard``."""
        data = self._get("getStateInstance", None)
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

    def _get(self, method: str, params: dict[str, str] | None) -> Any:
        deadline = time.monotonic() + self.budget
        interval = RATE_LIMIT_INTERVAL if self.min_interval is None else self.min_interval
        key = (self.settings.api_url, self.settings.id_instance)
        for attempt in range(1, self.retries + 2):
            _throttle.wait(key, interval)
            outcome = self._attempt(method, params, deadline)
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

    def _attempt(self, method: str, params: dict[str, str] | None, deadline: float) -> Outcome:
        """One request and what came of it: the decoded JSON or an error (never raised
        here: whether to try again is ``retry_pause``'s decision)."""
        remaining = deadline - time.monotonic()
        host = self.settings.host
        if remaining <= 0:  # the pause before this attempt used up the budget
            return Outcome(
                error=NetworkError(
                    f"no answer from GREEN-API at {host} within {self.budget:.0f} s — "
                    "try again later"
                )
            )
        connect, read = self.timeout
        timeout = (max(0.1, min(connect, remaining)), max(0.1, min(read, remaining)))
        started = time.monotonic()
        # The requests exception (whose text holds the URL and so the token) is
        # never kept: only our own message leaves this function.
        try:
            response = self.session.get(self._url(method), params=params, timeout=timeout)
        except requests.exceptions.RequestException as exc:
            return Outcome(error=_network_error(exc, host))
        status = response.status_code
        log.debug(
            "GET %s/waInstance%s/%s/%s -> HTTP %s in %.2fs",
            self.settings.api_url,
            self.settings.id_instance,
            method,
            REDACTED,
            status,
            time.monotonic() - started,
        )
        if status != 200:
            return Outcome(error=_error_for_status(status), server_wait=_retry_after(response))
        try:
            return Outcome(data=json.loads(response.content))
        except ValueError:
            kind = response.headers.get("Content-Type", "unknown content").split(";")[0]
        return Outcome(
            error=BadResponse(
                f"GREEN-API answered with {kind} instead of JSON — check {ENV_API_URL}", status
            )
        )


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
            f"GREEN-API at {host} did not answer in time — try again later, "
            f"or check {ENV_API_URL}"
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


def _retry_after(response: requests.Response) -> float:
    """Seconds the server asked us to wait (Retry-After: seconds or HTTP date), else 0."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
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
