"""The xl-contacts command, in-process and as the installed console script."""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import (
    assert_no_token,
    cli,
    file_has_no_token,
    formulas_in,
    run_command,
)
from stand_in import HOSTILE_NAMES, REFERENCE_CONTACTS, TOKEN, FakeGreenApi, make_contacts

from xl_contacts.base.names import PHONE_COLUMNS
from xl_contacts.cli import build_parser, main
from xl_contacts.domain.contacts import EMPTY_HINT
from xl_contacts.domain.table import COLUMNS


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return cli(capsys, *argv)


def test_demo_export_needs_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "export", "--demo", "-o", str(tmp_path / "c.xlsx"))
    assert code == 0 and "saved 8 contacts" in out
    wb = openpyxl.load_workbook(tmp_path / "c.xlsx")
    assert [c.value for c in wb["Contacts"][1]] == [*COLUMNS, "username", *PHONE_COLUMNS]
    labels = {row[0].value: row[1].value for row in wb["Summary"].iter_rows(max_col=2)}
    assert labels["Source"] == "demo"


def test_export_against_the_stand_in_server(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    raw = make_contacts(40) + [{"chatId": "9", "name": n} for n in HOSTILE_NAMES]
    green_api_env.answer(raw)
    target = tmp_path / "report.xlsx"
    code, _out, err = run(capsys, "export", "--count", "100", "-o", str(target))
    assert code == 0, err
    assert green_api_env.requests[0].args["count"] == "100"
    wb = openpyxl.load_workbook(target)
    ws = wb["Contacts"]
    assert [c.value for c in ws[1]] == [*COLUMNS, *PHONE_COLUMNS]
    assert ws.max_row == 1 + len(raw) and "Contacts" in ws.tables
    assert wb["Summary"]["B2"].value.isdigit()
    assert formulas_in(target) == []
    file_has_no_token(target)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "HTTP 400"),
        (401, "token rejected"),
        (403, "HTTP 403"),
        (466, "quota"),
        (429, "HTTP 429"),
        (500, "HTTP 500"),
        (502, "HTTP 502"),
    ],
)
def test_api_failures_exit_1_and_keep_the_previous_report(
    green_api_env: FakeGreenApi,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    status: int,
    message: str,
) -> None:
    target = tmp_path / "report.xlsx"
    assert main(["export", "--demo", "-o", str(target)]) == 0
    before = target.read_bytes()
    capsys.readouterr()
    green_api_env.answer(status=status, body="error", headers={"Retry-After": "0"})
    code, _, err = run(capsys, "export", "-o", str(target))
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert message in last and last.startswith("xl-contacts: error: ") and len(last) < 200
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("<html>maintenance</html>", "text/html"), ('{"error": "x"}', "application/json")],
)
def test_bad_bodies_exit_1(
    green_api_env: FakeGreenApi,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    body: str,
    content_type: str,
) -> None:
    green_api_env.answer(body=body, content_type=content_type)
    code, _, err = run(capsys, "export", "-o", str(tmp_path / "r.xlsx"))
    assert code == 1 and "instead of" in err
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["contacts"], "GREENAPI_ID_INSTANCE"),
        (["contacts", "--count", "0"], "--count"),
        (["contacts", "--count", "2.5"], "--count"),
        (["contacts", "--count", "99999999999999999999999"], "count must be at most 10,000,000"),
        (["contacts", "--demo", "--format", "xml"], "invalid choice"),
        (["export", "--demo"], "-o"),
        (["export", "--demo", "-o", "/nonexistent-dir/r.xlsx"], "does not exist"),
        (["export", "--demo", "-o", "report.xls"], ".xlsx"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_and_config_errors_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and message in err


def test_bad_token_in_env_exits_2_without_echoing_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "1")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", f"{TOKEN}/../x")
    code, _, err = run(capsys, "contacts")
    assert code == 2 and "GREENAPI_API_TOKEN_INSTANCE" in err


def test_network_unreachable_exits_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENAPI_API_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "1")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN)
    code, _, err = run(capsys, "contacts")
    assert code == 1 and "cannot reach GREEN-API at http://127.0.0.1:1" in err


