"""Contact kinds on every flavour of GREEN-API, against stand-in instances that
answer like WhatsApp, Telegram and MAX: what comes back, what is asked for,
and that no instance gets a parameter its documentation does not list."""

from __future__ import annotations

import pytest
from flavours import EXPECTED_IDS as EXPECTED
from flavours import instance
from stand_in import TOKEN, FakeGreenApi

from xl_contacts.base.names import MAX, TELEGRAM, WHATSAPP
from xl_contacts.cli import main
from xl_contacts.config.settings import load_settings
from xl_contacts.domain.kinds import KINDS, plan
from xl_contacts.usecases.fetch import fetch_contacts

ID = "1101000009"


@pytest.mark.parametrize("flavour", [WHATSAPP, TELEGRAM, MAX])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("count", [None, 1, 2, 50])
def test_every_kind_on_every_flavour(
    green_api: FakeGreenApi, flavour: str, kind: str, count: int | None
) -> None:
    stand_in = instance(green_api.server, flavour, ID, TOKEN)
    table = fetch_contacts(count, only=kind, settings=stand_in.settings())
    got = [row[0] for row in table.rows]
    expected = EXPECTED[flavour][kind]
    # count means "at most N of that kind": a prefix of the kind's list, never more.
    assert got == expected[: len(got)]
    wanted = len(expected) if count is None else min(count, len(expected))
    assert wanted - table.skipped <= len(got) <= wanted
    assert table.kind == kind
    assert stand_in.undocumented() == [], "a parameter the flavour does not document"
    assert stand_in.requests("getChats") == ([] if kind != "chatted" else stand_in.seen[1:])
    assert all(s.params == {} for s in stand_in.requests("getChats"))


@pytest.mark.parametrize(
    ("kind", "count", "params"),
    [
        ("all", None, {}),
        ("all", 5, {"count": "5"}),
        ("personal", 5, {"group": "false", "count": "5"}),
        ("groups", None, {"group": "true"}),
        ("groups", 1, {"group": "true", "count": "1"}),
        ("saved", 5, {"group": "false"}),  # the phone book is checked here: no count sent
        ("chatted", 5, {}),
    ],
)
def test_whatsapp_filters_on_the_server(
    green_api: FakeGreenApi, kind: str, count: int | None, params: dict[str, str]
) -> None:
    stand_in = instance(green_api.server, WHATSAPP, ID, TOKEN)
    fetch_contacts(count, only=kind, settings=stand_in.settings())
    assert stand_in.requests("getContacts")[0].params == params


@pytest.mark.parametrize("flavour", [TELEGRAM, MAX])
@pytest.mark.parametrize("kind", ["personal", "groups", "saved", "chatted"])
def test_telegram_and_max_filter_here_and_count_here(
    green_api: FakeGreenApi, flavour: str, kind: str
) -> None:
    stand_in = instance(green_api.server, flavour, ID, TOKEN)
    table = fetch_contacts(1, only=kind, settings=stand_in.settings())
    # Their count would cut before the filter: nothing is sent, the cut happens here.
    assert stand_in.requests("getContacts")[0].params == {}
    assert len(table) == 1


def test_an_unknown_flavour_learns_whatsapp_from_the_first_answer(
    green_api: FakeGreenApi,
) -> None:
    stand_in = instance(green_api.server, WHATSAPP, ID, TOKEN)
    settings = stand_in.settings(flavour=None)
    first = fetch_contacts(only="groups", settings=settings)
    second = fetch_contacts(only="groups", settings=settings)
    assert [r[0] for r in first.rows] == [r[0] for r in second.rows] == EXPECTED[WHATSAPP]["groups"]
    assert [s.params for s in stand_in.requests("getContacts")] == [{}, {"group": "true"}]


def test_an_unknown_flavour_never_sends_group_to_a_chat_id_instance(
    green_api: FakeGreenApi,
) -> None:
    stand_in = instance(green_api.server, TELEGRAM, ID, TOKEN)
    settings = stand_in.settings(flavour=None)
    for _ in range(2):
        fetch_contacts(only="personal", settings=settings)
    assert [s.params for s in stand_in.requests("getContacts")] == [{}, {}]


def test_max_is_asked_under_v3_and_a_v3_api_url_means_max(green_api: FakeGreenApi) -> None:
    stand_in = instance(green_api.server, MAX, ID, TOKEN)
    settings = load_settings(f"{stand_in.url}/v3/", ID, TOKEN, env={})
    assert settings.flavour == MAX and settings.api_url == stand_in.url
    table = fetch_contacts(settings=settings)
    assert len(table) == 3 and stand_in.seen[0].method == "getContacts"


def test_whatsapp_data_problems_are_counted_not_hidden(green_api: FakeGreenApi) -> None:
    stand_in = instance(green_api.server, WHATSAPP, ID, TOKEN)
    table = fetch_contacts(settings=stand_in.settings())
    by_id = {row[0]: row for row in table.rows}
    assert by_id["120363043968066561@g.us"][3] == "group", "@g.us is a group whatever type says"
    assert by_id["79001234567@c.us"][4] == "79001234567", "@c.us digits are the phone"
    assert by_id["123456789012345@lid"][4] == "", "@lid holds no phone number"
    assert table.skipped == 1 and table.lid_count() == 1
    assert table.notes() == [
        "skipped 1 record without a chat id",
        "1 WhatsApp @lid id without a phone number",
    ]


def test_plan_never_sends_group_without_whatsapp() -> None:
    for kind in KINDS:
        for flavour in (None, TELEGRAM, MAX):
            assert plan(kind, 10, flavour).group is None


def test_the_command_says_what_it_left_out(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stand_in = instance(green_api.server, WHATSAPP, ID, TOKEN)
    monkeypatch.setenv("GREENAPI_API_URL", stand_in.url)
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", ID)
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN)
    monkeypatch.setenv("GREENAPI_FLAVOUR", "WhatsApp")
    code = main(["contacts", "--only", "personal", "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 0
    ids = [line.split(",")[0] for line in out.splitlines()[1:]]
    assert ids == EXPECTED[WHATSAPP]["personal"]
    assert "note: skipped 1 record without a chat id" in err
    assert "note: 1 WhatsApp @lid id without a phone number" in err
    assert stand_in.requests("getContacts")[0].params == {"group": "false"}
