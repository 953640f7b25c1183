"""Data is not changed on the way out without a word: each command run as a
user runs it (the installed ``xl-contacts`` against the stand-in GREEN-API),
its output read back as a user's program or Excel would read it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from helpers import run_command
from python_calamine import CalamineWorkbook
from stand_in import FakeGreenApi

EMOJI = "\U0001f600"  # two UTF-16 code units, as Excel counts it

TELEGRAM = [
    {"chatId": "-100200300", "name": "Book club", "type": "group", "phoneNumber": 0},
    {"chatId": "-100200301", "name": "-1+2", "type": "group", "phoneNumber": 0},
    {"chatId": "10001", "name": "Anna", "contactName": "=1+1", "type": "user", "phoneNumber": 0},
    {"chatId": "10002", "name": "+7", "type": "user", "phoneNumber": 79001234567},
    {"chatId": "10003", "name": "-1.5", "type": "user", "phoneNumber": 0, "username": "boris"},
    {"chatId": "10004", "name": "@me", "type": "user", "phoneNumber": 79001234568},
]


def _csv(green_api: FakeGreenApi, *argv: str) -> tuple[list[list[str]], str]:
    result = run_command("contacts", "--format", "csv", *argv, env=green_api.env())
    assert result.returncode == 0, result.stderr
    return list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff")))), result.stderr


def _summary(path: Path) -> dict[str, object]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Summary").to_python()
    return {str(row[0]): row[1] for row in reversed(rows) if row and row[0]}


def test_a_plain_number_is_no_formula_in_csv(green_api: FakeGreenApi) -> None:
    green_api.answer(TELEGRAM)
    rows, _ = _csv(green_api)
    by_id = {row[0]: row for row in rows[1:]}
    assert by_id["-100200300"][0] == "-100200300"  # a group id, as sent
    assert by_id["-100200301"][1] == "'-1+2"  # a formula stays protected
    assert by_id["10001"][2] == "'=1+1"
    assert by_id["10002"][1] == "+7" and by_id["10003"][1] == "-1.5"
    assert by_id["10004"][1] == "'@me"


@pytest.mark.parametrize("count", [None, "1", "4", "6"])
def test_json_records_have_one_shape_whatever_the_count(
    green_api: FakeGreenApi, count: str | None
) -> None:
    # The stand-in answers a list cut as GREEN-API cuts it for ?count=N.
    shown = TELEGRAM[: int(count)] if count else TELEGRAM
    green_api.answer(shown)
    argv = ["contacts", "--format", "json", *(["--count", count] if count else [])]
    result = run_command(*argv, env=green_api.env())
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    assert len(records) == len(shown)
    keys = ["chatId", "name", "contactName", "type", "phoneNumber", "username"]
    assert all(list(record) == keys for record in records)
    usernames = {record["chatId"]: record["username"] for record in records}
    assert usernames.pop("10003", "boris") == "boris"
    assert set(usernames.values()) <= {None}  # null for the others, not left out


def test_a_value_over_the_cell_limit_is_cut_and_said(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    # 20,000 emoji: 20,000 characters for Python, 40,000 for Excel.
    long_name = EMOJI * 20_000
    green_api.answer([*TELEGRAM, {"chatId": "10005", "name": long_name, "type": "user"}])
    rows, err = _csv(green_api)
    assert rows[-1][1] == EMOJI * 16_383  # 32,766 code units: never half an emoji
    note = "1 value longer than Excel's 32,767-character cell limit, cut in workbooks and CSV"
    assert f"note: {note}" in err
    report = tmp_path / "r.xlsx"
    result = run_command("export", "-o", str(report), env=green_api.env())
    assert result.returncode == 0, result.stderr
    assert f"note: {note}" in result.stderr
    contacts = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("Contacts").to_python()
    assert contacts[-1][1] == EMOJI * 16_383
    assert _summary(report)["Values cut to the cell limit (32,767)"] == 1


def test_a_list_without_long_values_says_nothing_of_the_limit(
    green_api: FakeGreenApi, tmp_path: Path
) -> None:
    green_api.answer([*TELEGRAM, {"chatId": "10005", "name": "x" * 32_767, "type": "user"}])
    rows, err = _csv(green_api)
    assert len(rows[-1][1]) == 32_767 and "cell limit" not in err
    report = tmp_path / "r.xlsx"
    assert run_command("export", "-o", str(report), env=green_api.env()).returncode == 0
    assert "Values cut to the cell limit (32,767)" not in _summary(report)


@pytest.mark.parametrize("only", ["all", "saved"])  # streamed, and buffered
def test_hidden_numbers_are_counted_among_personal_contacts(
    green_api: FakeGreenApi, tmp_path: Path, only: str
) -> None:
    # Two groups (no phone number at all), two personal contacts with the
    # number hidden (0), two with a number: every one saved in the phone book.
    contacts = [{**record, "contactName": f"saved {i}"} for i, record in enumerate(TELEGRAM)]
    green_api.answer(contacts)
    report = tmp_path / "r.xlsx"
    result = run_command("export", "--only", only, "-o", str(report), env=green_api.env())
    assert result.returncode == 0, result.stderr
    summary = _summary(report)
    assert summary["Hidden phone numbers (personal contacts)"] == 2
    assert "Hidden phone numbers" not in summary
