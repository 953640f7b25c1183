"""Stand-in machines for doctor's tests: folders laid out as python.org, venv
and conda installs leave them, and stand-in interpreters (shell scripts named
python.exe) that answer doctor's probe as a real one would."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import xlwings

from xl_contacts.usecases.doctor import Machine
from xl_contacts.usecases.template.build import DEFAULT_CONF, build_template

VERSION = xlwings.__version__
DLL = f"xlwings64-{VERSION}.dll"
HEALTHY = {"xlwings": VERSION, "xl_contacts": "ok", "pywin32": "ok"}


def fake_python(path: Path, answer: dict[str, Any] | None = None, fails: str = "") -> Path:
    """An executable that answers doctor's probe like a Python would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "executable": str(path),
        "prefix": str(path.parent),
        "user_base": "",
        "user_site": "",
        "xlwings_file": str(path.parent / "Lib/site-packages/xlwings/__init__.py"),
        **(HEALTHY if answer is None else answer),
    }
    body = f"echo '{fails}' >&2; exit 1" if fails else f"cat <<'JSON'\n{json.dumps(report)}\nJSON"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def venv(root: Path, answer: dict[str, Any] | None = None, dll: bool = True) -> Path:
    """A virtual environment as Windows lays it out: Scripts\\pythonw.exe, DLLs in the root."""
    fake_python(root / "Scripts" / "python.exe", answer)
    pythonw = fake_python(root / "Scripts" / "pythonw.exe", answer)
    if dll:
        (root / DLL).write_bytes(b"MZ")
        (root / f"xlwings32-{VERSION}.dll").write_bytes(b"MZ")
    return pythonw


def windows(tmp_path: Path, **changes: Any) -> Machine:
    facts: dict[str, Any] = {
        "platform": "win32",
        "env": {"USERPROFILE": str(tmp_path / "profile"), "PATH": ""},
        "home": tmp_path / "profile",
        "python": str(tmp_path / "mine" / "Scripts" / "python.exe"),
        "ansi_code_page": "cp1252",
        "excel_path": r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE",
    }
    return Machine(**{**facts, **changes})


def workbook(path: Path, *conf: tuple[str, object]) -> Path:
    return build_template(path, conf=(*DEFAULT_CONF, *conf))


def mac(tmp_path: Path, runpython: bool = True) -> Machine:
    home = tmp_path / "home"
    if runpython:
        script = home / "Library/Application Scripts/com.microsoft.Excel"
        script.mkdir(parents=True)
        (script / f"xlwings-{VERSION}.applescript").write_text("on VbaHandler(p)\nend")
    return Machine(platform="darwin", env={}, home=home, python="/opt/venv/bin/python")
