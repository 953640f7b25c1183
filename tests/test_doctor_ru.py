"""doctor's report (status, check, detail in columns; the summary line), in
English as it always was and in Russian: every finding of doctor said with no
English sentence of doctor's left, the commands, paths and keys as they are.
Run in-process inside ``i18n.speaking("ru")`` with the stand-in machines of
doctor_machines.py, and on the command line with XL_CONTACTS_LANG=ru."""

from __future__ import annotations

import functools
import re
import stat
import sys
from pathlib import Path

import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from doctor_machines import DLL, HEALTHY, VERSION, fake_python, mac, venv, windows, workbook
from helpers import run_command
from stand_in import ID_INSTANCE, TOKEN, FakeGreenApi

from xl_contacts.base import i18n
from xl_contacts.base.names import ENV_API_TOKEN, ENV_API_URL, ENV_ID_INSTANCE
from xl_contacts.config import credentials
from xl_contacts.config.settings import load_settings
from xl_contacts.usecases.doctor import (
    FAIL,
    OK,
    SKIP,
    Check,
    Machine,
    problems_found,
    report_lines,
    run_checks,
)
from xl_contacts.usecases.doctor.workbook_python import probe
from xl_contacts.usecases.template.build import build_template

DOCTOR_CODE = Path(__file__).resolve().parent.parent / "xl_contacts" / "usecases" / "doctor"


@functools.cache
def english_phrases() -> frozenset[str]:
    """Every run of two or more English words in doctor's messages, outside
    `code`, {placeholders} and 'Quoted' names and Excel's own messages (what
    Excel shows stays as Excel shows it): what a Russian report must not contain."""
    phrases = set()
    for *_, message, _comments, _context in extract_from_dir(
        DOCTOR_CODE, method_map=[("**.py", "python")], keywords={"_": None, "N_": None}
    ):
        text = re.sub(r"`[^`]*`|\{[^}]*\}|'[A-Z{][^']*'", "|", message)
        phrases.update(re.findall(r"(?<![\w-])[a-z][\w'-]*(?: [a-z][\w'-]*)+", text))
    assert len(phrases) > 50, "the extraction found doctor's messages"
    return frozenset(phrases)


def in_russian(book: Path, machine: Machine) -> tuple[list[Check], list[str]]:
    """doctor's checks of ``book`` and its report in Russian, finding what they
    find in English."""
    with i18n.speaking("en"):
        english = run_checks(book, machine)
    with i18n.speaking("ru"):
        russian = run_checks(book, machine)
        lines = report_lines(russian)
    assert [c.status for c in russian] == [c.status for c in english], book
    return russian, lines


# The settings check's detail is the settings' own text or an error's
# (config.settings, base.errors): their translation is tested with them.
SETTINGS_LINE = re.compile(r"\S+ +настройки(, профиль \S+)?  ")


def assert_russian(lines: list[str], *says: str) -> None:
    text = "\n".join(line for line in lines if not SETTINGS_LINE.match(line))
    for phrase in english_phrases():
        assert phrase not in text, f"English left in the Russian report: {phrase!r}\n{text}"
    for words in says:
        assert words in text, f"{words!r} missing:\n{text}"


def test_the_english_report_is_aligned_as_it_always_was() -> None:
    checks = [
        Check("settings", OK, "instance 1101"),
        Check("xlwings.conf sheet", FAIL, "a\nb\x1b[2J"),
        Check("Excel", SKIP, "no desktop Excel"),
    ]
    assert report_lines(checks) == [
        "ok    settings            instance 1101",
        "FAIL  xlwings.conf sheet  a b[2J",
        "skip  Excel               no desktop Excel",
    ]
    assert problems_found(checks) == "1 problem found"
    assert problems_found(checks * 1234) == "1,234 problems found"
    assert problems_found(checks[:1]) is None


@pytest.mark.parametrize(
    ("n", "says"),
    [
        (1, "найдена 1 проблема"),
        (3, "найдено 3 проблемы"),
        (5, "найдено 5 проблем"),
        (21, "найдена 21 проблема"),
        (1234, "найдено 1\u00a0234 проблемы"),
    ],
)
def test_the_summary_in_russian(n: int, says: str) -> None:
    with i18n.speaking("ru"):
        assert problems_found([Check("x", FAIL, "")] * n + [Check("y", OK, "")]) == says


