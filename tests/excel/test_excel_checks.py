"""The real-Excel suite's checks, run here: the spill read through Excel's own
``HasSpill``/``SpillingToRange`` (xlwings' Windows engine on the COM stand-in,
``=GETCONTACTS`` answered by the real UDF through xlwings' COM path) and the
token search of a saved report."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlwings as xw
from com_standin import Call, StandInExcel, WindowsXlwings, Worksheet, windows_xlwings
from helpers import file_has_no_token
from spill import NoSpill, read_spill
from stand_in import REFERENCE_CONTACTS, TOKEN, FakeGreenApi

from xl_contacts import udfs
from xl_contacts.domain.table import COLUMNS


@pytest.fixture
def excel() -> Iterator[StandInExcel]:
    with windows_xlwings() as windows:
        yield calling_udfs(windows)


def calling_udfs(windows: WindowsXlwings) -> StandInExcel:
    windows.load_udfs("xl_contacts.udfs", udfs.__file__)
    excel = windows.excel("xl_contacts.udfs")
    excel.add_workbook("Contacts.xlsm").add_sheet("Start")
    return excel


def start(excel: StandInExcel) -> Worksheet:
    return excel.Workbooks[0].Worksheets[0]


def cell(sheet: Worksheet, address: str) -> Any:
    """The cell as the suite holds it: an xlwings Range on xlwings' Windows engine."""
    import xlwings._xlwindows

    return xw.Range(impl=xlwings._xlwindows.Range(xl=sheet.Range(address)))


def test_the_spill_is_read_as_excel_reports_it(
    green_api_env: FakeGreenApi, excel: StandInExcel
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    sheet = start(excel)
    sheet.enter("H1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))
    sheet.put("H5", "a note right below the table")  # expand="table" would take it in
    excel.run_until_settled(max_calculations=5)
    rows = read_spill(cell(sheet, "H1"), seconds=30)
    assert rows[0] == list(COLUMNS)
    assert [row[0] for row in rows[1:]] == ["10000000", "10000001", "10000002"]
    assert len(rows) == 1 + len(REFERENCE_CONTACTS), "exactly the spilled area"


def test_an_error_cell_ends_the_wait_at_once(
    green_api_env: FakeGreenApi, excel: StandInExcel
) -> None:
    green_api_env.answer(status=401, body='{"message": "unauthorized"}')
    sheet = start(excel)
    sheet.enter("H1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))
    excel.run_until_settled(max_calculations=5)
    began = time.monotonic()
    with pytest.raises(NoSpill, match=r"\$H\$1 shows '#GETCONTACTS: .*HTTP 401") as failure:
        read_spill(cell(sheet, "H1"), seconds=120)
    assert time.monotonic() - began < 10, "it waited for the deadline"
    assert TOKEN not in str(failure.value)


def test_a_cell_excel_never_answers_fails_at_the_deadline(excel: StandInExcel) -> None:
    sheet = start(excel)
    sheet.enter("H1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))  # not calculated
    with pytest.raises(NoSpill, match=r"\$H\$1 still empty after 1 s"):
        read_spill(cell(sheet, "H1"), seconds=1, poll=0.1)


def test_the_token_check_reads_every_zip_part_inflated(tmp_path: Path) -> None:
    """A report is a zip of deflated parts: the token in one of them is not in
    the file's bytes as such."""
    report = tmp_path / "report.xlsx"
    with zipfile.ZipFile(report, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/worksheets/sheet1.xml", f"<v>{TOKEN}</v>" * 20)
    assert TOKEN.encode() not in report.read_bytes(), "the old check would pass"
    with pytest.raises(AssertionError, match=r"sheet1\.xml"):
        file_has_no_token(report)
