"""GreenApiClient: the one place that talks to GREEN-API -- its methods, their
retries and the pauses between them.

One ``requests.Session`` per client (connection reuse), connect/read time-outs,
bounded retries with backoff for what is worth retrying (429, 499, 5xx,
connection errors: retry.py), a total time budget that covers the whole call --
connect, headers, body, retries and the pauses between them -- and a
per-instance pause so this process never sends getContacts more often than
GREEN-API allows (1/s: throttle.py).

Every failure becomes one ``GreenApiError`` with a message built here or in
the modules below: the transport (one request: transport.py, deadline.py), the
meaning of a status (status.py), the body's bounds and decoding (body.py).
"""

from __future__ import annotations

import logging
from typing import Any

import requests

from ..base.errors import BadResponse
from ..base.i18n import _
from ..base.names import ENV_API_URL
from ..config.settings import Settings
from . import throttle as throttling  # the process-wide throttle
from .body import Reader, ReaderFailed, Streamed
from .calls import Calls
from .clock import SYSTEM_CLOCK, Clock
from .retry import INTERACTIVE_BUDGET, INTERACTIVE_RETRIES
from .transport import Transport
from .urls import contacts_params

log = logging.getLogger(__name__)

# A call a person waits on (retry.INTERACTIVE_*): a connection and each wait
# for bytes shorter still. GreenApiClient.interactive.
INTERACTIVE_TIMEOUT = (5.0, 15.0)


class GreenApiClient(Calls):
    """A client for one GREEN-API instance.

    ``timeout`` is (connect, read) seconds for one attempt; ``budget`` bounds the
    whole call including retries and waits, so nothing hangs for minutes. A
    ``session`` passed in gets this client's transport mounted (the bounds and
    no redirects), like one it makes itself. ``clock``: where the time is read
    and the pauses are made (backoff, throttle, Retry-After).
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
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.settings = settings
        self.timeout = timeout
        self.retries = retries
        self.budget = budget
        self.backoff = backoff
        self.min_interval = min_interval
        self.clock = clock
        self.session = session or requests.Session()
        self.transport = Transport(settings, self.session, timeout, budget, clock)

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
        (``kinds.plan``) decides when it may be sent. ``deadline`` (an
        instant of the client's clock) replaces this call's own budget, so that
        several calls answering one query share one (``query_deadline``).
        """
        params = contacts_params(count, group)
        data = self._get("getContacts", params, deadline)
        return self.list_of(data, "getContacts")

    def get_chats(self, *, deadline: float | None = None) -> list[dict[str, Any]]:
        """The account's chats (getChats), sent without parameters: every flavour
        documents that form, and "chatted" needs every chat anyway. ``deadline``:
        as for ``get_contacts``."""
        return self.list_of(self._get("getChats", None, deadline), "getChats")

    def read_contacts(self, count: int | None, reader: Reader) -> Any:
        """getContacts (every contact, or ``count``) with the body handed to
        ``reader`` in chunks as it arrives; what ``reader`` returns. The call's
        budget covers the body, and the body may be up to
        MAX_STREAMED_BODY_BYTES. ``reader`` raises ValueError for JSON that is
        not a list of contacts (NotAList for another JSON value); whatever else
        it raises (a full disk, too many rows) ends the call as it is. On a
        retry it is called again from the start of the new answer."""
        streamed = Streamed(reader)
        try:
            return self._get("getContacts", contacts_params(count, None), reader=streamed)
        except ReaderFailed as failed:
            error = failed.error
        raise error  # outside the except clause: nothing of ours is chained to it

    def get_state(self, *, deadline: float | None = None) -> str:
        """The instance's state (getStateInstance): ``authorized``, ``notAuthorized``,
        ``blocked``, ``sleepMode``, ``starting`` or ``yellowCard``. ``deadline``:
        as for ``get_contacts``."""
        data = self._get("getStateInstance", None, deadline)
        state = data.get("stateInstance") if isinstance(data, dict) else None
        if not isinstance(state, str):
            raise self.settings.explain(
                BadResponse(
                    _("GREEN-API answered getStateInstance without a state — check {env}").format(
                        env=ENV_API_URL
                    )
                )
            )
        return state

    def query_deadline(self) -> float:
        """The end of one budget from now: pass it to every call of one query."""
        return self.clock.monotonic() + self.budget

    def _get(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float | None = None,
        *,
        reader: Streamed | None = None,
    ) -> Any:
        if deadline is None:
            deadline = self.query_deadline()
        key = throttling.instance_key(self.settings.api_url, self.settings.id_instance)
        for attempt in range(1, self.retries + 2):
            throttling.throttle.wait(key, self.min_interval, self.clock)
            outcome = self.transport.attempt(method, params, deadline, reader)
            if outcome.error is None:
                return outcome.data
            pause = self.pause_or_fail(outcome, attempt, deadline, self.clock.monotonic())
            log.info(
                "%s attempt %d failed (%s); retrying in %.1fs",
                method,
                attempt,
                outcome.error,
                pause,
            )
            self.clock.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover
