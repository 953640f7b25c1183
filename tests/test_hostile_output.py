"""Names chosen by strangers, in every output: a name never leaves its CSV field
or cell, never reaches a terminal with control characters, and never breaks
the JSON output half-way.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import (
    Terminal,
    assert_no_token,
    cli,
    formulas_in,
    installed_command,
    libreoffice_converts,
)
from hostile_server import HostileServer, contact, json_answer, respond
from stand_in import ID_INSTANCE, TOKEN

from xl_contacts.base.cells import for_terminal
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.cli import main
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import COLUMNS
from xl_contacts.sinks import text_output

CR_NAMES = [
    "Anna\r=1+1",
    "\r=cmd|' /C calc'!A0",
    "two\rlines\nand\r\nmore",
    "ends with CR\r",
    "\r",
    'quote"\rquote',
]
C1 = ["\x80", "\x9b", "\x9d", "\x9f"]  # U+0085 is a line break: below
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
MARKS = ["\u200e", "\u200f", "\u061c"]
LINE_BREAKERS = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


def table_of(*names: str, **fields: Any) -> Any:
    return normalise([contact(name, chatId=f"{i}@c.us", **fields) for i, name in enumerate(names)])


# --- CSV: a carriage return never ends a field ------------------------------------------


def test_csv_quotes_every_field_with_a_carriage_return() -> None:
    out = io.StringIO(newline="")
    text_output.write_csv(table_of(*CR_NAMES), out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert len(rows) == 1 + len(CR_NAMES), "a CR started a new row"
    names = [row[1] for row in rows[1:]]
    for name, written in zip(CR_NAMES, names, strict=True):
        # Only quote prefixes added: at the start, and where a formula follows a
        # line break (an Excel splitting at ";" starts a cell there).
        assert re.sub("(^|[;\r\n])'", r"\1", written) == name


@pytest.mark.parametrize("name", CR_NAMES)
def test_csv_field_after_a_carriage_return_never_starts_a_row(name: str) -> None:
    out = io.StringIO(newline="")
    text_output.write_csv(table_of(name, "next"), out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert [row[0] for row in rows] == ["chatId", "0@c.us", "1@c.us"]


def test_csv_from_the_command_line_keeps_crs_inside_their_field(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_env.play(json_answer([contact(n, chatId=f"{i}@c.us") for i, n in enumerate(CR_NAMES)]))
    code, out, _ = cli(capsys, "contacts", "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"), newline="")))
    assert [row[0] for row in rows[1:]] == [f"{i}@c.us" for i in range(len(CR_NAMES))]


def test_csv_with_crs_opens_in_libreoffice_without_formulas(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    with source.open("w", encoding="utf-8-sig", newline="") as out:
        text_output.write_csv(table_of(*CR_NAMES, "=1+1", "@SUM(1)"), out)
    converted = libreoffice_converts(source, tmp_path, "xlsx")
    assert formulas_in(converted) == []
    sheet = openpyxl.load_workbook(converted).active
    assert [c.value for c in sheet["A"]][1:] == [f"{i}@c.us" for i in range(len(CR_NAMES) + 2)]


# --- the terminal: no control characters, one line per contact --------------------------


@pytest.mark.parametrize("char", C1 + BIDI + MARKS, ids=lambda c: f"U+{ord(c):04X}")
def test_terminal_text_drops_c1_and_bidi_controls(char: str) -> None:
    assert for_terminal(f"Anna{char}evil") == "Annaevil"


@pytest.mark.parametrize("char", LINE_BREAKERS, ids=lambda c: f"U+{ord(c):04X}")
def test_terminal_table_has_one_line_per_contact(char: str) -> None:
    out = io.StringIO()
    text_output.write_table(table_of(f"first{char}second", "other"), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4, lines  # header, rule, two contacts
    assert all(line.isprintable() for line in lines), lines


def test_terminal_table_shows_no_escape_sequences_from_any_column() -> None:
    table = normalise(
        [
            {
                "chatId": "\x1b[2J1@c.us",
                "name": "\x9b31mred",
                "contactName": "\u202etxt.exe",
                "type": "\x1b]0;title\x07",
                "\x1b[31mcolumn": "\x1b[5mblink",
            }
        ]
    )
    out = io.StringIO()
    text_output.write_table(table, out)
    assert out.getvalue().replace("\n", "").isprintable(), repr(out.getvalue())


def on_a_terminal(hostile: HostileServer, *argv: str) -> str:
    """What the installed command shows on a pseudo-terminal (its standard
    output), row ends made plain LF; it must succeed."""
    env = {
        **os.environ,
        ENV_API_URL: hostile.url,
        ENV_ID_INSTANCE: ID_INSTANCE,
        ENV_API_TOKEN: TOKEN,
    }
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [installed_command(), *argv],
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
        os.close(terminal)
        terminal = -1
        shown = b""
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0, process.stderr
    # Row ends: CRLF, which the terminal's own output processing may widen to CRCRLF.
    return re.sub("\r+\n", "\n", shown.decode("utf-8", "replace"))


def test_csv_to_a_terminal_is_sanitised(hostile: HostileServer) -> None:
    hostile.play(json_answer([contact("\x1b[31mred\x9b1m\u202eevil\rback")]))
    text = on_a_terminal(hostile, "contacts", "--format", "csv")
    assert "red" in text and "evil" in text
    assert not any(c in text for c in ("\x1b", "\x9b", "\u202e", "\r")), repr(text)


# A control the terminal drops before a trigger: dropped after the quote prefix
# was decided, it left the formula bare on the screen.
@pytest.mark.parametrize("char", ["\u200e", "\u202e", "\x9b"], ids=ascii)
def test_csv_to_a_terminal_starts_no_formula_once_controls_are_gone(
    hostile: HostileServer, char: str
) -> None:
    hostile.play(json_answer([contact(f"{char}=HYPERLINK(1)"), contact(f"{char}-2+3")]))
    text = on_a_terminal(hostile, "contacts", "--format", "csv")
    fields = [field for line in text.splitlines() for field in line.split(",")]
    assert "'=HYPERLINK(1)" in fields and "'-2+3" in fields, repr(text)


# U+2028/U+2029 are no controls, but a terminal (or a pager) may break the line there.
@pytest.mark.parametrize(
    "char", C1 + BIDI + MARKS + ["\x7f", "\u2028", "\u2029"], ids=lambda c: f"U+{ord(c):04X}"
)
def test_json_to_a_terminal_escapes_every_control_and_keeps_the_value(char: str) -> None:
    name = f"Anna{char}evil\u0436\U0001f600"
    out = Terminal()
    text_output.write_json(table_of(name), out)
    assert char not in out.getvalue()
    assert f"\\u{ord(char):04x}" in out.getvalue()
    assert "\u0436\U0001f600" in out.getvalue()  # printable text stays as it is
    assert json.loads(out.getvalue())[0]["name"] == name


def test_json_to_a_file_keeps_every_character_as_it_is(tmp_path: Path) -> None:
    name = "Anna\x9b\u202eevil"
    with (tmp_path / "out.json").open("w", encoding="utf-8") as out:
        text_output.write_json(table_of(name), out)
    assert name in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_json_from_the_command_line_to_a_terminal_is_sanitised(hostile: HostileServer) -> None:
    name = "\x1b[31mred\x9b1m\u202eevil\u2066x\x85y"
    hostile.play(json_answer([contact(name)]))
    text = on_a_terminal(hostile, "contacts", "--format", "json")
    assert not any(c in text for c in ("\x1b", "\x9b", "\u202e", "\u2066", "\x85")), repr(text)
    assert json.loads(text)[0]["name"] == name


def test_error_line_is_printable_even_when_the_server_sends_escapes(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_env.play(respond(b"<html>", content_type=b"text/html\x1b[2J\x1b]0;x\x07\x9b"))
    code, _, err = cli(capsys, "contacts")
    assert code == 1
    assert all(line.isprintable() for line in err.splitlines()), repr(err)


# --- lone surrogates: JSON, CSV, table and report stay whole ---------------------------


SURROGATE_BODY = (
    '[{"chatId": "1@c.us", "name": "Anna \\ud83d", "contactName": "\\udc00x",'
    ' "type": "user", "\\ud800key": "v"},'
    ' {"chatId": "2@c.us", "name": "Boris \\ud83d\\ude00", "type": "user"}]'
)


@pytest.mark.parametrize("output_format", ["json", "csv", "table"])
def test_lone_surrogates_never_break_an_output_half_way(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], output_format: str
) -> None:
    hostile_env.play(respond(SURROGATE_BODY))
    code, out, _ = cli(capsys, "contacts", "--format", output_format)
    assert code == 0
    assert "Boris 😀" in out, "the valid pair after the broken one is still there"
    if output_format == "json":
        records = json.loads(out)
        assert [r["chatId"] for r in records] == ["1@c.us", "2@c.us"]


def test_lone_surrogates_become_replacement_characters_in_the_table() -> None:
    table = normalise(json.loads(SURROGATE_BODY))
    assert table.rows[0][1] == "Anna \ufffd" and table.rows[1][1] == "Boris 😀"
    assert all(not ("\ud800" <= ch <= "\udfff") for row in table.rows for v in row for ch in v)
    assert all(not ("\ud800" <= ch <= "\udfff") for h in table.columns for ch in h)


def test_json_to_a_file_is_valid_utf8_with_lone_surrogates(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    with path.open("w", encoding="utf-8") as out:
        text_output.write_json(normalise(json.loads(SURROGATE_BODY)), out)
    assert json.loads(path.read_bytes().decode("utf-8"))[0]["name"] == "Anna \ufffd"


def test_report_with_lone_surrogates_and_crs_keeps_every_name_in_its_cell(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    names = [*CR_NAMES, "Anna \ud83d", '=HYPERLINK("http://x")']
    hostile_env.play(json_answer([contact(n, chatId=f"{i}@c.us") for i, n in enumerate(names)]))
    target = tmp_path / "r.xlsx"
    code, _, err = cli(capsys, "export", "-o", str(target))
    assert code == 0, err
    assert formulas_in(target) == []
    sheet = openpyxl.load_workbook(target)["Contacts"]
    assert sheet.max_row == 1 + len(names)
    assert [c.value for c in sheet[1]][: len(COLUMNS)] == list(COLUMNS)
    assert sheet.cell(row=2, column=2).value == "Anna\r=1+1"


def test_json_output_is_never_cut_when_stdout_is_narrow(tmp_path: Path) -> None:
    # A console code page without Cyrillic or emoji: the JSON still ends.
    program = (
        "import io, sys; sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding='cp1252');"
        "from xl_contacts.cli import main;"
        "sys.exit(main(['contacts', '--demo', '--format', 'json']))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, timeout=60, env={**os.environ}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(b"]")


def test_doctor_shows_what_a_hostile_server_says_as_plain_text(
    hostile_env: HostileServer, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile_env.play(json_answer({"stateInstance": "\x1b[2J\u202eauthorized\x9b"}))
    main(["doctor"])
    out, err = capsys.readouterr()
    assert "authorized" in out
    assert all(line.isprintable() for line in (out + err).splitlines()), repr(out)
    assert_no_token(out, err)
