"""Reports printed as a person would: LibreOffice renders them to PDF, and the
pages are counted and read back (each page is headed by its sheet's name)."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pypdfium2
import pytest
from helpers import libreoffice_converts
from stand_in import ID_INSTANCE, make_contacts

from xl_contacts.base.i18n import speaking
from xl_contacts.base.names import PHONE_COLUMNS
from xl_contacts.domain.contacts import normalise
from xl_contacts.domain.demo import DEMO_INSTANCE_ID, sample_contacts
from xl_contacts.domain.diff import change_headers, compare
from xl_contacts.sinks.previous_report import read_previous
from xl_contacts.sinks.xlsx_report import write_report
from xl_contacts.usecases.export_buffered import changes_sheet, changes_summary


def _pages_by_sheet(pdf: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Sheet name -> its pages as (text, width, height), in order. PDFium reads
    the text: the 77 pages of the printed comparison take pypdf seconds."""
    pages: dict[str, list[tuple[str, float, float]]] = defaultdict(list)
    with pypdfium2.PdfDocument(pdf) as document:
        for page in document:
            text = page.get_textpage().get_text_bounded()
            sheet = text.strip().splitlines()[0].strip()
            width, height = page.get_size()
            pages[sheet].append((text, width, height))
    return pages


def _assert_one_page_wide(pages: list[tuple[str, float, float]], first: str, last: str) -> None:
    """Landscape pages that each show the header's first and last column: the
    columns are not split over several runs of pages, the header repeats."""
    assert pages
    for number, (text, width, height) in enumerate(pages, 1):
        assert width > height, f"page {number} is not landscape"
        assert first in text and last in text, f"page {number} misses a column: {text[:300]}"


# What each language prints: the sheets' names head the pages, the footer counts them.
WORDS = {
    "en": {
        "summary": "Summary",
        "changes": "Changes",
        "by type": "Contacts by type",
        "by country": "Phone numbers by country",
        "instance": "Instance {}",
        "page": "Page 2 of 2",
        "counts": "300 added, 300 removed",
        "page n of m": r"Page \d+ of \d+",
    },
    "ru": {
        "summary": "Сводка",
        "changes": "Изменения",
        "by type": "Контакты по типам",
        "by country": "Номера телефонов по странам",
        "instance": "Инстанс {}",
        "page": "Страница 2 из 2",
        "counts": "добавлено: 300, удалено: 300",
        "page n of m": r"Страница \d+ из \d+",
    },
}


@pytest.mark.parametrize("language", WORDS)
def test_the_demo_report_prints_on_two_pages(tmp_path: Path, language: str) -> None:
    words = WORDS[language]
    table = normalise(sample_contacts(), id_instance=DEMO_INSTANCE_ID, source="demo")
    with speaking(language):
        report = write_report(table, tmp_path / "demo.xlsx")
    pages = _pages_by_sheet(libreoffice_converts(report, tmp_path))
    assert {sheet: len(p) for sheet, p in pages.items()} == {"Contacts": 1, words["summary"]: 1}
    _assert_one_page_wide(pages["Contacts"], "chatId", PHONE_COLUMNS[-1])
    text, width, height = pages[words["summary"]][0]
    assert width < height, "the Summary is a portrait page"
    assert words["by type"] in text and words["by country"] in text
    assert words["instance"].format(DEMO_INSTANCE_ID) in text and words["page"] in text


@pytest.fixture(scope="module", params=list(WORDS))
def printed_comparison(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, str], dict[str, list]]:
    """A 2,000-contact report compared with an earlier one, printed (in each
    language: the words printed, the pages by sheet)."""
    language = request.param
    folder = tmp_path_factory.mktemp("print")
    old = write_report(
        normalise(make_contacts(2_000), id_instance=ID_INSTANCE), folder / "old.xlsx"
    )
    raw = make_contacts(2_000, start=300)
    for contact in raw[::2]:
        contact["name"] += " (renamed)"
    table = normalise(raw, id_instance=ID_INSTANCE)
    previous = read_previous(old, ID_INSTANCE)
    with speaking(language):
        changes = compare(previous.rows, table)
        assert len(changes.rows) == 300 + 300 + 850, len(changes.rows)
        new = write_report(
            table,
            folder / "new.xlsx",
            extra_tables=[changes_sheet(changes, previous)],
            summary_rows=changes_summary(changes, previous),
        )
        headers = change_headers()
    words = {**WORDS[language], "first": headers[0], "last": headers[-1]}
    return words, _pages_by_sheet(libreoffice_converts(new, folder))


# The tests that read the printed comparison share one worker: one print of it.
@pytest.mark.xdist_group("printed_comparison")
def test_2000_contacts_print_one_page_wide(printed_comparison: tuple) -> None:
    words, pages = printed_comparison
    contacts = pages["Contacts"]
    _assert_one_page_wide(contacts, "chatId", PHONE_COLUMNS[-1])
    assert "Name 2299 Фамилия" in contacts[-1][0], "the last contact is printed"
    assert len(pages[words["summary"]]) == 1


@pytest.mark.xdist_group("printed_comparison")
def test_the_changes_of_2000_contacts_print_one_page_wide(printed_comparison: tuple) -> None:
    words, pages = printed_comparison
    changes = pages[words["changes"]]
    _assert_one_page_wide(changes, words["first"], words["last"])
    assert words["counts"] in changes[0][0], "the counts on the first page"
    assert re.search(words["page n of m"], changes[0][0]), "the footer numbers the pages"
