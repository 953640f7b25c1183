"""The live Excel workbook through xlwings: the workbook's own
settings (the ``xlwings.conf`` sheet) and the ``Contacts`` sheet.

Works with every xlwings engine that runs RunPython -- Windows and macOS Excel
-- and with the remote engine the tests drive; nothing here is Windows-only
(protection is read through COM or AppleScript where the engine has it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..base import i18n
from ..base.cells import for_excel_input, table_headers
from ..base.errors import ConfigError, echo
from ..base.i18n import _
from ..base.names import (
    CONF_SHEET,
    CONTACTS_SHEET,
    KEY_COUNT,
    KEY_LANGUAGE,
    KEY_ONLY,
    KEY_PROFILE,
    KEY_REPORT_FOLDER,
    TABLE_STYLE,
)
from ..base.names import CONTACTS_TABLE as TABLE_NAME
from ..domain.contacts import parse_count
from ..domain.kinds import parse_kind
from ..domain.table import ContactTable

# Where a new table goes: row 1 holds the refresh status, row 2 stays empty.
DEFAULT_ANCHOR = (3, 1)
# At most this many cells per write (xlwings' own budget per call).
CHUNK_CELLS = 100_000
# 0x800A03EC: Excel's "cannot change this" (protected sheet or table, cell in edit).
EXCEL_REFUSED = -2146827284

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class LiveSettings:
    count: int | None = None
    report_folder: str | None = None
    only: str = "all"
    profiles: tuple[str, ...] = ()  # none: the default credentials
    language: str | None = None  # none: XL_CONTACTS_LANG, else Excel's own language


def read_conf(book: Any) -> dict[str, Any]:
    """The rows of the ``xlwings.conf`` sheet (two columns: key, value) that
    have a value, by key in lower case; empty without the sheet."""
    names = [sheet.name for sheet in book.sheets]
    if CONF_SHEET not in names:
        return {}
    rows = book.sheets[CONF_SHEET]["A1"].options(ndim=2, expand="table").value or []
    return {
        str(row[0]).strip().casefold(): row[1]
        for row in rows
        if len(row) > 1 and row[0] is not None and row[1] not in (None, "")
    }


def conf_language(book: Any) -> str | None:
    """The workbook's own choice of language (its ``Contacts Language`` row),
    if it names one this program speaks."""
    return i18n.language_of(read_conf(book).get(KEY_LANGUAGE.casefold()))


def _on_conf_sheet(key: str) -> str:
    return _("'{key}' on the {sheet} sheet").format(key=key, sheet=CONF_SHEET)


def read_live_settings(book: Any) -> LiveSettings:
    """The project's keys from the ``xlwings.conf`` sheet. Missing sheet or
    keys mean defaults: all contacts, reports next to the workbook."""
    conf = read_conf(book)
    count = parse_count(conf.get(KEY_COUNT.casefold()), _on_conf_sheet(KEY_COUNT))
    folder = conf.get(KEY_REPORT_FOLDER.casefold())
    only = parse_kind(conf.get(KEY_ONLY.casefold()), _on_conf_sheet(KEY_ONLY))
    language = conf.get(KEY_LANGUAGE.casefold())
    if language is not None and not i18n.language_of(language):
        raise ConfigError(
            _("{where} must be en or ru, not '{value}'").format(
                where=_on_conf_sheet(KEY_LANGUAGE), value=echo(str(language))
            )
        )
    # Several profiles, one list: "sales, support" (or ";" as a Russian-language Excel lists).
    profiles = re.split("[,;]", str(conf.get(KEY_PROFILE.casefold()) or ""))
    return LiveSettings(
        count=count,
        report_folder=str(folder) if folder else None,
        only=only,
        profiles=tuple(dict.fromkeys(p.strip() for p in profiles if p.strip())),
        language=i18n.language_of(language),
    )


@contextmanager
def suspended_updates(app: Any) -> Iterator[None]:
    """Screen updating off and calculation manual while writing; both restored
    afterwards, on error too. Engines that cannot read a setting (Office.js
    cannot read screen updating) get the default back."""
    try:
        screen_before = app.screen_updating
    except NotImplementedError:
        screen_before = True
    try:
        calculation_before = app.calculation
    except NotImplementedError:
        calculation_before = None
    app.screen_updating = False
    if calculation_before is not None:
        app.calculation = "manual"
    try:
        yield
    finally:
        if calculation_before is not None:
            app.calculation = calculation_before
        app.screen_updating = screen_before


def check_contacts_sheet(book: Any) -> None:
    """Refuse, before anything is written, a ``Contacts`` sheet that holds other
    data and no ``Contacts`` table: writing there would overwrite the user's cells."""
    for other in book.sheets:
        if other.name.casefold() != CONTACTS_SHEET.casefold() and _find_table(other):
            raise ConfigError(
                _(
                    "the sheet '{sheet}' already has a table named '{table}' — "
                    "rename that table (Table Design ▸ Table Name) and refresh again"
                ).format(sheet=echo(other.name), table=TABLE_NAME)
            )
    sheet = _find_sheet(book, CONTACTS_SHEET)
    if sheet is None or _find_table(sheet) is not None:
        return
    used = sheet.used_range
    status_only = used.address.replace("$", "") == "A1"
    if used.value not in (None, "") and not status_only:
        raise ConfigError(
            _(
                "the sheet '{sheet}' holds other data: rename it (a new "
                "'{sheet}' sheet is then created) or clear it, and refresh again"
            ).format(sheet=CONTACTS_SHEET)
        )


