"""calamine, run on an untrusted workbook in a child process with a memory and
a time limit.

python-calamine (Rust) sizes a sheet as one dense block from its first to its
last cell, and when an allocation fails Rust aborts the process: a workbook
with one far cell ends the whole program with SIGABRT, which no ``except``
catches. The checks (``own_report.check_plausible``) refuse what a report of
this tool never has -- their verdict comes first: the child starts at the same
time, to read while they run, and is ended unheard when they refuse the file --
but they cannot prove what calamine will allocate: that depends on its
internals (declared extents, shared-string counts, ...) and changes with its
versions. So calamine reads untrusted bytes only here, in a child with at most
``MEMORY_LIMIT`` of address space (POSIX; on Windows an allocation past what
the machine has fails in the child alike) and ``TIME_LIMIT`` seconds: whatever
it does becomes one clear ReportError.

The child (``calamine_child``) reads the very bytes that were checked, from
its standard input, never the path again. What it costs (benchmarks/sandbox.py,
medians against the same checks and calamine in this process, same run, a
loaded 2-core machine): "is this -o target a report of ours" on the demo report
0.04 s instead of 0.003 s (python starting is most of it); ``--since`` on a
report of 100,000 contacts 0.27 s against 0.25 s, the child reading while the
checks run. A proof that calamine cannot be made to allocate past a bound
would have to follow calamine's internals version by version; 0.04 s a file
buys certainty.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Mapping
from datetime import timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from ..base.errors import ReportError
from ..base.i18n import _
from . import calamine_child
from .calamine_child import TAGS, TIMEDELTA
from .package import NOT_READABLE, not_ours

# Address space of the child. calamine holds every cell of a sheet: a Contacts
# sheet of 1,048,575 rows × 10 columns peaked at 1.1 GiB, one of 100,000 rows ×
# 57 columns at 0.6 GiB. What this tool writes is read without calamine at any
# size (own_report); a report re-saved by Excel is read up to about this size.
MEMORY_LIMIT = 4 << 30
TIME_LIMIT = 300  # seconds


def read_sheets(
    data: bytes, label: str, widths: Mapping[str, int]
) -> tuple[list[str], dict[str, list[list[Any]]]]:
    """The workbook's sheet names, and the rows of each sheet of ``widths`` it
    has (its first ``width`` columns; 0: all), as calamine reads ``data``."""
    return SheetsReading(data, label, widths).result()


class SheetsReading:
    """``read_sheets``, started at once: the child reads while the caller does
    its own work on the same bytes (the checks), ``result`` waits for its
    answer, ``cancel`` ends it (the checks refused the file: its answer would
    not be used)."""

    def __init__(self, data: bytes, label: str, widths: Mapping[str, int]) -> None:
        spec = find_spec("python_calamine")
        folder = str(Path(spec.origin).parent.parent) if spec and spec.origin else ""
        command = [sys.executable, "-I", "-S", calamine_child.__file__, folder, str(MEMORY_LIMIT)]
        self._label = label
        self._answer: tuple[bytes, int] | None = None  # its output and exit code; None: timed out
        try:
            self._process = subprocess.Popen(
                [*command, json.dumps(dict(widths))],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                # no console flashing up in Excel
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
        except OSError as error:
            raise ReportError(
                _("could not start Python to read {label} ({error})").format(
                    label=label, error=type(error).__name__
                )
            ) from None
        self._thread = threading.Thread(
            target=self._wait, args=(data,), name="xl-contacts calamine", daemon=True
        )
        self._thread.start()

    def _wait(self, data: bytes) -> None:
        try:
            out, _err = self._process.communicate(data, timeout=TIME_LIMIT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            return
        except OSError:  # the pipes broke: no answer, read as an unreadable file
            self._process.kill()
            self._process.wait()
            self._answer = (b'{"error": true}', 0)
            return
        self._answer = (out, self._process.returncode)

    def cancel(self) -> None:
        self._process.kill()
        self._thread.join()

    def result(self) -> tuple[list[str], dict[str, list[list[Any]]]]:
        self._thread.join()
        if self._answer is None:
            reason = _("reading it took over {seconds} s").format(seconds=TIME_LIMIT)
            raise not_ours(self._label, reason)
        out, code = self._answer
        if code != 0:  # an abort (a failed allocation) or MemoryError: no report of ours
            reason = _("reading it would take more than {gib} GiB of memory").format(
                gib=MEMORY_LIMIT >> 30
            )
            raise not_ours(self._label, reason)
        answer = json.loads(out, object_hook=_value)
        if answer.get("error"):
            raise not_ours(self._label, _(NOT_READABLE))
        return answer["sheets"], answer["rows"]


def _value(tagged: dict[str, Any]) -> Any:
    """A cell tagged by ``calamine_child.tagged``, as calamine gave it."""
    if len(tagged) == 1:
        ((tag, text),) = tagged.items()
        if tag in TAGS:
            return TAGS[tag].fromisoformat(text)
        if tag == TIMEDELTA:
            return timedelta(seconds=text)
    return tagged
