"""What reading untrusted workbooks in a child process costs (issue 23).

calamine now reads a report's Summary (and a Contacts sheet not in this tool's
own shape) in a child process with a memory and time limit. Measured against a
same-run baseline that does the same checks and calls calamine in this process
(as before): "is this -o target a report of ours" on the demo report, and
``--since`` reading a report of N contacts. Medians of ``--repeats`` runs.

    python benchmarks/sandbox.py [--contacts 100000] [--repeats 7]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from synthetic import make_contacts  # noqa: E402

ID_INSTANCE = "1101000001"


def in_process(path: Path, width: int) -> Any:
    """The baseline: the same checks, then calamine in this process (no limit)."""
    import io

    from python_calamine import CalamineWorkbook

    from xl_contacts.sinks.own_report import check_plausible

    data = path.read_bytes()
    own = check_plausible(data, repr(str(path)), width)
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    summary = book.get_sheet_by_name("Summary").to_python()
    return own, summary


def median_seconds(work: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    from xl_contacts.cli import main as cli
    from xl_contacts.domain.contacts import normalise
    from xl_contacts.domain.table import COLUMNS
    from xl_contacts.sinks.previous_report import is_report, read_previous
    from xl_contacts.sinks.xlsx_report import write_report

    folder = Path(tempfile.mkdtemp(prefix="xl-contacts-sandbox-"))
    demo = folder / "demo.xlsx"
    assert cli(["export", "--demo", "-o", str(demo)]) == 0
    big = write_report(
        normalise(make_contacts(args.contacts), id_instance=ID_INSTANCE), folder / "big.xlsx"
    )
    rows = [
        (
            "-o target check, demo report",
            lambda: is_report(demo),
            lambda: in_process(demo, 0),
        ),
        (
            f"--since read, {args.contacts:,} contacts",
            lambda: read_previous(big, ID_INSTANCE),
            lambda: in_process(big, len(COLUMNS)),
        ),
    ]
    print("| what | child process (s) | in this process (s) | difference (s) | ratio |")
    print("|---|---|---|---|---|")
    for title, child, baseline in rows:
        ours = median_seconds(child, args.repeats)
        before = median_seconds(baseline, args.repeats)
        print(
            f"| {title} | {ours:.3f} | {before:.3f} | {ours - before:+.3f} | {ours / before:.2f}x |"
        )


if __name__ == "__main__":
    main()