def test_the_russian_report_names_statuses_and_checks_in_russian(tmp_path: Path) -> None:
    russian, lines = in_russian(workbook(tmp_path / "book.xlsm"), windows(tmp_path))
    assert_russian(
        lines,
        "ОШИБКА    интерпретатор  ",
        "ок        лист xlwings.conf  ",
        "пропуск   надстройка xlwings  не установлена",
        "ок        путь к книге  ",
        "укажите на листе xlwings.conf в Interpreter_Win путь",
        "`xl-contacts workbook -o FILE`",  # commands stay as they are typed
    )
    # Three columns, two spaces apart, however long the Russian words are.
    status_width, name_width = len("внимание"), max(len(c.name) for c in russian)
    for line, check in zip(lines, russian, strict=True):
        assert line[status_width : status_width + 2] == "  " and line[status_width + 2] != " "
        name = line[status_width + 2 : status_width + 2 + name_width]
        assert name.rstrip() == check.name, line
        assert line[status_width + 2 + name_width :].startswith("  " + check.detail[:1]), line


def windows_scenarios(tmp: Path) -> dict[str, tuple[Path, Machine, tuple[str, ...]]]:
    """Workbooks and machines that make doctor say each of its Windows sentences."""
    store = tmp / "Иван" / "WindowsApps" / "PythonSoftwareFoundation.Python.3.12_qbz5n2kfra8p0"
    on_path = tmp / "Python311"
    fake_python(on_path / "pythonw.exe")
    (on_path / DLL).write_bytes(b"MZ")
    conda = tmp / "miniconda3" / "envs" / "xl"
    fake_python(conda / "pythonw.exe")
    (conda / "conda-meta").mkdir()
    (conda / DLL).write_bytes(b"MZ")
    old_dll = venv(tmp / "old dll", dll=False)
    (tmp / "old dll" / "xlwings64-0.30.0.dll").write_bytes(b"MZ")
    user_site = tmp / "AppData" / "Roaming" / "Python" / "site-packages"
    pip_user = {
        **HEALTHY,
        "user_site": str(user_site),
        "user_base": str(user_site.parent),
        "xlwings_file": str(user_site / "xlwings" / "__init__.py"),
    }
    store_office = r"C:\Program Files\WindowsApps\Microsoft.Office\EXCEL.EXE"
    odd = fake_python(tmp / "odd" / "pythonw.exe")
    odd.write_text("#!/bin/sh\necho '{not json'\n")
    silent = fake_python(tmp / "silent" / "pythonw.exe")
    silent.write_text("#!/bin/sh\nexit 3\n")
    locked = fake_python(tmp / "locked" / "pythonw.exe")
    locked.chmod(0o644)  # there, but not a program this user may run
    plain = windows(tmp)

    def book(name: str, *conf: tuple[str, object]) -> Path:
        return workbook(tmp / f"{name}.xlsm", *conf)

    def interpreter(name: str, python: Path) -> Path:
        return book(name, ("Interpreter_Win", str(python)))

    return {
        "store python": (
            interpreter("store", fake_python(store / "pythonw.exe")),
            plain,
            (
                "Python из Microsoft Store",
                "кодовой странице ANSI Windows (cp1252)",
                "C:\\xl-contacts",
            ),
        ),
        "python on PATH": (
            book("path"),
            windows(tmp, env={"USERPROFILE": str(tmp), "PATH": str(on_path)}),
            ("только пока PATH не изменится",),
        ),
        "gone": (interpreter("gone", tmp / "gone.exe"), plain, ("«Could not find Interpreter!»",)),
        "conda": (interpreter("conda", conda / "pythonw.exe"), plain, ("окружение conda",)),
        "old dll": (
            interpreter("old", old_dll),
            plain,
            ("вместо него найдены xlwings64-0.30.0.dll", "(в PowerShell поставьте & в начале)"),
        ),
        "no dll32": (
            interpreter("dll32", fake_python(on_path / "python.exe")),
            plain,
            ("xlwings32 для 32-разрядного Office отсутствует",),
        ),
        "pip --user": (
            interpreter("user", venv(tmp / "user", pip_user)),
            plain,
            ("установлен через pip --user",),
        ),
        "old xlwings": (
            interpreter("oldx", venv(tmp / "oldx", {**HEALTHY, "xlwings": "0.30.0"})),
            plain,
            (f"xlwings 0.30.0, а VBA книги рассчитан на {VERSION} — выполните ",),
        ),
        "no xl-contacts": (
            interpreter("nox", venv(tmp / "nox", {**HEALTHY, "xl_contacts": "ImportError: x"})),
            plain,
            ("xl_contacts.udfs там не импортируется (ImportError: x)", "PATH-TO-THE-xl_contacts"),
        ),
        "no pywin32": (
            interpreter("now", venv(tmp / "now", {**HEALTHY, "pywin32": "ImportError: y"})),
            plain,
            ("pywin32 там не импортируется (ImportError: y)", "--force-reinstall pywin32"),
        ),
        "no start": (
            interpreter("nostart", fake_python(tmp / "ns" / "pythonw.exe", fails="boom")),
            plain,
            ("он не запускается (boom)",),
        ),
        "odd answer": (interpreter("odd", odd), plain, ("он ответил что-то неожиданное",)),
        "no output": (
            interpreter("silent", silent),
            plain,
            ("он не запускается (ничего не вывел)",),
        ),
        "cannot run": (interpreter("locked", locked), plain, ("не удаётся его запустить",)),
        "store office": (book("office"), windows(tmp, excel_path=store_office), ("office.com",)),
        "no office": (book("nooffice"), windows(tmp, excel_path=None), ("не найден в реестре",)),
        "twice": (
            book("twice", ("udf modules", "x")),
            plain,
            ("встречается дважды", "ошибкой 457"),
        ),
        "below a blank row": (
            build_template(
                tmp / "blank.xlsm",
                conf=(("UDF Modules", "xl_contacts.udfs"), ("", ""), ("Interpreter_Win", "x")),
            ),
            plain,
            ("ниже пустой строки",),
        ),
        "no udf server": (
            build_template(
                tmp / "server.xlsm",
                conf=(("UDF Modules", "xl_contacts.udfs"), ("Use UDF Server", False)),
            ),
            plain,
            ("«Use UDF Server» не равно TRUE",),
        ),
        "other module": (
            build_template(tmp / "other.xlsm", conf=(("UDF Modules", "other"),)),
            plain,
            ("должен быть указан xl_contacts.udfs",),
        ),
    }


