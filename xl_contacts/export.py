"""The export use case: a report workbook, with a Changes sheet when there is a
previous report to compare with."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .contacts import ContactTable
from .diff import ADDED, CHANGE_HEADERS, CHANGED, REMOVED, Changes, compare
from .names import CHANGES_SHEET, CHANGES_TABLE
from .previous_report import PreviousReport
from .xlsx_report import Progress, TableSheet, write_report


@dataclass
class ExportResult:
    path: Path
    changes: Changes | None = None
    previous: PreviousReport | None = None


def export_report(
    table: ContactTable,
    path: str | os.PathLike[str],
    previous: PreviousReport | None = None,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    """Write ``table`` as a report at ``path``; with a ``previous`` report, add the
    Changes sheet and the added/removed/changed counts to the Summary."""
    if previous is None:
        return ExportResult(write_report(table, path, progress=progress))
    changes = compare(previous.rows, table)
    written = write_report(
        table,
        path,
        progress=progress,
        extra_tables=[
            TableSheet(CHANGES_SHEET, CHANGES_TABLE, CHANGE_HEADERS, changes.rows, freeze="C2")
        ],
        summary_rows=_summary_rows(changes, previous),
    )
    return ExportResult(written, changes, previous)


def _summary_rows(changes: Changes, previous: PreviousReport) -> list[tuple[str, Any]]:
    when = previous.fetched_at
    return [
        ("Compared with", previous.path.name),
        ("Previous fetch (UTC)", f"{when:%Y-%m-%d %H:%M:%S}" if when else "—"),
        ("Added", changes.count(ADDED)),
        ("Removed", changes.count(REMOVED)),
        ("Changed", changes.count(CHANGED)),
    ]
