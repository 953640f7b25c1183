"""Reading back a report this tool wrote, without calamine (``own_report``).

The fast reader must give exactly the rows calamine gives, for any contacts our
writer was handed; anything not in our writer's shape (a report re-saved by
openpyxl or LibreOffice, a tampered sheet) goes calamine's way, and what that
way refuses is refused with the same one line.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import libreoffice_converts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError
from stand_in import HOSTILE_NAMES, ID_INSTANCE

from xl_contacts.base.errors import ReportError
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.diff import compare
from xl_contacts.domain.table import COLUMNS
from xl_contacts.domain.values import rows_text
from xl_contacts.sinks.own_report import check_plausible as check_bytes
from xl_contacts.sinks.previous_report import read_previous
from xl_contacts.sinks.xlsx_report import write_report

SHEET = "xl/worksheets/sheet1.xml"  # the Contacts sheet, where openpyxl puts it
WIDTH = len(COLUMNS)


def calamine_rows(path: Path) -> list[list[str]]:
    """The Contacts sheet's contract columns as calamine gives them (header first),
    made text the way previous_report's calamine way makes them."""
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Contacts")
    return rows_text(row[:WIDTH] for row in sheet.iter_rows())


def check_plausible(path: Path, width: int = 0) -> list[list[str]] | None:
    """own_report's look at the file's bytes (and, with ``width``, its read)."""
    return check_bytes(path.read_bytes(), repr(str(path)), width)


def contacts(names: list[str]) -> list[dict[str, Any]]:
    return [
        {
            "chatId": f"{i}@c.us",
            "name": name,
            "contactName": name[::-1],
            "type": "user",
            "phoneNumber": 79000000000 + i,
            "note": name,  # an extra column after the contract's
        }
        for i, name in enumerate(names)
    ]


def report(tmp_path: Path, names: list[str], file: str = "old.xlsx") -> Path:
    return write_report(normalise(contacts(names), id_instance=ID_INSTANCE), tmp_path / file)


def edited(path: Path, out: Path, edit: Callable[[str], str]) -> Path:
    """``path`` with its Contacts sheet's XML changed by ``edit`` (a valid zip)."""
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for info in source.infolist():
            data = source.read(info)
            sink.writestr(info, edit(data.decode()).encode() if info.filename == SHEET else data)
    return out


def outcome(path: Path) -> Any:
    """read_previous's rows, or its refusal."""
    try:
        return read_previous(path, ID_INSTANCE).rows
    except ReportError as error:
        return f"refused: {error}"


def calamines_outcome(path: Path) -> Any:
    """What the calamine way gives: the rows calamine reads (no empty ones)."""
    try:
        return [row for row in calamine_rows(path)[1:] if any(row)]
    except CalamineError:
        not_readable = "is not a report of xl-contacts (not a readable .xlsx workbook)"
        return f"refused: {str(path)!r} {not_readable}"


# Names our writer must carry: everything a stranger may type, and what XML,
# Excel and calamine treat specially.
SPECIAL = [
    *HOSTILE_NAMES,
    " edge ",
    "\tTab\t",
    "\nLF\n",
    "a\r\nb\rc",
    "&amp; <b> &lt; ]]> &#13;",
    "_x000D_ and _X0041_",
    "_x005F_x0041_",
    "a_x0041__x005f_",
    "\ud83d lone surrogate",
    "😀 \u00a0nbsp\u00a0",
    "\u3000ideographic space\u3000",
    "",
    " ",
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(st.sampled_from(SPECIAL), st.text()), min_size=0, max_size=12))
def test_fast_reader_gives_calamines_rows(tmp_path: Path, names: list[str]) -> None:
    # Whatever the contacts, what our writer wrote is read here, never left to calamine.
    path = report(tmp_path, names)
    assert check_plausible(path, WIDTH) == calamine_rows(path)


