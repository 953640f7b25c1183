"""The token, under attack: whatever the host program's logging, warnings or
debugging set-up, whatever the server answers, and whatever apiUrl a user
pastes, the token (and any password in a URL) is printed nowhere.
"""

from __future__ import annotations

import io
import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import assert_no_token, installed_command
from hostile_server import (
    HostileServer,
    content_type,
    json_answer,
    malformed_header,
    redirect_keeping_path,
)
from stand_in import ID_INSTANCE, TOKEN, FakeGreenApi

from xl_contacts.api.client import GreenApiClient
from xl_contacts.base.errors import ConfigError, GreenApiError
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.base.redaction import protect
from xl_contacts.config.settings import load_settings, validate_api_url

TESTS = Path(__file__).resolve().parent

# A host program: debug logging for everything, every warning shown, and every
# error it catches printed with its traceback and logged with logger.exception.
HOST_PROGRAM = textwrap.dedent(
    """
    import logging, sys, traceback, warnings
    warnings.simplefilter("always")
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    sys.path.insert(0, {tests!r})
    from hostile_server import (HostileServer, json_answer, malformed_header, status,
                                redirect_keeping_path, redirect_to_self, content_type, trickle)
    from xl_contacts.api.client import GreenApiClient
    from xl_contacts.config.settings import load_settings
    for name in list(logging.root.manager.loggerDict):
        logging.getLogger(name).setLevel(logging.DEBUG)
    log = logging.getLogger("host")
    TOKEN, ID = {token!r}, {id_instance!r}
    with HostileServer(lifetime=120) as server, HostileServer(lifetime=120) as elsewhere:
        scenarios = [json_answer([{{"chatId": "1@c.us", "name": "A"}}])]
        scenarios += [status(code, "error " + TOKEN, headers=[("Retry-After", "0")])
                      for code in (400, 401, 403, 404, 429, 466, 499, 500, 502, 503, 504)]
        scenarios += [malformed_header(b"[]"), redirect_keeping_path(elsewhere.url),
                      redirect_to_self(), content_type(b"text/html"),
                      trickle(b"[]", interval=1.0)]
        settings = load_settings(server.url, ID, TOKEN, env={{}})
        for scenario in scenarios:
            server.play(scenario)
            client = GreenApiClient(settings, retries=1, backoff=0.01, budget=1.0, min_interval=0)
            try:
                with client:
                    print("got", client.get_contacts(), client.get_state() if False else "")
            except Exception as error:
                traceback.print_exc()
                log.exception("the host caught %r", error)
                log.debug("client: %r, settings: %r", client, settings)
                warnings.warn(f"host warning about {{error!r}}")
        assert elsewhere.requests == [], "followed a redirect"
        print("requests", len(server.requests))
    """
)


