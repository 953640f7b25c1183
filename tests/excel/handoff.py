"""The hand-off between a real-Excel test and the Python that Excel starts.

The test cannot call Python inside Excel directly: it asks Excel to run the
ribbon's own ``RunPython`` with a short command, and Excel's Python answers
through a file. How long that takes differs by platform (read in xlwings
0.37.8's ``xlwings.bas`` and ``xlwings-0.37.8.applescript``):

* Windows, ``Use UDF Server``: ``RunPython`` calls ``XLPy.Exec`` in the UDF
  server and returns when the command has finished;
* macOS: ``ExecuteMac`` hands the command to ``AppleScriptTask``, whose shell
  command ends in ``&`` -- ``RunPython`` returns at once, Python runs later.

So the test never trusts the return of ``RunPython``: ``HandOff.run`` writes a
request file, starts the command and waits, with a deadline, for the result
file that ``serve`` (on Excel's side) writes in a ``finally`` -- whatever the
command did, even ``sys.exit``. No result by the deadline means Python never
ran, and the failure says so, with what Excel showed instead.

``serve`` also isolates Excel's Python before the command runs (``isolate``):
Excel started through COM or AppleScript does not inherit the test's
environment, so every source of credentials and profiles is replaced there
-- environment, credential store, settings file -- and the results cache is
emptied. This file is imported in both processes: by the test (from tests/excel)
and by Excel's Python (the test workbook's ``PYTHONPATH`` names this folder).
Only the standard library, keyring, xlwings and the package's public names.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError, PasswordSetError

HERE = Path(__file__).resolve().parent
# Every variable the package reads credentials, a profile, a flavour or a cache
# lifetime from starts with one of these (xl_contacts/base/names.py).
ISOLATED_PREFIXES = ("GREENAPI_", "XL_CONTACTS_")
# Characters that would end or expand the double-quoted shell string macOS runs
# the command in (xlwings-0.37.8.applescript), or split the "|"-separated
# parameters xlwings.bas ExecuteMac hands to it.
UNSAFE_IN_COMMAND = ('"', "$", "`", "|", "\n", "\r")


class PythonNeverRan(AssertionError):
    """Excel's Python did not answer by the deadline."""


@dataclass(frozen=True)
class Outcome:
    """What the command did in Excel's Python."""

    alerts: list[tuple[str, str | None]]  # (prompt, mode) of each alert, captured
    error: str | None  # the traceback, if the command raised
    store_reads: list[str]  # credential-store look-ups (must stay empty)
    config_path: str  # where the package looked for its settings file
    seconds: float  # from starting RunPython to the result


def result_path(request: Path) -> Path:
    """Where ``serve`` answers ``request``: derived from the request's own path,
    so that even an unreadable request is answered."""
    return request.with_name(f"{request.stem}-result.json")


class HandOff:
    """The test's side: one folder of requests and results, one environment for
    Excel's Python, one deadline per command."""

    def __init__(
        self,
        folder: Path,
        env: dict[str, str],
        seconds: float,
        why_not: Callable[[], str] = lambda: "",
    ) -> None:
        self.folder = folder
        self.env = env
        self.seconds = seconds
        self.why_not = why_not  # what Excel showed instead (Error sheet, xlwings.log)

    def request(self, command: str) -> tuple[str, Path]:
        """Write a request for ``command``; return the ``RunPython`` text that
        serves it and the result file to wait for."""
        self.folder.mkdir(parents=True, exist_ok=True)
        # A name never used before: a late answer to an earlier request (a Python
        # that outlived its test's deadline) can never pass for this one's.
        name = uuid.uuid4().hex[:12]
        request = self.folder / f"request-{name}.json"
        home = self.folder / f"home-{name}"
        payload = {"command": command, "env": self.env, "home": str(home)}
        request.write_text(json.dumps(payload), encoding="utf-8")
        result = result_path(request)
        text = f"import handoff; handoff.serve({str(request)!r})"
        assert not any(c in text for c in UNSAFE_IN_COMMAND), f"unsafe for RunPython: {text!r}"
        return text, result

    def run(self, run_python: Callable[[str], object], command: str) -> Outcome:
        """``command`` in Excel's Python through ``run_python`` (the workbook's
        ``RunPython`` macro); fails unless it ran cleanly and isolated."""
        text, result = self.request(command)
        started = time.monotonic()
        run_python(text)  # returns at once on macOS, when done on Windows
        outcome = self.wait(result, started)
        assert outcome.error is None, f"Excel's Python raised:\n{outcome.error}"
        assert outcome.store_reads == [], f"the credential store was read: {outcome.store_reads}"
        return outcome

    def wait(self, result: Path, started: float | None = None) -> Outcome:
        started = time.monotonic() if started is None else started
        deadline = started + self.seconds
        while not result.exists():
            if time.monotonic() > deadline:
                shown = self.why_not() or "Excel showed no error"
                raise PythonNeverRan(
                    f"Excel's Python did not answer within {self.seconds:.0f} s "
                    f"({result.name} was never written): {shown}. Python did not start or "
                    "hung -- check the interpreter on the xlwings.conf sheet, and on macOS "
                    "`xlwings runpython install`."
                )
            time.sleep(0.2)
        data = json.loads(result.read_text(encoding="utf-8"))
        return Outcome(
            alerts=[(prompt, mode) for prompt, mode in data["alerts"]],
            error=data["error"],
            store_reads=data["store_reads"],
            config_path=data["config_path"],
            seconds=time.monotonic() - started,
        )


