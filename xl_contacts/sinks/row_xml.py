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
from itertools import chain, compress, repeat
from operator import not_
from xml.sax.saxutils import escape

from ..base.cells import MAX_CELL_CHARS, clean, for_sheet_xml

# What a row needs cleaning (cells.clean) or escaping for: rare, so one search
# of the whole row saves two per cell.
_SPECIAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff&<>\r]")
_NEEDS_ESCAPE = re.compile("[&<>\r]")
# A raw CR would come back as LF: XML parsers normalise line ends, not references.
_ENTITIES = {"\r": "&#13;"}
_PRESERVE = ' xml:space="preserve"'
# A plain cell is _HEAD + letter + row number + _MIDDLE + value + _END.
_HEAD, _MIDDLE, _END = b'<c r="', b'" t="inlineStr"><is><t>', b"</t></is></c>"
# Printable ASCII but & < >, and every byte of a non-ASCII character's UTF-8.
_UNREMARKABLE = bytes(i for i in range(0x20, 0x100) if i != 0x7F and chr(i) not in "&<>")


def column_letter(index: int) -> str:
    """Column letters of a 1-based index (openpyxl's get_column_letter, without openpyxl)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class RowWriter:
    """Rows numbered from ``first`` on, batch after batch."""

    def __init__(self, first: int) -> None:
        self.next = first
        self._letters: list[str] = []

    def write(self, rows: Iterable[Sequence[str]]) -> str:
        """The XML of ``rows``, numbered after the rows written before."""
        rows = rows if isinstance(rows, list) else list(rows)
        if rows and plain(rows):
            return self._write_plain(rows)
        return self.write_general(rows)

    def write_columns(self, columns: Sequence[Sequence[str]]) -> bytes:
        """``write`` of the rows whose columns these are (all of one length), as
        UTF-8: the same bytes, made column by column when the rows are plain."""
        encoded = _plain_columns(columns)
        if encoded is None:
            return self.write_general(zip(*columns, strict=True)).encode("utf-8")
        return self._write_plain_columns(columns, encoded)

    def _write_plain_columns(self, columns: Sequence[Sequence[str]], encoded: list[bytes]) -> bytes:
        """Plain rows put together in C. A row is the same slots in every row:
        constant bytes or an item per row (its number, a column's value); the
        slots of all rows go into one list by slice assignment, and one join
        makes the XML. Columns are encoded whole (``encoded``), never the rows'
        text: with Cyrillic in it, that cost as much as making it. An empty
        value's cell is left out by blanking its slots."""
        if len(columns) > len(self._letters):
            self._letters = [column_letter(i) for i in range(1, len(columns) + 1)]
        n = len(columns[0])
        numbers = "\n".join(map(str, range(self.next, self.next + n))).encode().split(b"\n")
        self.next += n
        # 'N" t="inlineStr"><is><t>' of row N: what follows every cell's letter
        numbered = list(map(bytes.__add__, numbers, repeat(_MIDDLE, n)))
        slots: list[bytes | list[bytes]] = [b'<row r="', numbers]
        glue = b'">'  # what ends one slot of constant bytes and begins the next
        blanks = []  # (a column's first slot, the column) where some cells are left out
        for letter, column, values in zip(self._letters, columns, encoded, strict=False):
            head = _HEAD + letter.encode()
            if all(column):
                slots += [glue + head, numbered, values.split(b"\n")]
                glue = _END
            else:
                slots += [glue] if glue else []
                blanks.append((len(slots), column))
                slots += [head, numbered, values.split(b"\n"), _END]
                glue = b""
        slots.append(glue + b"</row>")
        width = len(slots)
        flat: list[bytes] = [b""] * (n * width)
        for at, slot in enumerate(slots):
            flat[at::width] = [slot] * n if isinstance(slot, bytes) else slot
        for at, column in blanks:  # head, number and end of each empty cell
            for i in compress(range(at, n * width, width), map(not_, column)):
                flat[i] = flat[i + 1] = flat[i + 3] = b""
        return b"".join(flat)

    def _write_plain(self, rows: list[Sequence[str]]) -> str:
        """Rows that passed ``plain``: nothing to clean, escape or keep, so
        each cell is one f-string (str.format with a row template measured
        slower); empty values are left out, as in the general way."""
        if max(map(len, rows)) > len(self._letters):
            self._letters = [column_letter(i) for i in range(1, max(map(len, rows)) + 1)]
        letters = self._letters
        out = []
        for number, row in enumerate(rows, self.next):
            r = str(number)
            cells = [f'<row r="{r}">']
            for letter, value in zip(letters, row, strict=False):
                if value:
                    cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
            cells.append("</row>")
            out.append("".join(cells))
        self.next += len(out)
        return "".join(out)

    def write_general(self, rows: Iterable[Sequence[str]]) -> str:
        """Any rows: each value cleaned, escaped and its edge spaces kept."""
        letters = self._letters
        out = []
        for number, row in enumerate(rows, self.next):
            if len(row) > len(letters):
                letters = self._letters = [column_letter(i) for i in range(1, len(row) + 1)]
            everything = "".join(row)
            plain = (
                len(everything) <= MAX_CELL_CHARS
                and not _SPECIAL.search(everything)
                and "_x" not in everything
            )
            r = str(number)
            cells = [f'<row r="{r}">']
            for letter, value in zip(letters, row, strict=False):
                if not plain:
                    value = clean(value)
                if not value:
                    continue  # hidden phone numbers and missing fields: empty cells
                # Decided on the text, not its XML: "\r" at an edge is "&#13;" there.
                space = _PRESERVE if value[0].isspace() or value[-1].isspace() else ""
                if not plain:
                    if _NEEDS_ESCAPE.search(value):
                        value = escape(value, _ENTITIES)
                    value = for_sheet_xml(value)  # "_x003D_" would read as "="
                cells.append(f'<c r="{letter}{r}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
            cells.append("</row>")
            out.append("".join(cells))
        self.next += len(out)
        return "".join(out)


def _plain_columns(columns: Sequence[Sequence[str]]) -> list[bytes] | None:
    """``plain``'s look at a table given by its columns (all of one length),
    one column at a time; when it passes, each column's values joined
    by "\\n" as UTF-8 (a plain value holds no "\\n"), else None. Most of the
    look is at those bytes, in single passes over them."""
    if not columns or not columns[0]:
        return None
    encoded = []
    for column in columns:
        if set(map(type, column)) != {str}:
            return None
        text = "\n".join(column)
        if len(text) > MAX_CELL_CHARS and max(map(len, column)) > MAX_CELL_CHARS:
            return None
        data = text.encode("utf-8", "surrogatepass")  # a lone surrogate fails below
        # What is left without printable ASCII but & < > and without non-ASCII:
        # the separators alone, unless a value holds "\n", & < > or an ASCII control.
        if len(data.translate(None, _UNREMARKABLE)) != len(column) - 1:
            return None
        if not text.isascii() and not text.replace("\n", " ").isprintable():
            return None  # a non-ASCII control, format or space character
        if b"_x" in data:
            return None  # text that a reader would take for an escape: written escaped
        edges = data[:1] == b" " or data[-1:] == b" "
        # (most columns have no space at all: two searches of them saved)
        if edges or (b" " in data and (b" \n" in data or b"\n " in data)):
            return None  # a value with a space at either end: kept with xml:space
        encoded.append(data)
    return encoded


def plain(rows: Sequence[Sequence[str]]) -> bool:
    """True when no value of ``rows`` needs cleaning, escaping or its edge spaces
    kept: all ``str``, printable (which rules out every character clean() drops,
    CR, LF, tab and every whitespace but " "), no ``& < >`` or ``_x``, no " " at either
    end, at most MAX_CELL_CHARS long. One look at the batch, in C: a regex with
    alternation measured 5x slower."""
    values = list(chain.from_iterable(rows))
    if set(map(type, values)) != {str}:
        return False
    # "|" is printable: "| " and " |" find a space at either end of any value.
    joined = "|" + "|".join(values) + "|"
    return (
        joined.isprintable()
        and "| " not in joined
        and " |" not in joined
        and "&" not in joined
        and "<" not in joined
        and ">" not in joined
        and "_x" not in joined
        and max(map(len, values)) <= MAX_CELL_CHARS
    )
