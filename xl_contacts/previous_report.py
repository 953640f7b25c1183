"""Reading a previous report of this tool back: for "changes since".

The report is read with python-calamine (a Rust reader, many times faster than
openpyxl on big sheets) and validated: it must be a report of this tool, of
the same instance. Before calamine sees a file, ``check_plausible`` looks at
its declared size and parts (calamine aborts the whole process -- no exception
-- on a sheet whose cells span more memory than there is), and only the
contract columns of the Contacts sheet are kept in memory.
"""

from __future__ import annotations

import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from .atomic import refuse_unless_regular
from .contacts import COLUMNS, MAX_EXTRA_COLUMNS, cell_text, rows_text
from .errors import ReportError
from .json_stream import gc_paused
from .names import (
    CONTACTS_SHEET,
    INSTANCE_COLUMN,
    LABEL_FETCHED,
    LABEL_INSTANCE,
    LABEL_INSTANCE_OF,
    LABEL_KIND,
    LABEL_SOURCE,
    SUMMARY_SHEET,
    SUMMARY_TITLE,
)

DEMO_SOURCE = "demo"


@dataclass
class PreviousReport:
    path: Path
    instance_id: str
    fetched_at: datetime | None
    rows: list[list[str]]  # the contract columns only, as text
    # A report of several instances: its rows by profile (contract columns only).
    by_instance: dict[str, list[list[str]]] = field(default_factory=dict)


def read_previous(
    path: str | os.PathLike[str], instance_id: str, *, demo: bool = False, kind: str = "all"
) -> PreviousReport:
    """Read and validate a report written by this tool for ``instance_id`` (a
    report of the built-in demo only compares with demo data, ``demo=True``; a
    report of one kind of contacts only with the same kind)."""
    source, book, labels = _open_comparable(path, demo, kind)
    previous_instance = cell_text(labels.get(LABEL_INSTANCE))
    if previous_instance != instance_id:
        raise ReportError(
            f"{str(source)!r} is a report of instance {previous_instance or '?'}, not of "
            f"{instance_id} — compare reports of the same instance"
        )
    width = len(COLUMNS)
    # Row by row, keeping only the contract columns: extra columns cost nothing here.
    contacts = (row[:width] for row in book.get_sheet_by_name(CONTACTS_SHEET).iter_rows())
    header = [cell_text(v) for v in next(contacts, [])]
    if header != list(COLUMNS):
        raise ReportError(
            f"{str(source)!r} is not a report of xl-contacts "
            f"(its Contacts sheet does not start with {COLUMNS[0]}…)"
        )
    # No cycles among 600,000 new strings: the collector sweeping them cost a third.
    with gc_paused():
        rows = rows_text(contacts)
    rows = [row for row in rows if any(row)]  # the one empty row of an empty table
    fetched = labels.get(LABEL_FETCHED)
    return PreviousReport(
        source, previous_instance, fetched if isinstance(fetched, datetime) else None, rows
    )


def read_previous_instances(
    path: str | os.PathLike[str],
    instances: dict[str, str],
    *,
    demo: bool = False,
    kind: str = "all",
) -> PreviousReport:
    """Read a report of several instances, for comparing with the profiles in
    ``instances`` (profile -> idInstance): a profile both reports name must be
    the same instance in both."""
    source, book, labels = _open_comparable(path, demo, kind)
    contacts = book.get_sheet_by_name(CONTACTS_SHEET).to_python()
    header = [cell_text(v) for v in contacts[0]] if contacts else []
    if header[: len(COLUMNS) + 1] != [INSTANCE_COLUMN, *COLUMNS]:
        raise ReportError(
            f"{str(source)!r} is not a report of several instances (its Contacts sheet does "
            f"not start with {INSTANCE_COLUMN}) — compare it with a run for one profile"
        )
    for profile, id_instance in instances.items():
        before = cell_text(labels.get(LABEL_INSTANCE_OF.format(profile)))
        if before and before != id_instance:
            raise ReportError(
                f"in {str(source)!r} profile {profile} is instance {before}, now it is "
                f"{id_instance} — compare reports of the same instances"
            )
    width = len(COLUMNS) + 1
    by_instance: dict[str, list[list[str]]] = {}
    for cells in rows_text(row[:width] for row in contacts[1:]):
        if any(cells):
            by_instance.setdefault(cells[0], []).append(cells[1:])
    fetched = labels.get(LABEL_FETCHED)
    return PreviousReport(
        source,
        cell_text(labels.get(LABEL_INSTANCE)),
        fetched if isinstance(fetched, datetime) else None,
        [row for rows in by_instance.values() for row in rows],
        by_instance,
    )


