"""What a new user meets first, run the way they run it: the installed
``xl-contacts`` in a subprocess, against the stand-in GREEN-API, with the
credentials in the environment or in a profile stored by ``login`` -- the
hints point at the right fix, and ``-v`` tells the story of a run.

(doctor's Windows checks need a stand-in machine: tests/test_doctor.py.)
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import openpyxl
import pytest
from flavours import instance
from helpers import assert_no_token, run_command
from hostile_server import HostileServer, malformed_header
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi

from xl_contacts.base.names import (
    ENV_API_TOKEN,
    ENV_API_URL,
    ENV_FLAVOUR,
    ENV_ID_INSTANCE,
    MAX,
)
from xl_contacts.config.settings import NO_PROFILES

HERE = Path(__file__).resolve().parent
README = (HERE.parent / "README.md").read_text(encoding="utf-8")
# The test keyring (a JSON file) stands in for the OS credential store in the subprocess.
WITH_STORE = {
    "PYTHONPATH": f"{HERE.parent}{os.pathsep}{HERE}",
    "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",
}


def user(*argv: str, env: dict[str, str] | None = None, stdin: str | None = None) -> tuple:
    """The command as a user runs it: exit status, stdout, stderr (never the token)."""
    options = {"input": stdin} if stdin is not None else {"stdin": None}
    result = run_command(*argv, env={**WITH_STORE, **(env or {})}, **options)
    assert_no_token(result.stdout, result.stderr)
    return result.returncode, result.stdout, result.stderr


def error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert lines and "Traceback" not in err, err
    return lines[-1]


def readme_verbose_lines() -> list[re.Pattern[str]]:
    """The README's ``-v`` sample, each log line as a pattern: its host, instance,
    token hint, counts, size and time stand for any. (The status line above them
    belongs to the export tests.)"""
    command = "$ xl-contacts -v contacts --count 5 > contacts.txt"
    block = README.split(command, 1)[1].split("```", 1)[0]
    variable = {
        re.escape("https://7105.api.greenapi.com"): r"https?://[\w.:\[\]]+",
        re.escape("1101000001"): r"\d+",
        re.escape("***abcd"): r"\*\*\*\w{4}",
        re.escape("1,041"): r"[\d,]+",
        re.escape("0.21"): r"[\d.]+",
        re.escape("fetched 5 "): r"fetched\ \d+\ ",
        re.escape("wrote 5 "): r"wrote\ \d+\ ",
    }
    patterns = []
    for line in block.strip().splitlines():
        if not line.startswith("xl_contacts."):
            continue
        pattern = re.escape(line)
        for shown, meaning in variable.items():
            pattern = pattern.replace(shown, meaning)
        patterns.append(re.compile(pattern))
    assert len(patterns) == 4
    return patterns


def login(api: FakeGreenApi, profile: str) -> None:
    api.answer_state()
    code, _, err = user(
        "login", "--profile", profile, "--api-url", api.url, "--id-instance", ID_INSTANCE,
        stdin=TOKEN + "\n",
    )  # fmt: skip
    assert code == 0, err


# --- hints that point at the right fix ---------------------------------------------------


def test_a_max_instance_without_a_flavour_is_told_how_to_say_so(green_api: FakeGreenApi) -> None:
    stand_in = instance(green_api.server, MAX, ID_INSTANCE, TOKEN)
    # A MAX instance knows nothing of the plain address.
    green_api.server.expect_request(
        f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
    ).respond_with_data("Not Found", status=404)
    env = {ENV_API_URL: stand_in.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    code, _, err = user("contacts", env=env)
    assert code == 1
    assert error_line(err) == (
        "xl-contacts: error: GREEN-API does not know this address (HTTP 404) — if this is a "
        "MAX instance, say so (--flavour max, GREENAPI_FLAVOUR=max or an apiUrl ending in "
        "/v3); else check GREENAPI_API_URL"
    )
    assert error_line(err) in README
    for told in ({ENV_FLAVOUR: "max"}, {ENV_API_URL: f"{stand_in.url}/v3"}):
        code, out, err = user("contacts", "--format", "csv", env={**env, **told})
        assert code == 0 and len(out.splitlines()) == 4, err  # the header and 3 contacts
    assert user("contacts", "--flavour", "max", env=env)[0] == 0


def test_login_learns_a_max_instance_once_and_remembers_it(green_api: FakeGreenApi) -> None:
    stand_in = instance(green_api.server, MAX, ID_INSTANCE, TOKEN)
    for method in ("getStateInstance", "getContacts"):
        green_api.server.expect_request(
            f"/waInstance{ID_INSTANCE}/{method}/{TOKEN}"
        ).respond_with_data("Not Found", status=404)
    code, out, err = user(
        "login", "--profile", "chat", "--api-url", stand_in.url, "--id-instance", ID_INSTANCE,
        stdin=TOKEN + "\n",
    )  # fmt: skip
    assert code == 0 and f"instance {ID_INSTANCE} at {stand_in.url} (max)" in out, err
    assert "max" in user("profiles")[1]
    code, out, err = user("contacts", "--profile", "chat", "--format", "csv")
    assert code == 0 and len(out.splitlines()) == 4, err
    plain = [r.path for r, _ in green_api.server.log if not r.path.startswith("/v3/")]
    assert plain == [f"/waInstance{ID_INSTANCE}/getStateInstance/{TOKEN}"], "asked once, at login"


def test_login_to_an_address_that_is_neither_says_to_check_it(green_api: FakeGreenApi) -> None:
    for prefix in ("", "/v3"):
        green_api.server.expect_request(
            f"{prefix}/waInstance{ID_INSTANCE}/getStateInstance/{TOKEN}"
        ).respond_with_data("Not Found", status=404)
    code, _, err = user(
        "login", "--api-url", green_api.url, "--id-instance", ID_INSTANCE, stdin=TOKEN + "\n"
    )
    assert code == 1
    assert error_line(err) == (
        "xl-contacts: error: GREEN-API does not know this address (HTTP 404) — check the "
        "apiUrl given (--api-url)"
    ), "tried as MAX too: no MAX hint"
    assert user("profiles")[1].strip() == NO_PROFILES, "nothing stored"


def test_a_rejected_token_names_where_it_came_from(green_api: FakeGreenApi) -> None:
    green_api.answer(status=401, body="Unauthorized")  # login's state check passes
    login(green_api, "wa")
    code, _, err = user("contacts", "--profile", "wa")
    assert code == 1
    assert error_line(err) == (
        "xl-contacts: error: token rejected by GREEN-API (HTTP 401) — check the token of "
        "profile wa; `xl-contacts login --profile wa` replaces it"
    )
    assert error_line(err) in README
    code, _, err = user("contacts", env=green_api.env())  # the README's sample: a variable
    assert error_line(err) in README
    assert error_line(err).endswith("— check GREENAPI_API_TOKEN_INSTANCE")


def test_a_rejected_instance_names_the_option_and_the_variable(green_api: FakeGreenApi) -> None:
    green_api.server.expect_request(
        f"/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
    ).respond_with_data("", status=403)
    env = {ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    code, _, err = user("contacts", "--api-url", green_api.url, env=env)
    assert code == 1
    assert error_line(err).endswith(
        "(HTTP 403) — check GREENAPI_ID_INSTANCE and the apiUrl given (--api-url)"
    )
    code, _, err = user("contacts", "--id-instance", "12ab", env=env)
    assert code == 2
    assert error_line(err) == (
        "xl-contacts: error: the idInstance given (--id-instance) must be digits only, as "
        "shown in the GREEN-API console"
    )


def test_login_without_a_credential_store_lists_every_variable() -> None:
    code, _, err = user("login", env={"PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"})
    assert code == 2
    for name in (ENV_ID_INSTANCE, ENV_API_TOKEN, ENV_API_URL, ENV_FLAVOUR):
        assert name in error_line(err)


def test_since_a_report_of_several_instances_says_how_to_compare(tmp_path: Path) -> None:
    both = str(tmp_path / "all.xlsx")
    assert user("export", "--demo", "--all-profiles", "-o", both)[0] == 0
    code, _, err = user("export", "--demo", "--since", both, "-o", str(tmp_path / "one.xlsx"))
    assert code == 2
    line = error_line(err)
    assert "is a report of several instances (1101000001, 1101000002)" in line
    assert "not of" not in line and "--profile NAME once for each, or --all-profiles" in line
    again = ("export", "--demo", "--all-profiles", "--since", both, "-o", str(tmp_path / "2.xlsx"))
    code, out, err = user(*again)
    assert code == 0 and "since all.xlsx: " in out, err


def test_doctor_names_a_file_without_macros_for_what_it_is(tmp_path: Path) -> None:
    report = tmp_path / "demo.xlsx"
    assert user("export", "--demo", "-o", str(report))[0] == 0
    code, out, _ = user("doctor", "--workbook", str(report))
    line = next(line for line in out.splitlines() if line.split()[1:2] == ["workbook"])
    assert code == 1 and line.startswith("FAIL")
    assert f"{report} is a .xlsx file, which holds no macros" in line
    assert "Error)" not in out and "xlwings.conf sheet" not in out


def test_no_profiles_is_said_one_way_everywhere(tmp_path: Path) -> None:
    code, out, _ = user("doctor", "--all-profiles")
    line = next(line for line in out.splitlines() if line.split()[1:2] == ["settings"])
    assert code == 1 and line.startswith("FAIL") and line.endswith(f"  {NO_PROFILES}")
    code, _, err = user("export", "--all-profiles", "-o", str(tmp_path / "all.xlsx"))
    assert code == 2 and error_line(err) == f"xl-contacts: error: {NO_PROFILES}"
    assert user("profiles")[1].strip() == NO_PROFILES


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("", "the count is empty — give a whole number of 1 or more"),
        ("0", "the count must be a whole number of 1 or more"),
        ("abc", "the count must be a whole number of 1 or more"),
    ],
)
def test_a_wrong_count_says_count_once(value: str, says: str) -> None:
    code, out, err = user("contacts", "--demo", "--count", value)
    assert code == 2 and out == ""
    line = error_line(err)
    assert line.startswith("xl-contacts contacts: error: argument --count: ") and says in line
    assert line.count("--count") == 1
    assert not value or line not in README, "the README shows the empty one"
    assert value or line in README


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the Windows key is right there")
def test_workbook_writes_only_the_interpreter_of_this_os(tmp_path: Path) -> None:
    mine = tmp_path / "mine.xlsm"
    code, out, err = user("workbook", "-o", str(mine))
    assert code == 0, err
    sheet = openpyxl.load_workbook(mine)["xlwings.conf"]
    conf = {key.value: value.value for key, value in sheet.iter_rows()}
    assert "Interpreter_Win" not in conf
    if sys.platform == "darwin":
        assert conf["Interpreter_Mac"] == sys.executable
    else:
        assert "Interpreter_Mac" not in conf and "no interpreter" in out
        assert "Windows" in error_line(err) and "xl-contacts workbook -o FILE" in error_line(err)
    code, out, _ = user("doctor", "--workbook", str(mine))
    assert "Interpreter_Win" not in out

    # A copy made here by an older version: doctor says it will fail on Windows.
    book = openpyxl.load_workbook(mine, keep_vba=True)
    book["xlwings.conf"].append(["Interpreter_Win", sys.executable])
    book.save(mine)
    code, out, _ = user("doctor", "--workbook", str(mine))
    line = next(line for line in out.splitlines() if "Interpreter_Win" in line)
    assert code == 1 and line.startswith("FAIL") and "not of Windows" in line


# --- output that says enough -------------------------------------------------------------


def test_verbose_tells_the_story_of_a_successful_run(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    code, out, err = user("-v", "contacts", "--count", "5", env=green_api.env())
    assert code == 0 and len(out.splitlines()) == 5  # header, rule, 3 contacts
    hint = f"***{TOKEN[-4:]}"
    assert (
        f"xl_contacts.cli: settings: instance {ID_INSTANCE} (environment) at {green_api.url} "
        f"(environment), token {hint} (environment), flavour not set" in err
    )
    assert (
        f"xl_contacts.api.transport: GET {green_api.url}/waInstance{ID_INSTANCE}/getContacts/"
        "***?count=5 -> HTTP 200, " in err
    )
    assert "xl_contacts.cli: fetched 3 contacts (kind: all)" in err
    assert "xl_contacts.cli: wrote 3 rows as table to standard output" in err
    assert "Starting new HTTP connection" not in err, "-vv adds the HTTP library's lines"
    for shown in readme_verbose_lines():
        assert any(shown.fullmatch(line) for line in err.splitlines()), shown.pattern

    report = tmp_path / "r.xlsx"
    code, out, err = user("export", "-v", "-o", str(report), env=green_api.env())
    assert code == 0 and f"wrote {report.resolve()} ({report.stat().st_size:,} bytes)" in err
    code, _, err = user("-vv", "contacts", env=green_api.env())
    assert code == 0 and "Starting new HTTP connection" in err


def test_verbose_output_is_one_line_per_event(hostile: HostileServer) -> None:
    hostile.play(malformed_header(b'[{"chatId": "1"}]'))
    env = {ENV_API_URL: hostile.url, ENV_ID_INSTANCE: ID_INSTANCE, ENV_API_TOKEN: TOKEN}
    code, _, err = user("-v", "contacts", env=env)
    assert code == 0 and "Traceback" not in err
    lines = err.splitlines()
    assert all(line.startswith(("xl_contacts.", "urllib3.", "fetching ")) for line in lines), err
    folded = next(line for line in lines if line.startswith("urllib3.connection:"))
    assert folded.endswith("[HeaderParsingError]")
