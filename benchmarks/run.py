"""Benchmarks of what a user with a big contact list waits for, each against a
baseline measured in the same run (shared, noisy machines: compare ratios and
medians, not absolute times), on two lists (benchmarks/common.py): the
synthetic one of issue 16 and a realistic contact book (issue 20).

    python benchmarks/run.py                    # everything, both lists, ~8 minutes
    python benchmarks/run.py --quick            # smaller sizes and fewer repeats
    python benchmarks/run.py --list realistic   # one list only

Writes benchmarks/results.md and benchmarks/results.json. The targets of issues
20 and 16 are the first tables of results.md (benchmarks/results.py).

Measured, on each list:
- as a user runs them (benchmarks/user.py): the installed `xl-contacts export`,
  `export --only personal` (buffered) and `contacts --format csv` against the
  naive requests -> DataFrame -> to_excel script and a plain requests + csv
  script, whole processes;
- where an export's time goes (benchmarks/components.py): decode, normalise,
  phones, rows, deflate;
- export end to end (local stand-in GREEN-API -> report file) for 1k/10k/100k
  contacts vs the naive path and vs the buffered path (fetch_contacts ->
  write_report), time and peak memory (VmHWM), each in a fresh process, timed
  after the imports; 1M contacts for ours; plus the floor: the same cells as raw
  sheet XML, deflated;
- =GETCONTACTS cold load of 100k contacts vs the per-value path, each in a fresh
  process; warm call at 1k contacts and a recalculation storm (1,000 calls over
  100 cells on 8 threads);
- the Refresh macro writing 100k contacts through xlwings' remote engine vs
  writing the same rows one call per row;
- the Changes sheet at 100k: read the previous report + keyed diff, vs the same
  with the code before issue 16 (unpacked from git history) and vs openpyxl.
And once: `xl-contacts --help` vs a bare `python -c pass`; importing
xl_contacts.udfs vs importing pandas, requests, xlwings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from changes import bench_changes
from common import (
    BEFORE_ISSUE_16,
    CONSOLE,
    HERE,
    LISTS,
    StandIn,
    contacts,
    machine,
    package_at,
    paired,
    process_seconds,
)
from components import bench_components
from results import write_results
from user import bench_user
from workers import run_worker

# --- benchmarks ---------------------------------------------------------------------


def floor_seconds(records: list[dict[str, Any]]) -> float:
    """The same cells as raw sheet XML, deflated: about the least any writer does."""
    started = time.perf_counter()
    parts = []
    for r, c in enumerate(records, 2):
        phone = str(c.get("phoneNumber") or "")
        cells = (c.get("chatId", ""), c["name"], c.get("contactName", ""), c["type"], phone)
        parts.append(
            f'<row r="{r}">'
            + "".join(f'<c t="inlineStr"><is><t>{escape(v)}</t></is></c>' for v in cells if v)
            + "</row>"
        )
    zlib.compress("".join(parts).encode(), 6)
    return time.perf_counter() - started


def bench_export(
    kind: str, sizes: list[int], repeats: dict[int, int], naive_up_to: int
) -> list[dict]:
    rows = []
    for n in sizes:
        records = contacts(kind, n)
        server = StandIn(records, kind)
        ways = ["ours", "buffered", "naive"] if n <= naive_up_to else ["ours"]
        # The buffered path refuses an answer over the client's 64 MB (a million
        # contacts are ~150 MB): only the streamed export takes those.
        runs: dict[str, list[dict[str, float]]] = {way: [] for way in ways}
        for _ in range(repeats[n]):  # alternate, so drift hits all alike
            for way in ways:
                runs[way].append(run_worker(way, server.url))
        server.close()
        row: dict[str, Any] = {"contacts": n, "floor_s": None}
        if n <= naive_up_to:
            row["floor_s"] = statistics.median(floor_seconds(records) for _ in range(3))
        del records
        for way, results in runs.items():
            row[f"{way}_s"] = statistics.median(r["seconds"] for r in results)
            row[f"{way}_mb"] = statistics.median(r["peak_mb"] for r in results)
        if "naive" in runs:
            row["time_ratio"] = row["ours_s"] / row["naive_s"]
            row["memory_ratio"] = row["ours_mb"] / row["naive_mb"]
        rows.append(row)
        print(
            f"export, {kind} {n:>9,}: "
            + " | ".join(f"{w} {row[w + '_s']:.2f}s {row[w + '_mb']:.0f}MB" for w in ways),
            flush=True,
        )
    return rows


def bench_udf_cold(kind: str, n: int, repeats: int) -> dict[str, Any]:
    """=GETCONTACTS() of ``n`` contacts with nothing cached, each call in a fresh
    process: today's code against the code before issue 16 itself (its
    per-value path: json.loads, the rules and clean() value by value), from git."""
    server = StandIn(contacts(kind, n), kind)
    with tempfile.TemporaryDirectory() as tmp:
        old = package_at(BEFORE_ISSUE_16, Path(tmp) / "before")
        assert old is not None, "the per-value baseline needs the git history"
        ours, per_value, ratio = paired(
            lambda: run_worker("udf", server.url)["seconds"],
            lambda: run_worker("udf", server.url, old)["seconds"],
            repeats,
        )
    server.close()
    result = {"contacts": n, "ours_s": ours, "per_value_s": per_value, "ratio": ratio}
    print(
        f"GETCONTACTS cold, {kind} {n:,}: {result['ours_s'] * 1e3:.0f} ms vs the code before "
        f"issue 16 {result['per_value_s'] * 1e3:.0f} ms: x{result['ratio']:.2f}",
        flush=True,
    )
    return result


def bench_help(repeats: int) -> dict[str, Any]:
    env = dict(os.environ)
    ours, bare, ratio = paired(
        lambda: process_seconds([CONSOLE, "--help"], env),
        lambda: process_seconds([sys.executable, "-c", "pass"], env),
        repeats,
    )
    result = {"help_s": ours, "bare_s": bare, "ratio": ratio}
    print(
        f"xl-contacts --help {result['help_s'] * 1e3:.0f} ms vs python -c pass "
        f"{result['bare_s'] * 1e3:.0f} ms: x{result['ratio']:.2f}",
        flush=True,
    )
    return result


def bench_udf(kind: str) -> dict[str, Any]:
    server = StandIn(contacts(kind, 1000), kind, delay=0.05)
    os.environ.update(server.env())
    from xl_contacts import udfs
    from xl_contacts.api import throttle
    from xl_contacts.usecases import live_results

    throttle.RATE_LIMIT_INTERVAL = 0.0  # measure the cache, not the throttle
    live_results.clear()  # nothing from the other list
    started = time.perf_counter()
    udfs.GETCONTACTS(1000.0)
    cold = time.perf_counter() - started
    batches = []
    for _ in range(5):
        n = 20_000
        t = time.perf_counter()
        for _ in range(n):
            udfs.GETCONTACTS(1000.0)
        batches.append((time.perf_counter() - t) / n)
    warm = statistics.median(batches)

    live_results.clear()
    before = server.requests
    cells = [(float(1 + i % 10), i % 2 == 0) for i in range(100)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: udfs.GETCONTACTS(*cells[i % 100]), range(1000)))
    storm_requests = server.requests - before
    server.close()
    result = {
        "cold_ms": cold * 1e3,
        "warm_us": warm * 1e6,
        "warm_vs_cold": warm / cold,
        "storm_calls": 1000,
        "storm_distinct_queries": 10,
        "storm_requests": storm_requests,
    }
    print(
        f"GETCONTACTS at 1k, {kind}: warm {result['warm_us']:.1f}µs, "
        f"cold {result['cold_ms']:.1f}ms "
        f"(x{result['warm_vs_cold']:.5f}); storm of 1,000 calls on 8 threads: "
        f"{storm_requests} requests for 10 distinct queries",
        flush=True,
    )
    return result


def _import_seconds(statement: str) -> float:
    """Seconds the import statement takes in a fresh interpreter (start-up excluded)."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    result = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    )
    return float(result.stdout)


