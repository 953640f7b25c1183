"""Reading a previous report of this tool back: for "changes since".

The report is validated: it must be a report of this tool, of the same
instance. The file is read once; ``check_plausible`` (own_report) decides on
those bytes before any other reader's answer is used -- one unambiguous zip,
the workbook's XML read as XML, every sheet's cells inside Excel's grid -- and
reads a Contacts sheet exactly as this tool writes it right there, several
times faster than any general reader. Anything else (a report re-saved by
Excel or LibreOffice...) is read with python-calamine (a Rust reader, many
times faster than openpyxl on big sheets) from the same bytes, in a child
process with a memory and a time limit (``sandbox``: calamine aborts the
process when an allocation fails). The Summary is always calamine's: its child
starts with the checks and reads while they run. Only the contract columns of
the Contacts sheet are kept in memory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..base.errors import ReportError, echo
from ..base.i18n import LANGUAGES, _, in_every_language, speaking
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
from ..domain.table import COLUMNS
from ..domain.values import cell_text, rows_text
from .atomic import refuse_unless_regular
from .own_report import check_plausible
from .package import MAX_FILE_BYTES, TOO_BIG, not_ours
from .sandbox import SheetsReading, read_sheets

DEMO_SOURCE = "demo"


@dataclass
class PreviousReport:
    path: Path
    id_instance: str
    fetched_at: datetime | None
    rows: list[list[str]]  # the contract columns only, as text
    # A report of several instances: its rows by profile (contract columns only).
    by_instance: dict[str, list[list[str]]] = field(default_factory=dict)


def read_previous(
    path: str | os.PathLike[str], id_instance: str, *, demo: bool = False, kind: str = "all"
) -> PreviousReport:
    """Read and validate a report written by this tool for ``id_instance`` (a
    report of the built-in demo only compares with demo data, ``demo=True``; a
    report of one kind of contacts only with the same kind)."""
    width = len(COLUMNS)
    source, labels, contacts, own = _open_comparable(path, demo, kind, width)
    previous_instance = cell_text(labels.get(LABEL_INSTANCE))
    if previous_instance != id_instance:
        if "," in previous_instance:  # a report of several instances lists them all
            raise ReportError(
                _(
                    "{path!r} is a report of several instances ({instances}) — "
                    "to compare with it, export the same instances: --profile NAME once for "
                    "each, or --all-profiles"
                ).format(path=str(source), instances=echo(previous_instance))
            )
        raise ReportError(
            _(
                "{path!r} is a report of instance {before}, not of "
                "{now} — compare reports of the same instance"
            ).format(path=str(source), before=echo(previous_instance) or "?", now=id_instance)
        )
    header = [cell_text(v) for v in contacts[0]] if contacts else []
    if header != list(COLUMNS):
        reason = _("its Contacts sheet does not start with {column}…").format(column=COLUMNS[0])
        raise not_ours(repr(str(source)), reason)
    if own:
        rows = contacts[1:]  # text already, never an empty row
    else:
        # No cycles among 600,000 new strings: the collector sweeping them cost a third.
        with gc_paused():
            rows = rows_text(contacts[1:])
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
    source, labels, contacts, _own = _open_comparable(path, demo, kind, width)
    header = [cell_text(v) for v in contacts[0]] if contacts else []
    if header[: len(COLUMNS) + 1] != [INSTANCE_COLUMN, *COLUMNS]:
        raise ReportError(
            _(
                "{path!r} is not a report of several instances (its Contacts sheet does "
                "not start with {column}) — compare it with a run for one profile"
            ).format(path=str(source), column=INSTANCE_COLUMN)
        )
    for profile, id_instance in instances.items():
        before = cell_text(labels.get(LABEL_INSTANCE_OF, profile=profile))
        if before and before != id_instance:
            raise ReportError(
                _(
                    "in {path!r} profile {profile} is instance {before}, now it is "
                    "{now} — compare reports of the same instances"
                ).format(path=str(source), profile=profile, before=echo(before), now=id_instance)
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
) -> tuple[Path, SummaryLabels, list[list[Any]], bool]:
    """A report of this tool to compare with: the same demo-or-live and kind;
    with its Contacts sheet's first ``width`` columns (header first), and
    whether they are text already (read without calamine: ``own_report``)."""
    source = Path(path)
    if not source.exists():  # anything else that exists (a FIFO...) is refused by name
        raise ReportError(_("previous report {path!r} does not exist").format(path=str(source)))
    labels, contacts, own = _open_report(source, width)
    _check_demo(source, labels, demo)
    _check_kind(source, labels, kind)
    return source, labels, contacts, own


def _check_kind(source: Path, labels: SummaryLabels, kind: str) -> None:
    # Reports from before kinds existed hold every contact.
    before = cell_text(labels.get(LABEL_KIND)) or "all"
    if before != kind:
        raise ReportError(
            _(
                "{path!r} holds {before} contacts, this run fetches {kind} — compare "
                "reports of the same kind (--only)"
            ).format(path=str(source), before=echo(before), kind=kind)
        )


def _check_demo(source: Path, labels: SummaryLabels, demo: bool) -> None:
    if (cell_text(labels.get(LABEL_SOURCE)) == DEMO_SOURCE) != demo:
        if demo:
            message = _(
                "{path!r} is a report of a real instance — compare demo reports with demo data"
            )
        else:
            message = _(
                "{path!r} is a report of the built-in demo — compare reports of the same instance"
            )
        raise ReportError(message.format(path=str(source)))


def is_report(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a report workbook written by this tool."""
    try:
        _open_report(Path(path))
    except ReportError:
        return False
    return True


