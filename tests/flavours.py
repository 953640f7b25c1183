"""Stand-in GREEN-API instances of each flavour on the shared test server, and
the command line run against them with stored profiles.

Each instance answers getContacts, getChats and getStateInstance the way its
flavour does -- WhatsApp filters on ``group`` and cuts at ``count``, Telegram
and MAX cut at ``count`` only, MAX lives under ``/v3`` -- and records every
request it got (path, query parameters, server-side time) so tests can check
what crossed the network and when.
"""

from __future__ import annotations

import io
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from helpers import cli
from pytest_httpserver import HTTPServer
from stand_in import TOKEN
from werkzeug import Request, Response

from xl_contacts.base.names import MAX, TELEGRAM, WHATSAPP
from xl_contacts.config.settings import Settings, load_settings

# What each flavour's documentation lists, per method (query parameters).
DOCUMENTED = {
    WHATSAPP: {"getContacts": {"group", "count"}, "getChats": {"count"}},
    TELEGRAM: {"getContacts": {"count"}, "getChats": set()},
    MAX: {"getContacts": {"count"}, "getChats": set()},
}

# WhatsApp-shaped answer: the reference page, then the known data problems.
WHATSAPP_CONTACTS: list[dict[str, Any]] = [
    {"id": "79001234567@c.us", "name": "Ivan Petrov", "contactName": "Ivan Work", "type": "user"},
    {"id": "79001234568@c.us", "name": "Lyusya", "contactName": "", "type": "user"},
    {"id": "79001234569-1479621234@g.us", "name": "My group", "type": "group"},
    {"id": "120363043968066561@g.us", "name": "", "type": "user"},  # a group typed "user"
    {"id": "123456789012345@lid", "name": "Lyusya", "contactName": "Lyusya L", "type": "user"},
    {"id": "null@c.us", "name": "", "type": "user"},  # bogus: skipped and counted
    {"id": "79001112233@c.us", "name": "Petr", "contactName": "Petr Saved", "type": "user"},
]
WHATSAPP_CHATS = [
    {"id": "79001234567@c.us", "name": "Ivan Petrov", "type": "user", "archive": False},
    {"id": "120363043968066561@g.us", "name": "", "type": "group", "archive": False},
    {"id": "123456789012345@lid", "name": "Lyusya", "type": "user", "archive": True},
]
TELEGRAM_CONTACTS: list[dict[str, Any]] = [
    {
        "chatId": "10000000",
        "name": "Vasilisa",
        "contactName": "Vasilisa the Wise",
        "type": "user",
        "phoneNumber": 79876543210,
        "username": "@vasilisa",
    },
    {
        "chatId": "-5098765432",
        "name": "GREEN-API Group",
        "contactName": "",
        "type": "group",
        "phoneNumber": 0,
        "username": "",
    },
    {
        "chatId": "10000001",
        "name": "Ivan",
        "contactName": "",
        "type": "user",
        "phoneNumber": 0,
        "username": "@ivan",
    },
    {
        "chatId": "-10000000000000",
        "name": "Super",
        "contactName": "",
        "type": "supergroup",
        "phoneNumber": 0,
        "username": "@super",
    },
    {"chatId": "", "name": "no id", "contactName": "", "type": "user", "phoneNumber": 0},
]
TELEGRAM_CHATS = [
    {"chatId": "10000001", "name": "Ivan", "type": "user", "phoneNumber": 0, "username": "@ivan"},
    {"chatId": "-5098765432", "name": "GREEN-API Group", "type": "group", "phoneNumber": 0},
]
# MAX: getContacts calls everyone "user"; getChats lists ids and phone numbers only.
MAX_CONTACTS: list[dict[str, Any]] = [
    {
        "chatId": "10000000",
        "name": "Anna",
        "contactName": "Anna K",
        "type": "user",
        "phoneNumber": 79876543210,
    },
    {"chatId": "-100200300", "name": "Team", "contactName": "", "type": "user", "phoneNumber": 0},
    {
        "chatId": "10000002",
        "name": "Boris",
        "contactName": "",
        "type": "user",
        "phoneNumber": 79998887766,
    },
]
MAX_CHATS = [{"chatId": "10000002", "phoneNumber": 79998887766}]

# The chat ids of each kind, in the order of the answer (bogus records left out).
EXPECTED_IDS = {
    WHATSAPP: {
        "all": [
            "79001234567@c.us",
            "79001234568@c.us",
            "79001234569-1479621234@g.us",
            "120363043968066561@g.us",
            "123456789012345@lid",
            "79001112233@c.us",
        ],
        "personal": [
            "79001234567@c.us",
            "79001234568@c.us",
            "123456789012345@lid",
            "79001112233@c.us",
        ],
        "groups": ["79001234569-1479621234@g.us", "120363043968066561@g.us"],
        "saved": ["79001234567@c.us", "123456789012345@lid", "79001112233@c.us"],
        "chatted": ["79001234567@c.us", "120363043968066561@g.us", "123456789012345@lid"],
    },
    TELEGRAM: {
        "all": ["10000000", "-5098765432", "10000001", "-10000000000000"],
        "personal": ["10000000", "10000001"],
        "groups": ["-5098765432", "-10000000000000"],
        "saved": ["10000000"],
        "chatted": ["-5098765432", "10000001"],
    },
    MAX: {
        "all": ["10000000", "-100200300", "10000002"],
        "personal": ["10000000", "10000002"],
        "groups": ["-100200300"],
        "saved": ["10000000"],
        "chatted": ["10000002"],
    },
}


