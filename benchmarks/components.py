"""Where an export's time goes, step by step, on one list in this process (after
the imports): decode the answer, normalise it into rows, the phone columns, the
sheet's row XML, deflate. Each step gets the previous one's output, measured
alone (medians); ``json.loads`` of the same body beside the decode."""

from __future__ import annotations

import json
import statistics
import time
import zlib
from collections.abc import Callable
from typing import Any

from common import ID_INSTANCE, body, contacts

STEPS = ("decode", "normalise", "phones", "rows", "deflate")


def _timed(step: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = step()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def bench_components(kind: str, n: int, repeats: int) -> dict[str, Any]:
    from xl_contacts.base.json_stream import loads
    from xl_contacts.domain.contacts import normalise
    from xl_contacts.sinks.report_facts import ContactFacts
    from xl_contacts.sinks.row_xml import RowWriter
    from xl_contacts.sinks.zip_stream import LEVEL

    data = body(contacts(kind, n), kind)
    row: dict[str, Any] = {"list": kind, "contacts": n}
    row["json_loads_s"], _ = _timed(lambda: json.loads(data), repeats)
    row["decode_s"], records = _timed(lambda: loads(data), repeats)
    row["normalise_s"], table = _timed(lambda: normalise(records, id_instance=ID_INSTANCE), repeats)
    # A fresh ContactFacts each time: what one export pays for its phone columns.
    row["phones_s"], (formatted, countries) = _timed(
        lambda: ContactFacts(table.columns).describe(table.rows), repeats
    )
    columns = [*zip(*table.rows, strict=True), formatted, countries]
    row["rows_s"], xml = _timed(lambda: RowWriter(2).write_columns(columns), repeats)

    def deflate() -> bytes:
        compressor = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
        return compressor.compress(xml) + compressor.flush()

    row["deflate_s"], _ = _timed(deflate, repeats)
    row["total_s"] = sum(row[f"{step}_s"] for step in STEPS)
    print(
        f"components, {kind} {n:,}: "
        + ", ".join(f"{step} {row[f'{step}_s'] * 1e3:.0f} ms" for step in STEPS)
        + f" (json.loads {row['json_loads_s'] * 1e3:.0f} ms)",
        flush=True,
    )
    return row
