"""The table's own steps, today's code against a git revision's, in the same run:
normalise a decoded answer, select a kind (``--only personal``), write it as
CSV, make the cells =GETCONTACTS spills. Each side runs in fresh processes,
alternated (drift on a shared machine hits both alike); a process reports the
least CPU time of a few repeats of each step, the figure is the median over
processes, and the ratio is today / then.

    python benchmarks/against.py REV [--list realistic|synthetic] [--contacts N] [--processes 5]

Claims in commit messages about these steps come from here.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import LISTS, body, contacts, earlier_env, package_at, use_earlier_package

STEPS = ("normalise", "select", "csv", "cells")


def _least(step: Any, repeats: int) -> float:
    """The least CPU time of ``repeats`` runs of ``step`` (the others were disturbed)."""
    times = []
    for _ in range(repeats):
        started = time.process_time()
        step()
        times.append(time.process_time() - started)
    return min(times)


def worker(kind: str, n: int, repeats: int) -> dict[str, float]:
    """Each step's time in this process, with whichever xl_contacts it imports."""
    import io

    import orjson

    from xl_contacts.domain.contacts import normalise, select
    from xl_contacts.sinks.text_output import write_csv
    from xl_contacts.usecases.getcontacts import table_rows

    class File(io.StringIO):  # CSV as to a file, not a terminal
        def isatty(self) -> bool:
            return False

    records = orjson.loads(body(contacts(kind, n), kind))
    table = normalise(records)
    return {
        "normalise": _least(lambda: normalise(records), repeats),
        "select": _least(lambda: select(table, "personal"), repeats),
        "csv": _least(lambda: write_csv(table, File()), repeats),
        "cells": _least(lambda: table_rows(table), repeats),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revision")
    parser.add_argument("--list", choices=LISTS, default="realistic")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--processes", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    command = [sys.executable, __file__, "--worker", args.list, str(args.contacts)]
    command.append(str(args.repeats))
    with tempfile.TemporaryDirectory() as tmp:
        then = package_at(args.revision, Path(tmp))
        assert then is not None, "the revision is read from git: a checkout with its history"
        runs: dict[str, list[dict[str, float]]] = {"today": [], "then": []}
        for _ in range(args.processes):
            for side, package in (("today", None), ("then", then)):
                done = subprocess.run(
                    command, capture_output=True, text=True, check=True, env=earlier_env(package)
                )
                runs[side].append(json.loads(done.stdout))
    print(f"{args.list} list, {args.contacts:,} contacts, today vs {args.revision}:")
    for step in STEPS:
        today = statistics.median(r[step] for r in runs["today"])
        earlier = statistics.median(r[step] for r in runs["then"])
        ratio = today / earlier
        print(f"  {step:10s} {today * 1e3:7.1f} ms vs {earlier * 1e3:7.1f} ms: x{ratio:.2f}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        use_earlier_package()
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main()
