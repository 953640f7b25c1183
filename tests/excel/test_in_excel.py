"""The real-Excel suite: the workbook in Excel itself (Windows or macOS).

Run it where Excel is installed, as the last check of a release (README:
"Verify a release in real Excel")::

    python -m pytest -m excel -v

Everywhere else -- this project's Linux CI included -- it is collected and
skipped with one line saying why. It starts the stand-in GREEN-API server and
one new Excel instance (``own_excel``), opens a personal copy of the template
that points at the Python running the tests (``workbook``), and drives it as a
person would: ``=GETCONTACTS(50)`` typed into a cell and its spill read back
(Windows), *Refresh contacts* and *Save report* run by the ribbon's own
``RunPython`` commands. Each command reaches Excel's Python through
``handoff``: isolated there from every credential the tester has, answered
through a file that is always written, waited for with a deadline.

Nothing here waits without a limit: each test runs under a watchdog that ends
this suite's Excel (by the PID saved at its start, never another Excel) and
under pytest-timeout; an error xlwings would have shown in a box lands on the
workbook's Error sheet, whose absence every test checks.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from handoff import HandOff
from helpers import file_has_no_token
from own_excel import OwnExcel, why_no_excel
from spill import NoSpill, first_answer, read_spill
from stand_in import HOSTILE_NAMES, ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi
from workbook import build_test_workbook, error_sheet, run_folder, what_excel_showed

from xl_contacts.base import i18n
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.domain.table import COLUMNS
from xl_contacts.usecases.template import texts

REASON = why_no_excel()
WINDOWS = sys.platform == "win32"
# The first command starts Excel's Python and imports the package: generous, but
# far below the watchdog, which is far below pytest-timeout.
ANSWER_SECONDS = 90
STEP_SECONDS = 150  # the watchdog: one test, or opening the workbook
# pytest-timeout, the last resort: it counts the module's fixtures in the first
# test (opening the workbook, one watchdog step) and ends pytest with os._exit
# on Windows -- own_excel's guard process then ends Excel.
TEST_SECONDS = 2 * STEP_SECONDS + 60
pytestmark = [
    pytest.mark.excel,
    pytest.mark.xdist_group("excel"),  # one Excel for the module: on one xdist worker
    pytest.mark.skipif(REASON is not None, reason=REASON or ""),
    pytest.mark.timeout(TEST_SECONDS),
]

ESCAPE_LOOKALIKE = HOSTILE_NAMES[-1]  # "_x003D_1+1"
HOSTILE = [
    {"chatId": f"-100{i}", "name": name}
    for i, name in enumerate([*HOSTILE_NAMES[:4], ESCAPE_LOOKALIKE])
]
CONTACTS = [*REFERENCE_CONTACTS, *HOSTILE]
# Messages in English (README: language), not the tester's Excel's language.
LANGUAGE = "XL_CONTACTS_LANG"
# Where `xlwings runpython install` copies it (xlwings/cli.py runpython_install).
MACOS_APPLESCRIPT = (
    Path.home()
    / "Library/Application Scripts/com.microsoft.Excel"
    / f"xlwings-{xw.__version__}.applescript"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """This run's files: in Excel's container on macOS (removed afterwards)."""
    fallback = tmp_path_factory.mktemp("excel")
    chosen = run_folder(fallback)
    yield chosen
    if chosen != fallback:
        shutil.rmtree(chosen, ignore_errors=True)


@pytest.fixture(scope="module")
def excel(folder: Path) -> Iterator[OwnExcel]:
    """A new Excel instance: closed (or killed, by its PID) afterwards, and only it."""
    if sys.platform == "darwin" and not MACOS_APPLESCRIPT.exists():
        pytest.fail("macOS RunPython is not set up: run `xlwings runpython install` once")
    own = OwnExcel.start()
    try:
        yield own
    finally:
        own.close()


@pytest.fixture(scope="module")
def book(excel: OwnExcel, folder: Path) -> Iterator[Any]:
    path = build_test_workbook(folder)
    try:
        with excel.watchdog(STEP_SECONDS, "opening the test workbook"):
            opened = excel.app.books.open(str(path))
    except Exception:
        if excel.ended:
            pytest.fail(excel.ended)
        raise
    yield opened
    if WINDOWS and excel.app is not None and not excel.ended:
        with excel.watchdog(30, "stopping Excel's Python (KillPy)"):
            opened.macro("KillPy")()  # the UDF server, before Excel itself


@pytest.fixture(autouse=True)
def _watched(excel: OwnExcel, book: Any, request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test under the watchdog; afterwards, no error xlwings reported."""
    with excel.watchdog(STEP_SECONDS, request.node.name):
        yield
    if excel.ended:
        pytest.fail(excel.ended)
    shown = error_sheet(book)
    assert not shown, f"xlwings reported an error: {shown}"


