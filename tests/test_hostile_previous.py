"""Workbooks made to hurt the reader of previous reports (``export --since``, and
the check of an existing ``-o`` target). A workbook's declared size and parts
are looked at before it is read; what is not plausibly a report of this tool is
refused with one clear line and exit 2, and reading never aborts the process.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import run_command

from xl_contacts.base.errors import ReportError
from xl_contacts.cli import main
from xl_contacts.domain.demo import DEMO_INSTANCE_ID
from xl_contacts.domain.table import COLUMNS
from xl_contacts.sinks.previous_report import is_report, read_previous

# A header row as the report writes it, so only the size makes the file wrong.
HEADER = (
    '<row r="1">'
    + "".join(
        f'<c r="{col}1" t="inlineStr"><is><t>{name}</t></is></c>'
        for col, name in zip("ABCDE", COLUMNS, strict=True)
    )
    + "</row>"
)


def sheet_xml(rows: str, dimension: str = "A1:E1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{HEADER}{rows}</sheetData></worksheet>'
    ).encode()


def demo_report(path: Path) -> Path:
    assert main(["export", "--demo", "-o", str(path)]) == 0
    return path


def part_of_sheet(package: zipfile.ZipFile, title: str) -> str:
    """The zip member holding the sheet called ``title``."""
    workbook = package.read("xl/workbook.xml").decode()
    rels = package.read("xl/_rels/workbook.xml.rels").decode()
    sheet = re.search(rf'<sheet [^>]*name="{title}"[^>]*/>', workbook)
    assert sheet, title
    rel_id = re.search(r'r:id="([^"]+)"', sheet.group(0)).group(1)  # type: ignore[union-attr]
    rel = re.search(rf'<Relationship [^>]*Id="{rel_id}"[^>]*/>', rels)
    target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)  # type: ignore[union-attr]
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def tampered(
    report: Path, out: Path, contacts: bytes, extra: dict[str, bytes] | None = None
) -> Path:
    """``report`` with its Contacts sheet replaced (and ``extra`` members added)."""
    with zipfile.ZipFile(report) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as sink:
        target = part_of_sheet(source, "Contacts")
        for info in source.infolist():
            sink.writestr(info.filename, contacts if info.filename == target else source.read(info))
        for name, data in (extra or {}).items():
            sink.writestr(name, data)
    return out


@pytest.fixture
def report(tmp_path: Path) -> Path:
    return demo_report(tmp_path / "good.xlsx")


def far_cell(report: Path, tmp_path: Path, ref: str = "XFD1048576") -> Path:
    row = re.sub(r"[A-Z]", "", ref)
    rows = f'<row r="{row}"><c r="{ref}"><v>1</v></c></row>'
    return tampered(report, tmp_path / "far.xlsx", sheet_xml(rows))


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    """In a subprocess: an abort (SIGABRT) would otherwise take pytest down with it."""
    return run_command(*argv, timeout=120)


# --- a cell at XFD1048576 (the 8 KB file that aborted the process) -----------------------


def test_far_cell_as_since_is_refused_without_aborting(report: Path, tmp_path: Path) -> None:
    hostile = far_cell(report, tmp_path)
    result = run_cli("export", "--demo", "-o", str(tmp_path / "new.xlsx"), "--since", str(hostile))
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("xl-contacts: error: ") and "far.xlsx" in line


def test_far_cell_as_export_target_is_refused_without_aborting(
    report: Path, tmp_path: Path
) -> None:
    hostile = far_cell(report, tmp_path)
    before = hostile.read_bytes()
    result = run_cli("export", "--demo", "-o", str(hostile))
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert hostile.read_bytes() == before


def test_far_cell_is_not_a_report(report: Path, tmp_path: Path) -> None:
    hostile = far_cell(report, tmp_path)
    program = (
        "import sys; from xl_contacts.sinks.previous_report import is_report;"
        f"print(is_report({str(hostile)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == "False", result.stderr[-2000:]


@pytest.mark.parametrize("ref", ["XFD1", "AF1000000", "ZZ50000", "A1048577"])
def test_cells_far_from_a_reports_shape_are_refused(report: Path, tmp_path: Path, ref: str) -> None:
    with pytest.raises(ReportError):
        read_previous(far_cell(report, tmp_path, ref), DEMO_INSTANCE_ID)


def test_million_rows_of_32_cells_is_refused_before_reading(report: Path, tmp_path: Path) -> None:
    # The corners of a million rows × 32 columns: what calamine would allocate.
    rows = '<row r="1000000"><c r="AF1000000"><v>1</v></c></row>'
    hostile = tampered(report, tmp_path / "wide.xlsx", sheet_xml(rows, "A1:AF1000000"))
    with pytest.raises(ReportError, match=r"too big|cells"):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_declared_dimension_alone_is_refused(report: Path, tmp_path: Path) -> None:
    hostile = tampered(report, tmp_path / "dim.xlsx", sheet_xml("", "A1:XFD1048576"))
    with pytest.raises(ReportError):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_cells_without_a_position_are_refused(report: Path, tmp_path: Path) -> None:
    rows = '<row r="2">' + "<c><v>1</v></c>" * 20_000 + "</row>"
    hostile = tampered(report, tmp_path / "nopos.xlsx", sheet_xml(rows))
    with pytest.raises(ReportError):
        read_previous(hostile, DEMO_INSTANCE_ID)


# --- zip bombs and broken packages ------------------------------------------------------------


def declare_size(path: Path, member: str, size: int) -> Path:
    """Rewrite the uncompressed size the central directory declares for ``member``."""
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    count = int.from_bytes(data[end + 10 : end + 12], "little")
    at = int.from_bytes(data[end + 16 : end + 20], "little")
    for _ in range(count):
        assert data[at : at + 4] == b"PK\x01\x02"
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        extra_length = int.from_bytes(data[at + 30 : at + 32], "little")
        comment_length = int.from_bytes(data[at + 32 : at + 34], "little")
        if data[at + 46 : at + 46 + name_length].decode() == member:
            data[at + 24 : at + 28] = size.to_bytes(4, "little")
            path.write_bytes(bytes(data))
            return path
        at += 46 + name_length + extra_length + comment_length
    raise AssertionError(member)


def contacts_part(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return part_of_sheet(package, "Contacts")


def test_sheet_part_declaring_700_mb_in_its_directory_only_is_refused(
    report: Path, tmp_path: Path
) -> None:
    hostile = tampered(report, tmp_path / "bomb.xlsx", sheet_xml(""))
    declare_size(hostile, contacts_part(hostile), 700 * 1024 * 1024)
    with pytest.raises(ReportError, match=r"disagree with its directory"):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_parts_declaring_more_than_any_report_has_are_refused_before_inflating(
    report: Path, tmp_path: Path
) -> None:
    # Three parts of almost 4 GiB each, declared alike in both headers: 12 GiB.
    data = bytearray(report.read_bytes())
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = -1
        for _ in range(3):
            at = data.index(signature, at + 1)
            data[at + size_at : at + size_at + 4] = (0xFFFFFFFE).to_bytes(4, "little")
    hostile = tmp_path / "huge.xlsx"
    hostile.write_bytes(bytes(data))
    with pytest.raises(ReportError, match=r"too big to be a report"):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_shared_strings_declaring_700_mb_are_refused(report: Path, tmp_path: Path) -> None:
    hostile = tampered(
        report, tmp_path / "sst.xlsx", sheet_xml(""), {"xl/sharedStrings_x.xml": b"<sst/>"}
    )
    declare_size(hostile, "xl/sharedStrings_x.xml", 700 * 1024 * 1024)
    with pytest.raises(ReportError):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_package_of_thousands_of_parts_is_refused(report: Path, tmp_path: Path) -> None:
    extra = {f"xl/media/{n}.bin": b"" for n in range(20_000)}
    hostile = tampered(report, tmp_path / "parts.xlsx", sheet_xml(""), extra)
    with pytest.raises(ReportError):
        read_previous(hostile, DEMO_INSTANCE_ID)


def test_part_inflating_past_its_declared_size_is_refused(report: Path, tmp_path: Path) -> None:
    # The far cell sits past the first 200 bytes a reader trusting the size would check.
    hostile = far_cell(report, tmp_path)
    liar = declare_size(hostile, contacts_part(hostile), 200)
    result = run_cli("export", "--demo", "-o", str(tmp_path / "n.xlsx"), "--since", str(liar))
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])


@pytest.mark.parametrize(
    "content",
    [b"", b"PK\x03\x04", b"PK\x05\x06" + b"\x00" * 18, b"not a zip at all", b"\x00" * 4096],
    ids=["empty", "truncated-header", "empty-zip", "text", "zeros"],
)
def test_not_a_workbook_as_since_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "p.xlsx"
    path.write_bytes(content)
    with pytest.raises(ReportError):
        read_previous(path, DEMO_INSTANCE_ID)
    assert not is_report(path)


def test_truncated_report_is_refused(report: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(report.read_bytes()[: report.stat().st_size // 2])
    with pytest.raises(ReportError):
        read_previous(cut, DEMO_INSTANCE_ID)


def test_a_real_report_still_reads(report: Path) -> None:
    previous = read_previous(report, DEMO_INSTANCE_ID, demo=True)
    assert previous.rows and previous.id_instance == DEMO_INSTANCE_ID
    assert is_report(report)


@pytest.mark.parametrize(
    "instance", ["\x9b2J1101\u202e000001", "1101" + "9" * 5_000, "a, \x9b31m\u2028b"]
)
def test_an_instance_id_read_from_a_report_is_repeated_as_one_short_safe_line(
    report: Path, tmp_path: Path, instance: str
) -> None:
    """The Summary's instance id comes from a file anyone may have made: a
    message repeats it without control characters and cut short."""
    import openpyxl

    from xl_contacts.base.names import LABEL_INSTANCE

    wb = openpyxl.load_workbook(report)
    summary = wb["Summary"]
    label = next(c for c in summary["A"] if c.value == LABEL_INSTANCE)
    summary.cell(label.row, 2).value = instance
    wb.save(tmp_path / "edited.xlsx")
    with pytest.raises(ReportError) as caught:
        read_previous(tmp_path / "edited.xlsx", DEMO_INSTANCE_ID, demo=True)
    message = str(caught.value)
    assert message.isprintable() and "\x9b" not in message and "\u202e" not in message
    assert len(message) < 400, message
