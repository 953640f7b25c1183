"""Where an export's time goes, step by step, on one list in this process (after
the imports): decode the answer, normalise it into rows, the phone columns, the
sheet's row XML, deflate. Each step gets the previous one's output, measured
alone (medians); ``json.loads`` of the same body beside the decode.

The phone columns are also timed as an export's process first meets numbers
(``phones_first_s``, in a fresh process: the formatter learns each layout and
compiles phonenumbers' patterns then), and deflate is what the export runs
(``zip_stream.DeflateSpool``: ISA-L or zlib, in its second thread) fed the XML
in pieces as the streamed export feeds it."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from common import HERE, ID_INSTANCE, body, contacts

STEPS = ("decode", "normalise", "phones", "rows", "deflate")
PIECE = 1 << 18  # bytes of row XML per write, about one streamed batch's


def _timed(step: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def phones_first(kind: str, n: int) -> float:
    """Seconds of the phone columns of ``kind``'s list in a process that has
    formatted no number yet (run in this one: see ``bench_components``)."""
    from xl_contacts.base.json_stream import loads
    from xl_contacts.domain.contacts import normalise
    from xl_contacts.sinks.report_facts import ContactFacts

    table = normalise(loads(body(contacts(kind, n), kind)), id_instance=ID_INSTANCE)
    by_column = table.by_column
    started = time.perf_counter()
    _phone_columns(ContactFacts(table.columns), by_column)
    return time.perf_counter() - started


def _phone_columns(facts: Any, by_column: list[Any]) -> tuple[list[str], list[str]]:
    """The phone columns as both exports make them: from the chatId, phoneNumber
    and type columns."""
    return facts.describe_columns(*(by_column[i] for i in facts.reads))


def bench_components(kind: str, n: int, repeats: int) -> dict[str, Any]:
    from xl_contacts.base.json_stream import loads
    from xl_contacts.domain.contacts import normalise
    from xl_contacts.sinks.report_facts import ContactFacts
    from xl_contacts.sinks.row_xml import RowWriter
    from xl_contacts.sinks.zip_stream import DeflateSpool, engine

    data = body(contacts(kind, n), kind)
    row: dict[str, Any] = {"list": kind, "contacts": n}
    row["json_loads_s"], _ = _timed(lambda: json.loads(data), repeats)
    row["decode_s"], records = _timed(lambda: loads(data), repeats)
    row["normalise_s"], table = _timed(lambda: normalise(records, id_instance=ID_INSTANCE), repeats)
    by_column = table.by_column
    # A fresh ContactFacts each time: what one export pays for its phone columns.
    row["phones_s"], (formatted, countries) = _timed(
        lambda: _phone_columns(ContactFacts(table.columns), by_column), repeats
    )
    firsts = [_in_a_fresh_process(kind, n) for _ in range(min(repeats, 3))]
    row["phones_first_s"] = statistics.median(firsts)
    columns = [*by_column, formatted, countries]
    row["rows_s"], xml = _timed(lambda: RowWriter(2).write_columns(columns), repeats)

    def deflate() -> None:
        spool = DeflateSpool()
        for start in range(0, len(xml), PIECE):
            spool.write(xml[start : start + PIECE])
        spool.close()
        spool.discard()

    row["deflate_s"], _ = _timed(deflate, repeats)
    row["deflate_engine"] = engine()
    row["total_s"] = sum(row[f"{step}_s"] for step in STEPS)
    print(
        f"components, {kind} {n:,}: "
        + ", ".join(f"{step} {row[f'{step}_s'] * 1e3:.0f} ms" for step in STEPS)
        + f" (phones first {row['phones_first_s'] * 1e3:.0f} ms, deflate by {engine()}, "
        f"json.loads {row['json_loads_s'] * 1e3:.0f} ms)",
        flush=True,
    )
    return row


def _in_a_fresh_process(kind: str, n: int) -> float:
    code = f"from components import phones_first; print(phones_first({kind!r}, {n}))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=HERE, capture_output=True, text=True, check=True
    )
    return float(done.stdout.split()[-1])
