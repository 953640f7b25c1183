"""Is a workbook plausibly a report of this tool -- and, when its Contacts sheet
is exactly as this tool writes it, that sheet's contract columns, read here.

``check_plausible`` looks at a workbook's bytes before any other reader does
(see the section below). While it inflates the Contacts sheet anyway, it can
read it: that sheet's rows are written by ``row_xml`` alone, so a report nobody
re-saved has one shape -- every cell an inline string with its position,
values escaped with ``&amp; &lt; &gt; &#13;`` only, no shared strings, no
dimension. Reading that shape with a few regular expressions is several times
faster than calamine, which parses everything: a report of 100,000 contacts
takes about 0.2 s here against 0.8 s with calamine and a separate look
(benchmarks/run.py, the Changes figure, whose baseline reads it that way).

The shape is proved before the shortcut is taken, so the rows are the ones
calamine would give (tests/test_own_report.py compares both on reports of
hostile contacts): the sheet is the one the workbook names Contacts, found by
reading the workbook's XML as XML (``package_xml``); every row numbered one
after the other, every cell where its position says and in column order,
nothing between them; what is around the rows is well-formed XML without a
cell. What our writer writes is always read here, whatever the contacts (the
``_x005F_`` that row_xml writes before an ``xHHHH_`` is undone, as calamine
undoes it). Whatever is not so -- a report re-saved by Excel or LibreOffice,
another ``_xHHHH_`` escape, a raw CR, an entity we do not write, white space
at the edge of a value without xml:space="preserve" (calamine strips it), a
row over 2 MiB -- gives None, and the caller has calamine read the sheet; the
checks of the workbook are the same either way, so both ways refuse the same
files with the same message.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Iterator
from functools import lru_cache
from operator import itemgetter

from ..base.bounds import SHEET_ROWS
from ..base.i18n import _
from ..base.json_stream import gc_paused_promoting
from ..base.names import CONTACTS_SHEET
from .package import BROKEN, NOT_READABLE, NotAPackage, Package, not_ours, open_package
from .package_xml import NotWorkbookXml, elements, extent, local_name

# --- is it plausibly a report of ours? Looked at before any other reader ----------------
#
# The package is read once (``package``: one unambiguous zip), and what decides
# which part is which sheet is read as XML. Every part any reader may take for
# a sheet -- every .xml and .rels part, whatever its folder or letter case, and
# every part the workbook lists as a sheet -- must be well-formed XML whose
# cells all have a plain position inside Excel's grid. calamine still may
# allocate more than a machine has for a sheet inside that grid (one cell at A1
# and one at XFD1048576 ask for 549 GB): it reads only in a child process with
# a memory limit (``sandbox``).

WORKBOOK = "xl/workbook.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
PACKAGE_RELS = "_rels/.rels"
_MAX_SMALL_PART = 1 << 20
# The letters of the columns of the widest header read here; a wider sheet
# (no report of a few instances is) is left to the general way.
_MAX_FAST_COLUMNS = 1000


def check_plausible(data: bytes, label: str, read_width: int = 0) -> list[list[str]] | None:
    """Raise ReportError (naming ``label``) unless ``data`` is a zip package
    whose parts and sheets have a size and shape a report of this tool can have.

    With ``read_width``, also the Contacts sheet's first ``read_width`` columns
    (its header row first) when that sheet has exactly the shape this tool
    writes; None when it has not (then calamine reads it)."""
    package = open_package(data, label)
    part = WORKBOOK
    try:
        sheets = sheet_parts(package)
        contacts = sheets.get(CONTACTS_SHEET)
        rows = None
        for part in package.parts:
            if part == contacts:
                read = _read_contacts(package, part, read_width)
                if read is not None:  # our shape, checked as it was read
                    rows = read if read_width else None
                    continue
            if part in sheets.values() or part.lower().endswith((".xml", ".rels")):
                reach = extent(package.inflated(part))
                # Every row of a report is as wide as its header, at most: a
                # cell further right is no report's (calamine would allocate
                # every row up to it).
                if part == contacts and reach.columns > reach.header_columns:
                    raise NotWorkbookXml(_("cells right of its header"))
            else:
                for _chunk in package.inflated(part):  # its size and checksum
                    pass
        return rows
    except NotWorkbookXml as error:
        reason = _("{error} in {part!r}").format(error=error, part=part)
        raise not_ours(label, reason) from None
    except NotAPackage as error:
        raise not_ours(label, error) from None
    except BROKEN:
        raise not_ours(label, _(NOT_READABLE)) from None


def sheet_parts(package: Package) -> dict[str, str]:
    """Sheet name -> the part holding it, read from the workbook's XML the way
    calamine and every other reader read it -- or NotWorkbookXml where readers
    could differ: the workbook elsewhere than xl/workbook.xml, a relationship
    id twice, a sheet outside the sheet list or with another kind of id, two
    sheets of one name (in any case), a relationship to a part the package
    does not hold under exactly that name, or by a path a reader could resolve
    otherwise (``..``, ``%``, ``#``)."""
    relationships = _workbook_relationships(package)
    workbook = package.read(WORKBOOK, _MAX_SMALL_PART)
    listed = elements(workbook, {"sheets", "sheet"})
    sheets: dict[str, str] = {}
    folded: set[str] = set()
    for sheet in listed[1:]:
        ids = [key for key in sheet.attributes if local_name(key) == "id"]
        name = sheet.attributes.get("name", "")
        if sheet.local != "sheet" or sheet.parent != "sheets" or ids != ["r:id"]:
            raise NotWorkbookXml(_("a sheet listed as no workbook lists one"))
        if name.lower() in folded:
            raise NotWorkbookXml(_("two sheets of one name"))
        folded.add(name.lower())
        # calamine takes an id as written (an XML reader decodes &#114;Id1 to rId1).
        written = rb"r:id\s*=\s*([\"'])" + re.escape(sheet.attributes["r:id"].encode()) + rb"\1"
        if not re.search(written, workbook):
            raise NotWorkbookXml(_("a sheet whose id readers read otherwise"))
        rel = relationships.get(sheet.attributes["r:id"], {})
        if not rel.get("Type", "").endswith("/worksheet") or "TargetMode" in rel:
            raise NotWorkbookXml(_("sheet {name!r} without its part").format(name=name))
        sheets[name] = _target(package, "xl/", rel)
    if not listed or listed[0].local != "sheets" or listed[0].parent != "workbook":
        raise NotWorkbookXml(_("no sheet list"))
    return sheets


def _workbook_relationships(package: Package) -> dict[str, dict[str, str]]:
    """The workbook's relationships by id, once it is known to be xl/workbook.xml."""
    for name in (PACKAGE_RELS, WORKBOOK, WORKBOOK_RELS):
        if name not in package.parts:
            raise NotWorkbookXml(_("no {name}").format(name=name))
    package_rels, workbook_rels = (
        package.read(name, _MAX_SMALL_PART) for name in (PACKAGE_RELS, WORKBOOK_RELS)
    )
    # calamine takes ids and targets as written, an XML reader decodes
    # references in them; no writer writes one there.
    if b"&" in package_rels or b"&" in workbook_rels:
        raise NotWorkbookXml(_("a reference in its relationships"))
    office = [
        rel
        for rel in elements(package_rels, {"Relationship"})
        if rel.attributes.get("Type", "").endswith("/officeDocument")
    ]
    if len(office) != 1 or _target(package, "", office[0].attributes) != WORKBOOK:
        raise NotWorkbookXml(_("its workbook is not {name}").format(name=WORKBOOK))
    relationships: dict[str, dict[str, str]] = {}
    for rel in elements(workbook_rels, {"Relationship"}):
        if rel.parent != "Relationships":
            raise NotWorkbookXml(_("a relationship outside the list"))
        if rel.attributes.get("Id") in relationships:
            raise NotWorkbookXml(_("relationships of one id"))
        relationships[rel.attributes.get("Id", "")] = rel.attributes
    return relationships


def _target(package: Package, folder: str, relationship: dict[str, str]) -> str:
    """The part a relationship of a part in ``folder`` points to."""
    target = relationship.get("Target", "")
    part = target[1:] if target.startswith("/") else folder + target
    # "%", "#" and "?" mean something in a URI: a reader may decode or cut them.
    if part not in package.parts or any(c in target for c in "%#?"):
        raise NotWorkbookXml(
            _("a relationship to {target!r}, a part it does not hold").format(target=target)
        )
    return part


# --- the Contacts sheet as this tool writes it ---------------------------------------

_MAX_HEAD = 1 << 20  # a sheet's XML before its rows: widths, panes, ~1 kB
# Longest row read here; a report's rows are far shorter.
_MAX_ROW_BYTES = 2 << 20
_HEADER = re.compile(
    r'<row r="1">((?:<c r="[A-Z]{1,3}1" s="[0-9]{1,5}" t="inlineStr"><is><t>'
    r"[^<>\s][^<>]*(?<!\s)</t></is></c>)+)</row>"
)
_HEADER_CELL = re.compile(r'<c r="([A-Z]{1,3})1" s="[0-9]{1,5}" t="inlineStr"><is><t>([^<>]*)<')
_X_ESCAPE = re.compile("_x[0-9A-Fa-f]{4}_")
_OUR_ESCAPE = "_x005F_"
# row_xml escapes with these four entities only; any other is not ours.
_T_OPEN = '<t(?: xml:space="preserve")?>'
_ENTITY = re.compile("&(?!(?:amp|lt|gt|#13);)")


def _read_contacts(package: Package, part: str, width: int) -> list[list[str]] | None:
    """``_read_own`` of the part, inflated in a second thread (inflating lets
    go of the GIL: it overlaps with reading the rows)."""
    chunks = _Ahead(package.inflated(part))
    try:
        # 100,000s of new rows, no cycles: no sweeps, now nor right after.
        with gc_paused_promoting():
            return _read_own(chunks, width)
    finally:
        chunks.close()


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


def _read_own(chunks: Iterator[bytes], width: int) -> list[list[str]] | None:
    """The header and rows (first ``width`` columns) of a Contacts sheet in
    exactly the shape this tool writes; None if it is not so. Around the rows
    (read by patterns) only well-formed XML without a cell may be: checked by
    the XML parser, as every other part is."""
    reader = _RowReader(width)
    pending, head = b"", None
    for chunk in chunks:
        pending += chunk
        if head is None:
            at = pending.find(b"<sheetData>")
            if at < 0:
                if len(pending) > _MAX_HEAD:
                    return None
                continue
            head, pending = pending[:at], pending[at + len(b"<sheetData>") :]
        cut = pending.rfind(b"</row>") + len(b"</row>")
        if cut < len(b"</row>"):
            if len(pending) > _MAX_ROW_BYTES:
                return None
            continue
        if len(pending) - cut > _MAX_ROW_BYTES or not reader.feed(pending[:cut]):
            return None
        pending = pending[cut:]
    end = b"</sheetData>"
    if head is None or not reader.count or not pending.startswith(end):
        return None
    if extent([head, b"<sheetData/>", pending[len(end) :]]).columns:
        return None  # a cell or a declared extent outside the rows: not ours
    return reader.rows


class _RowReader:
    """The rows of a Contacts sheet, piece by piece (each piece whole rows)."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.rows: list[list[str]] = []  # the header row first (none kept when width is 0)
        self.count = 0  # rows read, the header row included
        self.columns = 0

    def feed(self, piece: bytes) -> bool:
        """Read ``piece``; False when it is not as this tool writes rows."""
        try:
            text = piece.decode("utf-8")
        except UnicodeDecodeError:
            return False
        if not self.count:
            header = _HEADER.match(text)
            if not header or not self._header(header[1]):
                return False
            text = text[header.end() :]
        return not text or self._data_rows(text)

    def _header(self, xml: str) -> bool:
        cells = _HEADER_CELL.findall(xml)
        if not self.width <= len(cells) <= _MAX_FAST_COLUMNS:
            return False
        if [letter for letter, _ in cells] != _letters(len(cells)):
            return False
        values = [value for _, value in cells[: self.width]]
        if "&" in xml and (_ENTITY.search(xml) or "&#13;" in xml):
            return False
        if self.width:
            header = _decoded([values])
            if header is None:
                return False
            self.rows.append([_unescape(value) for value in header[0]])
        self.count, self.columns = 1, len(cells)
        return True

    def _data_rows(self, text: str) -> bool:
        amp = "&" in text
        if amp and _ENTITY.search(text):
            return False
        plain = not (amp and "&#13;" in text)
        found = _row_pattern(self.width, self.columns, plain).findall(text)
        if plain and found[-1][-1]:  # a value kept with xml:space, perhaps: the full rule
            found = _row_pattern(self.width, self.columns, False).findall(text)
        if found[-1][-1]:  # something that is not a row of ours
            return False
        first = self.count + 1
        numbers = list(map(itemgetter(0), found))
        if numbers != list(map(str, range(first, first + len(found)))):
            return False
        # Past Excel's last row: not ours, and holding such rows costs memory
        # without bound (a 14 MB zip of 3,000,000 one-cell rows took 350 MB).
        self.count += len(found)
        if self.count > SHEET_ROWS:
            return False
        if self.width:
            rows = list(map(list, map(itemgetter(*range(1, self.width + 1)), found)))
            # A search for the escape itself: ``"_x" in text`` took three times as long.
            if "\r" in text or _X_ESCAPE.search(text):
                decoded = _decoded(rows)
                if decoded is None:
                    return False
                rows = decoded
            if amp:
                rows = [[_unescape(v) for v in row] for row in rows]
            self.rows += rows
        return True


def _decoded(rows: list[list[str]]) -> list[list[str]] | None:
    """``rows`` with the one _xHHHH_ escape row_xml writes undone: calamine
    decodes every _xHHHH_ (the escapes Excel writes), so row_xml writes the
    "_" of a "_xHHHH_" in a value as _x005F_. None when a value holds another
    escape or a raw CR (XML reads it as LF; row_xml writes &#13;): not ours,
    calamine reads it. The columns not read may hold anything."""
    decoded = []
    for row in rows:
        for value in row:
            if "\r" in value or any(e != _OUR_ESCAPE for e in _X_ESCAPE.findall(value)):
                return None
        decoded.append([value.replace(_OUR_ESCAPE, "_") for value in row])
    return decoded


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
def _row_pattern(width: int, columns: int, plain: bool) -> re.Pattern[str]:
    """A data row of ``columns`` cells as row_xml writes it -- each cell in its
    column's place, all but the first optional (empty values are left out) and
    the first not empty --
    capturing the row number and the first ``width`` values; else (the last
    group) all the rest.

    calamine strips white space at the edges of a value without
    xml:space="preserve": row_xml never writes one, and here such a value in
    the first ``width`` columns is not ours (the others are not read: what
    calamine makes of them changes nothing).

    ``plain``: the same rule for text without &#13; and rows without
    xml:space="preserve" (nearly all): their look-arounds left out, about a sixth
    faster; a piece with a row it does not match is read again by the whole rule."""
    # A value without it: not starting or ending with white space (nor &#13;).
    if plain:
        value, t_open = "((?![ \t\n])[^<>]{0}(?<![ \t\n]))", "<t>"
    else:
        value = '((?<=e">)[^<>]{0}|(?![ \t\n]|&#13;)[^<>]{0}(?<![ \t\n])(?<!&#13;))'
        t_open = _T_OPEN
    cells = []
    for index, letter in enumerate(_letters(columns)):
        # The first value (chatId; a profile in a report of several) is never empty.
        text = value.format("+" if index == 0 else "*") if index < width else "[^<>]*"
        cell = f'<c r="{letter}\\1" t="inlineStr"><is>{t_open}{text}</t></is></c>'
        cells.append(cell if index == 0 else f"(?:{cell}|)")
    return re.compile('<row r="([0-9]+)">' + "".join(cells) + r"</row>|([\s\S]+)")
