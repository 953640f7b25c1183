"""The report in Russian: every word a person reads on the Summary and Changes
sheets, in the print header and footer and in the document properties is
Russian, the identifiers programs read are not -- and a report of either
language is the other's ``--since`` and is replaced by ``export`` like one of
its own. Every file is read back with openpyxl."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from flavours import SALES_ID, SUPPORT_ID, run, sales_and_support
from stand_in import ID_INSTANCE, FakeGreenApi
from test_changes import NEW, OLD

from xl_contacts.base.bounds import MAX_EXTRA_COLUMNS
from xl_contacts.base.i18n import ENV_LANG, speaking
from xl_contacts.cli import main
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.table import COLUMNS
from xl_contacts.sinks.xlsx_report import write_report

# Every English text of the Summary and Changes sheets' own (not the contacts'
# values): none may be left in a Russian report.
ENGLISH_LABELS = [
    "xl-contacts report",
    "Instance id",
    "Kind",
    "Fetched at (UTC)",
    "Source",
    "Contacts",
    "Hidden phone numbers (personal contacts)",
    "Values cut to the cell limit (32,767)",
    "Fields left out",
    "Program",
    "Skipped records (no chat id)",
    "Contacts by type",
    "Type",
    "Share",
    "Phone numbers by country",
    "Country",
    "other countries",
    "unknown",
    "Compared with",
    "Previous fetch (UTC)",
    "Added",
    "Removed",
    "Changed",
    "change",
    "what changed",
    "added",
    "removed",
    "changed",
    "new contact",
    "no longer in the list",
    *(f"{column} {when}" for column in COLUMNS[1:] for when in ("before", "now")),
]
ENGLISH_PHRASES = ["Changes since", " added, ", "Instance ", "fetched", "Page "]
RUSSIAN_SUMMARY = {
    "Отчёт xl-contacts",
    "ID инстанса",
    "Получено (UTC)",
    "Источник",
    "Контакты",
    "Скрытые номера (личные контакты)",
    "Программа",
    "Контакты по типам",
    "Номера телефонов по странам",
}
RUSSIAN_CHANGES_HEADERS = [
    "изменение",
    "chatId",
    "name (было)",
    "name (стало)",
    "contactName (было)",
    "contactName (стало)",
    "type (было)",
    "type (стало)",
    "phoneNumber (было)",
    "phoneNumber (стало)",
    "что изменилось",
]


@contextmanager
def in_language(monkeypatch: pytest.MonkeyPatch, language: str) -> Iterator[None]:
    """A run in ``language``, as the command line's caller sets it: the
    environment variable (what ``main`` chooses by) and the language spoken."""
    with monkeypatch.context() as patch:
        patch.setenv(ENV_LANG, language)
        with speaking(language):
            yield


def export(monkeypatch: pytest.MonkeyPatch, language: str, *args: str) -> int:
    with in_language(monkeypatch, language):
        return main(["export", *args])


def cells(path: Path, sheet: str) -> list[list[Any]]:
    return [list(row) for row in openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True)]


def labels(path: Path, sheet: str) -> dict[str, Any]:
    return {row[0]: row[1] for row in cells(path, sheet) if row and row[0]}


def texts(rows: list[list[Any]]) -> list[str]:
    return [value for row in rows for value in row if isinstance(value, str)]


def assert_no_english(found: list[str]) -> None:
    left = sorted({text for text in found if text in ENGLISH_LABELS})
    assert left == [], f"English labels left: {left}"
    phrases = sorted({text for text in found for p in ENGLISH_PHRASES if p in text})
    assert phrases == [], f"English left: {phrases}"


def test_a_russian_report_speaks_russian_and_keeps_the_identifiers(
    green_api_env: FakeGreenApi, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    green_api_env.answer([*OLD, {"name": "no chat id"}], once=True)  # then NEW
    assert export(monkeypatch, "ru", "-o", str(old)) == 0  # streamed: the common export
    green_api_env.answer(NEW)
    assert export(monkeypatch, "ru", "--since", str(old), "-o", str(new)) == 0
    book = openpyxl.load_workbook(new)
    assert book.sheetnames == ["Contacts", "Сводка", "Изменения"]
    assert list(book["Contacts"].tables) == ["Contacts"]
    assert list(book["Изменения"].tables) == ["Changes"], "the table keeps its name"
    assert cells(new, "Contacts")[0][: len(COLUMNS)] == list(COLUMNS)
    summary = labels(new, "Сводка")
    assert RUSSIAN_SUMMARY <= set(summary), set(summary)
    assert (summary["Добавлено"], summary["Удалено"], summary["Изменено"]) == (2, 1, 4)
    assert summary["Сравнение с"] == "old.xlsx"
    assert isinstance(summary["Предыдущее получение (UTC)"], datetime)
    assert summary["Контакты"] == len(NEW) and summary["ID инстанса"] == ID_INSTANCE

    changes = cells(new, "Изменения")
    when = labels(old, "Сводка")["Получено (UTC)"]
    assert (
        changes[0][0] == f"Изменения по сравнению с old.xlsx, получено {when:%Y-%m-%d %H:%M:%S} UTC"
    )
    assert changes[1][0] == "добавлено: 2, удалено: 1, изменено: 4"
    assert changes[3] == RUSSIAN_CHANGES_HEADERS
    rows = {(row[0], row[1]): row[-1] for row in changes[4:]}
    assert rows[("удалён", "5")] == "больше нет в списке"
    assert rows[("добавлен", "6")] == "новый контакт"
    assert rows[("изменён", "3")] == "contactName, type, phoneNumber", "column names stay"
    assert_no_english(texts(cells(new, "Сводка")) + texts(changes))
    assert_no_english(texts(cells(old, "Сводка")))
    assert labels(old, "Сводка")["Пропущенные записи (без chat id)"] == 1


def test_print_header_footer_and_properties_in_russian(tmp_path: Path) -> None:
    table = normalise(OLD, id_instance=ID_INSTANCE)
    with speaking("ru"):
        path = write_report(table, tmp_path / "ru.xlsx")
    book = openpyxl.load_workbook(path)
    for sheet in book.worksheets:
        footer = sheet.oddFooter
        assert footer.left.text.startswith(f"Инстанс {ID_INSTANCE} · получено ")
        assert footer.right.text == "Страница &P из &N"
        assert sheet.oddHeader.center.text == "&A", "the header is the sheet's (Russian) name"
    properties = book.properties
    assert properties.title == f"Контакты инстанса GREEN-API {ID_INSTANCE}"
    assert properties.subject == f"Инстанс GREEN-API {ID_INSTANCE}"
    assert properties.description.startswith(f"{len(table)} контактов получено из GREEN-API в ")
    assert properties.keywords == "GREEN-API, контакты"


def test_the_same_numbers_in_either_language(tmp_path: Path) -> None:
    """The Contacts sheet is the same file's; the Summary's values, line for
    line, are the English report's."""
    unknown = {"chatId": "9", "name": "Nowhere", "type": "user", "phoneNumber": 99912345}
    table = normalise([*OLD, *NEW[4:5], unknown], id_instance=ID_INSTANCE)
    written = {}
    for language in ("en", "ru"):
        with speaking(language):
            written[language] = write_report(table, tmp_path / f"{language}.xlsx")
    en, ru = (cells(written[lang], name) for lang, name in (("en", "Summary"), ("ru", "Сводка")))
    assert len(en) == len(ru)
    for english, russian in zip(en, ru, strict=True):
        assert [v for v in russian if isinstance(v, int | float | datetime)] == [
            v for v in english if isinstance(v, int | float | datetime)
        ], english
    # The Contacts sheet is the same but for the country column, which names
    # each country in the report's language (CLDR's Russian names).
    en_rows, ru_rows = cells(written["en"], "Contacts"), cells(written["ru"], "Contacts")
    at = en_rows[0].index("country")
    assert [r[:at] + r[at + 1 :] for r in ru_rows] == [r[:at] + r[at + 1 :] for r in en_rows]
    said = {e[at]: r[at] for e, r in zip(en_rows[1:], ru_rows[1:], strict=True)}
    assert said["Russia"] == "Россия" and said[None] is None, said
    assert ["Россия", 4] in [row[:2] for row in ru], "the Summary names countries so too"
    assert ["неизвестна", 1] in [row[:2] for row in ru], "a number of no known country"
    assert_no_english(texts(ru))
    # Each count table's heading, whose «Контакты» also names its chart's series.
    headings = [row[:3] for row in ru if row[0] in ("Тип", "Страна")]
    assert headings == [["Тип", "Контакты", "Доля"], ["Страна", "Контакты", "Доля"]]


