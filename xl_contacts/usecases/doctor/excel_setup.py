"""``doctor --workbook FILE``: will Excel find Python for this workbook?

Each check follows the workbook's VBA (xlwings.bas 0.37.8, line numbers
below) and prints the exact fix. Everything the checks look at comes from a
``Machine``, so the Windows and macOS logic is tested on any OS with stand-in
paths; ``Machine.this()`` is the real one.

Windows (``XLPyLoadDLL`` 473-505, ``XLPyCommand`` 398-471): the interpreter is
``Interpreter_Win``, else the legacy ``Interpreter``, else ``pythonw`` found
on PATH (476-480); with ``Conda Path``/``Conda Env`` a bare ``python(w)``
becomes the env's (483-492). Excel then loads ``xlwings64-<version>.dll``
from the interpreter's folder or the one above it (a virtual environment's
root, 496-497) -- with a bare name only through the DLL search path -- using
``LoadLibraryA`` (54): the path goes through the ANSI code page, as does the
command line that starts the UDF server with the workbook's full name in it
(414, 514). macOS: ``Interpreter_Mac``, else ``Interpreter``, else ``python``
(82-88), run through ``xlwings-<version>.applescript`` (206), which
``xlwings runpython install`` puts in place, unquoted in a shell command.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ...base.names import CONF_SHEET
from .check import FAIL, OK, SKIP, WARN, Check
from .machine import Machine
from .xlwings_conf import XlwingsConf, expand_windows, read_conf

UDF_MODULE = "xl_contacts.udfs"
BARE = ("python", "pythonw")
# What the workbook's interpreter says about itself (a JSON line on stdout).
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


def setup_checks(workbook: Path, vba_version: str | None, machine: Machine) -> list[Check]:
    """The checks of ``workbook``'s xlwings settings and of the Python they lead to."""
    conf = read_conf(workbook, machine.user_conf(), machine.ansi_code_page or "utf-8")
    checks = [sheet_check(conf)]
    version = vba_version or "?"
    win = conf.get("INTERPRETER_WIN")
    if not machine.windows and win and win.value.strip().startswith(("/", "~", "$HOME")):
        # A personal copy made here by an older version: fine here, broken on Windows.
        checks.append(
            Check(
                "Interpreter_Win",
                FAIL,
                f"{win.value.strip()} ({win.source}) is a path of this computer, not of "
                "Windows: Excel for Windows cannot start it — delete the row, and on the "
                "Windows computer run `xl-contacts workbook -o FILE` (it writes that Python)",
            )
        )
    if machine.windows:
        checks += windows_checks(workbook, conf, version, machine)
    elif machine.platform == "darwin":
        checks += mac_checks(conf, version, machine)
    else:
        reason = "no desktop Excel on this OS: run doctor where Excel runs"
        checks.append(Check("interpreter", SKIP, reason))
    return checks


def sheet_check(conf: XlwingsConf) -> Check:
    name = f"{CONF_SHEET} sheet"
    if not conf.has_sheet:
        return Check(
            name,
            FAIL,
            f"missing: Excel will not load {UDF_MODULE} — make a new copy with "
            "`xl-contacts workbook -o FILE`",
        )
    if conf.duplicates:
        return Check(
            name,
            FAIL,
            f"the key {conf.duplicates[0]!r} is there twice: every button and function "
            "stops with error 457 — delete one of the rows",
        )
    modules = [m.strip() for m in conf.text("UDF MODULES").split(";")]
    if UDF_MODULE not in modules:
        return Check(
            name, FAIL, f"'UDF Modules' must name {UDF_MODULE} — set it in column B next to it"
        )
    if conf.unseen:
        return Check(
            name,
            WARN,
            f"{', '.join(repr(k) for k in conf.unseen)} below an empty row: xlwings reads "
            "only down to the first empty cell in column A — remove the empty row",
        )
    if conf.text("USE UDF SERVER").strip().lower() != "true":
        return Check(
            name,
            WARN,
            "'Use UDF Server' is not TRUE: each button starts a new Python (slow) and cannot "
            "empty =GETCONTACTS' cache — set it to TRUE",
        )
    return Check(name, OK, f"UDF Modules = {UDF_MODULE}, Use UDF Server = TRUE")


