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
from xl_contacts.base import i18n
from xl_contacts.base.names import KEY_LANGUAGE, KEY_ONLY, KEY_PROFILE
from xl_contacts.cli import main
from xl_contacts.domain.kinds import KINDS
from xl_contacts.usecases import excel_language
from xl_contacts.usecases.template import build, texts

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
        f"GETCONTACTS = {build.MAC_NOTE_CALL}",
        "Exit Function",
        "#End If",
    ]
    assert lines[start + 5].strip().startswith("If (Not Application.CommandBars")  # xlwings' own
    ribbon = _code(_modules(built)[build.RIBBON_MODULE])
    note = ribbon.index(f"Public Function {build.MAC_NOTE_CALL.removesuffix('()')}() As String")
    assert f'XlContactsText("{texts.MAC_NOTE_KEY}", XlContactsLanguage())' in ribbon[note + 1]
    english, russian = (vba_texts(built)[(lang, texts.MAC_NOTE_KEY)] for lang in ("en", "ru"))
    assert english.startswith("#GETCONTACTS: needs Excel for Windows") and "Refresh" in english
    assert russian.startswith("#GETCONTACTS: нужен Excel для Windows") and "Обновить" in russian


def _ribbon(built: Path) -> ET.Element:
    with zipfile.ZipFile(built) as package:
        return ET.fromstring(package.read("customUI/customUI14.xml"))


