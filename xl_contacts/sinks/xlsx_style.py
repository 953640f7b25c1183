"""How the report looks and prints.

* One font family in every styled cell. A ``Font`` without a name makes
  LibreOffice fall back to a serif face, so every font here is named.
* A header style of the cells themselves (bold, fill, border): Excel draws the
  table style, LibreOffice and others do not, and a header that looks like data
  reads as data.
* Counts with thousands separators, every date in one format.
* A page setup per sheet: all columns on one page width, the header row again
  on every page, and a header/footer saying what the page is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

from ..base.cells import clean, for_sheet_xml
from ..base.i18n import _

FONT = "Calibri"  # Excel's body font; LibreOffice substitutes Carlito when it has it
COUNT_FORMAT = "#,##0"
SHARE_FORMAT = "0.0%"
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"

PLAIN = Font(name=FONT, size=11)
BOLD = Font(name=FONT, size=11, bold=True)
TITLE = Font(name=FONT, size=14, bold=True)
SUBTITLE = Font(name=FONT, size=12, bold=True)
HEADER_FONT = Font(name=FONT, size=11, bold=True, color="FFFFFF")
# The header colour of TableStyleMedium2, so Excel shows one header, not two.
HEADER_FILL = PatternFill("solid", fgColor="4472C4")
_EDGE = Side(style="thin", color="2F5597")
HEADER_BORDER = Border(left=_EDGE, right=_EDGE, top=_EDGE, bottom=_EDGE)
LEFT = Alignment(horizontal="left")
RIGHT = Alignment(horizontal="right")


def styled(ws: Any, value: Any, font: Font = PLAIN, number_format: str | None = None) -> Any:
    """A write-only cell with a font (and a number format). Text is cleaned,
    reads back as itself (``for_sheet_xml``) and stays text even when it starts
    with '=' (openpyxl would write a formula)."""
    if isinstance(value, str):
        value = for_sheet_xml(clean(value))
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    cell.font = font
    if number_format:
        cell.number_format = number_format
    return cell


def value_cell(ws: Any, value: Any) -> Any:
    """A Summary value: counts with separators, dates in DATE_FORMAT, both
    aligned left like the text beside them."""
    if isinstance(value, datetime):
        cell = styled(ws, value.replace(tzinfo=None, microsecond=0), PLAIN, DATE_FORMAT)
    elif isinstance(value, int) and not isinstance(value, bool):
        cell = styled(ws, value, PLAIN, COUNT_FORMAT)
    else:
        return styled(ws, value)
    cell.alignment = LEFT
    return cell


def header_cell(ws: Any, text: str, alignment: Alignment | None = None) -> Any:
    """A header cell (over numbers: aligned right, like them)."""
    cell = styled(ws, text, HEADER_FONT)
    cell.fill = HEADER_FILL
    cell.border = HEADER_BORDER
    if alignment:
        cell.alignment = alignment
    return cell


def footer_text(instance: str, fetched_at: datetime) -> str:
    """The footer's left part: which instance, fetched when ('&' is a code there)."""
    text = _("Instance {instance} · fetched {when} UTC").format(
        instance=instance or "—", when=f"{fetched_at:%Y-%m-%d %H:%M}"
    )
    return text.replace("&", "&&")


def page_setup(
    ws: Any, footer: str, *, landscape: bool, title_row: int = 0, one_page: bool = False
) -> None:
    """Print setup of a write-only sheet; call it before the sheet's first row
    (openpyxl writes ``sheetPr``, where fit-to-page lives, with that row).

    All columns fit one page width (``one_page``: the whole sheet fits one page);
    ``title_row`` repeats on every page; the sheet's name heads each page and
    the footer says which instance, when, and which page of how many.
    """
    setup = ws.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0  # 0: as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    margins = ws.page_margins
    margins.left = margins.right = 0.4
    margins.top = margins.bottom = 0.6
    margins.header = margins.footer = 0.3
    if title_row:
        ws.print_title_rows = f"{title_row}:{title_row}"
    ws.oddHeader.center.text = "&A"
    ws.oddHeader.center.font = f"{FONT},Bold"
    ws.oddFooter.left.text = footer
    # &P and &N are the page and the number of pages (codes, filled in at printing).
    ws.oddFooter.right.text = _("Page {page} of {pages}").format(page="&P", pages="&N")
    for part in (ws.oddFooter.left, ws.oddFooter.right):
        part.font = FONT
        part.size = 9