def check_unprotected(book: Any) -> None:
    """Refuse, before anything is fetched or written, what Excel would refuse
    halfway: a protected ``Contacts`` sheet, or a protected workbook structure
    when the sheet has to be added. (Engines that cannot tell -- the remote one
    -- pass; a refusal while writing is still caught by ``write_contacts``.)"""
    sheet = _find_sheet(book, CONTACTS_SHEET)
    if sheet is None and _protected(book, "ProtectStructure", "protect_structure"):
        raise ConfigError(
            _(
                "the workbook's structure is protected, so the sheet '{sheet}' cannot "
                "be added — unprotect it (Review ▸ Protect Workbook) or add an empty sheet "
                "named '{sheet}' yourself, and refresh again"
            ).format(sheet=CONTACTS_SHEET)
        )
    if sheet is not None and _protected(sheet, "ProtectContents", "protect_contents"):
        raise ConfigError(
            _(
                "the sheet '{sheet}' is protected — unprotect it (Review ▸ Unprotect "
                "Sheet) and refresh again"
            ).format(sheet=echo(sheet.name))
        )


def _protected(item: Any, com_name: str, mac_name: str) -> bool:
    """Whether Excel reports ``item`` (a book or sheet) as protected: through COM
    on Windows, AppleScript on macOS; False where the engine cannot tell."""
    try:
        api = item.api
        value = getattr(api, com_name, None)
        if value is None and hasattr(getattr(api, mac_name, None), "get"):
            value = getattr(api, mac_name).get()
    except Exception:  # an engine without the notion (remote, Office.js)
        return False
    return value is True


@contextmanager
def status_bar(app: Any) -> Iterator[Callable[[str], None]]:
    """``show(text)`` puts ``text`` in Excel's status bar -- the one thing Excel
    repaints while a synchronous macro runs; Excel's own text comes back at the
    end. Cosmetic: an engine without a status bar, or a failure, is ignored."""

    def show(text: str | bool) -> None:
        try:
            app.status_bar = text
        except Exception:  # the remote engine has none; nothing to fix for the user
            pass

    try:
        yield show
    finally:
        show(False)


