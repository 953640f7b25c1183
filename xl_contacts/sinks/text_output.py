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
from typing import TextIO

from ..base.cells import (
    FORMULA_TRIGGERS,
    ILLEGAL,
    MAX_CELL_CHARS,
    TERMINAL_UNSAFE,
    for_csv_rows,
    for_terminal,
)
from ..domain.contacts import ContactTable

TERMINAL_COLUMN_WIDTH = 40
_CSV_ROWS_PER_WRITE = 4096
# What a value may start with that makes a formula, CR and LF aside: those the
# counts of line ends in plain_csv find wherever they are.
_STARTS = tuple(t for t in FORMULA_TRIGGERS if t not in "\r\n")


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
    rows = [table.columns, *table.rows]
    text = None if _is_terminal(out) else plain_csv(rows, clean=table.cells_clean)
    if text is not None:
        out.write(text)
        return
    rows = for_csv_rows(rows)
    if _is_terminal(out):
        rows = [[for_terminal(v) for v in row] for row in rows]  # a terminal: no hurry
    # Written to ``out`` a few thousand rows at a time, not row by row: 100,000
    # writes through the output's wrappers cost more than making the CSV.
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for start in range(0, len(rows), _CSV_ROWS_PER_WRITE):
        writer.writerows(rows[start : start + _CSV_ROWS_PER_WRITE])
        out.write(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()


def plain_csv(rows: list[list[str]], *, clean: bool = False) -> str | None:
    """The CSV of ``rows`` when no value needs anything -- none starts a
    formula, none holds what clean() removes or is longer than it keeps, none
    holds what the csv module quotes (a comma, a quote, CR, LF) -- as the csv
    module writes it then: each row's values joined by commas, each row ended
    by CRLF. Else None (then the general way). One look at the whole text;
    ``clean``: every value is known to be printable text that clean() keeps
    (ContactTable.cells_clean): not looked at, nor counted for line breaks."""
    if min(map(len, rows), default=2) < 2:
        return None  # the csv module writes a lone empty value as ""
    try:
        lines = list(map(",".join, rows))
    except TypeError:  # a value that is not text
        return None
    text = "\r\n".join(lines) + "\r\n"
    if (
        text.count(",") != sum(map(len, rows)) - len(rows)
        or not (clean or text.count("\n") == text.count("\r") == len(rows))
        or '"' in text
        or text.startswith(FORMULA_TRIGGERS)
        # (one character is found much faster than two: those first)
        or any(t in text and (f",{t}" in text or f"\n{t}" in text) for t in _STARTS)
    ):
        return None
    if clean:
        return text
    # Printable lines hold no illegal character; only others are searched.
    if max(map(len, lines)) > MAX_CELL_CHARS or (
        not all(map(str.isprintable, lines)) and ILLEGAL.search(text)
    ):
        return None
    return text


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
