"""Ribbon macros on real xlwings Book objects (the remote engine), against the
stand-in GREEN-API server."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from remote_book import actions, apply_actions, funcs, make_book, table_json
from stand_in import HOSTILE_NAMES, REFERENCE_CONTACTS, TOKEN, FakeGreenApi, make_contacts

from xl_contacts import macros, udfs
from xl_contacts.contacts import COLUMNS

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
    from xl_contacts import live_sheet

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
