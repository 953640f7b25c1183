"""GREEN-API from a web page: the client of the xlwings Lite function (Pyodide in
Excel's web view -- Excel on the web, for Mac, for Windows).

The same requests, rules and messages as ``GreenApiClient`` -- the address
(urls), the meaning of a status (status), the body's bounds and decoding
(body), the retries and the one budget per query (retry), one request per
second per instance (throttle) -- sent with the browser's fetch
(``pyodide.http.pyfetch``) and awaited: Pyodide has no threads and no sockets,
so nothing here blocks or starts a thread.

What the browser decides, not this code:

* it refuses an answer that lacks ``Access-Control-Allow-Origin`` (CORS), and
  tells the page no more than it tells it when the network is down: both are
  one ``NetworkError`` that says what to check;
* it inflates gzip/deflate/br itself: the bound applies to the decoded body;
* its developer console shows the address of a failed request -- token
  included (GREEN-API puts it in the path). Nothing a page can prevent: the
  README says so.

Redirects are not followed (``redirect="manual"``): following one would send
the token wherever it points.
"""

from __future__ import annotations

import asyncio
import io
import time
from typing import Any
from urllib.parse import urlencode

from ..base.errors import BadResponse, NetworkError
from ..base.i18n import _
from ..base.names import ENV_API_URL
from ..config.settings import Settings
from . import throttle as throttling
from .body import MAX_BODY_BYTES, decode
from .calls import Calls
from .retry import INTERACTIVE_BUDGET, INTERACTIVE_RETRIES, Outcome, budget_spent
from .status import error_for_status, redirect_error, retry_after
from .urls import contacts_params, method_url

# The headers body.decode reads, as this code hands them over: the browser's
# names are lower-case, and its body is already inflated (no Content-Encoding).
_DECODE_HEADERS = ("Content-Type", "Content-Length")


class BrowserClient(Calls):
    """A client for one GREEN-API instance, for a page: ``budget`` bounds the
    whole call including retries and waits (``INTERACTIVE_*`` as for a cell
    Excel waits on)."""

    def __init__(
        self,
        settings: Settings,
        *,
        retries: int = INTERACTIVE_RETRIES,
        budget: float = INTERACTIVE_BUDGET,
        backoff: float | None = None,
        min_interval: float | None = None,
    ) -> None:
        self.settings = settings
        self.retries = retries
        self.budget = budget
        self.backoff = backoff
        self.min_interval = min_interval

    def __repr__(self) -> str:
        return f"BrowserClient({self.settings.host!r}, id_instance={self.settings.id_instance!r})"

    def query_deadline(self) -> float:
        """The end of one budget from now: pass it to every call of one query."""
        return time.monotonic() + self.budget

    async def get_contacts(
        self,
        count: int | None = None,
        *,
        group: bool | None = None,
        deadline: float | None = None,
    ) -> list[dict[str, Any]]:
        """The raw contact list, as ``GreenApiClient.get_contacts``."""
        params = contacts_params(count, group)
        data = await self._get("getContacts", params, deadline)
        return self.list_of(data, "getContacts")

    async def get_chats(self, *, deadline: float | None = None) -> list[dict[str, Any]]:
        """The account's chats, as ``GreenApiClient.get_chats``."""
        return self.list_of(await self._get("getChats", None, deadline), "getChats")

    async def _get(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float | None,
    ) -> Any:
        if deadline is None:
            deadline = self.query_deadline()
        key = throttling.instance_key(self.settings.api_url, self.settings.id_instance)
        for attempt in range(1, self.retries + 2):
            await asyncio.sleep(throttling.throttle.reserve(key, self.min_interval))
            outcome = await self._attempt(method, params, deadline)
            if outcome.error is None:
                return outcome.data
            pause = self.pause_or_fail(outcome, attempt, deadline, time.monotonic())
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        method: str,
        params: dict[str, str] | None,
        deadline: float,
    ) -> Outcome:
        """One request and what came of it, within what is left of the budget
        (pyfetch aborts the browser's request when it is cancelled)."""
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return Outcome(error=budget_spent(self.settings.host, self.budget))
        try:
            return await asyncio.wait_for(self._request(method, params), remaining)
        except TimeoutError:
            return Outcome(error=budget_spent(self.settings.host, self.budget))

    async def _request(
        self,
        method: str,
        params: dict[str, str] | None,
    ) -> Outcome:
        from pyodide.http import pyfetch  # only in Pyodide; importing this module needs none

        url = method_url(self.settings, method)
        if params:
            url += "?" + urlencode(params)
        try:
            # No header beyond the CORS-safelisted Accept: a "simple" request, so
            # the browser sends no preflight (one request, as the rate limit wants).
            response = await pyfetch(
                url,
                method="GET",
                headers={"Accept": "application/json"},
                redirect="manual",
                cache="no-store",
                credentials="omit",
            )
        except Exception:  # the browser's reason is never shown: it may hold the URL
            return Outcome(error=blocked(self.settings.host))
        return await self._outcome(response)

    async def _outcome(self, response: Any) -> Outcome:
        status = response.status
        headers = {name.lower(): value for name, value in response.headers.items()}
        if response.type == "opaqueredirect":  # a browser hides its status and target
            return Outcome(error=redirect_error(None, "", self.settings.host))
        if 300 <= status < 400:
            location = headers.get("location", "")
            return Outcome(error=redirect_error(status, location, self.settings.host))
        if status != 200:
            wait = retry_after(headers.get("retry-after", ""), time.time())
            return Outcome(error=error_for_status(status), server_wait=wait)
        try:
            body = await _bounded_body(response, MAX_BODY_BYTES)
        except Exception:  # the connection broke while the body came
            return Outcome(error=blocked(self.settings.host))
        decode_headers = {name: headers.get(name.lower(), "") for name in _DECODE_HEADERS}
        try:
            data = decode(io.BytesIO(body).read, decode_headers, status)
        except BadResponse as error:
            return Outcome(error=error)
        return Outcome(data=data)


def blocked(host: str) -> NetworkError:
    """The error of a request the browser did not complete: offline, the host
    unknown or unreachable, or the answer refused by the browser (CORS) --
    a page cannot tell these apart."""
    return NetworkError(
        _(
            "the browser could not get an answer from GREEN-API at {host} — check the network "
            "connection and {env}; if both are right, GREEN-API did not allow this page "
            "to read its answer (CORS): use xl-contacts on Windows or the command line"
        ).format(host=host, env=ENV_API_URL)
    )


async def _bounded_body(response: Any, limit: int) -> bytes:
    """The (inflated) body, read as it arrives and no further than ``limit`` + 1
    bytes: ``body.decode`` then refuses it as too big, with its own message."""
    stream = response.js_response.body
    if stream is None:  # no body at all
        return b""
    reader = stream.getReader()
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        piece = await reader.read()
        if piece.done:
            break
        chunk = piece.value.to_bytes()
        chunks.append(chunk)
        size += len(chunk)
    else:
        await reader.cancel()  # the rest is never downloaded
    return b"".join(chunks)