# --- Excel's side --------------------------------------------------------------------


def serve(request: str) -> None:
    """Run one request in this (Excel's) Python and always answer it."""
    path = Path(request)
    answer: dict[str, Any] = {"alerts": [], "error": None, "store_reads": [], "config_path": ""}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        answer["store_reads"] = isolate(payload["env"], Path(payload["home"]))
        from xl_contacts.config import credentials

        answer["config_path"] = str(credentials.config_path())
        cleanup_only_this_excel()
        with captured_alerts() as shown:
            answer["alerts"] = shown
            exec(payload["command"], {"__name__": "__handoff__"})
    except BaseException:  # SystemExit too: the answer is the point
        answer["error"] = traceback.format_exc()
    finally:
        _write_atomically(result_path(path), json.dumps(answer))


def isolate(env: dict[str, str], home: Path) -> list[str]:
    """Replace every source of credentials and profiles in this process with the
    test's, and empty what the package keeps between calls. Returns the list
    that records any credential-store look-up from now on."""
    from xl_contacts.config import credentials
    from xl_contacts.usecases import fetch, live_results

    for name in [n for n in os.environ if n.upper().startswith(ISOLATED_PREFIXES)]:
        del os.environ[name]  # XL_CONTACTS_PROFILE would override the injected instance
    os.environ.update(env)
    reads: list[str] = []
    import keyring

    keyring.set_keyring(SealedKeyring(reads))
    home.mkdir(parents=True, exist_ok=True)
    settings_file = home / credentials.CONFIG_FILE
    # Not an environment variable: platformdirs (>=3, as pyproject allows) asks the
    # Windows shell for the folder, and macOS has no variable older versions read.
    credentials.config_path = lambda: settings_file
    fetch.close_clients()  # pooled clients hold the settings they were made with
    live_results.reset()  # nothing an earlier call (or the tester's session) left
    return reads


class SealedKeyring(KeyringBackend):
    """A credential store that holds nothing, refuses writes and records every
    look-up: the suite's stand-in credentials come from the environment only."""

    priority = 0  # type: ignore[assignment]

    def __init__(self, reads: list[str]) -> None:
        super().__init__()
        self.reads = reads

    def get_password(self, service: str, username: str) -> str | None:
        self.reads.append(f"{service}/{username}")
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the real-Excel tests never store a token")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordDeleteError("the real-Excel tests never delete a token")


def cleanup_only_this_excel() -> None:
    """macOS: xlwings' exit hook (``_xlmac.cleanup``) runs the ``CleanUp`` macro
    -- status bar reset, xlwings.log shown -- in every Excel instance, the
    tester's too; here it runs in the calling workbook's Excel only."""
    if sys.platform != "darwin":
        return
    import atexit

    import xlwings as xw
    from xlwings import _xlmac

    atexit.unregister(_xlmac.cleanup)
    clean_up = xw.Book.caller().app.macro("CleanUp")

    def hook() -> None:
        try:
            clean_up()
        except Exception:  # as xlwings' own hook: Excel may be gone by now
            pass

    atexit.register(hook)


@contextmanager
def captured_alerts() -> Iterator[list[list[Any]]]:
    """``App.alert`` records instead of showing a modal box nobody would click."""
    import xlwings.main

    shown: list[list[Any]] = []
    original = xlwings.main.App.alert

    def alert(
        self: Any,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        shown.append([prompt, mode])
        return "ok"

    xlwings.main.App.alert = alert  # type: ignore[method-assign]
    try:
        yield shown
    finally:
        xlwings.main.App.alert = original  # type: ignore[method-assign]


def _write_atomically(path: Path, text: str) -> None:
    """The test polls for ``path``: it must never see half a file."""
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
