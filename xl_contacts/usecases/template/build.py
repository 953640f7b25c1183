"""Builds ``workbook_template.xlsm`` byte for byte reproducibly.

No Excel exists where this runs, so the workbook is assembled part by part:

* the VBA project starts from xlwings' own ``quickstart_standalone.xlsm``
  (a source-only project: Excel recompiles it on open) and is edited with
  pyOpenVBA: ``Module1`` goes, the ``xlwings`` module is refreshed from the
  installed (pinned) ``xlwings.bas``, the ribbon callbacks
  (``ContactsRibbon.bas``), their texts in every language (``ContactsTexts``,
  texts.py) and the ``GETCONTACTS`` wrapper come in. The wrapper
  is generated from ``xl_contacts/udfs.py`` by xlwings' own "Import Functions"
  code, so a changed Python signature flows into the template;
* every other part -- sheets, styles, workbook, ribbon -- is written here as
  XML, so the result depends on no spreadsheet library's output format;
* the zip is written with fixed timestamps and no compression (deflate output
  differs between zlib builds; stored entries do not).

Languages: the ribbon follows Excel (texts.py); the Start sheet is written in
the ``language`` of the build. The repository's template is English and names
no language, so Excel's decides; a personal copy in Russian gets a Russian
Start sheet and a ``Contacts Language`` row.
"""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import sys
import tempfile
import types
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from ...base import i18n
from ...base.names import CONF_SHEET, KEY_LANGUAGE
from ...sinks.atomic import output_path, replacing
from .texts import TEXTS_MODULE, start_rows, texts_module

HERE = resources.files(__package__)
QUICKSTART = "quickstart_standalone.xlsm"  # xlwings' own workbook: VBA project and theme
RIBBON_XML = "customUI14.xml"
RIBBON_MODULE = "ContactsRibbon"
UDF_MODULE = "xlwings_udfs"
UDF_PYTHON_MODULE = "xl_contacts.udfs"
START_SHEET = "Start"
EXAMPLE_FORMULA = "GETCONTACTS(50)"
# What a GETCONTACTS cell says on macOS (texts.MAC_NOTE, in the workbook's language).
MAC_NOTE_CALL = "XlContactsMacNote()"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FIXED_W3CDTF = "2026-01-01T00:00:00Z"

# (key, value) rows of the xlwings.conf sheet. Only keys with values: an empty
# key would still override the user's own xlwings.conf files.
DEFAULT_CONF: tuple[tuple[str, object], ...] = (
    ("UDF Modules", UDF_PYTHON_MODULE),
    # RunPython in the UDF server's process: the ribbon's Refresh then clears
    # the same results cache =GETCONTACTS reads from.
    ("Use UDF Server", True),
)

# The xlwings.conf key naming the interpreter on each OS with desktop Excel:
# each OS reads only its own, so a personal copy writes only this machine's.
INTERPRETER_KEYS = {"win32": "Interpreter_Win", "darwin": "Interpreter_Mac"}


def personal_conf(
    platform: str, python: str, language: str = i18n.ENGLISH
) -> tuple[tuple[tuple[str, object], ...], str | None]:
    """The xlwings.conf rows of a personal copy made on ``platform`` (a
    ``sys.platform``) with interpreter ``python`` in ``language``, and the
    interpreter key written (None where no desktop Excel runs: a path of this
    machine would mislead Excel on another one). English names no language:
    Excel's own then decides, as in the template."""
    conf = DEFAULT_CONF
    if language != i18n.ENGLISH:
        conf = (*conf, (KEY_LANGUAGE, language))
    key = INTERPRETER_KEYS.get("win32" if platform.startswith("win") else platform)
    if key is None:
        return conf, None
    return (*conf, (key, python)), key




def example_cell(language: str = i18n.ENGLISH) -> str:
    """Where the example formula goes: right below the Start sheet's text."""
    return f"A{len(start_rows(language)) + 1}"


_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_RIBBON = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
_REL_VBA = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
_STYLE = {"": 0, "bold": 1, "title": 2}


