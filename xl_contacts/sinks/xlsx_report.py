"""The report workbook: sheet ``Contacts`` (an Excel table), sheet ``Summary``,
and any further table sheets (``Changes``). Everything but the Contacts sheet
and the identifiers (sheet and table ``Contacts``, column names) is written in
the language of the run (``i18n``): «Сводка», «Изменения», their labels, the
print footer, the document properties.

Made to be sent and printed: each table has a header style of its own, filter
buttons, a frozen header, widths from the data, no "number stored as text"
triangles on identifiers, and a page setup (one page wide, the header on every
page, a footer saying which instance and when); see ``xlsx_style`` and
``xlsx_summary``. The Contacts sheet adds each phone number in international
format and its country after the table's own columns (``phones``).

Written with openpyxl's write-only mode and streamed: openpyxl writes the
structure, the data rows are then streamed into the sheets' XML as inline
strings -- never formulas (``write_package``, which the streamed export uses
too). Atomically: the workbook is saved to a temporary file
beside the target and moved over it only when complete, so a failure never
leaves a half-written or emptied report behind.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from .._version import __version__
from ..base.cells import for_sheet_xml, table_headers
from ..base.i18n import _, ngettext, number
from ..base.names import (
    CONTACTS_SHEET,
    CONTACTS_TABLE,
    LABEL_FETCHED,
    LABEL_HIDDEN,
    LABEL_INSTANCE,
    LABEL_PROGRAM,
    LABEL_SOURCE,
    LABEL_TOTAL,
    PROG,
    SUMMARY_SHEET,
    TABLE_STYLE,
)
from ..domain.table import ContactTable
from . import zip_stream
from .atomic import output_path, replacing
from .report_facts import ContactFacts, check_rows
from .row_xml import RowWriter
from .xlsx_style import BOLD, SUBTITLE, footer_text, header_cell, page_setup, styled
from .xlsx_summary import top, write_summary
from .zip_stream import DeflateSpool

MIN_WIDTH, MAX_WIDTH = 6, 40  # characters; wider columns would shrink the printout
PROGRESS_EVERY = 10_000
# ignoredErrors comes after these in a worksheet (the schema's order) and
# before everything this matches.
_AFTER_IGNORED_ERRORS = re.compile(
    r"<(?:smartTags|drawing|legacyDrawing|legacyDrawingHF|picture|oleObjects|controls"
    r"|webPublishItems|tableParts|extLst)[\s/>]"
)

Progress = Callable[[int, int], None]


@dataclass
class TableSheet:
    """A sheet holding one Excel table of text, under ``heading`` lines if any."""

    title: str
    table_name: str
    columns: list[str]
    rows: Sequence[Sequence[str]]
    frozen_columns: int = 0  # columns that stay in view when scrolling right
    heading: list[str] = field(default_factory=list)  # e.g. a title and counts

    @property
    def header_row(self) -> int:
        return len(self.heading) + 2 if self.heading else 1  # a blank row between


@dataclass
class Part:
    """What to add to one worksheet part of openpyxl's package."""

    used: str  # the range without "number stored as text" warnings
    sheet: TableSheet | None = None  # rows to stream in
    progress: Progress | None = None


def write_report(
    table: ContactTable,
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    extra_tables: Sequence[TableSheet] = (),
    summary_rows: Sequence[tuple[str, Any]] = (),
    about: Sequence[tuple[str, Any]] = (),
) -> Path:
    """Write ``table`` as a report workbook at ``path`` (atomically) and return it.

    ``progress(rows_written, rows_total)`` is called every 10,000 contacts.
    ``extra_tables`` become sheets after Summary. The Summary lists (label, value)
    lines: ``about`` right after the instance (what the report holds),
    ``summary_rows`` after the standard ones.
    """
    target = output_path(path, ".xlsx", "report")
    for title, n_rows in [
        (CONTACTS_SHEET, len(table)),
        *((t.title, len(t.rows)) for t in extra_tables),
    ]:
        check_rows(title, n_rows)
    phones = PhoneColumns(table)
    skeleton, parts = report_skeleton(
        table,
        phones.facts,
        phones,
        progress=progress,
        extra_tables=extra_tables,
        summary_rows=summary_rows,
        about=about,
    )
    with replacing(target) as temporary:
        write_package(skeleton, temporary, parts)
    return target