@pytest.fixture
def handoff(book: Any, green_api: FakeGreenApi, folder: Path) -> HandOff:
    env = {ENV_API_URL: green_api.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    env[LANGUAGE] = "en"  # the alerts checked below, whatever Excel's UI language
    return HandOff(folder / "handoff", env, ANSWER_SECONDS, why_not=lambda: what_excel_showed(book))


def ribbon(book: Any, handoff: HandOff, command: str) -> list[tuple[str, str | None]]:
    """The ribbon's ``RunPython`` command, as the button runs it; the alerts it showed."""
    return handoff.run(book.macro("RunPython"), command).alerts


@pytest.mark.skipif(
    REASON is None and not WINDOWS, reason="macOS Excel has no xlwings functions (see the Mac note)"
)
def test_getcontacts_spills_text(book: Any, green_api: FakeGreenApi, handoff: HandOff) -> None:
    green_api.answer(CONTACTS)
    # With "Use UDF Server", RunPython runs in the process =GETCONTACTS runs in:
    # this isolates it (and empties its results cache) before the first call.
    ribbon(book, handoff, "pass")
    anchor = book.sheets["Start"]["H1"]
    anchor.formula2 = "=GETCONTACTS(50)"
    try:
        spill = read_spill(anchor, ANSWER_SECONDS)
    finally:
        anchor.clear_contents()
    assert spill[0][: len(COLUMNS)] == list(COLUMNS), spill[:1]
    assert len(spill) == 1 + len(CONTACTS)
    rows = {row[0]: row for row in spill[1:]}
    assert rows["10000000"][1] == "Василиса" and rows["10000000"][4] == "79876543210"
    assert all(isinstance(row[0], str) for row in spill[1:]), "identifiers stay text"
    hostile = [row[1] for row in spill[1:] if row[0].startswith("-100")]
    assert HOSTILE_NAMES[0] in hostile and "+1+1" in hostile, "names are text, not formulas"
    assert [r.args.get("count") for r in green_api.requests] == ["50"]


@pytest.mark.skipif(
    REASON is None and WINDOWS, reason="the Mac note replaces =GETCONTACTS on macOS only"
)
def test_getcontacts_shows_the_mac_note(book: Any) -> None:
    anchor = book.sheets["Start"]["H1"]
    anchor.formula2 = "=GETCONTACTS(50)"
    try:
        shown = first_answer(lambda: anchor.value, 30, what="the GETCONTACTS cell ")
    finally:
        anchor.clear_contents()
    with i18n.speaking("en"):  # the workbook's Contacts Language row (workbook.py)
        assert shown == texts.ribbon_text(texts.MAC_NOTE_KEY)


def test_refresh_fills_the_contacts_table(
    book: Any, green_api: FakeGreenApi, handoff: HandOff
) -> None:
    green_api.answer(CONTACTS)
    alerts = ribbon(book, handoff, "import xl_contacts.macros; xl_contacts.macros.refresh()")
    assert alerts == [], alerts  # an alert here is a failure message from the macro
    sheet = book.sheets["Contacts"]
    values = sheet.tables["Contacts"].range.options(ndim=2).value
    assert values[0][: len(COLUMNS)] == list(COLUMNS)
    assert len(values) == 1 + len(CONTACTS)
    assert [row[0] for row in values[1:4]] == ["10000000", "10000001", "10000002"]
    # As a formula, =HYPERLINK(...) would show "click": the text itself means it is text.
    assert any(row[1] == HOSTILE_NAMES[0] for row in values), "a name never becomes a formula"
    assert str(sheet["A1"].value).startswith("Refreshed ")
    assert len(green_api.requests) == 1


def test_save_report_writes_a_workbook(
    book: Any, green_api: FakeGreenApi, handoff: HandOff, folder: Path
) -> None:
    green_api.answer(CONTACTS)
    reports = folder / "reports"  # the workbook's Contacts Report Folder (workbook.py)
    pattern = f"{Path(book.name).stem} contacts *.xlsx"  # macros.report_name
    before = set(reports.glob(pattern))
    alerts = ribbon(book, handoff, "import xl_contacts.macros; xl_contacts.macros.export_report()")
    ((message, mode),) = alerts
    assert mode == "info" and message.startswith(f"Saved {len(CONTACTS)} contacts"), message
    (report,) = set(reports.glob(pattern)) - before
    sheet = openpyxl.load_workbook(report, read_only=True)["Contacts"]
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][: len(COLUMNS)] == list(COLUMNS)
    file_has_no_token(report)  # every zip part inflated, not the compressed bytes
    # Excel decodes "_x003D_" in a file's text as "="; the report escapes it (cells.for_sheet_xml).
    saved = book.app.books.open(str(report))
    try:
        names = [row[1] for row in saved.sheets["Contacts"].used_range.value]
    finally:
        saved.close()
    assert ESCAPE_LOOKALIKE in names and HOSTILE_NAMES[0] in names


@pytest.mark.skipif(
    REASON is None and not WINDOWS, reason="macOS Excel has no xlwings functions (see the Mac note)"
)
def test_an_error_cell_ends_the_spill_wait_at_once(
    book: Any, green_api: FakeGreenApi, handoff: HandOff
) -> None:
    green_api.answer(status=401, body='{"message": "unauthorized"}')
    ribbon(book, handoff, "pass")
    anchor = book.sheets["Start"]["H1"]
    anchor.formula2 = "=GETCONTACTS(50)"
    try:
        with pytest.raises(NoSpill, match="#GETCONTACTS: ") as failure:
            read_spill(anchor, ANSWER_SECONDS)
    finally:
        anchor.clear_contents()
    assert "HTTP 401" in str(failure.value) and TOKEN not in str(failure.value)
