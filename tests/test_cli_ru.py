"""The command line in Russian: which language (--lang before or after the
command, XL_CONTACTS_LANG, the system's), every message and argparse's own
words in it, and the same output, files and exit codes as in English."""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path

import openpyxl
import pytest
from babel.messages.pofile import read_po
from helpers import assert_no_token, cli, run_command
from stand_in import ID_INSTANCE, REFERENCE_CONTACTS, TOKEN, FakeGreenApi

from xl_contacts.base import i18n

PO = i18n.LOCALE_DIR / "ru" / "LC_MESSAGES" / "xl_contacts.po"
RU = {i18n.ENV_LANG: "ru"}
# argparse's own words, as it says them in English.
ARGPARSE_ENGLISH = ("usage:", "options:", "error:", "show this help", "the following arguments")


@functools.cache
def english_phrases() -> frozenset[str]:
    """Every run of three or more English words of the catalog's messages,
    outside `code`, {placeholders} and %(placeholders)s: none of them may be
    left in a Russian run's prose."""
    with PO.open("rb") as f:
        catalog = read_po(f, locale="ru")
    phrases = set()
    for message in catalog:
        for text in [message.id] if isinstance(message.id, str) else message.id:
            text = re.sub(r"`[^`]*`|\{[^}]*\}|%\(\w+\)\w|'[^']*'", "|", text)
            phrases.update(re.findall(r"(?<![\w-])[a-z][\w'-]*(?: [a-z][\w'-]*){2,}", text))
    assert len(phrases) > 200, "the catalog holds the command line's messages"
    return frozenset(phrases)


def assert_russian(text: str, *says: str) -> None:
    for phrase in [*english_phrases(), *ARGPARSE_ENGLISH]:
        assert phrase not in text, f"English left: {phrase!r}\n{text}"
    for words in says:
        assert words in text, f"{words!r} missing:\n{text}"


def test_help_is_russian_with_lang_before_the_command_and_argparse_words_too() -> None:
    result = run_command("--lang", "ru", "--help")
    assert result.returncode == 0, result.stderr
    assert_russian(
        result.stdout,
        "использование: xl-contacts",
        "параметры:",
        "показать эту справку и выйти",
        "показать версию программы и выйти",
        "сохранить отчёт-книгу (.xlsx)",
    )
    # Identifiers stay: commands, options, variables.
    for word in ("contacts", "export", "--lang", "GREENAPI_API_URL", "--demo"):
        assert word in result.stdout


def test_help_of_a_command_is_russian_from_the_environment() -> None:
    result = run_command("export", "--help", env=RU)
    assert result.returncode == 0, result.stderr
    assert_russian(result.stdout, "использование: xl-contacts export", "предыдущий отчёт")
    assert "--since PREVIOUS" in result.stdout and "-o FILE" in result.stdout


def test_english_stays_the_default_and_the_tests_are_pinned_to_it() -> None:
    result = run_command("export", "--help")
    assert "usage: xl-contacts export" in result.stdout and "options:" in result.stdout
    assert not re.search("[а-яё]", result.stdout)


@pytest.mark.parametrize(
    ("argv", "env", "russian"),
    [
        (["contacts", "--lang", "ru", "--help"], {}, True),  # after the command, like -v
        (["--lang=ru", "contacts", "--help"], {}, True),
        (["--lang", "en", "contacts", "--help"], RU, False),  # --lang wins over the variable
        (["contacts", "--help"], {"LANG": "ru_RU.UTF-8"}, True),  # the system's language
        (["contacts", "--help"], {"LANG": "ru_RU.UTF-8", i18n.ENV_LANG: "en"}, False),
        (["contacts", "--help"], {"LANG": "de_DE.UTF-8"}, False),  # one we do not speak
    ],
)
def test_which_language(argv: list[str], env: dict[str, str], russian: bool) -> None:
    result = run_command(*argv, env=env)
    assert result.returncode == 0, result.stderr
    assert ("использование:" in result.stdout) is russian
    assert ("usage:" in result.stdout) is not russian


def test_an_unknown_language_is_a_one_line_usage_error() -> None:
    result = run_command("--lang", "xx", "contacts", "--demo")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "xl-contacts: error: unknown language 'xx' for --lang — choose one of: en, ru"
    ]
    # en or ru, as the help says: not every spelling a locale has.
    assert run_command("--lang", "ru_RU", "contacts", "--demo").returncode == 2
    assert run_command("--lang", "RU", "contacts", "--demo", "--count", "1").returncode == 0
    in_russian = run_command("contacts", "--lang=", env=RU)
    assert in_russian.returncode == 2 and len(in_russian.stderr.splitlines()) == 1
    assert_russian(in_russian.stderr, "ошибка: неизвестный язык '' для --lang")


