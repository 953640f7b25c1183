"""Fixtures only: the stand-in GREEN-API server and one reset of every
process-wide singleton before each test. Stand-ins and factories live in
stand_in.py, checks in helpers.py."""

from __future__ import annotations

import os

# xlwings registers its remote engine (real Book objects without Excel) when it
# is imported, and only with a license key: the noncommercial one, tests only.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import logging
from collections.abc import Generator, Iterator

import keyring
import pytest
from file_keyring import FileKeyring
from hostile_server import HostileServer
from hypothesis import strategies
from pytest_httpserver import HTTPServer
from stand_in import ID_INSTANCE, TOKEN, FakeGreenApi

from xl_contacts.api import retry, throttle
from xl_contacts.base import i18n
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_CACHE_SECONDS, ENV_ID_INSTANCE
from xl_contacts.usecases import fetch, live_results

# Hypothesis imports its regex support on first use (pytest rewrites that module
# as it imports it). Done here, before any test: the deep-JSON tests raise
# RecursionError on purpose, after which CPython 3.11's AST constructor may
# fail in the same worker with "recursion depth mismatch" (a CPython bug).
strategies.from_regex(r"\d", fullmatch=True).validate()


@pytest.hookimpl(wrapper=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> Generator[None, int, int]:
    """``-n auto``: one worker more than pytest-xdist would start (one a core).
    A third of the suite's time is spent waiting, not computing -- budgets
    running out, LibreOffice, Chromium, Pyodide, the one-request-a-second rule
    in the commands run as subprocesses -- and the extra worker's tests use it.
    PYTEST_XDIST_AUTO_NUM_WORKERS, when set, is taken as it is."""
    cores = yield
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return cores
    return cores + 1


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
    api = FakeGreenApi(_server)
    yield api
    api.settle()
    _server.clear()


@pytest.fixture
def green_api_env(green_api: FakeGreenApi, monkeypatch: pytest.MonkeyPatch) -> FakeGreenApi:
    """The stand-in server's credentials in the environment, as a user would set them."""
    for name, value in green_api.env().items():
        monkeypatch.setenv(name, value)
    return green_api


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """A misbehaving GREEN-API on raw sockets (tests/hostile_server.py): each test
    says what it sends with ``hostile.play(...)``."""
    with HostileServer(lifetime=120) as server:
        yield server


@pytest.fixture
def hostile_env(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> HostileServer:
    """The misbehaving server's address and the test credentials in the
    environment, as a user would set them."""
    monkeypatch.setenv(ENV_API_URL, hostile.url)
    monkeypatch.setenv(ENV_ID_INSTANCE, ID_INSTANCE)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    return hostile


@pytest.fixture(autouse=True)
def _isolated(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Every test starts from the same process state: no credentials from the
    developer's machine (environment, settings file or credential store), no
    1-second pauses between the many requests a suite makes, no pooled clients
    and no cached =GETCONTACTS results from an earlier test."""
    for name in (ENV_API_URL, ENV_ID_INSTANCE, ENV_API_TOKEN, ENV_CACHE_SECONDS):
        monkeypatch.delenv(name, raising=False)
    # English unless a test says otherwise: a tester's Russian desktop (LANG=ru_RU,
    # XL_CONTACTS_LANG) reaches neither this process nor the commands it starts.
    for name in (i18n.ENV_LANG, "LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C")
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("TEST_KEYRING_FILE", str(home / "keyring.json"))
    keyring.set_keyring(FileKeyring())
    monkeypatch.setattr(throttle, "RATE_LIMIT_INTERVAL", 0.0)
    monkeypatch.setattr(retry, "BACKOFF_SECONDS", 0.01)
    _reset_process_state()
    yield
    _reset_process_state()


def _reset_process_state() -> None:
    """The package's process-wide singletons: client pool, throttle, results cache,
    the language (a command run in this process with --lang ru sets it)."""
    i18n.set_default(i18n.ENGLISH)
    fetch.close_clients()
    throttle.reset_throttle()
    live_results.reset()


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every log record, urllib3's request lines included."""
    caplog.set_level(logging.DEBUG)
    return caplog