def write_contacts(
    book: Any, table: ContactTable, status: str, progress: Progress | None = None
) -> Any:
    """Write ``table`` to the ``Contacts`` sheet as the Excel table ``Contacts``
    and return its range.

    Creates the sheet and the table when missing; otherwise the table keeps its
    place, is resized to the new rows and columns, and cells a longer earlier
    list left behind are cleared. Every value is written as text, in blocks of at
    most ``CHUNK_CELLS`` cells (``progress(rows_done, rows)`` after each). If
    Excel refuses any step, what was there before is put back and a
    ``ConfigError`` says so: a failed refresh leaves no half-written table.
    """
    place = _place(book)
    values = _text_rows(table)
    sheet, top, left = place.sheet, place.top, place.left
    bottom, right = top + len(values) - 1, left + len(values[0]) - 1
    target = sheet.range((top, left), (bottom, right))
    _refuse_filled(_growth(place, bottom, right), target, sheet.name)
    before = _snapshot(place)
    try:
        _write_blocks(sheet, top, left, values, progress)
        _fit_table(place, target)
    except Exception as error:
        raise _put_back(place, before, target, error) from None
    if top >= 3:
        sheet.range((top - 2, left)).value = for_excel_input(status)
    return target


@dataclass
class _Place:
    """Where the table goes, and what is there before this refresh."""

    sheet: Any
    created: bool
    table: Any | None
    top: int
    left: int
    rows: int = 0
    cols: int = 0

    @property
    def bottom(self) -> int:
        return self.top + self.rows - 1

    @property
    def right(self) -> int:
        return self.left + self.cols - 1


def _place(book: Any) -> _Place:
    sheet = _find_sheet(book, CONTACTS_SHEET)
    if sheet is None:
        sheet = book.sheets.add(CONTACTS_SHEET, after=book.sheets[-1])
        return _Place(sheet, True, None, *DEFAULT_ANCHOR)
    table = _find_table(sheet)
    if table is None:
        return _Place(sheet, False, None, *DEFAULT_ANCHOR)
    old = table.range
    return _Place(sheet, False, table, old.row, old.column, *old.shape)


def _growth(place: _Place, bottom: int, right: int) -> list[Any]:
    """The cells the new table takes that the old one did not (they must be empty)."""
    sheet, top, left = place.sheet, place.top, place.left
    areas = []
    if bottom > place.bottom and not place.created:
        areas.append(sheet.range((max(top, place.bottom + 1), left), (bottom, right)))
    if right > place.right and place.table is not None:
        areas.append(sheet.range((top, place.right + 1), (bottom, right)))
    return areas


def _snapshot(place: _Place) -> list[list[Any]]:
    """The old table's values, to put back if writing fails."""
    if place.table is None:
        return []
    old = place.sheet.range((place.top, place.left), (place.bottom, place.right))
    return old.options(ndim=2).value or []


