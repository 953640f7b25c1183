"""workbook_template.xlsm: reproducible, structurally sound, VBA intact, opens in
openpyxl and LibreOffice. (No Excel runs here: these are the checks Linux allows.)"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
from helpers import libreoffice_converts
from oletools.olevba import VBA_Parser

from xl_contacts.api import client
from xl_contacts.base.names import KEY_ONLY, KEY_PROFILE
from xl_contacts.cli import main
from xl_contacts.domain.kinds import KINDS
from xl_contacts.usecases.template import build

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "workbook_template.xlsm"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
UI = "{http://schemas.microsoft.com/office/2009/07/customui}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "x.xlsm"
    assert main(["template", "-o", str(path)]) == 0
    return path


def test_the_committed_template_is_a_fresh_build(built: Path) -> None:
    assert COMMITTED.read_bytes() == built.read_bytes(), (
        "workbook_template.xlsm is stale: run "
        "`xl-contacts template --force -o workbook_template.xlsm` and commit it"
    )


def test_the_build_is_reproducible(built: Path, tmp_path: Path) -> None:
    again = build.build_template(tmp_path / "again.xlsm")
    assert again.read_bytes() == built.read_bytes()


def _read(path: Path, part: str) -> ET.Element:
    with zipfile.ZipFile(path) as package:
        return ET.fromstring(package.read(part))


def test_parts_content_types_and_relationships(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        names = set(package.namelist())
        assert package.testzip() is None
    types = _read(built, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{CT}Override")}
    defaults = {d.get("Extension") for d in types.iter(f"{CT}Default")}
    for name in names:
        extension = name.rsplit(".", 1)[-1]
        assert f"/{name}" in overrides or extension in defaults, name
    assert overrides["/xl/workbook.xml"] == "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    assert overrides["/xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"

    root_rels = {r.get("Type"): r.get("Target") for r in _read(built, "_rels/.rels")}
    ribbon = root_rels["http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"]
    assert ribbon == "customUI/customUI14.xml" and ribbon in names
    book_rels = {r.get("Type"): r.get("Target") for r in _read(built, "xl/_rels/workbook.xml.rels")}
    assert book_rels["http://schemas.microsoft.com/office/2006/relationships/vbaProject"] == (
        "vbaProject.bin"
    )
    for rels in ("_rels/.rels", "xl/_rels/workbook.xml.rels"):
        base = "" if rels.startswith("_rels") else "xl/"
        for r in _read(built, rels).iter(f"{REL}Relationship"):
            assert base + r.get("Target") in names, r.get("Target")


def _modules(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {
            Path(vba_filename).stem: code for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def _code(source: str) -> list[str]:
    """Source lines without the Attribute header, line ends normalised."""
    lines = source.replace("\r\n", "\n").split("\n")
    return [line for line in lines if not line.startswith("Attribute VB_")]


def test_every_module_reads_back_as_written(built: Path) -> None:
    modules = _modules(built)
    for name, source in build.module_sources().items():
        assert _code(modules[name]) == _code(source), name
        assert source.isascii(), f"{name}: VBA source must be plain ASCII"
    assert "Module1" not in modules
    assert {"ThisWorkbook", "Sheet1", "Sheet2"} <= set(modules)


def test_vba_xlwings_version_matches_the_installed_xlwings(built: Path) -> None:
    version = re.search(r"'Version: (\S+)", _modules(built)["xlwings"])
    assert version and version.group(1) == xlwings.__version__


def test_getcontacts_wrapper_matches_the_python_signature(built: Path) -> None:
    wrapper = _modules(built)["xlwings_udfs"]
    assert (
        "Function GETCONTACTS(Optional count, Optional header, Optional only, Optional profile)"
        in wrapper
    )
    assert (
        'XLPy.CallUDF("xl_contacts.udfs", "GETCONTACTS", Array(count, header, only, profile)'
        in wrapper
    )


def test_on_a_mac_getcontacts_is_a_note_not_an_error(built: Path) -> None:
    """macOS Excel has no xlwings UDF server: the wrapper answers with a note
    first thing, before the function-wizard check and before XLPy."""
    lines = _code(_modules(built)["xlwings_udfs"])
    start = lines.index(
        "Function GETCONTACTS(Optional count, Optional header, Optional only, Optional profile)"
    )
    assert [line.strip() for line in lines[start + 1 : start + 5]] == [
        "#If Mac Then",
        f'GETCONTACTS = "{build.MAC_NOTE}"',
        "Exit Function",
        "#End If",
    ]
    assert build.MAC_NOTE.startswith("#GETCONTACTS: ") and "Refresh contacts" in build.MAC_NOTE
    assert lines[start + 5].strip().startswith("If (Not Application.CommandBars")  # xlwings' own


def test_ribbon_callbacks_exist(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        ui = ET.fromstring(package.read("customUI/customUI14.xml"))
    assert ui.tag == f"{UI}customUI"
    ids = [e.get("id") for e in ui.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    actions = [e.get("onAction") for e in ui.iter() if e.get("onAction")]
    assert actions == ["XlContactsRefresh", "XlContactsSaveReport"]
    vba = "\n".join(_modules(built).values())
    for action in actions:
        assert re.search(rf"^Sub {action}\(control As IRibbonControl\)", vba, re.M), action
    assert 'RunPython "import xl_contacts.macros; xl_contacts.macros.refresh()"' in vba
    assert 'RunPython "import xl_contacts.macros; xl_contacts.macros.export_report()"' in vba


def test_sheets_and_settings(built: Path) -> None:
    wb = openpyxl.load_workbook(built, keep_vba=True)
    assert wb.vba_archive is not None
    wb.vba_archive.close()  # openpyxl keeps it open for a later save
    assert wb.sheetnames == ["Start", "xlwings.conf"]
    conf = {row[0].value: row[1].value for row in wb["xlwings.conf"].iter_rows()}
    assert conf == {"UDF Modules": "xl_contacts.udfs", "Use UDF Server": True}
    assert all(value not in (None, "") for value in conf.values())
    example = wb["Start"][build.EXAMPLE_CELL].value
    assert example.text == "=GETCONTACTS(50)" and example.ref == build.EXAMPLE_CELL
    text = " ".join(str(c.value) for row in wb["Start"].iter_rows() for c in row if c.value)
    assert "GREENAPI_API_TOKEN_INSTANCE" in text and "xl-contacts login" in text
    assert "=GETCONTACTS(50; ЛОЖЬ)" in text, "the formula as Russian-language Excel takes it"
    assert "On a Mac" in text
    assert all(f'"{kind}"' in text for kind in KINDS[1:]), "every kind =GETCONTACTS takes"
    assert "login --profile" in text and KEY_ONLY in text and KEY_PROFILE in text
    assert f"({client.INTERACTIVE_BUDGET:.0f} s at most)" in text, "the UDF's real budget"
    with zipfile.ZipFile(built) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
        assert f'<c r="{build.EXAMPLE_CELL}" cm="1"><f t="array"' in sheet, "a dynamic array"


def test_no_credentials_in_the_template(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        blob = b"".join(package.read(n) for n in package.namelist()).lower()
    assert b"apitokeninstance" not in blob.replace(b"greenapi_api_token_instance", b"")


def test_libreoffice_opens_the_template(built: Path, tmp_path: Path) -> None:
    libreoffice_converts(built, tmp_path, "pdf")


def test_template_needs_an_xlsm_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["template", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert ".xlsm" in capsys.readouterr().err
