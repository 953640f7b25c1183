"""Windows Excel calling a Python UDF through xlwings, played on Linux.

Excel runs ``=GETCONTACTS(50)`` by calling the VBA wrapper xlwings' "Import
Functions" writes::

    GETCONTACTS = XLPy.CallUDF("xl_contacts.udfs", "GETCONTACTS", Array(count, header),
                               ThisWorkbook, Application.Caller)

which reaches ``xlwings.com_server.XLPython.CallUDF`` and then
``xlwings.udfs.call_udf`` in the UDF server process. Both are xlwings' own code
and import pywin32 at the top. ``windows_xlwings()`` installs stand-ins for
pywin32 (``pythoncom``, ``pywintypes``, ``win32com.client`` and the few other
modules ``xlwings._xlwindows`` imports), imports xlwings' real ``_xlwindows``,
``udfs`` and ``com_server`` against them, starts the UDF server's event loop and
yields a ``StandInExcel``: an Application with workbooks, sheets and cells whose
formulas are lists of UDF calls. Its calculation chain calls the wrapper the
way Excel does -- a cell reference arrives as a Range object, a left-out
argument as DISP_E_PARAMNOTFOUND, a cell error as the integer pywin32 makes of
it -- and every write Python makes back (``Formula2`` and friends) is logged and
makes the cell dirty again, as in Excel. An answer of several cells spills
(``HasSpill``, ``SpillingToRange`` and the values of the cells it covers).
Nothing of it stays installed after the ``with`` block.

What is *not* played: the formula language (a cell's formula is its text plus
the UDF calls in it), dependencies beyond "reading an uncalculated cell gives
Empty and reschedules the reader" (Excel's documented behaviour), and the
timing of Excel's own thread (the test decides when Excel calculates).
"""

from __future__ import annotations

import asyncio
import ctypes
import datetime as dt
import importlib
import importlib.util
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from xlwings.utils import address_to_index_tuple, col_name

# --- values as pywin32 hands them to Python -----------------------------------------

MISSING = -2147352572  # DISP_E_PARAMNOTFOUND: an Optional argument left out
ERRORS = {  # a cell error arrives as this integer
    "#DIV/0!": -2146826281,
    "#N/A": -2146826246,
    "#NAME?": -2146826259,
    "#NULL!": -2146826288,
    "#NUM!": -2146826252,
    "#REF!": -2146826265,
    "#VALUE!": -2146826273,
}
DISP_E_EXCEPTION = -2147352567
XL_E_CANNOT_SET = -2146827284  # 0x800A03EC: "Unable to set the Formula2 property..."
RANGE_IID = "{00020846-0000-0000-C000-000000000046}"

_ids = count(4242)


@dataclass(frozen=True)
class Ref:
    """A formula argument that is a cell reference (VBA passes the Range object)."""

    address: str


@dataclass(frozen=True)
class Call:
    """One UDF call inside a formula, e.g. ``Call("GETCONTACTS", MISSING, False)``."""

    function: str
    args: tuple[Any, ...]

    def __init__(self, function: str, *args: Any) -> None:
        object.__setattr__(self, "function", function)
        object.__setattr__(self, "args", args)


# --- pywin32 stand-ins -----------------------------------------------------------------


class com_error(Exception):
    def __init__(self, hresult: int, strerror: str, excepinfo: Any = None, argerror: Any = None):
        super().__init__(hresult, strerror, excepinfo, argerror)
        self.hresult = hresult
        self.strerror = strerror
        self.excepinfo = excepinfo
        self.argerror = argerror


def cannot_set(what: str) -> com_error:
    """The error Excel raises when a protected or locked cell refuses a write."""
    text = f"Unable to set the {what} property of the Range class"
    return com_error(
        DISP_E_EXCEPTION,
        "Exception occurred.",
        (0, "Microsoft Excel", text, "", 0, XL_E_CANNOT_SET),
    )


class _Stream:
    def __init__(self, obj: Any) -> None:
        self.obj = obj


class _PyIDispatch:  # pythoncom.TypeIIDs[IID_IDispatch]: nothing here is one
    pass


