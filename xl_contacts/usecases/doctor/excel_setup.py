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

import os
from collections.abc import Mapping
from pathlib import Path

from ...base.i18n import N_, _
from ...base.names import CONF_SHEET
from .check import FAIL, OK, SKIP, WARN, Check
from .machine import Machine
from .workbook_python import UDF_MODULE, pip_fix, probe_check, store_python
from .xlwings_conf import SHEET, XlwingsConf, expand_windows, read_conf

BARE = ("python", "pythonw")
CONDA = "Conda Path / Conda Env"  # xlwings.conf keys: where an interpreter came from
# Check names a person reads (Interpreter_Win, xlwings DLL, Office, RunPython are
# names of things, the same in every language).
INTERPRETER, WORKBOOK_PATH = N_("interpreter"), N_("workbook path")


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
                _(
                    "{path} ({source}) is a path of this computer, not of Windows: Excel for "
                    "Windows cannot start it — delete the row, and on the Windows computer run "
                    "`xl-contacts workbook -o FILE` (it writes that Python)"
                ).format(path=win.value.strip(), source=win.source),
            )
        )
    if machine.windows:
        checks += windows_checks(workbook, conf, version, machine)
    elif machine.platform == "darwin":
        checks += mac_checks(conf, version, machine)
    else:
        reason = _("no desktop Excel on this OS: run doctor where Excel runs")
        checks.append(Check(_(INTERPRETER), SKIP, reason))
    return checks