def _open_comparable(
    path: str | os.PathLike[str], demo: bool, kind: str
) -> tuple[Path, Any, dict[str, Any]]:
    """A report of this tool to compare with: the same demo-or-live and kind."""
    source = Path(path)
    if not source.exists():  # anything else that exists (a FIFO...) is refused by name
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels = _open_report(source)
    _check_demo(source, labels, demo)
    _check_kind(source, labels, kind)
    return source, book, labels


def _check_kind(source: Path, labels: dict[str, Any], kind: str) -> None:
    # Reports from before kinds existed hold every contact.
    before = cell_text(labels.get(LABEL_KIND)) or "all"
    if before != kind:
        raise ReportError(
            f"{str(source)!r} holds {before} contacts, this run fetches {kind} — compare "
            "reports of the same kind (--only)"
        )


def _check_demo(source: Path, labels: dict[str, Any], demo: bool) -> None:
    if (cell_text(labels.get(LABEL_SOURCE)) == DEMO_SOURCE) != demo:
        what = "the built-in demo" if not demo else "a real instance"
        raise ReportError(
            f"{str(source)!r} is a report of {what} — compare "
            + ("demo reports with demo data" if demo else "reports of the same instance")
        )


def is_report(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a report workbook written by this tool."""
    try:
        _open_report(Path(path))
    except ReportError:
        return False
    return True


def _open_report(source: Path) -> tuple[Any, dict[str, Any]]:
    """The calamine workbook of a report of this tool and its Summary (label -> value)."""
    from python_calamine import CalamineError, CalamineWorkbook

    not_ours = f"{str(source)!r} is not a report of xl-contacts"
    refuse_unless_regular(source)  # a FIFO would block the reader for ever
    check_plausible(source)
    try:
        book = CalamineWorkbook.from_path(str(source))
        if CONTACTS_SHEET not in book.sheet_names or SUMMARY_SHEET not in book.sheet_names:
            raise ReportError(f"{not_ours} (it has no {CONTACTS_SHEET} and {SUMMARY_SHEET} sheet)")
        summary = book.get_sheet_by_name(SUMMARY_SHEET).to_python()
    except (CalamineError, OSError, ValueError):
        raise ReportError(f"{not_ours} (not a readable .xlsx workbook)") from None
    if not summary or cell_text(summary[0][0]) != SUMMARY_TITLE:
        raise ReportError(f"{not_ours} (its Summary sheet is not ours)")
    labels: dict[str, Any] = {}
    for row in summary:  # the first of a label: a contact type below cannot pose as one
        if len(row) > 1:
            labels.setdefault(cell_text(row[0]), row[1])
    return book, labels


# --- is it plausibly a report of ours? Looked at before any reader touches it ------------
#
# calamine allocates a sheet as one dense block from its first to its last cell:
# one cell at A1 and one at XFD1048576 ask for 549 GB and abort the process
# (there is no exception to catch). So before calamine sees a workbook, the zip
# is read here at a bounded cost: the number and declared sizes of its parts;
# every part inflated from the raw zip data (a part that inflates to more than
# it declares is refused: a reader trusting the declaration would be fooled);
# and in every worksheet the position of every cell, which must be written the
# way this tool (and openpyxl) writes it: ``<c r="B2" ...``.

MAX_PARTS = 100
MAX_PART_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 1024 * 1024 * 1024
MAX_CELLS = 10_000_000  # the dense block calamine may allocate for one sheet
MAX_ROWS = 1_048_576  # Excel's, and so the report writer's
# No sheet of a report is wider: the contract columns, the extra fields kept, and
# the columns the report itself adds (instance, the readable phone columns), with room.
MAX_COLUMNS = len(COLUMNS) + MAX_EXTRA_COLUMNS + 10
_CHUNK = 1 << 20
_MAX_TAG_BYTES = 4 << 20  # a tag and the text after it, carried between chunks
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"')
# A cell whose position is missing, not first, or not plain: calamine would place
# it somewhere this scan cannot see.
# The declared extent (calamine may size its storage from it): its last cell.
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,9}:)?([A-Z]{1,3})([0-9]{1,9})"')
_ODD_CELL = re.compile(rb'<c(?:[>/\t\r\n]| (?!r="[A-Z]{1,3}[0-9]{1,9}"))')


def check_plausible(source: Path) -> None:
    """Raise ReportError unless ``source`` is a zip whose parts and sheets have
    a size and shape a report of this tool can have."""
    name = repr(str(source))
    try:
        with zipfile.ZipFile(source) as package, source.open("rb") as raw:
            infos = package.infolist()
            if len(infos) > MAX_PARTS:
                raise ReportError(f"{name} is not a report of xl-contacts ({len(infos)} parts)")
            if any(i.file_size > MAX_PART_BYTES or i.flag_bits & 1 for i in infos) or (
                sum(i.file_size for i in infos) > MAX_TOTAL_BYTES
            ):
                raise ReportError(f"{name} is too big to be a report of xl-contacts")
            for info in infos:
                chunks = _inflated(raw, info)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    _check_cells(name, info.filename, chunks)
                else:
                    for _ in chunks:  # inflate to check the size, keep nothing
                        pass
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError):
        raise ReportError(
            f"{name} is not a report of xl-contacts (not a readable .xlsx workbook)"
        ) from None


def _check_cells(name: str, part: str, chunks: Iterator[bytes]) -> None:
    rows = columns = 0
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        # Only whole tags are looked at: text and attribute values hold no "<".
        cut = data.rfind(b"<")
        data, carry = data[:cut], data[cut:]
        if len(carry) > _MAX_TAG_BYTES:
            raise zipfile.BadZipFile
        if not rows and (declared := _DIMENSION.search(data)):  # before the first cell
            _check_extent(name, part, int(declared[2]), _column_number(declared[1]))
        if _ODD_CELL.search(data):
            raise ReportError(f"{name} is not a report of xl-contacts (cells in {part!r})")
        cells = _CELL.findall(data)
        if cells:
            columns = max(columns, *map(_column_number, set(map(itemgetter(0), cells))))
            rows = max(rows, *map(int, map(itemgetter(1), cells)))
    if _ODD_CELL.search(carry + b" "):
        raise ReportError(f"{name} is not a report of xl-contacts (cells in {part!r})")
    _check_extent(name, part, rows, columns)


def _check_extent(name: str, part: str, rows: int, columns: int) -> None:
    """Refuse a sheet reaching beyond what a report has, or costing too much to read."""
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise ReportError(
            f"{name} is not a report of xl-contacts (cells beyond its rows and columns "
            f"in {part!r})"
        )
    if rows * columns > MAX_CELLS:
        raise ReportError(
            f"{name} is too big to compare: {rows:,} rows × {columns:,} columns "
            f"(at most {MAX_CELLS:,} cells)"
        )


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _inflated(raw: BinaryIO, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes, inflated here from the raw zip data; more (or fewer)
    bytes than the part declares is a broken or hostile package."""
    raw.seek(info.header_offset)
    header = raw.read(30)
    if header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile
    raw.seek(int.from_bytes(header[26:28], "little") + int.from_bytes(header[28:30], "little"), 1)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    elif info.compress_type != zipfile.ZIP_STORED:
        raise zipfile.BadZipFile
    left, produced, pending = info.compress_size, 0, b""
    while left > 0 or pending:
        if not pending:
            pending = raw.read(min(left, _CHUNK))
            if not pending:
                raise zipfile.BadZipFile
            left -= len(pending)
        if info.compress_type == zipfile.ZIP_DEFLATED:
            # At most a chunk of output per step: a bomb never inflates at once.
            data = inflate.decompress(pending, _CHUNK)
            pending = inflate.unconsumed_tail
        else:
            data, pending = pending, b""
        produced += len(data)
        if produced > info.file_size:
            raise zipfile.BadZipFile
        yield data
    if produced != info.file_size:
        raise zipfile.BadZipFile
