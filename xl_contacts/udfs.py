"""Excel custom functions. Thin on purpose: argument checks, the results cache
and the conversion to rows live here; fetching and normalising live in the
library.

``=GETCONTACTS(count, header, only, profile)`` spills a table (Excel 365 dynamic arrays).
It never raises into Excel: every failure is one cell whose text starts with
``#GETCONTACTS:`` and says what to do -- never a traceback, never the token.

Synchronous on purpose. xlwings' ``async_mode="threading"`` writes the formula
back into the caller cell when the answer arrives: two calls in one formula
then recalculate forever, a protected sheet retries that write forever, and an
edit made meanwhile is overwritten (tests/test_udfs.py shows each through
xlwings' own COM path). The results cache makes every repeated call instant, so
Excel waits only for a query's first fetch, and that fetch has a short budget.

Importing this module does no work beyond its imports: Excel's UDF server
imports it at start-up.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw
from xlwings.conversion import ValueAccessor

from .base.cells import clean, clean_rows
from .base.errors import ConfigError, user_message
from .config.settings import Settings, chosen_profile, load_settings
from .domain.contacts import parse_count
from .domain.kinds import parse_kind
from .usecases import live_results
from .usecases.fetch import fetch_contacts

ERROR_PREFIX = "#GETCONTACTS: "
# One cache holds the resolved settings under this key and the rows of each query.
_SETTINGS = "settings"

# How an argument reaches Python from Excel (xlwings' Windows UDF server):
# - err_to_str: a cell error arrives as its text ("#N/A") instead of None, which
#   would read as "left out" -- for count, "all contacts";
# - ARGUMENT: a formula cell that reads as Empty has not been calculated yet (a
#   formula never yields Empty). Excel calls the function again once that cell
#   is calculated, so nothing is fetched for the call that saw it empty.
ARGUMENT = "xl_contacts.argument"
UNCALCULATED = "\x00not calculated yet"  # no cell can hold NUL: never a real value
CELL_ERRORS = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!"})


class _Argument(ValueAccessor):
    """xlwings' default reading of an argument, plus the uncalculated-cell mark."""

    @staticmethod
    def reader(options: Any) -> Any:
        return ValueAccessor.reader(options).append_stage(_mark_uncalculated)


def _mark_uncalculated(context: Any) -> None:
    if context.range is not None and context.value is None and context.range.api.HasFormula:
        context.value = UNCALCULATED


_Argument.register(ARGUMENT)


def excel_argument(name: str, doc: str) -> Any:
    """``xw.arg`` for every GETCONTACTS argument: read as described above."""
    return xw.arg(name, ARGUMENT, err_to_str=True, doc=doc)


# call_in_wizard=False: no requests while the user types in the function wizard.
# No type hints on the arguments: xlwings would take them as converters.
@xw.func(call_in_wizard=False)
@excel_argument("count", "How many contacts at most (a whole number ≥ 1); leave out for all")
@excel_argument("header", "TRUE (default) to include the header row, FALSE to leave it out")
@excel_argument("only", '"all" (default), "personal", "groups", "saved" or "chatted"')
@excel_argument("profile", "A profile stored by `xl-contacts login --profile NAME` (optional)")
def GETCONTACTS(count=None, header=True, only=None, profile=None):
    """The contacts of your GREEN-API instance as a table: chatId, name, contactName,
    type, phoneNumber (then any extra fields). Credentials come from the
    GREENAPI_* environment variables or `xl-contacts login`."""
    try:
        check_arguments(count=count, header=header, only=only, profile=profile)
        # Excel sends numbers as floats (50.0); text in a count is a mistake.
        n = parse_count(count, allow_text=False)
        with_header = _excel_flag(header, "header")
        kind = parse_kind(only)
        name = chosen_profile(profile or None, env={})  # "" from an empty cell: none
        settings = live_results.cached((_SETTINGS, name), lambda: load_settings(profile=name))
        rows = live_results.cached((settings, n, kind), lambda: _load_rows(settings, n, kind))
        return rows if with_header else rows[1:] or [[""]]
    except Exception as error:  # ours or a bug: one cell, never a traceback, never the token
        return error_cell(error)


def check_arguments(**arguments: Any) -> None:
    """Refuse, before any fetch, an argument from a cell that is not calculated
    yet or holds an error."""
    for name, value in arguments.items():
        if value == UNCALCULATED:
            raise ConfigError(f"waiting for the {name} cell to be calculated")
        if isinstance(value, str) and value in CELL_ERRORS:
            raise ConfigError(f"{name} is {value} — fix the cell it comes from")


def error_cell(error: BaseException) -> str:
    """The one-cell answer for a failure."""
    return clean(ERROR_PREFIX + user_message(error))


def _load_rows(settings: Settings, count: int | None, kind: str) -> list[list[str]]:
    client = live_results.interactive_client(settings)
    table = fetch_contacts(count, only=kind, settings=settings, client=client)
    # UDF results are not parsed by Excel (no formulas, no number guessing), so
    # values only need what any cell needs: no illegal characters, <= 32,767 long.
    rows = [list(table.columns), *table.rows]
    return clean_rows(rows)


def _excel_flag(value: Any, name: str) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ConfigError(f"{name} must be TRUE or FALSE")
