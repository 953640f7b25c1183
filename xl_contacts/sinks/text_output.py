"""The contact table as text: an aligned table for the terminal, CSV and JSON.

Names come from strangers: the terminal table (and CSV shown on a terminal)
shows no control characters, CSV fields never start a formula in a spreadsheet
and never end early (a field holding a CR or LF is quoted: CSV rows end in
CRLF, as RFC 4180 and Excel have it), and a console code page that lacks a
character never makes a write fail. Streams for CSV must not translate line
ends (``newline=""``): ``prepare_stream`` sets that for standard output.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import chain, islice
from typing import TextIO

from ..base.cells import (
    FORMULA_TRIGGERS,
    MAX_CELL_CHARS,
    TERMINAL_UNSAFE,
    for_csv_column,
    for_terminal,
)
from ..domain.contacts import ContactTable

TERMINAL_COLUMN_WIDTH = 40
_CSV_ROWS_PER_WRITE = 4096
_DIALECT, _LINE_END = csv.excel, "\r\n"
# What makes the csv module quote a field (QUOTE_MINIMAL): the delimiter, the
# quote character or a character of the line terminator.
_QUOTED = re.compile("[" + re.escape(_DIALECT.delimiter + _DIALECT.quotechar + _LINE_END) + "]")
# The formula triggers a field of printable CSV text may start with (tab, CR
# and LF are not printable), looked for after a line end or a delimiter when
# the text holds one at all (one character is found much faster than two).
_PRINTABLE_STARTS = tuple(filter(str.isprintable, FORMULA_TRIGGERS))


def prepare_stream(stream: TextIO, output_format: str) -> None:
    """Names are Cyrillic, emoji, anything: never fail on a narrow console code
    page, and give CSV files the UTF-8 signature Excel needs to read them right."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return
    if output_format == "csv" and not stream.isatty():
        reconfigure(encoding="utf-8-sig", newline="")
    elif output_format == "json" and not stream.isatty():
        reconfigure(encoding="utf-8")
    else:
        reconfigure(errors="replace")


def write_table(table: ContactTable, out: TextIO) -> None:
    shown = [[_shorten(for_terminal(v)) for v in row] for row in table.rows]
    headers = [for_terminal(h) for h in table.columns]
    widths = [max([len(h), *(len(row[i]) for row in shown)]) for i, h in enumerate(headers)]
    for row in [headers, ["-" * w for w in widths], *shown]:
        out.write("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")


def write_csv(table: ContactTable, out: TextIO) -> None:
    # The csv module quotes a field that holds a character of the line terminator:
    # with "\r\n" that is every field with a CR or a LF. (With "\n" a bare CR went
    # out unquoted, and Excel, LibreOffice and Python's own reader start a new row
    # there, where the text after it -- "=1+1" -- is no longer protected.)
    if not _is_terminal(out) and (text := _unchanged_text(table)) is not None:
        out.write(text)
        return
    # Every value at once, one look at all, then back into rows.
    values = list(chain(table.columns, *table.rows))
    if _is_terminal(out):
        # What the terminal shows is what must not start a formula: removing a
        # control after the quote prefix ("\u200e=1+1") would unmask one.
        values = list(map(for_terminal, values))
    values = for_csv_column(values)
    widths = {len(table.columns), *map(len, table.rows)}
    rows: Iterator[Sequence[str]]
    if len(widths) == 1 and widths != {0}:  # the usual table: rows of one width
        rows = zip(*[iter(values)] * next(iter(widths)), strict=True)
    else:
        rest = iter(values)
        rows = (list(islice(rest, len(row))) for row in [table.columns, *table.rows])
    if _is_terminal(out):  # a terminal: no hurry
        write = _csv_writer()
    elif min(widths) > 1 and not _QUOTED.search("".join(values)):
        # No field to quote: the csv module would write each row's values
        # joined by the delimiter (a row of one empty field it writes as "").
        write = _joined
    else:
        write = _csv_writer()
    # Written to ``out`` a few thousand rows at a time, not row by row: 100,000
    # writes through the output's wrappers cost more than making the CSV.
    while text := write(list(islice(rows, _CSV_ROWS_PER_WRITE))):
        out.write(text)


def _unchanged_text(table: ContactTable) -> str | None:
    """The CSV of ``table`` when for_csv changes no value and no field needs
    quoting -- then it is the rows joined as the csv module writes them --
    looked for in that text at once: it holds exactly the delimiters and line
    ends written and no quote character, its lines are printable (no character
    clean() drops) and no longer than half a cell (no value clean() cuts), and
    no field starts with a formula trigger (a plain number neither: such a
    table goes value by value). Else None."""
    rows = [table.columns, *table.rows]
    widths = set(map(len, rows))
    if len(widths) != 1 or min(widths) < 2:  # (a lone empty field is written "")
        return None
    lines = list(map(_DIALECT.delimiter.join, rows))
    if not all(map(str.isprintable, lines)):  # (so no field holds a CR or LF)
        return None
    text = "\n" + _LINE_END.join(lines) + _LINE_END
    if (
        text.count(_DIALECT.delimiter) != len(rows) * (widths.pop() - 1)
        or _DIALECT.quotechar in text
        or max(map(len, lines)) > MAX_CELL_CHARS // 2
        or any(
            t in text and (f"\n{t}" in text or f"{_DIALECT.delimiter}{t}" in text)
            for t in _PRINTABLE_STARTS
        )
    ):
        return None
    return text[1:]


def _csv_writer() -> Callable[[list[Sequence[str]]], str]:
    """The CSV text of rows, as the csv module writes it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, _DIALECT, lineterminator=_LINE_END)

    def write(rows: list[Sequence[str]]) -> str:
        writer.writerows(rows)
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    return write


def _joined(rows: list[Sequence[str]]) -> str:
    """The CSV text of rows whose fields need no quoting."""
    return _LINE_END.join(map(_DIALECT.delimiter.join, rows)) + _LINE_END if rows else ""


def write_json(table: ContactTable, out: TextIO) -> None:
    # json leaves C1 and bidirectional controls (and DEL) raw, and a terminal acts
    # on them. Written as \uXXXX escapes there they are the same JSON value: the
    # output stays valid and exact, and the terminal shows only text. (Outside
    # strings JSON has only ASCII and line breaks: only characters in strings change.)
    escape = _json_escape if _is_terminal(out) else _unchanged
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(table.records()):
        out.write(escape(chunk))
    out.write("\n")


WRITERS = {"table": write_table, "csv": write_csv, "json": write_json}


def _is_terminal(out: TextIO) -> bool:
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def _unchanged(text: str) -> str:
    return text


def _json_escape(text: str) -> str:
    # json escapes C0 controls inside strings itself: a raw LF is indentation.
    return TERMINAL_UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    return char if char == "\n" else f"\\u{ord(char):04x}"


def _shorten(text: str) -> str:
    if len(text) <= TERMINAL_COLUMN_WIDTH:
        return text
    return text[: TERMINAL_COLUMN_WIDTH - 1] + "…"
