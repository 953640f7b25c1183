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

import xlwings.server
from officejs_call import call_data

import xl_contacts.udfs as udfs


def call(args: list[object], culture: str = "en-US") -> object:
    return asyncio.run(xlwings.server.custom_functions_call(call_data(args, culture), udfs))


if __name__ == "__main__":
    calls = json.loads(sys.argv[1])
    culture = sys.argv[2] if len(sys.argv) > 2 else "en-US"
    meta = xlwings.server.custom_functions_meta(udfs)
    print(json.dumps({"meta": meta, "results": [call(args, culture) for args in calls]}))
