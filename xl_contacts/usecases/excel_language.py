"""The language Excel speaks to the person at a cell or a button.

First that says one (DESIGN.md: language): the workbook's ``Contacts Language``
row of ``xlwings.conf``, then ``XL_CONTACTS_LANG``, then Excel's own UI
language, then the operating system's, then English (``i18n.choose``).

Excel's UI language, where each entry point can see it:

* a ribbon button: its VBA passes the language its labels speak (the same
  order, read in VBA: ContactsRibbon.bas). Without one (xlwings Server, a
  direct call) ``macros`` reads the workbook: on the desktop
  ``Application.LanguageSettings.LanguageID(msoLanguageIDUI)`` (1049: Russian);
  an engine without it (the remote one, macOS' AppleScript) gives none;
* ``=GETCONTACTS`` on the desktop: xlwings' UDF server calls the function from
  ``xlwings.udfs.call_udf``, which holds the calling cell -- and so its
  workbook and Excel -- but hands the function only its arguments;
* ``=GETCONTACTS`` through Office.js (xlwings Lite, xlwings Server): the call's
  data carries ``culture_info_name`` (``ru-RU``), read in
  ``xlwings.pro.udfs_officejs.custom_functions_call``, which again hands the
  function only its arguments.

xlwings offers no public way to the last two (a ``caller`` argument would be
one more argument in Office.js' signature of the function), so they are read
from xlwings' own frame that is calling the function, found by its code object
-- the pinned xlwings 0.37.8, checked by the tests through xlwings' real call
paths (tests/test_udfs.py, tests/test_lite.py). Nothing found: no language.
"""

from __future__ import annotations

import sys
from types import FrameType
from typing import Any

from ..base import i18n
from ..sinks.live_sheet import conf_language

MSO_LANGUAGE_ID_UI = 2  # msoLanguageIDUI: the language of Excel's menus and dialogs
# How far up from the function xlwings' calling frame may be (the function's
# own frame, the helper's, a decorator's): a bounded look, never the whole stack.
_FRAMES = 6


def ui_language(app: Any) -> int | None:
    """Excel's UI language id (1049 for Russian), or None where the engine
    cannot say (the remote engine, macOS) -- never an error."""
    try:
        value = app.api.LanguageSettings.LanguageID(MSO_LANGUAGE_ID_UI)
    except Exception:  # an engine without LanguageSettings: no language from Excel
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def of_book(book: Any) -> str:
    """The language for ``book`` (an ``xw.Book``): its ``Contacts Language``
    row, XL_CONTACTS_LANG, Excel's UI language, the OS's, English. An
    unreadable ``xlwings.conf`` sheet is no choice: the caller that needs the
    sheet reports it."""
    try:
        chosen = conf_language(book)
    except Exception:  # the caller's own reading says what is wrong, in this language
        chosen = None
    return i18n.choose(chosen, system=ui_language(book.app))


def _xlwings_frame(module_name: str, function: str) -> FrameType | None:
    """The frame of xlwings' ``module_name.function`` that is calling us, if any."""
    module = sys.modules.get(module_name)
    code = getattr(getattr(module, function, None), "__code__", None)
    frame = sys._getframe(1)
    for _ in range(_FRAMES):
        if frame is None or code is None:
            return None
        if frame.f_code is code:
            return frame
        frame = frame.f_back
    return None


def calling_book() -> Any | None:
    """The workbook of the cell whose ``=GETCONTACTS`` xlwings' Windows UDF
    server is calculating (an ``xw.Book``), or None outside such a call."""
    frame = _xlwings_frame("xlwings.udfs", "call_udf")
    caller = frame.f_locals.get("xw_caller") if frame is not None else None
    try:
        return caller.sheet.book if caller is not None else None
    except Exception:  # a cell Excel no longer has: no workbook, no language from it
        return None


def officejs_culture() -> str | None:
    """The ``culture_info_name`` of the Office.js call being answered (``ru-RU``),
    or None outside such a call."""
    frame = _xlwings_frame("xlwings.pro.udfs_officejs", "custom_functions_call")
    data = frame.f_locals.get("data") if frame is not None else None
    culture = data.get("culture_info_name") if isinstance(data, dict) else None
    return culture if isinstance(culture, str) else None
