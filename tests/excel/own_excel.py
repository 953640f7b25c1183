"""The one Excel the real-Excel suite starts -- and never any other.

Facts from xlwings 0.37.8 this is built on:

* ``_xlwindows.Apps.cleanup`` runs ``taskkill /F`` on every EXCEL.EXE that has
  no workbook window, and xlwings calls it from ``App.quit()``, ``App.kill()``
  and an ``atexit`` hook registered when ``xlwings`` is imported on Windows. A
  tester's Excel that is starting, hidden or between workbooks would be killed.
  ``disarm_zombie_cleanup`` replaces it here (only in the test process), and
  ``OwnExcel.close`` quits through Excel's own ``Quit`` instead.
* ``App.pid`` asks Excel (its window, or an Apple event): it cannot be read
  once Excel is gone. The PID is read once, at start, and kept as a
  ``psutil.Process``, which remembers the process's start time and so never
  signals another process that later gets the same number.
* xlwings retries a COM call Excel rejects while a dialog is open, forever
  (``N_COM_ATTEMPTS = 0``). Only ending Excel ends that wait: ``watchdog`` does,
  for the Excel started here, after a per-step deadline; a guard process does
  it if the test process itself dies (pytest-timeout ends it with ``os._exit``
  on Windows, where no teardown runs).
"""

from __future__ import annotations

import atexit
import gc
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

MAC_EXCEL = "Microsoft Excel"
WINDOWS_PROGID = "Excel.Application"  # what xlwings' DispatchEx starts
REFUSED: list[str] = []  # every Apps.cleanup xlwings attempted in this process


def why_no_excel(
    platform: str = sys.platform,
    engines: list[str] | None = None,
    find_excel: Callable[[], str | None] | None = None,
) -> str | None:
    """None where Excel can be driven; otherwise the one-line reason. Excel is
    found the way xlwings starts it: the COM class ``Excel.Application`` on
    Windows (any install: MSI, Click-to-Run, per user), the application named
    ``Microsoft Excel`` through Launch Services on macOS (any folder)."""
    if platform not in ("win32", "darwin"):
        return f"no Excel on {platform}: the real-Excel suite runs on Windows or macOS"
    if engines is None:
        import xlwings as xw

        engines = [engine.name for engine in xw.engines]
    if "excel" not in engines:
        return "xlwings has no Excel engine here (pywin32 or appscript missing)"
    finder = find_excel or (windows_excel if platform == "win32" else mac_excel)
    if finder() is None:
        if platform == "win32":
            return f"Excel is not installed (no COM class {WINDOWS_PROGID} is registered)"
        return f"Excel is not installed (Launch Services knows no '{MAC_EXCEL}')"
    return None


def windows_excel() -> str | None:
    """The CLSID ``Excel.Application`` names (``CLSIDFromProgID``, as DispatchEx
    resolves it), or None."""
    import pywintypes

    try:
        return str(pywintypes.IID(WINDOWS_PROGID))
    except pywintypes.com_error:
        return None


def mac_excel() -> str | None:
    """The path of the application appscript would launch, or None."""
    from aem import findapp

    try:
        return str(findapp.byname(MAC_EXCEL))
    except findapp.ApplicationNotFoundError:
        return None


def disarm_zombie_cleanup() -> None:
    """xlwings' Windows ``Apps.cleanup`` (see above) does nothing in this process
    from now on: quit, kill and the exit hook all reach this record instead.
    The macOS exit hook (``_xlmac.cleanup``) runs the ``CleanUp`` macro in every
    Excel instance, the tester's too: it is not run at all."""
    xlmac = sys.modules.get("xlwings._xlmac")
    if xlmac is not None:
        atexit.unregister(xlmac.cleanup)
    xlwindows = sys.modules.get("xlwings._xlwindows")
    if xlwindows is None:
        return

    def refuse() -> None:
        REFUSED.append("Apps.cleanup")

    xlwindows.Apps.cleanup = staticmethod(refuse)