def sheet_check(conf: XlwingsConf) -> Check:
    name = _(SHEET).format(sheet=CONF_SHEET)
    if not conf.has_sheet:
        return Check(
            name,
            FAIL,
            _(
                "missing: Excel will not load {module} — make a new copy with "
                "`xl-contacts workbook -o FILE`"
            ).format(module=UDF_MODULE),
        )
    if conf.duplicates:
        return Check(
            name,
            FAIL,
            _(
                "the key {key} is there twice: every button and function "
                "stops with error 457 — delete one of the rows"
            ).format(key=repr(conf.duplicates[0])),
        )
    modules = [m.strip() for m in conf.text("UDF MODULES").split(";")]
    if UDF_MODULE not in modules:
        detail = _("'UDF Modules' must name {module} — set it in column B next to it")
        return Check(name, FAIL, detail.format(module=UDF_MODULE))
    if conf.unseen:
        return Check(
            name,
            WARN,
            _(
                "{keys} below an empty row: xlwings reads only down to the first empty cell "
                "in column A — remove the empty row"
            ).format(keys=", ".join(repr(k) for k in conf.unseen)),
        )
    if conf.text("USE UDF SERVER").strip().lower() != "true":
        return Check(
            name,
            WARN,
            _(
                "'Use UDF Server' is not TRUE: each button starts a new Python (slow) and "
                "cannot empty =GETCONTACTS' cache — set it to TRUE"
            ),
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
    source = setting.source if setting and setting.value.strip() else _("xlwings' default")
    conda_path, conda_env = conf.text("CONDA PATH").strip(), conf.text("CONDA ENV").strip()
    if value in BARE and conda_path and conda_env:
        if conda_env == "base":
            value = f"{conda_path}\\{value}"
        elif "\\" in conda_env:
            value = f"{conda_env}\\{value}"
        else:
            value = f"{conda_path}\\envs\\{conda_env}\\{value}"
        source = CONDA
    return expand_windows(value, env).replace("\\", os.sep), source


def _suggested(machine: Machine) -> str:
    """The Interpreter_Win value for the Python running doctor."""
    python = Path(machine.python)
    pythonw = python.with_name("pythonw.exe")
    return str(pythonw if machine.windows else python)


def _bare_interpreter(name: str, version: str, machine: Machine) -> Check:
    dll = f"xlwings64-{version}.dll"
    fix = _(
        "set Interpreter_Win on the {sheet} sheet to {python} "
        "(or make a personal copy: `xl-contacts workbook -o FILE`)"
    ).format(sheet=CONF_SHEET, python=_suggested(machine))
    for folder in machine.env.get("PATH", "").split(os.pathsep):
        if folder and (Path(folder) / f"{name}.exe").is_file():
            if (Path(folder) / dll).is_file():
                return Check(
                    _(INTERPRETER),
                    WARN,
                    _(
                        "no Interpreter_Win: Excel uses {name} and {dll} from PATH ({folder}), "
                        "which works only while PATH stays so — {fix}"
                    ).format(name=name, dll=dll, folder=folder, fix=fix),
                )
            break
    return Check(
        _(INTERPRETER),
        FAIL,
        _(
            "no Interpreter_Win: Excel looks for {name}.exe and {dll} on PATH and finds them "
            "not (a virtual environment or the python.org installer's default is not on PATH) "
            "— {fix}"
        ).format(name=name, dll=dll, fix=fix),
    )


def _interpreter_checks(path: Path, source: str, machine: Machine) -> list[Check]:
    """One line per problem of the interpreter, each with its fix (a Store Python
    in a Cyrillic user folder has two: fixing one must not lead into the other)."""
    where = f"{path} ({source})"
    problems = [p for p in (store_python(str(path)), _not_ansi(str(path), machine)) if p]
    if not path.is_file():
        problems.append(
            _(
                "does not exist (Excel says 'Could not find Interpreter!') — set "
                "Interpreter_Win to {python}"
            ).format(python=_suggested(machine))
        )
    if problems:
        return [Check(_(INTERPRETER), FAIL, f"{where}: {p}") for p in problems]
    if (path.parent / "conda-meta").is_dir() and source != CONDA:
        return [
            Check(
                _(INTERPRETER),
                WARN,
                _(
                    "{where} is a conda environment started without activation (its DLLs may "
                    "not load) — instead set 'Conda Path' to the conda folder and 'Conda Env' "
                    "to {env}, and Interpreter_Win to pythonw"
                ).format(where=where, env=path.parent.name),
            )
        ]
    return [Check(_(INTERPRETER), OK, where)]


def dll_check(interpreter: Path, version: str) -> Check:
    """XLPyLoadDLL: the DLL beside the interpreter, or one folder up (a venv's root)."""
    name = f"xlwings64-{version}.dll"
    folders = [interpreter.parent, interpreter.parent.parent]
    for folder in folders:
        if (folder / name).is_file():
            if (folder / f"xlwings32-{version}.dll").is_file():
                return Check("xlwings DLL", OK, str(folder / name))
            detail = _("{dll} (xlwings32 for 32-bit Office is missing)")
            return Check("xlwings DLL", OK, detail.format(dll=folder / name))
    other = sorted(p.name for f in folders if f.is_dir() for p in f.glob("xlwings64-*.dll"))
    if other:
        missing = _(
            "{name} is in neither {first} nor {second}; found {others} instead "
            "(Excel: 'Could not load {name}') — {fix}"
        )
    else:
        missing = _(
            "{name} is in neither {first} nor {second} (Excel: 'Could not load {name}') — {fix}"
        )
    fix = pip_fix(interpreter, f"install --force-reinstall xlwings=={version}")
    return Check(
        "xlwings DLL",
        FAIL,
        missing.format(
            name=name, first=folders[0], second=folders[1], others=", ".join(other), fix=fix
        ),
    )


def _not_ansi(text: str, machine: Machine) -> str | None:
    code_page = machine.ansi_code_page or "ascii"
    try:
        text.encode(code_page)
    except (UnicodeEncodeError, LookupError):
        return _(
            "contains characters Windows' ANSI code page ({code_page}) cannot hold, and "
            "xlwings hands this path to Windows through it — use a folder with Latin "
            "letters only, e.g. {folder}"
        ).format(code_page=code_page, folder="C:\\xl-contacts")
    return None


def _workbook_path_check(workbook: Path, machine: Machine) -> Check:
    unsafe = _not_ansi(str(workbook.resolve()), machine)
    if unsafe:
        return Check(_(WORKBOOK_PATH), FAIL, f"{workbook}: {unsafe}")
    return Check(_(WORKBOOK_PATH), OK, str(workbook.resolve()))


def _office_check(machine: Machine) -> Check:
    path = machine.excel_path
    if path and "\\windowsapps\\" in path.lower():
        return Check(
            "Office",
            WARN,
            _(
                "{path} is Office from the Microsoft Store: it runs sandboxed and often cannot "
                "start Python — install Office from office.com if functions show errors"
            ).format(path=path),
        )
    if path:
        return Check("Office", OK, path)
    return Check("Office", SKIP, _("excel.exe not found in the registry"))


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
                _(INTERPRETER),
                FAIL,
                _(
                    "no Interpreter_Mac: Excel runs '{value}', which macOS does not have — set "
                    "Interpreter_Mac on the {sheet} sheet to {python}"
                ).format(value=value, sheet=CONF_SHEET, python=machine.python),
            )
        )
        return checks
    path = Path(value.replace("$HOME", str(machine.home)))
    where = f"{path} ({setting.source if setting else ''})"
    if not path.is_file():
        checks.append(Check(_(INTERPRETER), FAIL, _("{path} does not exist").format(path=where)))
    elif " " in str(path):
        checks.append(
            Check(
                _(INTERPRETER),
                FAIL,
                _(
                    "{where}: xlwings' AppleScript runs the interpreter unquoted, so a path "
                    "with spaces breaks — make the virtual environment in a folder without spaces"
                ).format(where=where),
            )
        )
    else:
        checks += [Check(_(INTERPRETER), OK, where), probe_check(path, version, machine)]
    checks.append(
        Check(
            "=GETCONTACTS",
            SKIP,
            _(
                "macOS Excel has no xlwings functions: the Start sheet shows a note; "
                "the ribbon works"
            ),
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
        _(
            "{script} is missing, so the ribbon cannot start Python — run "
            "`xlwings runpython install` once"
        ).format(script=script),
    )
