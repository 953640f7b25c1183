"""The live Excel workbook through xlwings: the workbook's own
settings (the ``xlwings.conf`` sheet) and the ``Contacts`` sheet.

Works with every xlwings engine that runs RunPython -- Windows and macOS Excel
-- and with the remote engine the tests drive; nothing here is Windows-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .cells import for_excel_input, table_headers
from .contacts import ContactTable, parse_count
from .errors import ConfigError
from .kinds import parse_kind
from .names import (
    CONF_SHEET,
    CONTACTS_SHEET,
    KEY_COUNT,
    KEY_ONLY,
    KEY_PROFILE,
    KEY_REPORT_FOLDER,
    TABLE_STYLE,
)
from .names import CONTACTS_TABLE as TABLE_NAME

# Where a new table goes: row 1 holds the refresh status, row 2 stays empty.
DEFAULT_ANCHOR = (3, 1)


@dataclass(frozen=True)
class LiveSettings:
    count: int | None = None
    report_folder: str | None = None
    only: str = "all"
    profile: str | None = None


def read_live_settings(book: Any) -> LiveSettings:
    """The project's keys from the ``xlwings.conf`` sheet (two columns: key,
    value). Missing sheet or keys mean defaults: all contacts, reports next to
    the workbook."""
    names = [sheet.name for sheet in book.sheets]
    if CONF_SHEET not in names:
        return LiveSettings()
    rows = book.sheets[CONF_SHEET]["A1"].options(ndim=2, expand="table").value or []
    conf = {
        str(row[0]).strip().casefold(): row[1]
        for row in rows
        if len(row) > 1 and row[0] is not None and row[1] not in (None, "")
    }
    count = parse_count(conf.get(KEY_COUNT.casefold()), f"'{KEY_COUNT}' on the {CONF_SHEET} sheet")
    folder = conf.get(KEY_REPORT_FOLDER.casefold())
    only = parse_kind(conf.get(KEY_ONLY.casefold()), f"'{KEY_ONLY}' on the {CONF_SHEET} sheet")
    profile = conf.get(KEY_PROFILE.casefold())
    return LiveSettings(
        count=count,
        report_folder=str(folder) if folder else None,
        only=only,
        profile=str(profile).strip() if profile else None,
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
                f"the sheet '{other.name}' already has a table named '{TABLE_NAME}' — "
                "rename that table (Table Design ▸ Table Name) and refresh again"
            )
    sheet = _find_sheet(book, CONTACTS_SHEET)
    if sheet is None or _find_table(sheet) is not None:
        return
    used = sheet.used_range
    status_only = used.address.replace("$", "") == "A1"
    if used.value not in (None, "") and not status_only:
        raise ConfigError(
            f"the sheet '{CONTACTS_SHEET}' holds other data: rename it (a new "
            f"'{CONTACTS_SHEET}' sheet is then created) or clear it, and refresh again"
        )


def write_contacts(book: Any, table: ContactTable, status: str) -> Any:
    """Write ``table`` to the ``Contacts`` sheet as the Excel table ``Contacts``
    and return its range.

    Creates the sheet and the table when missing; otherwise the table keeps its
    place, is resized to the new rows and columns, and cells a longer earlier
    list left behind are cleared. Every value is written as text.
    """
    sheet = _find_sheet(book, CONTACTS_SHEET)
    created = sheet is None
    if sheet is None:
        sheet = book.sheets.add(CONTACTS_SHEET, after=book.sheets[-1])
    existing = _find_table(sheet)
    if existing is not None:
        old = existing.range
        top, left = old.row, old.column
        old_rows, old_cols = old.shape
    else:
        top, left = DEFAULT_ANCHOR
        old_rows = old_cols = 0

    values = _text_rows(table)
    bottom, right = top + len(values) - 1, left + len(values[0]) - 1
    old_bottom, old_right = top + old_rows - 1, left + old_cols - 1
    target = sheet.range((top, left), (bottom, right))
    # Growing into cells the user filled would overwrite them: refuse instead.
    growth = []
    if bottom > old_bottom and not created:
        growth.append(sheet.range((max(top, old_bottom + 1), left), (bottom, right)))
    if right > old_right and existing is not None:
        growth.append(sheet.range((top, old_right + 1), (bottom, right)))
    _refuse_filled(growth, target, sheet.name)

    # One block: xlwings itself splits writes above 100,000 cells into chunks.
    target.value = values
    # Clear what a longer or wider earlier table leaves outside the new one.
    if old_bottom > bottom:
        sheet.range((bottom + 1, left), (old_bottom, old_right)).clear_contents()
    if old_right > right:
        sheet.range((top, right + 1), (min(bottom, old_bottom), old_right)).clear_contents()
    if existing is not None:
        existing.resize(target)
    else:
        sheet.tables.add(target, name=TABLE_NAME, table_style_name=TABLE_STYLE)
    if top >= 3:
        sheet.range((top - 2, left)).value = for_excel_input(status)
    return target


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
                f"the {TABLE_NAME} table needs the cells down to {target.address.replace('$', '')}"
                f" on sheet '{sheet_name}', but {cell} holds data — move it and refresh again"
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
