"""Ribbon macros on real xlwings Book objects (the remote engine), against the
stand-in GREEN-API server."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from com_standin import RUSSIAN_UI, StandInExcel, cannot_set, windows_xlwings
from remote_book import actions, apply_actions, funcs, make_book, table_json
from stand_in import (
    HOSTILE_NAMES,
    ID_INSTANCE,
    REFERENCE_CONTACTS,
    TOKEN,
    FakeGreenApi,
    make_contacts,
)

from xl_contacts import macros, udfs
from xl_contacts.base.cells import TERMINAL_UNSAFE
from xl_contacts.domain.table import COLUMNS

WRITES = {
    "addSheet",
    "setValues",
    "rangeClearContents",
    "addTable",
    "resizeTable",
    "sheetDelete",
    "sheetClear",
    "sheetClearContents",
    "rangeDelete",
}


def alerts(book) -> list[list[str]]:
    return [a["args"] for a in actions(book) if a["func"] == "alert"]


def unquote(value: str) -> str:
    assert value.startswith("'"), value
    return value[1:]


def test_first_refresh_into_an_empty_book(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    sheets = {"Sheet1": [["my data"]]}
    book = make_book(sheets)
    macros.refresh()
    assert alerts(book) == []
    assert funcs(book)[:3] == ["setScreenUpdating", "setCalculation", "addSheet"]
    assert funcs(book)[-2:] == ["setCalculation", "setScreenUpdating"]
    added = next(a for a in actions(book) if a["func"] == "addTable")
    assert added["args"] == ["$A$3:$E$6", True, "TableStyleMedium2", "Contacts"]
    cells = apply_actions(sheets, book)
    assert cells["Sheet1"] == {(1, 1): "my data"}
    contacts = cells["Contacts"]
    assert [unquote(contacts[(3, c)]) for c in range(1, 6)] == list(COLUMNS)
    assert [unquote(contacts[(4, c)]) for c in range(1, 6)] == [
        "10000000",
        "Василиса",
        "Василиса Премудрая",
        "user",
        "79876543210",
    ]
    assert (6, 5) not in contacts, "a hidden number is an empty cell"
    assert "3 contacts of instance" in contacts[(1, 1)]
    calc = [a["args"] for a in actions(book) if a["func"] == "setCalculation"]
    assert calc == [["Manual"], ["Automatic"]]


def _existing_contacts_sheet(n: int) -> tuple[dict, dict]:
    header = [*COLUMNS, "username"]
    rows = [[f"old{i}", "Old", "", "user", "", f"u{i}"] for i in range(n)]
    sheets = {"Sheet1": [[]], "Contacts": [["status"], [None] * 6, header, *rows]}
    tables = {"Contacts": [table_json("Contacts", f"A3:F{3 + n}")]}
    return sheets, tables


def test_refresh_over_a_longer_wider_table_leaves_nothing_stale(
    green_api_env: FakeGreenApi,
) -> None:
    green_api_env.answer(make_contacts(3))
    sheets, tables = _existing_contacts_sheet(10)
    book = make_book(sheets, tables)
    macros.refresh()
    assert alerts(book) == []
    resize = next(a for a in actions(book) if a["func"] == "resizeTable")
    assert resize["args"] == [0, "$A$3:$E$6"]
    assert "addTable" not in funcs(book) and "addSheet" not in funcs(book)
    contacts = apply_actions(sheets, book)["Contacts"]
    assert max(r for r, _ in contacts) == 6 and max(c for _, c in contacts) == 5
    assert not any("old" in str(v) for v in contacts.values())
    assert unquote(contacts[(6, 1)]) == "10000002"


def test_refresh_grows_a_shorter_table(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(make_contacts(50))
    sheets, tables = _existing_contacts_sheet(2)
    book = make_book(sheets, tables)
    macros.refresh()
    resize = next(a for a in actions(book) if a["func"] == "resizeTable")
    assert resize["args"] == [0, "$A$3:$E$53"]
    contacts = apply_actions(sheets, book)["Contacts"]
    assert not any(c == 6 for _, c in contacts), "the old username column is cleared"


@pytest.mark.parametrize(("cell", "at"), [((9, 1), "A9"), ((4, 8), "H4")])
def test_refresh_never_grows_over_the_users_cells(
    green_api_env: FakeGreenApi, cell: tuple[int, int], at: str
) -> None:
    raw = [{**c, "username": "u", "lastSeen": "today", "bio": "b"} for c in make_contacts(50)]
    green_api_env.answer(raw)
    sheets, tables = _existing_contacts_sheet(2)  # table A3:F5
    rows = sheets["Contacts"]
    while len(rows) < cell[0]:
        rows.append([])
    rows[cell[0] - 1] = [None] * (cell[1] - 1) + ["my note"]
    book = make_book(sheets, tables)
    macros.refresh()
    assert not {"setValues", "rangeClearContents", "resizeTable", "addTable"} & set(funcs(book))
    (alert,) = alerts(book)
    assert f"{at} holds data" in alert[0] and "A3:H53" in alert[0]


@pytest.mark.parametrize(
    ("status", "says"), [(401, "token rejected"), (466, "quota"), (500, "HTTP 500")]
)
def test_failed_fetch_changes_nothing_and_alerts_once(
    green_api_env: FakeGreenApi, status: int, says: str
) -> None:
    green_api_env.answer(status=status, body="no")
    sheets, tables = _existing_contacts_sheet(5)
    book = make_book(sheets, tables)
    macros.refresh()
    assert funcs(book) == ["alert"]
    ((message, title, _buttons, mode, _callback),) = alerts(book)
    assert says in message and title == "xl-contacts" and mode == "critical"
    assert TOKEN not in message and "Traceback" not in message


def test_missing_credentials_alert_without_writing() -> None:
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    assert funcs(book) == ["alert"]
    assert "GREENAPI_ID_INSTANCE" in alerts(book)[0][0]


def test_hostile_names_are_written_as_quoted_text(green_api_env: FakeGreenApi) -> None:
    raw = [
        {"chatId": f"-100{i}", "name": n, "contactName": n, "phoneNumber": 7900}
        for i, n in enumerate(HOSTILE_NAMES)
    ]
    green_api_env.answer(raw)
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    written = [
        v
        for a in actions(book)
        if a["func"] == "setValues"
        for row in a["values"]
        for v in row
        if v
    ]
    assert written and all(v.startswith("'") for v in written)
    assert "'" + HOSTILE_NAMES[0] in written and "'-1000" in written
    assert "'bellandnulescape" in written


def test_a_user_sheet_named_contacts_is_not_overwritten(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Contacts": [["my", "own"], ["data", 1]]})
    macros.refresh()
    assert funcs(book) == ["alert"] and "holds other data" in alerts(book)[0][0]
    assert green_api_env.requests == [], "checked before fetching"


def test_a_table_named_contacts_elsewhere_is_reported(green_api_env: FakeGreenApi) -> None:
    book = make_book({"Data": [["a"], ["b"]]}, {"Data": [table_json("Contacts", "A1:A2")]})
    macros.refresh()
    assert funcs(book) == ["alert"] and "'Data' already has a table" in alerts(book)[0][0]


def test_count_comes_from_the_workbook_settings(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS[:2])
    book = make_book(
        {
            "Sheet1": [[]],
            "xlwings.conf": [["UDF Modules", "xl_contacts.udfs"], ["Contacts Count", 2.0]],
        }
    )
    macros.refresh()
    assert alerts(book) == [] and green_api_env.requests[0].args["count"] == "2"


def test_bad_count_setting_is_explained(green_api_env: FakeGreenApi) -> None:
    book = make_book({"xlwings.conf": [["Contacts Count", "lots"]]})
    macros.refresh()
    assert funcs(book) == ["alert"] and "'Contacts Count'" in alerts(book)[0][0]
    assert green_api_env.requests == []


def test_refresh_makes_getcontacts_fetch_fresh_data(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS[:1], once=True)
    green_api_env.answer(REFERENCE_CONTACTS)
    assert len(udfs.GETCONTACTS()) == 2
    make_book({"Sheet1": [[]]})
    macros.refresh()
    assert len(udfs.GETCONTACTS()) == 4


def test_settings_are_restored_when_writing_fails(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xl_contacts.sinks import live_sheet

    def broken(*args: object) -> None:
        raise RuntimeError("Excel went away")

    green_api_env.answer(REFERENCE_CONTACTS)
    monkeypatch.setattr(live_sheet, "write_contacts", broken)
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    assert funcs(book) == [
        "setScreenUpdating",
        "setCalculation",
        "setCalculation",
        "setScreenUpdating",
        "alert",
    ]
    assert "internal error (RuntimeError" in alerts(book)[0][0]


def test_refresh_of_100k_contacts_is_one_chunked_block(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(make_contacts(100_000))
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    assert alerts(book) == []
    writes = [a for a in actions(book) if a["func"] == "setValues"]
    table_writes = [a for a in writes if a["start_row"] >= 2]  # row 1 is the status
    assert sum(a["row_count"] for a in table_writes) == 100_001
    assert all(a["row_count"] * a["column_count"] <= 100_000 for a in table_writes)
    assert len(table_writes) <= 6, "xlwings' own chunks, not per-row calls"
    added = next(a for a in actions(book) if a["func"] == "addTable")
    assert added["args"][0] == "$A$3:$E$100003"


def test_export_report_saves_next_to_the_configured_folder(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    green_api_env.answer(make_contacts(12))
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]})
    macros.export_report()
    ((message, _, _, mode, _),) = alerts(book)
    assert mode == "info" and "Saved 12 contacts" in message
    (saved,) = tmp_path.glob("Contacts contacts *.xlsx")
    assert str(saved) in message
    assert openpyxl.load_workbook(saved)["Contacts"].max_row == 13


def test_export_report_defaults_to_the_home_folder_for_unsaved_books(
    green_api_env: FakeGreenApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Sheet1": [[]]}, name="Book1")
    macros.export_report()
    assert alerts(book)[0][3] == "info"
    assert len(list(tmp_path.glob("Book1 contacts *.xlsx"))) == 1


def test_a_second_save_in_the_same_second_keeps_the_first_report(tmp_path: Path) -> None:
    book = make_book({"Sheet1": [[]]}, name="Book1.xlsx")
    when = datetime(2026, 12, 1, 23, 50, 13, tzinfo=UTC)
    first = macros.new_report_path(tmp_path, book, when)
    first.write_bytes(b"report 1")
    second = macros.new_report_path(tmp_path, book, when)
    assert second != first and second.name == "Book1 contacts 2026-12-01 235013_02.xlsx"
    second.write_bytes(b"report 2")
    assert macros.latest_report(tmp_path, book) == second, "the newest is still the last name"


def test_failed_export_writes_no_file(green_api_env: FakeGreenApi, tmp_path: Path) -> None:
    green_api_env.answer(status=403, body="")
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]})
    macros.export_report()
    assert funcs(book) == ["alert"] and "HTTP 403" in alerts(book)[0][0]
    assert list(tmp_path.iterdir()) == []


def test_missing_report_folder_is_explained(tmp_path: Path) -> None:
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path / "nope")]]})
    macros.export_report()
    assert "does not exist" in alerts(book)[0][0]


# --- what Excel refuses, and a button Excel waits on -------------------------------------


def refusing_writes(monkeypatch: pytest.MonkeyPatch, refuse: Callable[[int], bool]) -> None:
    """Excel refuses the n-th value write when ``refuse(n)`` (a COM error as
    pywin32 raises it: 0x800A03EC, as on a protected sheet)."""
    from xlwings.pro import _xlremote

    original = _xlremote.Range.raw_value
    writes = itertools.count(1)

    def setter(self: Any, value: Any) -> None:
        if refuse(next(writes)):
            raise cannot_set("Value")
        original.fset(self, value)

    monkeypatch.setattr(_xlremote.Range, "raw_value", property(original.fget, setter))


def test_refresh_resizes_the_table_before_clearing_what_it_dropped(
    green_api_env: FakeGreenApi,
) -> None:
    green_api_env.answer(make_contacts(3))
    sheets, tables = _existing_contacts_sheet(10)  # A3:F13, one column more
    book = make_book(sheets, tables)
    macros.refresh()
    order = [f for f in funcs(book) if f in ("resizeTable", "rangeClearContents")]
    # Cleared inside the table, Excel would refill the dropped header with "Column6".
    assert order == ["resizeTable", "rangeClearContents", "rangeClearContents"]
    clears = [(a["start_row"], a["start_column"]) for a in actions(book) if "Clear" in a["func"]]
    assert clears == [(6, 0), (2, 5)]  # rows 7-13, then column F of rows 3-6 (0-based)


def test_a_write_excel_refuses_midway_puts_the_previous_table_back(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xl_contacts.sinks import live_sheet

    green_api_env.answer(make_contacts(20))
    monkeypatch.setattr(live_sheet, "CHUNK_CELLS", 10)  # two rows per write
    refusing_writes(monkeypatch, lambda n: n == 3)  # the third block of the new table
    sheets, tables = _existing_contacts_sheet(10)
    book = make_book(sheets, tables)

    macros.refresh()

    ((message, *_),) = alerts(book)
    assert "Excel refused to change a cell" in message and "put back as it was" in message
    cells = apply_actions(copy.deepcopy(sheets), book)["Contacts"]
    before = apply_actions(copy.deepcopy(sheets), make_book(sheets, tables))["Contacts"]
    assert {k: v.lstrip("'") if isinstance(v, str) else v for k, v in cells.items()} == before
    resize = [a["args"] for a in actions(book) if a["func"] == "resizeTable"]
    assert resize == [[0, "$A$3:$F$13"]], "only back to where it was"


def test_a_refused_write_into_a_new_sheet_removes_the_sheet(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    refusing_writes(monkeypatch, lambda n: True)
    book = make_book({"Sheet1": [["mine"]]})
    macros.refresh()
    assert [f for f in funcs(book) if f in ("addSheet", "sheetDelete")] == [
        "addSheet",
        "sheetDelete",
    ]
    assert "put back as it was" in alerts(book)[0][0]


def test_when_putting_back_fails_too_the_message_says_refresh_again(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xl_contacts.sinks import live_sheet

    green_api_env.answer(make_contacts(20))
    monkeypatch.setattr(live_sheet, "CHUNK_CELLS", 10)
    refusing_writes(monkeypatch, lambda n: n >= 2)
    sheets, tables = _existing_contacts_sheet(10)
    book = make_book(sheets, tables)
    macros.refresh()
    ((message, *_),) = alerts(book)
    assert "may be incomplete — refresh again" in message and "Traceback" not in message


def test_a_refused_status_cell_is_explained_not_reported_as_a_bug(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    refusing_writes(monkeypatch, lambda n: n == 2)  # the table is written, the status is not
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    ((message, *_),) = alerts(book)
    assert message.startswith("Excel refused to change a cell: is the sheet protected")
    assert "please report" not in message and "-2147352567" not in message


def test_a_slow_green_api_costs_the_short_interactive_budget(
    green_api_env: FakeGreenApi,
) -> None:
    from xl_contacts.api import client

    green_api_env.answer(status=503, body="busy")
    book = make_book({"Sheet1": [[]]})
    macros.refresh()
    assert funcs(book) == ["alert"] and "HTTP 503" in alerts(book)[0][0]
    # Excel is frozen meanwhile: one retry within 20 s, not the command line's three in 60 s.
    assert len(green_api_env.requests) == client.INTERACTIVE_RETRIES + 1


def test_the_status_bar_says_what_excel_waits_for(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlwings.pro import _xlremote

    from xl_contacts.sinks import live_sheet

    shown: list[object] = []
    monkeypatch.setattr(  # Office.js has no status bar: record what Excel would show
        _xlremote.App, "status_bar", property(lambda self: False, lambda self, v: shown.append(v))
    )
    monkeypatch.setattr(live_sheet, "CHUNK_CELLS", 5 * 30)
    green_api_env.answer(make_contacts(50))
    make_book({"Sheet1": [[]]})
    macros.refresh()
    assert shown == [
        f"xl-contacts: asking GREEN-API for all contacts of instance {ID_INSTANCE} "
        "(Excel waits at most 20 s)…",
        "xl-contacts: writing contacts, 30 of 51 rows…",
        "xl-contacts: writing contacts, 51 of 51 rows…",
        False,  # Excel's own status bar back
    ]


def test_the_status_bar_is_given_back_when_the_fetch_fails(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlwings.pro import _xlremote

    shown: list[object] = []
    monkeypatch.setattr(
        _xlremote.App, "status_bar", property(lambda self: False, lambda self, v: shown.append(v))
    )
    green_api_env.answer(status=401, body="")
    make_book({"Sheet1": [[]]})
    macros.refresh()
    assert shown[-1] is False and len(shown) == 2


# Protection, read through xlwings' Windows engine on stand-in COM objects.


@pytest.fixture
def excel(monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInExcel]:
    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)  # the caller comes from VBA
    with windows_xlwings() as windows:
        yield windows.excel()


def test_a_protected_contacts_sheet_is_reported_before_anything_happens(
    green_api_env: FakeGreenApi, excel: StandInExcel
) -> None:
    book = excel.add_workbook("Contacts.xlsm")
    book.add_sheet("Start")
    book.add_sheet("Contacts").Protect()
    excel.run_python(book, "import xl_contacts.macros; xl_contacts.macros.refresh()")
    ((action, title, _, message),) = excel.python_actions()
    assert (action, title) == ("MessageBox", "xl-contacts")
    assert message.startswith("the sheet 'Contacts' is protected — unprotect it")
    assert green_api_env.requests == []


def test_a_protected_workbook_structure_is_reported_before_anything_happens(
    green_api_env: FakeGreenApi, excel: StandInExcel
) -> None:
    book = excel.add_workbook("Contacts.xlsm")
    book.add_sheet("Start")
    book.ProtectStructure = True
    excel.run_python(book, "import xl_contacts.macros; xl_contacts.macros.refresh()")
    ((action, _, _, message),) = excel.python_actions()
    assert action == "MessageBox" and "structure is protected" in message
    assert green_api_env.requests == []


def test_the_status_bar_through_excels_com_object(excel: StandInExcel) -> None:
    import xlwings._xlwindows

    from xl_contacts.sinks import live_sheet

    app = xw.App(impl=xlwings._xlwindows.App(xl=excel))
    with live_sheet.status_bar(app) as show:
        show("xl-contacts: asking GREEN-API…")
    assert [(a, text) for a, _, _, text in excel.python_actions()] == [
        ("StatusBar", "xl-contacts: asking GREEN-API…"),
        ("StatusBar", False),
    ]


def test_a_cyrillic_workbook_and_folder_name_work_end_to_end(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    folder = tmp_path / "Отчёты Ивана"
    folder.mkdir()
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book(
        {"xlwings.conf": [["Contacts Report Folder", str(folder)]]}, name="Контакты.xlsm"
    )
    macros.export_report()
    ((message, _, _, mode, _),) = alerts(book)
    (saved,) = folder.glob("Контакты contacts *.xlsx")
    assert mode == "info" and str(saved) in message
    assert openpyxl.load_workbook(saved)["Contacts"]["B2"].value == "Василиса"


# In Russian: the workbook's Contacts Language row, or a Russian Excel.

RUSSIAN_CONF = ["Contacts Language", "ru"]


def test_refresh_in_russian_status_line_and_status_bar(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlwings.pro import _xlremote

    shown: list[object] = []
    monkeypatch.setattr(
        _xlremote.App, "status_bar", property(lambda self: False, lambda self, v: shown.append(v))
    )
    green_api_env.answer(make_contacts(3))
    sheets = {"Sheet1": [[]], "xlwings.conf": [RUSSIAN_CONF]}
    book = make_book(sheets)
    macros.refresh()

    assert alerts(book) == []
    status = apply_actions(sheets, book)["Contacts"][(1, 1)]
    assert "Обновлено" in status and f"3 контакта инстанса {ID_INSTANCE}" in status
    assert "Refreshed" not in status and "contacts of instance" not in status
    asking, writing, restored = shown
    assert asking.startswith("xl-contacts: запрашиваем у GREEN-API ") and "Excel ждёт" in asking
    assert writing == "xl-contacts: запись контактов, 4 из 4 строк…"
    assert "asking GREEN-API for" not in asking and restored is False
    assert unquote(apply_actions(sheets, book)["Contacts"][(3, 1)]) == COLUMNS[0], "ids stay"


def test_an_alert_in_russian(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Contacts": [["my", "own"], ["data", 1]], "xlwings.conf": [RUSSIAN_CONF]})
    macros.refresh()
    ((message, title, _, mode, _),) = alerts(book)
    assert "на листе 'Contacts' другие данные" in message and "holds other data" not in message
    assert (title, mode) == ("xl-contacts", "critical")


def test_save_report_says_where_in_russian(green_api_env: FakeGreenApi, tmp_path: Path) -> None:
    green_api_env.answer(make_contacts(12))
    conf = [["Contacts Report Folder", str(tmp_path)], RUSSIAN_CONF]
    book = make_book({"xlwings.conf": conf})
    macros.export_report()
    ((message, _, _, mode, _),) = alerts(book)
    (saved,) = tmp_path.glob("Contacts contacts *.xlsx")  # file names stay
    assert mode == "info" and message.startswith("Сохранено (") and str(saved) in message
    assert "Saved" not in message


def test_an_unknown_contacts_language_is_explained() -> None:
    book = make_book({"xlwings.conf": [["Contacts Language", "de"]]})
    macros.refresh()
    (message,) = [a[0] for a in alerts(book)]
    assert "'Contacts Language' on the xlwings.conf sheet must be en or ru, not 'de'" in message


def test_xl_contacts_lang_speaks_when_the_workbook_says_nothing(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XL_CONTACTS_LANG", "ru")
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Contacts": [["my", "own"], ["data", 1]]})
    macros.refresh()
    assert "другие данные" in alerts(book)[0][0]


def test_a_russian_excel_alerts_in_russian_through_com(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The COM path: Excel's LanguageSettings.LanguageID(msoLanguageIDUI) is 1049."""
    monkeypatch.delattr(xw.Book, "_mock_caller", raising=False)  # the caller comes from VBA
    with windows_xlwings() as windows:
        excel = windows.excel(ui_language=RUSSIAN_UI)
        book = excel.add_workbook("Contacts.xlsm")
        book.add_sheet("Start")
        book.add_sheet("Contacts").Protect()
        excel.run_python(book, "import xl_contacts.macros; xl_contacts.macros.refresh()")
    ((action, _, _, message),) = excel.python_actions()
    assert action == "MessageBox" and message.startswith("лист 'Contacts' защищён — снимите")
    assert "is protected" not in message and green_api_env.requests == []