@dataclass
class SummaryLabels:
    """A report's Summary lines (label -> value), read by the labels of the
    language the report was written in (its title says which): a report of
    either language is read alike, and a line of the other language -- a
    contact type below, say -- cannot pose as a label."""

    values: Mapping[str, Any]
    language: str

    def get(self, label: str, **fields: str) -> Any:
        with speaking(self.language):
            return self.values.get(_(label).format(**fields) if fields else _(label))


def _language_of_title(title: str) -> str | None:
    for language in LANGUAGES:
        with speaking(language):
            if title == _(SUMMARY_TITLE):
                return language
    return None


def _open_report(source: Path, width: int = 0) -> tuple[SummaryLabels, list[list[Any]], bool]:
    """The Summary of a report of this tool (label -> value), (``width``) the
    first columns of its Contacts sheet, and whether those are text already
    (the sheet is as this tool wrote it: read by ``own_report``)."""
    label = repr(str(source))
    data = _read_bytes(source, label)
    # The Summary is named in the language of the run that wrote it.
    summaries = dict.fromkeys(sorted(in_every_language(SUMMARY_SHEET)), 0)
    # calamine's child reads the Summary while the checks (and our reading of
    # the Contacts sheet) run; its answer is taken only if they accept the file.
    reading = SheetsReading(data, label, summaries)
    try:
        own = check_plausible(data, label, width)
    except BaseException:
        reading.cancel()
        raise
    sheets, read = reading.result()
    if own is None and width and CONTACTS_SHEET in sheets:  # not our shape: calamine's rows
        read = {**read, **read_sheets(data, label, {CONTACTS_SHEET: width})[1]}
    summary_sheet = next((name for name in sheets if name in summaries), None)
    if CONTACTS_SHEET not in sheets or summary_sheet is None:
        reason = _("it has no {contacts} and {summary} sheet").format(
            contacts=CONTACTS_SHEET, summary=_(SUMMARY_SHEET)
        )
        raise not_ours(label, reason)
    summary = read[summary_sheet]
    language = _language_of_title(cell_text(summary[0][0])) if summary else None
    if language is None:
        raise not_ours(label, _("its Summary sheet is not ours"))
    labels: dict[str, Any] = {}
    for row in summary:  # the first of a label: a contact type below cannot pose as one
        if len(row) > 1:
            labels.setdefault(cell_text(row[0]), row[1])
    contacts = own if own is not None else read.get(CONTACTS_SHEET, [])
    return SummaryLabels(labels, language), contacts, own is not None


def _read_bytes(source: Path, label: str) -> bytes:
    """The file's bytes, read once: every check and every reader looks at
    these, never at the file again (which might have changed meanwhile)."""
    refuse_unless_regular(source)  # a FIFO would block the reader for ever
    try:
        with source.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise ReportError(
            _("cannot read {label} ({reason})").format(
                label=label, reason=error.strerror or type(error).__name__
            )
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise ReportError(_(TOO_BIG).format(label=label))
    return data