@pytest.mark.parametrize(("before", "now"), [("ru", "en"), ("en", "ru")])
def test_a_report_of_one_language_is_the_since_of_the_other(
    green_api_env: FakeGreenApi,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    before: str,
    now: str,
) -> None:
    old, new = tmp_path / "old.xlsx", tmp_path / "new.xlsx"
    green_api_env.answer(OLD, once=True)  # then NEW
    assert export(monkeypatch, before, "-o", str(old)) == 0
    green_api_env.answer(NEW)
    assert export(monkeypatch, now, "--since", str(old), "-o", str(new)) == 0
    sheets = {"en": ("Summary", "Changes"), "ru": ("Сводка", "Изменения")}[now]
    assert openpyxl.load_workbook(new).sheetnames == ["Contacts", *sheets]
    summary = labels(new, sheets[0])
    counts = {"en": ("Added", "Removed", "Changed"), "ru": ("Добавлено", "Удалено", "Изменено")}
    assert tuple(summary[label] for label in counts[now]) == (2, 1, 4)
    previous_fetch = {"en": "Previous fetch (UTC)", "ru": "Предыдущее получение (UTC)"}[now]
    fetched = {"en": "Fetched at (UTC)", "ru": "Получено (UTC)"}[before]
    assert (
        summary[previous_fetch] == labels(old, "Summary" if before == "en" else "Сводка")[fetched]
    ), "the earlier report's fetch time was read by its own label"


