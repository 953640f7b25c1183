"""The XML of an untrusted .xlsx package, read by an XML parser (expat), never
by patterns: comments, quoting, white space, character references and
namespace prefixes are then what XML says they are, for this reading as for
calamine's. No document type (so no entity but XML's own), UTF-8 only: what
Excel, LibreOffice and openpyxl write, and what every reader reads alike.

Elements are matched by local name, as calamine matches them: ``<x:c r=...>``
with ``x`` bound to the main namespace is a cell like ``<c r=...>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

from ..base.bounds import SHEET_COLUMNS, SHEET_ROWS
from ..base.i18n import _

# The most bytes without a "<": a cell holds 32,767 characters (under 1 MiB escaped).
_MAX_GAP = 4 << 20
_BOM = b"\xef\xbb\xbf"
# A cell's position: column letters, then a row number (calamine reads no other).
_POSITION = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})")


class NotWorkbookXml(ValueError):
    """A part is not XML as a workbook has it; the text says how."""


@dataclass(frozen=True)
class Element:
    local: str  # the name without its prefix
    parent: str  # the parent's local name ("" for the root)
    attributes: dict[str, str]  # by qualified name, as written (r:id)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate("UTF-8")  # whatever the document declares

    def no_dtd(*_: object) -> None:
        raise NotWorkbookXml(_("a document type declaration"))

    def utf8_only(_version: str, encoding: str | None, _standalone: int) -> None:
        if encoding is not None and encoding.lower() not in ("utf-8", "utf8"):
            raise NotWorkbookXml(_("XML in {encoding}").format(encoding=encoding))

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.XmlDeclHandler = utf8_only
    return parser


def _parse(parser: expat.XMLParserType, chunks: Iterable[bytes]) -> None:
    try:
        for chunk in _bounded(chunks):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise NotWorkbookXml(
            _("not well-formed XML ({reason})").format(reason=expat.ErrorString(error.code))
        ) from None


def _bounded(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks, as long as every token expat must hold whole stays small.
    expat holds a tag, a comment or a processing instruction in memory until
    its end: 4 GiB inflated from a few MB of zip would be held at once. No
    writer of workbooks writes comments, CDATA or instructions (but the XML
    declaration), nor 4 MiB without a "<": refused, every token is bounded."""
    gap, offset, last, declared_at = 0, 0, b"", 0
    for chunk in chunks:
        if offset == 0 and chunk.startswith(_BOM):
            declared_at = len(_BOM)  # the declaration's place, after a byte order mark
        seam = last + chunk  # "<!" or "<?" may straddle two chunks
        at = seam.find(b"<?")
        while at >= 0:
            if offset - len(last) + at != declared_at:
                raise NotWorkbookXml(_("an instruction"))
            at = seam.find(b"<?", at + 1)
        if b"<!" in seam:
            raise NotWorkbookXml(_("a comment, CDATA or document type"))
        cut = chunk.rfind(b"<")
        gap = gap + len(chunk) if cut < 0 else len(chunk) - cut - 1
        if gap > _MAX_GAP:
            raise NotWorkbookXml(_("over {mib} MiB without a tag").format(mib=_MAX_GAP >> 20))
        offset, last = offset + len(chunk), chunk[-1:]
        yield chunk


def local_name(name: str) -> str:
    return name.rpartition(":")[2]


def elements(data: bytes, wanted: set[str]) -> list[Element]:
    """The elements of a small part whose local name is in ``wanted``."""
    parser = _parser()
    found: list[Element] = []
    open_elements = [""]

    def start(name: str, attributes: dict[str, str]) -> None:
        local = local_name(name)
        if local in wanted:
            found.append(Element(local, open_elements[-1], attributes))
        open_elements.append(local)

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda _: open_elements.pop()
    _parse(parser, [data])
    return found


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.encode():
        number = number * 26 + letter - 64
    return number


@dataclass
class Extent:
    """How far the cells of a part reach (its declared extent included)."""

    rows: int = 0
    columns: int = 0
    header_columns: int = 0  # of the cells in row 1

    def reach(self, position: str) -> None:
        found = _POSITION.fullmatch(position)
        if not found:
            raise NotWorkbookXml(_("a cell without a plain position"))
        row, column = int(found[2]), column_number(found[1])
        if row > SHEET_ROWS or column > SHEET_COLUMNS:
            raise NotWorkbookXml(_("cells beyond Excel's grid"))
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        if row == 1:
            self.header_columns = max(self.header_columns, column)


def extent(chunks: Iterable[bytes]) -> Extent:
    """How far the cells of a part reach; NotWorkbookXml for a cell without a
    plain position (a reader would place it where this cannot see) or beyond
    Excel's grid."""
    parser = _parser()
    found = Extent()

    def start(name: str, attributes: dict[str, str]) -> None:
        if name == "c" or name.endswith(":c"):
            if any(key != "r" and local_name(key) == "r" for key in attributes):
                raise NotWorkbookXml(_("a cell with two positions"))
            found.reach(attributes.get("r", ""))
        elif name == "dimension" or name.endswith(":dimension"):
            for corner in attributes.get("ref", "").split(":"):
                found.reach(corner)

    parser.StartElementHandler = start
    _parse(parser, chunks)
    return found
