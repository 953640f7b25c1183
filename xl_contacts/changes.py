"""What changed since a previous report: added, removed and changed contacts.

The previous report is read with python-calamine (a Rust reader, many times
faster than openpyxl on big sheets) and validated: it must be a report of this
tool, of the same instance. Contacts are matched by chatId with a keyed join;
a chatId that occurs more than once is matched occurrence by occurrence
(the second "X" of the old list with the second "X" of the new one).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .cells import clean
from .contacts import COLUMNS, ContactTable, text
from .errors import ReportError
from .report import (
    CONTACTS_SHEET,
    LABEL_FETCHED,
    LABEL_INSTANCE,
    SUMMARY_SHEET,
    SUMMARY_TITLE,
    Progress,
    TableSheet,
    write_report,
)

CHANGES_SHEET = "Changes"
CHANGES_TABLE = "Changes"
COMPARED = ("name", "contactName", "type", "phoneNumber")
ADDED, REMOVED, CHANGED = "added", "removed", "changed"
CHANGE_HEADERS = [
    "change",
    "chatId",
    *(f"{name} {when}" for name in COMPARED for when in ("before", "now")),
    "what changed",
]


@dataclass
class PreviousReport:
    path: Path
    instance_id: str
    fetched_at: datetime | None
    rows: list[list[str]]  # the contract columns only, as text


@dataclass
class Changes:
    previous: PreviousReport
    rows: list[list[str]] = field(default_factory=list)  # in CHANGE_HEADERS order

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row[0] == kind)

    def summary_rows(self) -> list[tuple[str, Any]]:
        when = self.previous.fetched_at
        return [
            ("Compared with", self.previous.path.name),
            ("Previous fetch (UTC)", f"{when:%Y-%m-%d %H:%M:%S}" if when else "—"),
            ("Added", self.count(ADDED)),
            ("Removed", self.count(REMOVED)),
            ("Changed", self.count(CHANGED)),
        ]

    def describe(self) -> str:
        """E.g. '2 added, 1 removed, 4 changed'."""
        return ", ".join(f"{self.count(kind):,} {kind}" for kind in (ADDED, REMOVED, CHANGED))

    def sheet(self) -> TableSheet:
        return TableSheet(CHANGES_SHEET, CHANGES_TABLE, CHANGE_HEADERS, self.rows, freeze="C2")


def write_report_since(
    table: ContactTable,
    path: str | os.PathLike[str],
    previous: PreviousReport | None,
    *,
    progress: Progress | None = None,
) -> tuple[Path, Changes | None]:
    """The report, with a Changes sheet and counts when there is a ``previous`` one."""
    changes = compare(previous, table) if previous else None
    written = write_report(
        table,
        path,
        progress=progress,
        extra_tables=[changes.sheet()] if changes else (),
        summary_rows=changes.summary_rows() if changes else None,
    )
    return written, changes


def read_previous(path: str | os.PathLike[str], instance_id: str) -> PreviousReport:
    """Read and validate a report written by this tool for ``instance_id``."""
    source = Path(path)
    if not source.is_file():
        raise ReportError(f"previous report {str(source)!r} does not exist")
    book, labels = _open_report(source)
    previous_instance = text(labels.get(LABEL_INSTANCE))
    if previous_instance != instance_id:
        raise ReportError(
            f"{str(source)!r} is a report of instance {previous_instance or '?'}, not of "
            f"{instance_id} — compare reports of the same instance"
        )
    contacts = book.get_sheet_by_name(CONTACTS_SHEET).to_python()
    header = [text(v) for v in contacts[0]] if contacts else []
    if header[: len(COLUMNS)] != list(COLUMNS):
        raise ReportError(
            f"{str(source)!r} is not a report of xl-contacts "
            f"(its Contacts sheet does not start with {COLUMNS[0]}…)"
        )
    width = len(COLUMNS)
    rows = [[text(v) for v in row[:width]] for row in contacts[1:]]
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
    if not summary or text(summary[0][0]) != SUMMARY_TITLE:
        raise ReportError(f"{not_ours} (its Summary sheet is not ours)")
    return book, {text(row[0]): row[1] for row in summary if len(row) > 1}


def compare(previous: PreviousReport, table: ContactTable) -> Changes:
    """Added, removed and changed contacts: a keyed join on (chatId, occurrence)."""
    width = len(COLUMNS)
    # Compare what the new report will hold (cleaned text), not the raw API text.
    new_rows = [[clean(v) for v in row[:width]] for row in table.rows]
    old = dict(_keyed(previous.rows))
    changes = Changes(previous)
    for key, now in _keyed(new_rows):
        before = old.pop(key, None)
        if before is None:
            changes.rows.append(_change_row(ADDED, now[0], None, now))
        elif before[1:] != now[1:]:
            changes.rows.append(_change_row(CHANGED, now[0], before, now))
    for (chat_id, _), before in old.items():
        changes.rows.append(_change_row(REMOVED, chat_id, before, None))
    return changes


def _keyed(rows: Iterable[list[str]]) -> Iterable[tuple[tuple[str, int], list[str]]]:
    seen: defaultdict[str, int] = defaultdict(int)
    for row in rows:
        n = seen[row[0]]
        seen[row[0]] = n + 1
        yield (row[0], n), row


def _change_row(
    kind: str, chat_id: str, before: list[str] | None, now: list[str] | None
) -> list[str]:
    cells = [kind, chat_id]
    differing = []
    for i, name in enumerate(COMPARED, 1):
        old_value = before[i] if before else ""
        new_value = now[i] if now else ""
        cells += [old_value, new_value]
        if before and now and old_value != new_value:
            differing.append(name)
    cells.append(", ".join(differing))
    return cells
