"""How big a sheet of this tool's may be: one definition that the report
writer checks before writing and the reader of reports (``export --since``,
the check of an existing ``-o`` target) checks before reading, so that
whatever the one writes, the other reads back.
"""

from __future__ import annotations

# Excel's grid: no workbook's sheet is larger, and the writer never makes one larger.
SHEET_ROWS = 1_048_576
SHEET_COLUMNS = 16_384  # A to XFD
# A table's rows below its header row.
MAX_TABLE_ROWS = SHEET_ROWS - 1
# Fields beyond the contract become extra columns, the first ones seen only, per
# instance: a handful of records with thousands of distinct keys would otherwise
# make a sheet wider than Excel's 16,384 columns and take gigabytes to build. A
# report of several instances has the extra columns of all of them.
MAX_EXTRA_COLUMNS = 50