class OwnExcel:
    """An Excel instance this process started, known by the PID read at start."""

    def __init__(self, app: Any, guard: bool = True) -> None:
        self.app = app
        self.pid = int(app.pid)
        self.process = psutil.Process(self.pid)
        self.ended: str | None = None  # why the watchdog ended Excel, if it did
        self._guard = start_guard(os.getpid(), self.process) if guard else None
        app.display_alerts = False  # no "save changes?", no link or repair prompts

    @classmethod
    def start(cls) -> OwnExcel:
        import xlwings as xw

        disarm_zombie_cleanup()
        return cls(xw.App(visible=True, add_book=False))

    @contextmanager
    def watchdog(self, seconds: float, what: str) -> Iterator[None]:
        """End this Excel if ``what`` takes longer than ``seconds``: whatever
        waits on it (a COM call, the hand-off) then fails instead of hanging."""
        timer = threading.Timer(seconds, self._expire, (seconds, what))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def _expire(self, seconds: float, what: str) -> None:
        self.ended = (
            f"{what} took over {seconds:.0f} s: ended Excel (pid {self.pid}) -- it was "
            "probably showing a dialog (run with Excel visible to see which)"
        )
        started = self.children()
        end(self.process, grace=0)
        for child in started:
            end(child, grace=0)

    def children(self) -> list[psutil.Process]:
        """What this Excel started: on Windows the UDF server (``cmd.exe /K python``)."""
        try:
            return self.process.children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def close(self, grace: float = 30) -> str:
        """Quit this Excel through its own ``Quit`` (no ``Apps.cleanup``), wait
        up to ``grace`` seconds, then end it by its saved PID, and what it
        started with it. Returns how Excel ended."""
        started = self.children()  # once Excel is gone, they are nobody's children
        if self.app is not None:
            try:
                quit_excel(self.app)
            except Exception:  # already gone or unresponsive: the PID decides below
                pass
            self.app = None
            gc.collect()  # Windows: Excel exits only when no COM reference is left
        how = end(self.process, grace)
        for child in started:  # the UDF server leaves with Excel, or soon after
            end(child, grace=min(grace, 5))
        if self._guard is not None:
            self._guard.kill()
            self._guard.wait(10)
            self._guard = None
        return how


def quit_excel(app: Any) -> None:
    """Excel's own Quit, nothing else: on Windows ``App.quit()`` would go on to
    ``Apps.cleanup``; on macOS it is just the Apple event."""
    if sys.platform == "darwin":
        app.quit()
        return
    app.api.DisplayAlerts = False
    app.api.Quit()


def end(process: psutil.Process, grace: float) -> str:
    """``quit``: it exited (within ``grace`` s); ``killed``: it did not and was
    killed; ``gone``: its PID belongs to another process by now (left alone)."""
    try:
        process.wait(grace)
        return "quit"
    except psutil.TimeoutExpired:
        pass
    try:
        process.kill()  # psutil checks first that the PID is still this process
        process.wait(10)
    except psutil.NoSuchProcess:
        return "gone"
    return "killed"


def start_guard(parent: int, excel: psutil.Process) -> subprocess.Popen[bytes]:
    """A process that ends ``excel`` when ``parent`` (the tests) dies first."""
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "guard",
            str(parent),
            str(excel.pid),
            repr(excel.create_time()),
        ],
        stdin=subprocess.DEVNULL,
    )


def guard(parent: int, pid: int, created: float) -> None:
    """Wait for ``parent`` to exit, then end ``pid`` if it is still the process
    started at ``created``."""
    try:
        psutil.Process(parent).wait()
    except psutil.NoSuchProcess:
        pass
    try:
        excel = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    if abs(excel.create_time() - created) < 0.01:
        end(excel, grace=0)


if __name__ == "__main__" and sys.argv[1:2] == ["guard"]:
    guard(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