# --- Windows ---------------------------------------------------------------------------


def windows_checks(
    workbook: Path, conf: XlwingsConf, version: str, machine: Machine
) -> list[Check]:
    checks = [_workbook_path_check(workbook, machine)]
    interpreter, source = windows_interpreter(conf, machine.env)
    if interpreter in BARE:
        checks.append(_bare_interpreter(interpreter, version, machine))
        return checks + [_office_check(machine)]
    path = Path(interpreter)
    if not path.is_file() and path.with_name(path.name + ".exe").is_file():
        path = path.with_name(path.name + ".exe")  # cmd.exe finds it without the extension
    found = _interpreter_checks(path, source, machine)
    checks += found
    if all(c.status != FAIL for c in found):
        checks.append(dll_check(path, version))
        checks.append(probe_check(path, version, machine))
    return checks + [_office_check(machine)]


def windows_interpreter(conf: XlwingsConf, env: Mapping[str, str]) -> tuple[str, str]:
    """The interpreter XLPyLoadDLL settles on, and where that came from."""
    setting = conf.get("INTERPRETER_WIN")
    if setting is None or not setting.value.strip():
        setting = conf.get("INTERPRETER")
    value = setting.value.strip() if setting and setting.value.strip() else "pythonw"
    source = setting.source if setting and setting.value.strip() else "xlwings' default"
    conda_path, conda_env = conf.text("CONDA PATH").strip(), conf.text("CONDA ENV").strip()
    if value in BARE and conda_path and conda_env:
        if conda_env == "base":
            value = f"{conda_path}\\{value}"
        elif "\\" in conda_env:
            value = f"{conda_env}\\{value}"
        else:
            value = f"{conda_path}\\envs\\{conda_env}\\{value}"
        source = "Conda Path / Conda Env"
    return expand_windows(value, env).replace("\\", os.sep), source


def _suggested(machine: Machine) -> str:
    """The Interpreter_Win value for the Python running doctor."""
    python = Path(machine.python)
    pythonw = python.with_name("pythonw.exe")
    return str(pythonw if machine.windows else python)


def _bare_interpreter(name: str, version: str, machine: Machine) -> Check:
    dll = f"xlwings64-{version}.dll"
    fix = (
        f"set Interpreter_Win on the {CONF_SHEET} sheet to {_suggested(machine)} "
        "(or make a personal copy: `xl-contacts workbook -o FILE`)"
    )
    for folder in machine.env.get("PATH", "").split(os.pathsep):
        if folder and (Path(folder) / f"{name}.exe").is_file():
            if (Path(folder) / dll).is_file():
                return Check(
                    "interpreter",
                    WARN,
                    f"no Interpreter_Win: Excel uses {name} and {dll} from PATH ({folder}), "
                    f"which works only while PATH stays so — {fix}",
                )
            break
    return Check(
        "interpreter",
        FAIL,
        f"no Interpreter_Win: Excel looks for {name}.exe and {dll} on PATH and finds them "
        f"not (a virtual environment or the python.org installer's default is not on PATH) "
        f"— {fix}",
    )


