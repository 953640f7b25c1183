"""The real-Excel suite's hand-off and isolation, run here without Excel.

Excel's side (``handoff.serve``) runs in a subprocess started the way
``RunPython`` starts it: ``python -c "import handoff; handoff.serve(...)"``.
On macOS that start returns at once (the AppleScript launcher ends in ``&``),
played here by ``Popen`` without waiting. The subprocess inherits a tester's
machine at its worst: a stored profile and token for another server, a
``XL_CONTACTS_PROFILE`` naming it, ``GREENAPI_*`` variables pointing at it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import remote_book
from handoff import HandOff, PythonNeverRan
from helpers import formulas_in
from pytest_httpserver import HTTPServer
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi
from workbook import HERE, build_test_workbook, error_sheet, what_excel_showed

from xl_contacts.base.names import (
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_CACHE_SECONDS,
    ENV_ID_INSTANCE,
    ENV_PROFILE,
)
from xl_contacts.config import credentials
from xl_contacts.usecases.template.build import build_template

TESTS = HERE.parent
# handoff and the stand-ins, and the package under test first (as helpers.run_command).
SUBPROCESS_PATH = os.pathsep.join([str(HERE), str(TESTS), str(TESTS.parent)])
POISON_TOKEN = "poisoned-token-of-the-testers-real-account"
REFRESH = "import xl_contacts.macros; xl_contacts.macros.refresh()"
CALLER_BOOK = "import remote_book; remote_book.make_book({'Start': [[None]]}); "


@pytest.fixture
def tripwire() -> Iterator[HTTPServer]:
    """The tester's real GREEN-API account: must never see a request."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def testers_machine(tripwire: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Everything a tester who ran ``xl-contacts login`` has: stored profiles and
    a stored token for another server, and variables naming them. Returns the
    environment Excel's Python would start with."""
    url = tripwire.url_for("").rstrip("/")
    credentials.save(url, ID_INSTANCE, POISON_TOKEN)  # profile default
    credentials.save(url, "7107000001", POISON_TOKEN, profile="work")
    return {
        **os.environ,  # XDG_CONFIG_HOME and TEST_KEYRING_FILE: conftest's sandbox, now poisoned
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
        ENV_PROFILE: "work",
        ENV_API_URL: url,
        ENV_ID_INSTANCE: "7107000001",
        ENV_API_TOKEN: POISON_TOKEN,
        ENV_CACHE_SECONDS: "3600",
        "PYTHONPATH": SUBPROCESS_PATH,
    }


def stand_in_env(green_api: FakeGreenApi) -> dict[str, str]:
    return {ENV_API_URL: green_api.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}


