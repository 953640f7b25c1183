"""``=GETCONTACTS`` in xlwings Lite: Excel on the web, for Mac and for Windows,
with Python in the browser (Pyodide) instead of on the computer.

The same function as the desktop UDF (udfs.py) -- the same arguments, table
and ``#GETCONTACTS:`` error cells, from the same rules (usecases/getcontacts.py)
-- with what a browser allows instead of what a desktop has:

* ``async``: xlwings Lite awaits it while the cell shows #BUSY!; the requests go
  through the browser's fetch within one budget (api/browser.py), no thread;
* credentials from Lite's environment variables (Local scope: the browser's
  storage, never the workbook): no credential store, no settings file, so a
  ``profile`` cannot be used here and says so;
* results kept as the desktop function keeps them (base/cache.py), and the
  requests of every call spaced one second apart per instance.

Thin on purpose, like udfs.py. Importing it needs neither threads nor a
credential store: it is what the ``main.py`` of ``xl-contacts lite`` imports.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import xlwings as xw

from .api.browser import BrowserClient
from .base import i18n
from .base.cache import ResultCache, configured_cache
from .base.errors import ConfigError
from .base.i18n import _
from .base.names import ENV_API_TOKEN, ENV_API_URL, ENV_FLAVOUR, ENV_ID_INSTANCE
from .config.settings import Settings, load_settings
from .usecases.excel_language import officejs_culture
from .usecases.fetch_async import fetch_contacts_async
from .usecases.getcontacts import (
    check_arguments,
    error_cell,
    parse_arguments,
    spill,
    table_rows,
)

# Where a user of xlwings Lite sets them (its menu, then a restart of Lite).
ONE_MISSING = i18n.N_(
    "{name} is not set — in xlwings Lite open ☰ ▸ Environment Variables, add it with "
    "scope Local (never Workbook: that would save the token inside the file), then ☰ ▸ Restart"
)
BOTH_MISSING = i18n.N_(
    "{first} and {second} are not set — in xlwings Lite open ☰ ▸ Environment Variables, "
    "add each with scope Local (never Workbook: that would save the token inside the file), "
    "then ☰ ▸ Restart"
)
REQUIRED = (ENV_ID_INSTANCE, ENV_API_TOKEN)
NAMES = (ENV_API_URL, ENV_ID_INSTANCE, ENV_API_TOKEN, ENV_FLAVOUR)

_cache: ResultCache[Any] | None = None


@xw.func
@xw.arg("count", doc="How many contacts at most (a whole number ≥ 1); leave out for all")
@xw.arg("header", doc="TRUE (default) to include the header row, FALSE to leave it out")
@xw.arg("only", doc='"all" (default), "personal", "groups", "saved" or "chatted"')
@xw.arg("profile", doc="Not available in xlwings Lite: leave it out")
async def GETCONTACTS(count=None, header=True, only=None, profile=None):
    """The contacts of your GREEN-API instance as a table: chatId, name, contactName,
    type, phoneNumber (then any extra fields). Credentials come from xlwings Lite's
    environment variables GREENAPI_ID_INSTANCE and GREENAPI_API_TOKEN_INSTANCE."""
    # Excel's language comes with the call (its culture); read before any await.
    with i18n.speaking(i18n.choose(None, system=officejs_culture())):
        try:
            check_arguments(count=count, header=header, only=only, profile=profile)
            if profile is not None and str(profile).strip():
                raise ConfigError(
                    _(
                        "profiles are stored by xl-contacts on a computer and cannot be used "
                        "in xlwings Lite — leave profile out and set the GREENAPI_* "
                        "environment variables"
                    )
                )
            asked = parse_arguments(count, header, only)
            settings = lite_settings(os.environ)
            n, kind = asked.count, asked.kind
            rows = await results_cache().get_async(
                (settings, n, kind), lambda: _load_rows(settings, n, kind)
            )
            return spill(rows, asked.header)
        except Exception as error:  # ours or a bug: one cell, never a traceback, never the token
            return error_cell(error)


def lite_settings(environ: Mapping[str, str]) -> Settings:
    """The settings from Lite's environment variables, or a ConfigError that
    says which are missing and where to set them."""
    missing = [name for name in REQUIRED if not environ.get(name, "").strip()]
    if len(missing) > 1:
        raise ConfigError(_(BOTH_MISSING).format(first=missing[0], second=missing[1]))
    if missing:
        raise ConfigError(_(ONE_MISSING).format(name=missing[0]))
    env = {name: environ[name] for name in NAMES if name in environ}
    # Nothing stored is looked for: Lite has no credential store and no settings file.
    return load_settings(env=env, use_stored=False)


def results_cache() -> ResultCache[Any]:
    """The results of this Python session (created on first use)."""
    global _cache
    if _cache is None:
        _cache = configured_cache()
    return _cache


def reset(cache: ResultCache[Any] | None = None) -> None:
    """Replace the results cache with ``cache``, or drop it (the next call creates it)."""
    global _cache
    _cache = cache


async def _load_rows(settings: Settings, count: int | None, kind: str) -> list[list[str]]:
    table = await fetch_contacts_async(count, only=kind, client=BrowserClient(settings))
    return table_rows(table)
