"""Is a workbook plausibly a report of this tool -- and, when its Contacts sheet
is exactly as this tool writes it, that sheet's contract columns, read here.

``check_plausible`` looks at a workbook before any reader touches it (see the
section below). While it inflates the Contacts sheet anyway, it can read it:
that sheet's rows are written by ``row_xml`` alone, so a report nobody re-saved
has one shape -- every cell an inline string with its position, values escaped
with ``&amp; &lt; &gt; &#13;`` only, no shared strings, no dimension. Reading
that shape with a few regular expressions is several times faster than
calamine, which parses everything: a report of 100,000 contacts took 2.3 s
(calamine and a separate look), it takes about 0.3 s here.

The shape is checked exactly, so the rows are the ones calamine would give
(tests/test_own_report.py compares both on reports of hostile contacts): every
row numbered one after the other, every cell where its position says and in
column order, nothing between them. Whatever is not so -- a report re-saved by
Excel or LibreOffice, ``_x000D_``-style escapes, a raw CR, an entity we do not
write, white space at the edge of a value without xml:space="preserve"
(calamine strips it), a row over 2 MiB -- gives None, and the caller reads the sheet with
calamine; the checks of the workbook are the same either way, so both ways
refuse the same files with the same message.
"""

from __future__ import annotations

import queue
import re
import threading
import zipfile
import zlib
from collections.abc import Iterator
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO

from ..base.errors import ReportError
from ..base.json_stream import gc_paused
from ..domain.contacts import COLUMNS, MAX_EXTRA_COLUMNS

try:  # ISA-L inflates twice as fast as zlib; wheels for Windows, macOS and Linux
    from isal import isal_zlib as _zlib
except ImportError:  # pragma: no cover - depends on the platform's wheels
    _zlib = zlib  # type: ignore[assignment]

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
_CHUNK = 1 << 20  # inflated bytes at a time
# Compressed bytes read at a time: the inflater copies what it has not used yet
# on every call, so a small input keeps that copy small.
_READ = 1 << 16
_MAX_TAG_BYTES = 4 << 20  # a tag and the text after it, carried between chunks
_CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,9})"')
# A cell whose position is missing, not first, or not plain: calamine would place
# it somewhere this scan cannot see.
_ODD_CELL = re.compile(rb'<c(?:[>/\t\r\n]| (?!r="[A-Z]{1,3}[0-9]{1,9}"))')
# The declared extent (calamine may size its storage from it): its last cell.
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]{1,3}[0-9]{1,9}:)?([A-Z]{1,3})([0-9]{1,9})"')
# What a broken package raises while it is read.
_BROKEN = (zipfile.BadZipFile, zlib.error, _zlib.error, OSError, EOFError, ValueError)
WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"


def check_plausible(source: Path, read_width: int = 0) -> list[list[str]] | None:
    """Raise ReportError unless ``source`` is a zip whose parts and sheets have
    a size and shape a report of this tool can have.

    With ``read_width``, also the Contacts sheet's first ``read_width`` columns
    (its header row first) when that sheet has exactly the shape this tool
    writes; None when it has not (then calamine reads it)."""
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
            contacts = _contacts_part(raw, infos) if read_width else None
            rows = None
            for info in infos:
                chunks = _inflated(raw, info)
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    if info is contacts:
                        read = _read_contacts(raw, info, read_width)
                        if read is not None:  # our shape: its extent is known
                            rows, columns = read
                            _check_extent(name, info.filename, len(rows), columns)
                            continue
                        chunks = _inflated(raw, info)  # not ours: the general look, from the start
                    _check_cells(name, info.filename, chunks)
                else:
                    for _ in chunks:  # inflate to check the size, keep nothing
                        pass
            return rows
    except _BROKEN:
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
            f"{name} is not a report of xl-contacts (cells beyond its rows and columns in {part!r})"
        )
    if rows * columns > MAX_CELLS:
        raise ReportError(
            f"{name} is too big to compare: {rows:,} rows × {columns:,} columns "
            f"(at most {MAX_CELLS:,} cells)"
        )


def _column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
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
        inflate = _zlib.decompressobj(-15)
    elif info.compress_type != zipfile.ZIP_STORED:
        raise zipfile.BadZipFile
    left, produced, pending = info.compress_size, 0, b""
    while left > 0 or pending:
        if not pending:
            pending = raw.read(min(left, _READ))
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


# --- the Contacts sheet as this tool writes it ---------------------------------------