def _write_blocks(
    sheet: Any, top: int, left: int, values: list[list[Any]], progress: Progress | None
) -> None:
    """One write per block of at most CHUNK_CELLS cells: each is one call Excel
    either does or refuses (xlwings would split a larger one itself, unseen)."""
    width = len(values[0])
    step = max(1, CHUNK_CELLS // width)
    for start in range(0, len(values), step):
        block = values[start : start + step]
        row = top + start
        sheet.range((row, left), (row + len(block) - 1, left + width - 1)).value = block
        if progress is not None:
            progress(start + len(block), len(values))


def _fit_table(place: _Place, target: Any) -> None:
    """Resize (or add) the table first, then clear what the old one covered
    outside it: Excel refills a cleared header cell *inside* a table with
    "ColumnN", so the dropped columns must be outside before they are cleared."""
    sheet = place.sheet
    if place.table is not None:
        place.table.resize(target)
    else:
        sheet.tables.add(target, name=TABLE_NAME, table_style_name=TABLE_STYLE)
    bottom = target.row + target.shape[0] - 1
    right = target.column + target.shape[1] - 1
    left = place.left
    if place.table is not None and place.bottom > bottom:
        sheet.range((bottom + 1, left), (place.bottom, place.right)).clear_contents()
    if place.table is not None and place.right > right:
        last = min(bottom, place.bottom)
        sheet.range((place.top, right + 1), (last, place.right)).clear_contents()


def _put_back(place: _Place, before: list[list[Any]], target: Any, error: Exception) -> ConfigError:
    """Undo a refresh Excel stopped halfway; the error that explains it."""
    reason = excel_refusal(error) or type(error).__name__
    try:
        _restore(place, before, target)
    except Exception:
        return ConfigError(
            _(
                "Excel stopped the refresh while writing ({reason}) and the earlier contacts "
                "could not be put back: the {table} table may be incomplete — refresh again"
            ).format(reason=reason, table=TABLE_NAME)
        )
    return ConfigError(
        _(
            "Excel stopped the refresh while writing ({reason}); the sheet "
            "'{sheet}' was put back as it was — refresh again"
        ).format(reason=reason, sheet=echo(place.sheet.name))
    )


def _restore(place: _Place, before: list[list[Any]], target: Any) -> None:
    if place.created:
        place.sheet.delete()
        return
    if place.table is None:
        target.clear_contents()
        return
    # The table back to its old range first: nothing cleared below is then inside it.
    place.table.resize(place.sheet.range((place.top, place.left), (place.bottom, place.right)))
    bottom = target.row + target.shape[0] - 1
    right = target.column + target.shape[1] - 1
    for area in _growth(place, bottom, right):
        area.clear_contents()
    # Read back, text lost its quote prefix: put it back, or names become formulas.
    rows = [[for_excel_input(v) if isinstance(v, str) else v for v in row] for row in before]
    _write_blocks(place.sheet, place.top, place.left, rows, None)


def excel_refusal(error: BaseException) -> str | None:
    """What Excel said when it refused a change, in a few words; None for an
    error that is not Excel's. A COM error carries Excel's own sentence in its
    EXCEPINFO (pywintypes.com_error.args[2])."""
    args = getattr(error, "args", ())
    info = args[2] if len(args) > 2 and isinstance(args[2], tuple) else ()
    if len(info) > 5 and info[5] == EXCEL_REFUSED:
        return _("Excel refused to change a cell: is the sheet protected, or a cell being edited?")
    if len(info) > 2 and isinstance(info[2], str) and info[2].strip():
        return echo(info[2])
    return None


def _text_rows(table: ContactTable) -> list[list[str]]:
    """Header and rows as Excel input that stays text; an empty data row when
    there are no contacts (a table needs one)."""
    headers = table_headers(table.columns)
    values = [[for_excel_input(h) for h in headers]]
    values += [[for_excel_input(v) for v in row] for row in table.rows]
    if len(values) == 1:
        values.append([""] * len(headers))
    return values


def _refuse_filled(areas: list[Any], target: Any, sheet_name: str) -> None:
    """A ConfigError naming the first filled cell of ``areas``, if any."""
    for area in areas:
        if cell := _first_filled(area):
            raise ConfigError(
                _(
                    "the {table} table needs the cells down to {last} on sheet '{sheet}', "
                    "but {cell} holds data — move it and refresh again"
                ).format(
                    table=TABLE_NAME,
                    last=target.address.replace("$", ""),
                    sheet=echo(sheet_name),
                    cell=cell,
                )
            )


def _first_filled(area: Any) -> str | None:
    """The address of the first non-empty cell of ``area``, if any."""
    rows = area.options(ndim=2).value or []
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                return area[r, c].address.replace("$", "")
    return None


def _find_sheet(book: Any, name: str) -> Any | None:
    for sheet in book.sheets:
        if sheet.name.casefold() == name.casefold():
            return sheet
    return None


def _find_table(sheet: Any) -> Any | None:
    for table in sheet.tables:
        if table.name.casefold() == TABLE_NAME.casefold():
            return table
    return None
