"""Our comma CSV opened by double-click in an Excel whose list separator is ";"
(Russian, German, French Windows): Excel splits each *line* at every ";" --
before, and regardless of, the CSV's quoting -- so the text right after a ";"
(or a line break) inside a name starts a cell of its own. ``Ann;=1+1`` must not
become ``=1+1``.

OWASP (CSV Injection): "take care of the field separator (e.g. ',' or ';') ...
as attackers could use this to start a new cell and then have the dangerous
character in the middle of the user input, but at the beginning of a cell."

LibreOffice, told to split at ";" only (``--infilter=CSV:59,...``), opens the
file as such an Excel does; it runs only "=" as a formula (Excel also "+",
"-", "@"), so the split of every line is checked too, for all four.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import cli, formulas_in, libreoffice_converts
from hostile_server import contact
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stand_in import FakeGreenApi

from xl_contacts.base.cells import FORMULA_TRIGGERS
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import ContactTable
from xl_contacts.sinks import text_output

# Each ";" followed, at once or after quotes and spaces (an Excel cell may
# start with a quoted field, and "" is how a quote inside a field is written),
# by what starts a formula.
SEMICOLON_NAMES = [
    "Ann;=1+1",
    "Ann;+1+1",
    "Ann;-1+1",
    "Ann;@SUM(1,2)",
    "Ann;=1+1, and a comma",  # quoted for the comma: no help, the split is mid-field
    'Ann;"=1+1"',
    'Ann;""=1+1',
    "Ann; =1+1",
    "Ann;\t=1+1",
    "Ann;;=1+1",
    "Ann;x;=1+1",
    ";=1+1",
    "Ann;-1",  # "-1,user,…" up to the line's end or next ";": no plain number
    # A line break inside a name ends that Excel's line there: the csv module's
    # quotes around the field sit mid-cell for it and hold nothing together.
    "x\n=1+1;",
    "x\r\n@SUM(1);",
    "x\r=1+1",
    "x\n\n-2",
]
# ";" in a name that starts no formula: left exactly as it is.
HARMLESS = ["Smith; John", "a;b", ";", "Ann;", "Ann;1", "Ann; 1-2", "x;y;z"]
# The Excel of such a Windows: ";" between cells.
SEMICOLON_EXCEL = "CSV:59,34,76,1"


def csv_of(*names: str, **fields: Any) -> str:
    table = normalise([contact(name, chatId=f"{i}@c.us", **fields) for i, name in enumerate(names)])
    out = io.StringIO()
    text_output.write_csv(table, out)
    return out.getvalue()


def semicolon_cells(text: str) -> list[str]:
    """Every cell an Excel splitting at ";" sees: each line (ended by any line
    break) cut at each ";" -- whatever the quotes say."""
    return [cell for line in text.splitlines() for cell in line.split(";")]


def starts_a_formula(cell: str) -> bool:
    """Whether ``cell`` starts with a trigger after any quotes and spaces (more
    than Excel needs: a check that errs towards protecting)."""
    return cell.lstrip('" ').startswith(FORMULA_TRIGGERS)


@pytest.mark.parametrize("name", SEMICOLON_NAMES)
def test_no_cell_after_a_semicolon_starts_a_formula(name: str) -> None:
    cells = semicolon_cells(csv_of(name, "next"))
    assert cells, "the name's ';' is in the file"
    assert not [cell for cell in cells if starts_a_formula(cell)]


# A Telegram group's id is a plain number with a sign, and the cell an Excel
# splitting at ";" starts at the line's start runs on over the next fields: a
# ";" or line break in the group's name ends it there, and "-100200300,1+1"
# is a formula (in a locale whose decimal separator is ",": -100200299.9).
GROUP_NAMES = ["1+1;", "1+cmd|' /C calc'!A0;x", "x;=1+1", "1+1\n", "1+1\r\nx"]


@pytest.mark.parametrize("name", GROUP_NAMES)
def test_a_group_id_first_in_its_line_starts_no_formula_either(name: str) -> None:
    table = normalise([{"chatId": "-100200300", "name": name, "type": "group", "phoneNumber": 0}])
    out = io.StringIO()
    text_output.write_csv(table, out)
    cells = semicolon_cells(out.getvalue())
    assert cells[0].startswith("chatId,")  # the header's line, then the group's
    assert not [cell for cell in cells if starts_a_formula(cell)]


def test_a_group_id_keeps_its_sign_where_no_cell_runs_on() -> None:
    """Without a ";" or line break after it in its row the id is one field of a
    line no Excel runs as a formula (a comma Excel reads the number as such)."""
    raw = [{"chatId": "-100200300", "name": "Book club; 2", "type": "group"}]
    raw += [{"chatId": "-100200301", "name": "Book club", "type": "group", "phoneNumber": 0}]
    out = io.StringIO()
    text_output.write_csv(normalise(raw), out)
    rows = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert [row[0] for row in rows[1:]] == ["'-100200300", "-100200301"]


def test_nor_in_a_column_name_from_the_server() -> None:
    text = csv_of("Ann", **{"note;=1+1": "v;@SUM(1)"})
    assert not [cell for cell in semicolon_cells(text) if starts_a_formula(cell)]


def test_from_the_command_line_too(
    capsys: pytest.CaptureFixture[str], green_api_env: FakeGreenApi
) -> None:
    green_api_env.answer(
        [contact(name, chatId=f"{i}@c.us") for i, name in enumerate(SEMICOLON_NAMES)]
    )
    code, out, err = cli(capsys, "contacts", "--format", "csv")
    assert code == 0, err
    assert not [cell for cell in semicolon_cells(out) if starts_a_formula(cell)]


def test_libreoffice_splitting_at_semicolons_finds_no_formula(tmp_path: Path) -> None:
    source = tmp_path / "contacts.csv"
    source.write_text(csv_of(*SEMICOLON_NAMES), encoding="utf-8-sig", newline="")
    converted = libreoffice_converts(source, tmp_path, "xlsx", infilter=SEMICOLON_EXCEL)
    assert formulas_in(converted) == []


def test_the_semicolon_excel_emulation_does_find_one(tmp_path: Path) -> None:
    """The check above can fail: a ";" line whose second cell is "=1+1" opens as a formula."""
    source = tmp_path / "plain.csv"
    source.write_text("name\r\nAnn;=1+1\r\n", encoding="utf-8-sig", newline="")
    converted = libreoffice_converts(source, tmp_path, "xlsx", infilter=SEMICOLON_EXCEL)
    assert formulas_in(converted) != []


@pytest.mark.parametrize("name", HARMLESS)
def test_a_semicolon_that_starts_no_formula_is_left_alone(name: str) -> None:
    (_header, *rows) = csv.reader(io.StringIO(csv_of(name), newline=""))
    assert rows[0][1] == name


def test_the_semicolon_names_stay_in_their_comma_field() -> None:
    """However they are protected, a comma reader still finds each in its own field."""
    rows = list(csv.reader(io.StringIO(csv_of(*SEMICOLON_NAMES), newline="")))
    assert len(rows) == len(SEMICOLON_NAMES) + 1
    for row, name in zip(rows[1:], SEMICOLON_NAMES, strict=True):
        assert row[1].replace("'", "") == name, row  # only quote prefixes added


def _cells_that_start_a_formula(text: str) -> list[tuple[str, bool]]:
    """Each cell of ``text`` an Excel splitting at ";" would run as a formula
    (``starts_a_formula``), with whether it is a whole CSV row of no ";" (its
    first field a plain number). At a row's own start a quote opens a quoted
    field (the csv module writes a value's quote doubled inside one), so only a
    trigger right there counts."""
    row_starts, at = set(), 0
    for row in csv.reader(io.StringIO(text, newline="")):
        row_starts.add(at)
        written = io.StringIO()
        csv.writer(written, lineterminator="\r\n").writerow(row)
        at += len(written.getvalue())
    found = []
    for line in re.finditer("(?:^|(?<=[\r\n]))[^\r\n]*", text):
        cells = line.group().split(";")
        for i, cell in enumerate(cells):
            at_row_start = i == 0 and line.start() in row_starts
            if cell.startswith(FORMULA_TRIGGERS) if at_row_start else starts_a_formula(cell):
                found.append((cell, at_row_start and len(cells) == 1))
    return found


_PIECES = st.sampled_from([*";\r\n\"' =+-@\t,1a", "\r\n", "\xa0", "\u2028"])
_FIELDS = st.lists(_PIECES, max_size=6).map("".join)
_FIRST = st.sampled_from(["-100200300", "+7", "-1.5", "79001234567", "1@c.us"]) | _FIELDS


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda width: st.lists(
            st.tuples(_FIRST, st.lists(_FIELDS, min_size=width - 1, max_size=width - 1)),
            min_size=1,
            max_size=4,
        )
    )
)
@example([("-100200300", ["", "", ";"])])
@example([("+7", ['x\r\n""-1', "a"]), ("1", ['"=', ";"])])
def test_only_a_whole_row_of_no_semicolon_can_start_a_formula(
    rows: list[tuple[str, list[str]]],
) -> None:
    """Whatever the fields: a cell that starts a formula for an Excel splitting
    at ";" is a whole row without a ";" or line break, which starts with a
    plain number (and runs on over every field, ",group," among them)."""
    table = ContactTable([f"c{i}" for i in range(len(rows[0][1]) + 1)], [[a, *b] for a, b in rows])
    out = io.StringIO()
    text_output.write_csv(table, out)
    assert [
        cell for cell, whole_row in _cells_that_start_a_formula(out.getvalue()) if not whole_row
    ] == []
