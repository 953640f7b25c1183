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
    grids: list[dict[tuple[int, int], Any]] = []
    for values in sheets.values():
        grid = {}
        for r, row in enumerate(copy.deepcopy(values), 1):
            for c, value in enumerate(row, 1):
                if value not in (None, ""):
                    grid[(r, c)] = value
        grids.append(grid)
    for action in actions(book):
        func = action["func"]
        if func == "addSheet":
            position, sheet_name = action["args"]
            names.insert(position, sheet_name)
            grids.insert(position, {})
        elif func == "setValues":
            grid = grids[action["sheet_position"]]
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    key = (action["start_row"] + r + 1, action["start_column"] + c + 1)
                    if value in (None, ""):
                        grid.pop(key, None)
                    else:
                        grid[key] = value
        elif func == "rangeClearContents":
            grid = grids[action["sheet_position"]]
            for r in range(action["row_count"]):
                for c in range(action["column_count"]):
                    grid.pop((action["start_row"] + r + 1, action["start_column"] + c + 1), None)
    return dict(zip(names, grids, strict=True))
