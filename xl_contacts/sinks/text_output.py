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

from ..base.cells import TERMINAL_UNSAFE, for_csv_column, for_terminal
from ..domain.contacts import ContactTable

TERMINAL_COLUMN_WIDTH = 40
_CSV_ROWS_PER_WRITE = 4096
_DIALECT, _LINE_END = csv.excel, "\r\n"


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
    # Every value at once, one look at all, then back into rows.
    shape = [table.columns, *table.rows]
    values = list(chain.from_iterable(shape))
    if _is_terminal(out):
        # What the terminal shows is what must not start a formula: removing a
        # control after the quote prefix ("\u200e=1+1") would unmask one.
        values = list(map(for_terminal, values))
    values = for_csv_column(values)
    if _is_terminal(out):  # a terminal: no hurry
        _write_quoted(_rows(values, shape), out)
    elif min(map(len, shape)) < 2 or (text := _unquoted(_rows(values, shape), len(values))) is None:
        _write_quoted(_rows(values, shape), out)  # (a lone empty field is written "")
    else:
        out.write(text)


def _rows(values: list[str], shape: list[list[str]]) -> Iterator[Sequence[str]]:
    """``values`` (one after another) as rows of the lengths of ``shape``'s."""
    widths = set(map(len, shape))
    if len(widths) == 1:  # the usual table: rows of one width
        return zip(*[iter(values)] * widths.pop(), strict=True)
    rest = iter(values)
    return (list(islice(rest, len(row))) for row in shape)


def _unquoted(rows: Iterator[Sequence[str]], fields: int) -> str | None:
    """The CSV text of ``rows`` (of two fields or more; ``fields`` in all) when
    no field needs quoting -- then the csv module writes each row's fields
    joined by the delimiter -- else None. No field needs it when the text holds
    no quote character and exactly the delimiters and line ends that join them."""
    lines = list(map(_DIALECT.delimiter.join, rows))
    text = _LINE_END.join([*lines, ""])  # (not "+ _LINE_END": a copy of all the text)
    if (
        _DIALECT.quotechar in text
        or text.count(_DIALECT.delimiter) != fields - len(lines)
        or not all(text.count(end) == len(lines) for end in _LINE_END)
    ):
        return None
    return text


def _write_quoted(rows: Iterator[Sequence[str]], out: TextIO) -> None:
    """``rows`` as the csv module writes them, to ``out`` a few thousand rows at
    a time, not row by row: 100,000 writes through the output's wrappers cost
    more than making the CSV."""
    write = _csv_writer()
    while text := write(list(islice(rows, _CSV_ROWS_PER_WRITE))):
        out.write(text)


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
