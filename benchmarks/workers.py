"""One measurement in a fresh process, after its imports: run.py starts
``python benchmarks/workers.py KIND URL OUT`` and reads seconds and peak memory
from its output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from common import ID_INSTANCE, TOKEN, earlier_env, peak_mb, use_earlier_package


def worker(kind: str, url: str, out: str) -> dict[str, float]:
    """One measurement after the imports: seconds and the process's peak memory."""
    try:
        from xl_contacts.config.settings import load_settings
    except ImportError:  # an earlier package (before issue 20: one flat folder)
        from xl_contacts.settings import load_settings  # type: ignore[no-redef]

    settings = load_settings(url, ID_INSTANCE, TOKEN, env={}, use_stored=False)
    run = _WORKERS[kind](settings, url, out)
    started = time.perf_counter()
    run()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def _ours(settings: Any, url: str, out: str) -> Any:
    """What `xl-contacts export` does: one streaming pass. (It imports openpyxl in a
    second thread while the answer arrives; imported here first, like the others'.)"""
    from xl_contacts.sinks import xlsx_report  # noqa: F401
    from xl_contacts.usecases.export_stream import export_streamed
    from xl_contacts.usecases.fetch import client_for

    return lambda: export_streamed(client_for(settings), out)


def _buffered(settings: Any, url: str, out: str) -> Any:
    """The whole table first, then the report (what `export --since` does)."""
    from xl_contacts import fetch_contacts, write_report

    return lambda: write_report(fetch_contacts(settings=settings), out)


def _naive(settings: Any, url: str, out: str) -> Any:
    """What a user would write first."""
    import pandas as pd
    import requests

    full = f"{url}/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
    return lambda: pd.DataFrame(requests.get(full, timeout=60).json()).to_excel(
        out, engine="openpyxl", index=False
    )


def _udf(settings: Any, url: str, out: str) -> Any:
    """=GETCONTACTS() with nothing cached: fetch, rows, cleaning."""
    os.environ.update(
        GREENAPI_API_URL=url, GREENAPI_ID_INSTANCE=ID_INSTANCE, GREENAPI_API_TOKEN_INSTANCE=TOKEN
    )
    from xl_contacts import udfs

    def call() -> None:
        rows = udfs.GETCONTACTS()
        assert len(rows) > 1, rows

    return call


_WORKERS = {
    "ours": _ours,
    "buffered": _buffered,
    "naive": _naive,
    "udf": _udf,
}


def run_worker(kind: str, url: str, package: Path | None = None) -> dict[str, float]:
    """``kind`` measured in a fresh process, with today's code or ``package``'s."""
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "report.xlsx")
        result = subprocess.run(
            [sys.executable, __file__, kind, url, out],
            capture_output=True,
            text=True,
            check=True,
            env=earlier_env(package),
        )
    return json.loads(result.stdout)


if __name__ == "__main__":
    use_earlier_package()
    print(json.dumps(worker(*sys.argv[1:4])))