def run_host(program: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", program, *args],
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_host_program_with_debug_logging_everywhere_never_sees_the_token() -> None:
    program = HOST_PROGRAM.format(tests=str(TESTS), token=TOKEN, id_instance=ID_INSTANCE)
    result = run_host(program)
    assert result.returncode == 0, result.stderr[-3000:]
    # It did log and print plenty: this is not a silent pass.
    assert "urllib3" in result.stderr and "Traceback" in result.stderr
    assert "host caught" in result.stderr and "host warning" in result.stderr
    assert "got [{'chatId': '1@c.us', 'name': 'A'}]" in result.stdout
    assert_no_token(result.stdout, result.stderr)


def test_http_client_debuglevel_of_the_host_prints_no_token() -> None:
    program = textwrap.dedent(
        f"""
        import http.client, sys
        http.client.HTTPConnection.debuglevel = 1
        sys.path.insert(0, {str(TESTS)!r})
        from hostile_server import HostileServer, json_answer
        from xl_contacts.api.client import GreenApiClient
        from xl_contacts.config.settings import load_settings
        with HostileServer(json_answer([]), lifetime=60) as server:
            settings = load_settings(server.url, {ID_INSTANCE!r}, {TOKEN!r}, env={{}})
            with GreenApiClient(settings) as client:
                print("answer", client.get_contacts())
        """
    )
    result = run_host(program)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "answer []" in result.stdout
    assert_no_token(result.stdout, result.stderr)


def capture(logger: logging.Logger) -> io.StringIO:
    """A handler straight on ``logger`` (no propagation through filtered parents)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    logger.addHandler(handler)
    return stream


@pytest.mark.parametrize(
    "name", ["urllib3.connection", "urllib3.connectionpool", "urllib3.response", "requests"]
)
def test_handler_on_a_child_logger_never_sees_the_token(
    hostile: HostileServer, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger(name)
    monkeypatch.setattr(logger, "propagate", False)
    monkeypatch.setattr(logger, "level", logging.DEBUG)
    stream = capture(logger)
    try:
        hostile.play(malformed_header(b"[]"))
        settings = load_settings(hostile.url, ID_INSTANCE, TOKEN, env={})
        with GreenApiClient(settings, retries=0) as client:
            client.get_contacts()
    finally:
        logger.handlers.clear()
    assert_no_token(stream.getvalue())


def test_a_logger_created_later_is_covered_too() -> None:
    protect(TOKEN)
    logger = logging.getLogger("some.library.created.after.protect")
    logger.setLevel(logging.DEBUG)
    stream = capture(logger)
    logger.debug("GET /waInstance%s/getContacts/%s", ID_INSTANCE, TOKEN)
    logger.info(f"url=http://x/{TOKEN}")
    logger.handlers.clear()
    assert "getContacts" in stream.getvalue()
    assert_no_token(stream.getvalue())


def test_exception_text_in_a_log_record_is_redacted() -> None:
    protect(TOKEN)
    logger = logging.getLogger("host.exceptions")
    stream = capture(logger)
    try:
        raise ValueError(f"bad url http://x/{TOKEN}")
    except ValueError:
        logger.exception("failed with %s", "details")
    logger.handlers.clear()
    assert "ValueError" in stream.getvalue()
    assert_no_token(stream.getvalue())


def test_log_call_with_broken_arguments_still_leaks_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    protect(TOKEN)
    logger = logging.getLogger("host.broken")
    stream = capture(logger)
    logger.warning("two placeholders %s %s, one argument", TOKEN)
    logger.handlers.clear()
    assert_no_token(stream.getvalue(), *capsys.readouterr())


def test_warnings_never_show_the_token() -> None:
    # In a fresh process: pytest records warnings instead of showing them.
    program = textwrap.dedent(
        f"""
        import warnings
        from xl_contacts.base.redaction import protect
        protect({TOKEN!r})
        warnings.warn("insecure request to http://x/{TOKEN}")
        print(warnings.formatwarning("formatted {TOKEN}", UserWarning, "f.py", 1))
        """
    )
    result = run_host(program)
    assert "insecure request" in result.stderr and "formatted" in result.stdout
    assert_no_token(result.stdout, result.stderr)


def test_captured_warnings_through_logging_never_show_the_token() -> None:
    protect(TOKEN)
    logger = logging.getLogger("py.warnings")
    stream = capture(logger)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            logging.captureWarnings(True)
            warnings.warn(f"insecure request to http://x/{TOKEN}", stacklevel=1)
    finally:
        logging.captureWarnings(False)
        logger.handlers.clear()
    assert "insecure request" in stream.getvalue()
    assert_no_token(stream.getvalue())


def test_cli_very_verbose_with_a_malformed_header_prints_no_token(
    hostile: HostileServer,
) -> None:
    hostile.play(malformed_header(b"[]"))
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        ENV_API_URL: hostile.url,
        ENV_ID_INSTANCE: ID_INSTANCE,
        ENV_API_TOKEN: TOKEN,
        "XDG_CONFIG_HOME": "/nonexistent",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    result = subprocess.run(
        [installed_command(), "-vv", "contacts"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert "urllib3" in result.stderr, "-vv logs the HTTP requests"
    assert_no_token(result.stdout, result.stderr)


def test_cli_redirect_sends_the_token_nowhere_else(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xl_contacts.cli import main

    with HostileServer(lifetime=60) as elsewhere:
        hostile.play(redirect_keeping_path(elsewhere.url, 307))
        monkeypatch.setenv(ENV_API_URL, hostile.url)
        monkeypatch.setenv(ENV_ID_INSTANCE, ID_INSTANCE)
        monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
        assert main(["contacts"]) == 1
        assert elsewhere.requests == []
    out, err = capsys.readouterr()
    assert "redirect" in err
    assert_no_token(out, err)


# --- apiUrl: no password, no sneaky endings, no clear text to the internet --------------


@pytest.mark.parametrize(
    "url",
    [
        pytest.param("http://:hunter2@127.0.0.1:8080", id="password-without-user"),
        pytest.param("https://alice:hunter2@api.green-api.com", id="user-and-password"),
        pytest.param("https://alice@api.green-api.com", id="user-only"),
        pytest.param("https://@api.green-api.com", id="empty-userinfo"),
    ],
)
def test_api_url_with_credentials_is_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_api_url(url)
    assert "hunter2" not in str(caught.value) and "alice" not in str(caught.value)
    assert "password" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://api.green-api.com?",
        "https://api.green-api.com/?",
        "https://api.green-api.com#",
        "https://api.green-api.com/#",
        "https://api.green-api.com?count=1",
        "https://api.green-api.com;params",
    ],
)
def test_api_url_with_a_query_or_fragment_marker_is_refused(url: str) -> None:
    with pytest.raises(ConfigError):
        validate_api_url(url)


@pytest.mark.parametrize("port", ["99999", "65536", "0", "-1", "abc", "80a", " 80"])
def test_api_url_with_an_impossible_port_is_refused(port: str) -> None:
    with pytest.raises(ConfigError):
        validate_api_url(f"https://api.green-api.com:{port}")


@pytest.mark.parametrize(
    "url",
    [
        "https://api.green-api.com\n",
        "https://api.green\x00-api.com",
        "https://api.green api.com",
        "https://api.green-api.com\t",
        "http://[::1",
        "https://",
        "https:///path-only",
    ],
)
def test_api_url_that_is_not_a_plain_address_is_a_config_error(url: str) -> None:
    with pytest.raises(ConfigError):
        validate_api_url(url)


@pytest.mark.parametrize(
    "url", ["http://api.green-api.com", "http://7105.api.greenapi.com", "http://10.0.0.5:8080"]
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate_api_url(url)
    assert "https://" in str(caught.value)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://127.5.6.7"],
)
def test_plain_http_to_the_loopback_is_allowed(url: str) -> None:
    assert validate_api_url(url) == url


def test_cli_refuses_a_bad_api_url_before_any_request(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xl_contacts.cli import main

    monkeypatch.setenv(ENV_API_URL, hostile.url.replace("http://", "http://:hunter2@"))
    monkeypatch.setenv(ENV_ID_INSTANCE, ID_INSTANCE)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    assert main(["contacts"]) == 2
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert hostile.requests == []


def test_doctor_never_prints_a_password_from_the_api_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xl_contacts.cli import main

    monkeypatch.setenv(ENV_API_URL, "http://:hunter2@127.0.0.1:9")
    monkeypatch.setenv(ENV_ID_INSTANCE, ID_INSTANCE)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    main(["doctor"])
    out, err = capsys.readouterr()
    assert "hunter2" not in out + err
    assert_no_token(out, err)


def test_errors_of_every_hostile_answer_carry_no_token_anywhere(hostile: HostileServer) -> None:
    from hostile_server import garbage, nested, status

    settings = load_settings(hostile.url, ID_INSTANCE, TOKEN, env={})
    seen = 0
    for scenario in (garbage(), nested(5000), status(401, TOKEN), malformed_header(b"{}")):
        hostile.play(scenario)
        with GreenApiClient(settings, retries=0) as client:
            try:
                client.get_contacts()
            except GreenApiError as error:
                seen += 1
                assert_no_token(repr(error), "".join(traceback.format_exception(error)))
    assert seen == 4
    hostile.play(json_answer([]))


class RecordingProxy:
    """A proxy on raw sockets that records every byte it is sent and answers 502."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    self.received.append(connection.recv(65536))
                    connection.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n"
                                       b"Connection: close\r\n\r\n")  # fmt: skip
                except OSError:
                    pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._socket.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    """Every proxy variable a user may have set points at a recording proxy."""
    server = RecordingProxy()
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY"):  # fmt: skip
        monkeypatch.setenv(name, server.url)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.close()


