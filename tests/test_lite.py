"""=GETCONTACTS in xlwings Lite, in real Pyodide (Node): the main.py and
requirements.txt that `xl-contacts lite` writes, the wheels of that
requirements.txt installed with micropip, the function registered and called
through xlwings' Office.js protocol as Lite calls it, against the stand-in
GREEN-API. The assertions are the desktop function's (test_udfs.py).

One Pyodide for the whole module (tests/lite_runtime.py): booting it takes seconds."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
import xlwings
from flavours import EXPECTED_IDS, instance
from helpers import (
    OFFICEJS_CALLS,
    STATUS_CELLS,
    assert_no_token,
    assert_registered_and_called_as_desktop,
    run_command,
)
from lite_runtime import NodeLite, lite_files, lite_wheels, need_pyodide
from stand_in import (
    HOSTILE_NAMES,
    ID_INSTANCE,
    REFERENCE_CONTACTS,
    REFERENCE_ROWS,
    TOKEN,
    FakeGreenApi,
)
from werkzeug import Request, Response

from xl_contacts.base.cache import ResultCache
from xl_contacts.base.errors import ConfigError
from xl_contacts.base.names import ENV_API_URL, ENV_FLAVOUR, MAX, WHATSAPP
from xl_contacts.domain.table import COLUMNS

# One worker runs them all: one Pyodide boot (a module fixture) instead of one per worker.
pytestmark = [pytest.mark.lite, pytest.mark.xdist_group("lite")]

FAST = {"interval": 0.0, "backoff": 0.01}  # as the desktop tests' conftest: no 1-s pauses


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """main.py and requirements.txt, written by `xl-contacts lite -o FOLDER`."""
    return lite_files(tmp_path_factory.mktemp("lite"))


@pytest.fixture(scope="module")
def lite(written: tuple[Path, Path]) -> Iterator[NodeLite]:
    node = need_pyodide()
    main, requirements = written
    runtime = NodeLite(node, main, lite_wheels(requirements), main.with_name("pyodide.log"))
    yield runtime
    assert_no_token(runtime.close())


def assert_error_cell(value: object, *fragments: str) -> None:
    """One cell, as the desktop function's (test_udfs.assert_error_cell)."""
    assert isinstance(value, list) and len(value) == 1 and len(value[0]) == 1, value
    text = value[0][0]
    assert isinstance(text, str) and text.startswith("#GETCONTACTS: "), text
    assert "Traceback" not in text and "\n" not in text
    assert_no_token(text)
    for fragment in fragments:
        assert fragment in text


def results(lite: NodeLite, green_api: FakeGreenApi, *calls: list[object], **options) -> list:
    out = lite.command([*calls], green_api.env(), **{**FAST, **options})
    assert_no_token(out)
    return out["results"]