@pytest.mark.parametrize(("before", "now"), [("ru", "en"), ("en", "ru")])
def test_export_replaces_a_report_of_the_other_language(
    green_api_env: FakeGreenApi,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    before: str,
    now: str,
) -> None:
    path = tmp_path / "contacts.xlsx"
    green_api_env.answer(OLD, once=True)  # then NEW
    assert export(monkeypatch, before, "-o", str(path)) == 0
    green_api_env.answer(NEW)
    assert export(monkeypatch, now, "-o", str(path)) == 0, "no --force needed"
    summary = {"en": "Summary", "ru": "Сводка"}[now]
    assert openpyxl.load_workbook(path).sheetnames == ["Contacts", summary]
    assert len(cells(path, "Contacts")) == 1 + len(NEW)


@pytest.fixture
def profiles(green_api: FakeGreenApi, capsys: pytest.CaptureFixture[str]) -> tuple:
    """sales (WhatsApp) and support (Telegram), both stored by login."""
    return sales_and_support(green_api.server, capsys)


def test_a_russian_report_of_several_instances_is_an_english_since(
    capsys: pytest.CaptureFixture[str],
    profiles: tuple,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The lines of each profile («sales: ID инстанса») are read back in Russian."""
    sales, _support = profiles
    first, second = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    with in_language(monkeypatch, "ru"):
        assert run(capsys, "export", "--all-profiles", "-o", str(first))[0] == 0
    summary = labels(first, "Сводка")
    assert summary["Инстансы"] == "sales, support"
    assert summary["sales: ID инстанса"] == SALES_ID
    assert summary["support: ID инстанса"] == SUPPORT_ID
    assert isinstance(summary["sales: скрытые номера (личные контакты)"], int)
    english = (": instance id", " contacts", ": hidden phone numbers", ": failed")
    assert [label for label in summary if label.endswith(english)] == []
    del sales.contacts[0]
    with in_language(monkeypatch, "en"):
        code, out, err = run(
            capsys, "export", "--all-profiles", "--since", str(first), "-o", str(second)
        )
    assert code == 0, err
    assert "0 added, 1 removed, 0 changed" in out
    assert labels(second, "Summary")["Removed"] == 1


def test_what_was_left_out_or_cut_is_said_in_russian(tmp_path: Path) -> None:
    extras = {f"field{i}": "x" for i in range(MAX_EXTRA_COLUMNS + 5)}
    raw = [{"chatId": "1", "name": "x" * 40_000, "type": "user", **extras}]
    with speaking("ru"):
        path = write_report(normalise(raw, id_instance=ID_INSTANCE), tmp_path / "ru.xlsx")
    summary = labels(path, "Сводка")
    assert summary["Пропущенные поля"].startswith("ещё 5 полей пропущено (столбцами становятся")
    assert summary["Значения, обрезанные до предела ячейки (32 767)"] == 1
    assert_no_english(texts(cells(path, "Сводка")))


def test_every_country_a_report_can_name_is_said_in_russian() -> None:
    """Every name the country column can hold -- each region's, the
    international services' (+800) and "unknown" -- has its Russian form."""
    from xl_contacts.base.countries import COUNTRY_NAMES
    from xl_contacts.base.i18n import translate
    from xl_contacts.domain.phones import INTERNATIONAL_SERVICES
    from xl_contacts.sinks.report_facts import UNKNOWN_COUNTRY

    names = [*COUNTRY_NAMES.values(), INTERNATIONAL_SERVICES, UNKNOWN_COUNTRY]
    with speaking("ru"):
        said = {name: translate(name) for name in names}
    assert [name for name, russian in said.items() if russian == name] == []
    assert said["Russia"] == "Россия" and said[INTERNATIONAL_SERVICES] == "Международный"
