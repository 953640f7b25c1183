"""xlwings Lite's Python for the tests: real Pyodide (the npm package, in Node or
in headless Chromium) running the main.py and requirements.txt that
`xl-contacts lite` writes, called through xlwings' Office.js protocol.

Skipped with a one-line reason where Node, the npm package or Chromium is
missing -- except on CI (helpers.in_ci), where missing is a failure.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from helpers import run_command, skip_or_fail

HERE = Path(__file__).resolve().parent
LITE = HERE / "lite"
PYODIDE = LITE / "node_modules" / "pyodide"
sys.path.insert(0, str(LITE))

import wheels  # noqa: E402 -- tests/lite/wheels.py


def need(tool: str, found: object, how: str) -> None:
    """Skip (fail on CI: helpers.skip_or_fail) when ``found`` is falsy."""
    if not found:
        skip_or_fail(f"{tool} is missing — {how}")


def need_pyodide() -> str:
    node = shutil.which("node")
    need("Node.js", node, "install Node 20 to run the xlwings Lite tests")
    need("npm package pyodide", PYODIDE.is_dir(), "run `npm ci` in tests/lite")
    return str(node)


def lite_files(folder: Path) -> tuple[Path, Path]:
    """main.py and requirements.txt as `xl-contacts lite -o FOLDER` writes them
    (the README's first step)."""
    result = run_command("lite", "-o", str(folder))
    assert result.returncode == 0, result.stderr
    return folder / "main.py", folder / "requirements.txt"


def lite_wheels(requirements: Path) -> list[Path]:
    """The wheels of ``requirements`` and micropip (pip download, cached)."""
    return wheels.ensure(requirements)


class NodeLite:
    """One Pyodide in Node for many commands (tests/lite/runner.mjs, harness.py)."""

    def __init__(self, node: str, main: Path, wheel_files: list[Path], log: Path) -> None:
        self.log = log
        self._log_file = log.open("w", encoding="utf-8")
        self.process = subprocess.Popen(
            [node, str(LITE / "runner.mjs"), str(main), str(LITE / "harness.py"),
             *map(str, wheel_files)],
            cwd=LITE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_file,
            text=True,
            encoding="utf-8",
        )  # fmt: skip
        assert json.loads(self._read(120)) == {"ready": True}

    def command(
        self,
        calls: list[list[Any]],
        env: dict[str, str] | None = None,
        *,
        together: bool = False,
        interval: float | None = None,
        backoff: float | None = None,
        culture: str | None = None,
        timeout: float = 60,
    ) -> dict[str, Any]:
        """Run ``calls`` (argument lists) with Lite's environment ``env``. ``interval``
        and ``backoff``: the throttle's and the retries' seconds (default: the real ones);
        ``culture``: the calls' ``culture_info_name`` (default: en-US)."""
        line: dict[str, Any] = {"env": env or {}, "calls": calls, "together": together}
        for name, value in (("interval", interval), ("backoff", backoff), ("culture", culture)):
            if value is not None:
                line[name] = value
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(line) + "\n")
        self.process.stdin.flush()
        return json.loads(self._read(timeout))

    def _read(self, timeout: float) -> str:
        """One line of the runner's output, or a failure with its log."""
        assert self.process.stdout is not None
        watchdog = threading.Timer(timeout, self.process.kill)
        watchdog.start()
        try:
            line = self.process.stdout.readline()
        finally:
            watchdog.cancel()
        if not line:
            self._log_file.flush()
            raise AssertionError(f"Pyodide runner ended:\n{self.log.read_text()[-3000:]}")
        return line

    def close(self) -> str:
        """Stop the runner; its log (Python's own output)."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log_file.close()
        return self.log.read_text(encoding="utf-8")