def build_template(
    path: str | Path,
    conf: Sequence[tuple[str, object]] = DEFAULT_CONF,
    *,
    live_example: bool = True,
    language: str = i18n.ENGLISH,
) -> Path:
    """Write the macro-enabled template to ``path`` (atomically) and return it,
    its Start sheet in ``language`` (the conf names the language, if any).

    ``live_example=False`` leaves out the Start sheet's ``=GETCONTACTS(50)``:
    a workbook with no formula calls no Python when Excel opens it (the
    real-Excel tests need that: their credentials reach Excel's Python only later).
    """
    target = output_path(path, ".xlsm", "template")
    parts = _parts(vba_project(), conf, _start_sheet(language, live_example))
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_STORED) as package:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.create_system = 0
            info.external_attr = 0
            package.writestr(info, content)
    with replacing(target) as temporary:
        temporary.write_bytes(data.getvalue())
    return target


def module_sources() -> dict[str, str]:
    """The VBA modules this build adds or replaces, CRLF line ends, by name."""
    import xlwings

    bas = Path(xlwings.__file__).with_name("xlwings.bas").read_text(encoding="utf-8")
    ribbon = (HERE / f"{RIBBON_MODULE}.bas").read_text(encoding="utf-8")
    return {
        "xlwings": _crlf(bas),
        RIBBON_MODULE: _crlf(ribbon),
        TEXTS_MODULE: _crlf(texts_module()),
        UDF_MODULE: _crlf(udf_wrapper()),
    }


def udf_wrapper() -> str:
    """The ``xlwings_udfs`` module as xlwings' "Import Functions" writes it, each
    function starting with the macOS note (``mac_note``)."""
    with _windows_xlwings() as (xlwings_udfs, module):
        out = io.StringIO()
        out.write(f'Attribute VB_Name = "{UDF_MODULE}"\n')
        out.write("'Autogenerated code by xlwings - changes will be lost with next import!\n")
        out.write("""#Const App = "Microsoft Excel" 'Adjust when using outside of Excel\n""")
        book = types.SimpleNamespace(Name="workbook_template.xlsm")
        xlwings_udfs.generate_vba_wrapper(UDF_PYTHON_MODULE, module, out, book)
    return mac_note(out.getvalue())


def mac_note(wrapper: str) -> str:
    """On macOS every function returns the macOS note at once (texts.MAC_NOTE,
    in the workbook's language): before the function-wizard check
    (CommandBars differ there) and before XLPy."""

    def guard(match: re.Match[str]) -> str:
        name = match.group(1)
        return (
            f"{match.group(0)}\n    #If Mac Then\n        {name} = {MAC_NOTE_CALL}\n"
            "        Exit Function\n    #End If"
        )

    return re.sub(r"^Function (\w+)\(.*\)$", guard, wrapper, flags=re.M)


def vba_project() -> bytes:
    """xl/vbaProject.bin: xlwings' quickstart project with this project's modules."""
    import xlwings
    from pyopenvba import ExcelFile

    quickstart = Path(xlwings.__file__).with_name(QUICKSTART)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "template.xlsm"
        shutil.copyfile(quickstart, work)
        with ExcelFile(work) as book:
            project = book.vba_project()
            project.delete_module("Module1")
            for name, source in module_sources().items():
                if name in book.module_names():
                    book.set_module(name, source)
                else:
                    project.add_module(name, source)
            book.save()
        with zipfile.ZipFile(work) as package:
            return package.read("xl/vbaProject.bin")