class _CDispatch:
    pass


def _module(name: str, **attrs: Any) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = f"<stand-in {name}>"
    module.__dict__.update(attrs)
    return module


def _stand_in_modules(windows: dict[int, StandInExcel]) -> dict[str, types.ModuleType]:
    iid_dispatch = "{00020400-0000-0000-C000-000000000046}"

    def window_thread_process_id(hwnd: int) -> tuple[int, int]:
        return 1, windows[hwnd].pid

    pythoncom = _module(
        "pythoncom",
        CoInitialize=lambda: None,
        CoUninitialize=lambda: None,
        IID_IDispatch=iid_dispatch,
        IID_IEnumVARIANT="{00020404-0000-0000-C000-000000000046}",
        TypeIIDs={iid_dispatch: _PyIDispatch},
        CoMarshalInterThreadInterfaceInStream=lambda iid, obj: _Stream(obj),
        CoGetInterfaceAndReleaseStream=lambda stream, iid: stream.obj,
        com_error=com_error,
        ole_error=com_error,
    )
    pywintypes = _module(
        "pywintypes",
        com_error=com_error,
        error=type("error", (Exception,), {}),
        TimeType=type("TimeType", (dt.datetime,), {}),
        IID=lambda text: text.upper(),
    )

    def dispatch(obj: Any, userName: Any = None, resultCLSID: Any = None) -> Any:
        return obj

    def dispatch_ex(progid: str) -> Any:
        raise com_error(-2147221005, "Invalid class string")  # no new Excel here

    client = _module(
        "win32com.client",
        Dispatch=dispatch,
        DispatchEx=dispatch_ex,
        CDispatch=_CDispatch,
        DispatchBaseClass=type("DispatchBaseClass", (), {}),
        CoClassBaseClass=type("CoClassBaseClass", (), {}),
    )

    def unwrap(obj: Any) -> Any:
        raise ValueError("not a wrapped Python object")  # FromVariant keeps the value

    util = _module("win32com.server.util", wrap=lambda obj, iid=None: obj, unwrap=unwrap)
    server = _module(
        "win32com.server",
        util=util,
        dispatcher=_module("win32com.server.dispatcher"),
        policy=_module("win32com.server.policy", DefaultPolicy=type("DefaultPolicy", (), {})),
        exception=_module(
            "win32com.server.exception", COMException=type("COMException", (Exception,), {})
        ),
    )
    win32com = _module("win32com", client=client, server=server)

    def message_box(hwnd: int, prompt: str, title: str, style: int) -> int:
        windows[hwnd].record("MessageBox", title, "", prompt)
        return 1  # OK

    def find_window_ex(parent: int, after: int, cls: str, title: Any) -> int:
        return parent + 1  # Excel window -> XLDESK -> EXCEL7: hwnd, hwnd+1, hwnd+2

    return {
        "pythoncom": pythoncom,
        "pywintypes": pywintypes,
        "win32com": win32com,
        "win32com.client": client,
        "win32com.server": server,
        "win32com.server.util": util,
        "win32com.server.dispatcher": server.dispatcher,
        "win32com.server.policy": server.policy,
        "win32com.server.exception": server.exception,
        "win32api": _module(
            "win32api", GetCurrentThreadId=threading.get_ident, MessageBox=message_box
        ),
        "win32con": _module(
            "win32con",
            MB_OK=0,
            MB_OKCANCEL=1,
            MB_YESNOCANCEL=3,
            MB_YESNO=4,
            MB_ICONWARNING=48,
            MB_ICONINFORMATION=64,
        ),
        "win32event": _module("win32event", INFINITE=-1, QS_ALLEVENTS=0x04BF, WAIT_OBJECT_0=0),
        "win32gui": _module("win32gui", FindWindowEx=find_window_ex),
        "win32process": _module("win32process", GetWindowThreadProcessId=window_thread_process_id),
        "win32timezone": _module(
            "win32timezone",
            TimeZoneInfo=type("TimeZoneInfo", (), {"utc": staticmethod(lambda: dt.UTC)}),
        ),
    }


