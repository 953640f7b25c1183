"""doctor --workbook: will Excel find Python, the xlwings DLL and the packages?

The Windows and macOS logic runs here with stand-in machines (doctor_machines.py).
doctor's report and its Russian: test_doctor_ru.py.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from doctor_machines import DLL, HEALTHY, VERSION, fake_python, mac, venv, windows, workbook

from xl_contacts.usecases.doctor import FAIL, OK, SKIP, WARN, Check, Machine, run_checks
from xl_contacts.usecases.doctor.excel_setup import windows_interpreter
from xl_contacts.usecases.doctor.workbook_python import probe
from xl_contacts.usecases.doctor.xlwings_conf import expand_windows, read_conf
from xl_contacts.usecases.template.build import build_template


def checks_of(book: Path, machine: Machine) -> dict[str, Check]:
    found = {c.name: c for c in run_checks(book, machine)}
    assert found["workbook"].status == OK  # the VBA version check runs first
    return found


def test_the_repo_template_on_windows_says_what_it_needs(tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsm")
    check = checks_of(book, windows(tmp_path))["interpreter"]
    assert check.status == FAIL
    assert "no Interpreter_Win" in check.detail and DLL in check.detail
    assert str(tmp_path / "mine" / "Scripts" / "pythonw.exe") in check.detail
    assert "xl-contacts workbook -o FILE" in check.detail


def test_python_on_path_with_the_dll_works_but_warns(tmp_path: Path) -> None:
    folder = tmp_path / "Python311"
    fake_python(folder / "pythonw.exe")
    (folder / DLL).write_bytes(b"MZ")
    machine = windows(tmp_path, env={"USERPROFILE": str(tmp_path), "PATH": str(folder)})
    check = checks_of(workbook(tmp_path / "book.xlsm"), machine)["interpreter"]
    assert check.status == WARN and "only while PATH stays so" in check.detail


def test_a_virtual_environment_is_found_one_folder_up(tmp_path: Path) -> None:
    pythonw = venv(tmp_path / "venv")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    found = checks_of(book, windows(tmp_path))
    assert found["interpreter"].status == OK and "xlwings.conf sheet" in found["interpreter"].detail
    assert found["xlwings DLL"] == Check("xlwings DLL", OK, str(tmp_path / "venv" / DLL))
    assert found["Python packages"].status == OK and "pywin32" in found["Python packages"].detail
    assert found["Office"].status == OK
    assert not [c for c in found.values() if c.status == FAIL and c.name != "settings"]


def test_a_python_org_install_has_the_dll_beside_python(tmp_path: Path) -> None:
    pythonw = fake_python(tmp_path / "Python311" / "pythonw.exe")
    (tmp_path / "Python311" / DLL).write_bytes(b"MZ")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    dll = checks_of(book, windows(tmp_path))["xlwings DLL"]
    assert dll.status == OK and "xlwings32 for 32-bit Office is missing" in dll.detail


def test_a_missing_dll_names_both_folders_and_the_reinstall(tmp_path: Path) -> None:
    pythonw = venv(tmp_path / "venv", dll=False)
    (tmp_path / "venv" / "xlwings64-0.30.0.dll").write_bytes(b"MZ")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    dll = checks_of(book, windows(tmp_path))["xlwings DLL"]
    assert dll.status == FAIL
    assert str(tmp_path / "venv" / "Scripts") in dll.detail and str(tmp_path / "venv") in dll.detail
    assert "found xlwings64-0.30.0.dll instead" in dll.detail
    python = tmp_path / "venv" / "Scripts" / "python.exe"
    assert f"{python} -m pip install --force-reinstall xlwings=={VERSION}" in dll.detail


def test_an_interpreter_that_is_not_there(tmp_path: Path) -> None:
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(tmp_path / "gone.exe")))
    check = checks_of(book, windows(tmp_path))["interpreter"]
    assert check.status == FAIL and "Could not find Interpreter!" in check.detail


def test_microsoft_store_python_is_refused(tmp_path: Path) -> None:
    store = tmp_path / "WindowsApps" / "PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0"
    pythonw = fake_python(store / "pythonw.exe")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    check = checks_of(book, windows(tmp_path))["interpreter"]
    assert check.status == FAIL and "Microsoft Store Python" in check.detail
    assert "python.org" in check.detail


def test_a_store_python_in_a_cyrillic_user_folder_gets_both_fixes(tmp_path: Path) -> None:
    """Fixing only the Store problem (a venv in the same user folder) would lead
    straight into the code page one: doctor names both, each with its fix."""
    apps = tmp_path / "Иван" / "AppData" / "Local" / "Microsoft" / "WindowsApps"
    store = apps / "PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0"
    pythonw = fake_python(store / "pythonw.exe")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    checks = run_checks(book, windows(tmp_path))
    found = [c for c in checks if c.name == "interpreter"]
    assert [c.status for c in found] == [FAIL, FAIL]
    first, second = (c.detail for c in found)
    assert "Microsoft Store Python" in first and "C:\\xl-contacts\\venv" in first
    assert "ANSI code page (cp1252)" in second and "Latin letters only" in second
    assert "Python packages" not in {c.name for c in checks}, "Excel cannot start it: not asked"


@pytest.mark.parametrize(("code_page", "status"), [("cp1252", FAIL), ("cp1251", OK)])
def test_a_cyrillic_user_name_depends_on_the_ansi_code_page(
    tmp_path: Path, code_page: str, status: str
) -> None:
    home = tmp_path / "Иван"
    pythonw = venv(home / "venv")
    book = workbook(home / "Контакты.xlsm", ("Interpreter_Win", str(pythonw)))
    found = checks_of(book, windows(tmp_path, ansi_code_page=code_page))
    assert found["interpreter"].status == status
    assert found["workbook path"].status == status
    if status == FAIL:
        assert "ANSI code page (cp1252)" in found["interpreter"].detail
        assert "C:\\xl-contacts" in found["interpreter"].detail


def test_conda_settings_resolve_like_xlwings(tmp_path: Path) -> None:
    conda = tmp_path / "miniconda3"
    fake_python(conda / "envs" / "xl" / "pythonw.exe")
    (conda / "envs" / "xl" / DLL).write_bytes(b"MZ")
    book = workbook(tmp_path / "book.xlsm", ("Conda Path", str(conda)), ("Conda Env", "xl"))
    found = checks_of(book, windows(tmp_path))
    assert found["interpreter"] == Check(
        "interpreter", OK, f"{conda / 'envs' / 'xl' / 'pythonw.exe'} (Conda Path / Conda Env)"
    )
    assert found["xlwings DLL"].status == OK
    conf = read_conf(book, None)
    conf.sheet["CONDA ENV"] = "base"
    assert windows_interpreter(conf, {})[0] == str(conda / "pythonw")
    conf.sheet["CONDA ENV"] = "D:\\envs\\xl"
    assert windows_interpreter(conf, {})[0].replace("\\", "/") == "D:/envs/xl/pythonw"


def test_a_conda_env_without_its_settings_warns(tmp_path: Path) -> None:
    env = tmp_path / "miniconda3" / "envs" / "xl"
    pythonw = fake_python(env / "pythonw.exe")
    (env / "conda-meta").mkdir()
    (env / DLL).write_bytes(b"MZ")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    check = checks_of(book, windows(tmp_path))["interpreter"]
    assert check.status == WARN and "'Conda Env' to xl" in check.detail


def test_an_interpreter_from_the_users_xlwings_conf_with_variables(tmp_path: Path) -> None:
    pythonw = venv(tmp_path / "venvs" / "xl")
    user_conf = tmp_path / "profile" / ".xlwings" / "xlwings.conf"
    user_conf.parent.mkdir(parents=True)
    user_conf.write_text('"INTERPRETER_WIN","%VENVS%\\xl\\Scripts\\pythonw.exe"\n')
    machine = windows(
        tmp_path, env={"USERPROFILE": str(tmp_path / "profile"), "Venvs": str(tmp_path / "venvs")}
    )
    check = checks_of(workbook(tmp_path / "book.xlsm"), machine)["interpreter"]
    assert check == Check("interpreter", OK, f"{pythonw} ({user_conf})")


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ({**HEALTHY, "pywin32": "ModuleNotFoundError: No module named 'pywintypes'"}, "pywin32"),
        (
            {**HEALTHY, "xl_contacts": "ModuleNotFoundError: No module named 'xl_contacts'"},
            "xl_contacts.udfs does not import there",
        ),
        ({**HEALTHY, "xlwings": "0.30.0"}, "xlwings 0.30.0 is installed there"),
        ({"xl_contacts": "ok", "pywin32": "ok", "xlwings": None}, "xlwings is not installed"),
    ],
)
def test_what_the_workbooks_python_lacks(tmp_path: Path, answer: dict[str, Any], says: str) -> None:
    pythonw = venv(tmp_path / "venv", answer)
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    check = checks_of(book, windows(tmp_path))["Python packages"]
    assert check.status == FAIL and says in check.detail
    assert "-m pip install" in check.detail


def test_pip_user_installs_are_found(tmp_path: Path) -> None:
    user_site = tmp_path / "AppData" / "Roaming" / "Python" / "Python311" / "site-packages"
    answer = {
        **HEALTHY,
        "user_site": str(user_site),
        "user_base": str(user_site.parent.parent),
        "xlwings_file": str(user_site / "xlwings" / "__init__.py"),
    }
    pythonw = venv(tmp_path / "venv", answer)
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    check = checks_of(book, windows(tmp_path))["Python packages"]
    assert check.status == FAIL and "pip --user" in check.detail


def test_an_interpreter_that_cannot_start(tmp_path: Path) -> None:
    pythonw = fake_python(tmp_path / "Python311" / "pythonw.exe", fails="DLL load failed")
    (tmp_path / "Python311" / DLL).write_bytes(b"MZ")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(pythonw)))
    check = checks_of(book, windows(tmp_path))["Python packages"]
    assert check.status == FAIL and "fails to start (DLL load failed)" in check.detail


def test_office_from_the_microsoft_store_warns(tmp_path: Path) -> None:
    store = r"C:\Program Files\WindowsApps\Microsoft.Office.Desktop.Excel_16.0\Office16\EXCEL.EXE"
    found = checks_of(workbook(tmp_path / "book.xlsm"), windows(tmp_path, excel_path=store))
    assert found["Office"].status == WARN and "office.com" in found["Office"].detail


# --- the xlwings.conf sheet, read as xlwings' VBA reads it -------------------------------


@pytest.mark.parametrize(
    ("conf", "status", "says"),
    [
        ((("UDF Modules", "other"),), FAIL, "'UDF Modules' must name xl_contacts.udfs"),
        ((("udf modules", "x"), ("UDF Modules", "xl_contacts.udfs")), FAIL, "error 457"),
        (
            (("UDF Modules", "xl_contacts.udfs"), ("", ""), ("Interpreter_Win", "x")),
            WARN,
            "'Interpreter_Win' below an empty row",
        ),
        ((("UDF Modules", "xl_contacts.udfs"), ("Use UDF Server", False)), WARN, "not TRUE"),
        ((("UDF Modules", "a; xl_contacts.udfs"), ("Use UDF Server", True)), OK, "Use UDF"),
    ],
)
def test_the_xlwings_conf_sheet(
    tmp_path: Path, conf: tuple[tuple[str, object], ...], status: str, says: str
) -> None:
    book = build_template(tmp_path / "book.xlsm", conf=conf)
    check = checks_of(book, windows(tmp_path))["xlwings.conf sheet"]
    assert check.status == status and says in check.detail


def test_a_workbook_without_the_conf_sheet(tmp_path: Path) -> None:
    book = workbook(tmp_path / "plain.xlsm")
    edited = openpyxl.load_workbook(book, keep_vba=True)
    del edited["xlwings.conf"]
    edited.save(book)
    found = {c.name: c for c in run_checks(book, windows(tmp_path))}
    assert found["xlwings.conf sheet"].status == FAIL
    assert "xl-contacts workbook -o FILE" in found["xlwings.conf sheet"].detail


def test_a_file_without_macros_is_named_for_what_it_is(tmp_path: Path) -> None:
    book = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(book)
    found = {c.name: c for c in run_checks(book, windows(tmp_path))}
    assert found["workbook"].status == FAIL
    assert "is a .xlsx file, which holds no macros" in found["workbook"].detail
    assert "xlwings.conf sheet" not in found, "a file without macros has no settings to check"


def test_windows_variables_expand_like_expandenvironmentstrings() -> None:
    env = {"LocalAppData": r"C:\Users\me\AppData\Local"}
    assert expand_windows(r"%LOCALAPPDATA%\xl\pythonw.exe", env) == (
        r"C:\Users\me\AppData\Local\xl\pythonw.exe"
    )
    assert expand_windows("%NOPE%\\x", env) == "%NOPE%\\x"


# --- macOS and elsewhere ------------------------------------------------------------------


def test_mac_without_interpreter_and_runpython(tmp_path: Path) -> None:
    found = checks_of(workbook(tmp_path / "book.xlsm"), mac(tmp_path, runpython=False))
    assert found["RunPython"].status == FAIL
    assert "`xlwings runpython install`" in found["RunPython"].detail
    assert found["interpreter"].status == FAIL
    assert "Interpreter_Mac" in found["interpreter"].detail and "/opt/venv/bin/python" in (
        found["interpreter"].detail
    )


def test_mac_interpreter_with_a_space_breaks_the_applescript(tmp_path: Path) -> None:
    python = fake_python(tmp_path / "My Envs" / "xl" / "bin" / "python", HEALTHY)
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Mac", str(python)))
    check = checks_of(book, mac(tmp_path))["interpreter"]
    assert check.status == FAIL and "unquoted" in check.detail


def test_mac_healthy(tmp_path: Path) -> None:
    python = fake_python(tmp_path / "venv" / "bin" / "python", HEALTHY)
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Mac", str(python)))
    found = checks_of(book, mac(tmp_path))
    assert [found[n].status for n in ("RunPython", "interpreter", "Python packages")] == [OK] * 3
    assert found["=GETCONTACTS"].status == SKIP and "note" in found["=GETCONTACTS"].detail


def test_elsewhere_the_interpreter_checks_are_skipped(tmp_path: Path) -> None:
    machine = Machine(platform="linux", env={}, home=tmp_path, python=sys.executable)
    found = checks_of(workbook(tmp_path / "book.xlsm"), machine)
    assert found["interpreter"].status == SKIP and found["xlwings.conf sheet"].status == OK


def test_the_probe_asks_a_real_interpreter() -> None:
    answer = probe(Path(sys.executable))
    assert isinstance(answer, dict)
    assert answer["xlwings"] == VERSION and answer["xl_contacts"] == "ok"
    assert answer["prefix"] == sys.prefix