def test_the_ribbons_language_goes_along_with_the_button(green_api_env: FakeGreenApi) -> None:
    """ContactsRibbon.bas runs refresh('ru') / export_report('ru'): the language
    its labels speak, chosen by the VBA on Windows and macOS alike."""
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Contacts": [["my", "own"], ["data", 1]]})
    macros.refresh("ru")
    assert "другие данные" in alerts(book)[0][0]
    book = make_book({"Contacts": [["my", "own"], ["data", 1]], "xlwings.conf": [RUSSIAN_CONF]})
    macros.refresh("en")
    assert "holds other data" in alerts(book)[0][0]


# --- text from the workbook in an alert: one safe line, short ---------------------------

# What a shared workbook's cell, sheet name or folder setting may hold: a bidi override
# (U+202E shows "exe.txt" as "txt.exe"), terminal escapes, line breaks, and a lot of it.
HOSTILE = "\u202e\x1b[31m\x07ab\r\n=HYPERLINK(1)\u2066" + "x" * 5_000
# An alert repeats at most a few dozen characters of it, within a sentence of ours.
ALERT_LIMIT = 400


def assert_shown_safely(message: str, *, lines: int = 1) -> None:
    """No character that moves, recolours or reorders what is shown; only our own line
    breaks; a stranger's text shortened."""
    assert not TERMINAL_UNSAFE.search(message.replace("\n", "")), repr(message[:200])
    assert message.count("\n") == lines - 1, repr(message[:200])
    assert "x" * 100 not in message, "repeated whole"


