"""calamine, run on an untrusted workbook in a child process with a memory and
a time limit.

python-calamine (Rust) sizes a sheet as one dense block from its first to its
last cell, and when an allocation fails Rust aborts the process: a workbook
with one far cell ends the whole program with SIGABRT, which no ``except``
catches. The checks before it (``own_report.check_plausible``) refuse what a
report of this tool never has, but they cannot prove what calamine will
allocate: that depends on its internals (declared extents, shared-string
counts, ...) and changes with its versions. So calamine reads untrusted bytes
only here, in a child with at most ``MEMORY_LIMIT`` of address space (POSIX;
on Windows an allocation past what the machine has fails in the child alike)
and ``TIME_LIMIT`` seconds: whatever it does becomes one clear ReportError.

The child reads the very bytes that were checked (from its standard input,
never the path again) and answers in JSON: values are tagged by type, so the
parent gets back exactly what calamine gave. Measured on this machine
(benchmarks/sandbox.py): about 0.1 s for a report's Summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from ..base.errors import ReportError

MEMORY_LIMIT = 4 << 30  # address space: a report re-saved by Excel at 100,000 rows takes ~0.3 GiB
TIME_LIMIT = 300  # seconds
_NOT_READABLE = "not a readable .xlsx workbook"


def read_sheets(
    data: bytes, label: str, widths: Mapping[str, int]
) -> tuple[list[str], dict[str, list[list[Any]]]]:
    """The workbook's sheet names, and the rows of each sheet of ``widths`` it
    has (its first ``width`` columns; 0: all), as calamine reads ``data``."""
    request = json.dumps(dict(widths))
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console flashing up in Excel
    try:
        done = subprocess.run(
            [sys.executable, "-m", __name__, request],
            input=data,
            capture_output=True,
            timeout=TIME_LIMIT,
            check=False,
            creationflags=flags,
        )
    except subprocess.TimeoutExpired:
        raise ReportError(
            f"{label} is not a report of xl-contacts (reading it took over {TIME_LIMIT} s)"
        ) from None
    except OSError as error:
        raise ReportError(
            f"could not start Python to read {label} ({type(error).__name__})"
        ) from None
    if done.returncode != 0:  # an abort, the memory limit, a crash: no report of ours
        raise ReportError(
            f"{label} is not a report of xl-contacts (reading it needed more than "
            f"{MEMORY_LIMIT >> 30} GiB of memory, or failed)"
        )
    answer = json.loads(done.stdout, object_hook=_value)
    if answer.get("error"):
        raise ReportError(f"{label} is not a report of xl-contacts ({_NOT_READABLE})")
    return answer["sheets"], answer["rows"]


def _tagged(value: Any) -> Any:
    """A cell calamine gave, as JSON that ``_value`` turns back into it."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, time):
        return {"time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"timedelta": value.total_seconds()}
    return value


def _value(tagged: dict[str, Any]) -> Any:
    if len(tagged) == 1:
        ((kind, text),) = tagged.items()
        if kind == "datetime":
            return datetime.fromisoformat(text)
        if kind == "date":
            return date.fromisoformat(text)
        if kind == "time":
            return time.fromisoformat(text)
        if kind == "timedelta":
            return timedelta(seconds=text)
    return tagged


def _limit_memory() -> None:
    try:
        import resource
    except ImportError:  # Windows: no such limit; an impossible allocation fails alike
        return
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def _child(request: str) -> dict[str, Any]:
    import io

    from python_calamine import CalamineError, CalamineWorkbook

    widths: dict[str, int] = json.loads(request)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(sys.stdin.buffer.read()))
        names = list(book.sheet_names)
        rows = {}
        for name, width in widths.items():
            if name in names:
                cut = slice(0, width or None)
                sheet = book.get_sheet_by_name(name)
                rows[name] = [[_tagged(v) for v in row[cut]] for row in sheet.iter_rows()]
    except (CalamineError, OSError, ValueError):
        return {"error": _NOT_READABLE}
    return {"sheets": names, "rows": rows}


if __name__ == "__main__":
    _limit_memory()
    json.dump(_child(sys.argv[1]), sys.stdout, default=str)
