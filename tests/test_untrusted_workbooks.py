"""Crafted workbooks against the two readers of untrusted files (issue 23):
``export --since FILE`` and the look at an existing ``-o`` target. The check
and the reader must read one file one way: a crafted file is refused with exit
2 and one clear line, or read exactly as calamine reads it -- the process
never aborts (SIGABRT, exit 134). The files that aborted it (issue 23, items
1-4) go to the installed command in a subprocess, as a user runs it, where an
abort is its exit status; the others to the command line in this process
(``main``, what the console script calls), where an abort would end the test
run: a crash that fails the suite all the same, without a Python to start
for each of the hundred-odd commands.
"""

from __future__ import annotations

import contextlib
import io
import re
import struct
import subprocess
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import run_command

from xl_contacts.base.errors import ReportError
from xl_contacts.cli import main
from xl_contacts.domain.demo import DEMO_INSTANCE_ID
from xl_contacts.domain.table import COLUMNS
from xl_contacts.domain.values import rows_text
from xl_contacts.sinks import sandbox
from xl_contacts.sinks.previous_report import read_previous

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK, RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
CONTACTS, SUMMARY = "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"
FAR = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.xlsx"
    assert main(["export", "--demo", "-o", str(path)]) == 0
    with zipfile.ZipFile(path) as package:  # where openpyxl puts the two sheets
        rels = package.read(RELS).decode()
        assert 'Target="/xl/worksheets/sheet1.xml" Id="rId1"' in rels
        assert '<sheet name="Contacts" sheetId="1" state="visible" r:id="rId1" />' in (
            package.read(WORKBOOK).decode()
        )
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as package:
        return {info.filename: package.read(info) for info in package.infolist()}


def crafted(report: Path, out: Path, edit: Callable[[dict[str, bytes]], dict[str, bytes]]) -> Path:
    """``report`` with its parts changed by ``edit``, written as a plain zip."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        for name, data in edit(parts(report)).items():
            sink.writestr(name, data)
    return out


def text_edit(
    part: str, change: Callable[[str], str]
) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def edit(found: dict[str, bytes]) -> dict[str, bytes]:
        return {**found, part: change(found[part].decode()).encode()}

    return edit


def before_sheet_data_end(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>")


def run_cli(*argv: str, installed: bool = False) -> subprocess.CompletedProcess[str]:
    """The command line run in this process, or with ``installed`` the console
    script in a subprocess: its exit status, stdout and stderr."""
    if installed:
        return run_command(*argv, timeout=300)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return subprocess.CompletedProcess(list(argv), code, out.getvalue(), err.getvalue())


def assert_refused(result: subprocess.CompletedProcess[str], name: str) -> str:
    """Exit 2 and one line naming the file: never an abort (134 / -6), never a traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("xl-contacts: error: ") and name in line, line
    return line


def refused_both_ways(path: Path, tmp_path: Path, *, installed: bool = False) -> str:
    """``--since FILE`` and ``-o FILE``: both refused, the file left as it was;
    the line of ``--since``, which says what is wrong with the file."""
    before = path.read_bytes()
    new = str(tmp_path / "new.xlsx")
    since = run_cli("export", "--demo", "-o", new, "--since", str(path), installed=installed)
    target = run_cli("export", "--demo", "-o", str(path), installed=installed)
    assert "exists and is not a report of xl-contacts" in assert_refused(target, path.name)
    assert path.read_bytes() == before and not (tmp_path / "new.xlsx").exists()
    return assert_refused(since, path.name)


def since_says(path: Path, tmp_path: Path) -> str:
    result = run_cli("export", "--demo", "-o", str(tmp_path / "new.xlsx"), "--since", str(path))
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def calamine_rows(path: Path) -> list[list[str]]:
    """What calamine reads as the Contacts sheet (in a child: it may abort)."""
    program = (
        "import json, sys; from python_calamine import CalamineWorkbook;"
        f"b = CalamineWorkbook.from_path({str(path)!r});"
        "print(json.dumps(b.get_sheet_by_name('Contacts').to_python()))"
    )
    import json
    import sys

    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return rows_text(row[: len(COLUMNS)] for row in json.loads(done.stdout))


@pytest.fixture(scope="module")
def report_rows(report: Path) -> list[list[str]]:
    """What calamine reads as the demo report's Contacts sheet."""
    return calamine_rows(report)


