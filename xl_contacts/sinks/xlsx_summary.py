"""The report's Summary sheet: what the report is, then contacts by type and by
country, each table with its bar chart below it, on one printed page.

Column A holds labels and column B their values: ``previous_report`` reads the
instance and fetch time back from there, by label.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList

from ..base.i18n import _
from ..base.names import LABEL_TOTAL, SUMMARY_TITLE
from .xlsx_style import (
    BOLD,
    COUNT_FORMAT,
    PLAIN,
    RIGHT,
    SHARE_FORMAT,
    SUBTITLE,
    TITLE,
    header_cell,
    styled,
    value_cell,
)

TOP = 15  # rows of a count table before the rest become one "other" row
WIDTHS = {"A": 34, "B": 20, "C": 10}  # B fits a date: Excel shows ### for one that does not
CHART_WIDTH_CM = 12.0  # about columns A-C in Excel's default font
_ROW_CM = 15 / 72 * 2.54  # the default row height, 15 points


def top(counts: Sequence[tuple[str, int]], other: str) -> list[tuple[str, int]]:
    """The ``TOP`` largest counts (largest first) and the rest summed as ``other``."""
    ranked = sorted(counts, key=lambda item: -item[1])
    if len(ranked) <= TOP + 1:
        return ranked
    return [*ranked[:TOP], (other, sum(n for _, n in ranked[TOP:]))]


def write_summary(
    ws: Any,
    lines: Sequence[tuple[str, Any]],
    sections: Sequence[tuple[str, str, list[tuple[str, int]]]],
) -> str:
    """Title, (label, value) lines, then for each (title, what, counts) section a
    table of counts and shares with a chart below. Returns the range written."""
    for column, width in WIDTHS.items():
        ws.column_dimensions[column].width = width
    ws.append([styled(ws, _(SUMMARY_TITLE), TITLE)])
    for label, value in lines:
        ws.append([styled(ws, label, BOLD), value_cell(ws, value)])
    row = 1 + len(lines)
    for title, what, counts in sections:
        ws.append([])
        ws.append([styled(ws, title, SUBTITLE)])
        # The Contacts heading is also the chart's series name (titles_from_data).
        counted = (_(LABEL_TOTAL), _("Share"))
        ws.append([header_cell(ws, what), *(header_cell(ws, h, RIGHT) for h in counted)])
        row += 3
        header = row
        total = sum(n for _, n in counts)
        for name, count in counts:
            ws.append(
                [
                    styled(ws, name),
                    styled(ws, count, PLAIN, COUNT_FORMAT),
                    styled(ws, count / total, PLAIN, SHARE_FORMAT),
                ]
            )
        row += len(counts)
        if not counts:
            ws.append([styled(ws, _("none"))])
            row += 1
            continue
        chart = _bar_chart(ws, header, row)
        ws.add_chart(chart, f"A{row + 2}")
        below = math.ceil(chart.height / _ROW_CM) + 1  # rows the chart covers
        for _row in range(below):
            ws.append([])
        row += below
    return f"A1:C{row}"


def _bar_chart(ws: Any, header: int, last: int) -> BarChart:
    """Horizontal bars of column B (rows header+1..last), named by column A."""
    chart = BarChart()
    chart.type = "bar"
    chart.style = 2
    chart.legend = None
    chart.gapWidth = 50
    chart.add_data(Reference(ws, min_col=2, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=header + 1, max_row=last))
    chart.x_axis.scaling.orientation = "maxMin"  # the largest on top, as in the table
    chart.x_axis.tickLblSkip = 1  # every name, not every other one
    chart.y_axis.crosses = "max"  # keeps the count axis at the bottom
    chart.y_axis.numFmt = COUNT_FORMAT
    chart.y_axis.majorGridlines = None
    # openpyxl 3.1 marks axes deleted unless told otherwise: no labels in Excel.
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.dataLabels = DataLabelList(
        showVal=True, showCatName=False, showSerName=False, showLegendKey=False, showPercent=False
    )
    chart.width = CHART_WIDTH_CM
    chart.height = max(3.0, 1.2 + 0.55 * (last - header))
    return chart
