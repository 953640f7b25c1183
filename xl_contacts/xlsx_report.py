"""The report workbook: sheet ``Contacts`` (an Excel table) and sheet ``Summary``.

Written with openpyxl's write-only mode (rows stream to the file instead of
living as cell objects), and atomically: the workbook is saved to a temporary
file beside the target and moved over it only when complete, so a failure
never leaves a half-written or emptied report behind.
"""

from __future__ import annotations

import io
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ._version import __version__
from .atomic import output_path, replacing
from .cells import clean, table_headers
from .contacts import ContactTable
from .errors import ReportError
from .names import (
    CONTACTS_SHEET,
    CONTACTS_TABLE,
    LABEL_FETCHED,
    LABEL_HIDDEN,
    LABEL_INSTANCE,
    LABEL_LEFT_OUT,
    LABEL_PROGRAM,
    LABEL_SOURCE,
    LABEL_TOTAL,
    PROG,
    SUMMARY_SHEET,
    SUMMARY_TITLE,
    TABLE_STYLE,
)

MIN_WIDTH, MAX_WIDTH = 8, 60
PROGRESS_EVERY = 10_000
MAX_ROWS = 1_048_575  # Excel's 1,048,576 rows, less the header
# zlib level 1: a fraction of level 6's time for a file a few percent larger.
ZIP_LEVEL = 1
_NEEDS_ESCAPE = re.compile("[&<>\r]")
# A raw CR would come back as LF: XML parsers normalise line ends, not references.
_ENTITIES = {"\r": "&#13;"}
_PRESERVE = ' xml:space="preserve"'

Progress = Callable[[int, int], None]


@dataclass
class TableSheet:
    """A sheet holding one Excel table of text: header row 1, data from row 2."""

    title: str
    table_name: str
    columns: list[str]
    rows: list[list[str]]
    freeze: str = "A2"


def write_report(
    table: ContactTable,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    extra_tables: Sequence[TableSheet] = (),
    summary_rows: list[tuple[str, Any]] | None = None,
) -> Path:
    """Write ``table`` as a report workbook at ``path`` (atomically) and return it.

    ``progress(rows_written, rows_total)`` is called every 10,000 contacts.
    ``extra_tables`` become sheets after Summary; ``summary_rows`` adds
    (label, value) lines to the Summary sheet.
    """
    target = output_path(path, ".xlsx", "report")
    contacts = TableSheet(CONTACTS_SHEET, CONTACTS_TABLE, table.columns, table.rows)
    tables = [contacts, *extra_tables]
    for sheet in tables:
        if len(sheet.rows) > MAX_ROWS:
            raise ReportError(
                f"{len(sheet.rows):,} rows do not fit on the Excel sheet {sheet.title} "
                f"({MAX_ROWS:,} at most) — use --count, or --format csv"
            )
    # openpyxl writes the structure (header rows, tables, frozen panes, widths,
    # the Summary with its chart, styles); the data rows are then streamed into
    # the sheets' XML. Per-cell objects in openpyxl were where nearly all the time
    # of a 100,000-contact report went (see benchmarks/).
    wb = Workbook(write_only=True)
    parts: dict[str, tuple[list[list[str]], Progress | None]] = {}
    for sheet in tables:
        _write_table_header(wb.create_sheet(sheet.title), sheet)
        # openpyxl names the parts of sheets sheet1.xml, sheet2.xml… in order.
        part = f"xl/worksheets/sheet{len(wb.worksheets)}.xml"
        parts[part] = (sheet.rows, progress if sheet is contacts else None)
        if sheet is contacts:
            _write_summary_sheet(wb.create_sheet(SUMMARY_SHEET), table, summary_rows or [])
    skeleton = io.BytesIO()
    wb.save(skeleton)
    with replacing(target) as temporary:
        _write_package(skeleton, temporary, parts)
    return target


def text_cells(ws: Any, values: list[str]) -> list[Any]:
    """Row values for a write-only sheet: cleaned text, '' as an empty cell, and
    text that starts with '=' marked as a string so openpyxl does not write it
    as a formula."""
    row: list[Any] = []
    for value in values:
        value = clean(value)
        if not value:
            row.append(None)
            continue
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


def _write_table_header(ws: Any, sheet: TableSheet) -> None:
    """Everything of a table sheet but its data rows (see _write_package)."""
    headers = table_headers(sheet.columns)
    for i, width in enumerate(column_widths(headers, sheet.rows), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = sheet.freeze
    add_table(ws, sheet.table_name, headers, len(sheet.rows))
    ws.append(text_cells(ws, headers))


def _write_package(
    skeleton: io.BytesIO,
    target: Path,
    parts: dict[str, tuple[list[list[str]], Progress | None]],
) -> None:
    """Copy openpyxl's package to ``target``, streaming each table sheet's rows
    in right after its header row."""
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as package,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename not in parts:
                package.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
                continue
            rows, progress = parts[info.filename]
            head, tail = _split_sheet_data(data.decode("utf-8"))
            with package.open(info.filename, "w") as sheet:
                sheet.write(head.encode("utf-8"))
                for chunk in _row_xml(rows, progress):
                    sheet.write(chunk.encode("utf-8"))
                sheet.write(tail.encode("utf-8"))


def _split_sheet_data(xml: str) -> tuple[str, str]:
    """The sheet XML before and after the place where data rows belong."""
    end = xml.find("</sheetData>")
    if end < 0:
        raise AssertionError("openpyxl wrote a table sheet without its header row")
    return xml[:end], xml[end:]


def _row_xml(rows: list[list[str]], progress: Progress | None) -> Iterator[str]:
    """SpreadsheetML rows 2.. as inline-string cells (never formulas), in chunks."""
    width = max((len(row) for row in rows), default=0)
    letters = [get_column_letter(i) for i in range(1, width + 1)]
    total = len(rows)
    chunk: list[str] = []
    for number, row in enumerate(rows, 2):
        cells = [f'<row r="{number}">']
        for letter, value in zip(letters, row, strict=False):
            value = clean(value)
            if not value:
                continue  # hidden phone numbers and missing fields: empty cells
            if _NEEDS_ESCAPE.search(value):
                value = escape(value, _ENTITIES)
            space = _PRESERVE if value[0].isspace() or value[-1].isspace() else ""
            cells.append(
                f'<c r="{letter}{number}" t="inlineStr"><is><t{space}>{value}</t></is></c>'
            )
        cells.append("</row>")
        chunk.append("".join(cells))
        done = number - 1
        if done % PROGRESS_EVERY == 0:
            yield "".join(chunk)
            chunk.clear()
            if progress is not None:
                progress(done, total)
    yield "".join(chunk)
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
        (LABEL_PROGRAM, f"{PROG} {__version__}"),
        *([(LABEL_LEFT_OUT, table.left_out_note())] if table.left_out else []),
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
