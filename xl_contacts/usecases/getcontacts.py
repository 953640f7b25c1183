"""The rules of the GETCONTACTS function, shared by its two front ends -- the
desktop UDF (``udfs``, xlwings on Windows) and the xlwings Lite function
(``lite``, Excel on the web, for Mac and for Windows): how its arguments are
read, the table it spills and the one cell a failure becomes.

Every failure is one cell whose text starts with ``#GETCONTACTS:`` and says
what to do -- never a traceback, never the token. The prefix is what a formula
or a person searches for: it stays; the text after it is in the language of the
call (``i18n.speaking``, set by each front end).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..base.cells import clean, clean_column
from ..base.errors import ConfigError, user_message
from ..base.i18n import _
from ..base.json_stream import gc_paused_promoting
from ..domain.contacts import parse_count
from ..domain.kinds import parse_kind
from ..domain.table import ContactTable

ERROR_PREFIX = "#GETCONTACTS: "
UNCALCULATED = "\x00not calculated yet"  # no cell can hold NUL: never a real value
CELL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


@dataclass(frozen=True)
class Arguments:
    """GETCONTACTS' arguments as the library takes them."""

    count: int | None
    header: bool
    kind: str


def parse_arguments(count: Any, header: Any, only: Any) -> Arguments:
    """The arguments as Excel sent them (numbers as floats), checked in order."""
    # Excel sends numbers as floats (50.0); text in a count is a mistake.
    return Arguments(
        parse_count(count, allow_text=False), excel_flag(header, "header"), parse_kind(only)
    )


def check_arguments(**arguments: Any) -> None:
    """Refuse, before any fetch, an argument from a cell that is not calculated
    yet or holds an error."""
    for name, value in arguments.items():
        if value == UNCALCULATED:
            raise ConfigError(_("waiting for the {name} cell to be calculated").format(name=name))
        if isinstance(value, str) and value in CELL_ERRORS:
            raise ConfigError(
                _("{name} is {error} — fix the cell it comes from").format(name=name, error=value)
            )


def excel_flag(value: Any, name: str) -> bool:
    """TRUE/FALSE as Excel sends it (also 1/0); left out or empty: TRUE."""
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ConfigError(_("{name} must be TRUE or FALSE").format(name=name))


def table_rows(table: ContactTable) -> list[list[str]]:
    """The header row and the rows of ``table``, as cells."""
    # Function results are not parsed by Excel (no formulas, no number guessing),
    # so values only need what any cell needs (``clean``), column by column.
    columns = map(clean_column, table.by_column)
    with gc_paused_promoting():  # 100,000 new rows, none to collect
        return [clean_column(table.columns), *map(list, zip(*columns, strict=True))]


def spill(rows: list[list[str]], with_header: bool) -> list[list[str]]:
    """What the cell spills: ``rows`` with or without the header; never nothing."""
    return rows if with_header else rows[1:] or [[""]]


def error_cell(error: BaseException) -> str:
    """The one-cell answer for a failure."""
    return clean(ERROR_PREFIX + user_message(error))