def test_a_plain_http_loopback_api_url_never_goes_through_a_proxy(
    green_api: FakeGreenApi, proxy: RecordingProxy
) -> None:
    """An http proxy is sent the full URL, token included: plain http (loopback
    only) goes straight to the server."""
    green_api.answer([{"id": "1@c.us", "name": "Anna", "type": "user"}])
    with green_api.client(retries=0) as api:
        assert api.get_contacts()[0]["name"] == "Anna"
    assert proxy.received == []
    assert len(green_api.requests) == 1


def test_an_https_api_url_keeps_the_environment_s_proxy_which_sees_only_the_host(
    proxy: RecordingProxy,
) -> None:
    """Corporate users reach GREEN-API through their proxy: for https it is asked
    to CONNECT to the host, and never sees the path with the token."""
    settings = load_settings("https://api.example.invalid", ID_INSTANCE, TOKEN, env={})
    with GreenApiClient(settings, retries=0, budget=5) as api, pytest.raises(GreenApiError):
        api.get_contacts()
    assert len(proxy.received) == 1
    assert proxy.received[0].startswith(b"CONNECT api.example.invalid:443 ")
    assert TOKEN.encode() not in proxy.received[0]


def test_a_long_exception_folded_to_one_line_keeps_no_part_of_the_token() -> None:
    # -v folds a record's exception to its first 160 characters: cut there
    # before redaction, a token that straddles the cut left its first part.
    program = textwrap.dedent(
        f"""
        import logging
        from xl_contacts.base.redaction import one_line_tracebacks, protect
        protect({TOKEN!r})
        one_line_tracebacks()
        logging.basicConfig(level=logging.DEBUG)
        url = "HTTPSConnectionPool(host='7105.api.greenapi.com', port=443): Max retries "
        url += "exceeded with url: /waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
        try:
            raise ValueError(url)
        except ValueError:
            logging.getLogger("urllib3.connectionpool").warning("failed", exc_info=True)
        """
    )
    result = run_host(program)
    assert "ValueError" in result.stderr and "getContacts/***" in result.stderr
    assert TOKEN[:12] not in result.stderr