def bench_cold_start(repeats: int) -> dict[str, Any]:
    ours, deps, ratio = paired(
        lambda: _import_seconds("import xl_contacts.udfs"),
        lambda: _import_seconds("import pandas, requests, xlwings"),
        repeats,
    )
    result = {"udfs_s": ours, "deps_s": deps, "ratio": ratio}
    print(
        f"cold start: import xl_contacts.udfs {result['udfs_s']:.2f}s vs its dependencies "
        f"{result['deps_s']:.2f}s: x{result['ratio']:.2f}",
        flush=True,
    )
    return result


def bench_refresh(kind: str, n: int) -> dict[str, Any]:
    from xl_contacts import macros
    from xl_contacts.api import throttle
    from xl_contacts.base.cells import for_excel_input
    from xl_contacts.usecases import fetch

    throttle.RATE_LIMIT_INTERVAL = 0.0
    server = StandIn(contacts(kind, n), kind)
    os.environ.update(server.env())
    fetch.close_clients()

    from remote_book import make_book

    def book() -> Any:  # a real xlwings Book on the remote engine, set as the macro's caller
        return make_book({"Sheet1": [[]]})

    b = book()
    started = time.perf_counter()
    macros.refresh()
    ours = time.perf_counter() - started
    actions = b.json()["actions"]
    assert not [a for a in actions if a["func"] == "alert"], actions[-1]
    ours_writes = sum(1 for a in actions if a["func"] == "setValues")

    from xl_contacts import fetch_contacts

    b = book()
    started = time.perf_counter()
    table = fetch_contacts()
    sheet = b.sheets.add("Contacts")
    for i, row in enumerate(table.rows, 2):  # the baseline: one call per row
        sheet.range((i, 1)).value = [[for_excel_input(v) for v in row]]
    per_row = time.perf_counter() - started
    per_row_writes = sum(1 for a in b.json()["actions"] if a["func"] == "setValues")
    server.close()
    result = {
        "contacts": n,
        "ours_s": ours,
        "ours_write_calls": ours_writes,
        "per_row_s": per_row,
        "per_row_write_calls": per_row_writes,
        "ratio": ours / per_row,
    }
    print(
        f"refresh macro, {kind} {n:,}: {ours:.2f}s, {ours_writes} setValues actions | per-row "
        f"{per_row:.2f}s, {per_row_writes:,} actions: x{result['ratio']:.2f}",
        flush=True,
    )
    return result


