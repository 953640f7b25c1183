"""Whole processes, as a user runs them: the installed ``xl-contacts`` console
script against the stand-in server, and the scripts a user would write instead
(interpreter start, imports, fetch and write included on both sides)."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import CONSOLE, StandIn, contacts, process_seconds

# What a user would write first: the report with pandas, the CSV with the csv module.
NAIVE = """
import sys, pandas, requests
data = requests.get(sys.argv[1], timeout=60).json()
pandas.DataFrame(data).to_excel(sys.argv[2], engine="openpyxl", index=False)
"""
PLAIN_CSV = """
import csv, sys, requests
data = requests.get(sys.argv[1], timeout=60).json()
keys = ["chatId", "name", "contactName", "type", "phoneNumber"]
writer = csv.writer(sys.stdout, lineterminator="\\n")
writer.writerow(keys)
writer.writerows([c.get(k, "") for k in keys] for c in data)
"""
# The fastest CSV of the answer a Python process can write, with no rule at all:
# orjson, each field taken column by column, one join. No cell text, no formula
# guard, no quoting, no group or phone rules: what is left for the rules between
# it and the 0.8x target is the gap between the two figures.
NO_RULES_CSV = """
import sys, orjson, requests
from itertools import repeat
data = orjson.loads(requests.get(sys.argv[1], timeout=60).content)
keys = ["chatId", "name", "contactName", "type", "phoneNumber"]
columns = [list(map(str, map(dict.get, data, repeat(k)))) for k in keys]
lines = [",".join(keys), *map(",".join, zip(*columns)), ""]
sys.stdout.buffer.write("\\r\\n".join(lines).encode("utf-8-sig"))
"""


def bench_user(kind: str, n: int, repeats: int) -> dict[str, Any]:
    """Medians of alternated runs: the streamed export, a buffered one (``--only
    personal`` on a Telegram instance), ``contacts --format csv``, and the
    naive report and plain CSV scripts; ratios ours / the user's script."""
    server = StandIn(contacts(kind, n), kind)
    env = {**os.environ, **server.env()}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.xlsx"
        commands = {
            "streamed": [CONSOLE, "export", "-o", str(out)],
            "buffered": [CONSOLE, "export", "--only", "personal", "--flavour", "telegram"]
            + ["-o", str(out)],
            "naive": [sys.executable, "-c", NAIVE, server.contacts_url, str(out)],
            "csv": [CONSOLE, "contacts", "--format", "csv"],
            "plain_csv": [sys.executable, "-c", PLAIN_CSV, server.contacts_url],
            "no_rules_csv": [sys.executable, "-c", NO_RULES_CSV, server.contacts_url],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repeats):  # alternated: drift hits all alike
            for name, command in commands.items():
                out.unlink(missing_ok=True)
                times[name].append(process_seconds(command, env))
                if not name.endswith("csv"):
                    assert out.stat().st_size > 0, name
    server.close()
    row: dict[str, Any] = {"list": kind, "contacts": n}
    row.update({f"{name}_s": statistics.median(t) for name, t in times.items()})
    row["streamed_ratio"] = row["streamed_s"] / row["naive_s"]
    row["buffered_ratio"] = row["buffered_s"] / row["naive_s"]
    row["csv_ratio"] = row["csv_s"] / row["plain_csv_s"]
    row["no_rules_csv_ratio"] = row["no_rules_csv_s"] / row["plain_csv_s"]
    print(
        f"as a user runs it, {kind} {n:,}: export {row['streamed_s']:.2f}s "
        f"(x{row['streamed_ratio']:.2f}), --only personal {row['buffered_s']:.2f}s "
        f"(x{row['buffered_ratio']:.2f}) vs naive {row['naive_s']:.2f}s | contacts --format "
        f"csv {row['csv_s']:.2f}s vs plain csv script {row['plain_csv_s']:.2f}s "
        f"(x{row['csv_ratio']:.2f}); no rules at all {row['no_rules_csv_s']:.2f}s "
        f"(x{row['no_rules_csv_ratio']:.2f})",
        flush=True,
    )
    return row