def the_alert(book: Any) -> str:
    ((message, *_),) = alerts(book)
    return message


def test_an_unknown_contacts_language_is_repeated_safely_and_short() -> None:
    book = make_book({"xlwings.conf": [["Contacts Language", HOSTILE]]})
    macros.refresh()
    message = the_alert(book)
    assert_shown_safely(message)
    assert len(message) < ALERT_LIMIT
    assert "must be en or ru, not '[31mab =HYPERLINK(1)xxx" in message  # ESC and BEL gone


def test_a_sheet_name_is_repeated_safely() -> None:
    name = "\u202eataD\x1b"
    book = make_book({name: [["a"], ["b"]]}, {name: [table_json("Contacts", "A1:A2")]})
    macros.refresh()
    message = the_alert(book)
    assert_shown_safely(message)
    assert "the sheet 'ataD' already has a table" in message


@pytest.mark.parametrize("depth", [1, 30], ids=["one long name", "a long path"])
def test_a_missing_report_folder_is_repeated_safely_and_short(tmp_path: Path, depth: int) -> None:
    # One name longer than a file system allows (an OSError), or a long path of short ones.
    folder = tmp_path.joinpath(*[HOSTILE[: 5_000 // depth]] * depth)
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(folder)]]})
    macros.export_report()
    message = the_alert(book)
    assert_shown_safely(message)
    assert len(message) < ALERT_LIMIT and "does not exist" in message
    assert "internal error" not in message


