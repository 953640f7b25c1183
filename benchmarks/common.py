"""What every benchmark shares: the two contact lists, the stand-in GREEN-API,
same-run pairing and whole-process timing.

The lists (``--list`` of run.py):

* ``synthetic`` -- tests/synthetic.py: every number from one calling code, names
  of one shape (issue 16's targets were set on it);
* ``realistic`` -- tests/realistic.py: a Telegram-shaped book of every region
  ``phonenumbers`` knows (a few countries most of it), 3 % odd numbers, 12 %
  hidden ones, negative group ids, names in ten scripts (issue 20's targets).
"""

from __future__ import annotations

import io
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
# The tests' generated contacts and remote-engine book (imported where used: it
# imports xlwings, which a measuring worker must not load): one definition of each.
sys.path.insert(0, str(HERE.parent / "tests"))
from realistic import make_book  # noqa: E402
from synthetic import make_contacts  # noqa: E402

ID_INSTANCE = "1101000001"
TOKEN = "bench0token0000000000000000000000000000000000000"
LISTS = ("synthetic", "realistic")
# The command a user runs: the console script installed beside this interpreter.
CONSOLE = str(Path(sys.executable).with_name("xl-contacts"))


def contacts(kind: str, n: int) -> list[dict[str, Any]]:
    """``n`` contacts of the list ``kind`` ("synthetic" or "realistic")."""
    if kind == "synthetic":
        return make_contacts(n)
    if kind == "realistic":
        return make_book(n, "telegram")
    raise ValueError(f"unknown list {kind!r}")


def body(records: list[dict[str, Any]], kind: str = "realistic") -> bytes:
    """getContacts' answer: the realistic list's as UTF-8 text, the synthetic
    one's \\u-escaped (as issue 16's figures were measured)."""
    return json.dumps(records, ensure_ascii=kind == "synthetic").encode()


class StandIn:
    """getContacts on 127.0.0.1 answering a fixed body (whatever the path and
    query: every kind is filtered on our side for Telegram); counts requests."""

    def __init__(
        self, records: list[dict[str, Any]], kind: str = "synthetic", delay: float = 0.0
    ) -> None:
        answer = body(records, kind)
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.requests += 1
                time.sleep(delay)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.contacts_url = f"{self.url}/waInstance{ID_INSTANCE}/getContacts/{TOKEN}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def env(self) -> dict[str, str]:
        return {
            "GREENAPI_API_URL": self.url,
            "GREENAPI_ID_INSTANCE": ID_INSTANCE,
            "GREENAPI_API_TOKEN_INSTANCE": TOKEN,
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM). Not ru_maxrss: after fork and
    exec that still holds the parent's peak, which here holds the whole list."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def paired(
    ours: Callable[[], float], baseline: Callable[[], float], repeats: int
) -> tuple[float, float, float]:
    """The medians of ``ours`` and ``baseline`` (each returns seconds), measured
    alternately so that drift on a shared machine hits both alike, and their ratio."""
    ours_s, baseline_s = [], []
    for _ in range(repeats):
        ours_s.append(ours())
        baseline_s.append(baseline())
    a, b = statistics.median(ours_s), statistics.median(baseline_s)
    return a, b, a / b


def process_seconds(command: list[str], env: dict[str, str]) -> float:
    """Wall time of a whole process, as a user waits for it (stdout to a file)."""
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        subprocess.run(command, stdout=out, stderr=subprocess.PIPE, env=env, check=True)
        return time.perf_counter() - started


def machine() -> dict[str, str]:
    import openpyxl
    import pandas
    import xlwings

    cpu = platform.processor() or "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "os": platform.platform(),
        "openpyxl": openpyxl.__version__,
        "pandas": pandas.__version__,
        "xlwings": xlwings.__version__,
    }


# The package as it was at an earlier commit, for a baseline measured in the same
# run: its folder goes first on the path of a worker process, and the editable
# install's import hook (which would answer ``import xl_contacts`` with today's
# code, whatever the path says) is taken out in that process.
ENV_EARLIER = "XL_BENCH_EARLIER_PACKAGE"


def earlier_env(package: Path | None) -> dict[str, str]:
    """The environment of a worker that imports ``package`` (None: today's code)."""
    env = dict(os.environ)
    if package is not None:
        env[ENV_EARLIER] = str(package)
    return env


def use_earlier_package() -> None:
    """In a worker: import xl_contacts from ENV_EARLIER if set, and prove it."""
    folder = os.environ.get(ENV_EARLIER)
    if not folder:
        return
    # The hook is installed as a class, not an instance: its own __module__ names
    # it (type(hook) is just ``type``), and left in, it answered every module the
    # earlier package lacks (xl_contacts.domain...) with today's code.
    sys.meta_path[:] = [f for f in sys.meta_path if "__editable__" not in f.__module__]
    sys.path.insert(0, folder)
    import xl_contacts

    assert xl_contacts.__file__.startswith(folder), xl_contacts.__file__


# The last commit before issue 16's work: "today" of its targets, run in the same
# run as ours (the machine's speed drifts by a fifth between runs; a ratio does not).
BEFORE_ISSUE_16 = "f355387"


def package_at(commit: str, into: Path) -> Path | None:
    """xl_contacts as it was at ``commit``, unpacked into ``into`` (None without git
    or history: a copy of the repository without them)."""
    try:
        archive = subprocess.run(
            ["git", "-C", str(HERE.parent), "archive", commit, "xl_contacts"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into
