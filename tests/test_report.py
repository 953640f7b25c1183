"""The report workbook, read back with openpyxl and opened by LibreOffice."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import formulas_in, libreoffice_converts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from stand_in import HOSTILE_NAMES, make_contacts

from xl_contacts import __version__
from xl_contacts.base.cells import MAX_CELL_CHARS, clean
from xl_contacts.base.errors import ReportError
from xl_contacts.base.names import PHONE_COLUMNS
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import COLUMNS, ContactTable
from xl_contacts.sinks.xlsx_report import write_report

HEADERS = [*COLUMNS, *PHONE_COLUMNS]


def _rows(ws) -> list[list[object]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _ignored_errors(path: Path, sheet: int) -> list[str]:
    """The ranges whose "number stored as text" warnings a sheet switches off."""
    with zipfile.ZipFile(path) as package:
        xml = package.read(f"xl/worksheets/sheet{sheet}.xml").decode()
    return re.findall(r'<ignoredError sqref="([^"]+)" numberStoredAsText="1"/>', xml)


def test_contacts_sheet_is_a_table_of_text(tmp_path: Path) -> None:
    raw = make_contacts(25) + [{"chatId": "-100200300", "type": "channel", "username": "news"}]
    table = normalise(raw, id_instance="1101823456")
    path = write_report(table, tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contacts", "Summary"]
    ws = wb["Contacts"]
    rows = _rows(ws)
    assert rows[0] == [*COLUMNS, "username", *PHONE_COLUMNS], "the API's extras, then ours"
    assert len(rows) == 27
    assert rows[1] == ["10000000", "Name 0 Фамилия", "Contact 0", "group", *[None] * 4]
    assert rows[2][4] == "79000000001", "phoneNumber: the exact digits"
    assert rows[2][6:] == ["+7 900 000-00-01", "Russia"]
    assert rows[26][:5] == ["-100200300", None, None, "channel", None]
    assert all(c.data_type == "s" for row in ws.iter_rows(min_row=2) for c in row if c.value)
    tab = ws.tables["Contacts"]
    assert tab.ref == "A1:H27" and tab.tableStyleInfo.name.startswith("TableStyle")
    assert [c.name for c in tab.tableColumns] == rows[0]
    assert tab.autoFilter.ref == "A1:H27", "filter buttons"
    assert ws.freeze_panes == "A2"
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEFGH"]
    assert all(6 <= w <= 40 for w in widths) and widths[1] > widths[3], widths
    assert _ignored_errors(path, 1) == ["A1:H27"]


def test_the_header_has_a_style_of_its_own(tmp_path: Path) -> None:
    """Bold on a fill with a border: LibreOffice does not draw Excel's table styles."""
    path = write_report(normalise(make_contacts(3)), tmp_path / "r.xlsx")
    header = next(openpyxl.load_workbook(path)["Contacts"].iter_rows(max_row=1))
    for cell in header:
        assert cell.font.b and cell.font.name == "Calibri"
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("4472C4")
        assert cell.border.bottom.style == "thin"


def test_every_sheet_prints_one_page_wide_with_its_header(tmp_path: Path) -> None:
    table = normalise(make_contacts(5), id_instance="1101823456")
    table.fetched_at = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    wb = openpyxl.load_workbook(write_report(table, tmp_path / "r.xlsx"))
    for ws in wb:
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert setup.fitToWidth == 1
        assert ws.oddHeader.center.text == "&A", "the sheet's name heads each page"
        assert ws.oddFooter.left.text == "Instance 1101823456 · fetched 2026-11-25 09:30 UTC"
        assert ws.oddFooter.right.text == "Page &P of &N"
    contacts, summary = wb["Contacts"], wb["Summary"]
    assert contacts.page_setup.orientation == "landscape"
    assert contacts.page_setup.fitToHeight == 0, "as many pages down as it takes"
    assert contacts.print_title_rows == "$1:$1", "the header row on every page"
    assert summary.page_setup.orientation == "portrait" and summary.page_setup.fitToHeight == 1