def test_every_windows_finding_in_russian(tmp_path: Path) -> None:
    for book, machine, says in windows_scenarios(tmp_path).values():
        assert_russian(in_russian(book, machine)[1], *says)


def test_mac_and_workbook_findings_in_russian(tmp_path: Path) -> None:
    spaced = fake_python(tmp_path / "My Envs" / "bin" / "python", HEALTHY)
    healthy = fake_python(tmp_path / "venv" / "bin" / "python", HEALTHY)
    plain = tmp_path / "plain.xlsx"
    openpyxl.Workbook().save(plain)
    broken = tmp_path / "broken.xlsm"
    broken.write_bytes(b"not a zip")
    no_functions = "в Excel для macOS нет функций xlwings"
    scenarios = [
        (
            workbook(tmp_path / "bare.xlsm"),
            mac(tmp_path / "a", runpython=False),
            ("один раз выполните `xlwings runpython install`", "Interpreter_Mac не задан"),
        ),
        (
            workbook(tmp_path / "spaced.xlsm", ("Interpreter_Mac", str(spaced))),
            mac(tmp_path / "b"),
            ("без кавычек", no_functions),
        ),
        (
            workbook(tmp_path / "healthy.xlsm", ("Interpreter_Mac", str(healthy))),
            mac(tmp_path / "c"),
            (f"импортируются в {healthy.parent}", no_functions),
        ),
        (
            workbook(tmp_path / "nowhere.xlsm", ("Interpreter_Mac", "/nowhere/python")),
            mac(tmp_path / "d"),
            ("/nowhere/python (лист xlwings.conf) не существует",),
        ),
        (
            workbook(tmp_path / "unix.xlsm", ("Interpreter_Win", "/home/me/venv/bin/python")),
            mac(tmp_path / "h"),
            ("путь на этом компьютере, а не в Windows",),
        ),
        (plain, mac(tmp_path / "e"), ("файл .xlsx, в нём не бывает макросов",)),
        (broken, mac(tmp_path / "f"), ("не читается как книга Excel",)),
        (tmp_path / "gone.xlsm", mac(tmp_path / "g"), ("gone.xlsm не существует",)),
        (
            workbook(tmp_path / "linux.xlsm"),
            Machine(platform="linux", env={}, home=tmp_path, python=sys.executable),
            ("выполните doctor там, где работает Excel",),
        ),
    ]
    for book, machine, says in scenarios:
        assert_russian(in_russian(book, machine)[1], *says)


