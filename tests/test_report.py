"""The report workbook, read back with openpyxl and opened by LibreOffice."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import formulas_in, libreoffice_converts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stand_in import HOSTILE_NAMES, make_contacts

from xl_contacts import __version__
from xl_contacts.cells import MAX_CELL_CHARS, clean
from xl_contacts.contacts import COLUMNS, normalise
from xl_contacts.errors import ReportError
from xl_contacts.xlsx_report import write_report


def _rows(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_contacts_sheet_is_a_table_of_text(tmp_path: Path) -> None:
    raw = make_contacts(25) + [{"chatId": "-100200300", "type": "channel", "username": "news"}]
    table = normalise(raw, instance_id="1101823456")
    path = write_report(table, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contacts", "Summary"]
    ws = wb["Contacts"]
    rows = _rows(ws)
    assert rows[0] == [*COLUMNS, "username"]
    assert len(rows) == 27
    assert rows[1] == ["10000000", "Name 0 Фамилия", "Contact 0", "group", None, None]
    assert rows[2][4] == "79000000001"
    assert rows[26][:5] == ["-100200300", None, None, "channel", None]
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value)
    tab = ws.tables["Contacts"]
    assert tab.ref == "A1:F27" and tab.tableStyleInfo.name.startswith("TableStyle")
    assert [c.name for c in tab.tableColumns] == rows[0]
    assert ws.freeze_panes == "A2"
    assert 8 <= ws.column_dimensions["C"].width <= 60


def test_summary_sheet(tmp_path: Path) -> None:
    table = normalise(make_contacts(20), instance_id="1101823456")
    table.fetched_at = datetime(2026, 11, 25, 9, 30, 15, 123, tzinfo=UTC)
    wb = openpyxl.load_workbook(write_report(table, tmp_path / "r.xlsx"))
    ws = wb["Summary"]
    values = {row[0]: row[1] for row in _rows(ws) if row[0]}
    assert values["Instance id"] == "1101823456"
    assert values["Fetched at (UTC)"] == datetime(2026, 11, 25, 9, 30, 15)
    assert values["Contacts"] == 20
    assert values["Hidden phone numbers"] == 4
    assert values["Program"] == f"xl-contacts {__version__}"
    assert values["user"] == 18 and values["group"] == 2
    assert len(ws._charts) == 1


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    raw = [
        {"chatId": str(i), "name": name, "contactName": name, "type": name}
        for i, name in enumerate(HOSTILE_NAMES)
    ]
    raw.append({"chatId": "x", "=evil": "=1+1"})  # a hostile extra column name, too
    path = write_report(normalise(raw), tmp_path / "r.xlsx")
    assert formulas_in(path) == []
    wb = openpyxl.load_workbook(path)
    names = [row[1] for row in _rows(wb["Contacts"])[1:]]
    assert names[0] == HOSTILE_NAMES[0]
    assert names[4] == "\t=1+1"
    assert names[7] == "bellandnulescape"
    assert len(names[8]) == MAX_CELL_CHARS
    assert _rows(wb["Contacts"])[0][-1] == "=evil"
    types = {row[0] for row in _rows(wb["Summary"])}
    assert HOSTILE_NAMES[0] in types


def test_empty_list_still_makes_a_valid_table(tmp_path: Path) -> None:
    path = write_report(normalise([]), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert _rows(wb["Contacts"]) == [list(COLUMNS)]
    assert wb["Contacts"].tables["Contacts"].ref == "A1:E2"


def test_a_failed_write_leaves_the_previous_report(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report(normalise(make_contacts(3)), path)
    before = path.read_bytes()

    def disk_full(done: int, total: int) -> None:  # called half-way through the rows
        raise OSError(28, "No space left on device")

    with pytest.raises(ReportError, match="No space left on device"):
        write_report(normalise(make_contacts(25_000)), path, progress=disk_full)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.xlsx"], "no temporary files left"


def test_more_rows_than_a_sheet_holds_is_refused(tmp_path: Path) -> None:
    table = normalise([])
    table.rows = [["1", "", "", "user", ""]] * (1_048_576)
    with pytest.raises(ReportError, match="do not fit"):
        write_report(table, tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["r.xls", "r.csv", "missing-folder/r.xlsx"])
def test_bad_output_paths(tmp_path: Path, name: str) -> None:
    with pytest.raises(ReportError) as caught:
        write_report(normalise([]), tmp_path / name)
    assert caught.value.exit_code == 2


def test_progress_is_reported(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    write_report(
        normalise(make_contacts(25_000)),
        tmp_path / "r.xlsx",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(10_000, 25_000), (20_000, 25_000), (25_000, 25_000)]


def test_libreoffice_opens_the_report(tmp_path: Path) -> None:
    raw = make_contacts(30) + [{"chatId": "1", "name": n} for n in HOSTILE_NAMES[:4]]
    path = write_report(normalise(raw, instance_id="1"), tmp_path / "report.xlsx")
    csv_file = libreoffice_converts(path, tmp_path, "csv")
    text = csv_file.read_text(encoding="utf-8", errors="replace")
    assert text.splitlines()[0].startswith("chatId,name,contactName,type,phoneNumber")
    assert '=HYPERLINK(""http://evil.invalid' in text, "the formula text stayed text"
    assert "evil.invalid/?&A1" not in text


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=8))
def test_any_text_reads_back_as_written(tmp_path: Path, names: list[str]) -> None:
    raw = [{"chatId": str(i), "name": name, "contactName": name} for i, name in enumerate(names)]
    path = write_report(normalise(raw), tmp_path / "r.xlsx")
    rows = _rows(openpyxl.load_workbook(path)["Contacts"])[1:]
    assert [row[1] for row in rows] == [clean(name) or None for name in names]
    assert [row[2] for row in rows] == [clean(name) or None for name in names]