@contextmanager
def _windows_xlwings() -> Iterator[tuple[Any, types.ModuleType]]:
    """xlwings.udfs (the Windows UDF machinery) importable on any OS, and a
    fresh copy of xl_contacts/udfs.py decorated by it.

    xlwings.udfs imports pywin32 at the top but needs none of it to write VBA;
    stand-in modules satisfy the imports and are removed afterwards.
    """
    stand_ins = ("pythoncom", "pywintypes", "win32com", "win32com.client")
    added = [name for name in stand_ins if name not in sys.modules]
    for name in added:
        sys.modules[name] = types.ModuleType(name)
    if "pythoncom" in added:
        sys.modules["pythoncom"].CoInitialize = lambda: None  # type: ignore[attr-defined]
    if "win32com.client" in added:
        sys.modules["win32com.client"].Dispatch = None  # type: ignore[attr-defined]
        sys.modules["win32com"].client = sys.modules["win32com.client"]  # type: ignore[attr-defined]
    import xlwings

    imported_udfs = "xlwings.udfs" not in sys.modules
    saved = (xlwings.func, xlwings.arg, xlwings.ret)
    try:
        import xlwings.udfs as xlwings_udfs

        xlwings.func, xlwings.arg, xlwings.ret = (
            xlwings_udfs.xlfunc,
            xlwings_udfs.xlarg,
            xlwings_udfs.xlret,
        )
        origin = resources.files("xl_contacts") / "udfs.py"
        spec = importlib.util.spec_from_file_location("xl_contacts._udfs_for_vba", origin)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield xlwings_udfs, module
    finally:
        xlwings.func, xlwings.arg, xlwings.ret = saved
        if imported_udfs:
            sys.modules.pop("xlwings.udfs", None)
        for name in added:
            sys.modules.pop(name, None)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


# --- package parts -----------------------------------------------------------------


def _parts(vba: bytes, conf: Sequence[tuple[str, object]], start: bytes) -> dict[str, bytes]:
    import xlwings

    with zipfile.ZipFile(Path(xlwings.__file__).with_name(QUICKSTART)) as quickstart:
        theme_xml = quickstart.read("xl/theme/theme1.xml")
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _relationships(
            ("rId1", f"{_NS_REL}/officeDocument", "xl/workbook.xml"),
            ("rId2", f"{_NS_PKG_REL}/metadata/core-properties", "docProps/core.xml"),
            ("rId3", f"{_NS_REL}/extended-properties", "docProps/app.xml"),
            ("rId4", _REL_RIBBON, "customUI/customUI14.xml"),
        ),
        "docProps/app.xml": _app_xml(),
        "docProps/core.xml": _core_xml(),
        "customUI/customUI14.xml": (HERE / RIBBON_XML).read_bytes(),
        "xl/workbook.xml": _workbook_xml(),
        "xl/_rels/workbook.xml.rels": _relationships(
            ("rId1", f"{_NS_REL}/worksheet", "worksheets/sheet1.xml"),
            ("rId2", f"{_NS_REL}/worksheet", "worksheets/sheet2.xml"),
            ("rId3", f"{_NS_REL}/theme", "theme/theme1.xml"),
            ("rId4", f"{_NS_REL}/styles", "styles.xml"),
            ("rId5", _REL_VBA, "vbaProject.bin"),
            ("rId6", f"{_NS_REL}/sheetMetadata", "metadata.xml"),
        ),
        "xl/worksheets/sheet1.xml": start,
        "xl/worksheets/sheet2.xml": _conf_sheet(conf),
        "xl/theme/theme1.xml": theme_xml,
        "xl/styles.xml": _styles_xml(),
        "xl/metadata.xml": _metadata_xml(),
        "xl/vbaProject.bin": vba,
    }
    return parts


_OOXML = "application/vnd.openxmlformats-officedocument"
_CONTENT_TYPES = {
    "/xl/workbook.xml": "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "/xl/worksheets/sheet1.xml": f"{_OOXML}.spreadsheetml.worksheet+xml",
    "/xl/worksheets/sheet2.xml": f"{_OOXML}.spreadsheetml.worksheet+xml",
    "/xl/theme/theme1.xml": f"{_OOXML}.theme+xml",
    "/xl/styles.xml": f"{_OOXML}.spreadsheetml.styles+xml",
    "/xl/metadata.xml": f"{_OOXML}.spreadsheetml.sheetMetadata+xml",
    "/xl/vbaProject.bin": "application/vnd.ms-office.vbaProject",
    "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
    "/docProps/app.xml": f"{_OOXML}.extended-properties+xml",
}


def _xml(body: str) -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + body).encode("utf-8")


