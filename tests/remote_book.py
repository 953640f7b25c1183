"""Real xlwings Book objects without Excel: xlwings' remote engine.

``make_book`` builds the JSON an Excel client would send for a workbook;
``apply_actions`` replays the actions a macro produced on a copy of the
sheets' values, so tests can look at the resulting cells, not only at the
list of calls.
"""

from __future__ import annotations

import copy
import os
from typing import Any

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # tests only

import xlwings as xw
from xlwings.utils import address_to_index_tuple, col_name


def table_json(name: str, address: str, style: str = "TableStyleMedium2") -> dict[str, Any]:
    first, last = address.split(":")
    top, left = address_to_index_tuple(first)
    bottom, right = address_to_index_tuple(last)

    def a(row: int, col: int) -> str:
        return f"${col_name(col)}${row}"

    return {
        "name": name,
        "range_address": f"{a(top, left)}:{a(bottom, right)}",
        "header_row_range_address": f"{a(top, left)}:{a(top, right)}",
        "data_body_range_address": f"{a(top + 1, left)}:{a(bottom, right)}",
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": style,
        "show_autofilter": True,
    }


def make_book(
    sheets: dict[str, list[list[Any]]],
    tables: dict[str, list[dict[str, Any]]] | None = None,
    name: str = "Contacts.xlsm",
) -> xw.Book:
    payload = {
        "client": "Office.js",
        "version": xw.__version__,
        "book": {
            "name": name,
            "active_sheet_index": 0,
            "selection": "A1",
            "calculation": "Automatic",
        },
        "names": [],
        "sheets": [
            {
                "name": sheet_name,
                "values": values or [[]],
                "pictures": [],
                "tables": (tables or {}).get(sheet_name, []),
                "shapes": [],
                "charts": [],
                "notes": [],
                "print_area": None,
                "show_gridlines": True,
                "pivot_tables": [],
            }
            for sheet_name, values in sheets.items()
        ],
    }
    book = xw.Book(json=payload)
    book.set_mock_caller()
    return book


def actions(book: xw.Book) -> list[dict[str, Any]]:
    return book.json()["actions"]


def funcs(book: xw.Book) -> list[str]:
    return [a["func"] for a in actions(book)]


def apply_actions(
    sheets: dict[str, list[list[Any]]], book: xw.Book
) -> dict[str, dict[tuple[int, int], Any]]:
    """The cells (1-based row, column) -> value after replaying the values-related
    actions (addSheet, setValues, rangeClearContents) on ``sheets``."""
    names = list(sheets)
    grids = [_grid(values) for values in sheets.values()]
    for action in actions(book):
        func = action["func"]
        if func == "addSheet":
            position, sheet_name = action["args"]
            names.insert(position, sheet_name)
            grids.insert(position, {})
        elif func in ("setValues", "rangeClearContents"):
            _replay_values(grids[action["sheet_position"]], action)
    return dict(zip(names, grids, strict=True))


def _grid(values: list[list[Any]]) -> dict[tuple[int, int], Any]:
    grid = {}
    for r, row in enumerate(copy.deepcopy(values), 1):
        for c, value in enumerate(row, 1):
            if value not in (None, ""):
                grid[(r, c)] = value
    return grid


def _replay_values(grid: dict[tuple[int, int], Any], action: dict[str, Any]) -> None:
    """setValues writes its block (empty values clear); rangeClearContents clears."""
    top, left = action["start_row"] + 1, action["start_column"] + 1
    if action["func"] == "setValues":
        block = action["values"]
    else:
        block = [[None] * action["column_count"] for _ in range(action["row_count"])]
    for r, row in enumerate(block):
        for c, value in enumerate(row):
            if value in (None, ""):
                grid.pop((top + r, left + c), None)
            else:
                grid[(top + r, left + c)] = value