# --- 1-3: cells calamine finds and a check by patterns did not -----------------------------


def test_1_far_cell_written_with_a_prefix(report: Path, tmp_path: Path) -> None:
    def prefixed(xml: str) -> str:
        xml = xml.replace(
            f'<worksheet xmlns="{MAIN}"', f'<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}"'
        )
        far = FAR.replace("row", "x:row").replace("<c ", "<x:c ").replace("</c>", "</x:c>")
        return before_sheet_data_end(xml, far)

    path = crafted(report, tmp_path / "prefixed.xlsx", text_edit(CONTACTS, prefixed))
    line = refused_both_ways(path, tmp_path, installed=True)
    assert "cells right of its header" in line


def test_2_far_cell_in_the_summary_of_a_target(report: Path, tmp_path: Path) -> None:
    path = crafted(
        report,
        tmp_path / "summary.xlsx",
        text_edit(SUMMARY, lambda x: before_sheet_data_end(x, FAR)),
    )
    # Inside Excel's grid: calamine reads it, in a child whose allocation fails.
    assert "would take more than 4 GiB of memory" in refused_both_ways(
        path, tmp_path, installed=True
    )


def test_the_reader_child_has_a_time_limit(
    report: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sandbox, "TIME_LIMIT", 0.001)
    with pytest.raises(ReportError, match=r"reading it took over 0.001 s"):
        read_previous(report, DEMO_INSTANCE_ID, demo=True)


def test_the_checks_verdict_comes_first_and_ends_the_reader_child(
    report: Path, tmp_path: Path
) -> None:
    # calamine's child starts reading with the checks; their refusal is the
    # answer, and the child is ended, not left reading or waited for.
    beyond = '<row r="1048577"><c r="A1048577"><v>1</v></c></row>'
    path = crafted(
        report,
        tmp_path / "beyond.xlsx",
        text_edit(CONTACTS, lambda x: before_sheet_data_end(x, beyond)),
    )
    with pytest.raises(ReportError, match=r"cells beyond Excel's grid in 'xl/worksheets/"):
        read_previous(path, DEMO_INSTANCE_ID, demo=True)
    assert not [t for t in threading.enumerate() if "calamine" in t.name]


@pytest.mark.parametrize(
    "new_name", ["xl/worksheets/sheet2.XML", "xl/elsewhere/s.xml", "xl/worksheets/sheet2.bin"]
)
def test_3_a_sheet_part_named_otherwise(report: Path, tmp_path: Path, new_name: str) -> None:
    def moved(found: dict[str, bytes]) -> dict[str, bytes]:
        summary = before_sheet_data_end(found.pop(SUMMARY).decode(), FAR)
        rels = found[RELS].decode().replace(f"/{SUMMARY}", f"/{new_name}")
        return {**found, RELS: rels.encode(), new_name: summary.encode()}

    refused_both_ways(crafted(report, tmp_path / "moved.xlsx", moved), tmp_path, installed=True)


def test_3_a_relationship_finding_its_part_only_in_another_case(
    report: Path, tmp_path: Path
) -> None:
    edit = text_edit(
        RELS, lambda x: x.replace("/xl/worksheets/sheet1.xml", "/xl/worksheets/Sheet1.xml")
    )
    line = refused_both_ways(
        crafted(report, tmp_path / "case.xlsx", edit), tmp_path, installed=True
    )
    assert "a part it does not hold" in line


# --- 4-5: two central directories ---------------------------------------------------------


