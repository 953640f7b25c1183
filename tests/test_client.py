"""GreenApiClient against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import traceback

import pytest
from helpers import assert_no_token, client_side_logs
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi, SkippingClock

from xl_contacts.api import throttle
from xl_contacts.api.client import GreenApiClient
from xl_contacts.base.errors import (
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
from xl_contacts.config.settings import load_settings
from xl_contacts.usecases.fetch import fetch_contacts


def test_fetches_the_reference_list(green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    assert green_api.client().get_contacts() == REFERENCE_CONTACTS
    (request,) = green_api.requests
    assert request.path == f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
    assert request.query_string == b"", "count is sent only when given"
    assert request.headers["User-Agent"].startswith("xl-contacts/")


def test_sends_count_when_given(green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS[:2])
    assert len(green_api.client().get_contacts(2)) == 2
    assert green_api.requests[0].args["count"] == "2"


def test_reuses_one_connection(green_api: FakeGreenApi) -> None:
    green_api.answer()
    client = green_api.client()
    client.get_contacts()
    pool = client.session.get_adapter(green_api.url).poolmanager
    connections = [p.num_connections for p in pool.pools._container.values()]
    client.get_contacts()
    client.get_contacts()
    assert [p.num_connections for p in pool.pools._container.values()] == connections == [1]


@pytest.mark.parametrize(
    ("status", "kind", "says"),
    [
        (400, InstanceNotReady, "authorise"),
        (401, TokenRejected, "GREENAPI_API_TOKEN_INSTANCE"),
        (403, InstanceRejected, "GREENAPI_ID_INSTANCE"),
        (466, QuotaExceeded, "quota"),
        (404, ServerError, "GREENAPI_API_URL"),
    ],
)
def test_final_errors_are_not_retried(
    green_api: FakeGreenApi, status: int, kind: type, says: str, all_logs: pytest.LogCaptureFixture
) -> None:
    body = '{"error": "QUOTE_EXCEEDED"}' if status == 466 else "nope"
    green_api.answer(body=body, status=status)
    with pytest.raises(kind) as caught:
        green_api.client().get_contacts()
    assert caught.value.status == status
    assert f"HTTP {status}" in str(caught.value) and says in str(caught.value)
    assert len(green_api.requests) == 1
    assert_no_token(str(caught.value), "".join(traceback.format_exception(caught.value)))
    assert_no_token(*client_side_logs(all_logs))


def test_401_message_matches_the_contract(green_api: FakeGreenApi) -> None:
    green_api.answer(status=401, body="")
    with pytest.raises(TokenRejected) as caught:
        green_api.client().get_contacts()
    assert str(caught.value) == (
        "token rejected by GREEN-API (HTTP 401) — check GREENAPI_API_TOKEN_INSTANCE"
    )


@pytest.mark.parametrize("status", [429, 499, 500, 502, 503])
def test_transient_errors_are_retried_then_succeed(green_api: FakeGreenApi, status: int) -> None:
    green_api.answer(status=status, body="busy", once=True)
    green_api.answer(status=status, body="busy", once=True)
    green_api.answer(REFERENCE_CONTACTS)
    assert green_api.client().get_contacts() == REFERENCE_CONTACTS
    assert len(green_api.requests) == 3


def test_retries_are_bounded(green_api: FakeGreenApi) -> None:
    green_api.answer(status=502, body="bad gateway")
    with pytest.raises(ServerError, match="HTTP 502"):
        green_api.client(retries=2).get_contacts()
    assert len(green_api.requests) == 3


def test_rate_limit_gives_up_with_a_clear_message(green_api: FakeGreenApi) -> None:
    green_api.answer(status=429, body="")
    with pytest.raises(RateLimited, match="one request per second"):
        green_api.client(retries=1).get_contacts()
    assert len(green_api.requests) == 2


def test_retry_after_is_honoured(green_api: FakeGreenApi) -> None:
    green_api.answer(status=429, body="", headers={"Retry-After": "1"}, once=True)
    green_api.answer(REFERENCE_CONTACTS)
    clock = SkippingClock()
    assert green_api.client(clock=clock).get_contacts() == REFERENCE_CONTACTS
    assert len(green_api.requests) == 2
    assert clock.pauses == [1.0], "the wait the server asked for, not the backoff's"


def test_retry_after_beyond_the_budget_fails_now(green_api: FakeGreenApi) -> None:
    green_api.answer(status=429, body="", headers={"Retry-After": "3600"})
    clock = SkippingClock()
    with pytest.raises(RateLimited):
        green_api.client(budget=5, clock=clock).get_contacts()
    assert clock.pauses == []
    assert len(green_api.requests) == 1


def test_slow_answer_times_out(green_api: FakeGreenApi) -> None:
    green_api.answer_slowly([], 1.0)
    with pytest.raises(NetworkError, match="did not answer in time") as caught:
        green_api.client(timeout=(1.0, 0.2), retries=1).get_contacts()
    green_api.settle()  # the server logs a request when its answer is done
    assert len(green_api.requests) == 2, "a time-out is worth one more try"
    assert_no_token(str(caught.value), "".join(traceback.format_exception(caught.value)))


def test_total_budget_bounds_a_call(green_api: FakeGreenApi) -> None:
    green_api.answer_slowly([], 0.3)
    with pytest.raises(NetworkError):
        green_api.client(timeout=(1.0, 0.25), retries=10, budget=0.75).get_contacts()
    # Each attempt waits 0.25 s (its read time-out, or what is left of the budget,
    # at least 0.1 s): the budget ends the call long before the 11 attempts do.
    green_api.settle()  # the server logs a request when its answer is done
    assert 2 <= len(green_api.requests) <= 4


def test_chatted_is_one_query_within_one_budget(green_api: FakeGreenApi) -> None:
    """getContacts then getChats share the query's budget: the UDF's 20 s (the
    command line's 60 s) bound the whole query, not each request."""

    green_api.answer_slowly([{"chatId": "1@c.us", "name": "Anna", "type": "user"}], 0.6)
    green_api.answer_slowly([{"id": "1@c.us"}], 0.6, "getChats")
    # Each answer alone fits in the budget; both together do not: "within 1 s"
    # (the budget spent) can only come from one budget shared by both.
    with pytest.raises(NetworkError, match="within 1 s"):
        fetch_contacts(only="chatted", client=green_api.client(retries=0, budget=1.0))
    asked = [request.path.split("/")[2] for request in green_api.requests]
    assert asked[0] == "getContacts"  # answered, then getChats ran out of the same budget


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed on exit: nothing listens there


def test_connection_refused(all_logs: pytest.LogCaptureFixture) -> None:
    settings = load_settings(f"http://127.0.0.1:{_refused_port()}", ID_INSTANCE, TOKEN, env={})
    client = GreenApiClient(settings, backoff=0.01, retries=2)
    with pytest.raises(NetworkError, match="cannot reach GREEN-API") as caught:
        client.get_contacts()
    error = caught.value
    assert error.__cause__ is None and error.__context__ is None, "requests' text holds the URL"
    assert_no_token(str(error), repr(error), "".join(traceback.format_exception(error)))
    assert_no_token(*client_side_logs(all_logs))


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<html><body>502 Bad Gateway</body></html>", "text/html", "text/html instead of JSON"),
        ('{"chatId": "1"}', "application/json", "dict instead of a list"),
        ("null", "application/json", "NoneType instead of a list"),
        ('[{"chatId": "1"', "application/json", "instead of JSON"),
    ],
)
def test_bodies_that_are_not_a_list(
    green_api: FakeGreenApi, body: str, content_type: str, message: str
) -> None:
    green_api.answer(body=body, content_type=content_type)
    with pytest.raises(BadResponse, match=message):
        green_api.client().get_contacts()


