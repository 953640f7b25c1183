"""The one place that makes a value safe for a spreadsheet cell (or a terminal).

Contact names are chosen by strangers. Whatever they contain must arrive in a
workbook as the same text -- never as a formula, a number or a broken file:

* ``clean``: drops characters a workbook cannot hold (XML-illegal control
  characters, lone surrogates, U+FFFE/U+FFFF) and cuts text to Excel's 32,767
  characters, counted as Excel counts them (UTF-16 code units: an emoji is
  two). Every writer calls it; ``too_long`` counts the values it would cut.
* ``for_excel_input``: for values *typed into* live Excel cells through
  xlwings. Excel parses such values like keyboard input (``=`` starts a formula,
  ``+1`` or ``-100200300`` become numbers, ``1/2`` a date, in a locale-dependent
  way), so every non-empty value gets Excel's quote prefix ``'``: Excel stores
  the rest as text and does not show the prefix.
* openpyxl writes text verbatim except that it turns a string starting with
  ``=`` into a formula: ``report.py`` marks such cells as strings explicitly.
* ``for_sheet_xml``: text stored in a workbook file. Readers of the file
  format (Excel, calamine, LibreOffice) decode ``_x003D_`` in text as ``=``
  (ECMA-376 ST_Xstring), so a name that holds such text literally has the
  ``_`` that starts it written ``_x005F_``. (Not for live cells or UDF
  results: Excel decodes this only in files.)
* UDF results are not parsed by Excel, so ``GETCONTACTS`` returns cleaned text
  as it is.
* ``for_csv``: CSV files are opened by Excel and parsed like input: values that
  would start a formula get the quote prefix (OWASP's CSV-injection rule); a
  plain number (``-100200300``, ``+7``, ``-1.5``) starts none and keeps its
  sign as it is (``starts_formula``, for every output that applies it); so do
  formulas right after a ``;`` or a line break inside a value (an Excel whose
  list separator is ``;`` starts a cell there, quotes or not). ``for_csv_row``:
  that Excel's cell at a row's start runs on over the next fields up to such a
  ``;`` or line break, so a plain number first in a row (a Telegram group's
  ``-100200300``) is no plain number when a later field of the row holds one.
  The CSV writer (text_output) quotes every field holding a CR or LF, so a name
  never ends its field and nothing after a CR starts a row.
* ``for_terminal``: anything shown on a terminal (table, CSV to a tty, error
  lines holding what a server sent) loses control characters, C1 controls and
  bidirectional overrides, and stays on one line. ``TERMINAL_UNSAFE`` is
  the set of characters it removes: JSON shown on a terminal escapes them.

Each rule is stated once, for one value; the ``*_column`` functions execute the
same rule over a whole column: one search of the joined column finds whether
any value needs it (a one-character pattern matches the joined text exactly
where it matches a value), and only then is it applied value by value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterable, Sequence
from itertools import accumulate, compress, repeat

MAX_CELL_CHARS = 32_767  # Excel's limit, in UTF-16 code units

# XML 1.0 cannot carry C0 controls other than tab/LF/CR, lone surrogates or
# U+FFFE/U+FFFF; openpyxl raises IllegalCharacterError on the controls.
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# For terminals: every line break becomes a space (one contact, one line) ...
_LINE_BREAKS = re.compile("\r\n|[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# ... and every other C0/C1 control goes (ESC sequences, CSI \x9b, DEL), with the
# bidirectional controls that reorder what is shown ("Trojan Source": a name
# ending in U+202E "txt.exe" shows as "exe.txt") and the marks U+200E/U+200F/U+061C.
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)
# Each "_" that starts what a file reader would decode: "_x" + 4 hex digits + "_".
_STARTS_ESCAPE = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
# A plain number is no formula: optional sign, digits, at most one decimal point.
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_AFTER_NUL_TRIGGER = re.compile("\0[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")
QUOTE_PREFIX = "'"
# An Excel whose list separator is ";" (Russian, German, French Windows) opening
# a comma CSV by double-click splits every line at each ";" and ends it at each
# line break -- inside a field too: the quotes that hold the field together sit
# mid-cell for it -- so what follows either starts a cell of its own. A formula
# there (after quotes or spaces too) gets the quote prefix as well; no plain
# number is spared, as that cell runs on into the next fields of the line.
_INNER_TRIGGERS = "".join(t for t in FORMULA_TRIGGERS if t not in "\r\n")
_INNER_CELL = re.compile('(;|\r\n|\r|\n)(?=[" ]*[' + re.escape(_INNER_TRIGGERS) + "])")
_INNER_CELL_START = re.compile("[;\r\n]")
# Characters beyond the Basic Multilingual Plane: two UTF-16 code units each.
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def matching(
    pattern: re.Pattern[str],
    values: Sequence[str],
    *,
    unprintable: bool = False,
    joined: str | None = None,
) -> list[int]:
    """Where in ``values`` (text) ``pattern`` finds something, for a pattern of
    one character (a class): one search of the joined column first, as such a
    pattern matches the joined text exactly where it matches a value; value by
    value only when it found something. ``unprintable``: the pattern matches no
    printable character, so a printable joined column needs no search (checked
    first: faster than a search). ``joined``: ``"".join(values)``, when the
    caller has it already."""
    joined = "".join(values) if joined is None else joined
    if (unprintable and joined.isprintable()) or not pattern.search(joined):
        return []
    return list(compress(range(len(values)), map(pattern.search, values)))


def excel_length(value: str) -> int:
    """The length Excel counts: UTF-16 code units (an emoji counts two)."""
    if len(value) <= MAX_CELL_CHARS // 2 or value.isascii():
        return len(value)  # (short enough either way, or no astral character)
    return len(value) + len(_ASTRAL.findall(value))


def clean(value: str) -> str:
    """``value`` without characters a workbook cannot hold, at most 32,767 UTF-16
    code units long (never half an emoji)."""
    if ILLEGAL.search(value):
        value = ILLEGAL.sub("", value)
    if excel_length(value) <= MAX_CELL_CHARS:
        return value
    units = value.encode("utf-16-le")[: 2 * MAX_CELL_CHARS]
    return units.decode("utf-16-le", "ignore")  # a cut pair's high half goes


def too_long(values: Sequence[str]) -> int:
    """How many of ``values`` (text) ``clean`` cuts."""
    if max(map(len, values), default=0) <= MAX_CELL_CHARS // 2:
        return 0  # (the usual column: even all emoji would fit)
    longer = [value for value in values if len(value) > MAX_CELL_CHARS // 2]
    return sum(excel_length(ILLEGAL.sub("", value)) > MAX_CELL_CHARS for value in longer)


def clean_column(values: Sequence[str]) -> list[str]:
    """``[clean(v) for v in values]`` (all text), by one look at the column."""
    column = list(values)
    joined = "".join(column)
    longer: Iterable[int] = ()
    # (No value is longer than the whole column: a short one needs no look.)
    if len(joined) > MAX_CELL_CHARS // 2 and max(map(len, column)) > MAX_CELL_CHARS // 2:
        half = repeat(MAX_CELL_CHARS // 2)
        longer = compress(range(len(column)), map(operator.gt, map(len, column), half))
    illegal = matching(ILLEGAL, column, unprintable=True, joined=joined)
    for at in {*illegal, *longer}:
        column[at] = clean(column[at])
    return column


def clean_rows(rows: Iterable[Sequence[str]]) -> list[list[str]]:
    """``[clean(v) for v in row]`` of every row (all text), column by column."""
    rows = list(rows)
    width = max(map(len, rows), default=0)
    if not width or set(map(len, rows)) != {width}:
        return [[clean(value) for value in row] for row in rows]
    return [list(row) for row in zip(*map(clean_column, zip(*rows, strict=True)), strict=True)]


def starts_formula(value: str) -> bool:
    """True when a spreadsheet parsing ``value`` as input could see a formula:
    it starts with ``= + - @``, a tab or a line break and is no plain number."""
    return value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value)


def for_excel_input(value: str) -> str:
    """Text to assign to a live Excel cell so that it is stored as exactly this text."""
    value = clean(value)
    return QUOTE_PREFIX + value if value else value


def for_sheet_xml(value: str) -> str:
    """Text to store in a workbook file so that every reader gives back ``value``."""
    return _STARTS_ESCAPE.sub("_x005F_", value) if "_x" in value else value


def for_csv(value: str) -> str:
    """Text for a CSV field that Excel will not run as a formula."""
    value = clean(value)
    guarded = _inner_cells_guarded(QUOTE_PREFIX + value if starts_formula(value) else value)
    # A value cut to the limit and then given a prefix is cut again.
    return guarded if len(guarded) == len(value) else clean(guarded)


def _inner_cells_guarded(value: str) -> str:
    """``value`` with the quote prefix after each ";" or line break that a
    formula follows (``_INNER_CELL``)."""
    if not _INNER_CELL_START.search(value):
        return value
    return _INNER_CELL.sub(r"\1" + QUOTE_PREFIX, value)


def for_csv_column(values: Sequence[str]) -> list[str]:
    """``[for_csv(v) for v in values]`` (all text): only the values that start
    with a trigger are looked at one by one."""
    column = clean_column(values)
    # starts_formula, column-wise: a trigger first (clean values hold no NUL:
    # with one before each value, the NULs before a NUL and a trigger say
    # which value starts with it), and no plain number.
    joined = "\0".join(["", *column])
    ends = [found.end() for found in _AFTER_NUL_TRIGGER.finditer(joined)]
    nuls = accumulate(map(joined.count, repeat("\0"), [0, *ends[:-1]], ends))
    starts = [n - 1 for n in nuls]  # the value after the n-th NUL
    numbers = map(_PLAIN_NUMBER.fullmatch, map(column.__getitem__, starts))
    changed = list(compress(starts, map(operator.not_, numbers)))
    for at in changed:
        column[at] = QUOTE_PREFIX + column[at]
    if any(map(joined.__contains__, ";\r\n")):
        inner = matching(_INNER_CELL_START, column)
        for at in inner:
            column[at] = _inner_cells_guarded(column[at])
        changed += inner
    for at in changed:  # a value cut to the limit and then given a prefix is cut again
        if len(column[at]) > MAX_CELL_CHARS // 2:
            column[at] = clean(column[at])
    return column


def for_csv_row(values: Sequence[str]) -> list[str]:
    """``for_csv`` of each value of one CSV row, and the quote prefix for a
    plain number first in the row when a later value holds a ";" or a line
    break: an Excel splitting at ";" reads ``-100200300,1+1;`` as the cell
    ``=-100200300,1+1``."""
    fields = list(map(for_csv, values))
    # (A field of for_csv's that starts with a trigger is a plain number.)
    if fields and fields[0].startswith(FORMULA_TRIGGERS):
        if any(map(_INNER_CELL_START.search, fields[1:])):
            fields[0] = clean(QUOTE_PREFIX + fields[0])
    return fields


def for_csv_columns(columns: Sequence[Sequence[str]]) -> list[list[str]]:
    """``for_csv_row`` of each row of these columns (all text, of one length):
    ``for_csv_column`` of each, then the rows that start with a plain number
    are looked at in the other columns, all at once."""
    fields = list(map(for_csv_column, columns))
    if len(fields) < 2:
        return fields
    first = fields[0]
    signed = list(compress(range(len(first)), map(str.startswith, first, repeat(FORMULA_TRIGGERS))))
    ends: set[int] = set()
    for column in fields[1:] if signed else ():
        found = matching(_INNER_CELL_START, list(map(column.__getitem__, signed)))
        ends.update(map(signed.__getitem__, found))
    for at in ends:
        first[at] = clean(QUOTE_PREFIX + first[at])
    return fields


def for_terminal(value: str) -> str:
    """Text that cannot move the cursor, recolour or reorder a terminal; one line.
    Everything the network or a stranger chose goes through it before it is shown."""
    return TERMINAL_UNSAFE.sub("", _LINE_BREAKS.sub(" ", value))


def table_headers(columns: Iterable[str]) -> list[str]:
    """Column names an Excel table accepts: one line, non-empty, unique
    regardless of case (Excel's rule), at most 255 characters."""
    headers: list[str] = []
    seen: set[str] = set()
    for position, name in enumerate(columns, 1):
        header = for_terminal(clean(name)).strip()[:255] or f"Column{position}"
        base, n = header, 2
        while header.casefold() in seen:
            header = f"{base[:250]}_{n}"
            n += 1
        seen.add(header.casefold())
        headers.append(header)
    return headers
