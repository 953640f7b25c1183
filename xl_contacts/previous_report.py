"""Reading a previous report of this tool back: for "changes since".

The report is read with python-calamine (a Rust reader, many times faster than
openpyxl on big sheets) and validated: it must be a report of this tool, of
the same instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .contacts import COLUMNS, cell_text
from .errors import ReportError
from .names import (
    CONTACTS_SHEET,
    LABEL_FETCHED,
    LABEL_INSTANCE,
    SUMMARY_SHEET,
    SUMMARY_TITLE,
)


@dataclass
class PreviousReport:
    path: Path
    instance_id: str
    fetched_at: datetime | None
    rows: list[list[str]]  # the contract columns only, as text


def read_previous(path: str | os.PathLike[str], instance_id: str) -> PreviousReport:
    """Read and validate a report written by this tool for ``instance_id``."""
    source = Path(path)
    if not source.is_file():
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels = _open_report(source)
    previous_instance = cell_text(labels.get(LABEL_INSTANCE))
    if previous_instance != instance_id:
        raise ReportError(
            f"{str(source)!r} is a report of instance {previous_instance or '?'}, not of "
            f"{instance_id} — compare reports of the same instance"
        )
    contacts = book.get_sheet_by_name(CONTACTS_SHEET).to_python()
    header = [cell_text(v) for v in contacts[0]] if contacts else []
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise ReportError(
            f"{str(source)!r} is not a report of xl-contacts "
            f"(its Contacts sheet does not start with {COLUMNS[0]}…)"
        )
    width = len(COLUMNS)
    rows = [[cell_text(v) for v in row[:width]] for row in contacts[1:]]
    rows = [row for row in rows if any(row)]  # the one empty row of an empty table
    fetched = labels.get(LABEL_FETCHED)
    return PreviousReport(
        source, previous_instance, fetched if isinstance(fetched, datetime) else None, rows
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
