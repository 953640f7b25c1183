"""The export as one streaming pass: getContacts' body -> report workbook.

While the body is still arriving, whole contacts are decoded (json_stream),
normalised by the one set of rules (contacts.Normaliser), given the report's
phone columns and counted (report_facts.ContactFacts), written as the Contacts
sheet's rows (row_xml) and deflated in a second thread (zip_stream): nothing
holds the whole list, so memory stays flat however long it is. When the body
is complete, openpyxl writes the workbook's structure (header row, table,
Summary: xlsx_report.report_skeleton, from the counts and the first rows) and
the package is put together from already-compressed parts. The result is
``write_report(normalise(...))``'s workbook, part for part.

It fails as the buffered export does: a truncated or broken body, bad JSON,
over the size cap or past the time budget (the client's checks), too many rows
-- the temporary file is removed and an existing report is left as it was
(atomic.replacing). What a stream cannot know early is the list's columns: a
field first seen after rows were written, or WhatsApp's ``id`` turning out to
be a column, would move the report's own columns. Then the export starts over
from the body it kept (a temporary file beside the report, not in memory or
/tmp): one pass learns every column, a second writes the rows -- still
streamed, so memory stays flat then too.

Used for the common export: every contact (kind ``all``) of one instance,
nothing to compare with (``export.streams`` says when); every other export
takes the buffered path.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..api.client import GreenApiClient
from ..base.json_stream import ArrayItems, gc_paused
from ..base.names import CONTACTS_SHEET
from ..domain.contacts import Normaliser
from ..sinks.atomic import output_path, replacing
from ..sinks.report_facts import ContactFacts, check_rows
from ..sinks.row_xml import RowWriter
from ..sinks.zip_stream import DeflateSpool
from .export_request import ExportResult

if TYPE_CHECKING:  # openpyxl is imported in a second thread while the answer arrives
    from ..sinks.xlsx_report import Progress

WIDTH_SAMPLE = 2000  # the rows xlsx_report.column_widths looks at
KEPT_IN_MEMORY = 8 << 20  # of the body kept for a restart; the rest goes to a file
# Records made into rows together: each batch's rules and phone look-ups have a
# cost of their own; a piece of the body (64 KiB) holds only ~500 contacts.
BATCH = 2000


class Reshape(Exception):
    """Rows already written lack a column that a later record revealed."""


def export_streamed(
    client: GreenApiClient,
    path: str | os.PathLike[str],
    count: int | None = None,
    *,
    progress: Progress | None = None,
) -> ExportResult:
    """Fetch every contact (or ``count``) and write the report at ``path`` in one
    pass. ``progress(total, total)`` is called when the rows are written."""
    target = output_path(path, ".xlsx", "report")
    # openpyxl takes a good part of a second to import: do it while the answer
    # is on its way, not after.
    threading.Thread(target=_import_openpyxl, daemon=True).start()
    reader = partial(
        write_streamed, path=target, id_instance=client.settings.id_instance, progress=progress
    )
    return client.read_contacts(count, reader)


def _import_openpyxl() -> None:
    try:
        from ..sinks import xlsx_report  # noqa: F401
    except Exception:  # the export's own import raises it again, as one clear line
        pass


def write_streamed(
    body: Iterable[bytes],
    *,
    path: str | os.PathLike[str],
    id_instance: str = "",
    progress: Progress | None = None,
    fetched_at: datetime | None = None,
) -> ExportResult:
    """The report of the getContacts body arriving as ``body`` (chunks cut
    anywhere), written at ``path``: ``write_report(normalise(json.loads(body)))``'s
    workbook. ``fetched_at``: when the list was fetched (now by default). Raises
    ValueError for a body that is not JSON (``NotAList``: not a list)."""
    target = output_path(path, ".xlsx", "report")
    instance = id_instance
    body = iter(body)
    kept = _Kept(target.parent)
    try:
        with gc_paused():  # many new objects, none to collect
            try:
                return _stream(target, instance, _tap(body, kept), _Rows(), progress, fetched_at)
            except Reshape:
                pass
            # Start over from the body kept so far and the rest of it: learn every
            # column first, then write the rows with all of them known.
            for chunk in body:
                kept.add(chunk)
            learner = Normaliser()
            items = ArrayItems()
            for chunk in kept.chunks():
                learner.learn(items.feed(chunk))
            learner.learn(items.finish())
            rows = _Rows(learner.again())
            result = _stream(target, instance, kept.chunks(), rows, progress, fetched_at)
            result.restarted = True
            return result
    finally:
        kept.close()


def _stream(
    target: Path,
    instance: str,
    body: Iterable[bytes],
    rows: _Rows,
    progress: Progress | None,
    fetched_at: datetime | None,
) -> ExportResult:
    with replacing(target) as temporary:
        spool = DeflateSpool(temporary.parent)
        try:
            items = ArrayItems()
            batch: list[Any] = []
            for chunk in body:
                batch += items.feed(chunk)
                if len(batch) >= BATCH:
                    spool.write(rows.add(batch))
                    batch = []
            spool.write(rows.add([*batch, *items.finish()]))
            spool.close()
            if progress is not None:
                progress(rows.facts.rows, rows.facts.rows)
            from ..sinks.xlsx_report import report_skeleton, write_package

            table = rows.normaliser.table([], id_instance=instance)
            table.fetched_at = fetched_at or table.fetched_at
            facts = rows.facts
            skeleton, parts = report_skeleton(table, facts, _Sample(rows.sample, facts.rows))
            write_package(skeleton, temporary, parts, {next(iter(parts)): spool})
        finally:
            spool.discard()
    notes = table.notes(lids=facts.lids)
    return ExportResult(target, facts.rows, table.kind, notes=notes, streamed=True)


class _Rows:
    """Records -> the Contacts sheet's row XML, batch after batch."""

    def __init__(self, normaliser: Normaliser | None = None) -> None:
        # By default it learns whether the list is WhatsApp's, and its columns.
        self.normaliser = normaliser or Normaliser()
        self.facts = ContactFacts(self.normaliser.columns)
        self.writer = RowWriter(2)  # below the header row
        self.sample: list[list[str]] = []

    def add(self, records: Sequence[Any]) -> bytes:
        columns = self.normaliser.columns
        # Column by column: each count, check and encoding is one look at a
        # whole column (in C), not one per value.
        table: list[Sequence[str]] = list(self.normaliser.feed_columns(records))
        if self.normaliser.columns is not columns:
            if self.facts.rows:
                raise Reshape
            self.facts = ContactFacts(self.normaliser.columns)
        if not table[0]:
            return b""
        chats, phones, types = (table[i] for i in self.facts.reads)
        formatted, countries = self.facts.describe_columns(chats, phones, types)
        check_rows(CONTACTS_SHEET, self.facts.rows)
        table += [formatted, countries]
        if len(self.sample) < WIDTH_SAMPLE:
            full = zip(*table, strict=True)
            self.sample.extend(map(list, islice(full, WIDTH_SAMPLE - len(self.sample))))
        return self.writer.write_columns(table)


