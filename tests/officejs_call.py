"""What xlwings' Office.js runtime sends for one call of GETCONTACTS: the one
statement of it, for the desktop's Office.js path (officejs_harness.py) and for
xlwings Lite in Pyodide (lite/harness.py: runner.mjs and page.html put this file
beside it). Imports xlwings only when called: XLWINGS_ON_SERVER must be set first.
"""


def call_data(args: list[object], culture: str = "en-US") -> dict[str, object]:
    """The request of one call with ``args``, from an Excel in ``culture``."""
    import xlwings as xw

    return {
        "func_name": "GETCONTACTS",
        # Office.js sends every argument as a 2-D matrix; a left-out one as null.
        "args": [None if a is None else [[a]] for a in args],
        "caller_address": "Sheet1!A1",
        "formula_name": "GETCONTACTS",
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "culture_info_name": culture,  # Excel's language (Lite: Office.js' cultureInfo)
        "date_format": "M/d/yyyy",
    }