def test_document_properties(tmp_path: Path) -> None:
    table = normalise(make_contacts(12), id_instance="1101823456")
    table.fetched_at = datetime(2026, 11, 25, 9, 30, 15, tzinfo=UTC)
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    properties = openpyxl.load_workbook(write_report(table, tmp_path / "r.xlsx")).properties
    assert properties.title == "Contacts of GREEN-API instance 1101823456"
    assert properties.subject == "GREEN-API instance 1101823456"
    assert properties.creator == f"xl-contacts {__version__}"
    assert properties.description == "12 contacts fetched from GREEN-API at 2026-11-25 09:30:15 UTC"
    assert before <= properties.created <= datetime.now(UTC).replace(tzinfo=None)


@pytest.mark.parametrize(
    ("chat_id", "phone", "expected"),
    [
        ("79876543210@c.us", 79876543210, ["+7 987 654-32-10", "Russia"]),
        ("120363000000000000@g.us", 0, [None, None]),
        ("208888888888888@lid", 0, [None, None]),
        ("208888888888888@lid", 14155550100, [None, None]),  # a linked id: not a phone
        ("10000001", 999123, [None, None]),  # no calling code fits
    ],
)
def test_phone_columns(tmp_path: Path, chat_id: str, phone: int, expected: list) -> None:
    raw = [{"chatId": chat_id, "name": "x", "type": "user", "phoneNumber": phone}]
    rows = _rows(
        openpyxl.load_workbook(write_report(normalise(raw), tmp_path / "r.xlsx"))["Contacts"]
    )
    assert rows[0] == HEADERS
    assert rows[1][4] == (str(phone) if phone else None)
    assert rows[1][5:] == expected


