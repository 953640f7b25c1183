"""isal is optional: required only where it has wheels, and the export works
with zlib where it is missing (Pyodide, other CPUs)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import assert_no_token
from packaging.requirements import Requirement
from stand_in import REFERENCE_CONTACTS, FakeGreenApi

from xl_contacts.domain.table import COLUMNS
from xl_contacts.sinks import zip_stream

# Where a pip install happens: a few platforms with isal wheels, and without.
CPYTHON = {"platform_python_implementation": "CPython", "python_version": "3.12"}
WITH_WHEELS = [
    {**CPYTHON, "sys_platform": "linux", "platform_machine": "x86_64"},
    {**CPYTHON, "sys_platform": "linux", "platform_machine": "aarch64"},
    {**CPYTHON, "sys_platform": "darwin", "platform_machine": "arm64"},
    {**CPYTHON, "sys_platform": "win32", "platform_machine": "AMD64"},
]
WITHOUT = [
    {**CPYTHON, "sys_platform": "emscripten", "platform_machine": "wasm32"},  # Pyodide
    {**CPYTHON, "sys_platform": "linux", "platform_machine": "riscv64"},
    {**CPYTHON, "sys_platform": "linux", "platform_machine": "ppc64le"},
    {"platform_python_implementation": "PyPy", "sys_platform": "linux",
     "platform_machine": "x86_64", "python_version": "3.11"},
]  # fmt: skip

# Run in a fresh interpreter with isal made unimportable, as where it is not installed.
EXPORT_WITHOUT_ISAL = """
import sys
sys.modules["isal"] = None  # import isal -> ImportError
from xl_contacts.cli import main
from xl_contacts.sinks import zip_stream
code = main(["export", "-o", sys.argv[1]])
print(f"engine={zip_stream.engine()} exit={code}")
"""


def isal_requirement() -> Requirement:
    (line,) = [r for r in importlib.metadata.requires("xl-contacts") or [] if r.startswith("isal")]
    return Requirement(line)


@pytest.mark.parametrize("environment", WITH_WHEELS, ids=lambda e: e["platform_machine"])
def test_isal_is_installed_where_it_has_wheels(environment: dict[str, str]) -> None:
    assert isal_requirement().marker.evaluate(environment)


@pytest.mark.parametrize(
    "environment", WITHOUT, ids=lambda e: f"{e['sys_platform']}-{e['platform_machine']}"
)
def test_isal_is_left_out_elsewhere(environment: dict[str, str]) -> None:
    assert not isal_requirement().marker.evaluate(environment)


def test_export_without_isal_uses_zlib(tmp_path: Path, green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    target = tmp_path / "contacts.xlsx"
    env = {**os.environ, **green_api.env()}
    result = subprocess.run(
        [sys.executable, "-c", EXPORT_WITHOUT_ISAL, str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert_no_token(result.stdout, result.stderr)
    assert result.stdout.splitlines()[-1] == "engine=zlib exit=0"
    if importlib.util.find_spec("isal") is not None:  # so it was the block that made it zlib
        assert zip_stream.engine() == "isal"
    with zipfile.ZipFile(target) as package:
        assert package.testzip() is None
        sheets = [i for i in package.infolist() if i.filename.startswith("xl/worksheets/")]
        assert sheets and all(i.compress_type == zipfile.ZIP_DEFLATED for i in sheets)
    rows = list(openpyxl.load_workbook(target, read_only=True)["Contacts"].values)
    assert list(rows[0][: len(COLUMNS)]) == list(COLUMNS)
    assert [row[0] for row in rows[1:]] == [c["chatId"] for c in REFERENCE_CONTACTS]