# The workbook's sheet list and relationships as openpyxl writes them: the part
# calamine opens for "Contacts" is then known for sure.
_SHEETS = re.compile(r"<sheets>(.*?)</sheets>")
_SHEET = re.compile(
    r'<sheet name="([^"&<]*)" sheetId="[0-9]+" state="visible" r:id="(rId[0-9]+)" />'
)
_RELATIONSHIP = re.compile(
    r'<Relationship Type="[^"]*/worksheet" Target="([^"&<]*)" Id="(rId[0-9]+)" />'
)
_PREFIXED = re.compile(r"<[A-Za-z_][^\s>/:]*:(?:sheet|Relationship)[\s>/]")
_MAX_SMALL_PART = 1 << 20
_MAX_HEAD = 1 << 20  # a sheet's XML before its rows: widths, panes, ~1 kB
# Longest row read here: then no stretch between two "<" reaches check_plausible's
# carry limit (a row is cut after at most one more chunk), so the general look
# would not refuse what is read here. A report's rows are far shorter.
_MAX_ROW_BYTES = 2 << 20
# Around the rows: nothing a reader could take for cells, rows, another
# sheetData or a declared extent; no declaration (of another encoding), DTD
# (entities) or comment.
_NOT_AROUND = re.compile(rb"<[!?]|<(?:[^\s>/:]+:)?(?:c|row|dimension)[\s>/]|sheetData")
_HEADER = re.compile(
    r'<row r="1">((?:<c r="[A-Z]{1,3}1" s="[0-9]{1,5}" t="inlineStr"><is><t>'
    r"[^<>\s][^<>]*(?<!\s)</t></is></c>)+)</row>"
)
_HEADER_CELL = re.compile(r'<c r="([A-Z]{1,3})1" s="[0-9]{1,5}" t="inlineStr"><is><t>([^<>]*)<')
# row_xml escapes with these four entities only; any other is not ours.
_T_OPEN = '<t(?: xml:space="preserve")?>'
_ENTITY = re.compile("&(?!(?:amp|lt|gt|#13);)")