def test_summary_sheet(tmp_path: Path) -> None:
    table = normalise(make_contacts(20), id_instance="1101823456")
    table.fetched_at = datetime(2026, 11, 25, 9, 30, 15, 123, tzinfo=UTC)
    wb = openpyxl.load_workbook(write_report(table, tmp_path / "r.xlsx"))
    ws = wb["Summary"]
    rows = _rows(ws)
    assert rows[0][0] == "xl-contacts report"
    values = {row[0]: row[1] for row in reversed(rows) if row[0]}  # the first one wins
    assert values["Instance id"] == "1101823456"
    assert values["Fetched at (UTC)"] == datetime(2026, 11, 25, 9, 30, 15)
    assert values["Contacts"] == 20
    assert values["Hidden phone numbers (personal contacts)"] == 2  # groups have none
    assert values["Program"] == f"xl-contacts {__version__}"
    assert values["user"] == 18 and values["group"] == 2
    assert values["Russia"] == 16
    assert len(ws._charts) == 2
    formats = {row[0].value: row[1].number_format for row in ws.iter_rows() if row[0].value}
    assert formats["Fetched at (UTC)"] == "yyyy-mm-dd hh:mm:ss"
    assert formats["Contacts"] == formats["user"] == formats["Russia"] == "#,##0"
    fonts = {c.font.name for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Calibri"}, "one font family"
    (used,) = _ignored_errors(tmp_path / "r.xlsx", 2)
    assert re.fullmatch(r"A1:C(\d+)", used) and int(used[4:]) >= ws.max_row


def test_summary_says_what_the_report_holds_after_the_instance(tmp_path: Path) -> None:
    about = [("Contacts asked for", "groups only"), ("Count limit", 5_000)]
    path = write_report(normalise(make_contacts(3)), tmp_path / "r.xlsx", about=about)
    rows = _rows(openpyxl.load_workbook(path)["Summary"])
    assert [row[:2] for row in rows[1:4]] == [
        ["Instance id", "—"],
        ["Contacts asked for", "groups only"],
        ["Count limit", 5_000],
    ]


def test_summary_counts_the_largest_and_the_rest(tmp_path: Path) -> None:
    raw = make_contacts(40)
    for i, contact in enumerate(raw):
        contact["type"] = f"kind {i % 20}"  # 20 types of 2 contacts each
        contact["phoneNumber"] = int(f"{[1, 7, 33, 44, 49][i % 5]}{9_000_000_000 + i}")
    rows = _rows(
        openpyxl.load_workbook(write_report(normalise(raw), tmp_path / "r.xlsx"))["Summary"]
    )
    names = [row[0] for row in rows]
    types = names[names.index("Type") + 1 : names.index("Type") + 17]
    assert types[-1] == "other types" and len(types) == 16
    assert rows[names.index("other types")][1:3] == [10, 0.25]
    assert "other countries" not in names, "5 countries: no rest to sum"


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
    assert _rows(wb["Contacts"])[0][5] == "=evil"
    types = {row[0] for row in _rows(wb["Summary"])}
    assert HOSTILE_NAMES[0] in types


# Text a reader would change: a CR at an edge (kept only with xml:space="preserve",
# decided on the text, not on its "&#13;"), and "_xHHHH_", which SpreadsheetML
# readers decode ("_x003D_" is "=") unless its "_" is written "_x005F_".
READ_BACK_NAMES = [
    *HOSTILE_NAMES[:7],
    "x\r",
    " both ",
    "_x0041_",
    "_x003D_1+1",
    "a_x005F_x0041_b",
    "_x0041_x0042_",
    "_X0041_ and _x41_ stay",
]


def test_every_reader_gets_the_names_back_exactly(tmp_path: Path) -> None:
    raw = [{"chatId": str(i), "name": name} for i, name in enumerate(READ_BACK_NAMES)]
    path = write_report(normalise(raw), tmp_path / "r.xlsx")
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Contacts").to_python()
    assert [row[1] for row in sheet[1:]] == READ_BACK_NAMES
    # LibreOffice reads it and writes its first sheet as CSV (comma, quote, UTF-8):
    # no format of its own in between that could decode or escape anything.
    as_csv = "csv:Text - txt - csv (StarCalc):44,34,76"
    converted = libreoffice_converts(path, tmp_path / "lo", as_csv)
    with converted.open(encoding="utf-8", newline="") as text:
        assert [row[1] for row in list(csv.reader(text))[1:]] == READ_BACK_NAMES


def test_summary_and_headers_read_back_as_written(tmp_path: Path) -> None:
    # Types (the Summary's "by type") and extra field names (headers) come from strangers too.
    raw = [{"chatId": "1", "type": "_x003D_1+1", "_x0041_": "x"}]
    path = write_report(normalise(raw), tmp_path / "r.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    assert "_x0041_" in book.get_sheet_by_name("Contacts").to_python()[0]
    summary = [row[0] for row in book.get_sheet_by_name("Summary").to_python()]
    assert "_x003D_1+1" in summary
    # The table's column name is written as its header cell is: both decode alike.
    with zipfile.ZipFile(path) as package:
        table = package.read("xl/tables/table1.xml").decode()
        header = package.read("xl/worksheets/sheet1.xml").decode()
    assert 'name="_x005F_x0041_"' in table
    assert ">_x005F_x0041_<" in header


def test_empty_list_still_makes_a_valid_table(tmp_path: Path) -> None:
    path = write_report(normalise([]), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert _rows(wb["Contacts"]) == [HEADERS]
    assert wb["Contacts"].tables["Contacts"].ref == "A1:G2"


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
    table = ContactTable(list(COLUMNS), [["1", "", "", "user", ""]] * (1_048_576))
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
    path = write_report(normalise(raw, id_instance="1"), tmp_path / "report.xlsx")
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


# A program that calls the library keeps its numpy: openpyxl, imported for the
# report, still takes numpy's numbers as cells (only the command keeps numpy out).
_WITH_NUMPY_LATER = """
import sys
from xl_contacts.domain.contacts import normalise
from xl_contacts.sinks.xlsx_report import write_report

table = normalise([{"chatId": "79001234567@c.us", "name": "Ivan", "type": "user"}])
write_report(table, sys.argv[1])
import numpy, openpyxl
sheet = openpyxl.Workbook().active
sheet.append([numpy.int64(7), numpy.float64(0.5)])
print(sheet["A1"].value + sheet["B1"].value)
"""


def test_a_program_calling_the_library_keeps_numpy_for_openpyxl(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    done = subprocess.run(
        [sys.executable, "-c", _WITH_NUMPY_LATER, str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["7.5"]
    assert openpyxl.load_workbook(out).sheetnames[0] == "Contacts"