def test_argparse_usage_errors_are_russian_and_exit_2() -> None:
    result = run_command("export", "--demo", "--lang", "ru")
    assert result.returncode == 2
    assert_russian(result.stderr, "ошибка: обязательные параметры не указаны: -o/--output")
    result = run_command("contacts", "--demo", "--format", "xml", "--lang", "ru")
    assert result.returncode == 2
    assert_russian(result.stderr, "параметр --format: недопустимый вариант: 'xml'")


def test_contacts_output_is_the_same_in_both_languages(green_api: FakeGreenApi) -> None:
    green_api.answer(REFERENCE_CONTACTS)
    env = green_api.env()
    for output_format in ("csv", "json", "table"):
        english = run_command("contacts", "--count", "5", "--format", output_format, env=env)
        russian = run_command(
            "contacts", "--count", "5", "--format", output_format, "--lang", "ru", env=env
        )
        assert russian.returncode == english.returncode == 0, russian.stderr
        assert russian.stdout == english.stdout, output_format
    assert "fetching up to 5 contacts of instance" in english.stderr
    assert_russian(russian.stderr, "загрузка: не более 5 контактов (инстанс ")
    assert_no_token(russian.stdout, russian.stderr)


def test_an_empty_list_and_several_profiles_say_so_in_russian(green_api: FakeGreenApi) -> None:
    green_api.answer([])
    result = run_command("contacts", "--lang", "ru", "--only", "groups", env=green_api.env())
    assert result.returncode == 0, result.stderr
    assert_russian(
        result.stderr, "загрузка: все группы (инстанс ", "контакты вида groups не найдены"
    )


def test_export_and_export_since_in_russian(green_api: FakeGreenApi, tmp_path: Path) -> None:
    # Once: a permanent answer registered first would answer the second run too.
    green_api.answer(REFERENCE_CONTACTS, once=True)
    env = {**green_api.env(), **RU}
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    result = run_command("export", "-o", str(first), env=env)
    assert result.returncode == 0, result.stderr
    n = len(REFERENCE_CONTACTS)
    assert_russian(result.stdout, f"сохранено в {first}: {n} контакт")
    green_api.answer(REFERENCE_CONTACTS[1:])
    result = run_command("export", "-o", str(second), "--since", str(first), env=env)
    assert result.returncode == 0, result.stderr
    assert_russian(
        result.stdout + result.stderr, f"сохранено в {second}", "по сравнению с first.xlsx:"
    )
    # What a program reads stays: the Contacts sheet and its columns, the Changes
    # table's name; the tabs a person reads are Russian (names.SUMMARY_SHEET).
    book = openpyxl.load_workbook(second)
    assert book.sheetnames == ["Contacts", "Сводка", "Изменения"]
    assert "Changes" in book["Изменения"].tables
    assert next(book["Contacts"].iter_rows(values_only=True))[0] == "chatId"
    # The second list lacks the first contact: the Changes table's one row.
    changes = book["Изменения"]
    assert changes.tables["Changes"].ref == "A4:K5"
    assert changes["B5"].value == REFERENCE_CONTACTS[0]["chatId"]


def test_export_refusals_in_russian(green_api: FakeGreenApi, tmp_path: Path) -> None:
    env = {**green_api.env(), **RU}
    result = run_command("export", "-o", str(tmp_path / "r.xls"), env=env)
    assert result.returncode == 2
    assert_russian(result.stderr, "отчёт должен быть файлом .xlsx, а не 'r.xls'")
    result = run_command(
        "export",
        "-o",
        str(tmp_path / "r.xlsx"),
        "--count",
        "5",
        "--since",
        str(tmp_path / "old.xlsx"),
        env=env,
    )
    assert result.returncode == 2
    assert_russian(
        result.stderr, "--since сравнивает только полные списки: если список обрезан до 5 контактов"
    )
    result = run_command("contacts", "--count", "", env=env)
    assert result.returncode == 2
    assert_russian(result.stderr, "количество не указано")


