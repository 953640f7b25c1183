"""Excel custom functions. Thin on purpose: argument checks, the results cache
and the conversion to rows live here; fetching and normalising live in the
library.

``=GETCONTACTS(count, header)`` spills a table (Excel 365 dynamic arrays).
It never raises into Excel: every failure is one cell whose text starts with
``#GETCONTACTS:`` and says what to do -- never a traceback, never the token.

Importing this module does no work beyond its imports: Excel's UDF server
imports it at start-up.
"""

from __future__ import annotations

import os
from typing import Any

import xlwings as xw

from .cache import ResultCache
from .cells import clean
from .errors import ConfigError, XlContactsError
from .fetch import fetch_contacts, parse_count
from .settings import Settings, load_settings, redact_known

ERROR_PREFIX = "#GETCONTACTS: "
ENV_CACHE_SECONDS = "XL_CONTACTS_CACHE_SECONDS"
DEFAULT_CACHE_SECONDS = 60.0  # contact data itself may take 5 minutes to update
ERROR_CACHE_SECONDS = 5.0

# One cache holds the resolved settings (reading them may ask the OS credential
# store) under this key and the rows of each (instance, count) query.
_SETTINGS = "settings"
_cache: ResultCache[Any] | None = None


def results_cache() -> ResultCache[Any]:
    """The process-wide cache of GETCONTACTS results (created on first use)."""
    global _cache
    if _cache is None:
        _cache = ResultCache(ttl=_cache_seconds(), error_ttl=ERROR_CACHE_SECONDS)
    return _cache


def clear_cache() -> None:
    """Make the next GETCONTACTS call of every query fetch fresh data."""
    if _cache is not None:
        _cache.clear()


# threading: Excel stays responsive while GREEN-API answers (cells show
# "#N/A waiting..." meanwhile); call_in_wizard=False: no requests while the
# user types the formula in Excel's function wizard.
@xw.func(async_mode="threading", call_in_wizard=False)
@xw.arg("count", doc="How many contacts at most (a whole number ≥ 1); leave out for all")
@xw.arg("header", doc="TRUE (default) to include the header row, FALSE to leave it out")
def GETCONTACTS(count=None, header=True):
    """The contacts of your GREEN-API instance as a table: chatId, name, contactName,
    type, phoneNumber (then any extra fields). Credentials come from the
    GREENAPI_* environment variables or `xl-contacts login`."""
    try:
        # Excel sends numbers as floats (50.0); text in a count is a mistake.
        n = parse_count(count, allow_text=False)
        with_header = _excel_flag(header, "header")
        cache = results_cache()
        settings = cache.get(_SETTINGS, load_settings)
        rows = cache.get((settings, n), lambda: _load_rows(settings, n))
        return rows if with_header else rows[1:] or [[""]]
    except XlContactsError as error:
        return error_cell(str(error))
    except Exception as error:  # a bug must still not put a traceback into a cell
        return error_cell(f"unexpected {type(error).__name__} — please report it")


def error_cell(message: str) -> str:
    """The one-cell answer for a failure (the token removed, to be sure)."""
    return clean(ERROR_PREFIX + redact_known(message))


def _load_rows(settings: Settings, count: int | None) -> list[list[str]]:
    table = fetch_contacts(count, settings=settings)
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


def _cache_seconds() -> float:
    raw = os.environ.get(ENV_CACHE_SECONDS, "")
    try:
        seconds = float(raw) if raw.strip() else DEFAULT_CACHE_SECONDS
    except ValueError:
        seconds = DEFAULT_CACHE_SECONDS
    return max(0.0, seconds)