class _Sample(Sequence[list[str]]):
    """``n`` rows of which only the first (for column widths) are at hand."""

    def __init__(self, first: list[list[str]], n: int) -> None:
        self.first, self.n = first, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        whole = len(self.first) == self.n
        if isinstance(index, slice) and (whole or (index.stop or self.n) <= WIDTH_SAMPLE):
            return self.first[index]
        raise IndexError("a streamed export keeps only its first rows")


class _Kept:
    """The body as it passed, kept in case the export has to start over: its
    first megabytes as the chunks themselves (no copy: a SpooledTemporaryFile
    copied them into memory it had to grow, a few % of a 100k export), the
    rest in an unnamed temporary file beside the report (the disk the report
    goes to, not /tmp, which may be small or in memory)."""

    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._chunks: list[bytes] = []  # until they pass KEPT_IN_MEMORY
        self._size = 0
        self._file: IO[bytes] | None = None

    def add(self, chunk: bytes) -> None:
        if self._file is not None:
            self._file.write(chunk)
            return
        self._chunks.append(bytes(chunk))  # the chunk itself (a copy if it could change)
        self._size += len(chunk)
        if self._size > KEPT_IN_MEMORY:
            self._file = tempfile.TemporaryFile(dir=self._folder)
            self._file.writelines(self._chunks)
            self._chunks = []

    def chunks(self, size: int = 1 << 20) -> Iterator[bytes]:
        """The kept body from its start, ``size`` bytes at a time (or as it came)."""
        if self._file is None:
            yield from self._chunks
            return
        self._file.seek(0)
        while chunk := self._file.read(size):
            yield chunk

    def close(self) -> None:
        self._chunks = []
        if self._file is not None:
            self._file.close()


def _tap(body: Iterator[bytes], kept: _Kept) -> Iterator[bytes]:
    for chunk in body:
        kept.add(chunk)
        yield chunk