def test_every_error_is_a_green_api_error_with_exit_code_1() -> None:
    for kind in (BadResponse, InstanceNotReady, NetworkError, QuotaExceeded, RateLimited):
        assert issubclass(kind, GreenApiError) and kind.exit_code == 1


def test_requests_to_one_instance_are_spaced(green_api: FakeGreenApi) -> None:
    green_api.answer()
    clock = SkippingClock()
    client = green_api.client(min_interval=1.0, clock=clock)
    for _ in range(3):
        client.get_contacts()
    assert len(green_api.requests) == 3
    # Each later request waits out what is left of the second since the one before
    # (a request takes milliseconds here, so nearly all of it).
    assert len(clock.pauses) == 2 and all(0.5 < p <= 1.0 for p in clock.pauses), clock.pauses


def test_the_throttle_spaces_requests_by_instance_however_its_address_is_written(
    green_api: FakeGreenApi,
) -> None:
    """The limit is the instance's: an apiUrl whose host differs only in letter
    case is the same server (issue 23)."""
    green_api.answer()
    clock = SkippingClock()
    port = green_api.url.rsplit(":", 1)[1]
    for host in ("localhost", "LOCALHOST"):
        settings = load_settings(f"http://{host}:{port}", ID_INSTANCE, TOKEN, env={})
        GreenApiClient(settings, min_interval=1.0, clock=clock).get_contacts()
    assert len(green_api.requests) == 2
    assert len(clock.pauses) == 1 and clock.pauses[0] > 0.5, clock.pauses


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://7105.api.greenapi.com", "https://7105.API.GreenApi.com"),
        ("https://7105.api.greenapi.com", "https://7105.api.greenapi.com:443"),
        ("http://localhost", "http://LocalHost:80"),
        ("http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]:8080"),
    ],
)
def test_one_instance_has_one_throttle_key(one: str, other: str) -> None:
    assert throttle.instance_key(one, ID_INSTANCE) == throttle.instance_key(other, ID_INSTANCE)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://7105.api.greenapi.com", "https://7105.api.greenapi.com:8443"),
        ("https://7105.api.greenapi.com", "https://7106.api.greenapi.com"),
        ("http://localhost:443", "https://localhost:443"),
    ],
)
def test_other_servers_have_other_throttle_keys(one: str, other: str) -> None:
    assert throttle.instance_key(one, ID_INSTANCE) != throttle.instance_key(other, ID_INSTANCE)
    assert throttle.instance_key(one, ID_INSTANCE) != throttle.instance_key(one, "1101000001")