def start(text: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``RunPython`` on macOS: Python started in the background, nothing awaited."""
    environment = env or {**os.environ, "PYTHONPATH": SUBPROCESS_PATH}
    return subprocess.Popen([sys.executable, "-c", text], env=environment, text=True)


def run_to_end(text: str, env: dict[str, str] | None = None) -> None:
    """``RunPython`` on Windows with the UDF server: returns when Python is done."""
    assert start(text, env).wait(timeout=60) == 0


# --- finding 1: an answer that is always written, waited for with a deadline ------------


@pytest.mark.parametrize(
    ("command", "shown"),
    [
        ("raise RuntimeError('boom')", "RuntimeError: boom"),
        ("import sys; sys.exit(3)", "SystemExit: 3"),
        ("import xl_contacts.no_such_module", "ModuleNotFoundError"),
    ],
)
def test_a_command_that_fails_still_answers(tmp_path: Path, command: str, shown: str) -> None:
    handoff = HandOff(tmp_path, {}, seconds=30)
    text, result = handoff.request(command)
    run_to_end(text)
    outcome = handoff.wait(result)
    assert outcome.error is not None and shown in outcome.error
    with pytest.raises(AssertionError, match=f"Excel's Python raised:(.|\n)*{shown}"):
        handoff.run(run_to_end, command)


def test_the_wait_outlasts_a_runpython_that_returns_at_once(tmp_path: Path) -> None:
    marker = tmp_path / "done"
    command = f"import time, pathlib; time.sleep(0.6); pathlib.Path({str(marker)!r}).touch()"
    handoff = HandOff(tmp_path / "handoff", {}, seconds=60)
    started: list[subprocess.Popen[str]] = []
    outcome = handoff.run(lambda text: started.append(start(text)), command)
    assert marker.exists(), "the result came only after the command had finished"
    assert outcome.seconds >= 0.6 and outcome.alerts == []
    started[0].wait(timeout=30)


def test_a_python_that_never_runs_fails_clearly_at_the_deadline(tmp_path: Path) -> None:
    shown = "Error sheet: Could not load xlwings64-0.37.8.dll"
    handoff = HandOff(tmp_path, {}, seconds=1, why_not=lambda: shown)
    began = time.monotonic()
    with pytest.raises(PythonNeverRan) as failure:
        handoff.run(lambda text: None, REFRESH)
    assert time.monotonic() - began < 10
    message = str(failure.value)
    assert "did not answer within 1 s" in message and shown in message
    assert "xlwings runpython install" in message


def test_the_runpython_text_survives_the_macos_shell_string(tmp_path: Path) -> None:
    """xlwings-0.37.8.applescript runs the command inside "..." in a shell."""
    for bad in ('quote"d', "dollar$HOME", "pipe|d"):
        with pytest.raises(AssertionError, match="unsafe for RunPython"):
            HandOff(tmp_path / bad, {}, seconds=1).request("pass")


# --- finding 2: Excel's Python sees the stand-in only --------------------------------


PROBE = (
    "import json, os; from xl_contacts.config import credentials, settings; "
    "s = settings.load_settings(); "
    "open({out!r}, 'w').write(json.dumps({{'url': s.api_url, 'id': s.id_instance, "
    "'token_is_stand_ins': s.api_token == {token!r}, 'profile': s.profile, "
    "'profiles': sorted(credentials.read_profiles()), "
    "'stored': credentials.stored_token({id!r})}}))"
)


def probe(out: Path) -> str:
    return PROBE.format(out=str(out), token=TOKEN, id=ID_INSTANCE)


def test_the_testers_credentials_are_what_python_sees_without_the_handoff(
    testers_machine: dict[str, str], tripwire: HTTPServer, tmp_path: Path
) -> None:
    """The poison works: without the hand-off's isolation every source is read."""
    out = tmp_path / "seen.json"
    run_to_end(probe(out), testers_machine)
    seen = json.loads(out.read_text())
    assert seen["url"] == tripwire.url_for("").rstrip("/") and seen["profile"] == "work"
    assert seen["profiles"] == ["default", "work"] and seen["stored"] == POISON_TOKEN


def test_excels_python_sees_only_the_stand_ins_credentials(
    testers_machine: dict[str, str], green_api: FakeGreenApi, tmp_path: Path
) -> None:
    out = tmp_path / "seen.json"
    handoff = HandOff(tmp_path / "handoff", stand_in_env(green_api), seconds=60)
    text, result = handoff.request(probe(out))
    run_to_end(text, testers_machine)
    outcome = handoff.wait(result)
    assert outcome.error is None, outcome.error
    seen = json.loads(out.read_text())
    assert seen == {
        "url": green_api.url,
        "id": ID_INSTANCE,
        "token_is_stand_ins": True,
        "profile": None,
        "profiles": [],  # the settings file is an empty one of the hand-off's
        "stored": None,  # the credential store is sealed...
    }
    assert outcome.store_reads == [f"{credentials.KEYRING_SERVICE}/{ID_INSTANCE}"]  # ...and says so
    assert Path(outcome.config_path).is_relative_to(tmp_path / "handoff")


def test_the_ribbon_in_excels_python_asks_only_the_stand_in(
    testers_machine: dict[str, str], tripwire: HTTPServer, green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    handoff = HandOff(tmp_path / "handoff", stand_in_env(green_api), seconds=60)
    outcome = handoff.run(lambda text: run_to_end(text, testers_machine), CALLER_BOOK + REFRESH)
    assert outcome.alerts == [] and outcome.store_reads == []
    assert len(green_api.requests) == 1  # with the stand-in's token: its path names it
    assert tripwire.log == [], "a request reached the tester's account"


def test_the_results_cache_is_emptied_before_each_command(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    """One Python serving two commands, as Excel's UDF server does on Windows:
    what the first left in the results cache is gone for the second."""
    handoff = HandOff(tmp_path, stand_in_env(green_api), seconds=60)
    cache = "from xl_contacts.usecases import live_results; "
    fill = cache + "assert live_results.cached('q', lambda: 'stale') == 'stale'"
    fill_again = cache + "assert live_results.cached('q', lambda: 'new') == 'stale'"
    check = cache + "assert live_results.cached('q', lambda: 'fresh') == 'fresh'"
    first, first_result = handoff.request(f"{fill}; {fill_again}")
    second, second_result = handoff.request(check)
    run_to_end(f"{first}; {second.removeprefix('import handoff; ')}")
    assert handoff.wait(first_result).error is None, "the cache kept the first answer"
    assert handoff.wait(second_result).error is None, "the second command saw it"


# --- the test workbook: nothing runs before the hand-off, nothing pops up -----------------


def test_the_test_workbook_calls_no_python_when_it_opens(tmp_path: Path) -> None:
    assert formulas_in(build_template(tmp_path / "template.xlsm")), "the template has one"
    path = build_test_workbook(tmp_path / "run", platform="win32")
    assert formulas_in(path) == []
    conf = openpyxl.load_workbook(path, keep_vba=True)["xlwings.conf"]
    rows = {row[0]: row[1] for row in conf.iter_rows(values_only=True)}
    # xlwings.bas ShowError: GetConfig("SHOW_ERROR_POPUPS", "True") = "False", as text.
    assert rows["SHOW_ERROR_POPUPS"] == "False"
    assert rows["Interpreter_Win"] == sys.executable
    assert (Path(rows["PYTHONPATH"]) / "handoff.py").is_file()
    assert Path(rows["Contacts Report Folder"]).is_dir()
    assert rows["Use UDF Server"] is True  # RunPython and =GETCONTACTS share one Python


def test_an_error_xlwings_reported_is_read_from_the_error_sheet() -> None:
    """xlwings.bas ShowError with SHOW_ERROR_POPUPS = False: the text goes to
    A1 of a sheet named Error (read here through xlwings' remote engine)."""
    clean = remote_book.make_book({"Start": [[None]]})
    assert error_sheet(clean) == what_excel_showed(clean, platform="win32") == ""
    text = "Could not load xlwings64-0.37.8.dll from either of the following folders"
    failed = remote_book.make_book({"Start": [[None]], "Error": [[text]]})
    assert error_sheet(failed) == f"Error sheet: {text}"
    assert text in what_excel_showed(failed, platform="win32")
