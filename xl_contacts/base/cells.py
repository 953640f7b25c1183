"""The one place that makes a value safe for a spreadsheet cell (or a terminal).

Contact names are chosen by strangers. Whatever they contain must arrive in a
workbook as the same text -- never as a formula, a number or a broken file:

* ``clean``: drops characters a workbook cannot hold (XML-illegal control
  characters, lone surrogates, U+FFFE/U+FFFF) and cuts text to Excel's 32,767
  characters. Every writer calls it.
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
  would start a formula get the quote prefix (OWASP's CSV-injection rule). The
  CSV writer (text_output) quotes every field holding a CR or LF, so a name
  never ends its field and nothing after a CR starts a row.
* ``for_terminal``: anything shown on a terminal (table, CSV to a tty, error
  lines holding what a server sent) loses control characters, C1 controls and
  bidirectional overrides, and stays on one line. ``TERMINAL_UNSAFE`` is
  the set of characters it removes: JSON shown on a terminal escapes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain

MAX_CELL_CHARS = 32_767

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
QUOTE_PREFIX = "'"


def clean(value: str) -> str:
    """``value`` without characters a workbook cannot hold, at most 32,767 long."""
    if ILLEGAL.search(value):
        value = ILLEGAL.sub("", value)
    return value[:MAX_CELL_CHARS] if len(value) > MAX_CELL_CHARS else value


def clean_rows(rows: Iterable[list[str]]) -> list[list[str]]:
    """``[clean(v) for v in row]`` of every row, with one look at all the text
    first: the usual list needs no cleaning (then the rows themselves come back,
    uncopied), and 500,000 clean() calls were most of a 100,000-contact
    =GETCONTACTS."""
    rows = rows if isinstance(rows, list) else list(rows)
    values = list(chain.from_iterable(rows))
    if set(map(type, values)) <= {str} and max(map(len, values), default=0) <= MAX_CELL_CHARS:
        everything = "".join(values)
        # Printable text holds no illegal character: only other text (an emoji
        # with a zero-width joiner, a tab) is searched for them.
        if everything.isprintable() or not ILLEGAL.search(everything):
            return rows
    return [[clean(value) for value in row] for row in rows]


def for_csv_rows(rows: Sequence[Sequence[str]]) -> Sequence[Sequence[str]]:
    """``[for_csv(v) for v in row]`` of every row, with one look at all the text
    first: the usual list needs no cleaning and starts no formula (then ``rows``
    themselves come back), and 500,000 for_csv() calls were most of writing
    100,000 contacts as CSV."""
    values = list(chain.from_iterable(rows))
    # "|" starts no formula: "|=" etc. find every value that starts one (and
    # some that merely hold "|=": those go the per-value way, as they may).
    joined = "|" + "|".join(values)
    if (
        not any("|" + trigger in joined for trigger in FORMULA_TRIGGERS)
        and not ILLEGAL.search(joined)
        and max(map(len, values), default=0) <= MAX_CELL_CHARS
    ):
        return rows
    return [[for_csv(value) for value in row] for row in rows]


def starts_formula(value: str) -> bool:
    """True when a spreadsheet parsing ``value`` as input could see a formula."""
    return value.startswith(FORMULA_TRIGGERS)


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
    return QUOTE_PREFIX + value if starts_formula(value) else value


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