class _User32:
    """``windll.user32`` as xlwings walks it to find Excel windows (top-level only)."""

    def __init__(self, windows: dict[int, StandInExcel]) -> None:
        self._windows = windows

    def GetTopWindow(self, hwnd: Any) -> int:
        return min(self._windows, default=0)

    def GetWindow(self, hwnd: int, relation: int) -> int:
        later = sorted(h for h in self._windows if h > hwnd)
        return later[0] if later else 0


@contextmanager
def _ctypes_for_xlwindows(windows: dict[int, StandInExcel]) -> Iterator[None]:
    """``xlwings._xlwindows`` does ``from ctypes import oledll, windll, PyDLL`` and
    calls into ole32/oleacc/pythoncom at import: give it stand-ins meanwhile."""

    def accessible_object_from_window(hwnd: int, objid: int, iid: Any, ptr: Any) -> int:
        ptr._obj.value = hwnd - 2  # the EXCEL7 child -> its Excel window
        return 0

    def object_from_iunknown(ptr: Any, iid: Any, add_ref: bool) -> Any:
        return types.SimpleNamespace(Application=windows[ptr.value])

    class PyDLL:
        def __init__(self, name: Any) -> None:
            self.PyCom_PyObjectFromIUnknown = object_from_iunknown

    saved = {name: getattr(ctypes, name, None) for name in ("oledll", "windll", "PyDLL")}
    ctypes.oledll = types.SimpleNamespace(  # type: ignore[attr-defined]
        ole32=types.SimpleNamespace(CLSIDFromString=lambda text, out: 0),
        oleacc=types.SimpleNamespace(AccessibleObjectFromWindow=accessible_object_from_window),
    )
    ctypes.windll = types.SimpleNamespace(user32=_User32(windows))  # type: ignore[attr-defined]
    ctypes.PyDLL = PyDLL  # type: ignore[misc]
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                delattr(ctypes, name)
            else:
                setattr(ctypes, name, value)


# --- Excel's objects -------------------------------------------------------------------


def _parse_cell(address: str) -> tuple[int, int]:
    index = address_to_index_tuple(address.upper())  # xlwings' own reading of "$B$2"
    if index is None:
        raise ValueError(f"not a cell address: {address!r}")
    return index


@dataclass
class Cell:
    value: Any = None
    formula: str = ""
    calls: tuple[Call, ...] = ()
    compute: Callable[[], Any] | None = None  # a plain formula such as =10*5
    results: list[Any] = field(default_factory=list)  # the UDF calls' answers, last pass


class _TypeInfo:
    def GetTypeInfo(self) -> _TypeInfo:
        return self

    def GetTypeAttr(self) -> Any:
        return types.SimpleNamespace(iid=RANGE_IID)


class _Count:
    def __init__(self, n: int) -> None:
        self.Count = n


class Range:
    """A COM Range: what ``Application.Caller`` and reference arguments are."""

    CLSID = RANGE_IID
    _oleobj_ = _TypeInfo()

    def __init__(self, sheet: Worksheet, top: int, left: int, bottom: int, right: int) -> None:
        self.Worksheet = self.Parent = sheet
        self.Application = sheet.Application
        self.Row, self.Column = top, left
        self._bottom, self._right = bottom, right

    @property
    def Rows(self) -> _Count:
        return _Count(self._bottom - self.Row + 1)

    @property
    def Columns(self) -> _Count:
        return _Count(self._right - self.Column + 1)

    @property
    def Count(self) -> int:
        return self.Rows.Count * self.Columns.Count

    @property
    def Address(self) -> str:
        first = f"${col_name(self.Column)}${self.Row}"
        if self.Count == 1:
            return first
        return f"{first}:${col_name(self._right)}${self._bottom}"

    def _cells(self) -> list[list[tuple[int, int]]]:
        return [
            [(r, c) for c in range(self.Column, self._right + 1)]
            for r in range(self.Row, self._bottom + 1)
        ]

    @property
    def Value(self) -> Any:
        rows = [[self.Worksheet.read((r, c)) for r, c in row] for row in self._cells()]
        return rows[0][0] if self.Count == 1 else tuple(tuple(row) for row in rows)

    @property
    def Formula2(self) -> str:
        return self.Worksheet.cell((self.Row, self.Column)).formula

    @Formula2.setter
    def Formula2(self, text: str) -> None:
        self.Worksheet.python_writes("Formula2", self, text)

    Formula = Formula2
    FormulaArray = Formula2

    @property
    def HasFormula(self) -> bool:
        return bool(self.Worksheet.cell((self.Row, self.Column)).formula)

    @property
    def HasSpill(self) -> bool:
        """Part of a spilled array (Excel 365), the anchor included."""
        return self.Worksheet.spill_anchor((self.Row, self.Column)) is not None

    @property
    def SpillingToRange(self) -> Range:
        """The anchor's spilled area (Excel raises on any other cell)."""
        where = (self.Row, self.Column)
        if self.Worksheet.spill_anchor(where) != where:
            raise com_error(DISP_E_EXCEPTION, "Exception occurred.")
        rows = self.Worksheet.cell(where).value
        width = max(len(row) for row in rows)
        bottom, right = self.Row + len(rows) - 1, self.Column + width - 1
        return Range(self.Worksheet, self.Row, self.Column, bottom, right)

    def ClearContents(self) -> None:
        self.Worksheet.python_writes("ClearContents", self, None)


