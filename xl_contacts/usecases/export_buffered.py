"""The buffered export: the whole table first (one instance, or several
combined by ``multi_export``), then the report, with a Changes sheet when there
is a previous report to compare with. Imported only for such an export: the
streamed one needs none of this (``export.streams``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..base.errors import XlContactsError
from ..base.i18n import _
from ..base.names import CHANGES_SHEET, CHANGES_TABLE, INSTANCE_COLUMN
from ..domain.diff import ADDED, CHANGED, REMOVED, Changes, change_headers, compare
from ..sinks.previous_report import PreviousReport
from .export_request import ExportRequest, ExportResult
from .fetch import fetch_target
from .multi_export import changes_by_instance, fetch_many, instance_summary

if TYPE_CHECKING:  # openpyxl is imported only once the answer is on its way
    from ..sinks.xlsx_report import TableSheet


def export_buffered(
    request: ExportRequest, target: Path, previous: PreviousReport | None, notes: list[str]
) -> ExportResult:
    """The whole table first, then the report."""
    from ..sinks.xlsx_report import write_report

    summary: list[tuple[str, Any]] = []
    failures: list[XlContactsError] = []
    instances = 1
    changes = labelled = None
    if request.of_several:
        many = fetch_many(
            request.targets,
            request.count,
            request.kind,
            keep_going=request.keep_going,
            clients=request.clients,
        )
        table, summary = many.table, instance_summary(many)
        failures = many.failures
        instances = len(many.fetched) - len(failures)
        if previous is not None:
            changes, labelled = changes_by_instance(many, previous)
    else:
        table = fetch_target(
            request.targets[0], request.count, request.kind, clients=request.clients
        )
        if previous is not None:
            changes = compare(previous.rows, table)
    extra = []
    if changes is not None and previous is not None:
        extra.append(changes_sheet(changes, previous, by_instance=labelled))
        summary += changes_summary(changes, previous)
    write_report(table, target, progress=request.progress, extra_tables=extra, summary_rows=summary)
    return ExportResult(
        target,
        len(table),
        table.kind,
        several=request.of_several,
        instances=instances,
        notes=[*notes, *table.notes()],
        failures=failures,
        changes=changes,
        previous=previous,
    )


def changes_sheet(
    changes: Changes, previous: PreviousReport, *, by_instance: list[list[str]] | None = None
) -> TableSheet:
    """The Changes table, under a title saying since when and the counts; the
    change kind and chatId stay in view when scrolling right. ``by_instance``:
    the rows of a report of several instances, each led by its instance."""
    from ..sinks.xlsx_report import TableSheet

    when = previous.fetched_at
    if when:
        since = _("Changes since {report}, fetched {when} UTC").format(
            report=previous.path.name, when=f"{when:%Y-%m-%d %H:%M:%S}"
        )
    else:
        since = _("Changes since {report}").format(report=previous.path.name)
    heading = [since, changes.describe()]
    headers = change_headers()
    if by_instance is not None:
        columns, rows = [INSTANCE_COLUMN, *headers], by_instance
    else:
        columns, rows = headers, changes.rows
    return TableSheet(
        _(CHANGES_SHEET),
        CHANGES_TABLE,
        columns,
        rows,
        frozen_columns=len(columns) - len(headers) + 2,
        heading=heading,
    )


def changes_summary(changes: Changes, previous: PreviousReport) -> list[tuple[str, Any]]:
    return [
        (_("Compared with"), previous.path.name),
        (_("Previous fetch (UTC)"), previous.fetched_at or "—"),
        (_("Added"), changes.count(ADDED)),
        (_("Removed"), changes.count(REMOVED)),
        (_("Changed"), changes.count(CHANGED)),
    ]