def _interpreter_checks(path: Path, source: str, machine: Machine) -> list[Check]:
    """One line per problem of the interpreter, each with its fix (a Store Python
    in a Cyrillic user folder has two: fixing one must not lead into the other)."""
    where = f"{path} ({source})"
    problems = [p for p in (_store_python(str(path)), _not_ansi(str(path), machine)) if p]
    if not path.is_file():
        problems.append(
            f"does not exist (Excel says 'Could not find Interpreter!') — set "
            f"Interpreter_Win to {_suggested(machine)}"
        )
    if problems:
        return [Check("interpreter", FAIL, f"{where}: {p}") for p in problems]
    if (path.parent / "conda-meta").is_dir() and source != "Conda Path / Conda Env":
        return [
            Check(
                "interpreter",
                WARN,
                f"{where} is a conda environment started without activation (its DLLs may "
                f"not load) — instead set 'Conda Path' to the conda folder and 'Conda Env' "
                f"to {path.parent.name}, and Interpreter_Win to pythonw",
            )
        ]
    return [Check("interpreter", OK, where)]


def dll_check(interpreter: Path, version: str) -> Check:
    """XLPyLoadDLL: the DLL beside the interpreter, or one folder up (a venv's root)."""
    name = f"xlwings64-{version}.dll"
    folders = [interpreter.parent, interpreter.parent.parent]
    for folder in folders:
        if (folder / name).is_file():
            missing32 = not (folder / f"xlwings32-{version}.dll").is_file()
            note = " (xlwings32 for 32-bit Office is missing)" if missing32 else ""
            return Check("xlwings DLL", OK, f"{folder / name}{note}")
    other = sorted(p.name for f in folders if f.is_dir() for p in f.glob("xlwings64-*.dll"))
    found = f"; found {', '.join(other)} instead" if other else ""
    return Check(
        "xlwings DLL",
        FAIL,
        f"{name} is in neither {folders[0]} nor {folders[1]}{found} (Excel: 'Could not "
        f"load {name}') — {_pip(interpreter, f'install --force-reinstall xlwings=={version}')}",
    )


def _pip(interpreter: Path, args: str) -> str:
    python = interpreter.with_name("python.exe") if interpreter.suffix == ".exe" else interpreter
    text = str(python)
    quoted = f'"{text}"' if " " in text else text
    tail = " (in PowerShell put & in front)" if " " in text else ""
    return f"run {quoted} -m pip {args}{tail}"


def _store_python(path: str) -> str | None:
    lowered = path.lower()
    if "\\windowsapps\\" in lowered.replace("/", "\\") or "pythonsoftwarefoundation" in lowered:
        return (
            "Microsoft Store Python: Excel cannot start it or see its files — install "
            "Python from python.org, make a virtual environment in a folder with Latin "
            "letters only (C:\\xl-contacts\\venv, README: Install), and point "
            "Interpreter_Win at its Scripts\\pythonw.exe"
        )
    return None


def _not_ansi(text: str, machine: Machine) -> str | None:
    code_page = machine.ansi_code_page or "ascii"
    try:
        text.encode(code_page)
    except (UnicodeEncodeError, LookupError):
        return (
            f"contains characters Windows' ANSI code page ({code_page}) cannot hold, and "
            "xlwings hands this path to Windows through it — use a folder with Latin "
            "letters only, e.g. C:\\xl-contacts"
        )
    return None


def _workbook_path_check(workbook: Path, machine: Machine) -> Check:
    unsafe = _not_ansi(str(workbook.resolve()), machine)
    if unsafe:
        return Check("workbook path", FAIL, f"{workbook}: {unsafe}")
    return Check("workbook path", OK, str(workbook.resolve()))


def _office_check(machine: Machine) -> Check:
    path = machine.excel_path
    if path and "\\windowsapps\\" in path.lower():
        return Check(
            "Office",
            WARN,
            f"{path} is Office from the Microsoft Store: it runs sandboxed and often cannot "
            "start Python — install Office from office.com if functions show errors",
        )
    return Check("Office", OK if path else SKIP, path or "excel.exe not found in the registry")


# --- macOS -----------------------------------------------------------------------------


