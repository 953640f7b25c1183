"""Registers and calls xl_contacts.udfs the way xlwings' Office.js runtime does.

Run in a subprocess: XLWINGS_ON_SERVER must be set before xlwings is imported,
which the rest of the test process has already done. Prints JSON:
{"meta": <custom_functions_meta>, "results": [<result of each call>]}.
Usage: python officejs_harness.py '<JSON list of argument lists>' [culture_info_name]
(Excel's language as Office.js sends it; default en-US).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys

os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # tests only

import xlwings as xw
import xlwings.server

import xl_contacts.udfs as udfs


def call(args: list[object], culture: str = "en-US") -> object:
    data = {
        "func_name": "GETCONTACTS",
        # Office.js sends every argument as a 2-D matrix; a left-out one as null.
        "args": [None if a is None else [[a]] for a in args],
        "caller_address": "Sheet1!A1",
        "formula_name": "GETCONTACTS",
        "version": xw.__version__,
        "client": "Office.js",
        "runtime": "1.4",
        "culture_info_name": culture,
        "date_format": "M/d/yyyy",
    }
    return asyncio.run(xlwings.server.custom_functions_call(data, udfs))


if __name__ == "__main__":
    calls = json.loads(sys.argv[1])
    culture = sys.argv[2] if len(sys.argv) > 2 else "en-US"
    meta = xlwings.server.custom_functions_meta(udfs)
    print(json.dumps({"meta": meta, "results": [call(args, culture) for args in calls]}))