class Worksheet:
    def __init__(self, book: Workbook, name: str) -> None:
        self.Parent = book
        self.Application = book.Application
        self.Name = name
        self.ProtectContents = False
        self._cells: dict[tuple[int, int], Cell] = {}

    # COM surface
    def Range(self, first: Any, last: Any = None) -> Range:
        if isinstance(first, Range):
            end = last if last is not None else first
            return Range(self, first.Row, first.Column, end._bottom, end._right)
        a, _, b = first.partition(":")
        top, left = _parse_cell(a)
        bottom, right = _parse_cell(b) if b else (top, left)
        return Range(self, top, left, bottom, right)

    def Cells(self, row: int, column: int) -> Range:
        return Range(self, row, column, row, column)

    def Protect(self) -> None:
        self.ProtectContents = True

    def Unprotect(self) -> None:
        self.ProtectContents = False

    # what the user does
    def enter(self, address: str, formula: str, *calls: Call) -> None:
        """Type a formula whose UDF calls are ``calls`` (Excel then calculates it)."""
        self.Application.known_formulas[formula] = calls
        self._cells[_parse_cell(address)] = Cell(formula=formula, calls=calls)
        self.Application.make_dirty(self, _parse_cell(address))

    def enter_plain(self, address: str, formula: str, compute: Callable[[], Any]) -> None:
        """A formula without UDFs, e.g. ``=10*5`` with ``compute=lambda: 50.0``."""
        self._cells[_parse_cell(address)] = Cell(formula=formula, compute=compute)
        self.Application.make_dirty(self, _parse_cell(address))

    def put(self, address: str, value: Any) -> None:
        """Type a constant (or an error, as its ``ERRORS`` integer) into a cell."""
        self._cells[_parse_cell(address)] = Cell(value=value)

    def clear(self, address: str) -> None:
        """The user deletes a cell's content."""
        self._cells.pop(_parse_cell(address), None)

    # Excel's inside
    def cell(self, where: tuple[int, int]) -> Cell:
        return self._cells.get(where) or Cell()

    def read(self, where: tuple[int, int]) -> Any:
        return self.Application.read_value(self, where)

    def spill_anchor(self, where: tuple[int, int]) -> tuple[int, int] | None:
        """The cell whose answer (a list of rows of more than one cell) spills over ``where``."""
        for (top, left), cell in self._cells.items():
            rows = cell.value
            if not (isinstance(rows, list) and rows and isinstance(rows[0], list)):
                continue
            width = max(len(row) for row in rows)
            if (len(rows), width) != (1, 1) and top <= where[0] < top + len(rows):
                if left <= where[1] < left + width:
                    return top, left
        return None

    def python_writes(self, action: str, rng: Range, text: str | None) -> None:
        """A write from Python (the UDF server's background thread)."""
        app = self.Application
        app.record(action, self.Name, rng.Address, text)
        if self.ProtectContents:
            raise cannot_set(action)
        where = (rng.Row, rng.Column)
        if text is None:
            self._cells.pop(where, None)
            return
        self._cells[where] = Cell(formula=text, calls=app.known_formulas.get(text, ()))
        app.make_dirty(self, where)  # entering a formula calculates it


