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
from itertools import islice
from typing import TextIO

from ..base.cells import TERMINAL_UNSAFE, for_csv_columns, for_terminal, matching
from ..domain.table import ContactTable

TERMINAL_COLUMN_WIDTH = 40
_CSV_ROWS_PER_WRITE = 16384
_DIALECT, _LINE_END = csv.excel, "\r\n"
# What makes the csv module quote a field (QUOTE_MINIMAL): the delimiter, the
# quote character or a line end. A value holding none is written as it is.
_SPECIAL = re.compile(
    "[" + re.escape(_DIALECT.delimiter + _DIALECT.quotechar + "\r\n") + "]"
)


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
    fields = [[name, *values] for name, values in zip(table.columns, table.by_column, strict=True)]
    if _is_terminal(out):
        # What the terminal shows is what must not start a formula: removing a
        # control after the quote prefix ("\u200e=1+1") would unmask one.
        fields = [list(map(for_terminal, column)) for column in fields]
    fields = for_csv_columns(fields)
    if len(fields) < 2:  # a row of one empty field is written "": the csv module knows
        csv.writer(out, _DIALECT, lineterminator=_LINE_END).writerows(zip(*fields, strict=True))
        return
    rows = zip(*map(_csv_fields, fields), strict=True)
    # A few thousand rows a write: 100,000 writes through the output's wrappers
    # cost more than making the CSV, one write of it all doubles its memory.
    while lines := list(map(_DIALECT.delimiter.join, islice(rows, _CSV_ROWS_PER_WRITE))):
        out.write(_LINE_END.join([*lines, ""]))


def _csv_fields(column: list[str]) -> list[str]:
    """Each value of ``column`` as the csv module writes it in a row of two
    fields or more: only a value holding one of the dialect's special
    characters can be quoted, and only such values are given to it."""
    found = matching(_SPECIAL, column)
    if found:
        buffer = io.StringIO()
        writer = csv.writer(buffer, _DIALECT, lineterminator=_LINE_END)
        for at in found:
            writer.writerow([column[at]])
            column[at] = buffer.getvalue()[: -len(_LINE_END)]
            buffer.seek(0)
            buffer.truncate()
    return column


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
