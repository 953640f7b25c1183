"""The wheels the Pyodide tests install, fetched with pip into tests/lite/wheels.

Pyodide's CDN is not reachable from every machine (nor needed): what the
function needs is pure Python, so pip downloads it from the package index --
the packages of the requirements.txt that `xl-contacts lite` writes, and
micropip (the installer xlwings Lite uses) at the version Pyodide's lock names,
for the Python that Pyodide runs.

Usage (CI: .ci/run): python tests/lite/wheels.py REQUIREMENTS_TXT
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYODIDE = HERE / "node_modules" / "pyodide"
WHEELS = HERE / "wheels"


def pyodide_lock() -> dict:
    return json.loads((PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))


def pins(requirements: Path) -> list[str]:
    """The requirements of ``requirements`` -- each at its lowest allowed version
    (``name>=v``: v, the version the package is tested with) -- and micropip's pin."""
    lines = requirements.read_text(encoding="utf-8").splitlines()
    wanted = [line.split("#")[0].strip().replace(">=", "==") for line in lines]
    unpinned = [pin for pin in wanted if pin and "==" not in pin]
    if unpinned:  # the tests install what they name, nothing newer by surprise
        raise ValueError(f"give {', '.join(unpinned)} a version in {requirements}")
    micropip = pyodide_lock()["packages"]["micropip"]["version"]
    return [*filter(None, wanted), f"micropip=={micropip}"]


def ensure(requirements: Path) -> list[Path]:
    """The wheels for ``requirements`` (and micropip) in WHEELS, downloaded if missing."""
    wanted = pins(requirements)
    missing = [pin for pin in wanted if not _have(pin)]
    if missing:
        python = ".".join(pyodide_lock()["info"]["python"].split(".")[:2])
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--only-binary=:all:", "--platform", "any", "--implementation", "py",
             "--python-version", python, "--dest", str(WHEELS), *missing],
            check=True,
        )  # fmt: skip
    return [_have(pin) for pin in wanted]  # type: ignore[misc]


def _have(pin: str) -> Path | None:
    name, _, version = pin.partition("==")
    stem = f"{name.replace('-', '_')}-{version}-"
    return next(iter(sorted(WHEELS.glob(f"{stem}*.whl"))), None)


if __name__ == "__main__":
    for wheel in ensure(Path(sys.argv[1])):
        print(wheel.name)
