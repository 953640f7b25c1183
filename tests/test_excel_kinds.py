"""Kinds and profiles in Excel: =GETCONTACTS(count, header, only, profile) and the
ribbon's xlwings.conf keys "Contacts Only" and "Contacts Profile"."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from flavours import (
    EXPECTED_IDS,
    SALES_ID,
    SUPPORT_ID,
    SUPPORT_TOKEN,
    StandInInstance,
    instance,
    login,
)
from remote_book import actions, apply_actions, make_book
from stand_in import TOKEN, FakeGreenApi

from xl_contacts import macros
from xl_contacts.base.names import TELEGRAM, WHATSAPP
from xl_contacts.udfs import GETCONTACTS


@pytest.fixture
def sales(green_api: FakeGreenApi, monkeypatch: pytest.MonkeyPatch) -> StandInInstance:
    """A WhatsApp instance, set in the environment as a user would."""
    stand_in = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    monkeypatch.setenv("GREENAPI_API_URL", stand_in.url)
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", SALES_ID)
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN)
    monkeypatch.setenv("GREENAPI_FLAVOUR", "whatsapp")
    return stand_in


def ids(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows[1:]]


def test_getcontacts_takes_a_kind(sales: StandInInstance) -> None:
    groups = GETCONTACTS(None, True, "groups")
    personal = GETCONTACTS(2.0, True, "Personal")  # Excel text: any case
    assert ids(groups) == EXPECTED_IDS[WHATSAPP]["groups"]
    assert ids(personal) == EXPECTED_IDS[WHATSAPP]["personal"][:2]
    assert [s.params for s in sales.requests("getContacts")] == [
        {"group": "true"},
        {"group": "false", "count": "2"},
    ]
    GETCONTACTS(None, True, "groups")
    assert len(sales.requests("getContacts")) == 2, "each kind is cached on its own"


def test_getcontacts_takes_a_profile(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    support = instance(green_api.server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN)
    login(capsys, support, "support")
    rows = GETCONTACTS(None, False, "", "support")  # an empty `only` cell: all
    assert [row[0] for row in rows] == EXPECTED_IDS[TELEGRAM]["all"]


@pytest.mark.parametrize(
    ("only", "profile", "says"),
    [
        ("friends", None, "only must be one of all, personal, groups, saved, chatted"),
        (None, "nobody", "no profile 'nobody' is stored"),
        (None, "two words", "a profile name is"),
    ],
)
def test_getcontacts_says_what_is_wrong(
    sales: StandInInstance, only: str | None, profile: str | None, says: str
) -> None:
    value = GETCONTACTS(None, True, only, profile)
    assert isinstance(value, str) and value.startswith("#GETCONTACTS: ") and says in value
    assert sales.seen == []


def test_the_ribbon_reads_only_and_profile_from_xlwings_conf(
    green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    login(capsys, sales, "sales")
    sales.seen.clear()
    conf = [["Contacts Only", "groups"], ["Contacts Profile", "sales"]]
    book = make_book({"xlwings.conf": conf})
    macros.refresh()
    assert not [a for a in actions(book) if a["func"] == "alert"]
    assert sales.requests("getContacts")[0].params == {"group": "true"}


def test_the_ribbon_refuses_an_unknown_kind(green_api: FakeGreenApi) -> None:
    book = make_book({"xlwings.conf": [["Contacts Only", "everyone"]]})
    macros.refresh()
    (alert,) = [a["args"] for a in actions(book) if a["func"] == "alert"]
    assert "'Contacts Only' on the xlwings.conf sheet must be one of" in alert[0]


@pytest.fixture
def both(green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]) -> tuple:
    """sales (WhatsApp) and support (Telegram), both stored by login."""
    sales = instance(green_api.server, WHATSAPP, SALES_ID, TOKEN)
    support = instance(green_api.server, TELEGRAM, SUPPORT_ID, SUPPORT_TOKEN)
    login(capsys, sales, "sales")
    login(capsys, support, "support")
    sales.seen.clear()
    support.seen.clear()
    return sales, support


def alerts(book: object) -> list[list[str]]:
    return [a["args"] for a in actions(book) if a["func"] == "alert"]


def test_the_ribbon_refreshes_several_profiles_into_one_table(both: tuple) -> None:
    sheets = {"xlwings.conf": [["Contacts Profile", "sales; support"]]}  # ";" as in ru Excel
    book = make_book(sheets)
    macros.refresh()
    assert alerts(book) == []
    contacts = apply_actions(sheets, book)["Contacts"]
    assert "profiles sales, support" in contacts[(1, 1)]
    header = [contacts[(3, c)].lstrip("'") for c in range(1, 3)]
    assert header == ["instance", "chatId"]
    rows = sorted(k[0] for k in contacts if k[0] > 3 and k[1] == 1)
    labels = [contacts[(r, 1)].lstrip("'") for r in rows]
    expected = EXPECTED_IDS[WHATSAPP]["all"] + EXPECTED_IDS[TELEGRAM]["all"]
    assert labels == ["sales"] * 6 + ["support"] * 4 and len(rows) == len(expected)


def test_the_ribbon_changes_nothing_when_one_of_several_profiles_fails(both: tuple) -> None:
    _, support = both
    support.status = 401
    book = make_book({"xlwings.conf": [["Contacts Profile", "sales, support"]]})
    macros.refresh()
    (alert,) = alerts(book)
    assert "profile support: token rejected" in alert[0]
    assert not [a for a in actions(book) if a["func"] in ("addSheet", "setValues", "addTable")]


def test_the_ribbon_saves_one_report_of_several_profiles_and_compares_it(
    both: tuple, tmp_path: Path
) -> None:
    conf = [["Contacts Profile", "sales, support"], ["Contacts Report Folder", str(tmp_path)]]
    make_book({"xlwings.conf": conf})
    macros.export_report()
    book = make_book({"xlwings.conf": conf})
    macros.export_report()
    ((message, _, _, mode, _),) = alerts(book)
    assert mode == "info" and "Saved 10 contacts" in message
    assert "0 added, 0 removed, 0 changed" in message, "compared with the first report"
    _, second = sorted(tmp_path.glob("Contacts contacts *.xlsx"))
    sheet = openpyxl.load_workbook(second)["Contacts"]
    assert {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"sales", "support"}