def test_contacts_formats(green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str]) -> None:
    green_api_env.answer(REFERENCE_CONTACTS + [{"chatId": "7", "name": "=1+1\x1b[2J"}])
    code, out, _ = run(capsys, "contacts", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert records[0] == {
        "chatId": "10000000",
        "name": "Василиса",
        "contactName": "Василиса Премудрая",
        "type": "user",
        "phoneNumber": "79876543210",
        "username": None,  # documented: in every record, null where a contact has none
    }
    code, out, _ = run(capsys, "contacts", "--format", "csv")
    assert out.startswith("\ufeff"), "the UTF-8 signature Excel needs for a CSV file"
    rows = list(csv.reader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows[0] == list(COLUMNS) and rows[3][4] == "" and rows[4][1] == "'=1+1[2J"
    code, out, _ = run(capsys, "contacts")
    assert "Василиса Премудрая" in out and "\x1b" not in out


def test_empty_list_gives_a_hint(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str]
) -> None:
    green_api_env.answer([])
    code, out, err = run(capsys, "contacts", "--format", "json")
    assert code == 0 and json.loads(out) == [] and EMPTY_HINT in err


def test_installed_command_prints_one_line_and_no_traceback(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer(status=401, body="Unauthorized")
    result = run_command("contacts", env=green_api.env())
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "xl-contacts: error: token rejected by GREEN-API (HTTP 401) — check "
        "GREENAPI_API_TOKEN_INSTANCE"
    )
    assert_no_token(result.stdout, result.stderr)


def test_verbose_logs_requests_without_the_token(green_api: FakeGreenApi) -> None:
    green_api.answer(status=502, body="", once=True)
    green_api.answer(REFERENCE_CONTACTS)
    result = run_command("-vv", "contacts", "--count", "5", env=green_api.env())
    assert result.returncode == 0, result.stderr
    assert "getContacts/***?count=5 -> HTTP 502" in result.stderr and "retrying in" in result.stderr
    assert '"GET /waInstance1101823456/getContacts/***?count=5 HTTP/1.1" 200' in result.stderr
    assert_no_token(result.stdout, result.stderr)


def test_export_never_replaces_a_workbook_that_is_not_a_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    theirs = tmp_path / "budget.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "my numbers"
    wb.save(theirs)
    before = theirs.read_bytes()
    code, _, err = run(capsys, "export", "--demo", "-o", str(theirs))
    assert code == 2 and "not a report of xl-contacts" in err and "--force" in err
    assert theirs.read_bytes() == before
    assert run(capsys, "export", "--demo", "-o", str(theirs), "--force")[0] == 0
    assert run(capsys, "export", "--demo", "-o", str(theirs))[0] == 0, "now it is a report"


def test_verbose_works_after_the_command_too(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer(REFERENCE_CONTACTS)
    result = run_command("contacts", "--count", "5", "-vv", env=green_api_env.env())
    assert result.returncode == 0, result.stderr
    assert "getContacts/***?count=5 -> HTTP 200" in result.stderr
    assert_no_token(result.stdout, result.stderr)


def test_every_command_describes_itself(capsys: pytest.CaptureFixture[str]) -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in commands.choices.items():
        assert sub.description and len(sub.description) > 30, name
    # The top-level help promises --demo only where it exists.
    assert "contacts --demo" in parser.epilog and "export --demo" in parser.epilog
    for name in ("contacts", "export"):
        assert "--demo" in commands.choices[name].format_help()


@pytest.mark.parametrize(
    ("kind", "ids"),
    [
        ("groups", ["-100200300"]),
        ("saved", ["10000000", "10000001", "10000002", "10000004", "10000005", "10000006"]),
        ("chatted", ["10000000", "-100200300", "10000004"]),
    ],
)
def test_demo_supports_kinds(capsys: pytest.CaptureFixture[str], kind: str, ids: list[str]) -> None:
    code, out, _ = run(capsys, "contacts", "--demo", "--only", kind, "--format", "json")
    assert code == 0 and [r["chatId"] for r in json.loads(out)] == ids


def test_demo_whatsapp_profile_shows_the_flavour_rules(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "wa.xlsx"
    code, out, err = run(
        capsys,
        "export",
        "--demo",
        "--profile",
        "demo-whatsapp",
        "--only",
        "personal",
        "-o",
        str(target),
    )
    assert code == 0 and "saved 4 contacts (personal)" in out
    assert "skipped 1 record without a chat id" in err
    summary = {
        r[0].value: r[1].value
        for r in openpyxl.load_workbook(target)["Summary"].iter_rows()
        if r[0].value
    }
    assert summary["Kind"] == "personal"
    assert summary["Skipped records (no chat id)"] == 1
    assert summary["WhatsApp @lid ids (no phone number)"] == 1


def test_counts_print_with_thousands_separators(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    green_api_env.answer(make_contacts(1_234))
    code, out, _ = run(capsys, "export", "-o", str(tmp_path / "r.xlsx"))
    assert code == 0 and "saved 1,234 contacts" in out


def test_a_demo_report_is_no_previous_report_of_a_live_instance(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    demo = tmp_path / "demo.xlsx"
    assert run(capsys, "export", "--demo", "-o", str(demo))[0] == 0
    green_api_env.answer(REFERENCE_CONTACTS)
    code, _, err = run(capsys, "export", "--since", str(demo), "-o", str(tmp_path / "live.xlsx"))
    assert code == 2 and "built-in demo" in err
    assert green_api_env.requests == [], "refused before any request"


def test_since_compares_reports_of_the_same_kind_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    everything = tmp_path / "all.xlsx"
    assert run(capsys, "export", "--demo", "-o", str(everything))[0] == 0
    code, _, err = run(
        capsys,
        "export",
        "--demo",
        "--only",
        "groups",
        "--since",
        str(everything),
        "-o",
        str(tmp_path / "groups.xlsx"),
    )
    assert code == 2 and "holds all contacts, this run fetches groups" in err
    assert not (tmp_path / "groups.xlsx").exists()


def test_printing_contacts_loads_no_workbook_or_table_library(
    green_api_env: FakeGreenApi,
) -> None:
    """`contacts --format csv` needs neither a workbook writer nor pandas (nor
    numpy, which openpyxl pulls in): each would cost more than writing the CSV."""
    green_api_env.answer(make_contacts(50))
    code = (
        "import sys; from xl_contacts.cli import main; main(['contacts', '--format', 'csv']); "
        "heavy = ('openpyxl', 'pandas', 'numpy', 'xlwings', 'phonenumbers', 'keyring'); "
        "print(*[name for name in heavy if name in sys.modules], file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 51 and done.stderr.splitlines()[-1] == ""