@pytest.mark.parametrize(
    ("status", "russian"),
    [
        (400, "инстанс не готов или не авторизован (HTTP 400)"),
        (401, "GREEN-API отклонил токен (HTTP 401) — проверьте GREENAPI_API_TOKEN_INSTANCE"),
        (403, "GREEN-API отклонил инстанс (HTTP 403)"),
        (404, "GREEN-API не знает этого адреса (HTTP 404)"),
        (429, "слишком много запросов (HTTP 429)"),
        (466, "месячная квота исчерпана (HTTP 466)"),
        (502, "у GREEN-API неполадки (HTTP 502)"),
    ],
)
def test_api_errors_in_russian_exit_as_in_english(
    green_api_env: FakeGreenApi, capsys: pytest.CaptureFixture[str], status: int, russian: str
) -> None:
    green_api_env.answer(status=status, body="error", headers={"Retry-After": "0"})
    english_code, _, english = cli(capsys, "contacts", "--format", "csv")
    code, out, err = cli(capsys, "contacts", "--format", "csv", "--lang", "ru")
    assert code == english_code == 1 and out == ""
    last = err.strip().splitlines()[-1]
    assert last.startswith("xl-contacts: ошибка: ") and english.strip().splitlines()[-1] != last
    assert_russian(err, russian)


def test_network_errors_in_russian(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GREENAPI_API_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("GREENAPI_ID_INSTANCE", "1")
    monkeypatch.setenv("GREENAPI_API_TOKEN_INSTANCE", TOKEN)
    code, _, err = cli(capsys, "--lang", "ru", "contacts")
    assert code == 1
    assert_russian(err, "не удаётся связаться с GREEN-API по адресу http://127.0.0.1:1")


def test_settings_errors_name_their_source_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "contacts", "--lang", "ru", "--id-instance", "12a")
    assert code == 2
    assert_russian(err, "указанный idInstance (--id-instance) должен состоять только из цифр")
    code, _, err = cli(capsys, "contacts", "--lang", "ru")
    assert code == 2
    assert_russian(err, "нет номера инстанса: задайте в GREENAPI_ID_INSTANCE")


def test_login_without_a_credential_store_and_profiles_in_russian() -> None:
    no_store = {**RU, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    result = run_command("login", "--id-instance", "1101", input=TOKEN + "\n", env=no_store)
    assert result.returncode == 2
    assert_russian(result.stderr, "на этом компьютере нет хранилища учётных данных")
    result = run_command("profiles", env=RU)
    assert result.returncode == 0
    assert_russian(result.stdout, "сохранённых профилей нет")
    result = run_command("logout", env=RU)
    assert result.returncode == 0
    assert_russian(result.stdout, "ничего не было сохранено")


def test_login_and_profiles_in_russian(green_api: FakeGreenApi) -> None:
    green_api.answer_state()
    green_api.answer(REFERENCE_CONTACTS)
    here = Path(__file__).resolve().parent
    env = {
        **RU,
        "PYTHON_KEYRING_BACKEND": "file_keyring.FileKeyring",  # the test keyring, a JSON file
        "PYTHONPATH": f"{here.parent}{os.pathsep}{here}",
    }
    result = run_command(
        "login",
        "--api-url",
        green_api.url,
        "--id-instance",
        ID_INSTANCE,
        "--profile",
        "sales",
        input=TOKEN + "\n",
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert_russian(result.stdout, f"профиль sales сохранён: инстанс {ID_INSTANCE}")
    listing = run_command("profiles", env=env)
    assert listing.returncode == 0
    assert_russian(
        listing.stdout + listing.stderr,
        "профиль",
        "мессенджер",
        "используется, когда профиль не указан",
    )
    assert TOKEN not in listing.stdout


@pytest.mark.parametrize(
    ("count", "russian"),
    [
        ("0", "параметр --count: количество: нужно целое число от 1"),
        ("2.5", "параметр --count: количество: нужно целое число от 1"),
        ("99999999999999999999", "количество: не больше 10\u00a0000\u00a0000"),
    ],
)
def test_count_errors_in_russian(count: str, russian: str) -> None:
    english = run_command("contacts", "--demo", "--count", count)
    result = run_command("contacts", "--demo", "--count", count, "--lang", "ru")
    assert result.returncode == english.returncode == 2
    assert_russian(result.stderr, russian)


def test_the_empty_hint_in_russian(green_api: FakeGreenApi) -> None:
    env = {**green_api.env(), **RU}
    green_api.answer([])
    result = run_command("contacts", env=env)
    assert result.returncode == 0
    assert_russian(result.stderr, "GREEN-API не вернул ни одного контакта")


def test_notes_and_the_kinds_help_in_russian(green_api: FakeGreenApi) -> None:
    env = {**green_api.env(), **RU}
    records = [*REFERENCE_CONTACTS, {"name": "no id"}, {"chatId": "", "name": "empty"}]
    green_api.answer(records)
    result = run_command("contacts", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert_russian(result.stderr, "примечание: пропущены 2 записи без chatId")
    assert len(json.loads(result.stdout)) == len(REFERENCE_CONTACTS)
    # --only's help says what each kind is, in the same language.
    help_text = run_command("contacts", "--help", env=RU).stdout
    assert_russian(help_text, "groups: только групповые чаты")