def two_directories(clean: Path, hostile: Path, out: Path) -> Path:
    """One file, two archives: the ZIP64 end record points at ``clean``'s
    directory (Python's zipfile follows it), the classic one at ``hostile``'s."""
    first, second = clean.read_bytes(), hostile.read_bytes()

    def split(data: bytes) -> tuple[bytes, bytes, int]:
        end = data.rindex(b"PK\x05\x06")
        count, size, start = struct.unpack_from("<HLL", data, end + 10)
        return data[:start], data[start : start + size], count

    entries1, directory1, count1 = split(first)
    entries2, directory2, count2 = split(second)
    shift = len(entries1)
    moved, at = bytearray(directory2), 0
    for _ in range(count2):  # the second archive's entries now start after the first's
        (offset,) = struct.unpack_from("<L", moved, at + 42)
        struct.pack_into("<L", moved, at + 42, offset + shift)
        names, extra, comment = struct.unpack_from("<3H", moved, at + 28)
        at += 46 + names + extra + comment
    hostile_directory = len(entries1) + len(entries2)
    clean_directory = hostile_directory + len(moved)
    zip64_at = clean_directory + len(directory1)
    zip64 = struct.pack(
        "<4sQ2H2L4Q",
        b"PK\x06\x06",
        44,
        45,
        45,
        0,
        0,
        count1,
        count1,
        len(directory1),
        clean_directory,
    )  # the clean directory's entries keep their offsets: the first archive is first
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, zip64_at, 1)
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, count2, count2, len(moved), hostile_directory, 0
    )
    out.write_bytes(entries1 + entries2 + bytes(moved) + directory1 + zip64 + locator + end)
    return out


def test_4_two_directories_one_with_a_far_cell(report: Path, tmp_path: Path) -> None:
    hostile = crafted(
        report, tmp_path / "far.xlsx", text_edit(CONTACTS, lambda x: before_sheet_data_end(x, FAR))
    )
    path = two_directories(report, hostile, tmp_path / "two.xlsx")
    with zipfile.ZipFile(path) as package:  # Python's zipfile reads the clean one
        assert package.read(CONTACTS) == parts(report)[CONTACTS]
    line = refused_both_ways(path, tmp_path, installed=True)
    assert "not a report of xl-contacts" in line


def test_5_two_directories_one_name_changed(report: Path, tmp_path: Path) -> None:
    renamed = crafted(
        report,
        tmp_path / "renamed.xlsx",
        text_edit(CONTACTS, lambda x: x.replace("<t>Иван</t>", "<t>Someone else</t>", 1)),
    )
    assert parts(renamed)[CONTACTS] != parts(report)[CONTACTS]
    refused_both_ways(two_directories(report, renamed, tmp_path / "two.xlsx"), tmp_path)


# --- 6-7: decoys in comments --------------------------------------------------------------


def with_decoy(found: dict[str, bytes]) -> dict[str, bytes]:
    """A second Contacts sheet part with one contact renamed: read it and
    ``--since`` says 1 changed; read the real one and it says 0."""
    decoy = found[CONTACTS].decode().replace(">Иван<", ">Decoy<", 1)
    assert decoy != found[CONTACTS].decode()
    return {**found, "xl/worksheets/decoy.xml": decoy.encode()}


def with_decoy_listed(found: dict[str, bytes], old: str, new: str) -> dict[str, bytes]:
    """``with_decoy``, its part related as rId90, and ``old`` in workbook.xml
    (where the sheets are listed) replaced by ``new``."""
    found = with_decoy(found)
    rels = (
        found[RELS]
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Type="{REL}/worksheet" Target="/xl/worksheets/decoy.xml" Id="rId90" />'
            "</Relationships>",
        )
    )
    workbook = found[WORKBOOK].decode().replace(old, new)
    return {**found, RELS: rels.encode(), WORKBOOK: workbook.encode()}


def decoy_sheet_in_a_comment(found: dict[str, bytes]) -> dict[str, bytes]:
    return with_decoy_listed(
        found,
        "<sheets>",
        '<!--<sheets><sheet name="Contacts" sheetId="9" state="visible" r:id="rId90" />'
        "</sheets>-->"
        "<sheets\t>",
    )


def decoy_relationship_in_a_comment(found: dict[str, bytes]) -> dict[str, bytes]:
    found = with_decoy(found)
    rels = found[RELS].decode()
    real = re.search(r'<Relationship [^>]*Id="rId1" />', rels)[0]  # type: ignore[index]
    single = real.replace('"', "'").replace("<Relationship ", "<Relationship\n ")
    decoy = real.replace("/xl/worksheets/sheet1.xml", "/xl/worksheets/decoy.xml")
    rels = rels.replace(real, f"<!--{decoy}-->{single}")
    return {**found, RELS: rels.encode()}