SAMPLES = {
    WHATSAPP: (WHATSAPP_CONTACTS, WHATSAPP_CHATS),
    TELEGRAM: (TELEGRAM_CONTACTS, TELEGRAM_CHATS),
    MAX: (MAX_CONTACTS, MAX_CHATS),
}


@dataclass
class Seen:
    method: str
    params: dict[str, str]
    at: float  # time.monotonic() when the server got it


@dataclass
class StandInInstance:
    """One instance on the test server, answering like ``flavour``."""

    server: HTTPServer
    flavour: str
    id_instance: str
    token: str
    contacts: list[dict[str, Any]]
    chats: list[dict[str, Any]]
    seen: list[Seen] = field(default_factory=list)
    status: int = 200
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for method in ("getContacts", "getChats", "getStateInstance"):
            self.server.expect_request(self.path(method), method="GET").respond_with_handler(
                self._handler(method)
            )

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def path(self, method: str) -> str:
        prefix = "/v3" if self.flavour == MAX else ""
        return f"{prefix}/waInstance{self.id_instance}/{method}/{self.token}"

    def settings(self, flavour: str | None = "same") -> Settings:
        chosen = self.flavour if flavour == "same" else flavour
        return load_settings(self.url, self.id_instance, self.token, env={}, flavour=chosen)

    def requests(self, method: str) -> list[Seen]:
        return [s for s in self.seen if s.method == method]

    def undocumented(self) -> list[tuple[str, set[str]]]:
        """(method, parameters its documentation does not list) for every request."""
        found = []
        for seen in self.seen:
            extra = set(seen.params) - DOCUMENTED[self.flavour].get(seen.method, set())
            if extra:
                found.append((seen.method, extra))
        return found

    def _handler(self, method: str) -> Any:
        def handle(request: Request) -> Response:
            with self._lock:
                self.seen.append(Seen(method, dict(request.args), time.monotonic()))
            if self.status != 200:
                return Response("{}", status=self.status, content_type="application/json")
            if method == "getStateInstance":
                body: Any = {"stateInstance": "authorized"}
            elif method == "getChats":
                body = self.chats
            else:
                body = self._contacts(request.args)
            return Response(json.dumps(body), content_type="application/json")

        return handle

    def _contacts(self, args: Any) -> list[dict[str, Any]]:
        found = list(self.contacts)
        if self.flavour == WHATSAPP and "group" in args:
            groups = args["group"] == "true"
            found = [c for c in found if str(c.get("id", "")).endswith("@g.us") == groups]
        if "count" in args:
            found = found[: int(args["count"])]
        return found


def instance(
    server: HTTPServer, flavour: str, id_instance: str, token: str, **options: Any
) -> StandInInstance:
    contacts, chats = SAMPLES[flavour]
    return StandInInstance(
        server,
        flavour,
        id_instance,
        token,
        options.pop("contacts", [dict(c) for c in contacts]),
        options.pop("chats", [dict(c) for c in chats]),
        **options,
    )


# --- the command line against stand-in instances --------------------------------

SALES_ID, SUPPORT_ID = "1101000001", "4100000002"
SUPPORT_TOKEN = "f00dfeedcafe0123456789abcdef0123456789abcdef98765"


def run(
    capsys: pytest.CaptureFixture[str], *argv: str, stdin: io.StringIO | str = ""
) -> tuple[int, str, str]:
    code, out, err = cli(capsys, *argv, stdin=stdin)
    assert SUPPORT_TOKEN not in out + err
    return code, out, err


def keyring_file() -> dict[str, str]:
    path = Path(os.environ["TEST_KEYRING_FILE"])
    return json.loads(path.read_text()) if path.exists() else {}


def login(
    capsys: pytest.CaptureFixture[str], stand_in: StandInInstance, profile: str | None, *extra: str
) -> tuple:
    named = ["--profile", profile] if profile else []
    return run(
        capsys,
        "login",
        *named,
        "--api-url",
        stand_in.url,
        "--id-instance",
        stand_in.id_instance,
        *extra,
        stdin=stand_in.token + "\n",
    )


def sales_and_support(
    server: HTTPServer, capsys: pytest.CaptureFixture[str]
) -> tuple[StandInInstance, StandInInstance]:
    """sales (WhatsApp) and support (Telegram), both stored by login; the
    requests login made are forgotten."""
    sales = instance(server, WHATSAPP, SALES_ID, TOKEN)
    support = instance(server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN)
    assert login(capsys, sales, "sales")[0] == 0
    assert login(capsys, support, "support")[0] == 0
    sales.seen.clear()
    support.seen.clear()
    return sales, support