def report_skeleton(
    table: ContactTable,
    facts: ContactFacts,
    rows: Sequence[Sequence[str]],
    *,
    progress: Progress | None = None,
    extra_tables: Sequence[TableSheet] = (),
    summary_rows: Sequence[tuple[str, Any]] = (),
    about: Sequence[tuple[str, Any]] = (),
) -> tuple[io.BytesIO, dict[str, Part]]:
    """openpyxl's package of the report -- every sheet's structure up to its
    header row, the Summary complete -- and, by part name, what is still to be
    added to each sheet (the Contacts sheet's part first). Of the Contacts
    ``rows`` (with the phone columns) only ``len`` and the first rows (column
    widths) are read here: the streamed export passes a sample. The counts come
    from ``facts``; ``table`` gives the rest (instance, kind, skipped...)."""
    contacts = TableSheet(CONTACTS_SHEET, CONTACTS_TABLE, facts.columns, rows)
    footer = footer_text(table.id_instance, table.fetched_at)
    # openpyxl writes the structure (header rows, tables, page setup, the Summary
    # with its charts, styles); the data rows are then streamed into the sheets'
    # XML. Per-cell objects in openpyxl were where nearly all the time of a
    # 100,000-contact report went (see benchmarks/).
    wb = Workbook(write_only=True)
    _document_properties(wb, table, facts.rows)
    parts: dict[str, Part] = {}
    for sheet in [contacts, *extra_tables]:
        ws = wb.create_sheet(sheet.title)
        page_setup(ws, footer, landscape=True, title_row=sheet.header_row)
        used = _write_table_head(ws, sheet)
        # openpyxl names the parts of sheets sheet1.xml, sheet2.xml… in order.
        parts[_part(wb)] = Part(used, sheet, progress if sheet is contacts else None)
        if sheet is contacts:
            ws = wb.create_sheet(_(SUMMARY_SHEET))
            page_setup(ws, footer, landscape=False, one_page=True)
            parts[_part(wb)] = Part(_write_summary(ws, table, facts, about, summary_rows))
    skeleton = io.BytesIO()
    wb.save(skeleton)
    return skeleton, parts


class PhoneColumns(Sequence[list[str]]):
    """The table's rows with ``PHONE_COLUMNS`` added (see ``ContactFacts``),
    held as the table holds them: column by column. A report holds no second
    copy of its rows, only the two new columns; rows are made as they are read."""

    def __init__(self, table: ContactTable) -> None:
        self.facts = ContactFacts(table.columns)
        self.columns = self.facts.columns
        # Both columns are made before the rows are streamed: the Summary counts
        # the countries.
        chats, phones, types = (table.by_column[i] for i in self.facts.reads)
        formatted, country_names = self.facts.describe_columns(chats, phones, types)
        self.by_column = [*table.by_column, formatted, country_names]

    def __len__(self) -> int:
        return len(self.by_column[0])

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [list(row) for row in zip(*(c[index] for c in self.by_column), strict=True)]
        return [column[index] for column in self.by_column]

    def __iter__(self) -> Iterator[list[str]]:
        return map(list, zip(*self.by_column, strict=True))

    def column_batches(self, size: int) -> Iterator[list[list[str]]]:
        """The columns ``size`` rows at a time."""
        for start in range(0, len(self), size):
            yield [column[start : start + size] for column in self.by_column]


def _part(wb: Any) -> str:
    return f"xl/worksheets/sheet{len(wb.worksheets)}.xml"


def _document_properties(wb: Any, table: ContactTable, contacts: int) -> None:
    """What a file browser and Excel's File > Info show."""
    program = f"{PROG} {__version__}"
    instance = table.id_instance or "—"
    properties = wb.properties
    properties.title = _("Contacts of GREEN-API instance {instance}").format(instance=instance)
    properties.subject = _("GREEN-API instance {instance}").format(instance=instance)
    properties.creator = properties.lastModifiedBy = program
    properties.description = ngettext(
        "{n} contact fetched from {source} at {when} UTC",
        "{n} contacts fetched from {source} at {when} UTC",
        contacts,
    ).format(
        n=number(contacts), source=table.source, when=f"{table.fetched_at:%Y-%m-%d %H:%M:%S}"
    )
    properties.keywords = _("GREEN-API, contacts")
    properties.created = properties.modified = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _write_summary(
    ws: Any,
    table: ContactTable,
    facts: ContactFacts,
    about: Sequence[tuple[str, Any]],
    summary_rows: Sequence[tuple[str, Any]],
) -> str:
    lines: list[tuple[str, Any]] = [
        (_(LABEL_INSTANCE), table.id_instance or "—"),
        *about,
        *table.summary_lines(lids=facts.lids),
        (_(LABEL_FETCHED), table.fetched_at),
        (_(LABEL_SOURCE), table.source),
        (_(LABEL_TOTAL), facts.rows),
        (_(LABEL_HIDDEN), facts.hidden),
        (_(LABEL_PROGRAM), f"{PROG} {__version__}"),
        *summary_rows,
    ]
    named = [(facts.say(name), n) for name, n in facts.countries.items()]
    countries = top(named, _("other countries"))  # top() orders them as most_common() does
    types = top(facts.types.most_common(), _("other types"))
    sections = [
        (_("Contacts by type"), _("Type"), types),
        (_("Phone numbers by country"), _("Country"), countries),
    ]
    return write_summary(ws, lines, sections)