@pytest.mark.parametrize(
    "edit", [decoy_sheet_in_a_comment, decoy_relationship_in_a_comment], ids=["6", "7"]
)
def test_6_7_a_decoy_in_a_comment_is_refused(
    report: Path, tmp_path: Path, edit: Callable[[dict[str, bytes]], dict[str, bytes]]
) -> None:
    # No writer of workbooks writes comments; a parser skips them, but holds a
    # comment whole in memory: refused, like any other comment.
    path = crafted(report, tmp_path / "decoy.xlsx", edit)
    assert "a comment, CDATA or document type" in refused_both_ways(path, tmp_path)


def quoted_otherwise(found: dict[str, bytes]) -> dict[str, bytes]:
    """The decoy sheet listed after the real one, and every attribute of the
    workbook and its relationships in single quotes, with tabs and line feeds
    between them: readers that read XML as XML read the real sheet."""
    found = with_decoy_listed(
        found,
        "</sheets>",
        '<sheet name="Decoy" sheetId="9" state="hidden" r:id="rId90" /></sheets>',
    )
    rels, workbook = found[RELS].decode(), found[WORKBOOK].decode()

    def requote(xml: str) -> str:
        return re.sub(r' ([\w:]+)="([^"]*)"', "\t\n\\1 = '\\2'", xml)

    return {**found, RELS: requote(rels).encode(), WORKBOOK: requote(workbook).encode()}


def test_quoting_and_white_space_read_the_sheet_calamine_reads(
    report: Path, report_rows: list[list[str]], tmp_path: Path
) -> None:
    path = crafted(report, tmp_path / "quoted.xlsx", quoted_otherwise)
    assert "'" in parts(path)[WORKBOOK].decode() and "\t" in parts(path)[RELS].decode()
    assert calamine_rows(path) == report_rows  # the real sheet, for calamine too
    assert "0 added, 0 removed, 0 changed" in since_says(path, tmp_path)


# --- own cases of the same classes --------------------------------------------------------


def test_a_sheet_part_named_otherwise_in_content_types_reads_as_calamine(
    report: Path, report_rows: list[list[str]], tmp_path: Path
) -> None:
    edit = text_edit(
        "[Content_Types].xml", lambda x: x.replace('"/xl/worksheets/sheet1.xml"', '"/xl/x.xml"')
    )
    path = crafted(report, tmp_path / "types.xlsx", edit)
    assert calamine_rows(path) == report_rows
    assert "0 added, 0 removed, 0 changed" in since_says(path, tmp_path)


def test_a_zip_comment_hiding_a_second_end_record(report: Path, tmp_path: Path) -> None:
    data = bytearray(report.read_bytes())
    end = data.rindex(b"PK\x05\x06")
    hidden = bytes(data[end:])  # a copy of the end record, inside the comment
    struct.pack_into("<H", data, end + 20, len(hidden))
    path = tmp_path / "comment.xlsx"
    path.write_bytes(bytes(data) + hidden)
    refused_both_ways(path, tmp_path)


def test_data_before_the_archive(report: Path, tmp_path: Path) -> None:
    path = tmp_path / "prefixed.xlsx"
    path.write_bytes(b"MZ" + b"\x00" * 510 + report.read_bytes())
    with zipfile.ZipFile(path) as package:  # Python's zipfile reads it still
        assert package.read(CONTACTS) == parts(report)[CONTACTS]
    refused_both_ways(path, tmp_path)


def test_data_after_the_archive(report: Path, tmp_path: Path) -> None:
    path = tmp_path / "suffixed.xlsx"
    path.write_bytes(report.read_bytes() + b"\x00" * 64)
    refused_both_ways(path, tmp_path)


@pytest.mark.parametrize("second", [CONTACTS, CONTACTS.replace("sheet1", "Sheet1")])
def test_two_parts_of_one_name(report: Path, tmp_path: Path, second: str) -> None:
    path = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(path, "w") as sink:
        for name, data in parts(report).items():
            sink.writestr(name, data)
        far = before_sheet_data_end(parts(report)[CONTACTS].decode(), FAR)
        with pytest.warns(UserWarning) if second == CONTACTS else _nothing():
            sink.writestr(second, far)
    line = refused_both_ways(path, tmp_path)
    assert "two parts of one name" in line


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *_: object) -> None:
        return None


