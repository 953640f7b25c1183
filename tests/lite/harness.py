"""Inside Pyodide (runner.mjs): main.py loaded as xlwings Lite loads it, and the
calls of one command made through xlwings' Office.js protocol, as Lite makes them.

A command (one JSON line): {"env": {NAME: value}, "calls": [[count, header, only,
profile], ...], "together": bool}. The environment replaces the previous
command's GREENAPI_* and XL_CONTACTS_* variables (Lite's environment variables);
the results cache and the throttle start empty, as in a restarted Lite. Calls are
made one after the other, or all at once ("together": a sheet recalculating).
"interval" and "backoff" (seconds) replace the throttle's and the retries' own
(1 s each), as the desktop tests' conftest does, for tests not about timing.
The answer: {"meta": custom_functions_meta, "results": [...], "modules": [...]}.
"""

import asyncio
import importlib.util
import json
import os
import sys

# Before xlwings is imported: its Office.js side (xlwings Lite runs it so too).
os.environ["XLWINGS_ON_SERVER"] = "true"
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # tests only

import xlwings.server

sys.path.insert(0, "/home/pyodide")
spec = importlib.util.spec_from_file_location("main", "/home/pyodide/main.py")
main = importlib.util.module_from_spec(spec)
sys.modules["main"] = main
spec.loader.exec_module(main)

from officejs_call import call_data  # noqa: E402 -- put beside main.py by the runner

from xl_contacts import lite  # noqa: E402 -- the modules main.py brought
from xl_contacts.api import retry, throttle  # noqa: E402

_OWN = ("GREENAPI_", "XL_CONTACTS_")
_REAL_INTERVAL = throttle.RATE_LIMIT_INTERVAL
_REAL_BACKOFF = retry.BACKOFF_SECONDS


async def run(line):
    command = json.loads(line)
    for name in [n for n in os.environ if n.startswith(_OWN)]:
        del os.environ[name]
    os.environ.update(command.get("env", {}))
    lite.reset()
    throttle.reset_throttle()
    throttle.RATE_LIMIT_INTERVAL = command.get("interval", _REAL_INTERVAL)
    retry.BACKOFF_SECONDS = command.get("backoff", _REAL_BACKOFF)
    culture = command.get("culture", "en-US")
    calls = [
        xlwings.server.custom_functions_call(call_data(a, culture), main) for a in command["calls"]
    ]
    if command.get("together"):
        results = await asyncio.gather(*calls)
    else:
        results = [await call for call in calls]
    return json.dumps(
        {
            "meta": xlwings.server.custom_functions_meta(main),
            "results": results,
            "modules": sorted(sys.modules),
        }
    )
