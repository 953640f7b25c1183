"""Answers shaped to blow up the table: thousands of distinct keys, junk phone
numbers, odd keys. The table stays within a sane number of columns, keeps the
contract columns, and says what it left out.
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import assert_no_token
from hostile_server import HostileServer, contact, json_answer, many_keys

from xl_contacts.base.bounds import MAX_EXTRA_COLUMNS
from xl_contacts.base.names import LABEL_LEFT_OUT, PHONE_COLUMNS
from xl_contacts.cli import main
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import COLUMNS

LIMIT = len(COLUMNS) + MAX_EXTRA_COLUMNS


def test_extra_columns_are_capped_at_a_sane_number() -> None:
    assert 10 <= MAX_EXTRA_COLUMNS <= 200
    table = normalise(many_keys(contacts=17, keys=1000))
    assert len(table.columns) == LIMIT
    assert all(len(row) == LIMIT for row in table.rows)
    assert len(table.left_out) == 17 * 1000 - MAX_EXTRA_COLUMNS


def test_the_first_seen_extras_are_the_ones_kept() -> None:
    table = normalise(many_keys(contacts=2, keys=100))
    assert table.columns[len(COLUMNS) :] == [f"k0_{k}" for k in range(MAX_EXTRA_COLUMNS)]
    assert table.left_out[:2] == [f"k0_{MAX_EXTRA_COLUMNS}", f"k0_{MAX_EXTRA_COLUMNS + 1}"]


def test_contract_columns_are_kept_even_when_extras_come_first() -> None:
    record = {f"x{k}": k for k in range(500)}
    record.update(chatId="1@c.us", name="Anna", type="user", phoneNumber=79001234567)
    table = normalise([record])
    assert table.columns[: len(COLUMNS)] == list(COLUMNS)
    assert table.rows[0][: len(COLUMNS)] == ["1@c.us", "Anna", "", "user", "79001234567"]


def test_twenty_thousand_keys_in_one_contact_do_not_crash() -> None:
    table = normalise(many_keys(contacts=1, keys=20_005))
    assert len(table.columns) == LIMIT


def test_sparse_keys_answer_stays_small() -> None:
    # ~0.7 MB of JSON in which every contact brings ten keys nobody else has.
    raw = [
        {"chatId": f"{n}@c.us", "name": "x", **{f"{n}_{k}": 1 for k in range(10)}}
        for n in range(7000)
    ]
    assert 0.5e6 < len(json.dumps(raw)) < 1.5e6
    tracemalloc.start()
    try:
        table = normalise(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(table.columns) == LIMIT
    assert peak < 100e6, f"{peak / 1e6:.0f} MB for a 0.7 MB answer"


def test_whatsapp_id_key_does_not_use_up_an_extra_column() -> None:
    raw = [{"id": "1@c.us", "name": "A", **{f"e{k}": k for k in range(100)}}]
    table = normalise(raw)
    assert table.rows[0][0] == "1@c.us"
    assert "id" not in table.columns and len(table.columns) == LIMIT


def test_cli_says_which_fields_were_left_out(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_env.play(json_answer(many_keys(contacts=3, keys=100)))
    code, _out, err = main(["contacts", "--format", "csv"]), *capsys.readouterr()
    assert code == 0
    assert f"{3 * 100 - MAX_EXTRA_COLUMNS}" in err and "left out" in err
    assert_no_token(err)


def test_report_of_many_keys_fits_excel_and_says_what_was_left_out(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hostile_env.play(json_answer(many_keys(contacts=17, keys=1000)))
    target = tmp_path / "r.xlsx"
    assert main(["export", "-o", str(target)]) == 0
    err = capsys.readouterr().err
    assert "left out" in err
    book = openpyxl.load_workbook(target)
    assert book["Contacts"].max_column == LIMIT + len(PHONE_COLUMNS)  # the report's own two
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True) if row}
    assert f"{17 * 1000 - MAX_EXTRA_COLUMNS:,} more fields left out" in summary[LABEL_LEFT_OUT]


# --- junk in the contract columns ---------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"a": 1}, id="object"),
        pytest.param([1, 2], id="list"),
        pytest.param([[7], {"9": 0}], id="nested"),
        pytest.param(True, id="true"),
        pytest.param(-79001234567, id="negative"),
        pytest.param(1e300, id="huge-float"),
        pytest.param(float("nan"), id="nan"),
        pytest.param(float("inf"), id="infinity"),
        pytest.param("call me", id="words"),
        pytest.param("1" * 40, id="forty-digits"),
        pytest.param("=1+1", id="formula"),
        pytest.param("", id="empty"),
    ],
)
def test_junk_phone_number_becomes_empty(value: Any) -> None:
    table = normalise([contact(phoneNumber=value)])
    assert table.rows[0][COLUMNS.index("phoneNumber")] == ""


@pytest.mark.parametrize(
    ("value", "digits"),
    [(79001234567, "79001234567"), ("+7 (900) 123-45-67", "79001234567"), (7.9e10, "79000000000")],
)
def test_real_phone_numbers_still_come_through(value: Any, digits: str) -> None:
    assert normalise([contact(phoneNumber=value)]).rows[0][COLUMNS.index("phoneNumber")] == digits


@pytest.mark.parametrize("value", [{"x": "=1+1"}, ["a", "b"], None, 12.5, True], ids=repr)
def test_odd_values_in_text_columns_become_text(value: Any) -> None:
    table = normalise([contact(value, contactName=value, type=value)])
    assert all(isinstance(v, str) for v in table.rows[0])


@pytest.mark.parametrize("value", [{"x": "=1+1"}, ["a", "b"], None, 12.5, True], ids=repr)
def test_an_odd_chat_id_is_skipped_and_counted(value: Any) -> None:
    table = normalise([contact(chatId=value), contact()])
    assert (len(table.rows), table.skipped) == (1, 1)


@pytest.mark.parametrize(
    "key",
    ["", " ", "\x1b[31mred", "a" * 10_000, "ChatId", "NAME", "\r\n", "=1+1"],
    ids=["empty", "space", "escape", "long", "chatid-case", "name-case", "crlf", "formula"],
)
def test_odd_keys_become_safe_unique_headers_in_a_report(key: str, tmp_path: Path) -> None:
    from xl_contacts.sinks.xlsx_report import write_report

    table = normalise([{**contact(), key: "value"}])
    target = write_report(table, tmp_path / "r.xlsx")
    headers = [c.value for c in openpyxl.load_workbook(target)["Contacts"][1]]
    assert headers[: len(COLUMNS)] == list(COLUMNS)
    assert len({h.casefold() for h in headers}) == len(headers)
    assert all(h and len(h) <= 255 and h.isprintable() for h in headers)
