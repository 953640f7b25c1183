"""The workbook the real-Excel suite opens, where it lives, and what Excel shows
when Python fails.

The workbook is a personal copy of the template with test settings on its
``xlwings.conf`` sheet (read by xlwings.bas ``GetConfig``, keys compared in
upper case, values as text):

* the interpreter running the tests, so Excel's Python is this checkout's;
* ``PYTHONPATH``: this folder, so Excel's Python imports ``handoff``;
* ``SHOW_ERROR_POPUPS`` = ``False``: xlwings.bas ``ShowError`` then writes
  the error into a sheet named ``Error`` instead of a modal box (a
  ``WScript.Popup`` with no time-out on Windows, a ``MsgBox`` on macOS) that
  nobody would click;
* the report folder, fixed for the whole run: no row is ever added and
  cleared around a command (on macOS ``RunPython`` returns before Python has
  read the settings);
* no live example on the Start sheet: with no formula, opening the workbook
  calls no Python -- nothing runs before the hand-off has isolated it.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any

from handoff import UNSAFE_IN_COMMAND

from xl_contacts.base.names import KEY_LANGUAGE, KEY_REPORT_FOLDER
from xl_contacts.usecases.template.build import DEFAULT_CONF, build_template

HERE = Path(__file__).resolve().parent
# Not "Contacts.xlsm", and new for every run: on macOS xw.Book.caller() finds the
# calling workbook by name in any Excel instance, and a tester's own copy (or the
# workbook of another pytest worker) may be open.
BOOK_PREFIX = "xl-contacts-excel-test"
ERROR_SHEET = "Error"  # xlwings.bas ShowError, with SHOW_ERROR_POPUPS = False
# Excel for Mac is sandboxed: a file outside its container needs a "Grant File
# Access" click. xlwings.bas puts its own log here for that reason.
MAC_CONTAINER = Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data"


def conf_rows(reports: Path, platform: str = sys.platform) -> tuple[tuple[str, object], ...]:
    key = "Interpreter_Win" if platform == "win32" else "Interpreter_Mac"
    for path in (sys.executable, str(HERE)):  # both go into RunPython's shell command
        # ";" separates PYTHONPATH entries (xlwings.utils.prepare_sys_path).
        assert not any(c in path for c in (*UNSAFE_IN_COMMAND, ";")), f"move {path!r}"
    return (
        *DEFAULT_CONF,
        (key, sys.executable),
        ("PYTHONPATH", str(HERE)),
        ("SHOW_ERROR_POPUPS", "False"),
        (KEY_REPORT_FOLDER, str(reports)),
        # English whatever Excel's UI language: the ribbon's VBA reads this row too
        # (the hand-off's XL_CONTACTS_LANG reaches Excel's Python, not its VBA).
        (KEY_LANGUAGE, "en"),
    )


def build_test_workbook(folder: Path, platform: str = sys.platform) -> Path:
    """A workbook of a name used once, in ``folder``; its reports go to ``folder``/reports."""
    reports = folder / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    conf = conf_rows(reports, platform)
    name = f"{BOOK_PREFIX}-{uuid.uuid4().hex[:8]}.xlsm"
    return build_template(folder / name, conf=conf, live_example=False)


def run_folder(fallback: Path, platform: str = sys.platform) -> Path:
    """A new folder for one run: inside Excel's container on macOS (no file
    access prompt), ``fallback`` elsewhere."""
    if platform == "darwin" and MAC_CONTAINER.is_dir():
        folder = MAC_CONTAINER / f"xl-contacts-excel-test-{uuid.uuid4().hex[:8]}"
        folder.mkdir()
        return folder
    return fallback


def mac_log() -> Path:
    """Where xlwings.bas ``ExecuteMac`` sends Python's stderr (Excel's $HOME)."""
    return MAC_CONTAINER / "xlwings.log"


def error_sheet(book: Any) -> str:
    """The error xlwings reported on the Error sheet, or an empty string."""
    try:
        if ERROR_SHEET in [sheet.name for sheet in book.sheets]:
            return f"Error sheet: {book.sheets[ERROR_SHEET]['A1'].value}"
    except Exception as error:  # Excel busy or gone: say so instead
        return f"(could not read the workbook: {type(error).__name__})"
    return ""


def what_excel_showed(book: Any, platform: str = sys.platform) -> str:
    """Why Python may not have run: the Error sheet, and on macOS the stderr of
    the last ``RunPython`` (xlwings.bas deletes it when the next one starts)."""
    found = [error_sheet(book)]
    log = mac_log()
    if platform == "darwin" and log.is_file():
        text = log.read_text(encoding="utf-8", errors="replace").strip()
        found.append(f"xlwings.log: {text[-2000:]}" if text else "")
    return "; ".join(text for text in found if text)