def _contacts_part(raw: BinaryIO, infos: list[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The part calamine reads as the Contacts sheet, when the workbook names it
    the way openpyxl does; else None."""
    by_name = {info.filename: info for info in infos}
    if len(by_name) != len(infos) or WORKBOOK not in by_name or WORKBOOK_RELS not in by_name:
        return None  # two parts of one name: which one a reader takes is its choice
    try:
        workbook, rels = (_small_text(raw, by_name[name]) for name in (WORKBOOK, WORKBOOK_RELS))
    except _BROKEN:
        return None  # the general look says what is wrong, where it would
    sheets = _SHEETS.findall(workbook)
    if len(sheets) != 1 or _PREFIXED.search(workbook) or _PREFIXED.search(rels):
        return None
    listed = _SHEET.findall(sheets[0])
    ids = [rel for name, rel in listed if name == "Contacts"]
    if workbook.count("<sheet ") != len(listed) or len(ids) != 1:
        return None
    targets = {rel: target for target, rel in _RELATIONSHIP.findall(rels)}
    if rels.count(f'Id="{ids[0]}"') != 1 or ids[0] not in targets:
        return None
    target = targets[ids[0]]
    part = by_name.get(target[1:] if target.startswith("/") else f"xl/{target}")
    return part if part is not None and part.filename.startswith("xl/worksheets/") else None


def _read_contacts(
    raw: BinaryIO, info: zipfile.ZipInfo, width: int
) -> tuple[list[list[str]], int] | None:
    """``_read_own`` of the part, inflated in a second thread (inflating lets
    go of the GIL: it overlaps with reading the rows)."""
    chunks = _Ahead(_inflated(raw, info))
    try:
        with gc_paused():  # 100,000s of new rows, no cycles: no sweeps
            return _read_own(chunks, info, width)
    except _BROKEN:
        return None  # the general look says what is wrong, as it would
    finally:
        chunks.close()  # the thread is done with ``raw`` before it is read again


class _Ahead:
    """The chunks of an iterator, made in a second thread a few chunks ahead."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._queue: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="xl-contacts inflate", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for chunk in self._chunks:
                if self._stop.is_set():
                    return
                self._queue.put(chunk)
            self._queue.put(None)
        except BaseException as error:  # raised again in the reading thread
            self._queue.put(error)

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self._queue.get()) is not None:
            if isinstance(chunk, BaseException):
                raise chunk
            yield chunk

    def close(self) -> None:
        """Stop the thread (taking what it waits to hand over) and wait for it."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.01)
            except queue.Empty:
                pass
        self._thread.join()


def _small_text(raw: BinaryIO, info: zipfile.ZipInfo) -> str:
    if info.file_size > _MAX_SMALL_PART:
        raise zipfile.BadZipFile
    return b"".join(_inflated(raw, info)).decode("utf-8")


def _read_own(
    chunks: Iterator[bytes], info: zipfile.ZipInfo, width: int
) -> tuple[list[list[str]], int] | None:
    """The header and rows (first ``width`` columns) of a Contacts sheet in
    exactly the shape this tool writes, and its number of columns; None if it
    is not so (or its CRC is wrong: calamine would refuse it)."""
    reader = _RowReader(width)
    crc, pending, head = 0, b"", None
    for chunk in chunks:
        crc = _zlib.crc32(chunk, crc)
        pending += chunk
        if head is None:
            at = pending.find(b"<sheetData>")
            if at < 0:
                if len(pending) > _MAX_HEAD:
                    return None
                continue
            head, pending = pending[:at], pending[at + len(b"<sheetData>") :]
            if _NOT_AROUND.search(head):
                return None
        cut = pending.rfind(b"</row>") + len(b"</row>")
        if cut < len(b"</row>"):
            if len(pending) > _MAX_ROW_BYTES:
                return None
            continue
        if len(pending) - cut > _MAX_ROW_BYTES or not reader.feed(pending[:cut]):
            return None
        pending = pending[cut:]
    end = b"</sheetData>"
    if (
        crc != info.CRC
        or not reader.rows
        or not pending.startswith(end)
        or _NOT_AROUND.search(pending, len(end))
    ):
        return None
    return reader.rows, reader.columns


class _RowReader:
    """The rows of a Contacts sheet, piece by piece (each piece whole rows)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[list[str]] = []  # the header row first
        self.columns = 0

    def feed(self, piece: bytes) -> bool:
        """Read ``piece``; False when it is not as this tool writes rows.
        Never so: a raw CR (XML reads it as LF) or "_x" (calamine decodes
        _xHHHH_, the escapes Excel writes, and row_xml writes none)."""
        if b"\r" in piece or b"_x" in piece:
            return False
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if not self.rows:
            header = _HEADER.match(text)
            if not header or not self._header(header[1]):
                return False
            text = text[header.end() :]
        return not text or self._data_rows(text)

    def _header(self, xml: str) -> bool:
        cells = _HEADER_CELL.findall(xml)
        if not self.width <= len(cells) <= MAX_COLUMNS:
            return False
        if [letter for letter, _ in cells] != _letters(len(cells)):
            return False
        values = [value for _, value in cells[: self.width]]
        if "&" in xml and (_ENTITY.search(xml) or "&#13;" in xml):
            return False
        self.rows.append([_unescape(value) for value in values])
        self.columns = len(cells)
        return True

    def _data_rows(self, text: str) -> bool:
        amp = "&" in text
        if amp and _ENTITY.search(text):
            return False
        found = _row_pattern(self.width, self.columns).findall(text)
        if found[-1][-1]:  # something that is not a row of ours
            return False
        first = len(self.rows) + 1
        numbers = list(map(itemgetter(0), found))
        if numbers != list(map(str, range(first, first + len(found)))):
            return False
        # Past a report's extent: not ours, and holding such rows costs memory
        # without bound (a 14 MB zip of 3,000,000 one-cell rows took 350 MB).
        total = len(self.rows) + len(found)
        if total > MAX_ROWS or total * self.columns > MAX_CELLS:
            return False
        rows = list(map(list, map(itemgetter(*range(1, self.width + 1)), found)))
        if amp:
            rows = [[_unescape(v) for v in row] for row in rows]
        self.rows += rows
        return True


def _unescape(value: str) -> str:
    if "&" not in value:
        return value
    return (
        value.replace("&lt;", "<").replace("&gt;", ">").replace("&#13;", "\r").replace("&amp;", "&")
    )


@lru_cache(maxsize=8)
def _letters(columns: int) -> list[str]:
    letters = []
    for index in range(1, columns + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


@lru_cache(maxsize=16)
def _row_pattern(width: int, columns: int) -> re.Pattern[str]:
    """A data row of ``columns`` cells as row_xml writes it -- each cell in its
    column's place, all but the first optional (empty values are left out) and
    the first not empty --
    capturing the row number and the first ``width`` values; else (the last
    group) all the rest.

    calamine strips white space at the edges of a value without
    xml:space="preserve": row_xml never writes one, and here such a value in
    the first ``width`` columns is not ours (the others are not read: what
    calamine makes of them changes nothing)."""
    # A value without it: not starting or ending with white space (nor &#13;).
    value = '((?<=e">)[^<>]{0}|(?![ \t\n]|&#13;)[^<>]{0}(?<![ \t\n])(?<!&#13;))'
    cells = []
    for index, letter in enumerate(_letters(columns)):
        # The first value (chatId; a profile in a report of several) is never empty.
        text = value.format("+" if index == 0 else "*") if index < width else "[^<>]*"
        cell = f'<c r="{letter}\\1" t="inlineStr"><is>{_T_OPEN}{text}</t></is></c>'
        cells.append(cell if index == 0 else f"(?:{cell}|)")
    return re.compile('<row r="([0-9]+)">' + "".join(cells) + r"</row>|([\s\S]+)")
