"""A misbehaving GREEN-API: every answer is bounded in time and memory and ends
in one clear error, never a hang, a MemoryError, a RecursionError or a leak.

The server is tests/hostile_server.py: raw sockets, so it can send what no
well-behaved HTTP library would (a trickle, a bomb, a broken header line).
"""

from __future__ import annotations

import gzip
import traceback
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from helpers import assert_no_token, cli
from hostile_server import (
    HostileServer,
    compressed,
    content_type,
    declared_length,
    deflate_bomb,
    endless_body,
    garbage,
    gzip_bomb,
    gzipped,
    json_answer,
    malformed_header,
    nested,
    raw,
    redirect,
    redirect_keeping_path,
    redirect_to_self,
    respond,
    silence,
    status,
    tls_handshake_trickle,
    trickle,
)
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, SkippingClock

from xl_contacts.api.body import MAX_BODY_BYTES
from xl_contacts.api.client import GreenApiClient
from xl_contacts.base.errors import (
    BadResponse,
    GreenApiError,
    NetworkError,
    RateLimited,
    ServerError,
)
from xl_contacts.config.settings import load_settings
from xl_contacts.domain.contacts import normalise

# The message of a call ended by its budget (and by nothing else: a time-out,
# a closed connection or a size cap each have their own).
BUDGET_SPENT = "no complete answer from GREEN-API"
# The budget of the tests that wait for it to run out: well past the few
# milliseconds a request takes here, well short of what the server drags out.
SHORT_BUDGET = 0.4


def client_for(server: HostileServer, **options: Any) -> GreenApiClient:
    settings = load_settings(server.url, ID_INSTANCE, TOKEN, env={})
    return GreenApiClient(settings, **{"timeout": (2.0, 5.0), "retries": 0, **options})


def fails_with(server: HostileServer, kind: type[GreenApiError], **options: Any) -> str:
    """The error message of one getContacts call that must fail with ``kind``;
    the error carries no token, no chained exception and no traceback text of
    an HTTP library."""
    with client_for(server, **options) as client, pytest.raises(kind) as caught:
        client.get_contacts()
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None
    assert_no_token("".join(traceback.format_exception(error)))
    message = str(error)
    assert "\n" not in message and len(message) < 300
    return message


@pytest.fixture
def elsewhere() -> Iterator[HostileServer]:
    """A second origin (another port): where a redirect would send the token."""
    with HostileServer(lifetime=60) as server:
        yield server


# --- the budget covers connect, headers and body ----------------------------------------


def test_body_trickling_one_byte_a_second_stops_at_the_budget(hostile: HostileServer) -> None:
    hostile.play(trickle(b"[]", interval=1.0))
    message = fails_with(hostile, NetworkError, budget=1.0)
    assert BUDGET_SPENT in message and "within 1 s" in message


def test_headers_trickling_one_byte_a_second_stop_at_the_budget(hostile: HostileServer) -> None:
    hostile.play(trickle(b"[]", interval=1.0, head_too=True))
    assert BUDGET_SPENT in fails_with(hostile, NetworkError, budget=SHORT_BUDGET)


def test_fast_trickle_below_every_read_timeout_still_stops_at_the_budget(
    hostile: HostileServer,
) -> None:
    # Each byte comes well within the read time-out: only a whole-call budget ends it.
    hostile.play(trickle(b"[]", interval=0.05, pad=1_000_000))
    message = fails_with(hostile, NetworkError, budget=SHORT_BUDGET, timeout=(0.5, 0.5))
    assert BUDGET_SPENT in message


def test_silent_server_stops_at_the_budget_not_the_read_timeout(hostile: HostileServer) -> None:
    hostile.play(silence(30))
    message = fails_with(hostile, NetworkError, budget=SHORT_BUDGET, timeout=(2.0, 30.0))
    assert BUDGET_SPENT in message