def test_registered_and_called_as_the_desktop_function(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    env = {**green_api.env(), "XL_CONTACTS_CACHE_SECONDS": "0"}
    out = lite.command(OFFICEJS_CALLS, env, **FAST)
    assert_registered_and_called_as_desktop(out)


def test_spills_header_and_rows(lite: NodeLite, green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    (result,) = results(lite, green_api, [50.0])
    assert result == [list(COLUMNS), *REFERENCE_ROWS]
    assert green_api.requests[0].args["count"] == "50"


def test_header_and_left_out_count(lite: NodeLite, green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    everything, no_header, zero_header = results(
        lite, green_api, [None], [None, False], [None, 0.0]
    )
    assert len(everything) == 4 and everything[0] == list(COLUMNS)
    assert no_header[0][0] == "10000000" and zero_header == no_header
    assert [r.args.get("count") for r in green_api.requests] == [None], "one query, kept"


def test_empty_list_without_header_is_one_empty_cell(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    green_api.answer([])
    with_header, without = results(lite, green_api, [None], [None, False])
    assert with_header == [list(COLUMNS)]
    assert without == [[""]]


def test_bad_arguments_give_an_error_cell_and_no_request(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    counts = [0.0, -1.0, 2.5, "50", "abc", True, False]
    found = results(lite, green_api, *([c] for c in counts), *([None, h] for h in ("yes", 2.0)))
    for cell in found[: len(counts)]:
        assert_error_cell(cell, "count must be a whole number")
    for cell in found[len(counts) :]:
        assert_error_cell(cell, "header must be TRUE or FALSE")
    (kind,) = results(lite, green_api, [None, None, "friends"])
    assert_error_cell(kind, "only must be one of all, personal, groups, saved, chatted")
    assert green_api.requests == []


def test_a_profile_says_it_cannot_work_in_lite(lite: NodeLite, green_api: FakeGreenApi) -> None:
    (cell,) = results(lite, green_api, [None, None, None, "sales"])
    assert_error_cell(cell, "cannot be used in xlwings Lite", "GREENAPI_")
    assert green_api.requests == []


def test_excels_russian_culture_gives_russian_error_cells(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    """Lite's calls carry Excel's culture (ru-RU): the text after the prefix is Russian."""
    env = {**green_api.env(), "LANG": "C"}
    calls = [[None, "yes"], [None, None, None, "sales"]]
    header, profile = lite.command(calls, env, culture="ru-RU", **FAST)["results"]
    assert_error_cell(header, "header должно быть ИСТИНА или ЛОЖЬ")
    assert_error_cell(profile, "в xlwings Lite их использовать нельзя", "GREENAPI_")
    assert "must be TRUE or FALSE" not in header[0][0]
    assert "cannot be used in xlwings Lite" not in profile[0][0]
    assert green_api.requests == []


def test_values_stay_text_and_hostile_names_are_harmless(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    raw = [{"chatId": -100200300, "name": n, "phoneNumber": 79876543210} for n in HOSTILE_NAMES]
    green_api.answer(raw)
    ((_, *rows),) = results(lite, green_api, [None])
    assert all(isinstance(v, str) for row in rows for v in row)
    assert rows[0][0] == "-100200300" and rows[0][4] == "79876543210"
    assert rows[0][1] == HOSTILE_NAMES[0]  # a function's result is never parsed as a formula
    assert rows[7][1] == "bellandnulescape"
    assert len(rows[8][1]) == 32_767


def test_api_errors_give_an_error_cell(lite: NodeLite, green_api: FakeGreenApi) -> None:
    def by_count(request: Request) -> Response:
        status = STATUS_CELLS[int(request.args["count"]) - 1][0]
        return Response("x", status=status)

    green_api.answer_with(by_count)
    found = results(lite, green_api, *([float(n)] for n in range(1, len(STATUS_CELLS) + 1)))
    for cell, (_, fragment) in zip(found, STATUS_CELLS, strict=True):
        assert_error_cell(cell, fragment)
    retried = sum(1 for status, _ in STATUS_CELLS if status in (429, 500, 502))
    assert len(green_api.requests) == len(STATUS_CELLS) + retried, "one retry, as on the desktop"


def test_a_max_instance_without_a_flavour_gets_the_desktops_hint(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    """The error of a failed request is explained as on the desktop (Settings.explain):
    a 404 from an instance of no known flavour says how to name a MAX one."""
    stand_in = instance(green_api.server, MAX, ID_INSTANCE, TOKEN)
    green_api.server.expect_request(
        f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
    ).respond_with_data("Not Found", status=404)
    env = green_api.env()
    (cell,) = lite.command([[None]], env, **FAST)["results"]
    # The desktop's words (test_new_user.py), in the desktop function's cell.
    assert cell == [[
        "#GETCONTACTS: GREEN-API does not know this address (HTTP 404) — if this is a "
        "MAX instance, say so (--flavour max, GREENAPI_FLAVOUR=max or an apiUrl ending in "
        "/v3); else check GREENAPI_API_URL"
    ]]  # fmt: skip
    for told in ({ENV_FLAVOUR: MAX}, {ENV_API_URL: f"{stand_in.url}/v3"}):
        (rows,) = lite.command([[None]], {**env, **told}, **FAST)["results"]
        assert len(rows) == 4, rows  # the header and the 3 contacts


@pytest.mark.parametrize(
    ("body", "content_type"), [("<html/>", "text/html"), ('{"a": 1}', "application/json")]
)
def test_bad_bodies_give_an_error_cell(
    lite: NodeLite, green_api: FakeGreenApi, body: str, content_type: str
) -> None:
    green_api.answer(body=body, content_type=content_type)
    (cell,) = results(lite, green_api, [None])
    assert_error_cell(cell, "instead of")


def test_missing_credentials_say_where_to_set_them(lite: NodeLite, green_api: FakeGreenApi) -> None:
    env = green_api.env()
    nothing, no_token = (
        lite.command([[None]], {})["results"][0],
        lite.command([[None]], {k: v for k, v in env.items() if "TOKEN" not in k})["results"][0],
    )
    assert_error_cell(
        nothing,
        "GREENAPI_ID_INSTANCE and GREENAPI_API_TOKEN_INSTANCE are not set",
        "Environment Variables",
        "scope Local",
        "Restart",
    )
    assert_error_cell(no_token, "GREENAPI_API_TOKEN_INSTANCE is not set", "scope Local")
    assert "GREENAPI_ID_INSTANCE" not in no_token[0][0]
    bad = lite.command([[None]], {**env, "GREENAPI_API_TOKEN_INSTANCE": TOKEN + "/x"})
    assert_error_cell(bad["results"][0], "GREENAPI_API_TOKEN_INSTANCE")
    assert green_api.requests == []


def test_unreachable_server_gives_an_error_cell(lite: NodeLite) -> None:
    env = {
        "GREENAPI_API_URL": "http://127.0.0.1:1",
        "GREENAPI_ID_INSTANCE": ID_INSTANCE,
        "GREENAPI_API_TOKEN_INSTANCE": TOKEN,
    }
    (cell,) = lite.command([[None]], env, **FAST)["results"]
    assert_error_cell(cell, "could not get an answer from GREEN-API at http://127.0.0.1:1")
    assert_error_cell(cell, "check the network connection and GREENAPI_API_URL", "(CORS)")


def test_a_redirect_is_not_followed(lite: NodeLite, green_api: FakeGreenApi) -> None:
    elsewhere = green_api.url + "/elsewhere/" + TOKEN
    green_api.answer(status=302, body="", headers={"Location": elsewhere})
    (cell,) = results(lite, green_api, [None])
    assert_error_cell(cell, f"redirected to {green_api.url} (HTTP 302)", "not followed")
    assert len(green_api.requests) == 1, "the token's path was not visited"


def test_concurrent_identical_calls_share_one_request(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    green_api.answer_slowly(REFERENCE_CONTACTS, 0.3)
    found = results(lite, green_api, *[[50.0]] * 20, together=True)
    assert len(green_api.requests) == 1
    assert all(r == found[0] and len(r) == 4 for r in found)


def test_one_request_per_second_per_instance(lite: NodeLite, green_api: FakeGreenApi) -> None:
    """Three different queries at once (a sheet recalculating): three requests,
    a second apart -- the real pause, not the tests' zero."""
    stand_in = instance(green_api.server, WHATSAPP, ID_INSTANCE, TOKEN)
    env = green_api.env()
    out = lite.command([[1.0], [2.0], [3.0]], env, together=True, backoff=0.01)
    assert [len(r) for r in out["results"]] == [2, 3, 4]
    times = sorted(seen.at for seen in stand_in.seen)
    assert len(times) == 3
    gaps = [b - a for a, b in pairwise(times)]
    assert all(gap >= 0.75 for gap in gaps), gaps  # without the pause: ~0.01 s


@pytest.mark.parametrize("kind", ["personal", "groups", "saved", "chatted"])
def test_kinds_as_on_the_desktop(lite: NodeLite, green_api: FakeGreenApi, kind: str) -> None:
    stand_in = instance(green_api.server, WHATSAPP, ID_INSTANCE, TOKEN)
    env = {**green_api.env(), "GREENAPI_FLAVOUR": "whatsapp"}
    (rows,) = lite.command([[None, False, kind]], env, **FAST)["results"]
    assert [row[0] for row in rows] == EXPECTED_IDS[WHATSAPP][kind]
    asked = stand_in.requests("getContacts")[0].params
    if kind in ("personal", "groups"):
        assert asked == {"group": "true" if kind == "groups" else "false"}
    assert bool(stand_in.requests("getChats")) == (kind == "chatted")
    assert stand_in.undocumented() == []


def test_errors_are_kept_briefly_and_results_for_the_cache_period(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    green_api.answer(status=401, body="", once=True)
    green_api.answer(REFERENCE_CONTACTS)
    first, second = results(lite, green_api, [None], [None])
    assert_error_cell(first, "HTTP 401")
    assert second == first, "an error is kept for a few seconds, not asked again"
    assert len(green_api.requests) == 1
    # A new Lite session: the answer now is a table, kept for the cache period.
    third, fourth = results(lite, green_api, [None], [None])
    assert len(third) == 4 and fourth == third
    assert len(green_api.requests) == 2
    # XL_CONTACTS_CACHE_SECONDS (a Lite environment variable too): 0 keeps nothing.
    env = {**green_api.env(), "XL_CONTACTS_CACHE_SECONDS": "0"}
    lite.command([[None], [None]], env, **FAST)
    assert len(green_api.requests) == 4


def test_no_http_library_no_credential_store_no_thread(
    lite: NodeLite, green_api: FakeGreenApi
) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    out = lite.command([[None]], green_api.env(), **FAST)
    assert len(out["results"][0]) == 4
    loaded = set(out["modules"])
    assert not loaded & {"requests", "urllib3", "keyring", "platformdirs"}
    assert "xl_contacts.lite" in loaded and "xl_contacts.api.client" not in loaded


def test_the_files_are_what_the_readme_says_and_reproducible(
    written: tuple[Path, Path], tmp_path: Path
) -> None:
    main, requirements = written
    text = main.read_text(encoding="utf-8")
    assert text.startswith('"""xl-contacts') and "from xl_contacts.lite import GETCONTACTS" in text
    assert "Environment Variables, scope Local" in text
    pins = [line for line in requirements.read_text().splitlines() if not line.startswith("#")]
    assert pins == [f"xlwings>={xlwings.__version__}"], "only what Pyodide installs"
    again, _ = lite_files(tmp_path)
    assert again.read_bytes() == main.read_bytes(), "the same sources, the same file"


def test_lite_needs_an_existing_folder(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = run_command("lite", "-o", str(missing))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"xl-contacts: error: folder {str(missing)!r} does not exist — create it first"
    ]


def test_lite_given_a_file_says_it_wants_a_folder(tmp_path: Path) -> None:
    # A file is there: "does not exist — create it first" sent the user the wrong way.
    existing = tmp_path / "main.py"
    existing.write_text("mine")
    result = run_command("lite", "-o", str(existing))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"xl-contacts: error: {str(existing)!r} is not a folder — give the folder to write "
        "main.py and requirements.txt into"
    ]
    assert existing.read_text() == "mine"


# --- the results cache without threads (base/cache.py: ResultCache.get_async) --------


def test_async_cache_keeps_results_and_errors_as_the_desktop_one() -> None:
    now = [1000.0]
    cache: ResultCache[object] = ResultCache(60, 5, clock=lambda: now[0])
    loads: list[str] = []

    async def load(outcome: object) -> object:
        loads.append("load")
        await asyncio.sleep(0.01)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    async def scenario() -> None:
        # Ten callers at once: one load, one answer (or one error) for all.
        callers = [cache.get_async("k", lambda: load("rows")) for _ in range(10)]
        answers = await asyncio.gather(*callers)
        assert answers == ["rows"] * 10 and len(loads) == 1
        failing = [cache.get_async("e", lambda: load(ConfigError("broken"))) for _ in range(3)]
        errors = await asyncio.gather(*failing, return_exceptions=True)
        assert all(isinstance(e, ConfigError) for e in errors) and len(loads) == 2
        with pytest.raises(ConfigError):  # kept for 5 s
            await cache.get_async("e", lambda: load("fixed"))
        now[0] += 6
        assert await cache.get_async("e", lambda: load("fixed")) == "fixed"
        now[0] += 50
        assert await cache.get_async("k", lambda: load("new")) == "rows", "kept for 60 s"
        now[0] += 6
        assert await cache.get_async("k", lambda: load("new")) == "new"
        with pytest.raises(KeyError):  # a bug is not kept
            await cache.get_async("b", lambda: load(KeyError("bug")))
        assert await cache.get_async("b", lambda: load("ok")) == "ok"

    asyncio.run(scenario())


def test_async_cache_does_not_keep_a_load_cleared_midway() -> None:
    cache: ResultCache[int] = ResultCache(60, 5)

    async def load() -> int:
        cache.clear()
        return 1

    async def two() -> int:
        return 2

    async def scenario() -> None:
        assert await cache.get_async("k", load) == 1
        assert await cache.get_async("k", two) == 2

    asyncio.run(scenario())