def bench_list(kind: str, quick: bool) -> dict[str, Any]:
    """Every figure that depends on the list, on ``kind``."""
    big = 20_000 if quick else 100_000
    huge = 10 * big  # the "1M" of the targets (200k with --quick)
    sizes = [1_000, 10_000, big, huge]
    repeats = {1_000: 5, 10_000: 3, big: 1 if quick else 5, huge: 1 if quick else 3}
    return {
        "user": bench_user(kind, big, 3 if quick else 7),
        "components": bench_components(kind, big, 3 if quick else 5),
        "export": bench_export(kind, sizes, repeats, naive_up_to=big),
        "udf_cold": bench_udf_cold(kind, big, 3 if quick else 5),
        "udf": bench_udf(kind),
        "refresh": bench_refresh(kind, big),
        "changes": bench_changes(kind, big),
    }


def main() -> None:
    # xlwings' remote engine (the refresh benchmark) registers at import time and is
    # PolyForm-Noncommercial: a development tool here, never needed by xl-contacts.
    os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument(
        "--list", choices=[*LISTS, "both"], default="both", help="the contact list(s) to use"
    )
    args = parser.parse_args()
    lists = list(LISTS) if args.list == "both" else [args.list]
    results: dict[str, Any] = {
        "quick": args.quick,
        "date": time.strftime("%Y-%m-%d"),
        "machine": machine(),
        "lists": lists,
        "user_contacts": 20_000 if args.quick else 100_000,
        "help": bench_help(5 if args.quick else 11),
        "cold_start": bench_cold_start(5 if args.quick else 11),
    }
    for kind in lists:
        results[kind] = bench_list(kind, args.quick)
    write_results(results)
    print(f"written: {HERE / 'results.md'}")


if __name__ == "__main__":
    main()