def test_tls_handshake_trickling_below_the_connect_timeout_stops_at_the_budget(
    hostile: HostileServer,
) -> None:
    # Before any HTTP, the server's half of the TLS handshake comes a byte at a time,
    # each within every time-out (16,384 bytes at 0.2 s: 55 minutes if unbounded).
    hostile.speak_first(tls_handshake_trickle(interval=0.2))
    settings = load_settings(f"https://127.0.0.1:{hostile.port}", ID_INSTANCE, TOKEN, env={})
    with GreenApiClient(settings, timeout=(10.0, 10.0), retries=0, budget=SHORT_BUDGET) as client:
        with pytest.raises(NetworkError, match=BUDGET_SPENT) as caught:
            client.get_contacts()
    assert_no_token(str(caught.value))


def test_budget_spans_retries_of_a_trickling_server(
    hostile: HostileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    hostile.play(status(503), trickle(b"[]", interval=1.0))
    clock = SkippingClock()
    message = fails_with(hostile, NetworkError, budget=SHORT_BUDGET, retries=3, clock=clock)
    assert BUDGET_SPENT in message
    # The 503, one pause, the trickle cut by the budget left: no third request.
    assert len(hostile.requests) == 2 and len(clock.pauses) == 1


def test_a_slow_but_complete_answer_within_the_budget_is_fine(hostile: HostileServer) -> None:
    hostile.play(trickle(b'[{"chatId": "1@c.us"}]', interval=0.01, pad=20))
    with client_for(hostile, budget=10) as client:
        assert client.get_contacts() == [{"chatId": "1@c.us"}]


# --- the body is bounded before and while it is read, also once inflated ---------------


def test_endless_body_is_cut_at_the_size_cap(hostile: HostileServer) -> None:
    hostile.play(endless_body())
    message = fails_with(hostile, BadResponse, budget=30)
    assert "MB" in message
    assert len(hostile.requests) == 1, "a too-big answer is not asked again"


def test_endless_chunked_body_is_cut_at_the_size_cap(hostile: HostileServer) -> None:
    hostile.play(endless_body(chunked=True))
    fails_with(hostile, BadResponse, budget=30)


def test_declared_length_over_the_cap_is_refused_before_reading(hostile: HostileServer) -> None:
    hostile.play(declared_length(10 * 1024**3, b"[]"))
    message = fails_with(hostile, BadResponse)
    assert "MB" in message


def test_gzip_bomb_is_cut_while_inflating(hostile: HostileServer) -> None:
    hostile.play(gzip_bomb())
    tracemalloc.start()
    try:
        fails_with(hostile, BadResponse, budget=30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_BODY_BYTES, f"{peak / 1e6:.0f} MB held for a 2 MB answer"


def test_deflate_bomb_is_cut_while_inflating(hostile: HostileServer) -> None:
    hostile.play(deflate_bomb())
    fails_with(hostile, BadResponse, budget=30)


def test_gzip_inside_gzip_is_refused(hostile: HostileServer) -> None:
    twice = gzip.compress(gzip.compress(b"[]"))
    hostile.play(compressed(twice, "gzip, gzip"))
    message = fails_with(hostile, BadResponse)
    assert "gzip" in message


@pytest.mark.parametrize("encoding", ["br", "zstd", "x-evil", "compress"])
def test_unknown_content_encoding_is_a_bad_response(hostile: HostileServer, encoding: str) -> None:
    hostile.play(compressed(b"\x00\x01\x02\x03", encoding))
    fails_with(hostile, BadResponse)


def test_a_well_behaved_gzip_answer_still_works(hostile: HostileServer) -> None:
    hostile.play(gzipped(REFERENCE_CONTACTS))
    with client_for(hostile) as client:
        assert client.get_contacts() == REFERENCE_CONTACTS
    assert "gzip" in hostile.requests[0].headers.get("accept-encoding", "")


def test_corrupt_gzip_is_a_bad_response(hostile: HostileServer) -> None:
    hostile.play(compressed(b"\x1f\x8b\x08\x00garbage-not-deflate", "gzip"))
    fails_with(hostile, (BadResponse, NetworkError))  # type: ignore[arg-type]


def test_hundred_thousand_nested_brackets_are_a_bad_response(hostile: HostileServer) -> None:
    hostile.play(nested(100_000))
    message = fails_with(hostile, BadResponse)
    assert "nested" in message


def test_deep_but_parseable_value_inside_a_contact_never_crashes(hostile: HostileServer) -> None:
    deep = "[" * 900 + "]" * 900
    hostile.play(respond(f'[{{"chatId": "1@c.us", "name": "A", "extra": {deep}}}]'))
    try:
        with client_for(hostile) as client:
            table = normalise(client.get_contacts())
    except BadResponse as error:
        assert "nested" in str(error)
    else:
        assert table.rows[0][1] == "A"


# --- broken HTTP --------------------------------------------------------------------


def test_malformed_header_line_still_answers_and_logs_no_token(
    hostile: HostileServer, all_logs: pytest.LogCaptureFixture
) -> None:
    hostile.play(malformed_header(b'[{"chatId": "1@c.us"}]'))
    try:
        with client_for(hostile) as client:
            client.get_contacts()
    except GreenApiError as error:
        assert_no_token(str(error))
    for record in all_logs.records:
        assert_no_token(record.getMessage(), record.exc_text or "")
        if record.exc_info:
            assert_no_token("".join(traceback.format_exception(*record.exc_info)))
    assert_no_token(all_logs.text)


def test_garbage_instead_of_http_is_a_network_error(hostile: HostileServer) -> None:
    hostile.play(garbage())
    fails_with(hostile, NetworkError)


def test_connection_closed_without_an_answer_is_a_network_error(hostile: HostileServer) -> None:
    hostile.play(raw(b""))
    fails_with(hostile, NetworkError)


def test_body_shorter_than_its_content_length_is_a_network_error(
    hostile: HostileServer,
) -> None:
    hostile.play(declared_length(1000, b'[{"chatId": '))
    fails_with(hostile, NetworkError)


def test_http_1_0_answer_without_a_length_is_read_to_the_end(hostile: HostileServer) -> None:
    hostile.play(raw(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[]"))
    with client_for(hostile) as client:
        assert client.get_contacts() == []


def test_nul_bytes_instead_of_json_are_a_bad_response(hostile: HostileServer) -> None:
    hostile.play(respond(b"\x00" * 100))
    fails_with(hostile, BadResponse)


# --- redirects: never followed, never multiplied --------------------------------------


@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_redirect_to_another_origin_is_refused_and_names_the_host(
    hostile: HostileServer, elsewhere: HostileServer, code: int
) -> None:
    hostile.play(redirect_keeping_path(elsewhere.url, code))
    message = fails_with(hostile, ServerError)
    assert elsewhere.requests == [], "the token travelled to another origin"
    assert f"127.0.0.1:{elsewhere.port}" in message and f"HTTP {code}" in message
    assert len(hostile.requests) == 1


def test_redirect_to_the_same_origin_is_refused_too(hostile: HostileServer) -> None:
    hostile.play(redirect(f"{hostile.url}/waInstance{ID_INSTANCE}/getContacts/{TOKEN}?x=1"))
    fails_with(hostile, ServerError)
    assert len(hostile.requests) == 1


def test_redirect_loop_makes_one_request(hostile: HostileServer) -> None:
    hostile.play(redirect_to_self())
    fails_with(hostile, ServerError, retries=3)
    assert len(hostile.requests) == 1


def test_redirect_message_never_repeats_the_location_path(hostile: HostileServer) -> None:
    hostile.play(redirect(f"https://evil.invalid/steal/{TOKEN}/secret-path?token={TOKEN}"))
    message = fails_with(hostile, ServerError)
    assert "evil.invalid" in message and "steal" not in message and "secret" not in message


def test_redirect_location_with_control_characters_is_sanitised(hostile: HostileServer) -> None:
    hostile.play(redirect("http://ev\x1b[31mil\x9b.invalid/x"))
    message = fails_with(hostile, ServerError)
    assert "\x1b" not in message and "\x9b" not in message


def test_relative_redirect_is_refused(hostile: HostileServer) -> None:
    hostile.play(redirect("/somewhere/else"))
    fails_with(hostile, ServerError)
    assert len(hostile.requests) == 1


# --- what the server says is sanitised before it reaches a message ----------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"text/html\x1b]0;pwned\x07\x1b[2J", id="esc-osc-and-clear-screen"),
        pytest.param(b"text/html\x9b31m\x85", id="c1-csi-and-nel"),
        pytest.param("text/html\u202eLMTH\u2066".encode(), id="bidi-as-utf8"),
        pytest.param(b"text/html\x00\x08\x7f", id="nul-backspace-del"),
    ],
)
def test_content_type_with_control_characters_is_sanitised_in_the_message(
    hostile: HostileServer, value: bytes
) -> None:
    hostile.play(content_type(value))
    message = fails_with(hostile, BadResponse)
    assert message.isprintable(), repr(message)
    assert "text/html" in message


def test_huge_content_type_is_cut_in_the_message(hostile: HostileServer) -> None:
    hostile.play(content_type(b"text/" + b"x" * 20_000))
    message = fails_with(hostile, BadResponse)
    assert len(message) < 300


def test_error_body_is_never_echoed(hostile: HostileServer) -> None:
    hostile.play(status(500, b"\x1b[31m secret stack trace " + TOKEN.encode()))
    message = fails_with(hostile, ServerError)
    assert "secret" not in message and "\x1b" not in message


# --- retries stay within the budget and the 1 request/second rule ----------------------


def test_retry_after_far_in_the_future_does_not_wait_past_the_budget(
    hostile: HostileServer,
) -> None:
    hostile.play(status(429, headers=[("Retry-After", "86400")]))
    clock = SkippingClock()
    fails_with(hostile, RateLimited, budget=2.0, retries=3, clock=clock)
    assert len(hostile.requests) == 1 and clock.pauses == []


@pytest.mark.parametrize("value", ["-5", "soon", "1e999", "Wed, 21 Oct 2015 07:28:00 GMT"])
def test_odd_retry_after_values_are_survived(hostile: HostileServer, value: str) -> None:
    hostile.play(status(429, headers=[("Retry-After", value)]), json_answer([]))
    with client_for(hostile, retries=1, backoff=0.01, budget=10) as client:
        assert client.get_contacts() == []


def test_a_storm_of_429_keeps_one_request_per_interval(hostile: HostileServer) -> None:
    hostile.play(status(429, headers=[("Retry-After", "0")]))
    clock = SkippingClock()
    fails_with(
        hostile, RateLimited, retries=3, backoff=0.0, budget=20, min_interval=1.0, clock=clock
    )
    assert len(hostile.requests) == 4
    # Before each retry: the backoff's pause (0 s asked) then the throttle's, what
    # is left of the second since the request before (nearly all of it).
    backoffs, waits = clock.pauses[0::2], clock.pauses[1::2]
    assert backoffs == [0.0] * 3, clock.pauses
    assert len(waits) == 3 and all(0.5 < w <= 1.0 for w in waits), clock.pauses


# --- the same through the command line ---------------------------------------------------


@pytest.mark.parametrize(
    "scenario",
    [
        pytest.param(lambda: gzip_bomb(), id="gzip-bomb"),
        pytest.param(lambda: nested(100_000), id="nested-brackets"),
        pytest.param(lambda: endless_body(), id="endless-body"),
        pytest.param(lambda: malformed_header(b"{}"), id="malformed-header"),
        pytest.param(lambda: redirect_to_self(), id="redirect-loop"),
        pytest.param(lambda: content_type(b"text/html\x1b[31m\x9b"), id="escape-content-type"),
    ],
)
def test_cli_turns_each_hostile_answer_into_one_clean_line(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], scenario: Any
) -> None:
    hostile_env.play(scenario())
    code, out, err = cli(capsys, "contacts", "--format", "json")
    assert code == 1 and out == ""
    (line,) = err.strip().splitlines()[-1:]
    assert line.startswith("xl-contacts: error: ") and line.isprintable(), repr(line)
