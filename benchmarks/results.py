"""benchmarks/results.md and results.json from one run's figures: the targets
of issues 16 and 20, then every figure on each list measured."""

from __future__ import annotations

import json
from typing import Any

from common import HERE
from components import STEPS

# (figure, before issue 16 on this kind of machine, target, limit, how to read it
# off one list's results). Set on the synthetic list.
TARGETS_16: list[tuple[str, str, str, float, Any]] = [
    ("export 100k, time vs naive", "0.14x", "≤ 0.07x (stretch ≤ 0.05x)", 0.07,
     lambda r: _export(r, "big")["time_ratio"]),
    ("export 100k, peak memory vs naive", "0.45x", "≤ 0.25x", 0.25,
     lambda r: _export(r, "big")["memory_ratio"]),
    ("export 1M: peak memory vs export 100k", "~6x", "≤ 1.3x (flat)", 1.3,
     lambda r: _export(r, "huge")["ours_mb"] / _export(r, "big")["ours_mb"]),
    ("export 1M: time per contact vs 100k", "1.5x", "≤ 1.1x (linear)", 1.1,
     lambda r: (_export(r, "huge")["ours_s"] / _export(r, "huge")["contacts"])
     / (_export(r, "big")["ours_s"] / _export(r, "big")["contacts"])),
    ("=GETCONTACTS cold load of 100k rows vs the code before issue 16 (per-value)",
     "484 ms", "≤ 0.4x", 0.4,
     lambda r: r["udf_cold"]["ratio"]),
    ("Changes sheet at 100k (read previous + diff) vs the code before issue 16", "1.0 s",
     "≤ 0.55x", 0.55, lambda r: r["changes"]["ratio_before"]),
    ("`contacts --format csv` 100k vs a plain csv-module script", "1.68x", "≤ 0.8x", 0.8,
     lambda r: r["user"]["csv_ratio"]),
]  # fmt: skip
HELP_16 = ("`xl-contacts --help` vs bare `python -c pass`", "5.6x", "≤ 3x", 3.0)
# Issue 20: on the realistic list, whole processes as a user runs them.
TARGETS_20: list[tuple[str, str, str, float, Any]] = [
    ("`xl-contacts export` (streamed) vs the naive requests → DataFrame → to_excel script",
     "0.20x", "≤ 0.08x", 0.08, lambda r: r["user"]["streamed_ratio"]),
    ("`xl-contacts export --only personal` (buffered, Telegram) vs the naive script",
     "0.50x", "≤ 0.15x", 0.15, lambda r: r["user"]["buffered_ratio"]),
    ("`xl-contacts contacts --format csv` vs a plain requests + csv-module script",
     "2.7x", "≤ 0.8x", 0.8, lambda r: r["user"]["csv_ratio"]),
]  # fmt: skip


def _export(results: dict[str, Any], size: str) -> dict[str, Any]:
    rows = results["export"]
    return rows[-1] if size == "huge" else rows[-2]


def _value(measure: Any, per_list: dict[str, Any] | None) -> float | None:
    if per_list is None:
        return None
    try:
        return measure(per_list)
    except (KeyError, IndexError, TypeError):  # not measured in this run
        return None


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}x"


def target_lines(results: dict[str, Any]) -> list[str]:
    """Both targets tables, each figure on both lists as measured in this run."""
    synthetic, realistic = results.get("synthetic"), results.get("realistic")
    some = synthetic or realistic or {"export": [{"contacts": 0}] * 2}
    big, huge = (_export(some, size)["contacts"] for size in ("big", "huge"))
    lines = [
        "## Targets (issue 20): the realistic list, as a user runs it",
        "",
        f"{results['user_contacts']:,} contacts; whole processes (the installed `xl-contacts`"
        " against the stand-in server, the user's script with its imports); ratios of "
        "same-run medians. The synthetic column is for comparison.",
        "",
        "| figure | before | target | realistic | met | synthetic |",
        "|---|---:|---|---:|:---:|---:|",
    ]
    for figure, before, target, limit, measure in TARGETS_20:
        value = _value(measure, realistic)
        met = "—" if value is None else ("yes" if value <= limit else "no")
        lines.append(
            f"| {figure} | {before} | {target} | **{_cell(value)}** | {met} | "
            f"{_cell(_value(measure, synthetic))} |"
        )
    lines += [
        "",
        "## Targets (issue 16) on the synthetic list",
        "",
        f"100k and 1M below are {big:,} and {huge:,} contacts in this run.",
        "",
        "| figure | before | target | synthetic | met | realistic |",
        "|---|---:|---|---:|:---:|---:|",
    ]
    help_ratio = results["help"]["ratio"]
    for figure, before, target, limit, measure in [
        *TARGETS_16,
        (*HELP_16, lambda r: help_ratio),
    ]:
        value = _value(measure, synthetic)
        met = "—" if value is None else ("yes" if value <= limit else "no")
        lines.append(
            f"| {figure} | {before} | {target} | **{_cell(value)}** | {met} | "
            f"{_cell(_value(measure, realistic))} |"
        )
    return lines


