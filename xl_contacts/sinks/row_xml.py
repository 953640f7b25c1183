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
from operator import ne, not_
from xml.sax.saxutils import escape

from ..base.cells import clean_column, for_sheet_xml, matching

# What a value is escaped for. A raw CR would come back as LF: XML parsers
# normalise line ends, not references.
_ESCAPED = "&<>\r"
_NEEDS_ESCAPE = re.compile(f"[{_ESCAPED}]")
_ENTITIES = {"\r": "&#13;"}
# What starts a <t> element's text: white space at either end of a value is
# kept with xml:space="preserve".
_TEXT_START, _KEPT_START = ">", ' xml:space="preserve">'
# A cell is _HEAD + letter + row number + _MIDDLE + start + value + _END.
_HEAD, _MIDDLE, _END = b'<c r="', b'" t="inlineStr"><is><t', b"</t></is></c>"


def column_letter(index: int) -> str:
    """Column letters of a 1-based index (openpyxl's get_column_letter, without openpyxl)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _texts(values: Sequence[str]) -> tuple[list[str], list[str], str]:
    """Each value's cell text (``cells.clean``: empty -- the cell is left out --
    or the text of its ``<t>`` element, escaped, with what a reader would decode
    as an escape written escaped), what starts that element's text (">", or
    the attribute that keeps white space at the value's ends), and the texts
    joined by NUL (clean text holds none)."""
    column = clean_column(values)
    # Decided on the text, not its XML: "\r" at an edge is "&#13;" there.
    stripped = list(map(str.strip, column))
    starts = [_TEXT_START] * len(column)
    if stripped != column:
        for at in compress(range(len(column)), map(ne, stripped, column)):
            starts[at] = _KEPT_START
    joined = "\0".join(column)  # (NUL: no "_x" across two values either)
    if "_x" in joined or any(map(joined.__contains__, _ESCAPED)):
        for at in matching(_NEEDS_ESCAPE, column):
            column[at] = escape(column[at], _ENTITIES)
        column = list(map(for_sheet_xml, column))
        joined = "\0".join(column)
    return column, starts, joined


class RowWriter:
    """Rows numbered from ``first`` on, batch after batch."""

    def __init__(self, first: int) -> None:
        self.next = first
        self._letters: list[str] = []

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
        UTF-8. A row is the same slots in every row: constant bytes or an item
        per row (its number, a column's value); the slots of all rows go into
        one list by slice assignment, and one join makes the XML. An empty
        value's cell is left out by blanking its slots."""
        n = len(columns[0]) if columns else 0
        if not n:
            return b""
        if len(columns) > len(self._letters):
            self._letters = [column_letter(i) for i in range(1, len(columns) + 1)]
        numbers = "\n".join(map(str, range(self.next, self.next + n))).encode().split(b"\n")
        self.next += n
        # 'N" t="inlineStr"><is><t' of row N: what follows every cell's letter,
        # and with the ">" that starts the text of a cell without xml:space
        numbered = list(map(bytes.__add__, numbers, repeat(_MIDDLE, n)))
        started = list(map(bytes.__add__, numbered, repeat(_TEXT_START.encode(), n)))
        slots: list[bytes | list[bytes]] = [b'<row r="', numbers]
        glue = b'">'  # what ends one slot of constant bytes and begins the next
        blanks = []  # (a column's first slot, the column) where some cells are left out
        for letter, column in zip(self._letters, columns, strict=False):
            texts, starts, joined = _texts(column)
            # Cell texts hold no NUL: one encoding of the whole column, cut there.
            if _KEPT_START in starts:
                values = "\0".join(map(str.__add__, starts, texts)).encode().split(b"\0")
                middle = numbered
            else:  # every text starts with ">": in the row's slot
                values, middle = joined.encode().split(b"\0"), started
            head = _HEAD + letter.encode()
            if "" not in texts:  # no empty value
                slots += [glue + head, middle, values]
                glue = _END
            else:
                slots += [glue] if glue else []
                blanks.append((len(slots), list(map(ne, texts, repeat("")))))
                slots += [head, middle, values, _END]
                glue = b""
        slots.append(glue + b"</row>")
        width = len(slots)
        flat: list[bytes] = [b""] * (n * width)
        for at, slot in enumerate(slots):
            flat[at::width] = [slot] * n if isinstance(slot, bytes) else slot
        for at, column in blanks:  # head, number, value and end of each empty cell
            for i in compress(range(at, n * width, width), map(not_, column)):
                flat[i] = flat[i + 1] = flat[i + 2] = flat[i + 3] = b""
        return b"".join(flat)