def test_a_report_of_ours_is_read_fast_and_compares(tmp_path: Path) -> None:
    names = SPECIAL
    path = report(tmp_path, names)
    assert check_plausible(path, WIDTH) is not None
    previous = read_previous(path, ID_INSTANCE)
    assert [["chatId", *COLUMNS[1:]], *previous.rows] == calamine_rows(path)
    again = compare(previous.rows, normalise(contacts(names), id_instance=ID_INSTANCE))
    assert again.rows == []  # the same contacts: nothing changed, whatever their names


def test_a_streamed_export_is_read_fast(tmp_path: Path) -> None:
    from xl_contacts.cli import main

    path = tmp_path / "demo.xlsx"
    assert main(["export", "--demo", "-o", str(path)]) == 0
    assert check_plausible(path, WIDTH) == calamine_rows(path)


def test_a_report_resaved_by_openpyxl_is_read_by_calamine(tmp_path: Path) -> None:
    path = report(tmp_path, ["Ann", "Bob & Co", " spaced "])
    book = openpyxl.load_workbook(path)
    resaved = tmp_path / "resaved.xlsx"
    book.save(resaved)
    assert check_plausible(resaved, WIDTH) is None  # shared strings: not our shape
    previous = read_previous(resaved, ID_INSTANCE)
    assert previous.rows == read_previous(path, ID_INSTANCE).rows
    changes = compare(previous.rows, normalise(contacts(["Ann", "Bob"]), id_instance=ID_INSTANCE))
    assert changes.describe() == "0 added, 1 removed, 1 changed"


def test_a_report_resaved_by_libreoffice_is_read_by_calamine(tmp_path: Path) -> None:
    path = report(tmp_path, ["Ann", "Bob & Co", "Cat"])
    (tmp_path / "lo").mkdir()
    resaved = libreoffice_converts(path, tmp_path / "lo", "xlsx")
    assert check_plausible(resaved, WIDTH) is None
    previous = read_previous(resaved, ID_INSTANCE)
    assert previous.rows == read_previous(path, ID_INSTANCE).rows
    changes = compare(previous.rows, normalise(contacts(["Ann", "Bob"]), id_instance=ID_INSTANCE))
    assert changes.describe() == "0 added, 1 removed, 1 changed"


def _swap_rows(xml: str) -> str:
    two, three = (re.search(rf'<row r="{n}">.*?</row>', xml)[0] for n in (2, 3))  # type: ignore[index]
    return xml.replace(two + three, three + two)


# Sheets a little off our writer's shape: calamine's way reads (or refuses) them.
TAMPERED: dict[str, Callable[[str], str]] = {
    "rows out of order": _swap_rows,
    "a cell placed in another row": lambda x: x.replace('<c r="B2" ', '<c r="B3" ', 1),
    "a cell out of its column": lambda x: x.replace('<c r="C2" ', '<c r="H2" ', 1),
    "an entity we never write": lambda x: x.replace("<t>Bob", "<t>&quot;Bob", 1),
    "an _xHHHH_ escape": lambda x: x.replace("<t>Bob", "<t>_x0041_Bob", 1),
    "a raw CR": lambda x: x.replace("<t>Bob", "<t>B\rob", 1),
    "edge spaces without xml:space": lambda x: x.replace("<t>Bob", "<t> Bob ", 1),
    "a shared string": lambda x: x.replace(
        '<c r="B2" t="inlineStr"><is><t>Ann</t></is></c>', '<c r="B2" t="s"><v>0</v></c>'
    ),
    "a comment among the rows": lambda x: x.replace("</row>", "</row><!-- x -->", 2),
    "a declared extent": lambda x: x.replace(
        "<sheetData>", '<dimension ref="A1:XFD1"/><sheetData>'
    ),
    "a cell far away": lambda x: x.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    ),
    "a second sheetData": lambda x: x.replace(
        "</worksheet>", '<sheetData><row r="9"></row></sheetData></worksheet>'
    ),
    "not UTF-8": lambda x: x.replace("<t>Bob", "<t>\udcff", 1),  # raises: see below
}
# What check_plausible refuses before calamine sees the file.
REFUSED_BEFORE_CALAMINE = {
    "a declared extent",
    "a cell far away",
    "not UTF-8",
    "a comment among the rows",
}


