"""=GETCONTACTS as Excel calls it: directly, under load, through xlwings' own
Office.js registration and call path, and through xlwings' own Windows COM path
(XLPython.CallUDF -> call_udf) with stand-in COM objects (com_standin.py)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from com_standin import (
    ERRORS,
    MISSING,
    RUSSIAN_UI,
    Call,
    Ref,
    StandInExcel,
    WindowsXlwings,
    Worksheet,
    windows_xlwings,
)
from helpers import (
    OFFICEJS_CALLS,
    STATUS_CELLS,
    assert_no_token,
    assert_registered_and_called_as_desktop,
)
from stand_in import (
    HOSTILE_NAMES,
    ID_INSTANCE,
    REFERENCE_CONTACTS,
    REFERENCE_ROWS,
    TOKEN,
    FakeGreenApi,
    make_contacts,
)

from xl_contacts import ContactTable, udfs
from xl_contacts.api import client
from xl_contacts.base.cache import ResultCache
from xl_contacts.base.errors import ConfigError
from xl_contacts.domain.table import COLUMNS
from xl_contacts.udfs import GETCONTACTS
from xl_contacts.usecases import live_results
from xl_contacts.usecases.getcontacts import table_rows

HERE = Path(__file__).resolve().parent


def assert_error_cell(value: object, *fragments: str) -> None:
    assert isinstance(value, str) and value.startswith("#GETCONTACTS: "), value
    assert "Traceback" not in value and "\n" not in value
    assert_no_token(value)
    for fragment in fragments:
        assert fragment in value


def test_spills_header_and_rows(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    result = GETCONTACTS(50.0)
    assert result == [list(COLUMNS), *REFERENCE_ROWS]
    assert green_api_env.requests[0].args["count"] == "50"


@pytest.mark.parametrize("header", [False, 0, 0.0])
def test_header_false_drops_the_header(green_api_env: FakeGreenApi, header: object) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    assert GETCONTACTS(None, header)[0][0] == "10000000"


def test_omitted_count_means_all(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    assert len(GETCONTACTS()) == 4
    assert "count" not in green_api_env.requests[0].args


def test_empty_list_without_header_is_one_empty_cell(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer([])
    assert GETCONTACTS() == [list(COLUMNS)]
    assert GETCONTACTS(None, False) == [[""]]


@pytest.mark.parametrize("count", [0.0, -1.0, 2.5, "50", "abc", True, False, float("nan")])
def test_bad_counts_give_an_error_cell(green_api_env: FakeGreenApi, count: object) -> None:
    assert_error_cell(GETCONTACTS(count), "count must be a whole number")
    assert green_api_env.requests == []


@pytest.mark.parametrize("header", ["yes", 2.0, -1])
def test_bad_header_gives_an_error_cell(green_api_env: FakeGreenApi, header: object) -> None:
    assert_error_cell(GETCONTACTS(None, header), "header must be TRUE or FALSE")


def test_values_stay_text_and_hostile_names_are_harmless(green_api_env: FakeGreenApi) -> None:
    raw = [{"chatId": -100200300, "name": n, "phoneNumber": 79876543210} for n in HOSTILE_NAMES]
    green_api_env.answer(raw)
    rows = GETCONTACTS()[1:]
    assert all(isinstance(v, str) for row in rows for v in row)
    assert rows[0][0] == "-100200300" and rows[0][4] == "79876543210"
    assert rows[0][1] == HOSTILE_NAMES[0]  # a UDF result is never parsed as a formula
    assert rows[7][1] == "bellandnulescape"
    assert len(rows[8][1]) == 32_767


def test_table_rows_cleans_every_cell_and_leaves_the_table_as_it_was() -> None:
    # The header too (an extra field's name comes from the server), and the
    # table is not changed: the cleaned cells are the result's own.
    rows = [["1", "a\x00b\x1b"], ["2", "x" * 40_000], ["3", "plain"]]
    table = ContactTable(["chatId", "name\x07"], [list(row) for row in rows])
    assert table_rows(table) == [
        ["chatId", "name"],
        ["1", "ab"],
        ["2", "x" * 32_767],
        ["3", "plain"],
    ]
    assert table.rows == rows and table.columns == ["chatId", "name\x07"]


@pytest.mark.parametrize(("status", "fragment"), STATUS_CELLS)
def test_api_errors_give_an_error_cell(
    green_api_env: FakeGreenApi, status: int, fragment: str
) -> None:
    green_api_env.answer(status=status, body="x")
    assert_error_cell(GETCONTACTS(10.0), fragment)


@pytest.mark.parametrize(
    ("body", "content_type"), [("<html/>", "text/html"), ('{"a": 1}', "application/json")]
)
def test_bad_bodies_give_an_error_cell(
    green_api_env: FakeGreenApi, body: str, content_type: str
) -> None:
    green_api_env.answer(body=body, content_type=content_type)
    assert_error_cell(GETCONTACTS(), "instead of")


def test_missing_and_bad_settings_give_an_error_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    assert_error_cell(GETCONTACTS(), "GREENAPI_ID_INSTANCE")
    live_results.reset()
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "1")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN + "/x")
    assert_error_cell(GETCONTACTS(), "GREENAPI_API_TOKEN_INSTANCE")


def test_unreachable_server_gives_an_error_cell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GREENAPI_API_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "1")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN)
    assert_error_cell(GETCONTACTS(), "cannot reach GREEN-API")


def test_a_bug_still_gives_an_error_cell(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError(TOKEN)

    monkeypatch.setattr(udfs, "fetch_contacts", broken)
    assert_error_cell(GETCONTACTS(), "internal error (KeyError")


def test_concurrent_identical_calls_share_one_request(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer_slowly(REFERENCE_CONTACTS, 0.3)
    barrier = threading.Barrier(50)

    def call(_: int) -> object:
        barrier.wait()
        return GETCONTACTS(50.0)

    with ThreadPoolExecutor(50) as pool:
        results = list(pool.map(call, range(50)))
    assert len(green_api_env.requests) == 1
    assert all(r == results[0] and len(r) == 4 for r in results)


def test_recalculation_storm_costs_one_request_per_query(green_api_env: FakeGreenApi) -> None:
    """1,000 recalculations of 100 cells holding 10 distinct queries, on 8 threads."""
    green_api_env.answer_slowly(make_contacts(20), 0.05)
    cells = [(float(1 + i % 10), i % 2 == 0) for i in range(100)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: GETCONTACTS(*cells[i % 100]), range(1000)))
    assert not any(isinstance(r, str) for r in results)
    counts = sorted(int(r.args["count"]) for r in green_api_env.requests)
    assert counts == list(range(1, 11))


def test_errors_are_cached_briefly_then_retried(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    live_results.reset(ResultCache(60, 5, clock=lambda: now[0]))
    green_api_env.answer(status=401, body="", once=True)
    green_api_env.answer(REFERENCE_CONTACTS)
    assert_error_cell(GETCONTACTS(), "HTTP 401")
    assert_error_cell(GETCONTACTS(), "HTTP 401")
    assert len(green_api_env.requests) == 1
    now[0] += 6
    assert len(GETCONTACTS()) == 4
    now[0] += 59
    assert len(GETCONTACTS()) == 4
    assert len(green_api_env.requests) == 2
    now[0] += 2
    GETCONTACTS()
    assert len(green_api_env.requests) == 3


def test_results_are_cached_per_instance(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [1000.0]
    live_results.reset(ResultCache(60, 5, clock=lambda: now[0]))
    green_api_env.answer(REFERENCE_CONTACTS)
    assert len(GETCONTACTS()) == 4
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "42")  # e.g. another `xl-contacts login`
    assert len(GETCONTACTS()) == 4, "within the cache period: the same answer"
    now[0] += 61
    assert_error_cell(GETCONTACTS(), "HTTP")  # instance 42 is unknown to the stand-in
    instances = dict.fromkeys(r.path.split("/")[1] for r in green_api_env.requests)
    assert list(instances) == [f"waInstance{ID_INSTANCE}", "waInstance42"]


def test_clear_cache_forces_fresh_data(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS[:1], once=True)
    green_api_env.answer(REFERENCE_CONTACTS)
    assert len(GETCONTACTS()) == 2
    assert len(GETCONTACTS()) == 2
    live_results.clear()
    assert len(GETCONTACTS()) == 4


def test_cache_period_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XL_CONTACTS_CACHE_SECONDS", "300")
    assert live_results.results_cache().ttl == 300
    live_results.reset()
    monkeypatch.setenv("XL_CONTACTS_CACHE_SECONDS", "soon")
    assert live_results.results_cache().ttl == live_results.DEFAULT_CACHE_SECONDS


def test_cache_does_not_keep_results_of_a_load_cleared_midway() -> None:
    cache: ResultCache[int] = ResultCache(60, 5)

    def load() -> int:
        cache.clear()
        return 1

    assert cache.get("k", load) == 1
    assert cache.get("k", lambda: 2) == 2


def test_cache_shares_errors_with_waiting_callers() -> None:
    cache: ResultCache[int] = ResultCache(60, 5)
    started = threading.Event()

    def load() -> int:
        started.set()
        time.sleep(0.2)
        raise ConfigError("broken")

    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(cache.get, "k", load)
        started.wait()
        second = pool.submit(cache.get, "k", lambda: 3)
        for future in (first, second):
            with pytest.raises(ConfigError):
                future.result()


def test_import_does_no_work() -> None:
    code = (
        "import sys, xl_contacts.udfs; "
        "print('keyring' in sys.modules, 'openpyxl' in sys.modules, 'pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    store_touched, openpyxl_loaded, _ = out.stdout.split()
    assert store_touched == "False" and openpyxl_loaded == "False"


def _officejs(
    calls: list[list[object]], env: dict[str, str], culture: str = "en-US"
) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, str(HERE / "officejs_harness.py"), json.dumps(calls), culture],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert_no_token(result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_registered_and_called_through_xlwings_officejs(
    green_api: FakeGreenApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    green_api.answer(REFERENCE_CONTACTS)
    env = {**os.environ, **green_api.env(), "XL_CONTACTS_CACHE_SECONDS": "0"}
    out = _officejs(OFFICEJS_CALLS, env)
    assert_registered_and_called_as_desktop(out)


# --- xlwings' own Windows path: Excel -> VBA wrapper -> XLPython.CallUDF -> call_udf ------

UDFS_SOURCE = Path(udfs.__file__)
README_FORMULA = '=FILTER(GETCONTACTS(, FALSE), INDEX(GETCONTACTS(, FALSE), , 4) = "group")'
TWO_CALLS = (Call("GETCONTACTS", MISSING, False), Call("GETCONTACTS", MISSING, False))


@pytest.fixture
def windows() -> Iterator[WindowsXlwings]:
    with windows_xlwings() as harness:
        yield harness


def excel_calling(
    windows: WindowsXlwings, source: Path = UDFS_SOURCE, ui_language: int = 1033
) -> StandInExcel:
    """A stand-in Excel (UI language ``ui_language``) whose UDF server imported
    ``source`` as xl_contacts.udfs."""
    windows.load_udfs("xl_contacts.udfs", str(source))
    excel = windows.excel("xl_contacts.udfs", ui_language)
    excel.add_workbook("contacts.xlsm").add_sheet("Start")
    return excel


def start_sheet(excel: StandInExcel) -> Worksheet:
    return excel.Workbooks[0].Worksheets[0]


def test_com_two_calls_in_one_formula_settle_after_one_fetch(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows)
    start_sheet(excel).enter("A1", README_FORMULA, *TWO_CALLS)

    assert excel.run_until_settled(max_calculations=20) == (True, 1)
    first, second = start_sheet(excel).cell((1, 1)).results
    assert first == second and [row[0] for row in first] == ["10000000", "10000001", "10000002"]
    assert len(green_api_env.requests) == 1
    assert excel.python_actions() == [], "nothing is ever written back into the sheet"


def test_com_full_recalculation_fetches_nothing_new(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows)
    start_sheet(excel).enter("A1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))
    excel.run_until_settled(max_calculations=5)
    before = start_sheet(excel).cell((1, 1)).value

    assert excel.calculate_full() == 1  # Ctrl+Alt+F9
    assert excel.run_until_settled(max_calculations=5) == (True, 0)
    assert start_sheet(excel).cell((1, 1)).value == before
    assert len(green_api_env.requests) == 1 and excel.python_actions() == []


def test_com_dependent_argument_costs_one_fetch(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows)
    sheet = start_sheet(excel)
    sheet.enter("A1", "=GETCONTACTS(B1)", Call("GETCONTACTS", Ref("B1")))  # first in the chain
    sheet.enter_plain("B1", "=10*5", lambda: 50.0)

    # Excel calls A1 with B1 not yet calculated (Empty), then again after B1.
    assert excel.run_until_settled(max_calculations=5) == (True, 2)
    first, second = [answer for *_, answer in excel.evaluations]
    assert first == "#GETCONTACTS: waiting for the count cell to be calculated"
    assert second[0] == list(COLUMNS)
    assert [r.args.get("count") for r in green_api_env.requests] == ["50"]


@pytest.mark.parametrize(
    ("formula", "call", "says"),
    [
        ("=GETCONTACTS(B1)", Call("GETCONTACTS", Ref("B1")), "count is #N/A"),
        ("=GETCONTACTS(NA())", Call("GETCONTACTS", ERRORS["#N/A"]), "count is #N/A"),
        ("=GETCONTACTS(1/0)", Call("GETCONTACTS", ERRORS["#DIV/0!"]), "count is #DIV/0!"),
        ("=GETCONTACTS(5, B1)", Call("GETCONTACTS", 5.0, Ref("B1")), "header is #N/A"),
    ],
)
def test_com_an_error_argument_gives_an_error_cell(
    green_api_env: FakeGreenApi, windows: WindowsXlwings, formula: str, call: Call, says: str
) -> None:
    excel = excel_calling(windows)
    sheet = start_sheet(excel)
    sheet.put("B1", ERRORS["#N/A"])
    sheet.enter("A1", formula, call)

    excel.run_until_settled(max_calculations=5)

    assert_error_cell(sheet.cell((1, 1)).value, says, "fix the cell it comes from")
    assert green_api_env.requests == [], "an error is not 'all contacts'"


def test_com_an_empty_cell_or_a_left_out_count_means_all(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows)
    start_sheet(excel).enter("A1", "=GETCONTACTS(B1)", Call("GETCONTACTS", Ref("B1")))
    start_sheet(excel).enter("A9", "=GETCONTACTS(, FALSE)", Call("GETCONTACTS", MISSING, False))

    excel.run_until_settled(max_calculations=5)

    assert len(start_sheet(excel).cell((1, 1)).value) == 4
    assert len(start_sheet(excel).cell((9, 1)).value) == 3
    assert [r.args.get("count") for r in green_api_env.requests] == [None]


def test_com_a_protected_sheet_settles_and_nothing_is_written(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows)
    sheet = start_sheet(excel)
    sheet.enter("A1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))
    sheet.Protect()

    assert excel.run_until_settled(max_calculations=5) == (True, 1)
    assert sheet.cell((1, 1)).value[0] == list(COLUMNS)
    assert excel.python_actions() == []


def test_com_a_slow_green_api_costs_one_short_budget(
    green_api_env: FakeGreenApi, windows: WindowsXlwings
) -> None:
    green_api_env.answer(status=503, body="busy")
    excel = excel_calling(windows)
    start_sheet(excel).enter("A1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))

    excel.run_until_settled(max_calculations=5)

    assert_error_cell(start_sheet(excel).cell((1, 1)).value, "HTTP 503")
    # Excel waits for this call: one retry, not the command line's three.
    assert len(green_api_env.requests) == client.INTERACTIVE_RETRIES + 1


# Why not async_mode="threading": the same function with it, on the same path.


@pytest.fixture
def async_source(tmp_path: Path) -> Path:
    source = UDFS_SOURCE.read_text(encoding="utf-8")
    sync = "@xw.func(call_in_wizard=False)"
    assert sync in source
    path = tmp_path / "udfs.py"
    path.write_text(source.replace(sync, '@xw.func(async_mode="threading", call_in_wizard=False)'))
    return path


def test_async_mode_would_recalculate_two_calls_forever(
    green_api_env: FakeGreenApi, windows: WindowsXlwings, async_source: Path
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows, async_source)
    start_sheet(excel).enter("A1", README_FORMULA, *TWO_CALLS)

    settled, evaluations = excel.run_until_settled(max_calculations=30)

    # xlwings keys its result by cell and arguments and deletes it on the first
    # read: the second call misses, starts another task, whose Formula2 write
    # recalculates the cell again -- with the answer cached, as fast as Excel can.
    assert not settled and evaluations == 30
    assert [action for action, *_ in excel.python_actions()].count("Formula2") >= 30
    assert len(green_api_env.requests) == 1


def test_async_mode_would_retry_a_protected_sheet_forever(
    green_api_env: FakeGreenApi, windows: WindowsXlwings, async_source: Path
) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    excel = excel_calling(windows, async_source)
    sheet = start_sheet(excel)
    sheet.enter("A1", "=GETCONTACTS(50)", Call("GETCONTACTS", 50.0))
    sheet.Protect()

    excel.calculate()
    excel.wait_for_actions("Formula2", 8)  # 0x800A03EC is in xlwings' RETRYABLE_SCODES

    assert excel.python_tasks() == 1 and sheet.cell((1, 1)).value == "#N/A waiting..."
    sheet.Unprotect()  # the only way out
    assert excel.run_until_settled(max_calculations=5)[0]


# --- in Russian: Excel's language reaches the error cell ---------------------------------

# (English sentence, its Russian words) of the error cells the tests below provoke.
NOT_BOOLEAN = ("header must be TRUE or FALSE", "header должно быть ИСТИНА или ЛОЖЬ")
ERROR_ARGUMENT = ("fix the cell it comes from", "исправьте ячейку, из которой берётся значение")


def _officejs_env(green_api: FakeGreenApi, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k != "XL_CONTACTS_LANG"}
    return {**env, **green_api.env(), "LANG": "C", **extra}


def test_officejs_culture_ru_gives_russian_error_cells(green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    calls = [[None, "maybe"], ["#N/A", None], [2.0, None]]
    russian = _officejs(calls, _officejs_env(green_api), culture="ru-RU")["results"]
    english = _officejs(calls, _officejs_env(green_api), culture="en-US")["results"]

    expected = (NOT_BOOLEAN, ERROR_ARGUMENT)
    for (answer,), (sentence, words) in zip(russian[:2], expected, strict=True):
        assert_error_cell(answer[0], words)
        assert sentence not in answer[0]
    assert russian[2][0] == list(COLUMNS), "identifiers stay: the header row is the same"
    assert_error_cell(english[0][0][0], NOT_BOOLEAN[0])
    assert_error_cell(english[1][0][0], "count is #N/A", ERROR_ARGUMENT[0])


def test_officejs_xl_contacts_lang_comes_before_excels_culture(green_api: FakeGreenApi) -> None:
    env = _officejs_env(green_api, XL_CONTACTS_LANG="en")
    (answer,) = _officejs([[None, "maybe"]], env, culture="ru-RU")["results"]
    assert_error_cell(answer[0][0], NOT_BOOLEAN[0])


def test_com_a_russian_excel_gives_russian_error_cells(
    green_api_env: FakeGreenApi, windows: WindowsXlwings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XL_CONTACTS_LANG", raising=False)
    excel = excel_calling(windows, ui_language=RUSSIAN_UI)
    sheet = start_sheet(excel)
    sheet.enter("A1", "=GETCONTACTS(NA())", Call("GETCONTACTS", ERRORS["#N/A"]))
    sheet.enter("A3", '=GETCONTACTS(5; "maybe")', Call("GETCONTACTS", 5.0, "maybe"))

    excel.run_until_settled(max_calculations=5)

    error_argument, not_boolean = sheet.cell((1, 1)).value, sheet.cell((3, 1)).value
    assert_error_cell(error_argument, "count", "#N/A", ERROR_ARGUMENT[1])
    assert_error_cell(not_boolean, NOT_BOOLEAN[1])
    assert ERROR_ARGUMENT[0] not in error_argument and NOT_BOOLEAN[0] not in not_boolean
    assert excel.LanguageSettings.reads == 1, "read once per workbook, not once per cell"
    assert green_api_env.requests == [] and excel.python_actions() == []


def test_com_xl_contacts_lang_comes_before_excels_language(
    green_api_env: FakeGreenApi, windows: WindowsXlwings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XL_CONTACTS_LANG", "en")
    excel = excel_calling(windows, ui_language=RUSSIAN_UI)
    start_sheet(excel).enter("A1", "=GETCONTACTS(NA())", Call("GETCONTACTS", ERRORS["#N/A"]))
    excel.run_until_settled(max_calculations=5)
    assert_error_cell(start_sheet(excel).cell((1, 1)).value, "count is #N/A", ERROR_ARGUMENT[0])


def test_outside_excel_the_function_speaks_the_process_language(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Called from Python (no xlwings call around it): no Excel language to read."""
    monkeypatch.delenv("XL_CONTACTS_LANG", raising=False)
    monkeypatch.setenv("LANG", "C")
    assert udfs.call_language() == "en"
    assert_error_cell(GETCONTACTS(None, "maybe"), NOT_BOOLEAN[0])