@pytest.mark.parametrize(
    "target",
    ["../xl/worksheets/sheet1.xml", "/worksheets/sheet1.xml", "worksheets/./sheet1.xml",
     "worksheets/sheet%31.xml", "http://example.invalid/sheet1.xml",
     "/xl/worksheets/sheet1.xml#x", "worksheets/sheet1.xml?x"],
)  # fmt: skip
def test_a_relationship_target_read_differently_by_readers(
    report: Path, tmp_path: Path, target: str
) -> None:
    edit = text_edit(RELS, lambda x: x.replace('"/xl/worksheets/sheet1.xml"', f'"{target}"'))
    line = refused_both_ways(crafted(report, tmp_path / "target.xlsx", edit), tmp_path)
    assert "a part it does not hold" in line


def test_a_relative_target_is_a_reports(report: Path, tmp_path: Path) -> None:
    # As Excel and LibreOffice write it.
    edit = text_edit(
        RELS, lambda x: x.replace('"/xl/worksheets/sheet1.xml"', '"worksheets/sheet1.xml"')
    )
    path = crafted(report, tmp_path / "relative.xlsx", edit)
    assert "0 added, 0 removed, 0 changed" in since_says(path, tmp_path)


def test_a_byte_order_mark_in_workbook_xml(
    report: Path, report_rows: list[list[str]], tmp_path: Path
) -> None:
    path = crafted(
        report,
        tmp_path / "bom.xlsx",
        lambda found: {**found, WORKBOOK: b"\xef\xbb\xbf" + found[WORKBOOK]},
    )
    assert calamine_rows(path) == report_rows
    assert "0 added, 0 removed, 0 changed" in since_says(path, tmp_path)


def rows_added(rows: str) -> Callable[[str], str]:
    return lambda xml: before_sheet_data_end(xml, rows)


XML_CASES: dict[str, tuple[str, Callable[[str], str], str]] = {
    "entity": (
        WORKBOOK,
        lambda x: '<!DOCTYPE w [<!ENTITY c "Contacts">]>' + x.replace('"Contacts"', '"&c;"'),
        "document type",
    ),
    "another kind of id": (
        WORKBOOK,
        lambda x: x.replace('r:id="rId1"', 'r:id="rId1" x:id="rId2"'),
        "a sheet listed as no",
    ),
    "sheet without part": (
        WORKBOOK,
        lambda x: x.replace('r:id="rId2"', 'r:id="rId3"'),
        "without its part",
    ),
    "sheet names in two cases": (
        WORKBOOK,
        lambda x: x.replace('name="Summary"', 'name="CONTACTS"'),
        "two sheets of one name",
    ),
    "relationship id twice": (
        RELS,
        lambda x: x.replace('Id="rId2"', 'Id="rId1"'),
        "relationships of one id",
    ),
    "two positions": (
        CONTACTS,
        lambda x: x.replace('<c r="B2"', '<c r="B2" x:r="XFD1048576" xmlns:x="y"', 1),
        "two positions",
    ),
    "single quotes and spaces": (
        CONTACTS,
        rows_added("<row r='9'><c  r = 'XFD9' /></row>"),
        "cells right of its header",
    ),
    "character reference": (
        CONTACTS,
        rows_added('<row r="9"><c r="&#88;FD9"/></row>'),
        "cells right of its header",
    ),
    "past the last row": (
        CONTACTS,
        rows_added('<row r="9"><c r="A1048577"/></row>'),
        "beyond Excel's grid",
    ),
    "no position": (
        CONTACTS,
        rows_added('<row r="9"><c><v>1</v></c></row>'),
        "without a plain position",
    ),
    "declared extent": (
        CONTACTS,
        lambda x: x.replace("<sheetData>", '<dimension ref="A1:XFD1048576"/><sheetData>'),
        "cells right of its header",
    ),
    "a tag of 5 MiB": (
        CONTACTS,
        rows_added('<row r="9"><c r="A9" x="' + ">" * (5 << 20) + '"/></row>'),
        "over 4 MiB without a tag",
    ),
    "an instruction": (
        WORKBOOK,
        lambda x: x.replace("<sheets>", "<?decoy sheet='Contacts'?><sheets>"),
        "an instruction",
    ),
    "a reference in a relationship": (
        RELS,
        lambda x: x.replace("/xl/worksheets/sheet1.xml", "/xl/worksheets/&#115;heet1.xml"),
        "a reference in its relationships",
    ),
    "latin-1": (
        SUMMARY,
        lambda x: '<?xml version="1.0" encoding="ISO-8859-1"?>' + x,
        "XML in ISO-8859-1",
    ),
}


