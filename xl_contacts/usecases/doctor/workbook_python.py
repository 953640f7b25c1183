"""The workbook's Python asked about itself (``doctor --workbook``): are xlwings,
xl-contacts and pywin32 there, in the version the workbook's VBA needs, and the
fixes that name that Python."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ...base.i18n import N_, _
from .check import FAIL, OK, Check
from .machine import Machine

UDF_MODULE = "xl_contacts.udfs"
PACKAGES = N_("Python packages")  # the check's name
# What the workbook's interpreter says about itself (a JSON line on stdout). It
# runs in that Python, which may not have xl-contacts at all: it reports facts
# (versions, "ok", exception texts), and every sentence a person reads is made
# from them here, in doctor's language.
PROBE = r"""
import json, site, sys
out = {"executable": sys.executable, "prefix": sys.prefix,
       "user_base": getattr(site, "USER_BASE", None) or "",
       "user_site": getattr(site, "USER_SITE", None) or ""}
def attempt(name, code):
    try:
        exec(code, {})
        out[name] = "ok"
    except BaseException as error:
        out[name] = f"{type(error).__name__}: {error}"
try:
    import xlwings
    out["xlwings"] = xlwings.__version__
    out["xlwings_file"] = xlwings.__file__
except BaseException as error:
    out["xlwings"] = None
    out["xlwings_error"] = f"{type(error).__name__}: {error}"
attempt("xl_contacts", "import xl_contacts.udfs")
if sys.platform.startswith("win"):
    attempt("pywin32", "import pywintypes, pythoncom, win32api, win32com.client")
print(json.dumps(out))
"""


def probe(interpreter: Path) -> dict[str, object] | str:
    """What ``interpreter`` reports, or why it could not be asked."""
    try:
        result = subprocess.run(
            [str(interpreter), "-c", PROBE], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return _("cannot run it ({error})").format(error=type(error).__name__)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        last = (result.stderr.strip().splitlines() or [_("no output")])[-1]
        return _("it fails to start ({error})").format(error=last[:200])
    try:
        return dict(json.loads(lines[-1]))
    except ValueError:
        return _("it answered something unexpected")


def probe_check(interpreter: Path, version: str, machine: Machine) -> Check:
    name = _(PACKAGES)
    console = interpreter.with_name("python.exe")  # pythonw.exe has no stdout to read
    found = probe(
        console if interpreter.name == "pythonw.exe" and console.is_file() else interpreter
    )
    if isinstance(found, str):
        return Check(name, FAIL, f"{interpreter}: {found}")
    problem = _probe_problem(found, interpreter, version, machine)
    if problem:
        return Check(name, FAIL, problem)
    packages = f"xlwings {found['xlwings']}, {UDF_MODULE}" + (
        ", pywin32" if machine.windows else ""
    )
    return Check(
        name,
        OK,
        _("{packages} import in {prefix}").format(packages=packages, prefix=found["prefix"]),
    )


def _probe_problem(
    found: Mapping[str, object], interpreter: Path, version: str, machine: Machine
) -> str | None:
    store = store_python(str(found.get("executable", "")))
    if store:
        return store
    reinstall = pip_fix(interpreter, f"install xlwings=={version}")
    if found.get("xlwings") is None:
        return _("xlwings is not installed there — {fix}").format(fix=reinstall)
    if found["xlwings"] != version:
        return _(
            "xlwings {found} is installed there, the workbook's VBA is {version} — {fix}"
        ).format(found=found["xlwings"], version=version, fix=reinstall)
    user_site = str(found.get("user_site") or "")
    if user_site and str(found.get("xlwings_file", "")).startswith(user_site):
        return _(
            "xlwings was installed with pip --user ({user_site}): its DLL went to "
            "{user_base}, where Excel does not look — install into a virtual "
            "environment instead (see the README)"
        ).format(user_site=user_site, user_base=found.get("user_base"))
    if found.get("xl_contacts") != "ok":
        return _(
            "{module} does not import there ({error}) — install xl-contacts into it "
            "(README: Install): {fix}"
        ).format(
            module=UDF_MODULE,
            error=found.get("xl_contacts"),
            fix=pip_fix(interpreter, "install PATH-TO-THE-xl_contacts-WHEEL-OR-CHECKOUT"),
        )
    if machine.windows and found.get("pywin32") != "ok":
        return _("pywin32 does not import there ({error}) — {fix}").format(
            error=found.get("pywin32"),
            fix=pip_fix(interpreter, "install --force-reinstall pywin32"),
        )
    return None


def pip_fix(interpreter: Path, args: str) -> str:
    """The fix "run <that Python> -m pip ``args``", quoted for cmd and PowerShell."""
    python = interpreter.with_name("python.exe") if interpreter.suffix == ".exe" else interpreter
    text = str(python)
    if " " in text:
        return _("run {command} (in PowerShell put & in front)").format(
            command=f'"{text}" -m pip {args}'
        )
    return _("run {command}").format(command=f"{text} -m pip {args}")


def store_python(path: str) -> str | None:
    """Why a Microsoft Store Python at ``path`` cannot serve Excel, if it is one."""
    lowered = path.lower()
    if "\\windowsapps\\" in lowered.replace("/", "\\") or "pythonsoftwarefoundation" in lowered:
        return _(
            "Microsoft Store Python: Excel cannot start it or see its files — install "
            "Python from python.org, make a virtual environment in a folder with Latin "
            "letters only ({venv}, README: Install), and point "
            "Interpreter_Win at its {pythonw}"
        ).format(venv="C:\\xl-contacts\\venv", pythonw="Scripts\\pythonw.exe")
    return None