def _content_types() -> bytes:
    overrides = "".join(
        f'<Override PartName="{part}" ContentType="{kind}"/>'
        for part, kind in _CONTENT_TYPES.items()
    )
    return _xml(
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f"{overrides}</Types>"
    )


def _relationships(*rels: tuple[str, str, str]) -> bytes:
    body = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{target}"/>' for i, t, target in rels
    )
    return _xml(f'<Relationships xmlns="{_NS_PKG_REL}">{body}</Relationships>')


def _app_xml() -> bytes:
    return _xml(
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>Microsoft Excel</Application>'
        "<DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion>"
        "</Properties>"
    )


def _core_xml() -> bytes:
    return _xml(
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<dc:title>xl-contacts</dc:title><dc:creator>xl-contacts</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{FIXED_W3CDTF}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook_xml() -> bytes:
    return _xml(
        f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        '<workbookPr codeName="ThisWorkbook"/>'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        f'<sheet name="{START_SHEET}" sheetId="1" r:id="rId1"/>'
        f'<sheet name="{CONF_SHEET}" sheetId="2" r:id="rId2"/>'
        '</sheets><calcPr calcId="191029" fullCalcOnLoad="1"/></workbook>'
    )


def _cell(ref: str, value: object, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value}</v></c>'
    text = escape(str(value))
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _worksheet(code_name: str, rows: str, cols: str, selected: bool) -> bytes:
    tab = ' tabSelected="1"' if selected else ""
    return _xml(
        f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
        f"<sheetPr codeName={quoteattr(code_name)}/>"
        f'<sheetViews><sheetView{tab} workbookViewId="0"/></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/>{cols}<sheetData>{rows}</sheetData>'
        '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        "</worksheet>"
    )


def _start_sheet(language: str, live_example: bool) -> bytes:
    rows = [
        f'<row r="{n}">{_cell(f"A{n}", text, _STYLE[style])}</row>'
        for n, (style, text) in enumerate(start_rows(language), 1)
        if text
    ]
    # A dynamic-array formula as Excel 365 stores one: an array formula whose
    # cell points (cm="1") at the XLDAPR metadata, so it spills instead of
    # being shown as the legacy =@GETCONTACTS(50). (A file always holds
    # formulas as English Excel writes them; Excel shows them in its own.)
    cell = example_cell(language)
    if live_example:
        rows.append(
            f'<row r="{cell[1:]}"><c r="{cell}" cm="1">'
            f'<f t="array" ref="{cell}">{EXAMPLE_FORMULA}</f></c></row>'
        )
    cols = '<cols><col min="1" max="1" width="14" customWidth="1"/></cols>'
    return _worksheet("Sheet1", "".join(rows), cols, selected=True)


def _conf_sheet(conf: Sequence[tuple[str, object]]) -> bytes:
    rows = "".join(
        f'<row r="{n}">{_cell(f"A{n}", key)}{_cell(f"B{n}", value)}</row>'
        for n, (key, value) in enumerate(conf, 1)
    )
    cols = (
        '<cols><col min="1" max="1" width="24" customWidth="1"/>'
        '<col min="2" max="2" width="40" customWidth="1"/></cols>'
    )
    return _worksheet("Sheet2", rows, cols, selected=False)


def _styles_xml() -> bytes:
    font = '<color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    return _xml(
        f'<styleSheet xmlns="{_NS_MAIN}"><fonts count="3">'
        f'<font><sz val="11"/>{font}<font><b/><sz val="11"/>{font}'
        f'<font><b/><sz val="16"/>{font}</fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        "</cellStyleXfs>"
        '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
        'defaultPivotStyle="PivotStyleLight16"/></styleSheet>'
    )


def _metadata_xml() -> bytes:
    return _xml(
        f'<metadata xmlns="{_NS_MAIN}" '
        'xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray">'
        '<metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" '
        'copy="1" pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" '
        'clearFormats="1" clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes>'
        '<futureMetadata name="XLDAPR" count="1"><bk><extLst>'
        '<ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}">'
        '<xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk>'
        '</futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata>'
        "</metadata>"
    )