@pytest.mark.parametrize("how", TAMPERED)
def test_a_tampered_sheet_is_read_or_refused_as_calamines_way_does(
    tmp_path: Path, how: str
) -> None:
    path = report(tmp_path, ["Ann", "Bob", "Cat"])
    try:
        hostile = edited(path, tmp_path / "hostile.xlsx", TAMPERED[how])
    except UnicodeEncodeError:  # not UTF-8: the bytes as they are
        with zipfile.ZipFile(path) as package:
            data = package.read(SHEET).replace(b"<t>Bob", b"<t>\xff", 1)
        hostile = _with_sheet(path, tmp_path / "hostile.xlsx", data)
    try:
        fast = check_plausible(hostile, WIDTH)
    except ReportError:
        fast = None
    assert fast is None, how  # calamine's way then, which reads it or refuses it
    result = outcome(hostile)
    if isinstance(result, str):
        assert "\n" not in result and "hostile.xlsx" in result
        if how not in REFUSED_BEFORE_CALAMINE:
            assert result == calamines_outcome(hostile)
    else:
        assert result == calamines_outcome(hostile)


def _with_sheet(path: Path, out: Path, sheet: bytes) -> Path:
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for info in source.infolist():
            sink.writestr(info, sheet if info.filename == SHEET else source.read(info))
    return out


def test_a_wrong_checksum_is_refused_as_calamine_refuses_it(tmp_path: Path) -> None:
    path = report(tmp_path, ["Ann", "Bob"])
    with zipfile.ZipFile(path) as package:
        crc = package.getinfo(SHEET).CRC.to_bytes(4, "little")
    data = path.read_bytes()
    assert data.count(crc) == 2  # the local and the central header
    hostile = tmp_path / "crc.xlsx"
    hostile.write_bytes(
        data.replace(crc, (int.from_bytes(crc, "little") ^ 1).to_bytes(4, "little"))
    )
    assert calamines_outcome(hostile).startswith("refused: ")  # calamine checks it, so do we
    assert outcome(hostile).startswith("refused: ") and "is damaged" in outcome(hostile)


def test_a_cell_right_of_the_header_is_refused(tmp_path: Path) -> None:
    path = report(tmp_path, ["Ann", "Bob"])
    far = '<c r="BZ3" t="inlineStr"><is><t>x</t></is></c></row>'
    hostile = edited(path, tmp_path / "wide.xlsx", lambda xml: xml.replace("</row>", far, 3))
    with pytest.raises(ReportError, match="cells right of its header"):
        check_plausible(hostile)  # the general look
    with pytest.raises(ReportError, match="cells right of its header"):
        check_plausible(hostile, WIDTH)  # and the look that reads


def test_a_header_of_many_columns_is_a_reports(tmp_path: Path) -> None:
    # Reports of several instances are as wide as their extra fields make them.
    path = report(tmp_path, ["Ann", "Bob"])

    def wide(xml: str) -> str:
        cells = "".join(
            f'<c r="{get_column_letter(i)}1" s="1" t="inlineStr"><is><t>h{i}</t></is></c>'
            for i in range(9, 2001)
        )
        return xml.replace("</row>", cells + "</row>", 1)

    wider = edited(path, tmp_path / "wide.xlsx", wide)
    assert check_plausible(wider, WIDTH) is None  # past the patterns' width: calamine's way
    assert read_previous(wider, ID_INSTANCE).rows == read_previous(path, ID_INSTANCE).rows


def test_rows_past_a_reports_extent_are_not_held(tmp_path: Path) -> None:
    # A sheet of our shape with more rows than Excel has: the fast reader gives up
    # as soon as it passes them (holding them would cost memory without bound),
    # and the general look refuses the file with its usual line.
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>x</t></is></c></row>'
        for i in range(2, 1_048_578)
    )
    path = edited(
        report(tmp_path, ["a"]),
        tmp_path / "tall.xlsx",
        lambda xml: re.sub(r'<row r="2">.*</row>', lambda _: rows, xml, flags=re.S),
    )
    with pytest.raises(ReportError, match="cells beyond Excel's grid"):
        check_plausible(path, WIDTH)