def add_table(ws: Any, name: str, headers: list[str], first: int, n_rows: int) -> str:
    """An Excel table with filter buttons over the header row ``first`` and
    ``n_rows`` rows (at least one: Excel rejects a table without a data row).
    Returns its range."""
    ref = f"A{first}:{get_column_letter(len(headers))}{first + max(n_rows, 1)}"
    # A column's name is decoded like cell text ("_x0041_" is "A", ECMA-376
    # ST_Xstring), and Excel repairs a table whose names differ from its header
    # cells: written as the header cells are (styled), they read the same.
    columns = [TableColumn(id=i, name=for_sheet_xml(h)) for i, h in enumerate(headers, 1)]
    # openpyxl adds the autoFilter only to tables it names the columns of itself.
    table = Table(displayName=name, ref=ref, tableColumns=columns, autoFilter=AutoFilter(ref))
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    with warnings.catch_warnings():
        # openpyxl warns on every write-only table that columns must be added
        # by hand -- which is exactly what the lines above do.
        warnings.simplefilter("ignore", UserWarning)
        ws.add_table(table)
    return ref


def column_widths(
    headers: list[str], rows: Sequence[Sequence[str]], sample: int = 2000
) -> list[float]:
    """Widths that fit the header (and its filter button) and the longest value
    among the first rows, within MIN_WIDTH..MAX_WIDTH."""
    widths = [len(h) + 3 for h in headers]
    for row in rows[:sample]:
        for i, value in enumerate(row):
            if len(value) > widths[i]:
                widths[i] = len(value)
    return [min(MAX_WIDTH, max(MIN_WIDTH, w + 1)) for w in widths]


def _write_table_head(ws: Any, sheet: TableSheet) -> str:
    """Everything of a table sheet but its data rows (see write_package);
    returns the table's range."""
    headers = table_headers(sheet.columns)
    for i, width in enumerate(column_widths(headers, sheet.rows), 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    first = sheet.header_row
    ws.freeze_panes = f"{get_column_letter(sheet.frozen_columns + 1)}{first + 1}"
    ref = add_table(ws, sheet.table_name, headers, first, len(sheet.rows))
    for i, line in enumerate(sheet.heading):
        ws.append([styled(ws, line, SUBTITLE if i == 0 else BOLD)])
    if sheet.heading:
        ws.append([])
    ws.append([header_cell(ws, header) for header in headers])
    return ref


def write_package(
    skeleton: io.BytesIO,
    temporary: Path,
    parts: dict[str, Part],
    spooled: Mapping[str, DeflateSpool] | None = None,
) -> None:
    """The one way a report is put together: openpyxl's package with each sheet's
    ignoredErrors and, right after each table's header row, its rows -- deflated
    through a spool (``zip_stream``). ``spooled``: sheets whose rows are spooled
    already (the streamed export's Contacts rows, made while the answer arrived);
    the rows of every other table sheet are spooled here."""
    spools = dict(spooled or {})
    try:
        for name, part in parts.items():
            if part.sheet is None or name in spools:
                continue
            spool = spools[name] = DeflateSpool(temporary.parent)
            for chunk in rows_xml(part.sheet.rows, part.sheet.header_row + 1, part.progress):
                spool.write(chunk)
            spool.close()
        edits = {name: partial(with_ignored_errors, used=p.used) for name, p in parts.items()}
        zip_stream.write_package(skeleton, temporary, spools, edits)
    finally:
        for spool in spools.values():
            spool.discard()


def with_ignored_errors(xml: str, used: str) -> str:
    """``xml`` telling Excel that numbers stored as text in ``used`` are meant so:
    chat ids and phone numbers are identifiers, and Excel would otherwise mark
    every one with a green triangle. openpyxl does not write this element."""
    element = (
        f'<ignoredErrors><ignoredError sqref="{used}" numberStoredAsText="1"/></ignoredErrors>'
    )
    after = _AFTER_IGNORED_ERRORS.search(xml)
    at = after.start() if after else xml.rindex("</worksheet>")
    return xml[:at] + element + xml[at:]


def rows_xml(
    rows: Sequence[Sequence[str]], first: int, progress: Progress | None
) -> Iterator[bytes]:
    """The rows' XML (UTF-8) from row ``first`` on, in chunks of PROGRESS_EVERY rows."""
    total = len(rows)
    writer = RowWriter(first)
    if isinstance(rows, PhoneColumns):  # the Contacts rows, held column by column
        batches = map(writer.write_columns, rows.column_batches(PROGRESS_EVERY))
    else:
        remaining = iter(rows)
        rows_at_a_time = iter(lambda: list(islice(remaining, PROGRESS_EVERY)), [])
        batches = (writer.write(batch).encode() for batch in rows_at_a_time)
    for xml in batches:
        yield xml
        if progress is not None and writer.next - first < total:
            progress(writer.next - first, total)
    if progress is not None:
        progress(total, total)