class Workbook:
    def __init__(self, app: StandInExcel, name: str) -> None:
        self.Application = self.Parent = app
        self.Name = name
        self.FullName = f"C:\\Users\\user\\Documents\\{name}"
        self.Worksheets: list[Worksheet] = []
        self.ProtectStructure = False

    def add_sheet(self, name: str) -> Worksheet:
        sheet = Worksheet(self, name)
        self.Worksheets.append(sheet)
        return sheet


ENGLISH_UI, RUSSIAN_UI = 1033, 1049  # language ids (LCID) of Excel's UI language


class LanguageSettings:
    """``Application.LanguageSettings``: ``LanguageID(msoLanguageIDUI)`` (2) is
    the language of Excel's menus; the other kinds (install, help) answer alike.
    (pywin32 exposes the parameterised property as this call.)"""

    def __init__(self, ui_language: int) -> None:
        self.ui_language = ui_language
        self.reads = 0

    def LanguageID(self, kind: int) -> int:
        self.reads += 1
        return self.ui_language


class StandInExcel:
    """``Excel.Application`` with a calculation chain that calls UDFs like Excel."""

    Name = "Microsoft Excel"
    Version = "16.0"

    def __init__(
        self, server: Any, module_name: str = "xl_contacts.udfs", ui_language: int = ENGLISH_UI
    ) -> None:
        self._server = server  # xlwings.com_server, imported against the stand-ins
        self.module_name = module_name
        self.LanguageSettings = LanguageSettings(ui_language)
        self.Hwnd = next(_ids) * 16
        self.pid = next(_ids)
        self._status_bar: Any = False
        self.Workbooks: list[Workbook] = []
        self.WorksheetFunction = types.SimpleNamespace(Unique=lambda *a: a)  # Excel 365
        self.known_formulas: dict[str, tuple[Call, ...]] = {}
        self.actions: list[tuple[str, str, str, Any]] = []
        self.evaluations: list[tuple[str, tuple[Any, ...], Any]] = []  # (address, args, answer)
        self._lock = threading.Condition()
        self._dirty: list[tuple[Worksheet, tuple[int, int]]] = []
        self._chain: list[tuple[Worksheet, tuple[int, int]]] = []
        self._current: tuple[Worksheet, tuple[int, int]] | None = None
        self._reschedule = False

    def add_workbook(self, name: str = "contacts.xlsm") -> Workbook:
        book = Workbook(self, name)
        self.Workbooks.append(book)
        return book

    # --- bookkeeping -----------------------------------------------------------------

    def record(self, action: str, where: str, address: str, text: Any) -> None:
        """Something Python did to Excel: (action, sheet or title, address, text)."""
        with self._lock:
            self.actions.append((action, where, address, text))
            self._lock.notify_all()

    @property
    def StatusBar(self) -> Any:
        return self._status_bar

    @StatusBar.setter
    def StatusBar(self, text: Any) -> None:
        self.record("StatusBar", "", "", text)
        self._status_bar = text

    def run_python(self, book: Workbook, command: str) -> None:
        """VBA ``RunPython`` with ``Use UDF Server`` (xlwings.bas 150-160): the
        calling workbook goes to ``xlwings._xlwindows.BOOK_CALLER``, then the
        command runs in the UDF server's process."""
        import xlwings._xlwindows

        xlwings._xlwindows.BOOK_CALLER = book
        try:
            exec(command, {})
        finally:
            xlwings._xlwindows.BOOK_CALLER = None

    def make_dirty(self, sheet: Worksheet, where: tuple[int, int]) -> None:
        with self._lock:
            if (sheet, where) not in self._dirty:
                self._dirty.append((sheet, where))

    def wait_for_actions(self, action: str, n: int, timeout: float = 60.0) -> int:
        """Block until Python has attempted ``action`` at least ``n`` times."""
        with self._lock:
            done = self._lock.wait_for(
                lambda: sum(a[0] == action for a in self.actions) >= n, timeout
            )
            if not done:
                raise TimeoutError(f"Python attempted {action} fewer than {n} times")
            return sum(a[0] == action for a in self.actions)

    def python_actions(self) -> list[tuple[str, str, str, Any]]:
        """Everything Python did to Excel so far (writes, message boxes, status bar)."""
        with self._lock:
            return list(self.actions)

    # --- reading cells during a calculation ------------------------------------------

    def read_value(self, sheet: Worksheet, where: tuple[int, int]) -> Any:
        cell = sheet.cell(where)
        if self._current is not None and (sheet, where) in self._chain:
            # An uncalculated precedent reads as Empty; Excel calculates the reader
            # again after it (fastexcel.wordpress.com, "UDFs calculated multiple times").
            self._reschedule = True
            return None
        anchor = sheet.spill_anchor(where) if where not in sheet._cells else None
        if anchor is not None:  # a cell the anchor's array spilled into
            row = sheet.cell(anchor).value[where[0] - anchor[0]]
            column = where[1] - anchor[1]
            return row[column] if column < len(row) else None
        value = cell.value
        if isinstance(value, list):  # a spilled array: the anchor's own value
            value = value[0][0] if isinstance(value[0], list) else value[0]
        return value

    # --- calculating -----------------------------------------------------------------

    def calculate(self) -> int:
        """One calculation (F9): every dirty cell in chain order. Returns how many
        UDF cell evaluations it took."""
        with self._lock:
            self._chain, self._dirty = list(self._dirty), []
        evaluations = 0
        while self._chain:
            sheet, where = self._chain.pop(0)
            cell = sheet.cell(where)
            self._current, self._reschedule = (sheet, where), False
            if cell.compute is not None:
                cell.value = cell.compute()
            elif cell.calls:
                cell.results = [self._call_wrapper(sheet, where, call) for call in cell.calls]
                cell.value = cell.results[0]
                evaluations += 1
            if self._reschedule:
                self._chain.append((sheet, where))
        self._current = None
        return evaluations

    def calculate_full(self) -> int:
        """Ctrl+Alt+F9: every formula of every open workbook, dirty or not."""
        for book in self.Workbooks:
            for sheet in book.Worksheets:
                for where, cell in list(sheet._cells.items()):
                    if cell.formula:
                        self.make_dirty(sheet, where)
        return self.calculate()

    def _call_wrapper(self, sheet: Worksheet, where: tuple[int, int], call: Call) -> Any:
        """xlwings' generated VBA wrapper: Array(args), ThisWorkbook, Application.Caller;
        an error raised in Python becomes the cell text (``Err.Description``)."""
        args = tuple(sheet.Range(a.address) if isinstance(a, Ref) else a for a in call.args)
        caller = sheet.Cells(*where)
        try:
            answer = self._server.XLPython().CallUDF(
                self.module_name, call.function, args, sheet.Parent, caller
            )
        except Exception as error:  # the COM server turns it into Err.Description
            answer = f"{type(error).__name__}: {error}"
        self.evaluations.append((caller.Address, call.args, answer))
        return answer

    # --- the UDF server's background work --------------------------------------------

    def python_tasks(self) -> int:
        """How many of xlwings' background tasks (async UDFs) are still running."""

        async def running() -> int:
            return len(asyncio.all_tasks()) - 1

        loop = self._server.loop
        return asyncio.run_coroutine_threadsafe(running(), loop).result(timeout=30)

    def wait_until_python_idle(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while self.python_tasks():
            if time.monotonic() > deadline:
                raise TimeoutError("xlwings' background tasks are still running")
            time.sleep(0.005)

    def run_until_settled(self, max_calculations: int) -> tuple[bool, int]:
        """Let Excel calculate whenever Python made a cell dirty, up to
        ``max_calculations`` times. Returns (settled, UDF evaluations)."""
        evaluations = 0
        for _ in range(max_calculations):
            self.wait_until_python_idle()
            with self._lock:
                if not self._dirty:
                    return True, evaluations
            evaluations += self.calculate()
        self.wait_until_python_idle()
        with self._lock:
            return not self._dirty, evaluations


# --- putting it together ---------------------------------------------------------------

_XLWINGS_WINDOWS = (
    "xlwings._win32patch",
    "xlwings._xlwindows",
    "xlwings.udfs",
    "xlwings.com_server",
)


@dataclass
class WindowsXlwings:
    udfs: types.ModuleType  # xlwings.udfs
    server: types.ModuleType  # xlwings.com_server
    windows: dict[int, StandInExcel]
    replaced: dict[str, types.ModuleType | None] = field(default_factory=dict)

    def excel(
        self, module_name: str = "xl_contacts.udfs", ui_language: int = ENGLISH_UI
    ) -> StandInExcel:
        app = StandInExcel(self.server, module_name, ui_language)
        self.windows[app.Hwnd] = app
        return app

    def load_udfs(self, module_name: str, path: str) -> types.ModuleType:
        """Import ``path`` as ``module_name`` with xlwings' Windows decorators (on
        Linux ``xw.func`` does nothing), the way the UDF server imports it."""
        import xlwings

        saved = (xlwings.func, xlwings.arg, xlwings.ret)
        xlwings.func, xlwings.arg, xlwings.ret = (
            self.udfs.xlfunc,
            self.udfs.xlarg,
            self.udfs.xlret,
        )
        try:
            spec = importlib.util.spec_from_file_location(module_name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            self.replaced.setdefault(module_name, sys.modules.get(module_name))
            sys.modules[module_name] = module
            spec.loader.exec_module(module)
        finally:
            xlwings.func, xlwings.arg, xlwings.ret = saved
        return module


async def _cancel_tasks() -> None:
    """Stop what the UDF server still runs (a spin on a protected sheet, say)."""
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


@contextmanager
def windows_xlwings() -> Iterator[WindowsXlwings]:
    """xlwings' Windows UDF machinery, importable and running on this OS."""
    import xlwings
    from xlwings.main import Engine

    windows: dict[int, StandInExcel] = {}
    stand_ins = _stand_in_modules(windows)
    saved_modules = {name: sys.modules.get(name) for name in (*stand_ins, *_XLWINGS_WINDOWS)}
    saved_active = xlwings.engines.active
    saved_accessors = dict(xlwings.conversion.accessors)  # a UDF module registers converters
    sys.modules.update(stand_ins)
    loop_thread = None
    harness: WindowsXlwings | None = None
    try:
        with _ctypes_for_xlwindows(windows):
            xlwindows = importlib.import_module("xlwings._xlwindows")
        xlwings.engines.add(Engine(impl=xlwindows.engine))
        xlwings.engines.active = xlwings.engines["excel"]
        udfs = importlib.import_module("xlwings.udfs")
        server = importlib.import_module("xlwings.com_server")
        loop_thread = threading.Thread(target=server._start_background_loop, daemon=True)
        loop_thread.start()
        harness = WindowsXlwings(udfs=udfs, server=server, windows=windows)
        yield harness
    finally:
        if harness is not None:
            saved_modules.update(harness.replaced)
        if loop_thread is not None:
            asyncio.run_coroutine_threadsafe(_cancel_tasks(), server.loop).result(timeout=30)
            server.loop.call_soon_threadsafe(server.loop.stop)
            loop_thread.join(timeout=30)
            udfs.com_executor.shutdown(wait=False, cancel_futures=True)
        xlwings.engines.engines = [e for e in xlwings.engines.engines if e.name != "excel"]
        xlwings.engines.engines_by_name.pop("excel", None)
        xlwings.engines.active = saved_active
        xlwings.conversion.accessors.clear()
        xlwings.conversion.accessors.update(saved_accessors)
        for name, module in saved_modules.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module
        for name in ("_win32patch", "_xlwindows", "udfs", "com_server"):
            if f"xlwings.{name}" not in sys.modules and hasattr(xlwings, name):
                delattr(xlwings, name)
