"""Reading a previous report of this tool back: for "changes since".

The report is validated: it must be a report of this tool, of the same
instance. Before anything reads a file, ``check_plausible`` (own_report) looks
at its declared size and parts (calamine aborts the whole process -- no
exception -- on a sheet whose cells span more memory than there is); a
Contacts sheet exactly as this tool writes it is read right there, several
times faster than any general reader. Anything else (a report re-saved by
Excel or LibreOffice...) is read with python-calamine (a Rust reader, many
times faster than openpyxl on big sheets). The Summary is always calamine's.
Only the contract columns of the Contacts sheet are kept in memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..base.errors import ReportError
from ..base.json_stream import gc_paused
from ..base.names import (
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
from ..domain.contacts import COLUMNS
from ..domain.values import cell_text, rows_text
from .atomic import refuse_unless_regular

# Where the checks of a workbook live now; MAX_CELLS is still imported from here.
from .own_report import MAX_CELLS as MAX_CELLS
from .own_report import check_plausible

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
    width = len(COLUMNS)
    source, book, labels, own = _open_comparable(path, demo, kind, width)
    previous_instance = cell_text(labels.get(LABEL_INSTANCE))
    if previous_instance != instance_id:
        raise ReportError(
            f"{str(source)!r} is a report of instance {previous_instance or '?'}, not of "
            f"{instance_id} — compare reports of the same instance"
        )
    if own is not None:  # read already, as this tool wrote it
        contacts: Iterator[list[Any]] = iter(own)
    else:  # row by row, keeping only the contract columns: extra columns cost nothing here
        contacts = (row[:width] for row in _contacts_sheet(source, book).iter_rows())
    header = [cell_text(v) for v in next(contacts, [])]
    if header != list(COLUMNS):
        raise ReportError(
            f"{str(source)!r} is not a report of xl-contacts "
            f"(its Contacts sheet does not start with {COLUMNS[0]}…)"
        )
    if own is not None:
        rows = own[1:]  # never an empty row
    else:
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
    width = len(COLUMNS) + 1
    source, book, labels, own = _open_comparable(path, demo, kind, width)
    contacts = own if own is not None else _contacts_sheet(source, book).to_python()
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
    path: str | os.PathLike[str], demo: bool, kind: str, width: int
) -> tuple[Path, Any, dict[str, Any], list[list[str]] | None]:
    """A report of this tool to compare with: the same demo-or-live and kind;
    with its Contacts sheet's first ``width`` columns when they could be read
    without calamine (see ``own_report``)."""
    source = Path(path)
    if not source.exists():  # anything else that exists (a FIFO...) is refused by name
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels, own = _open_report(source, width)
    _check_demo(source, labels, demo)
    _check_kind(source, labels, kind)
    return source, book, labels, own


def _contacts_sheet(source: Path, book: Any) -> Any:
    """The Contacts sheet as calamine reads it. calamine reads a sheet when it is
    asked for: a broken one (a wrong checksum, a string index with no table,
    bytes that are not UTF-8) fails here, not when the workbook is opened."""
    from python_calamine import CalamineError

    try:
        return book.get_sheet_by_name(CONTACTS_SHEET)
    except (CalamineError, OSError, ValueError):
        raise ReportError(
            f"{str(source)!r} is not a report of xl-contacts (not a readable .xlsx workbook)"
        ) from None


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


def _open_report(
    source: Path, width: int = 0
) -> tuple[Any, dict[str, Any], list[list[str]] | None]:
    """The calamine workbook of a report of this tool, its Summary (label ->
    value), and (``width``) the first columns of its Contacts sheet when that
    sheet is as this tool wrote it (None: calamine reads it)."""
    from python_calamine import CalamineError, CalamineWorkbook

    not_ours = f"{str(source)!r} is not a report of xl-contacts"
    refuse_unless_regular(source)  # a FIFO would block the reader for ever
    own = check_plausible(source, width)
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
    return book, labels, own