def _export_lines(per_list: dict[str, Any]) -> list[str]:
    lines = [
        "| contacts | ours (streamed) | buffered (table, then report) | naive (requests → "
        "DataFrame → to_excel) | floor (raw XML + deflate) | time vs naive | ours / "
        "buffered / naive peak MB | memory vs naive |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in per_list["export"]:
        naive = r.get("naive_s") is not None
        buffered_s = f"{r['buffered_s']:.2f} s" if "buffered_s" in r else "refused (> 64 MB)"
        buffered_mb = f"{r['buffered_mb']:.0f}" if "buffered_mb" in r else "—"
        lines.append(
            f"| {r['contacts']:,} | {r['ours_s']:.2f} s | {buffered_s} | "
            + (
                f"{r['naive_s']:.2f} s | {r['floor_s']:.2f} s | **{r['time_ratio']:.2f}x** | "
                if naive
                else "— | — | — | "
            )
            + f"{r['ours_mb']:.0f} / {buffered_mb} / "
            + (f"{r['naive_mb']:.0f} | **{r['memory_ratio']:.2f}x** |" if naive else "— | — |")
        )
    return lines


def _list_lines(name: str, r: dict[str, Any]) -> list[str]:
    """Every figure measured on one list."""
    u, f, ch, uc, us = r["udf"], r["refresh"], r["changes"], r["udf_cold"], r["user"]
    comp = r["components"]
    before = (
        f"{ch['before_s']:.2f} s (**{ch['ratio_before']:.2f}x**)" if ch.get("before_s") else "—"
    )
    return [
        f"## The {name} list",
        "",
        "### Export end to end (stand-in server -> report file, timed after the imports)",
        "",
        "Peak memory is the whole process's (VmHWM), imports included.",
        "",
        *_export_lines(r),
        "",
        f"### As a user runs it ({us['contacts']:,} contacts, whole processes)",
        "",
        f"- `xl-contacts export`: **{us['streamed_s']:.2f} s**; `export --only personal`: "
        f"**{us['buffered_s']:.2f} s**; the naive script {us['naive_s']:.2f} s "
        f"(**{us['streamed_ratio']:.2f}x**, **{us['buffered_ratio']:.2f}x**)",
        f"- `xl-contacts contacts --format csv`: **{us['csv_s']:.2f} s** vs a plain requests + "
        f"csv-module script {us['plain_csv_s']:.2f} s (**{us['csv_ratio']:.2f}x**); a CSV "
        f"with no rule at all (orjson, columns, one join: `user.NO_RULES_CSV`) "
        f"{us['no_rules_csv_s']:.2f} s (**{us['no_rules_csv_ratio']:.2f}x**) -- the 0.8x "
        "target leaves the rules what lies between the two",
        "",
        f"### Where an export's time goes ({comp['contacts']:,} contacts, in process)",
        "",
        "| " + " | ".join(STEPS) + " | total | json.loads of the same body |",
        "|" + "---:|" * (len(STEPS) + 2),
        "| "
        + " | ".join(f"{comp[f'{s}_s'] * 1e3:.0f} ms" for s in STEPS)
        + f" | {comp['total_s'] * 1e3:.0f} ms | {comp['json_loads_s'] * 1e3:.0f} ms |",
        "",
        "### =GETCONTACTS",
        "",
        f"- cold load of {uc['contacts']:,} contacts (nothing cached, a fresh process): "
        f"**{uc['ours_s'] * 1e3:.0f} ms** vs the code before issue 16 "
        f"{uc['per_value_s'] * 1e3:.0f} ms "
        f"(**{uc['ratio']:.2f}x**)",
        f"- warm call at 1,000 contacts: **{u['warm_us']:.1f} µs** (cold call with the HTTP "
        f"request to a stand-in answering after 50 ms: {u['cold_ms']:.1f} ms)",
        f"- storm: {u['storm_calls']:,} calls over 100 cells ({u['storm_distinct_queries']} "
        f"distinct queries) on 8 threads: **{u['storm_requests']} HTTP requests**",
        "",
        "### Refresh macro (xlwings remote engine)",
        "",
        f"- {f['contacts']:,} contacts: **{f['ours_s']:.2f} s in {f['ours_write_calls']} "
        f"setValues actions** (xlwings' own chunks) vs one call per row: "
        f"{f['per_row_s']:.2f} s in {f['per_row_write_calls']:,} actions (**{f['ratio']:.2f}x**)",
        "",
        "### Changes sheet",
        "",
        f"- {ch['contacts']:,} contacts: read the previous report {ch['read_s']:.2f} s + keyed "
        f"diff {ch['diff_s']:.3f} s (medians, fresh processes) vs the same with the code "
        f"before issue 16 ({ch['before_commit']}) {before}; vs reading it with openpyxl "
        f"read-only {ch['openpyxl_read_s']:.2f} s (**{ch['ratio']:.2f}x**)",
        "",
    ]


def write_results(results: dict[str, Any]) -> None:
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    m, c, h = results["machine"], results["cold_start"], results["help"]
    options = (" --quick" if results["quick"] else "") + (
        f" --list {results['lists'][0]}" if len(results["lists"]) == 1 else ""
    )
    lines = [
        "# Benchmark results",
        "",
        f"`python benchmarks/run.py{options}` on {results['date']}: {m['cpu']}, {m['cores']} "
        f"cores, Python {m['python']}, openpyxl {m['openpyxl']}, pandas {m['pandas']}, "
        f"xlwings {m['xlwings']}. Medians; ratios are ours / baseline, measured in the same "
        "run. The lists are described in benchmarks/common.py.",
        "",
        *target_lines(results),
        "",
        "## Start-up (no list)",
        "",
        f"- `xl-contacts --help`: **{h['help_s'] * 1e3:.0f} ms** vs `python -c pass` "
        f"{h['bare_s'] * 1e3:.0f} ms (**{h['ratio']:.2f}x**)",
        f"- cold start: `import xl_contacts.udfs` {c['udfs_s']:.2f} s vs `import pandas, "
        f"requests, xlwings` {c['deps_s']:.2f} s: **{c['ratio']:.2f}x**",
        "",
    ]
    for name in results["lists"]:
        lines += _list_lines(name, results[name])
    (HERE / "results.md").write_text("\n".join(lines))
