"""The export use case: a report workbook, with a Changes sheet when there is a
previous report to compare with."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..base.names import CHANGES_SHEET, CHANGES_TABLE, INSTANCE_COLUMN
from ..domain.contacts import ContactTable
from ..domain.diff import ADDED, CHANGE_HEADERS, CHANGED, REMOVED, Changes, compare
from ..sinks.previous_report import PreviousReport
from ..sinks.xlsx_report import Progress, TableSheet, write_report


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
    about: Sequence[tuple[str, Any]] = (),
) -> ExportResult:
    """Write ``table`` as a report at ``path``; with a ``previous`` report, add the
    Changes sheet and the added/removed/changed counts to the Summary. ``about``:
    (label, value) lines saying what the report holds (e.g. which contacts), shown
    on the Summary right after the instance."""
    if previous is None:
        return ExportResult(write_report(table, path, progress=progress, about=about))
    changes = compare(previous.rows, table)
    written = write_report(
        table,
        path,
        progress=progress,
        extra_tables=[changes_sheet(changes, previous)],
        summary_rows=changes_summary(changes, previous),
        about=about,
    )
    return ExportResult(written, changes, previous)


def changes_sheet(
    changes: Changes, previous: PreviousReport, *, by_instance: list[list[str]] | None = None
) -> TableSheet:
    """The Changes table, under a title saying since when and the counts; the
    change kind and chatId stay in view when scrolling right. ``by_instance``:
    the rows of a report of several instances, each led by its instance."""
    when = previous.fetched_at
    since = f"Changes since {previous.path.name}"
    if when:
        since += f", fetched {when:%Y-%m-%d %H:%M:%S} UTC"
    heading = [since, changes.describe()]
    if by_instance is not None:
        columns, rows = [INSTANCE_COLUMN, *CHANGE_HEADERS], by_instance
    else:
        columns, rows = CHANGE_HEADERS, changes.rows
    return TableSheet(
        CHANGES_SHEET,
        CHANGES_TABLE,
        columns,
        rows,
        frozen_columns=len(columns) - len(CHANGE_HEADERS) + 2,
        heading=heading,
    )


def changes_summary(changes: Changes, previous: PreviousReport) -> list[tuple[str, Any]]:
    return [
        ("Compared with", previous.path.name),
        ("Previous fetch (UTC)", previous.fetched_at or "—"),
        ("Added", changes.count(ADDED)),
        ("Removed", changes.count(REMOVED)),
        ("Changed", changes.count(CHANGED)),
    ]