def test_excels_own_refusal_is_repeated_safely_and_short(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlwings.pro import _xlremote

    refusal = copy.copy(cannot_set("Value"))
    info = list(refusal.args[2])
    info[2], info[5] = HOSTILE, 0  # Excel's sentence, not the "cannot change" code
    refusal.args = (*refusal.args[:2], tuple(info), *refusal.args[3:])

    def setter(self: Any, value: Any) -> None:
        raise refusal

    original = _xlremote.Range.raw_value
    monkeypatch.setattr(_xlremote.Range, "raw_value", property(original.fget, setter))
    green_api_env.answer(REFERENCE_CONTACTS)
    book = make_book({"Sheet1": [["mine"]]})
    macros.refresh()
    message = the_alert(book)
    assert_shown_safely(message)
    assert len(message) < ALERT_LIMIT and "put back as it was" in message


def test_the_saved_alert_shows_the_workbooks_name_and_notes_safely(
    green_api_env: FakeGreenApi, tmp_path: Path
) -> None:
    green_api_env.answer(make_contacts(3))
    name = "\u202eslx\x1b[2J.xlsm"
    # An earlier "report" of this workbook that is none: the note says why, naming it.
    (tmp_path / "\u202eslx\x1b[2J contacts 2000-01-01 000000.xlsx").write_bytes(b"\x1b[2J")
    book = make_book({"xlwings.conf": [["Contacts Report Folder", str(tmp_path)]]}, name=name)
    macros.export_report()
    ((message, _, _, mode, _),) = alerts(book)
    assert mode == "info" and "Not compared with an earlier report" in message
    assert_shown_safely(message, lines=4)  # "Saved … to", the path, an empty line, the note
    saved = max(tmp_path.glob("*contacts 2*.xlsx"))
    assert "slx[2J contacts " in message and str(saved) not in message