def test_named_profiles_and_no_workbook_in_russian() -> None:
    with i18n.speaking("ru"):
        lines = report_lines(run_checks(profiles=["sales", "support"]))
        nothing_stored = report_lines(run_checks(profiles=[]))
    assert_russian(
        lines,
        "GREEN-API, профиль sales",
        "getContacts, профиль support  нужны рабочие настройки (см. выше)",
        "укажите --workbook FILE, чтобы проверить VBA книги",
    )
    assert any(line.startswith("ОШИБКА    настройки  ") for line in nothing_stored)


@pytest.mark.parametrize(
    ("state", "contacts", "says"),
    [
        ("authorized", [], "отвечает, но контактов пока нет"),
        ("authorized", [{"id": "1@c.us", "name": "A", "type": "user"}], "доступен по адресу"),
        ("notAuthorized", [], "инстанс в состоянии 'notAuthorized', а не 'authorized'"),
    ],
)
def test_the_api_checks_in_russian(
    green_api_env: FakeGreenApi, state: str, contacts: list[dict[str, str]], says: str
) -> None:
    green_api_env.answer_state(state)
    green_api_env.answer(contacts)
    with i18n.speaking("ru"):
        lines = report_lines(run_checks())
    assert_russian(lines, says)


def test_the_probe_runs_in_a_python_without_xl_contacts(tmp_path: Path) -> None:
    """The probe is plain Python (it runs in the workbook's interpreter, maybe
    without this package): a real Python that has neither xlwings nor
    xl-contacts answers it, and doctor says what it found in Russian."""
    bare = tmp_path / "bare" / "Scripts" / "python.exe"
    bare.parent.mkdir(parents=True)
    bare.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "$@"\n')
    bare.chmod(bare.stat().st_mode | stat.S_IEXEC)
    (tmp_path / "bare" / DLL).write_bytes(b"MZ")
    answer = probe(bare)
    assert isinstance(answer, dict) and answer["xlwings"] is None
    assert str(answer["xl_contacts"]).startswith("ModuleNotFoundError")
    book = workbook(tmp_path / "book.xlsm", ("Interpreter_Win", str(bare)))
    with i18n.speaking("ru"):
        found = [c for c in run_checks(book, windows(tmp_path)) if c.name == "пакеты Python"]
        lines = report_lines(found)
    assert [c.status for c in found] == [FAIL]
    assert_russian(lines, f"xlwings там не установлен — выполните {bare} -m pip install xlwings")


def test_doctor_in_russian_on_the_command_line(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer_state("notAuthorized")
    green_api_env.answer([])
    result = run_command("doctor", env={i18n.ENV_LANG: "ru", "LANG": "C"})
    assert result.returncode == 1, result.stderr
    assert_russian(result.stdout.splitlines(), "ОШИБКА    GREEN-API", "ок        xlwings  ")
    assert "найдена 1 проблема" in result.stderr and "problem" not in result.stderr


def test_variables_a_named_profile_does_not_use_are_named(green_api_env: FakeGreenApi) -> None:
    green_api_env.answer_state()
    green_api_env.answer([])
    credentials.save(green_api_env.url, ID_INSTANCE, TOKEN, profile="sales")
    variables = f"{ENV_API_URL}, {ENV_ID_INSTANCE}, {ENV_API_TOKEN}"
    with i18n.speaking("en"):
        english = run_checks(profiles=["sales"])[0]
    with i18n.speaking("ru"):
        russian = run_checks(profiles=["sales"])[0]
    assert english.status == russian.status == OK
    assert english.detail.endswith(f"; {variables} in the environment not used for a named profile")
    assert russian.detail.endswith(
        f"; переменные окружения {variables} не используются, когда профиль указан по имени"
    )
    assert run_checks(profiles=[None])[0].detail == (load_settings().describe()), (
        "without a profile named, the variables are the ones used"
    )
