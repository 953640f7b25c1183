"""SpreadsheetML rows of a table sheet: the one writer of data rows, for the
buffered report (``xlsx_report``) and the streamed export (``export_stream``)
alike, so both write the same bytes for the same rows.

Every value is an inline string (never a formula), cleaned by ``cells.clean``
and escaped; empty values are left out (empty cells), so a row that ends early
is the same XML as one padded with ''. Imports nothing heavy: the streamed
export builds rows while openpyxl is still being imported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import compress, repeat
from operator import ne
from xml.sax.saxutils import escape

from ..base.cells import clean_column, for_sheet_xml, matching

# What a value is escaped for. A raw CR would come back as LF: XML parsers
# normalise line ends, not references.
_ESCAPED = "&<>\r"
_NEEDS_ESCAPE = re.compile(f"[{_ESCAPED}]")
_ENTITIES = {"\r": "&#13;"}
# How a value's cell is written: left out (an empty value), or its <t>
# element's text started by ">" -- or, when white space is at either end of the
# value, by the attribute that keeps it.
_LEFT_OUT, _TEXT, _KEPT = 0, 1, 2
# A row and each cell in it as %-templates: a cell takes its row number and its
# text; one left out takes both and writes nothing.
_ROW = b'<row r="%s">', b"</row>"
_CELL = b'<c r="%s%%s" t="inlineStr"><is><t%s%%s</t></is></c>'
_STARTS = {_TEXT: b">", _KEPT: b' xml:space="preserve">'}
_NO_CELL = b"%.0s%.0s"
_TEMPLATES_MAX = 4096  # row templates kept, one per way of writing a row's cells


def column_letter(index: int) -> str:
    """Column letters of a 1-based index (openpyxl's get_column_letter, without openpyxl)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _texts(values: Sequence[str]) -> tuple[list[bytes], list[int] | int]:
    """Each value's cell text as UTF-8 (``cells.clean``, escaped, with what a
    reader would decode as an escape written escaped), and how its cell is
    written (``_ways``)."""
    column = clean_column(values)
    ways = _ways(column)
    joined = "\0".join(column)  # (NUL: no "_x" across two values either)
    if "_x" in joined or any(map(joined.__contains__, _ESCAPED)):
        for at in matching(_NEEDS_ESCAPE, column):
            column[at] = escape(column[at], _ENTITIES)
        joined = "\0".join(map(for_sheet_xml, column))
    return joined.encode().split(b"\0"), ways  # clean text holds no NUL


def _ways(column: list[str]) -> list[int] | int:
    """How the cell of each clean value is written: _LEFT_OUT when it is empty,
    _KEPT when white space is at either end, else _TEXT (decided on the text,
    not its XML: "\r" at an edge is "&#13;" there); one for the whole column
    when all are alike."""
    stripped = list(map(str.strip, column))
    kept = stripped != column
    if not kept and "" not in column:
        return _TEXT
    ways = list(map(bool, column))  # (False, True: _LEFT_OUT, _TEXT)
    if kept:
        for at in compress(range(len(column)), map(ne, stripped, column)):
            ways[at] = _KEPT
    return ways[0] if ways.count(ways[0]) == len(ways) else ways


class _Templates(dict[tuple[int, ...], bytes]):
    """The %-template of a row by how each of its cells is written, made when
    first asked for: it takes the row's number, then each cell's."""

    def __init__(self, letters: Sequence[str]) -> None:
        super().__init__()
        self.letters = letters

    def __missing__(self, ways: tuple[int, ...]) -> bytes:
        if len(self) >= _TEMPLATES_MAX:  # odd tables: bounded all the same
            self.clear()
        cells = (
            _CELL % (letter.encode(), _STARTS[way]) if way else _NO_CELL
            for letter, way in zip(self.letters, ways, strict=False)
        )
        self[ways] = template = _ROW[0] + b"".join(cells) + _ROW[1]
        return template


class RowWriter:
    """Rows numbered from ``first`` on, batch after batch."""

    def __init__(self, first: int) -> None:
        self.next = first
        self._templates = _Templates([])

    def write(self, rows: Iterable[Sequence[str]]) -> str:
        """The XML of ``rows``, numbered after the rows written before; a row
        that ends early is the same XML as one padded with ''."""
        rows = rows if isinstance(rows, list) else list(rows)
        widths = set(map(len, rows))
        width = max(widths, default=0)
        if len(widths) > 1:
            rows = [[*row, *[""] * (width - len(row))] for row in rows]
        if not width:  # rows without cells
            return self.write_columns([[""] * len(rows)]).decode("utf-8")
        return self.write_columns(list(zip(*rows, strict=True))).decode("utf-8")

    def write_columns(self, columns: Sequence[Sequence[str]]) -> bytes:
        """``write`` of the rows whose columns these are (all of one length), as
        UTF-8. Each row is its template (by how each of its cells is written)
        filled with its number and its cells' texts, all rows by one map (in C);
        a column's cells are looked at one by one only to say how each is
        written, and only when they are not all alike."""
        n = len(columns[0]) if columns else 0
        if not n:
            return b""
        if len(columns) > len(self._templates.letters):
            letters = [column_letter(i) for i in range(1, len(columns) + 1)]
            self._templates = _Templates(letters)
        numbers = "\n".join(map(str, range(self.next, self.next + n))).encode().split(b"\n")
        self.next += n
        fills: list[Iterable[bytes]] = [numbers]  # what each row's template takes, in order
        ways: list[Iterable[int]] = []
        for column in columns:
            texts, way = _texts(column)
            fills += [numbers, texts]
            ways.append(repeat(way, n) if isinstance(way, int) else way)
        templates = map(self._templates.__getitem__, zip(*ways, strict=True))
        return b"".join(map(bytes.__mod__, templates, zip(*fills, strict=True)))