@pytest.mark.parametrize("case", XML_CASES)
def test_xml_read_as_xml(report: Path, tmp_path: Path, case: str) -> None:
    part, change, says = XML_CASES[case]
    path = crafted(report, tmp_path / "xml.xlsx", text_edit(part, change))
    line = refused_both_ways(path, tmp_path)
    assert says in line


def test_a_sheet_related_as_something_else(report: Path, tmp_path: Path) -> None:
    summary = 'Target="/xl/worksheets/sheet2.xml"'
    edit = text_edit(RELS, lambda x: x.replace(f'/worksheet" {summary}', f'/image" {summary}'))
    line = refused_both_ways(crafted(report, tmp_path / "kind.xlsx", edit), tmp_path)
    assert "without its part" in line


# --- the sheet read is calamine's, however the workbook lists it ------------------------------

# How the workbook lists its sheets, and what then happens: read (as calamine
# reads it: the real sheet) or refused, where calamine reads otherwise or fails.
SHEET_LISTS = {
    "attributes reordered": (
        '<sheet r:id="rId1" state="visible" sheetId="1" name="Contacts"/>',
        None,
    ),
    "a character reference in a name": (
        '<sheet name="&#67;ontacts" sheetId="1" r:id="rId1"/>',
        None,
    ),
    "prefixed elements": (
        '<x:sheet xmlns:x="{main}" name="Contacts" sheetId="1" r:id="rId1"/>',
        None,
    ),
    "the decoy first": (
        '<sheet name="Decoy" sheetId="9" r:id="rId90"/><sheet name="Contacts" sheetId="1" '
        'r:id="rId1"/>',
        None,
    ),
    "the decoy named in another case": (
        '<sheet name="contacts" sheetId="9" r:id="rId90"/><sheet name="Contacts" sheetId="1" '
        'r:id="rId1"/>',
        "two sheets of one name",
    ),
    "another prefix for the id": (
        '<sheet xmlns:q="{rel}" name="Contacts" sheetId="1" q:id="rId1"/>',
        "a sheet listed as no workbook lists one",
    ),
    "a reference in the id (calamine does not decode it)": (
        '<sheet name="Contacts" sheetId="1" r:id="&#114;Id1"/>',
        "a sheet whose id readers read otherwise",
    ),
    "two ids (calamine takes the decoy's)": (
        '<sheet name="Contacts" sheetId="1" r:id="rId1" q:id="rId90" xmlns:q="{rel}"/>',
        "a sheet listed as no workbook lists one",
    ),
}


@pytest.mark.parametrize("listing", SHEET_LISTS)
def test_the_sheet_read_is_the_one_calamine_reads(
    report: Path, report_rows: list[list[str]], tmp_path: Path, listing: str
) -> None:
    """Read as calamine reads it, or refused: never another sheet than calamine's."""
    entries, refused = SHEET_LISTS[listing]
    entries = entries.format(main=MAIN, rel=REL)

    def listed(found: dict[str, bytes]) -> dict[str, bytes]:
        found = with_decoy(found)
        rels = (
            found[RELS]
            .decode()
            .replace(
                "</Relationships>",
                f'<Relationship Type="{REL}/worksheet" Target="/xl/worksheets/decoy.xml" '
                'Id="rId90" /></Relationships>',
            )
        )
        summary = '<sheet name="Summary" sheetId="2" state="visible" r:id="rId2" />'
        workbook = re.sub(
            "<sheets>.*</sheets>", f"<sheets>{entries}{summary}</sheets>", found[WORKBOOK].decode()
        )
        return {**found, RELS: rels.encode(), WORKBOOK: workbook.encode()}

    path = crafted(report, tmp_path / "listed.xlsx", listed)
    result = run_cli("export", "--demo", "-o", str(tmp_path / "n.xlsx"), "--since", str(path))
    if refused is None:
        assert result.returncode == 0, result.stderr[-2000:]
        assert calamine_rows(path) == report_rows  # the real sheet for calamine too
        assert "0 added, 0 removed, 0 changed" in result.stdout
    else:
        assert refused in assert_refused(result, path.name)