def test_debug_logging_never_shows_the_token(
    green_api: FakeGreenApi, all_logs: pytest.LogCaptureFixture
) -> None:
    green_api.answer()
    green_api.client().get_contacts()
    messages = client_side_logs(all_logs)
    assert any("getContacts/***" in m for m in messages), messages
    assert_no_token(*messages)
    assert repr(green_api.client()).count(TOKEN) == 0


@pytest.mark.parametrize(
    "body",
    [
        # plain: the rows are made while decoding, the long-number scan spared
        '[{"chatId": "12345678901234567890", "name": "A", "contactName": "", '
        '"type": "user", "phoneNumber": 79001234567}]',
        # an integer beyond 64 bits (orjson: a float) in a plain-looking record ...
        '[{"chatId": "1", "name": "A", "contactName": "", "type": "user", '
        '"phoneNumber": 123456789012345678901234567890}]',
        # ... and in a field beyond the contract: json.loads' integer, as text
        '[{"chatId": "1", "name": "A", "contactName": "", "type": "user", '
        '"phoneNumber": 0, "extra": 123456789012345678901234567890}]',
    ],
)
def test_the_fetched_table_is_that_of_json_loads(green_api: FakeGreenApi, body: str) -> None:
    import json

    from xl_contacts.domain.contacts import normalise

    green_api.answer(body=body)
    table = fetch_contacts(client=green_api.client(retries=0))
    expected = normalise(json.loads(body), id_instance=ID_INSTANCE)
    assert (table.columns, table.rows, table.cut) == (
        expected.columns,
        expected.rows,
        expected.cut,
    )
