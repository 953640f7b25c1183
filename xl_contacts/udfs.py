"""Excel custom functions (xlwings on Windows). Thin on purpose: how Excel
hands over arguments and the results cache live here; the function's rules --
its arguments, its table, its error cell -- live in usecases/getcontacts.py,
shared with the xlwings Lite function (lite.py); fetching and normalising
live in the library.

``=GETCONTACTS(count, header, only, profile)`` spills a table (Excel 365 dynamic arrays).
It never raises into Excel: every failure is one cell whose text starts with
``#GETCONTACTS:`` and says what to do -- never a traceback, never the token.

Synchronous on purpose. xlwings' ``async_mode="threading"`` writes the formula
back into the caller cell when the answer arrives: two calls in one formula
then recalculate forever, a protected sheet retries that write forever, and an
edit made meanwhile is overwritten (tests/test_udfs.py shows each through
xlwings' own COM path). The results cache makes every repeated call instant, so
Excel waits only for a query's first fetch, and that fetch has a short budget.

Each call speaks the language of its workbook (``excel_language``: the
``Contacts Language`` row, XL_CONTACTS_LANG, Excel's UI language), read once
per results-cache period per workbook: a few COM calls, not a few per cell.

Importing this module does no work beyond its imports: Excel's UDF server
imports it at start-up.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw
from xlwings.conversion import ValueAccessor

from .base import i18n
from .config.settings import Settings, chosen_profile, load_settings
from .usecases import excel_language, live_results
from .usecases.fetch import fetch_contacts
from .usecases.getcontacts import (
    UNCALCULATED,
    check_arguments,
    error_cell,
    parse_arguments,
    spill,
    table_rows,
)

# One cache holds the resolved settings under this key, each workbook's language
# under the other, and the rows of each query.
_SETTINGS = "settings"
_LANGUAGE = "language"

# How an argument reaches Python from Excel (xlwings' Windows UDF server):
# - err_to_str: a cell error arrives as its text ("#N/A") instead of None, which
#   would read as "left out" -- for count, "all contacts";
# - ARGUMENT: a formula cell that reads as Empty has not been calculated yet (a
#   formula never yields Empty). Excel calls the function again once that cell
#   is calculated, so nothing is fetched for the call that saw it empty.
ARGUMENT = "xl_contacts.argument"


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
    with i18n.speaking(call_language()):
        try:
            check_arguments(count=count, header=header, only=only, profile=profile)
            asked = parse_arguments(count, header, only)
            name = chosen_profile(profile or None, env={})  # "" from an empty cell: none
            settings = live_results.cached((_SETTINGS, name), lambda: load_settings(profile=name))
            n, kind = asked.count, asked.kind
            rows = live_results.cached((settings, n, kind), lambda: _load_rows(settings, n, kind))
            return spill(rows, asked.header)
        except Exception as error:  # ours or a bug: one cell, never a traceback, never the token
            return error_cell(error)


def call_language() -> str:
    """The language of the ``=GETCONTACTS`` call being answered: its workbook's
    on the desktop, the Office.js call's culture where xlwings serves it so."""
    try:
        book = excel_language.calling_book()
        if book is not None:
            key = (_LANGUAGE, book.fullname)
            return live_results.cached(key, lambda: excel_language.of_book(book))
    except Exception:  # Excel could not name the workbook: the language without it
        pass
    return i18n.choose(None, system=excel_language.officejs_culture())


def _load_rows(settings: Settings, count: int | None, kind: str) -> list[list[str]]:
    client = live_results.interactive_client(settings)
    return table_rows(fetch_contacts(count, only=kind, settings=settings, client=client))
