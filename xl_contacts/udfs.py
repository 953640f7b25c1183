"""Excel custom functions. Thin on purpose: argument checks, the results cache
and the conversion to rows live here; fetching and normalising live in the
library.

``=GETCONTACTS(count, header, only, profile)`` spills a table (Excel 365 dynamic arrays).
It never raises into Excel: every failure is one cell whose text starts with
``#GETCONTACTS:`` and says what to do -- never a traceback, never the token.

Importing this module does no work beyond its imports: Excel's UDF server
imports it at start-up.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from . import live_results
from .cells import clean
from .contacts import parse_count
from .errors import ConfigError, user_message
from .fetch import fetch_contacts
from .kinds import parse_kind
from .settings import Settings, chosen_profile, load_settings

ERROR_PREFIX = "#GETCONTACTS: "
# One cache holds the resolved settings under this key and the rows of each query.
_SETTINGS = "settings"


# threading: Excel stays responsive while GREEN-API answers (cells show
# "#N/A waiting..." meanwhile); call_in_wizard=False: no requests while the
# user types the formula in Excel's function wizard.
@xw.func(async_mode="threading", call_in_wizard=False)
@xw.arg("count", doc="How many contacts at most (a whole number ≥ 1); leave out for all")
@xw.arg("header", doc="TRUE (default) to include the header row, FALSE to leave it out")
@xw.arg("only", doc='"all" (default), "personal", "groups", "saved" or "chatted"')
@xw.arg("profile", doc="A profile stored by `xl-contacts login --profile NAME` (optional)")
def GETCONTACTS(count=None, header=True, only=None, profile=None):
    """The contacts of your GREEN-API instance as a table: chatId, name, contactName,
    type, phoneNumber (then any extra fields). Credentials come from the
    GREENAPI_* environment variables or `xl-contacts login`."""
    try:
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


def error_cell(error: BaseException) -> str:
    """The one-cell answer for a failure."""
    return clean(ERROR_PREFIX + user_message(error))


def _load_rows(settings: Settings, count: int | None, kind: str) -> list[list[str]]:
    table = fetch_contacts(count, only=kind, settings=settings)
    # UDF results are not parsed by Excel (no formulas, no number guessing), so
    # values only need what any cell needs: no illegal characters, <= 32,767 long.
    return [
        [clean(h) for h in table.columns],
        *([clean(v) for v in row] for row in table.rows),
    ]


def _excel_flag(value: Any, name: str) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    raise ConfigError(f"{name} must be TRUE or FALSE")