def mac_checks(conf: XlwingsConf, version: str, machine: Machine) -> list[Check]:
    setting = conf.get("INTERPRETER_MAC")
    if setting is None or not setting.value.strip():
        setting = conf.get("INTERPRETER")
    value = setting.value.strip() if setting and setting.value.strip() else "python"
    checks = [applescript_check(version, machine)]
    if value in BARE:
        checks.append(
            Check(
                "interpreter",
                FAIL,
                f"no Interpreter_Mac: Excel runs '{value}', which macOS does not have — set "
                f"Interpreter_Mac on the {CONF_SHEET} sheet to {machine.python}",
            )
        )
        return checks
    path = Path(value.replace("$HOME", str(machine.home)))
    where = f"{path} ({setting.source if setting else ''})"
    if not path.is_file():
        checks.append(Check("interpreter", FAIL, f"{where} does not exist"))
    elif " " in str(path):
        checks.append(
            Check(
                "interpreter",
                FAIL,
                f"{where}: xlwings' AppleScript runs the interpreter unquoted, so a path "
                "with spaces breaks — make the virtual environment in a folder without spaces",
            )
        )
    else:
        checks += [Check("interpreter", OK, where), probe_check(path, version, machine)]
    checks.append(
        Check(
            "=GETCONTACTS",
            SKIP,
            "macOS Excel has no xlwings functions: the Start sheet shows a note; the ribbon works",
        )
    )
    return checks


def applescript_check(version: str, machine: Machine) -> Check:
    script = (
        machine.home
        / "Library/Application Scripts/com.microsoft.Excel"
        / f"xlwings-{version}.applescript"
    )
    if script.is_file():
        return Check("RunPython", OK, str(script))
    return Check(
        "RunPython",
        FAIL,
        f"{script} is missing, so the ribbon cannot start Python — run "
        "`xlwings runpython install` once",
    )


# --- asking the interpreter itself -----------------------------------------------------


def probe(interpreter: Path) -> dict[str, object] | str:
    """What ``interpreter`` reports, or why it could not be asked."""
    try:
        result = subprocess.run(
            [str(interpreter), "-c", PROBE], capture_output=True, text=True, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"cannot run it ({type(error).__name__})"
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        return f"it fails to start ({last[:200]})"
    try:
        return dict(json.loads(lines[-1]))
    except ValueError:
        return "it answered something unexpected"


def probe_check(interpreter: Path, version: str, machine: Machine) -> Check:
    name = "Python packages"
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
    return Check(name, OK, f"{packages} import in {found['prefix']}")


def _probe_problem(
    found: Mapping[str, object], interpreter: Path, version: str, machine: Machine
) -> str | None:
    store = _store_python(str(found.get("executable", "")))
    if store:
        return store
    if found.get("xlwings") is None:
        return (
            f"xlwings is not installed there — {_pip(interpreter, f'install xlwings=={version}')}"
        )
    if found["xlwings"] != version:
        return (
            f"xlwings {found['xlwings']} is installed there, the workbook's VBA is {version} — "
            f"{_pip(interpreter, f'install xlwings=={version}')}"
        )
    user_site = str(found.get("user_site") or "")
    if user_site and str(found.get("xlwings_file", "")).startswith(user_site):
        return (
            f"xlwings was installed with pip --user ({user_site}): its DLL went to "
            f"{found.get('user_base')}, where Excel does not look — install into a virtual "
            "environment instead (see the README)"
        )
    if found.get("xl_contacts") != "ok":
        return (
            f"{UDF_MODULE} does not import there ({found.get('xl_contacts')}) — install "
            f"xl-contacts into it (README: Install): "
            f"{_pip(interpreter, 'install PATH-TO-THE-xl_contacts-WHEEL-OR-CHECKOUT')}"
        )
    if machine.windows and found.get("pywin32") != "ok":
        return (
            f"pywin32 does not import there ({found.get('pywin32')}) — "
            f"{_pip(interpreter, 'install --force-reinstall pywin32')}"
        )
    return None


def check_workbook_setup(workbook: Path, vba_version: str | None) -> list[Check]:
    """``setup_checks`` on this machine."""
    return setup_checks(workbook, vba_version, Machine.this())
