"""The real-Excel suite: the workbook in Excel itself (Windows or macOS).

Run it where Excel is installed, as the last check of a release::

    python -m pytest -m excel -v

Everywhere else -- this project's Linux CI included -- it is collected and
skipped with one line saying why. It starts the stand-in GREEN-API server,
makes a personal copy of the template that points at the Python running the
tests, opens it in a new Excel instance, types =GETCONTACTS(50) and reads the
spill (Windows), runs Refresh and Save report exactly as the ribbon does
(``RunPython "import xl_contacts.macros; ..."``), checks the sheet and the
saved report, and closes Excel. What automation cannot reach (the ribbon
click, Enable Content, the Trust Center) is the README's manual checklist.

The credentials of the stand-in server reach Excel's Python through the same
``RunPython`` call (``os.environ`` in that process), never through a file.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from stand_in import HOSTILE_NAMES, ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi

from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.domain.contacts import COLUMNS
from xl_contacts.usecases.template.build import DEFAULT_CONF, EXAMPLE_CELL, MAC_NOTE, build_template


def _why_no_excel() -> str | None:
    """None where Excel can be driven; otherwise the one-line reason."""
    if sys.platform not in ("win32", "darwin"):
        return f"no Excel on {sys.platform}: the real-Excel suite runs on Windows or macOS"
    if "excel" not in [engine.name for engine in xw.engines]:
        return "xlwings has no Excel engine here (pywin32 or appscript missing)"
    if sys.platform == "darwin" and not Path("/Applications/Microsoft Excel.app").exists():
        return "Microsoft Excel is not installed in /Applications"
    if sys.platform == "win32" and not shutil.which("excel") and not _registered_excel():
        return "Excel is not installed (no excel.exe registered)"
    return None


def _registered_excel() -> bool:
    try:
        import winreg

        key = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, key):  # type: ignore[attr-defined]
            return True
    except OSError:
        return False


REASON = _why_no_excel()
# One Excel for the module's tests: on one xdist worker, never two at once.
pytestmark = [
    pytest.mark.excel,
    pytest.mark.xdist_group("excel"),
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
]

WINDOWS = sys.platform == "win32"
SPILL_SECONDS = 120  # the first call starts Excel's Python (UDF server) and imports the package
ESCAPE_LOOKALIKE = HOSTILE_NAMES[-1]  # "_x003D_1+1"
HOSTILE = [
    {"chatId": f"-100{i}", "name": name}
    for i, name in enumerate([*HOSTILE_NAMES[:4], ESCAPE_LOOKALIKE])
]
CONTACTS = [*REFERENCE_CONTACTS, *HOSTILE]


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Iterator[xw.Book]:
    """A personal copy (xl-contacts workbook) open in a new Excel instance."""
    folder = tmp_path_factory.mktemp("excel")
    key = "Interpreter_Win" if WINDOWS else "Interpreter_Mac"
    path = build_template(folder / "Contacts.xlsm", conf=(*DEFAULT_CONF, (key, sys.executable)))
    app = xw.App(visible=True, add_book=False)
    try:
        opened = app.books.open(str(path))
        yield opened
        if WINDOWS:
            opened.macro("KillPy")()  # stop Excel's Python before Excel itself
        opened.close()
    finally:
        app.quit()
        time.sleep(1)
        if app.pid in [a.pid for a in xw.apps]:
            app.kill()


def run_python(book: xw.Book, green_api: FakeGreenApi, command: str, folder: Path) -> list[Any]:
    """The ribbon's ``RunPython`` with the stand-in's credentials set first in the
    Python that runs it; returns the alerts the command showed (captured, so
    that no modal box waits for a click). Single quotes only: on macOS the
    command travels inside a double-quoted shell string."""
    env = {ENV_API_URL: green_api.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    alerts = folder / "alerts.json"
    code = (
        f"import os, json, xlwings.main; os.environ.update({env!r}); SHOWN = []; "
        # exec() may run this with separate locals: the list is bound as a default.
        "xlwings.main.App.alert = lambda self, prompt, title=None, buttons='ok', mode=None, "
        "callback=None, shown=SHOWN: shown.append([prompt, mode]) or 'ok'; "
        f"{command}; "
        f"open({str(alerts)!r}, 'w', encoding='utf-8').write(json.dumps(SHOWN))"
    )
    assert '"' not in code and "$" not in code
    book.macro("RunPython")(code)
    return json.loads(alerts.read_text(encoding="utf-8")) if alerts.exists() else []


def wait_for(read: Any, done: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.5)
        value = read()
    return value


@pytest.mark.skipif(
    REASON is None and not WINDOWS, reason="macOS Excel has no xlwings functions (see the Mac note)"
)
def test_getcontacts_spills_text(book: xw.Book, green_api: FakeGreenApi, tmp_path: Path) -> None:
    green_api.answer(CONTACTS)
    run_python(book, green_api, "pass", tmp_path)  # credentials into Excel's Python
    sheet = book.sheets["Start"]
    sheet["H1"].formula2 = "=GETCONTACTS(50)"
    spill = wait_for(
        lambda: sheet["H1"].options(ndim=2, expand="table").value,
        lambda rows: rows and rows[0][0] == "chatId",
        SPILL_SECONDS,
    )
    assert spill[0][: len(COLUMNS)] == list(COLUMNS), spill[:1]
    rows = {row[0]: row for row in spill[1:]}
    assert rows["10000000"][1] == "Василиса" and rows["10000000"][4] == "79876543210"
    assert all(isinstance(row[0], str) for row in spill[1:]), "identifiers stay text"
    hostile = [row[1] for row in spill[1:] if row[0].startswith("-100")]
    assert HOSTILE_NAMES[0] in hostile and "+1+1" in hostile, "names are text, not formulas"
    assert green_api.requests[0].args["count"] == "50"


@pytest.mark.skipif(
    REASON is None and WINDOWS, reason="the Mac note replaces =GETCONTACTS on macOS only"
)
def test_the_start_sheet_shows_the_mac_note(book: xw.Book) -> None:
    cell = book.sheets["Start"][EXAMPLE_CELL]
    assert wait_for(lambda: cell.value, lambda v: v == MAC_NOTE, 30) == MAC_NOTE


def test_refresh_fills_the_contacts_table(
    book: xw.Book, green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer(CONTACTS)
    alerts = run_python(
        book, green_api, "import xl_contacts.macros; xl_contacts.macros.refresh()", tmp_path
    )
    assert alerts == []
    sheet = book.sheets["Contacts"]
    table = sheet.tables["Contacts"]
    values = table.range.options(ndim=2).value
    assert values[0][: len(COLUMNS)] == list(COLUMNS)
    assert len(values) == 1 + len(CONTACTS)
    assert [row[0] for row in values[1:4]] == ["10000000", "10000001", "10000002"]
    # As a formula, =HYPERLINK(...) would show "click": the text itself means it is text.
    assert any(row[1] == HOSTILE_NAMES[0] for row in values), "a name never becomes a formula"
    assert str(sheet["A1"].value).startswith("Refreshed ")


def test_save_report_writes_a_workbook(
    book: xw.Book, green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer(CONTACTS)
    conf = book.sheets["xlwings.conf"]
    row = conf["A1"].expand("down").last_cell.row + 1  # xlwings reads down to the first gap
    conf.range((row, 1)).value = [["Contacts Report Folder", str(tmp_path)]]
    try:
        alerts = run_python(
            book,
            green_api,
            "import xl_contacts.macros; xl_contacts.macros.export_report()",
            tmp_path,
        )
    finally:
        conf.range((row, 1), (row, 2)).clear_contents()
    ((message, mode),) = alerts
    assert mode == "info" and message.startswith(f"Saved {len(CONTACTS)} contacts")
    (report,) = tmp_path.glob("Contacts contacts *.xlsx")
    sheet = openpyxl.load_workbook(report, read_only=True)["Contacts"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][: len(COLUMNS)] == list(COLUMNS)
    assert TOKEN.encode() not in report.read_bytes()
    # Excel decodes "_x003D_" in a file's text as "="; the report escapes it (cells.for_sheet_xml).
    saved = book.app.books.open(str(report))
    try:
        names = [row[1] for row in saved.sheets["Contacts"].used_range.value]
    finally:
        saved.close()
    assert ESCAPE_LOOKALIKE in names and HOSTILE_NAMES[0] in names
