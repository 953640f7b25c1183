"""Only the Excel the suite started is ever closed or ended, and nothing hangs.

Played here with xlwings' own Windows engine on the COM stand-in
(``com_standin``) whose window belongs to a real process started by the test:
"our Excel". Another real process, "the tester's Excel", must survive every
test untouched.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest
import xlwings as xw
from com_standin import StandInExcel, WindowsXlwings, windows_xlwings
from own_excel import REFUSED, OwnExcel, disarm_zombie_cleanup, start_guard, why_no_excel


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes this test starts (and ends, whatever happened)."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        try:
            children = psutil.Process(process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            children = []
        for child in children:
            child.kill()
        process.kill()
        process.wait(10)


def sleeper(processes: list[subprocess.Popen[bytes]]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    processes.append(process)
    return process


@pytest.fixture
def windows() -> Iterator[WindowsXlwings]:
    with windows_xlwings() as harness:
        yield harness


def excel_of(windows: WindowsXlwings, process: subprocess.Popen[bytes]) -> StandInExcel:
    """A stand-in Excel whose window belongs to ``process``."""
    excel = windows.excel()
    excel.pid = process.pid
    return excel


def app_of(excel: StandInExcel) -> Any:
    import xlwings._xlwindows

    return xw.App(impl=xlwings._xlwindows.App(xl=excel))


def gone(process: subprocess.Popen[bytes], seconds: float = 15) -> bool:
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        return False
    return True


STARTS_PYTHON = (  # an Excel that started its UDF server (a child process), then sleeps
    "import subprocess, sys, time; "
    "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(300)']); time.sleep(300)"
)


def test_an_excel_stuck_in_a_dialog_is_ended_by_its_own_pid_only(
    windows: WindowsXlwings, processes: list[subprocess.Popen[bytes]]
) -> None:
    ours = subprocess.Popen([sys.executable, "-c", STARTS_PYTHON])
    processes.append(ours)
    testers = sleeper(processes)
    deadline = time.monotonic() + 30
    while not psutil.Process(ours.pid).children() and time.monotonic() < deadline:
        time.sleep(0.1)
    (udf_server,) = psutil.Process(ours.pid).children()
    excel = excel_of(windows, ours)
    asked: list[str] = []
    excel.Quit = lambda: asked.append("Quit")  # type: ignore[attr-defined]  # a dialog is open
    own = OwnExcel(app_of(excel))
    assert own.pid == ours.pid and excel.DisplayAlerts is False  # type: ignore[attr-defined]
    assert own.close(grace=0.2) == "killed"
    assert asked == ["Quit"] and gone(ours)
    assert not udf_server.is_running(), "what our Excel started went with it"
    assert testers.poll() is None, "the tester's Excel was touched"


def test_an_excel_that_quits_is_not_killed_and_its_pid_is_not_read_again(
    windows: WindowsXlwings, processes: list[subprocess.Popen[bytes]]
) -> None:
    ours = sleeper(processes)
    excel = excel_of(windows, ours)

    def quit_excel() -> None:  # Excel goes, and with it the window App.pid asks
        del windows.windows[excel.Hwnd]
        ours.terminate()

    excel.Quit = quit_excel  # type: ignore[attr-defined]
    own = OwnExcel(app_of(excel))
    assert own.close(grace=15) == "quit"


def test_xlwings_zombie_cleanup_never_runs(
    windows: WindowsXlwings, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Apps.cleanup (taskkill of every EXCEL.EXE without a workbook window) is
    reached by xlwings' quit, kill and exit hook; here it is refused, and the
    suite's own close never even reaches it."""
    import xlwings._xlwindows

    REFUSED.clear()
    disarm_zombie_cleanup()
    ours = sleeper(processes)
    excel = excel_of(windows, ours)
    excel.Quit = lambda: None  # type: ignore[attr-defined]
    own = OwnExcel(app_of(excel), guard=False)
    own.close(grace=0)
    assert REFUSED == [], "the suite's close went through Apps.cleanup"
    other = excel_of(windows, sleeper(processes))
    other.Quit = lambda: None  # type: ignore[attr-defined]
    app_of(other).quit()  # what the suite used to call
    xlwings._xlwindows.cleanup()  # the atexit hook
    xw.apps.cleanup()
    assert REFUSED == ["Apps.cleanup"] * 3


def test_the_watchdog_ends_our_excel_when_a_step_hangs(
    windows: WindowsXlwings, processes: list[subprocess.Popen[bytes]]
) -> None:
    ours, testers = sleeper(processes), sleeper(processes)
    own = OwnExcel(app_of(excel_of(windows, ours)), guard=False)
    with own.watchdog(0.4, "a quick step"):
        pass
    with own.watchdog(0.2, "test_refresh_fills_the_contacts_table"):
        assert gone(ours), "the watchdog did not end Excel"
    assert own.ended is not None
    assert "test_refresh_fills_the_contacts_table took over 0 s" in own.ended
    assert f"pid {ours.pid}" in own.ended and "dialog" in own.ended
    time.sleep(0.6)  # the quick step's timer was cancelled: nothing else happened
    assert testers.poll() is None


def test_the_guard_ends_our_excel_when_the_tests_die(
    processes: list[subprocess.Popen[bytes]],
) -> None:
    """pytest-timeout ends pytest with os._exit on Windows: no teardown runs."""
    pytest_process, ours, testers = sleeper(processes), sleeper(processes), sleeper(processes)
    guard = start_guard(pytest_process.pid, psutil.Process(ours.pid))
    processes.append(guard)  # type: ignore[arg-type]
    time.sleep(1)
    assert ours.poll() is None, "the guard must wait for the tests to end"
    pytest_process.kill()
    pytest_process.wait(10)  # reaped, as pytest's shell would
    assert gone(ours) and gone(guard)  # type: ignore[arg-type]
    assert testers.poll() is None


def test_the_skip_says_why_and_finds_excel_as_xlwings_starts_it() -> None:
    linux = why_no_excel("linux")
    assert linux == "no Excel on linux: the real-Excel suite runs on Windows or macOS"
    assert "no Excel engine" in str(why_no_excel("win32", engines=["remote"]))
    missing = why_no_excel("win32", engines=["excel"], find_excel=lambda: None)
    assert missing == "Excel is not installed (no COM class Excel.Application is registered)"
    mac = why_no_excel("darwin", engines=["excel"], find_excel=lambda: None)
    assert mac == "Excel is not installed (Launch Services knows no 'Microsoft Excel')"
    clsid = "{00024500-0000-0000-C000-000000000046}"
    assert why_no_excel("win32", engines=["excel"], find_excel=lambda: clsid) is None
    assert why_no_excel("darwin", ["excel"], lambda: "/Volumes/Apps/Microsoft Excel.app") is None
