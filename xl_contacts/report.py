"""The report workbook: sheet ``Contacts`` (an Excel table) and sheet ``Summary``.

Written with openpyxl's write-only mode (rows stream to the file instead of
living as cell objects), and atomically: the workbook is saved to a temporary
file beside the target and moved over it only when complete, so a failure
never leaves a half-written or emptied report behind.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from . import __version__
from .cells import clean, table_headers
from .contacts import ContactTable
from .files import output_path, replacing

CONTACTS_SHEET = "Contacts"
SUMMARY_SHEET = "Summary"
TABLE_NAME = "Contacts"
TABLE_STYLE = "TableStyleMedium2"
MIN_WIDTH, MAX_WIDTH = 8, 60
PROGRESS_EVERY = 10_000

# Labels of the Summary sheet, also read back by the "changes since" feature.
SUMMARY_TITLE = "xl-contacts report"
LABEL_INSTANCE = "Instance id"
LABEL_FETCHED = "Fetched at (UTC)"
LABEL_SOURCE = "Source"
LABEL_TOTAL = "Contacts"
LABEL_HIDDEN = "Hidden phone numbers"
LABEL_PROGRAM = "Program"

Progress = Callable[[int, int], None]


def write_report(
    table: ContactTable,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    extra_sheets: Callable[[Workbook], None] | None = None,
    summary_rows: list[tuple[str, Any]] | None = None,
) -> Path:
    """Write ``table`` as a report workbook at ``path`` (atomically) and return it.

    ``progress(rows_written, rows_total)`` is called every 10,000 rows.
    ``extra_sheets`` may add sheets after Summary; ``summary_rows`` adds
    (label, value) lines to the Summary sheet.
    """
    target = output_path(path, ".xlsx", "report")
    wb = Workbook(write_only=True)
    _write_contacts_sheet(wb.create_sheet(CONTACTS_SHEET), table, progress)
    _write_summary_sheet(wb.create_sheet(SUMMARY_SHEET), table, summary_rows or [])
    if extra_sheets is not None:
        extra_sheets(wb)
    with replacing(target) as temporary:
        wb.save(temporary)
    return target


def text_cells(ws: Any, values: list[str]) -> list[Any]:
    """Row values for a write-only sheet: cleaned text, '' as an empty cell, and
    text that starts with '=' marked as a string so openpyxl does not write it
    as a formula."""
    row: list[Any] = []
    for value in values:
        if not value:
            row.append(None)
            continue
        value = clean(value)
        if value[0] == "=":
            cell = WriteOnlyCell(ws, value)
            cell.data_type = "s"
            row.append(cell)
        else:
            row.append(value)
    return row


def add_table(ws: Any, name: str, headers: list[str], n_rows: int) -> None:
    """An Excel table over the header row and ``n_rows`` rows (at least one:
    Excel rejects a table without a data row)."""
    ref = f"A1:{get_column_letter(len(headers))}{max(n_rows, 1) + 1}"
    columns = [TableColumn(id=i, name=header) for i, header in enumerate(headers, 1)]
    table = Table(displayName=name, ref=ref, tableColumns=columns)
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    with warnings.catch_warnings():
        # openpyxl warns on every write-only table that columns must be added
        # by hand -- which is exactly what the lines above do.
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)


def column_widths(headers: list[str], rows: list[list[str]], sample: int = 2000) -> list[float]:
    """Widths that fit the header and the longest value among the first rows."""
    widths = [len(h) for h in headers]
    for row in rows[:sample]:
        for i, value in enumerate(row):
            if len(value) > widths[i]:
                widths[i] = len(value)
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 2)) for w in widths]


def _write_contacts_sheet(ws: Any, table: ContactTable, progress: Progress | None) -> None:
    headers = table_headers(table.columns)
    for i, width in enumerate(column_widths(headers, table.rows), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    add_table(ws, TABLE_NAME, headers, len(table.rows))
    ws.append(text_cells(ws, headers))
    total = len(table.rows)
    for done, row in enumerate(table.rows, 1):
        ws.append(text_cells(ws, row))
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, total)
    if progress is not None:
        progress(total, total)


def _write_summary_sheet(ws: Any, table: ContactTable, extra: list[tuple[str, Any]]) -> None:
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 28
    title = WriteOnlyCell(ws, SUMMARY_TITLE)
    title.font = Font(bold=True, size=14)
    ws.append([title])
    fetched = WriteOnlyCell(ws, table.fetched_at.replace(tzinfo=None, microsecond=0))
    fetched.number_format = "yyyy-mm-dd hh:mm:ss"
    lines: list[tuple[str, Any]] = [
        (LABEL_INSTANCE, table.instance_id or "—"),
        (LABEL_FETCHED, fetched),
        (LABEL_SOURCE, table.source),
        (LABEL_TOTAL, len(table)),
        (LABEL_HIDDEN, table.hidden_phone_count()),
        (LABEL_PROGRAM, f"xl-contacts {__version__}"),
        *extra,
    ]
    for label, value in lines:
        ws.append([label, *text_cells(ws, [value])] if isinstance(value, str) else [label, value])
    ws.append([])

    counts = table.type_counts()
    first = len(lines) + 3  # title, lines, blank, then the header of the type table
    header = [WriteOnlyCell(ws, "Type"), WriteOnlyCell(ws, "Contacts")]
    for cell in header:
        cell.font = Font(bold=True)
    ws.append(header)
    for contact_type, count in counts:
        ws.append([*text_cells(ws, [contact_type]), count])
    if not counts:
        return
    last = first + len(counts)
    chart = BarChart()
    chart.type = "bar"
    chart.title = "Contacts by type"
    chart.legend = None
    chart.y_axis.title = "Contacts"
    chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first + 1, max_row=last))
    chart.height = max(5.0, 1.0 + 0.8 * len(counts))
    ws.add_chart(chart, "D2")