def test_a_server_text_cut_to_its_echo_length_keeps_no_part_of_the_token(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A message repeats at most 60 characters of a Content-Type: cut before
    # redaction, a token that straddles the cut left its first part.
    from xl_contacts.cli import main

    hostile.play(content_type("text/" + "x" * 30 + TOKEN))
    monkeypatch.setenv(ENV_API_URL, hostile.url)
    monkeypatch.setenv(ENV_ID_INSTANCE, ID_INSTANCE)
    monkeypatch.setenv(ENV_API_TOKEN, TOKEN)
    assert main(["contacts"]) == 1
    out, err = capsys.readouterr()
    assert "instead of JSON" in err
    assert TOKEN[:12] not in out + err


def test_a_token_split_by_a_control_character_is_not_repeated() -> None:
    """errors.echo takes the controls out before it looks for the token: a
    workbook or server text holding the token with a C1 control or a bidi mark
    inside it repeats neither half joined back together."""
    from xl_contacts.base.errors import echo
    from xl_contacts.base.redaction import protect

    token = "split0token0000000000000000000000000000000000000"
    protect(token)
    for mark in ("\x9b", "\u202e", "\u200f"):
        shown = echo(f"x{token[:20]}{mark}{token[20:]}")
        assert token not in shown and token[:20] not in shown, shown
