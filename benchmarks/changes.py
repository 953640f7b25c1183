"""The Changes sheet's figure: read a previous report back and diff it with
the list 1 % on, in fresh processes -- today's code and the code before issue
16 (f355387, from git) alternating on the same report -- and openpyxl
read-only beside them. Run as a script, it is one such worker process."""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import (
    BEFORE_ISSUE_16,
    HERE,
    ID_INSTANCE,
    contacts,
    earlier_env,
    package_at,
    use_earlier_package,
)


def _shifted(kind: str, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A list of ``n`` and the same list 1 % on: a previous report and now."""
    records = contacts(kind, n + n // 100)
    return records[:n], records[n // 100 :]


def changes_worker(path: str, kind: str, n: str, repeats: str) -> dict[str, Any]:
    """Read the report at ``path`` back and diff it with the list 1 % on, with
    whichever xl_contacts comes first on the path, ``repeats`` times."""
    try:
        from xl_contacts.domain.contacts import normalise
        from xl_contacts.domain.diff import compare
        from xl_contacts.sinks.previous_report import read_previous
    except ImportError:  # the code before issue 20: one flat package
        from xl_contacts.contacts import normalise  # type: ignore[no-redef]
        from xl_contacts.diff import compare  # type: ignore[no-redef]
        from xl_contacts.previous_report import read_previous  # type: ignore[no-redef]

    try:
        new = normalise(_shifted(kind, int(n))[1], id_instance=ID_INSTANCE)
    except TypeError:  # the code before issue 20 called it instance_id
        new = normalise(_shifted(kind, int(n))[1], instance_id=ID_INSTANCE)
    reads, diffs = [], []
    for _ in range(int(repeats)):
        gc.collect()
        started = time.perf_counter()
        previous = read_previous(path, ID_INSTANCE)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        changes = compare(previous.rows, new)
        diffs.append(time.perf_counter() - started)
        del previous
    return {
        "reads": reads,
        "diffs": diffs,
        "found": [changes.count(kind) for kind in ("added", "removed", "changed")],
        # Which code ran: the proof that a baseline is the earlier package's.
        "reader": sys.modules[read_previous.__module__].__file__ or "",
        "differ": sys.modules[compare.__module__].__file__ or "",
    }


def _changes_run(
    path: Path, kind: str, n: int, repeats: int, package: Path | None
) -> dict[str, Any]:
    command = [sys.executable, __file__, str(path), kind, str(n), str(repeats)]
    result = subprocess.run(
        command, capture_output=True, text=True, check=True, env=earlier_env(package)
    )
    run = json.loads(result.stdout)
    code = Path(package or HERE.parent).resolve()
    for module in (run.pop("reader"), run.pop("differ")):
        assert Path(module).resolve().is_relative_to(code), (module, code)
    return run


def _changes_runs(
    path: Path, kind: str, n: int, rounds: int, packages: dict[str, Path | None]
) -> dict[str, dict[str, float]]:
    """Each package's medians of read and diff: ``rounds`` fresh processes each
    of three repeats, the packages' processes alternating (drift hits all
    alike); every package must find the same changes."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in packages}
    for _ in range(rounds):
        for name, package in packages.items():
            runs[name].append(_changes_run(path, kind, n, 3, package))
    found = {name: run["found"] for name, done in runs.items() for run in done}
    assert len({tuple(f) for f in found.values()}) == 1, found
    return {
        name: {
            "read_s": statistics.median(t for run in done for t in run["reads"]),
            "diff_s": statistics.median(t for run in done for t in run["diffs"]),
        }
        for name, done in runs.items()
    }


def bench_changes(kind: str, n: int, rounds: int = 3) -> dict[str, Any]:
    """Read a previous report + keyed diff, in fresh processes: ours, the code
    before issue 16 (same report, same run) and openpyxl read-only."""
    import openpyxl

    from xl_contacts.domain.contacts import normalise
    from xl_contacts.sinks.xlsx_report import write_report

    with tempfile.TemporaryDirectory() as tmp:
        previous = normalise(_shifted(kind, n)[0], id_instance=ID_INSTANCE)
        path = write_report(previous, Path(tmp) / "previous.xlsx")
        old = package_at(BEFORE_ISSUE_16, Path(tmp) / "before")
        packages = {"ours": None, **({"before": old} if old else {})}
        medians = _changes_runs(path, kind, n, rounds, packages)
        ours, before = medians["ours"], medians.get("before")
        started = time.perf_counter()
        wb = openpyxl.load_workbook(path, read_only=True)
        baseline_rows = sum(1 for _ in wb["Contacts"].iter_rows(values_only=True))
        wb.close()
        baseline = time.perf_counter() - started
    assert baseline_rows == n + 1
    total = ours["read_s"] + ours["diff_s"]
    result: dict[str, Any] = {
        "contacts": n,
        **ours,
        "openpyxl_read_s": baseline,
        "ratio": total / baseline,
        "before_commit": BEFORE_ISSUE_16,
        "before_s": before and before["read_s"] + before["diff_s"],
        "ratio_before": before and total / (before["read_s"] + before["diff_s"]),
    }
    print(
        f"changes, {kind} {n:,}: read {ours['read_s']:.2f}s + diff {ours['diff_s']:.3f}s vs before "
        f"issue 16 {result['before_s'] or float('nan'):.2f}s: x{result['ratio_before'] or 0:.2f}; "
        f"vs openpyxl read-only {baseline:.2f}s: x{result['ratio']:.2f}",
        flush=True,
    )
    return result


if __name__ == "__main__":
    use_earlier_package()
    print(json.dumps(changes_worker(*sys.argv[1:5])))