def test_ribbon_callbacks_exist(built: Path) -> None:
    ui = _ribbon(built)
    assert ui.tag == f"{UI}customUI"
    ids = [e.get("id") for e in ui.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    actions = [e.get("onAction") for e in ui.iter() if e.get("onAction")]
    assert actions == ["XlContactsRefresh", "XlContactsSaveReport"]
    vba = "\n".join(_modules(built).values())
    for action in actions:
        assert re.search(rf"^Sub {action}\(control As IRibbonControl\)", vba, re.M), action
    for getter in ("getLabel", "getScreentip", "getSupertip"):
        names = {e.get(getter) for e in ui.iter() if e.get(getter)}
        assert len(names) == 1, getter
        signature = rf"^Sub {names.pop()}\(control As IRibbonControl, ByRef returnedVal\)"
        assert re.search(signature, vba, re.M), getter
    language = "('\" & XlContactsLanguage() & \"')\""  # the ribbon's language goes along
    assert f'RunPython "import xl_contacts.macros; xl_contacts.macros.refresh{language}' in vba
    assert (
        f'RunPython "import xl_contacts.macros; xl_contacts.macros.export_report{language}' in vba
    )


def test_sheets_and_settings(built: Path) -> None:
    wb = openpyxl.load_workbook(built, keep_vba=True)
    assert wb.vba_archive is not None
    wb.vba_archive.close()  # openpyxl keeps it open for a later save
    assert wb.sheetnames == ["Start", "xlwings.conf"]
    conf = {row[0].value: row[1].value for row in wb["xlwings.conf"].iter_rows()}
    assert conf == {"UDF Modules": "xl_contacts.udfs", "Use UDF Server": True}
    assert all(value not in (None, "") for value in conf.values())
    cell = build.example_cell()
    example = wb["Start"][cell].value
    assert example.text == "=GETCONTACTS(50)" and example.ref == cell
    text = " ".join(str(c.value) for row in wb["Start"].iter_rows() for c in row if c.value)
    assert "GREENAPI_API_TOKEN_INSTANCE" in text and "xl-contacts login" in text
    assert "=GETCONTACTS(50; ЛОЖЬ)" in text, "the formula as Russian-language Excel takes it"
    assert "On a Mac" in text
    assert all(f'"{kind}"' in text for kind in KINDS[1:]), "every kind =GETCONTACTS takes"
    assert "login --profile" in text and KEY_ONLY in text and KEY_PROFILE in text
    assert f"({client.INTERACTIVE_BUDGET:.0f} s at most)" in text, "the UDF's real budget"
    with zipfile.ZipFile(built) as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
        assert f'<c r="{cell}" cm="1"><f t="array"' in sheet, "a dynamic array"


def test_no_credentials_in_the_template(built: Path) -> None:
    with zipfile.ZipFile(built) as package:
        blob = b"".join(package.read(n) for n in package.namelist()).lower()
    assert b"apitokeninstance" not in blob.replace(b"greenapi_api_token_instance", b"")


def test_libreoffice_opens_the_template(built: Path, tmp_path: Path) -> None:
    libreoffice_converts(built, tmp_path, "pdf")


def test_template_needs_an_xlsm_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["template", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert ".xlsm" in capsys.readouterr().err


# --- languages: the ribbon follows Excel, the Start sheet the build ------------------------


_PIECE = r'\s*t = t & (?:"((?:[^"]|"")*)"|XlContactsUnicode\("([0-9A-F]*)"\))'


def vba_texts(built: Path) -> dict[tuple[str, str], str]:
    """ContactsTexts' table as VBA reads it: (language, key) -> text, each
    ``Case "lang|key"`` followed by ``t = t & <"ASCII" | XlContactsUnicode("hex")>``."""
    table: dict[tuple[str, str], str] = {}
    current: tuple[str, str] | None = None
    for line in _code(_modules(built)[texts.TEXTS_MODULE]):
        case = re.fullmatch(r'\s*Case "(\w+)\|([\w.]+)"', line)
        if case:
            current = (case.group(1), case.group(2))
            table[current] = ""
            continue
        part = re.fullmatch(_PIECE, line)
        if part and current is not None:
            ascii_text, units = part.groups()
            piece = ascii_text.replace('""', '"') if units is None else bytes.fromhex(units)
            table[current] += piece if isinstance(piece, str) else piece.decode("utf-16-be")
    return table


def test_ribbon_texts_in_every_language_are_the_catalogs(built: Path) -> None:
    table = vba_texts(built)
    ui = _ribbon(built)
    asked = {
        f"{e.get('id')}.{part}"
        for e in ui.iter()
        for part, getter in (("label", "getLabel"), ("screentip", "getScreentip"),
                             ("supertip", "getSupertip"))
        if e.get(getter)
    }  # fmt: skip
    assert asked == {key for key, _ in texts.RIBBON}, "a text for every callback's question"
    for language in i18n.LANGUAGES:
        with i18n.speaking(language):
            for key in [*asked, texts.MAC_NOTE_KEY]:
                assert table[(language, key)] == texts.ribbon_text(key), (language, key)
    assert table[("ru", "xlContactsRefresh.label")] == "Обновить контакты"
    assert table[("ru", "xlContactsSaveReport.label")] == "Сохранить отчёт"
    assert table[("ru", "xlContactsTab.label")] == "Контакты"
    assert table[("en", "xlContactsRefresh.label")] == "Refresh contacts", "English unchanged"
    for key in asked:
        russian = table[("ru", key)]
        assert re.search("[а-яё]", russian) and table[("en", key)] not in russian, key


def test_the_ribbon_speaks_russian_for_language_id_1049(built: Path) -> None:
    """XlContactsLanguage: the Contacts Language row, XL_CONTACTS_LANG, then
    Excel's UI language id, whose primary language (low 10 bits) the VBA maps
    as the Python side does (i18n.language_of)."""
    ribbon = _code(_modules(built)[build.RIBBON_MODULE])
    start = ribbon.index("Public Function XlContactsLanguage() As String")
    order = [line.strip() for line in ribbon[start + 2 : start + 5]]
    assert order == [
        f'chosen = XlContactsLanguageOf(XlContactsConfValue("{KEY_LANGUAGE}"))',
        f'If chosen = "" Then chosen = XlContactsLanguageOf(Environ("{i18n.ENV_LANG}"))',
        'If chosen = "" Then chosen = XlContactsLanguageOf(CStr(XlContactsUILanguage()))',
    ]
    ui_id = f"Application.LanguageSettings.LanguageID({excel_language.MSO_LANGUAGE_ID_UI})"
    assert any(line.strip() == f"XlContactsUILanguage = {ui_id}" for line in ribbon)
    primary = {
        int(hex_id, 16): language
        for hex_id, language in re.findall(
            r'Case &H([0-9A-F]+): XlContactsLanguageOf = "(\w+)"', "\n".join(ribbon)
        )
    }
    assert any(line.strip() == "Select Case CLng(value) And &H3FF" for line in ribbon)
    for language_id in (1049, 2073, 1033, 2057, 1031, 1036):  # ru, ru-MD, en-US, en-GB, de, fr
        assert primary.get(language_id & 0x3FF) == i18n.language_of(language_id), language_id
    assert primary.get(1049 & 0x3FF) == "ru"
    assert vba_texts(built)[("ru", "xlContactsRefresh.label")] == "Обновить контакты"


def _start_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    wb.vba_archive.close()
    return "\n".join(str(c.value) for row in wb["Start"].iter_rows() for c in row if c.value)


def _conf(path: Path) -> dict[str, object]:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    wb.vba_archive.close()
    return {row[0].value: row[1].value for row in wb["xlwings.conf"].iter_rows()}


def test_a_personal_copy_in_russian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`xl-contacts workbook -o FILE` in Russian: a Russian Start sheet and a
    Contacts Language row; the identifiers stay."""
    monkeypatch.setenv(i18n.ENV_LANG, "ru")
    path = tmp_path / "мои контакты.xlsm"
    with i18n.speaking("ru"):
        assert main(["workbook", "-o", str(path)]) == 0
    text = _start_text(path)
    assert "Учётные данные — никогда не хранятся в этой книге" in text
    assert "=GETCONTACTS(50; ЛОЖЬ)" in text and "=СОРТ(GETCONTACTS(; ЛОЖЬ); 2)" in text
    assert "Credentials — never stored" not in text and "Combine it" not in text
    assert "GREENAPI_API_TOKEN_INSTANCE" in text and "xl-contacts login" in text
    assert _conf(path)[KEY_LANGUAGE] == "ru" and _conf(path)["UDF Modules"] == "xl_contacts.udfs"
    wb = openpyxl.load_workbook(path, keep_vba=True)
    wb.vba_archive.close()
    assert wb.sheetnames == ["Start", "xlwings.conf"]
    example = wb["Start"][build.example_cell("ru")].value
    assert example.text == "=GETCONTACTS(50)", "a file holds formulas as English Excel writes them"


def test_an_english_personal_copy_names_no_language(tmp_path: Path) -> None:
    path = tmp_path / "mine.xlsm"
    assert main(["workbook", "-o", str(path)]) == 0
    assert KEY_LANGUAGE not in _conf(path), "Excel's own language then decides, as in the template"
    assert "Credentials — never stored in this workbook" in _start_text(path)
