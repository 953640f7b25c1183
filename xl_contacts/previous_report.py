"""Reading a previous report of this tool back: for "changes since".

The report is read with python-calamine (a Rust reader, many times faster than
openpyxl on big sheets) and validated: it must be a report of this tool, of
the same instance.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .contacts import COLUMNS, cell_text
from .errors import ReportError
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
    source = Path(path)
    if not source.is_file():
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels = _open_report(source)
    _check_demo(source, labels, demo)
    _check_kind(source, labels, kind)
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
    source = Path(path)
    if not source.is_file():
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels = _open_report(source)
    _check_demo(source, labels, demo)
    _check_kind(source, labels, kind)
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
    for row in contacts[1:]:
        cells = [cell_text(v) for v in row[:width]]
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
    try:
        book = CalamineWorkbook.from_path(str(source))
        if CONTACTS_SHEET not in book.sheet_names or SUMMARY_SHEET not in book.sheet_names:
            raise ReportError(f"{not_ours} (it has no {CONTACTS_SHEET} and {SUMMARY_SHEET} sheet)")
        summary = book.get_sheet_by_name(SUMMARY_SHEET).to_python()
    except (CalamineError, OSError, ValueError):
        raise ReportError(f"{not_ours} (not a readable .xlsx workbook)") from None
    if not summary or cell_text(summary[0][0]) != SUMMARY_TITLE:
        raise ReportError(f"{not_ours} (its Summary sheet is not ours)")
    return book, {cell_text(row[0]): row[1] for row in summary if len(row) > 1}
